"""tokenbudget: exact LLM token counts, context-window budgets and costs, from the same Rust
core as the ``tokenbudget`` command line.

Counting (:func:`count`, :func:`encode`, :func:`decode`, :func:`count_batch`) calls the
tokenizers directly. The reports (:func:`count_request`, :func:`plan`, :func:`fit`,
:func:`cost`, :func:`models`, :func:`scan_logs`, :func:`merge_summaries`) run the CLI's own
command in-process and return its ``--json`` document as Python objects, so they always agree
with the CLI.

Errors: bad input raises :class:`TokenbudgetError` (a ``ValueError``; the CLI's exit code 2) or
one of its subclasses; a request that cannot be fitted raises :class:`CannotFit`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._native import (
    ApproximationWarning,
    NoExactTokenizerError,
    TokenbudgetError,
    UnknownModelError,
    __version__,
    count,
    count_batch,
    count_messages_batch,
    decode,
    decode_bytes,
    encode,
    encodings,
)
from ._native import run_cli as _run_cli

__all__ = [
    "ApproximationWarning",
    "CannotFit",
    "LimitExceeded",
    "NoExactTokenizerError",
    "TokenbudgetError",
    "UnknownModelError",
    "__version__",
    "cli",
    "cost",
    "count",
    "count_batch",
    "count_messages_batch",
    "count_request",
    "decode",
    "decode_bytes",
    "encode",
    "encodings",
    "fit",
    "guard",
    "Budget",
    "BudgetExceeded",
    "models",
    "plan",
    "scan_logs",
    "scan_summary",
    "merge_summaries",
]


class CannotFit(TokenbudgetError):
    """``fit`` could not make the request fit (the CLI's exit code 1 with ``--fit``).

    ``report`` is the ``plan --json`` document of the request as given, with ``fit.error``.
    """

    def __init__(self, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.report = report


class LimitExceeded(Exception):
    """A ``strict=True`` call hit a limit (the CLI's exit code 1); ``report`` holds the JSON."""

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


def cli(*args: str) -> tuple[int, bytes]:
    """Run a ``tokenbudget`` command line in-process: ``cli("count", "a.txt", "--json")``.

    Returns ``(exit_code, stdout)``; an input or usage error (exit code 2) raises
    :class:`TokenbudgetError` with the CLI's message.
    """
    code, out, err = _run_cli([str(a) for a in args])
    if err is not None:
        raise _error(err)
    return code, out


def _error(message: str) -> TokenbudgetError:
    if "unknown model" in message or "not in the catalog" in message:
        return UnknownModelError(message)
    if "no exact local tokenizer" in message:
        return NoExactTokenizerError(message)
    return TokenbudgetError(message)


def _json(*args: str) -> tuple[int, Any]:
    code, out = cli(*args)
    doc = json.loads(out)
    if code == 2:
        # an input error that still produced a report (e.g. an unreadable file among others)
        bad = [f"{p['path']}: {p['reason']}" for p in (doc.get("files_skipped") or [])]
        err = TokenbudgetError("; ".join(bad) or "input error (exit code 2)")
        err.report = doc  # type: ignore[attr-defined]
        raise err
    return code, doc


def _opt(name: str, value: Any) -> list[str]:
    """``--name value`` (nothing for None/False, the flag alone for True, a list comma-joined)."""
    flag = "--" + name.replace("_", "-")
    if value is None or value is False:
        return []
    if value is True:
        return [flag]
    if isinstance(value, (list, tuple)):
        return [flag, ",".join(str(v) for v in value)]
    return [flag, str(value)]


def _opts(options: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for k, v in options.items():
        out += _opt(k, v)
    return out


class _Files:
    """Temporary files for request bodies, removed on exit."""

    def __init__(self) -> None:
        import tempfile  # here: importing it costs start-up time that counting never needs

        self.dir = tempfile.TemporaryDirectory(prefix="tokenbudget-")

    def __enter__(self) -> _Files:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dir.cleanup()

    def write(self, name: str, data: str | bytes) -> str:
        path = os.path.join(self.dir.name, name)
        with open(path, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def body(self, body: Mapping[str, Any] | str | bytes) -> str:
        if isinstance(body, Mapping):
            data: str | bytes = json.dumps(body, ensure_ascii=False)
        else:
            data = body
        return self.write("request.json", data)


def count_request(
    body: Mapping[str, Any] | str | bytes,
    *,
    model: str | None = None,
    encoding: str | None = None,
) -> dict[str, Any]:
    """Count a chat request (an OpenAI chat completions body, an Anthropic messages body, a
    messages list as JSON, or a Batch API line) as ``tokenbudget count --json`` does.

    Returns the CLI's input entry: ``kind``, ``tokens``, ``messages`` (index, role, tokens),
    ``notes``, ``bytes``, plus ``model``, ``encoding``, ``approximate`` and
    ``context_window``.
    """
    with _Files() as f:
        path = f.body(body)
        argv = ["count", path, "--json", *_opt("model", model), *_opt("encoding", encoding)]
        _, doc = _json(*argv)
    entry = dict(doc["inputs"][0])
    entry.pop("path", None)
    for k in ("model", "encoding", "approximate", "approximation", "context_window"):
        if k in doc:
            entry[k] = doc[k]
    return entry


def _plan_argv(
    path: str,
    model: str | None,
    encoding: str | None,
    context_window: int | None,
    reserve_output: int | None,
    caps: Mapping[str, int | str] | None,
) -> list[str]:
    argv = ["plan", "--request", path, "--json"]
    argv += _opt("model", model) + _opt("encoding", encoding)
    argv += _opt("context_window", context_window) + _opt("reserve_output", reserve_output)
    for part, cap in (caps or {}).items():
        argv += ["--cap", f"{part}={cap}"]
    return argv


def plan(
    body: Mapping[str, Any] | str | bytes,
    *,
    model: str | None = None,
    encoding: str | None = None,
    context_window: int | None = None,
    reserve_output: int | None = None,
    caps: Mapping[str, int | str] | None = None,
) -> dict[str, Any]:
    """The context-window allocation of a request: ``tokenbudget plan --request … --json``.

    The result holds ``parts`` (system, examples, tools, rag, history, user, images,
    overhead with their tokens), ``input_tokens``, ``reserve_output``, ``total``,
    ``context_window``, ``fits`` and ``headroom``. ``caps`` maps a part to tokens or a
    percentage (``{"history": 30000, "rag": "40%"}``). It does not raise when the request does
    not fit: read ``fits``.
    """
    with _Files() as f:
        path = f.body(body)
        _, doc = _json(*_plan_argv(path, model, encoding, context_window, reserve_output, caps))
    return doc


def fit(
    body: Mapping[str, Any] | str | bytes,
    *,
    model: str | None = None,
    encoding: str | None = None,
    context_window: int | None = None,
    reserve_output: int | None = None,
    caps: Mapping[str, int | str] | None = None,
    history: int | str = "auto",
    keep_last: int | None = None,
    report: bool = False,
) -> Any:
    """The request trimmed to fit, as ``tokenbudget plan --request … --fit`` writes it: history
    dropped oldest first, then retrieved chunks from the lowest rank.

    ``history`` is ``"auto"`` or the most recent messages to keep at most; ``keep_last`` never
    drops the last N history messages. Returns the fitted request (a dict), or with
    ``report=True`` the pair ``(fitted, plan_report)``. Raises :class:`CannotFit` when the
    request cannot be made to fit.
    """
    with _Files() as f:
        path = f.body(body)
        out = os.path.join(f.dir.name, "fitted.json")
        argv = _plan_argv(path, model, encoding, context_window, reserve_output, caps)
        argv += ["--fit", "--out", out, "--history", str(history)]
        argv += _opt("keep_last", keep_last)
        code, doc = _json(*argv)
        if code != 0 or not os.path.exists(out):
            reason = (doc.get("fit") or {}).get("error") or "the request does not fit"
            raise CannotFit(reason, doc)
        with open(out, encoding="utf-8") as fh:
            fitted = json.load(fh)
    return (fitted, doc) if report else fitted


def cost(
    prompt: Mapping[str, Any] | str | None = None,
    *,
    model: str | None = None,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    compare: Sequence[str] | None = None,
    prices: str | os.PathLike[str] | None = None,
    strict: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """What a request or a workload costs: ``tokenbudget cost --json``.

    ``prompt`` is text (counted with each model's tokenizer) or a chat request dict; or give
    ``input_tokens``. Other options are the CLI's flags with ``_`` for ``-``:
    ``max_tokens``, ``cached_tokens``, ``cache_write_tokens``, ``cached_ratio``, ``cache_ttl``,
    ``batch``, ``provider``, ``all``, ``requests``, ``per``, ``days_per_month``. ``prices`` is a
    price file (LiteLLM JSON or tokenbudget TOML/JSON) overriding the catalog. Money is in
    the JSON's decimal strings, exact. With ``strict=True`` a request over a model's limits
    raises :class:`LimitExceeded`.
    """
    with _Files() as f:
        argv = ["cost", "--json"]
        if isinstance(prompt, Mapping):
            argv.append(f.body(prompt))
        elif isinstance(prompt, str):
            argv.append(f.write("prompt.txt", prompt))
        argv += _opt("model", model) + _opt("input_tokens", input_tokens)
        argv += _opt("output_tokens", output_tokens) + _opt("compare", compare)
        argv += _opt("prices", os.fspath(prices) if prices is not None else None)
        argv += _opt("strict", strict) + _opts(options)
        code, doc = _json(*argv)
    if isinstance(doc.get("prompt"), dict):
        doc["prompt"].pop("path", None)  # a temporary file
    if code == 1 and strict:
        raise LimitExceeded("a request exceeds a model's limits", doc)
    return doc


def models(
    filter: str | None = None,
    *,
    provider: str | Sequence[str] | None = None,
    sort: str | None = None,
    reverse: bool = False,
    prices: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """The model catalog (``tokenbudget models --json``): one dict per model with its
    provider, context window, max output, tokenizer and prices."""
    argv = ["models", "--json"]
    if filter is not None:
        argv.append(filter)
    argv += _opt("provider", [provider] if isinstance(provider, str) else provider)
    argv += _opt("sort", sort) + _opt("reverse", reverse)
    argv += _opt("prices", os.fspath(prices) if prices is not None else None)
    _, doc = _json(*argv)
    return doc["models"] if isinstance(doc, dict) and "models" in doc else doc


def _scan_argv(paths: Any, by: str | None, options: Mapping[str, Any]) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    argv = [os.fspath(p) for p in paths]
    argv += _opt("by", by)
    for k, v in options.items():
        if k == "field" and isinstance(v, (list, tuple)):
            for item in v:
                argv += ["--field", str(item)]
        else:
            argv += _opt(k, v)
    return argv


def scan_logs(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    by: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Scan usage logs: the same report as ``tokenbudget scan-logs --json`` (totals, groups,
    days, outliers, spikes, bursts, loops, skipped lines), as Python objects.

    ``by`` groups by a field (``user``, ``model``, ``feature``, ``"model,day"``, ...). Other
    options are the CLI's flags with ``_`` for ``-``: ``since``, ``until``, ``tz``, ``field``
    (a list of ``NAME=PATH``), ``top``, ``spike_factor``, ``burst``, ``loop_min``,
    ``threads``, ...
    """
    _, doc = _json("scan-logs", "--json", *_scan_argv(paths, by, options))
    return doc


def scan_summary(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    by: str | None = None,
    **options: Any,
) -> bytes:
    """The partial summary of scanning ``paths`` (``scan-logs --emit-summary -``): JSON bytes
    to store or send to a driver, combined by :func:`merge_summaries`. Options as for
    :func:`scan_logs`; every part of one merge must use the same."""
    _, out = cli("scan-logs", "--emit-summary", "-", *_scan_argv(paths, by, options))
    return out


def merge_summaries(
    summaries: Iterable[bytes | str | os.PathLike[str]],
) -> dict[str, Any]:
    """Merge partial summaries (JSON bytes from :func:`scan_summary`, or summary files from
    ``scan-logs --emit-summary``) into the report one scan of all their files gives:
    ``tokenbudget merge --json``. Raises :class:`TokenbudgetError` for parts scanned with other
    options or versions, or sharing requests."""
    with _Files() as f:
        paths = []
        for i, s in enumerate(summaries):
            if isinstance(s, (bytes, bytearray)):
                paths.append(f.write(f"part{i:06}.json", bytes(s)))
            else:
                paths.append(os.fspath(s))
        _, doc = _json("merge", "--json", *paths)
    return doc


if TYPE_CHECKING:
    from ._guard import Budget, BudgetExceeded, guard

_LAZY = ("Budget", "BudgetExceeded", "guard")


def __getattr__(name: str) -> Any:
    # The guard (and what it imports: inspect, dataclasses, datetime, threading) loads on first
    # use, so that `import tokenbudget` stays cheap for code that only counts.
    if name in _LAZY:
        from . import _guard

        for n in _LAZY:
            globals()[n] = getattr(_guard, n)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
