"""The pre-flight guard: count every request exactly before it leaves the process.

``guard(client, …)`` wraps an OpenAI (``OpenAI``/``AsyncOpenAI``: ``chat.completions.create``)
or Anthropic (``Anthropic``/``AsyncAnthropic``: ``messages.create``) SDK client. Before each
request is sent it is counted the way ``tokenbudget plan --request`` counts it (messages, system,
tools and images), then checked, in this order, against:

1. the model's context window, with ``reserve_output`` tokens kept for the answer;
2. ``max_input_tokens``;
3. each sliding-window budget (``budgets=[Budget("1M/1h", per="user"), …]``): the tokens the
   user (or feature, or everyone) used in the window plus this request's input.

When a check fails, ``on_exceed`` decides: ``"raise"`` raises :class:`BudgetExceeded` with the
numbers (nothing is sent); ``"fit"`` drops history (oldest first) until the request fits every
limit and sends the fitted request (raising :class:`BudgetExceeded` if it cannot fit); a callable
receives ``(request_kwargs, exceeded)`` and returns new request kwargs (e.g. a cheaper model with
a larger window), which are checked again and sent, or raises.

A streamed response (``stream=True``) is counted as it arrives and closed as soon as its output
passes ``reserve_output`` (the record says ``"cut_off": true``). After each response one usage
record is appended to ``log`` (a JSONL file ``tokenbudget scan-logs`` reads as an app log):
``timestamp``, ``model``, ``user_id``, ``feature``, ``prompt_tokens``, ``completion_tokens``
(the provider's usage when it reports it, else the guard's own count), ``latency_ms``,
``status`` and, when the guard counted it, ``counted_input_tokens``.

Anthropic models have no public local tokenizer: they are budgeted with a labelled estimate
(``approximate`` is set on every exception and record), with o200k_base as the CLI does, or
with ``encoding=``.
"""

from __future__ import annotations

import collections
import datetime as _dt
import inspect
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import CannotFit, fit, plan
from ._native import StreamCounter

__all__ = ["Budget", "BudgetExceeded", "Guard", "guard"]


class BudgetExceeded(Exception):
    """A request would not fit the window or a budget; nothing was sent.

    Attributes: ``reason`` (``"context_window"``, ``"max_input_tokens"`` or ``"budget"``),
    ``input_tokens`` (this request, counted), ``limit`` (the limit that failed, in tokens),
    ``used`` (tokens already used in the budget's window; 0 otherwise), ``reserve_output``,
    ``model``, ``user``, ``feature``, ``budget`` (the :class:`Budget`, for a budget),
    ``approximate`` (the count is an approximation) and ``plan`` (the ``plan --json`` report).
    """

    def __init__(
        self,
        reason: str,
        *,
        input_tokens: int,
        limit: int,
        used: int = 0,
        reserve_output: int = 0,
        model: str | None = None,
        user: str | None = None,
        feature: str | None = None,
        budget: Budget | None = None,
        approximate: bool = False,
        plan: dict[str, Any] | None = None,
    ) -> None:
        self.reason = reason
        self.input_tokens = input_tokens
        self.limit = limit
        self.used = used
        self.reserve_output = reserve_output
        self.model = model
        self.user = user
        self.feature = feature
        self.budget = budget
        self.approximate = approximate
        self.plan = plan
        est = " (approximate count)" if approximate else ""
        if reason == "context_window":
            msg = (
                f"{model}: {input_tokens:,} input tokens{est} + {reserve_output:,} reserved for "
                f"the answer exceed the {limit:,}-token context window"
            )
        elif reason == "max_input_tokens":
            msg = f"{model}: {input_tokens:,} input tokens{est} exceed max_input_tokens={limit:,}"
        else:
            who = budget.describe(user, feature) if budget else "budget"
            msg = (
                f"{who}: {used:,} tokens used in the window + {input_tokens:,} input tokens"
                f"{est} exceed the budget of {limit:,}"
            )
        super().__init__(msg)


