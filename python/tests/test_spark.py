"""Spark in local mode (one session for the module, local[2]): token counts of a Parquet
column and a sharded usage-log scan, both equal to the CLI."""

from __future__ import annotations

import gzip
import json
import os
import sys

import pytest

import tokenbudget as tb
from conftest import FIXTURES, REPO

pyspark = pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("tokenbudget-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def corpus_rows() -> list[str]:
    """Texts from the CLI's text fixtures and README, cut into rows of varied sizes."""
    texts = []
    for p in sorted((FIXTURES / "text").glob("*")):
        if p.is_file() and p.suffix != ".tsv":
            try:
                texts.append(p.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                pass
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    texts += [readme[i : i + 700] for i in range(0, len(readme), 700)]
    return [t for t in texts if t][:400]


def test_count_column_equals_cli(spark, tmp_path, cli_json):
    from tokenbudget.spark import count_tokens

    rows = corpus_rows()
    assert len(rows) > 50
    table = pa.table({"id": list(range(len(rows))) + [len(rows)], "text": rows + [None]})
    pq.write_table(table, tmp_path / "data.parquet", row_group_size=37)
    df = spark.read.parquet(str(tmp_path / "data.parquet")).repartition(3)
    got = {r["id"]: r["tokens"] for r in count_tokens(df, "text", encoding="o200k_base").collect()}
    assert got[len(rows)] is None
    # the CLI on the same rows, one file per row
    d = tmp_path / "rows"
    d.mkdir()
    for i, t in enumerate(rows):
        (d / f"{i:05}.txt").write_bytes(t.encode("utf-8"))
    doc = cli_json("count", d, "--json", "--encoding", "o200k_base", "--sort", "path")
    want = {int(os.path.basename(x["path"])[:5]): x["tokens"] for x in doc["inputs"]}
    assert {k: v for k, v in got.items() if v is not None} == want


def test_count_messages_column_equals_cli(spark, tmp_path, run_cli):
    from tokenbudget.spark import count_tokens

    plan = FIXTURES / "plan"
    values = [
        (plan / "request.json").read_text(encoding="utf-8"),
        (plan / "history.json").read_text(encoding="utf-8"),
        json.dumps([{"role": "user", "content": "Hello world"}]),
        json.dumps("just a text"),
    ] * 10
    pq.write_table(pa.table({"m": values}), tmp_path / "m.parquet")
    df = spark.read.parquet(str(tmp_path / "m.parquet"))
    got = [r["tokens"] for r in count_tokens(df, "m", model="gpt-4o", messages=True).collect()]
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text("".join(json.dumps(json.loads(v)) + "\n" for v in values))
    _, out = run_cli("count", "--jsonl", jsonl, "--json", "--model", "gpt-4o")
    doc = json.loads(out)
    assert sum(got) == doc["total"]["tokens"]
    assert sorted(got) == sorted(tb.count_messages_batch(values, model="gpt-4o"))
    assert max(got) == doc["inputs"][0]["lines"]["max"]


def log_parts(tmp_path) -> list[str]:
    scan = FIXTURES / "scan"
    files = [str(p) for p in sorted(scan.glob("*.jsonl"))]
    files += [str(p) for p in sorted((scan / "claude").rglob("*.jsonl"))]
    text = gzip.decompress((scan / "incident.jsonl.gz").read_bytes()).decode()
    lines = text.splitlines(keepends=True)
    for i in range(4):
        p = tmp_path / f"incident-{i}.jsonl"
        p.write_text("".join(lines[i::4]))  # every 4th line: each user's requests spread over parts
        files.append(str(p))
    return files


@pytest.mark.parametrize("by", [None, "user", "model,day"])
def test_sharded_log_scan_equals_cli(spark, tmp_path, cli_json, by):
    from tokenbudget.spark import scan_logs

    files = log_parts(tmp_path)
    args = ["--by", by] if by else []
    want = cli_json("scan-logs", *files, "--json", *args)
    got = scan_logs(spark, files, by=by, partitions=4)
    assert got == want
    assert want["records"] > 100
    assert want["bursts"] or want["loops"] or want["spikes"]


def test_sharded_scan_of_a_directory(spark, cli_json):
    from tokenbudget.spark import log_files, scan_logs

    found = log_files(FIXTURES / "scan")
    want = cli_json("scan-logs", *found, "--json", "--by", "user")
    assert scan_logs(spark, FIXTURES / "scan", by="user", partitions=3) == want
    # the walk lists each file once, nested folders included
    assert len(found) == len(set(found)) > 1
