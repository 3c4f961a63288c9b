#!/usr/bin/env python3
"""Deterministic generator of a Claude Code transcripts folder for the scan-logs benchmark.

    python3 benches/gen-claude-logs.py OUT_DIR [SIZE]

SIZE is in MB (default 200), or in KB with a `K` suffix (`40K`). Writes
OUT_DIR/projects/<project>/<session>.jsonl in the shape Claude Code writes: user and assistant
lines with message text, `message.usage`, `message.id`, `requestId`, `sessionId`, `timestamp`;
every assistant response with two content blocks is written twice with the same ids and usage
(as Claude Code does), so a tool that does not drop duplicates double-counts them. No
`costUSD`: costs are computed from prices.

Half the sessions use today's models (March 2026); the other half are in 2025, each in the era
of the models Claude Code sessions named then, timestamped inside that era: Sonnet 3.7 (with
Haiku 3.5, Sonnet 3.5 v2, Opus 3) from 2025-03-01, Sonnet 4 and Opus 4 from 2025-05-22, Opus 4.1
from 2025-08-05. Sessions cycle through the eras, so even a small folder has every model.
Below 5 MB, sessions are short (2-5 turns), messages a few words and each session takes its
era's models in turn, so a folder of tens of KB still has every model. Every prompt stays under 200,000 tokens (no long-context tier).
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

out = sys.argv[1]
size = sys.argv[2] if len(sys.argv) > 2 else "200"
target = int(size[:-1]) * 1000 if size[-1] in "kK" else int(size) * 1_000_000
small = target < 5_000_000
rng = random.Random(42)
utc = timezone.utc
# (first day, days, models: the first is the main one, picked for about 3 responses in 4)
eras = [
    (datetime(2026, 3, 1, tzinfo=utc), 30,
     ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"]),
    (datetime(2025, 3, 1, tzinfo=utc), 80,
     ["claude-3-7-sonnet-20250219", "claude-3-5-haiku-20241022", "claude-3-opus-20240229",
      "claude-3-5-sonnet-20241022"]),
    (datetime(2025, 5, 22, tzinfo=utc), 70,
     ["claude-sonnet-4-20250514", "claude-opus-4-20250514", "claude-3-5-haiku-20241022"]),
    (datetime(2025, 8, 5, tzinfo=utc), 50,
     ["claude-opus-4-1-20250805", "claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"]),
]
era_order = [0, 1, 0, 2, 0, 3]
era_sessions = [0] * len(eras)
words = "the a function returns value file test error build fix change code line module".split()
written = 0
n_projects = 20
session = 0
while written < target:
    project = f"-home-dev-project{session % n_projects:02d}"
    d = os.path.join(out, "projects", project)
    os.makedirs(d, exist_ok=True)
    sid = f"{session:08d}-0000-4000-8000-000000000000"
    era = era_order[session % len(era_order)]
    first, days, models = eras[era]
    t = first + timedelta(minutes=(era_sessions[era] * 97) % (days * 24 * 60 - 24 * 60))
    era_sessions[era] += 1
    lines = []
    parent = None
    for turn in range(rng.randint(2, 5) if small else rng.randint(20, 80)):
        t += timedelta(seconds=rng.randint(5, 120))
        n_words = rng.randint(3, 20) if small else rng.randint(20, 400)
        text = " ".join(rng.choice(words) for _ in range(n_words))
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
        if small:  # every model of the era in turn
            model = models[(era_sessions[era] + turn) % len(models)]
        else:
            model = models[rng.randrange(10) % len(models) if rng.randrange(4) else 0]
        mid = f"msg_{session:06d}{turn:04d}"
        rid = f"req_{session:06d}{turn:04d}"
        blocks = 2 if rng.randrange(3) == 0 else 1
        for b in range(blocks):
            t += timedelta(seconds=1)
            n_words = rng.randint(3, 20) if small else rng.randint(10, 300)
            content = [{"type": "text", "text": " ".join(rng.choice(words) for _ in range(n_words))}]
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
print(f"{session} sessions, {written / 1e6:.3f} MB in {out}")
