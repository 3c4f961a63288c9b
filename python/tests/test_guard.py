"""The guard with both SDKs and their own test transports (httpx MockTransport passed as
``http_client=``): nothing leaves the process."""

from __future__ import annotations

import asyncio
import json

import pytest

import tokenbudget as tb
from tokenbudget import Budget, BudgetExceeded

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")
try:
    import httpx2 as httpx
except ImportError:  # the SDKs before their httpx2 move
    import httpx  # type: ignore[no-redef]


class Transport:
    """Records each request body; answers with a fixed usage."""

    def __init__(self, kind: str, prompt: int = 40, completion: int = 7, stream_words: int = 0) -> None:
        self.kind = kind
        self.bodies: list[dict] = []
        self.prompt = prompt
        self.completion = completion
        self.stream_words = stream_words
        self.closed_early = False

    def __call__(self, request):
        body = json.loads(request.content)
        self.bodies.append(body)
        if body.get("stream"):
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=self._sse(body)
            )
        if self.kind == "openai":
            return httpx.Response(200, json={
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "ok"}}],
                "usage": {"prompt_tokens": self.prompt, "completion_tokens": self.completion,
                          "total_tokens": self.prompt + self.completion,
                          "prompt_tokens_details": {"cached_tokens": 8}},
            })
        return httpx.Response(200, json={
            "id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": self.prompt, "output_tokens": self.completion,
                      "cache_read_input_tokens": 5, "cache_creation_input_tokens": 0},
        })

    def _sse(self, body):
        words = [" word"] * self.stream_words
        if self.kind == "openai":
            def chunk(delta, usage=None):
                c = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}] if delta is not None else []}
                if usage:
                    c["usage"] = usage
                return f"data: {json.dumps(c)}\n\n"
            out = [chunk({"role": "assistant", "content": ""})]
            out += [chunk({"content": w}) for w in words]
            out.append(chunk(None, {"prompt_tokens": self.prompt, "completion_tokens": len(words),
                                    "total_tokens": self.prompt + len(words)}))
            out.append("data: [DONE]\n\n")
        else:
            def ev(t, d):
                d["type"] = t
                return f"event: {t}\ndata: {json.dumps(d)}\n\n"
            out = [ev("message_start", {"message": {
                "id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
                "content": [], "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": self.prompt, "output_tokens": 1}}})]
            out.append(ev("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}))
            out += [ev("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": w}}) for w in words]
            out.append(ev("content_block_stop", {"index": 0}))
            out.append(ev("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                             "usage": {"output_tokens": len(words)}}))
            out.append(ev("message_stop", {}))
        return "".join(out).encode()


def openai_client(t: Transport, is_async: bool = False):
    if is_async:
        return openai.AsyncOpenAI(api_key="k", max_retries=0,
                                  http_client=httpx.AsyncClient(transport=httpx.MockTransport(t)))
    return openai.OpenAI(api_key="k", max_retries=0, http_client=httpx.Client(transport=httpx.MockTransport(t)))


def anthropic_client(t: Transport, is_async: bool = False):
    if is_async:
        return anthropic.AsyncAnthropic(api_key="k", max_retries=0,
                                        http_client=httpx.AsyncClient(transport=httpx.MockTransport(t)))
    return anthropic.Anthropic(api_key="k", max_retries=0, http_client=httpx.Client(transport=httpx.MockTransport(t)))


TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
IMAGE = {"type": "image_url", "image_url": {
    "url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
           "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "detail": "low"}}


def history(n: int) -> list[dict]:
    out = [{"role": "system", "content": "You are terse."}]
    for i in range(n):
        out.append({"role": "user", "content": f"Question {i}: " + "tell me more " * 20})
        out.append({"role": "assistant", "content": f"Answer {i}: " + "here is more " * 20})
    out.append({"role": "user", "content": [{"type": "text", "text": "And this image?"}, IMAGE]})
    return out


def test_openai_over_budget_never_reaches_the_transport(run_cli, tmp_path):
    t = Transport("openai")
    log = tmp_path / "usage.jsonl"
    client = tb.guard(openai_client(t), max_input_tokens=100, reserve_output=50, log=log)
    body = {"model": "gpt-4o", "messages": history(3), "tools": TOOLS}
    with pytest.raises(BudgetExceeded) as e:
        client.chat.completions.create(**body)
    assert t.bodies == []
    assert not log.exists()
    # the count is the CLI's, tools and images included
    req = tmp_path / "req.json"
    req.write_text(json.dumps(body))
    _, out = run_cli("plan", "--request", req, "--json", "--reserve-output", "50")
    want = json.loads(out)
    assert e.value.input_tokens == want["input_tokens"] > 100
    parts = {p["part"]: p["tokens"] for p in want["parts"]} if isinstance(want["parts"], list) else want["parts"]
    assert e.value.reason == "max_input_tokens"
    assert e.value.limit == 100
    assert str(want["input_tokens"]) in str(e.value).replace(",", "")
    assert parts  # tools and images are parts of the count
    assert e.value.plan == want


def test_openai_fits_reaches_the_transport_and_logs(run_cli, tmp_path):
    t = Transport("openai", prompt=321, completion=12)
    log = tmp_path / "usage.jsonl"
    client = tb.guard(openai_client(t), max_input_tokens=5000, reserve_output=50, log=log, feature="chat")
    body = {"model": "gpt-4o", "messages": history(2), "tools": TOOLS}
    r = client.chat.completions.create(**body, user="alice")
    assert r.choices[0].message.content == "ok"
    assert len(t.bodies) == 1 and t.bodies[0]["messages"] == body["messages"]
    client.chat.completions.create(**body, budget_user="bob", budget_feature="search")
    assert "budget_user" not in t.bodies[1]
    recs = [json.loads(x) for x in log.read_text().splitlines()]
    assert [(r["user_id"], r["feature"]) for r in recs] == [("alice", "chat"), ("bob", "search")]
    assert recs[0]["prompt_tokens"] == 321 and recs[0]["completion_tokens"] == 12
    assert recs[0]["cached_tokens"] == 8
    assert recs[0]["counted_input_tokens"] == tb.plan(body, reserve_output=50)["input_tokens"]
    assert recs[0]["latency_ms"] >= 0
    _, out = run_cli("scan-logs", log, "--json", "--by", "user")
    doc = json.loads(out)
    assert doc["records"] == 2 and doc["skipped"]["count"] == 0
    assert doc["tokens"]["input"] + doc["tokens"]["cached_input"] == 642
    assert doc["tokens"]["cached_input"] == 16
    assert doc["tokens"]["output"] == 24
    assert {g["key"]["user"]: g["tokens"]["total"] for g in doc["groups"]} == {"alice": 333, "bob": 333}


def test_openai_fit_drops_history(tmp_path):
    t = Transport("openai")
    client = tb.guard(openai_client(t), max_input_tokens=400, reserve_output=50, on_exceed="fit")
    body = {"model": "gpt-4o", "messages": history(6)}
    assert tb.plan(body, reserve_output=50)["input_tokens"] > 400
    client.chat.completions.create(**body)
    sent = t.bodies[0]["messages"]
    want = tb.fit(body, reserve_output=50, context_window=450)["messages"]
    assert sent == want
    assert len(sent) < len(body["messages"])
    assert sent[0] == body["messages"][0] and sent[-1] == body["messages"][-1]
    assert tb.plan({"model": "gpt-4o", "messages": sent}, reserve_output=50)["input_tokens"] <= 400


def test_openai_fit_that_cannot_fit_raises(tmp_path):
    t = Transport("openai")
    client = tb.guard(openai_client(t), max_input_tokens=30, reserve_output=50, on_exceed="fit")
    with pytest.raises(BudgetExceeded):
        client.chat.completions.create(model="gpt-4o", messages=history(2))
    assert t.bodies == []


def test_openai_hand_over_to_a_cheaper_model():
    t = Transport("openai")
    seen = []

    def cheaper(request, exceeded):
        seen.append((exceeded.reason, exceeded.model, exceeded.limit))
        return {**request, "model": "gpt-4.1-mini"}

    client = tb.guard(openai_client(t), reserve_output=100, on_exceed=cheaper)
    long = [{"role": "user", "content": "lorem ipsum dolor " * 3000}]
    client.chat.completions.create(model="gpt-4", messages=long)
    assert seen == [("context_window", "gpt-4", 8192)]
    assert [b["model"] for b in t.bodies] == ["gpt-4.1-mini"]


def test_budget_per_user_over_a_sliding_window(tmp_path):
    t = Transport("openai", prompt=60, completion=20)
    now = [1000.0]
    client = tb.guard(openai_client(t), budgets=[Budget("120/1h", per="user")], reserve_output=20,
                      clock=lambda: now[0])
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi " * 40}]}
    n = tb.plan(body, reserve_output=20)["input_tokens"]
    assert 40 < n < 70
    client.chat.completions.create(**body, user="alice")  # alice: 80 used
    with pytest.raises(BudgetExceeded) as e:
        client.chat.completions.create(**body, user="alice")
    assert (e.value.reason, e.value.used, e.value.limit, e.value.user) == ("budget", 80, 120, "alice")
    client.chat.completions.create(**body, user="bob")
    now[0] += 3599
    with pytest.raises(BudgetExceeded):
        client.chat.completions.create(**body, user="alice")
    now[0] += 2
    client.chat.completions.create(**body, user="alice")
    assert len(t.bodies) == 3


def test_budget_rates():
    assert (Budget("1M/1h").tokens, Budget("1M/1h").seconds) == (1_000_000, 3600)
    assert (Budget("250k / 10m", per="feature").tokens, Budget("250k/10m").seconds) == (250_000, 600)
    with pytest.raises(ValueError, match="TOKENS/DURATION"):
        Budget("lots")
    with pytest.raises(ValueError, match="per="):
        Budget("1M/1h", per="team")


def test_openai_stream_cut_off_past_the_reserve(tmp_path):
    t = Transport("openai", stream_words=200)
    log = tmp_path / "usage.jsonl"
    client = tb.guard(openai_client(t), reserve_output=10, log=log)
    stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "go"}], stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert tb.count(text) == 11  # stopped at the first token past the reserve
    assert t.bodies[0]["stream_options"] == {"include_usage": True}
    rec = json.loads(log.read_text())
    assert rec["cut_off"] is True and rec["completion_tokens"] == 11
    assert rec["prompt_tokens"] == rec["counted_input_tokens"]


def test_openai_stream_within_the_reserve_uses_the_provider_usage(tmp_path):
    t = Transport("openai", stream_words=5, prompt=33)
    log = tmp_path / "usage.jsonl"
    client = tb.guard(openai_client(t), reserve_output=100, log=log)
    stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "go"}], stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == " word" * 5
    rec = json.loads(log.read_text())
    assert (rec["prompt_tokens"], rec["completion_tokens"], rec.get("cut_off")) == (33, 5, None)


