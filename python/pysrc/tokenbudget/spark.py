"""tokenbudget on Spark (PySpark; pyspark, pyarrow and pandas are needed only here).

* :func:`count_tokens` adds a token-count column to a DataFrame: an Arrow UDF (``mapInArrow``)
  on every executor hands each Arrow batch's string buffers to :func:`tokenbudget.count_batch`
  without a copy; the counts are exactly the CLI's.
* :func:`scan_logs` scans usage-log files on the executors, each task into a partial summary
  (``scan-logs --emit-summary``), and merges them on the driver into the report one
  ``tokenbudget scan-logs`` of all the files gives. The summaries keep each user's timed
  requests, so bursts and loops are exact however the files are split.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

import tokenbudget as _tb

__all__ = ["count_tokens", "scan_logs", "log_files"]


def count_tokens(
    df: Any,
    column: str,
    *,
    output: str = "tokens",
    model: str | None = None,
    encoding: str | None = None,
    messages: bool = False,
) -> Any:
    """``df`` with a ``long`` column ``output``: the tokens of ``column`` (a string column;
    nulls stay null). With ``messages=True`` each value is a chat request or a messages
    array as JSON, counted by the cookbook rule like ``tokenbudget count`` (a malformed value
    raises on the executor, naming the row's position in its batch)."""
    import pyarrow as pa
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType(df.schema.fields + [StructField(output, LongType(), True)])
    # resolve (and fail on a bad model) on the driver, before any task runs
    _tb.count("", model=model, encoding=encoding)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        import tokenbudget as tb

        for b in batches:
            col = b.column(column)
            if messages:
                counts = tb.count_messages_batch(col, model=model, encoding=encoding)
            else:
                counts = tb.count_batch(col, model=model, encoding=encoding)
            arrays = list(b.columns) + [pa.array(counts, type=pa.int64())]
            yield pa.RecordBatch.from_arrays(arrays, names=list(b.schema.names) + [output])

    return df.mapInArrow(run, schema)


def log_files(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    """Files to scan: each file as given; each directory walked (sorted) for ``*.jsonl*``."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[str] = []
    for p in map(os.fspath, paths):
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs.sort()
                found += [os.path.join(root, f) for f in sorted(files) if ".jsonl" in f]
            out += found
        else:
            out.append(p)
    return out


def scan_logs(
    spark: Any,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    by: str | None = None,
    partitions: int | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The ``scan-logs --json`` report of ``paths`` (see :func:`log_files`), scanned on the
    executors: the files are cut into ``partitions`` contiguous parts (default: Spark's
    default parallelism), each part is scanned into a summary by one task, and the driver
    merges them. Options as for :func:`tokenbudget.scan_logs`. The files must be readable
    at the same paths on every executor (a shared or object-store mount)."""
    files = log_files(paths)
    if not files:
        raise _tb.TokenbudgetError("no log files to scan")
    sc = spark.sparkContext
    n = max(1, min(partitions or sc.defaultParallelism, len(files)))
    # contiguous slices keep the single scan's file order (and so its tie-breaking)
    size, extra = divmod(len(files), n)
    parts, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        parts.append(files[start:end])
        start = end
    opts = dict(options)

    def scan(part: list[str]) -> bytes:
        import tokenbudget as tb

        return tb.scan_summary(part, by=by, **opts)

    summaries = sc.parallelize(parts, n).map(scan).collect()
    return _tb.merge_summaries(summaries)


def _json_default(o: Any) -> Any:  # pragma: no cover - for callers that store reports
    return str(o)


def dumps(report: dict[str, Any]) -> str:
    """A report as JSON text (as ``scan-logs --json`` prints it, modulo whitespace)."""
    return json.dumps(report, default=_json_default)