_UNITS = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Budget:
    """A token budget over a sliding window, kept in this process: ``Budget("1M/1h",
    per="user")`` allows each user 1,000,000 tokens (input + output) in any hour.

    ``per`` is ``"user"``, ``"feature"`` or ``None`` (one budget for everything). A request is
    refused when the tokens used in the window plus its input exceed the limit.
    """

    rate: str
    per: str | None = None
    tokens: int = field(init=False)
    seconds: float = field(init=False)

    def __post_init__(self) -> None:
        m = re.fullmatch(r"\s*([0-9][0-9_,]*)\s*([kKmMgG]?)\s*/\s*([0-9]*)\s*([smhd])\s*", self.rate)
        if not m:
            raise ValueError(f"budget rate {self.rate!r}: expected TOKENS/DURATION like '1M/1h'")
        n = int(m.group(1).replace("_", "").replace(",", "")) * _UNITS[m.group(2).lower()]
        secs = int(m.group(3) or 1) * _SECONDS[m.group(4)]
        if n <= 0 or secs <= 0:
            raise ValueError(f"budget rate {self.rate!r}: tokens and duration must be positive")
        if self.per not in (None, "user", "feature"):
            raise ValueError(f"budget per={self.per!r}: expected 'user', 'feature' or None")
        object.__setattr__(self, "tokens", n)
        object.__setattr__(self, "seconds", float(secs))

    def key(self, user: str | None, feature: str | None) -> str | None:
        return {"user": user, "feature": feature, None: "*"}[self.per]

    def describe(self, user: str | None, feature: str | None) -> str:
        if self.per is None:
            return f"budget {self.rate}"
        return f"{self.per} {self.key(user, feature)!r} budget {self.rate}"


