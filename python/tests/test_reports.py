"""count_request / plan / fit / cost / models / scan_logs equal the CLI's --json on the CLI's
fixtures."""

from __future__ import annotations

import json

import pytest

import tokenbudget as tb
from conftest import FIXTURES

PLAN = FIXTURES / "plan"
REQUESTS = ["request.json", "anthropic.json", "anthropic-agent.json", "image.json"]


def _load(name):
    return json.loads((PLAN / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", REQUESTS)
def test_count_request_equals_cli(name, cli_json):
    doc = cli_json("count", PLAN / name, "--json")
    got = tb.count_request(_load(name))
    want = dict(doc["inputs"][0])
    want.pop("path")
    want.pop("bytes")
    got.pop("bytes")  # the body is re-serialised, so its size differs; the counts do not
    # the report's model fields (`approximation` only when the count is an estimate: the
    # Anthropic fixtures name claude-sonnet-4-5, which both count for)
    for k in ("model", "encoding", "approximate", "approximation", "context_window"):
        if k in doc:
            want[k] = doc[k]
    assert got == want
    assert got["tokens"] == doc["total"]["tokens"]


def test_count_request_raw_text_keeps_bytes(cli_json):
    text = (PLAN / "request.json").read_text(encoding="utf-8")
    doc = cli_json("count", PLAN / "request.json", "--json")
    assert tb.count_request(text)["bytes"] == doc["inputs"][0]["bytes"]


@pytest.mark.parametrize("name", REQUESTS)
def test_plan_equals_cli(name, cli_json):
    enc = ["--encoding", "o200k_base"] if name.startswith("anthropic") else []
    doc = cli_json("plan", "--request", PLAN / name, "--json", *enc, cwd=PLAN)
    assert tb.plan(_load(name), encoding="o200k_base" if enc else None) == doc
    if enc:
        assert doc["approximate"] is True
        # without an encoding, the CLI's labelled estimate (o200k_base) too
        plain = cli_json("plan", "--request", PLAN / name, "--json", cwd=PLAN)
        assert plain["approximate"] is True
        assert tb.plan(_load(name)) == plain


def test_plan_options_equal_cli(cli_json):
    doc = cli_json(
        "plan", "--request", PLAN / "request.json", "--json", "--model", "gpt-4.1",
        "--context-window", "300", "--reserve-output", "100", "--cap", "tools=20", "--cap", "history=10%",
    )
    got = tb.plan(
        _load("request.json"), model="gpt-4.1", context_window=300, reserve_output=100,
        caps={"tools": 20, "history": "10%"},
    )
    assert got == doc
    assert got["fits"] is doc["fits"]


def test_fit_equals_cli(tmp_path, run_cli, cli_json):
    out = tmp_path / "fitted.json"
    args = ["--context-window", "200", "--reserve-output", "60"]
    code, _ = run_cli("plan", "--request", PLAN / "request.json", "--fit", "--out", out, *args)
    assert code == 0
    want = json.loads(out.read_text())
    fitted, report = tb.fit(_load("request.json"), context_window=200, reserve_output=60, report=True)
    assert fitted == want
    assert report["fit"]["dropped"]
    assert report["input_tokens"] <= 140
    assert tb.fit(_load("request.json"), context_window=200, reserve_output=60) == want


def test_fit_keep_last_and_cannot_fit():
    with pytest.raises(tb.CannotFit) as e:
        tb.fit(_load("request.json"), context_window=120, reserve_output=100)
    assert e.value.report["fits"] is False
    assert isinstance(e.value, ValueError)


def test_bad_request_is_an_input_error():
    with pytest.raises(tb.TokenbudgetError, match="line 1"):
        tb.plan("{not json")
    with pytest.raises(tb.UnknownModelError):
        tb.plan(_load("request.json"), model="no-such-model-xyz")


def test_cost_equals_cli(cli_json):
    prompt = FIXTURES / "cost" / "prompt.txt"
    doc = cli_json("cost", prompt, "--json", "--output-tokens", "500", "--compare", "gpt-4o,gpt-4.1-mini")
    got = tb.cost(prompt.read_text(encoding="utf-8"), output_tokens=500, compare=["gpt-4o", "gpt-4.1-mini"])
    assert "path" not in got["prompt"]
    doc["prompt"].pop("path")
    assert got == doc
    doc = cli_json(
        "cost", "--json", "--input-tokens", "12000", "--output-tokens", "800", "--model", "claude-sonnet-4-5",
        "--cached-ratio", "0.5", "--requests", "1000", "--per", "day",
    )
    got = tb.cost(
        input_tokens=12000, output_tokens=800, model="claude-sonnet-4-5", cached_ratio=0.5,
        requests=1000, per="day",
    )
    assert got == doc


def test_cost_with_price_overrides_equals_cli(cli_json):
    prices = FIXTURES / "cost" / "prices.toml"
    doc = cli_json("cost", "--json", "--input-tokens", "1000000", "--model", "gpt-4o", "--prices", prices)
    got = tb.cost(input_tokens=1_000_000, model="gpt-4o", prices=prices)
    assert got == doc
    assert got != tb.cost(input_tokens=1_000_000, model="gpt-4o")


def test_cost_request_body(cli_json):
    doc = cli_json("cost", PLAN / "request.json", "--json")
    got = tb.cost(_load("request.json"))
    for d in (doc, got):
        d["prompt"].pop("path", None)
        d["prompt"].pop("bytes")  # the dict is re-serialised; the counts are the same
    assert got == doc


def test_models_equal_cli(cli_json):
    doc = cli_json("models", "--json")
    got = tb.models()
    assert got == (doc["models"] if isinstance(doc, dict) else doc)
    assert tb.models("sonnet", sort="input") == (lambda d: d["models"] if isinstance(d, dict) else d)(
        cli_json("models", "sonnet", "--sort", "input", "--json")
    )
    prices = FIXTURES / "cost" / "prices.toml"
    over = cli_json("models", "--json", "--prices", prices)
    assert tb.models(prices=prices) == (over["models"] if isinstance(over, dict) else over)


def test_models_unknown_provider():
    with pytest.raises(tb.TokenbudgetError, match="unknown provider"):
        tb.models(provider="nobody")


SCAN = FIXTURES / "scan"


@pytest.mark.parametrize("by", [None, "user", "model", "feature"])
def test_scan_logs_equals_cli(by, cli_json):
    args = ["--by", by] if by else []
    doc = cli_json("scan-logs", SCAN, "--json", *args)
    assert tb.scan_logs(SCAN, by=by) == doc
    assert doc["records"] > 0


def test_scan_logs_options_equal_cli(cli_json):
    files = [SCAN / "app.jsonl", SCAN / "openai.jsonl"]
    doc = cli_json("scan-logs", *files, "--json", "--by", "user", "--since", "2026-03-01", "--tz", "+02:00", "--top", "3")
    assert tb.scan_logs(files, by="user", since="2026-03-01", tz="+02:00", top=3) == doc


def test_scan_logs_missing_file(tmp_path, cli_json):
    with pytest.raises(tb.TokenbudgetError, match="nope.jsonl: cannot read") as e:
        tb.scan_logs([SCAN / "app.jsonl", tmp_path / "nope.jsonl"])
    assert e.value.report["records"] == 5


def test_cli_passthrough_and_help():
    code, out = tb.cli("count", "--text", "Hello world\n", "--json")
    assert code == 0 and json.loads(out)["total"]["tokens"] == 3
    code, out = tb.cli("models", "--help")
    assert code == 0 and b"Examples" in out
    with pytest.raises(tb.TokenbudgetError, match="unexpected argument"):
        tb.cli("count", "--no-such-flag")
