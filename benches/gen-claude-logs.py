#!/usr/bin/env python3
"""Deterministic generator of a Claude Code transcripts folder for the scan-logs benchmark.

    python3 benches/gen-claude-logs.py OUT_DIR [MEGABYTES]

Writes OUT_DIR/projects/<project>/<session>.jsonl (about MEGABYTES MB, default 200) in the
shape Claude Code writes: user and assistant lines with message text, `message.usage`,
`message.id`, `requestId`, `sessionId`, `timestamp`; every assistant response with two content
blocks is written twice with the same ids and usage (as Claude Code does), so a tool that does
not drop duplicates double-counts them. No `costUSD`: costs are computed from prices.
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

out = sys.argv[1]
megabytes = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(42)
models = ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"]
words = "the a function returns value file test error build fix change code line module".split()
start = datetime(2026, 3, 1, tzinfo=timezone.utc)
target = megabytes * 1_000_000
written = 0
n_projects = 20
session = 0
while written < target:
    project = f"-home-dev-project{session % n_projects:02d}"
    d = os.path.join(out, "projects", project)
    os.makedirs(d, exist_ok=True)
    sid = f"{session:08d}-0000-4000-8000-000000000000"
    t = start + timedelta(minutes=session * 7)
    lines = []
    parent = None
    for turn in range(rng.randint(20, 80)):
        t += timedelta(seconds=rng.randint(5, 120))
        text = " ".join(rng.choice(words) for _ in range(rng.randint(20, 400)))
        uid = f"u{session}-{turn}"
        lines.append({"parentUuid": parent, "isSidechain": False, "userType": "external",
                      "cwd": "/home/dev/" + project, "sessionId": sid, "version": "2.0.14",
                      "type": "user", "message": {"role": "user", "content": text},
                      "uuid": uid, "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
        parent = uid
        usage = {"input_tokens": rng.randint(1, 500),
                 "cache_creation_input_tokens": rng.randint(0, 20000),
                 "cache_read_input_tokens": rng.randint(0, 150000),
                 "output_tokens": rng.randint(10, 4000)}
        usage["cache_creation"] = {"ephemeral_5m_input_tokens": usage["cache_creation_input_tokens"],
                                   "ephemeral_1h_input_tokens": 0}
        model = models[rng.randrange(10) % 3 if rng.randrange(4) else 0]
        mid = f"msg_{session:06d}{turn:04d}"
        rid = f"req_{session:06d}{turn:04d}"
        blocks = 2 if rng.randrange(3) == 0 else 1
        for b in range(blocks):
            t += timedelta(seconds=1)
            content = [{"type": "text", "text": " ".join(rng.choice(words) for _ in range(rng.randint(10, 300)))}]
            aid = f"a{session}-{turn}-{b}"
            lines.append({"parentUuid": parent, "isSidechain": False, "userType": "external",
                          "cwd": "/home/dev/" + project, "sessionId": sid, "version": "2.0.14",
                          "type": "assistant",
                          "message": {"id": mid, "type": "message", "role": "assistant",
                                      "model": model, "content": content, "stop_reason": None,
                                      "usage": usage},
                          "requestId": rid, "uuid": aid,
                          "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
            parent = aid
    data = "".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines)
    with open(os.path.join(d, sid + ".jsonl"), "w") as f:
        f.write(data)
    written += len(data)
    session += 1
print(f"{session} sessions, {written / 1e6:.0f} MB in {out}")