class _Window:
    """Tokens used per key over a sliding window (thread-safe)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.events: dict[str, collections.deque[tuple[float, int]]] = {}
        self.totals: dict[str, int] = {}
        self.lock = threading.Lock()

    def _expire(self, key: str, now: float) -> None:
        q = self.events.get(key)
        while q and q[0][0] <= now - self.seconds:
            _, n = q.popleft()
            self.totals[key] -= n

    def used(self, key: str, now: float) -> int:
        with self.lock:
            self._expire(key, now)
            return self.totals.get(key, 0)

    def add(self, key: str, tokens: int, now: float) -> None:
        with self.lock:
            self.events.setdefault(key, collections.deque()).append((now, tokens))
            self.totals[key] = self.totals.get(key, 0) + tokens


def _plain(value: Any) -> Any:
    """SDK params (TypedDicts, pydantic models, NOT_GIVEN) as plain JSON values."""
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if not _not_given(v)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _not_given(v: Any) -> bool:
    return type(v).__name__ in ("NotGiven", "Omit")


class Guard:
    """The checks, the budgets and the usage log shared by the wrapped clients."""

    def __init__(
        self,
        *,
        provider: str,
        model: str | None,
        encoding: str | None,
        max_input_tokens: int | None,
        reserve_output: int | None,
        on_exceed: str | Callable[..., Any],
        budgets: list[Budget],
        log: str | os.PathLike[str] | None,
        user: str | None,
        feature: str | None,
        clock: Callable[[], float],
    ) -> None:
        if not (on_exceed in ("raise", "fit") or callable(on_exceed)):
            raise ValueError("on_exceed must be 'raise', 'fit' or a callable")
        self.provider = provider
        self.model = model
        self.encoding = encoding
        self.max_input_tokens = max_input_tokens
        self.reserve_output = reserve_output
        self.on_exceed = on_exceed
        self.budgets = list(budgets)
        self.windows = [_Window(b.seconds) for b in self.budgets]
        self.log = os.fspath(log) if log is not None else None
        self.user = user
        self.feature = feature
        self.clock = clock
        self.log_lock = threading.Lock()

    # -- counting and checking -------------------------------------------------------------

    def _who(self, kwargs: dict[str, Any]) -> tuple[str | None, str | None]:
        user = kwargs.pop("budget_user", None)
        feature = kwargs.pop("budget_feature", None) or self.feature
        if user is None:
            if self.provider == "openai":
                u = kwargs.get("user") or kwargs.get("safety_identifier")
            else:
                u = (kwargs.get("metadata") or {}).get("user_id")
            user = u if isinstance(u, str) else self.user
        return user, feature

    def _reserve(self, body: dict[str, Any]) -> int | None:
        if self.reserve_output is not None:
            return self.reserve_output
        for k in ("max_completion_tokens", "max_tokens"):
            v = body.get(k)
            if isinstance(v, int):
                return v
        return None

    def _plan(self, body: dict[str, Any], reserve: int | None) -> dict[str, Any]:
        return plan(body, model=self.model, encoding=self.encoding, reserve_output=reserve)

    def check(
        self, kwargs: dict[str, Any], user: str | None, feature: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The kwargs to send (fitted or handed over, when needed) and their plan report."""
        handed_over = False
        while True:
            body = _plain({k: v for k, v in kwargs.items() if k not in ("extra_headers", "timeout")})
            reserve = self._reserve(body)
            report = self._plan(body, reserve)
            exceeded = self._exceeded(report, user, feature)
            if exceeded is None:
                return kwargs, report
            if self.on_exceed == "raise" or handed_over:
                raise exceeded
            if self.on_exceed == "fit":
                return self._fit(kwargs, body, report, exceeded, user, feature)
            new = self.on_exceed(dict(kwargs), exceeded)
            if new is None:
                raise exceeded
            kwargs = dict(new)
            handed_over = True

    def _exceeded(
        self, report: dict[str, Any], user: str | None, feature: str | None
    ) -> BudgetExceeded | None:
        n = report["input_tokens"]
        common = dict(
            input_tokens=n,
            reserve_output=report["reserve_output"],
            model=report["model"],
            user=user,
            feature=feature,
            approximate=report["approximate"],
            plan=report,
        )
        if not report["fits"]:
            return BudgetExceeded("context_window", limit=report["context_window"], **common)
        if self.max_input_tokens is not None and n > self.max_input_tokens:
            return BudgetExceeded("max_input_tokens", limit=self.max_input_tokens, **common)
        now = self.clock()
        for b, w in zip(self.budgets, self.windows):
            key = b.key(user, feature)
            if key is None:
                continue
            used = w.used(key, now)
            if used + n > b.tokens:
                return BudgetExceeded("budget", limit=b.tokens, used=used, budget=b, **common)
        return None

    def _input_allowance(self, report: dict[str, Any], user: str | None, feature: str | None) -> int:
        """The most input tokens every limit allows now."""
        allow = report["context_window"] - report["reserve_output"]
        if self.max_input_tokens is not None:
            allow = min(allow, self.max_input_tokens)
        now = self.clock()
        for b, w in zip(self.budgets, self.windows):
            key = b.key(user, feature)
            if key is not None:
                allow = min(allow, b.tokens - w.used(key, now))
        return allow

    def _fit(
        self,
        kwargs: dict[str, Any],
        body: dict[str, Any],
        report: dict[str, Any],
        exceeded: BudgetExceeded,
        user: str | None,
        feature: str | None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        allow = self._input_allowance(report, user, feature)
        reserve = report["reserve_output"]
        if allow <= 0:
            raise exceeded
        try:
            fitted, rep = fit(
                body,
                model=self.model,
                encoding=self.encoding,
                reserve_output=reserve,
                context_window=min(report["context_window"], allow + reserve),
                report=True,
            )
        except CannotFit as e:
            raise exceeded from e
        new = dict(kwargs)
        for k in ("messages", "system"):
            if k in fitted:
                new[k] = fitted[k]
        return new, rep

    # -- after the response ----------------------------------------------------------------

    def record(
        self,
        *,
        model: str,
        user: str | None,
        feature: str | None,
        prompt_tokens: int,
        completion_tokens: int,
        counted_input: int | None,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
        started: float,
        status: str | int,
        cut_off: bool = False,
        approximate: bool = False,
        stream: bool = False,
    ) -> dict[str, Any]:
        latency_ms = round((time.perf_counter() - started) * 1000, 3)
        now = self.clock()
        for b, w in zip(self.budgets, self.windows):
            key = b.key(user, feature)
            if key is not None:
                w.add(key, prompt_tokens + completion_tokens, now)
        rec: dict[str, Any] = {
            "timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "model": model,
            "user_id": user,
            "feature": feature,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cached_tokens": cached_tokens or None,
            "reasoning_tokens": reasoning_tokens or None,
            "latency_ms": latency_ms,
            "status": status,
        }
        if counted_input is not None:
            rec["counted_input_tokens"] = counted_input
        if approximate:
            rec["counted_input_approximate"] = True
        if stream:
            rec["stream"] = True
        if cut_off:
            rec["cut_off"] = True
        if self.log is not None:
            line = json.dumps({k: v for k, v in rec.items() if v is not None}, ensure_ascii=False)
            with self.log_lock, open(self.log, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        return rec


@dataclass
class _Usage:
    prompt: int
    completion: int
    cached: int = 0
    reasoning: int = 0


def _usage_numbers(provider: str, usage: Any) -> _Usage | None:
    """The provider's usage: prompt tokens include cache reads (``cached``) and writes."""
    if usage is None:
        return None

    def get(obj: Any, k: str) -> Any:
        if obj is None:
            return None
        return obj.get(k) if isinstance(obj, Mapping) else getattr(obj, k, None)

    def num(v: Any) -> int:
        return v if isinstance(v, int) else 0

    if provider == "openai":
        p, c = get(usage, "prompt_tokens"), get(usage, "completion_tokens")
        if not (isinstance(p, int) and isinstance(c, int)):
            return None
        cached = num(get(get(usage, "prompt_tokens_details"), "cached_tokens"))
        reasoning = num(get(get(usage, "completion_tokens_details"), "reasoning_tokens"))
        return _Usage(p, c, min(cached, p), min(reasoning, c))
    p, c = get(usage, "input_tokens"), get(usage, "output_tokens")
    if not (isinstance(p, int) and isinstance(c, int)):
        return None
    read = num(get(usage, "cache_read_input_tokens"))
    write = num(get(usage, "cache_creation_input_tokens"))
    return _Usage(p + read + write, c, read)


def _delta_text(provider: str, event: Any) -> str:
    if provider == "openai":
        out = []
        for ch in getattr(event, "choices", None) or []:
            d = getattr(ch, "delta", None)
            if d is None:
                continue
            if getattr(d, "content", None):
                out.append(d.content)
            for tc in getattr(d, "tool_calls", None) or []:
                fn = getattr(tc, "function", None)
                if fn is not None:
                    out.append((getattr(fn, "name", None) or "") + (getattr(fn, "arguments", None) or ""))
        return "".join(out)
    if getattr(event, "type", None) == "content_block_delta":
        d = event.delta
        return getattr(d, "text", None) or getattr(d, "partial_json", None) or getattr(d, "thinking", None) or ""
    return ""


class _StreamState:
    def __init__(self, g: Guard, model: str, enc_model: str | None, reserve: int, counted: int) -> None:
        self.g = g
        self.model = model
        self.reserve = reserve
        self.counted_input = counted
        self.counter = StreamCounter(model=enc_model, encoding=g.encoding) if (enc_model or g.encoding) else StreamCounter()
        self.output = 0
        self.usage: _Usage | None = None
        self.anthropic_input: int | None = None
        self.cut_off = False

    def see(self, event: Any) -> bool:
        """Account for one event; True when the output has passed the reserve."""
        provider = self.g.provider
        if provider == "openai":
            u = _usage_numbers("openai", getattr(event, "usage", None))
            if u:
                self.usage = u
        else:
            t = getattr(event, "type", None)
            if t == "message_start":
                u = _usage_numbers("anthropic", getattr(event.message, "usage", None))
                if u:
                    self.anthropic_input = u.prompt
                    self.usage = u
            elif t == "message_delta":
                out = getattr(getattr(event, "usage", None), "output_tokens", None)
                if isinstance(out, int) and self.usage is not None:
                    self.usage = _Usage(self.usage.prompt, out, self.usage.cached)
        text = _delta_text(provider, event)
        if text:
            with _quiet():
                self.output = self.counter.feed(text)
        return self.output > self.reserve

    def numbers(self) -> _Usage:
        """The provider's usage when the stream ended with it, else the guard's counts (the
        output counted exactly as it arrived)."""
        if self.usage and not self.cut_off and (self.g.provider == "openai" or self.usage.completion):
            return self.usage
        prompt = self.anthropic_input if self.anthropic_input is not None else self.counted_input
        cached = self.usage.cached if self.usage else 0
        return _Usage(prompt, self.output, cached)


class _quiet:
    """Approximation warnings of the stream counter are already in the record."""

    def __enter__(self) -> None:
        import warnings

        self.cm = warnings.catch_warnings()
        self.cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc: object) -> None:
        self.cm.__exit__(*exc)


class GuardedStream:
    """A streamed response that stops (and closes the connection) once its output passes the
    reserve. Iterate it like the SDK's stream; the usage record is written when it ends."""

    def __init__(self, inner: Any, state: _StreamState, finish: Callable[[], None]) -> None:
        self._inner = inner
        self._state = state
        self._finish = finish
        self._done = False

    def __iter__(self) -> Iterator[Any]:
        try:
            for event in self._inner:
                over = self._state.see(event)
                yield event
                if over:
                    self._state.cut_off = True
                    break
        finally:
            self._close()

    def _close(self) -> None:
        if self._done:
            return
        self._done = True
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()
        self._finish()

    def close(self) -> None:
        self._close()

    def __enter__(self) -> GuardedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class AsyncGuardedStream:
    """The async twin of :class:`GuardedStream`."""

    def __init__(self, inner: Any, state: _StreamState, finish: Callable[[], None]) -> None:
        self._inner = inner
        self._state = state
        self._finish = finish
        self._done = False

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        try:
            async for event in self._inner:
                over = self._state.see(event)
                yield event
                if over:
                    self._state.cut_off = True
                    break
        finally:
            await self._aclose()

    async def _aclose(self) -> None:
        if self._done:
            return
        self._done = True
        close = getattr(self._inner, "close", None)
        if close is not None:
            r = close()
            if inspect.isawaitable(r):
                await r
        self._finish()

    async def close(self) -> None:
        await self._aclose()

    async def __aenter__(self) -> AsyncGuardedStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._aclose()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Create:
    """The guarded ``create`` of one SDK resource."""

    def __init__(self, g: Guard, resource: Any, is_async: bool) -> None:
        self.g = g
        self.resource = resource
        self.is_async = is_async

    def _prepare(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str | None, str | None]:
        kwargs = dict(kwargs)
        user, feature = self.g._who(kwargs)
        kwargs, report = self.g.check(kwargs, user, feature)
        if kwargs.get("stream") and self.g.provider == "openai":
            opts = dict(_plain(kwargs.get("stream_options") or {}))
            opts.setdefault("include_usage", True)
            kwargs["stream_options"] = opts
        return kwargs, report, user, feature

    def _after(self, kwargs, report, user, feature, started, response):  # type: ignore[no-untyped-def]
        g = self.g
        model = str(kwargs.get("model") or report["model"])
        if kwargs.get("stream"):
            reserve = report["reserve_output"]
            enc_model = None if g.encoding else report["model"]
            state = _StreamState(g, model, enc_model, reserve, report["input_tokens"])

            def finish() -> None:
                u = state.numbers()
                g.record(
                    model=model, user=user, feature=feature, prompt_tokens=u.prompt,
                    completion_tokens=u.completion, cached_tokens=u.cached,
                    reasoning_tokens=u.reasoning,
                    counted_input=report["input_tokens"], started=started, status="ok",
                    cut_off=state.cut_off, approximate=report["approximate"], stream=True,
                )

            cls = AsyncGuardedStream if self.is_async else GuardedStream
            return cls(response, state, finish)
        u = _usage_numbers(g.provider, getattr(response, "usage", None))
        u = u or _Usage(report["input_tokens"], 0)
        g.record(
            model=str(getattr(response, "model", None) or model), user=user, feature=feature,
            prompt_tokens=u.prompt, completion_tokens=u.completion, cached_tokens=u.cached,
            reasoning_tokens=u.reasoning, counted_input=report["input_tokens"],
            started=started, status="ok", approximate=report["approximate"],
        )
        return response

    def _failed(self, kwargs, report, user, feature, started, exc):  # type: ignore[no-untyped-def]
        status = getattr(exc, "status_code", None) or "error"
        self.g.record(
            model=str(kwargs.get("model") or report["model"]), user=user, feature=feature,
            prompt_tokens=0, completion_tokens=0, counted_input=report["input_tokens"],
            started=started, status=status, approximate=report["approximate"],
        )

    def __call__(self, **kwargs: Any) -> Any:
        if self.is_async:
            return self._acall(kwargs)
        kwargs, report, user, feature = self._prepare(kwargs)
        started = time.perf_counter()
        try:
            response = self.resource.create(**kwargs)
        except Exception as e:
            self._failed(kwargs, report, user, feature, started, e)
            raise
        return self._after(kwargs, report, user, feature, started, response)

    async def _acall(self, kwargs: dict[str, Any]) -> Any:
        kwargs, report, user, feature = self._prepare(kwargs)
        started = time.perf_counter()
        try:
            response = await self.resource.create(**kwargs)
        except Exception as e:
            self._failed(kwargs, report, user, feature, started, e)
            raise
        return self._after(kwargs, report, user, feature, started, response)


class _Proxy:
    """Everything of the wrapped object, with some attributes replaced."""

    def __init__(self, inner: Any, overrides: dict[str, Any]) -> None:
        self._inner = inner
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._inner, name)