def test_async_openai(tmp_path):
    t = Transport("openai", prompt=11, completion=3)
    log = tmp_path / "usage.jsonl"
    client = tb.guard(openai_client(t, is_async=True), max_input_tokens=100, reserve_output=50, log=log)

    async def go():
        with pytest.raises(BudgetExceeded):
            await client.chat.completions.create(model="gpt-4o", messages=history(3))
        r = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
        s = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}],
                                                 stream=True, max_tokens=4)
        parts = [c async for c in s]
        return r, parts

    t.stream_words = 80  # the guard's reserve_output (50) wins over the request's max_tokens
    r, parts = asyncio.run(go())
    assert r.choices[0].message.content == "ok"
    assert len(t.bodies) == 2
    recs = [json.loads(x) for x in log.read_text().splitlines()]
    assert recs[0]["prompt_tokens"] == 11
    assert recs[1]["cut_off"] is True and recs[1]["completion_tokens"] == 51
    assert len([p for p in parts if p.choices and p.choices[0].delta.content]) == 51


def test_anthropic_without_an_encoding_is_an_estimate_and_labelled(tmp_path):
    t = Transport("anthropic")
    client = tb.guard(anthropic_client(t), max_input_tokens=10)
    msgs = [{"role": "user", "content": "tell me more " * 50}]
    with pytest.raises(BudgetExceeded) as e:
        client.messages.create(model="claude-sonnet-4-5", max_tokens=100, messages=msgs)
    assert e.value.approximate is True and "approximate" in str(e.value)
    assert t.bodies == []


