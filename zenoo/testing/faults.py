"""Fault injection for the embedded server: latency, 503 with Retry-After, dropped connections,
answers cut short, slow bodies, writes that meet a concurrent update.

Faults are switched at run time with ``srv.faults.set(...)`` and ``srv.faults.clear()``. Every
decision comes from a seeded random generator, so a test that sends the same requests in the same
order sees the same faults; ``count=N`` limits the plan to the next N matching requests, and a rate
of 1.0 makes the outcome certain.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

DropPhase = Literal["before", "after"]


@dataclass(frozen=True)
class FaultPlan:
    """What to do to the requests a plan matches.

    ``latency``: seconds to wait before handling. ``error_503_rate``: share of requests answered
    ``503 Service Unavailable`` with ``Retry-After: retry_after`` (the call is not executed).
    ``drop_rate``: share of requests whose TCP connection is closed without an HTTP answer, either
    ``drop_phase="before"`` the call runs or ``"after"`` it ran (the write happened, the client never
    hears of it). ``garble_rate``: share of requests whose call runs and whose answer, a 200, is cut
    short and ends in a stray ``<`` (never JSON), as a misbehaving proxy may deliver it. ``slow_body``: seconds spread over the response body, sent in ``slow_body_chunks``
    pieces. ``methods`` / ``paths``: only requests for these Odoo method names / whose path starts
    with one of these prefixes (None: all). ``count``: only the next N matching requests.
    ``concurrent_update_rate``: share of requests whose writes meet another transaction's update,
    as on a real Odoo when concurrent requests update the same rows: PostgreSQL's serialization
    failure, which ``load`` reports on each row it writes and other methods raise; nothing is
    written.
    """

    latency: float = 0.0
    error_503_rate: float = 0.0
    retry_after: int | None = 1
    drop_rate: float = 0.0
    drop_phase: DropPhase = "before"
    garble_rate: float = 0.0
    slow_body: float = 0.0
    slow_body_chunks: int = 8
    concurrent_update_rate: float = 0.0
    methods: frozenset[str] | None = None
    paths: tuple[str, ...] | None = None
    count: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("latency", "slow_body"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0 seconds, got {getattr(self, name)!r}")
        for name in ("error_503_rate", "drop_rate", "garble_rate", "concurrent_update_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a share of requests between 0 and 1, got {value!r}")
        if self.error_503_rate + self.drop_rate + self.garble_rate + self.concurrent_update_rate > 1.0:
            raise ValueError("error_503_rate + drop_rate + garble_rate + concurrent_update_rate cannot exceed 1")
        if self.drop_phase not in ("before", "after"):
            raise ValueError(f"drop_phase must be 'before' or 'after', got {self.drop_phase!r}")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError(f"retry_after must be >= 0 seconds or None, got {self.retry_after!r}")
        if self.slow_body_chunks < 1:
            raise ValueError(f"slow_body_chunks must be >= 1, got {self.slow_body_chunks!r}")
        if self.count is not None and self.count < 0:
            raise ValueError(f"count must be >= 0 or None, got {self.count!r}")

    def matches(self, path: str, method: str | None) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return self.paths is None or any(path.startswith(prefix) for prefix in self.paths)


@dataclass(frozen=True)
class FaultDecision:
    """The faults applied to one request."""

    latency: float = 0.0
    answer_503: bool = False
    retry_after: int | None = None
    drop_phase: DropPhase | None = None
    garbled: bool = False
    slow_body: float = 0.0
    slow_body_chunks: int = 1
    concurrent_update: bool = False

    @property
    def label(self) -> str | None:
        """The name recorded in ``RequestRecord.fault`` (the most visible fault wins)."""
        if self.drop_phase is not None:
            return f"drop-{self.drop_phase}"
        if self.answer_503:
            return "503"
        if self.garbled:
            return "garbled"
        if self.concurrent_update:
            return "concurrent-update"
        if self.slow_body:
            return "slow-body"
        if self.latency:
            return "latency"
        return None


NO_FAULT = FaultDecision()


@dataclass
class _State:
    plan: FaultPlan | None = None
    rng: random.Random = field(default_factory=random.Random)
    remaining: int | None = None


class FaultInjector:
    """The switchboard behind ``srv.faults``; safe to call from any thread."""

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.Lock()

    def set(
        self,
        *,
        latency: float = 0.0,
        error_503_rate: float = 0.0,
        retry_after: int | None = 1,
        drop_rate: float = 0.0,
        drop_phase: DropPhase = "before",
        garble_rate: float = 0.0,
        slow_body: float = 0.0,
        slow_body_chunks: int = 8,
        concurrent_update_rate: float = 0.0,
        methods: Iterable[str] | None = None,
        paths: Iterable[str] | None = None,
        count: int | None = None,
        seed: int = 0,
    ) -> FaultPlan:
        """Replace the active plan (see :class:`FaultPlan` for each option) and return it."""
        if isinstance(methods, str) or isinstance(paths, str):
            raise TypeError("methods and paths take a list of names, not a single string")
        plan = FaultPlan(
            latency=latency,
            error_503_rate=error_503_rate,
            retry_after=retry_after,
            drop_rate=drop_rate,
            drop_phase=drop_phase,
            garble_rate=garble_rate,
            slow_body=slow_body,
            slow_body_chunks=slow_body_chunks,
            concurrent_update_rate=concurrent_update_rate,
            methods=None if methods is None else frozenset(methods),
            paths=None if paths is None else tuple(paths),
            count=count,
            seed=seed,
        )
        with self._lock:
            self._state = _State(plan=plan, rng=random.Random(seed), remaining=count)
        return plan

    def clear(self) -> None:
        """Stop injecting faults."""
        with self._lock:
            self._state = _State()

    @property
    def plan(self) -> FaultPlan | None:
        """The active plan, or None."""
        return self._state.plan

    @property
    def remaining(self) -> int | None:
        """How many more matching requests the plan applies to (None: unlimited)."""
        return self._state.remaining

    def decide(self, path: str, method: str | None) -> FaultDecision:
        """Draw the faults for one request (called by the server)."""
        with self._lock:
            state = self._state
            plan = state.plan
            if plan is None or not plan.matches(path, method):
                return NO_FAULT
            if state.remaining is not None:
                if state.remaining <= 0:
                    return NO_FAULT
                state.remaining -= 1
            draw = state.rng.random()
        drop = draw < plan.drop_rate
        refused = plan.drop_rate + plan.error_503_rate  # the share dropped or answered 503
        answer_503 = not drop and draw < refused
        met = refused <= draw < refused + plan.concurrent_update_rate
        garbled = refused + plan.concurrent_update_rate <= draw < refused + plan.concurrent_update_rate + plan.garble_rate
        return FaultDecision(
            latency=plan.latency,
            answer_503=answer_503,
            retry_after=plan.retry_after,
            drop_phase=plan.drop_phase if drop else None,
            garbled=garbled,
            slow_body=plan.slow_body,
            slow_body_chunks=plan.slow_body_chunks,
            concurrent_update=met,
        )