def _provider(client: Any) -> tuple[str, bool]:
    mod = type(client).__module__.split(".")[0]
    is_async = type(client).__name__.startswith("Async")
    if mod == "openai" or (hasattr(client, "chat") and hasattr(client.chat, "completions")):
        return "openai", is_async
    if mod == "anthropic" or hasattr(client, "messages"):
        return "anthropic", is_async
    raise TypeError(f"guard: {type(client).__name__} is neither an OpenAI nor an Anthropic client")


def guard(
    client: Any,
    *,
    max_input_tokens: int | None = None,
    reserve_output: int | None = None,
    on_exceed: str | Callable[[dict[str, Any], BudgetExceeded], Mapping[str, Any] | None] = "raise",
    budgets: list[Budget] | tuple[Budget, ...] = (),
    log: str | os.PathLike[str] | None = None,
    model: str | None = None,
    encoding: str | None = None,
    user: str | None = None,
    feature: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """Wrap an OpenAI or Anthropic client (sync or async) with the pre-flight budget check.

    ``reserve_output``: tokens kept for the answer (default: the request's
    ``max_completion_tokens``/``max_tokens``, else the CLI's default of 4096 capped at the
    model's max output); a stream is cut off past it. ``model``/``encoding`` override what
    the request is counted with (the request's ``model`` by default). ``user``/``feature``
    are defaults; per request, ``budget_user=``/``budget_feature=`` (removed before sending),
    OpenAI's ``user`` or Anthropic's ``metadata.user_id`` name them. ``clock`` is the
    sliding windows' time source (seconds). Returns a client whose ``chat.completions.create``
    (OpenAI) or ``messages.create`` (Anthropic) is guarded; everything else is the client's.
    """
    provider, is_async = _provider(client)
    g = Guard(
        provider=provider, model=model, encoding=encoding, max_input_tokens=max_input_tokens,
        reserve_output=reserve_output, on_exceed=on_exceed, budgets=list(budgets), log=log,
        user=user, feature=feature, clock=clock,
    )
    if provider == "openai":
        completions = _Proxy(client.chat.completions, {"create": _Create(g, client.chat.completions, is_async)})
        wrapped = _Proxy(client, {"chat": _Proxy(client.chat, {"completions": completions})})
    else:
        wrapped = _Proxy(client, {"messages": _Proxy(client.messages, {"create": _Create(g, client.messages, is_async)})})
    wrapped._overrides["guard"] = g
    return wrapped
