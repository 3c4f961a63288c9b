#!/usr/bin/env python3
"""Deterministic generator of a large chat request, for the memory figures of a long request.

    python3 benches/gen-request.py OUT.json [MESSAGES] [array|object]

Writes a request of MESSAGES messages (default 1,000,000): a system message, then user and
assistant turns of a few words each (about 48 bytes a message, one message a line), with an
assistant tool call and its tool result every 50 messages and a final user question. `object`
(the default) wraps them as an OpenAI Chat Completions body with `model` and `max_tokens`;
`array` writes the bare messages array.
"""
import json
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
shape = sys.argv[3] if len(sys.argv) > 3 else "object"
if shape not in ("array", "object"):
    sys.exit("shape must be array or object")
rng = random.Random(11)
words = "the a function returns value file test error build fix change code line module why how".split()


def text():
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))


def messages():
    yield {"role": "system", "content": "You are a helpful assistant."}
    i = 1
    while i < n - 1:
        if i % 50 == 0 and i + 2 < n - 1:
            call = f"c{i}"
            yield {"role": "assistant", "content": None, "tool_calls": [{"id": call, "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":\"x\"}"}}]}
            yield {"role": "tool", "tool_call_id": call, "content": text()}
            i += 2
            continue
        yield {"role": "user" if i % 2 else "assistant", "content": text()}
        i += 1
    yield {"role": "user", "content": "What changed?"}


with open(out, "w") as f:
    if shape == "object":
        f.write('{"model": "gpt-4o", "max_tokens": 1000, "messages": [\n')
    else:
        f.write("[\n")
    for k, m in enumerate(messages()):
        f.write((",\n" if k else "") + json.dumps(m))
    f.write("\n]}\n" if shape == "object" else "\n]\n")
