"""The one place where retry decisions are made: retry policy, backoff, circuit breaker.

What is retried (see docs/retries.md for the reasoning):

==========================================================  ===============  ==============
failure                                                     read-only call   any other call
==========================================================  ===============  ==============
not sent: connection refused, connect/pool timeout          retry            retry
HTTP 503 / 429 (server or proxy did not process it)         retry            retry
HTTP 502 / 504 (a proxy lost the answer: it may have run)   retry            never
HTTP 413 (the body is over the server's or proxy's limit)   never            never
read timeout, connection dropped after sending              retry            never
an error raised by Odoo, a malformed answer                 never            never
==========================================================  ===============  ==============

"Read-only" is :func:`zenoo.methods.is_read_only`. A ``create``/``write``/``unlink`` or business
method is therefore never sent twice unless the server said it did not process it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from zenoo.exceptions import (
    CircuitOpenError,
    ConfigurationError,
    OdooServerError,
    RequestTooLargeError,
    ServerUnavailableError,
    TransportError,
    ZenooError,
)

T = TypeVar("T")

#: Statuses that promise the request was not processed: safe to repeat for every method.
NOT_PROCESSED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry failures that are safe to repeat.

    ``max_attempts`` counts the first try (1 disables retries). The n-th retry waits
    ``min(backoff_max, backoff_base * 2**(n-1))`` scaled by a random factor in
    ``[1 - jitter, 1]``, or the server's ``Retry-After`` when that is longer. A ``Retry-After``
    above ``max_retry_after`` is not waited for: the error is raised at once.
    """

    max_attempts: int = 4
    backoff_base: float = 0.2
    backoff_max: float = 10.0
    jitter: float = 0.5
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError(f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.max_retry_after < 0:
            raise ConfigurationError("RetryPolicy delays must not be negative")
        if not 0.0 <= self.jitter <= 1.0:
            raise ConfigurationError(f"RetryPolicy.jitter must be between 0 and 1, got {self.jitter}")

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_attempts=1)

    def is_retryable(self, error: ZenooError, *, read_only: bool) -> bool:
        """Whether ``error`` may be repeated for a call that is (or is not) read-only."""
        if isinstance(error, CircuitOpenError | RequestTooLargeError):
            return False
        if isinstance(error, ServerUnavailableError):
            return read_only or error.http_status in NOT_PROCESSED_STATUSES
        if isinstance(error, TransportError):
            return read_only or not error.request_sent
        return False

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        backoff = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        backoff *= 1.0 - self.jitter * self.rng.random()
        if retry_after is not None:
            backoff = max(backoff, float(retry_after))
        return float(backoff)

    def next_delay(self, error: ZenooError, *, read_only: bool, attempt: int) -> float | None:
        """The wait before trying again after failed attempt number ``attempt``, or None to give up."""
        if attempt >= self.max_attempts or not self.is_retryable(error, read_only=read_only):
            return None
        retry_after = error.retry_after if isinstance(error, ServerUnavailableError) else None
        if retry_after is not None and retry_after > self.max_retry_after:
            return None
        return self.delay(attempt, retry_after)


class CircuitBreaker:
    """Stops calling a server that keeps failing, and probes it again after a cool-down.

    *closed*: calls go through; ``failure_threshold`` consecutive transport failures open it.
    *open*: calls fail fast with :class:`CircuitOpenError` for ``reset_timeout`` seconds.
    *half-open*: one probe call goes through; success closes the circuit, failure opens it again.
    Errors raised by Odoo itself (access, validation …) prove the server is up: they count as
    successes.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ConfigurationError(f"failure_threshold must be at least 1, got {failure_threshold}")
        if reset_timeout < 0:
            raise ConfigurationError(f"reset_timeout must not be negative, got {reset_timeout}")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self.url = ""

    def fresh_copy(self) -> CircuitBreaker:
        """A closed breaker with the same settings (for a forked client)."""
        return CircuitBreaker(self.failure_threshold, self.reset_timeout, clock=self._clock)

    @property
    def state(self) -> str:
        """``"closed"``, ``"open"`` or ``"half_open"``."""
        if self._opened_at is None:
            return "closed"
        if self._probing or self._clock() >= self._opened_at + self.reset_timeout:
            return "half_open"
        return "open"

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may go through now."""
        if self._opened_at is None:
            return
        remaining = self._opened_at + self.reset_timeout - self._clock()
        if remaining <= 0 and not self._probing:
            self._probing = True  # this call is the half-open probe
            return
        retry_at = time.time() + max(remaining, 0.0)
        when = dt.datetime.fromtimestamp(retry_at).strftime("%H:%M:%S")
        detail = (
            "a probe call is in flight"
            if self._probing
            else f"it half-opens in {remaining:.1f}s (at {when})"
        )
        raise CircuitOpenError(
            f"circuit breaker open for {self.url or 'the server'} after {self._failures} consecutive "
            f"failures: failing fast; {detail}",
            url=self.url or None,
            retry_at=retry_at,
        )

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._probing = False

    def allows_call_after(self, delay: float) -> bool:
        """Whether a call made ``delay`` seconds from now would be let through."""
        if self._opened_at is None:
            return True
        return not self._probing and self._clock() + delay >= self._opened_at + self.reset_timeout

    def release_probe(self) -> None:
        """A probe ended without a verdict (cancelled): let the next call probe instead."""
        self._probing = False


OnRetry = Callable[[int, float, ZenooError], Awaitable[None]]


async def call_with_retries(
    attempt: Callable[[int], Awaitable[T]],
    *,
    read_only: bool,
    policy: RetryPolicy,
    breaker: CircuitBreaker | None,
    on_retry: OnRetry | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``attempt(n)`` (n = 1, 2, …) until it succeeds or the policy gives up.

    Every attempt first asks the circuit breaker; transport and protocol failures count against
    it, answers about the call (results, Odoo errors, a body refused as too large) for it.
    """
    number = 1
    while True:
        if breaker is not None:
            breaker.before_call()
        try:
            result = await attempt(number)
        except (OdooServerError, RequestTooLargeError):
            if breaker is not None:
                breaker.record_success()
            raise
        except ZenooError as exc:
            if breaker is not None:
                breaker.record_failure()
            delay = policy.next_delay(exc, read_only=read_only, attempt=number)
            if delay is None or (breaker is not None and not breaker.allows_call_after(delay)):
                raise  # the real cause, rather than the CircuitOpenError the next attempt would get
            await sleep(delay)
            if breaker is not None and not breaker.allows_call_after(0):
                raise  # another call opened the breaker meanwhile: still the real cause
            if on_retry is not None:  # a retry is reported when it is sent, not when it is planned
                await on_retry(number, delay, exc)
            number += 1
            continue
        except BaseException:
            if breaker is not None:
                breaker.release_probe()
            raise
        if breaker is not None:
            breaker.record_success()
        return result
