"""Client statistics and event hooks.

:class:`ClientStats` counts requests, errors, retries and bytes, and keeps recent latencies per
Odoo method for percentiles. :class:`Hooks` lets logging and metrics code observe every request:
``client.hooks.on("retry", fn)`` with a plain or async callable receiving a :class:`RequestEvent`.
Neither ever holds a password, API key, session id or request body.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from zenoo.exceptions import ConfigurationError

logger = logging.getLogger("zenoo.stats")

EventName = Literal["before_request", "after_response", "error", "retry"]
EVENTS: tuple[str, ...] = ("before_request", "after_response", "error", "retry")


@dataclass(frozen=True)
class RequestEvent:
    """One observation of a request attempt, as handed to hooks.

    ``status`` is the HTTP status (None when there was no answer), ``elapsed`` seconds,
    ``error`` the exception of a failed attempt, ``delay`` the wait before a retry.
    """

    event: str
    model: str | None
    method: str
    protocol: str
    url: str
    attempt: int
    status: int | None = None
    elapsed: float | None = None
    bytes_sent: int = 0
    bytes_received: int = 0
    http_version: str | None = None
    error: BaseException | None = None
    delay: float | None = None


Hook = Callable[[RequestEvent], None | Awaitable[None]]


class Hooks:
    """Observers of request events: ``before_request``, ``after_response``, ``error``, ``retry``."""

    def __init__(self) -> None:
        self._hooks: dict[str, list[Hook]] = {name: [] for name in EVENTS}

    def on(self, event: EventName, fn: Hook) -> Hook:
        """Call ``fn(event)`` (sync or async) on every ``event``; returns ``fn`` for ``off``."""
        self._check(event)
        if not callable(fn):
            raise ConfigurationError(f"hook for {event!r} must be callable, got {type(fn).__name__}")
        self._hooks[event].append(fn)
        return fn

    def off(self, event: EventName, fn: Hook) -> None:
        """Remove a hook added with :meth:`on`."""
        self._check(event)
        try:
            self._hooks[event].remove(fn)
        except ValueError:
            raise ConfigurationError(f"{fn!r} is not registered for {event!r}") from None

    def has(self, event: str) -> bool:
        return bool(self._hooks[event])

    async def emit(self, payload: RequestEvent) -> None:
        """Call every hook of ``payload.event``. A failing hook is logged, never breaks the call."""
        for fn in tuple(self._hooks[payload.event]):
            try:
                result = fn(payload)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("zenoo hook %r for %r failed", fn, payload.event)

    @staticmethod
    def _check(event: str) -> None:
        if event not in EVENTS:
            raise ConfigurationError(f"unknown event {event!r}: choose one of {', '.join(EVENTS)}")


@dataclass(frozen=True)
class LatencySummary:
    """Latency of the recent requests of one method, in seconds."""

    count: int
    mean: float
    p50: float
    p90: float
    p99: float
    max: float


@dataclass
class _MethodStats:
    requests: int = 0
    errors: int = 0
    retries: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=ClientStats.WINDOW))


class ClientStats:
    """Counters for one client (shared by its ``with_context`` views, not by forks)."""

    #: How many recent latencies per method are kept for percentiles.
    WINDOW = 2048

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.errors = 0
        self.retries = 0
        self.bytes_sent = 0
        self.bytes_received = 0
        self._methods: dict[str, _MethodStats] = {}

    def _method(self, method: str) -> _MethodStats:
        stats = self._methods.get(method)
        if stats is None:
            stats = self._methods[method] = _MethodStats()
        return stats

    def record(self, method: str, *, elapsed: float, bytes_sent: int, bytes_received: int, ok: bool) -> None:
        """Account one request attempt that was sent (successful or not)."""
        stats = self._method(method)
        self.requests += 1
        stats.requests += 1
        if not ok:
            self.errors += 1
            stats.errors += 1
        self.bytes_sent += bytes_sent
        self.bytes_received += bytes_received
        stats.latencies.append(elapsed)

    def record_retry(self, method: str) -> None:
        self.retries += 1
        self._method(method).retries += 1

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self._methods)

    def latency(self, method: str) -> LatencySummary | None:
        """Percentiles of the recent latencies of ``method`` (None if it was never called)."""
        stats = self._methods.get(method)
        if stats is None or not stats.latencies:
            return None
        values = sorted(stats.latencies)
        return LatencySummary(
            count=len(values),
            mean=sum(values) / len(values),
            p50=_percentile(values, 50),
            p90=_percentile(values, 90),
            p99=_percentile(values, 99),
            max=values[-1],
        )

    def as_dict(self) -> dict[str, Any]:
        """A snapshot: totals and, per method, counts and latency percentiles."""
        per_method: dict[str, Any] = {}
        for name, stats in self._methods.items():
            summary = self.latency(name)
            per_method[name] = {
                "requests": stats.requests,
                "errors": stats.errors,
                "retries": stats.retries,
                "latency": summary.__dict__ if summary else None,
            }
        return {
            "requests": self.requests,
            "errors": self.errors,
            "retries": self.retries,
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "methods": per_method,
        }

    def __repr__(self) -> str:
        return (
            f"ClientStats(requests={self.requests}, errors={self.errors}, retries={self.retries}, "
            f"bytes_sent={self.bytes_sent}, bytes_received={self.bytes_received})"
        )


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]