def test_anthropic_sync(run_cli, tmp_path):
    t = Transport("anthropic", prompt=50, completion=9)
    log = tmp_path / "usage.jsonl"
    client = tb.guard(anthropic_client(t), max_input_tokens=200, encoding="o200k_base", log=log)
    big = {"model": "claude-sonnet-4-5", "max_tokens": 100, "system": "Be brief.",
           "messages": [{"role": "user", "content": "tell me more " * 300}]}
    with pytest.raises(BudgetExceeded) as e:
        client.messages.create(**big)
    assert e.value.approximate is True and "approximate" in str(e.value)
    assert e.value.reserve_output == 100
    assert t.bodies == []
    ok = {**big, "messages": [{"role": "user", "content": "hi"}], "metadata": {"user_id": "carol"}}
    client.messages.create(**ok)
    assert t.bodies[0]["system"] == "Be brief."
    rec = json.loads(log.read_text())
    assert rec["user_id"] == "carol" and rec["prompt_tokens"] == 55 and rec["cached_tokens"] == 5
    assert rec["counted_input_approximate"] is True
    _, out = run_cli("scan-logs", log, "--json")
    doc = json.loads(out)
    assert doc["tokens"]["input"] == 50 and doc["tokens"]["cached_input"] == 5 and doc["tokens"]["output"] == 9


def test_anthropic_stream_and_async(tmp_path):
    t = Transport("anthropic", prompt=20, stream_words=100)
    log = tmp_path / "usage.jsonl"
    client = tb.guard(anthropic_client(t, is_async=True), encoding="o200k_base", log=log)

    async def go():
        s = await client.messages.create(model="claude-sonnet-4-5", max_tokens=7, stream=True,
                                         messages=[{"role": "user", "content": "go"}])
        return [e async for e in s]

    events = asyncio.run(go())
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    assert tb.count(text, encoding="o200k_base") == 8
    rec = json.loads(log.read_text())
    assert rec["cut_off"] is True and rec["completion_tokens"] == 8 and rec["prompt_tokens"] == 20


def test_anthropic_fit(tmp_path):
    t = Transport("anthropic")
    client = tb.guard(anthropic_client(t), max_input_tokens=300, encoding="o200k_base", on_exceed="fit")
    msgs = []
    for i in range(8):
        msgs += [{"role": "user", "content": f"q{i} " + "more " * 30}, {"role": "assistant", "content": f"a{i} " + "yes " * 30}]
    msgs.append({"role": "user", "content": "last question"})
    client.messages.create(model="claude-sonnet-4-5", max_tokens=50, system="sys", messages=msgs)
    sent = t.bodies[0]
    assert sent["system"] == "sys" and sent["messages"][-1] == msgs[-1]
    assert len(sent["messages"]) < len(msgs)
    rep = tb.plan({"model": "claude-sonnet-4-5", "max_tokens": 50, "system": "sys", "messages": sent["messages"]},
                  encoding="o200k_base")
    assert rep["input_tokens"] <= 300


def test_guard_rejects_other_objects():
    with pytest.raises(TypeError):
        tb.guard(object())
    with pytest.raises(ValueError):
        tb.guard(openai_client(Transport("openai")), on_exceed="ignore")
