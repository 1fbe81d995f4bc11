"""Retry policy and circuit breaker, with a fake clock and a fake sleep (no real waiting)."""

from __future__ import annotations

import random

import pytest

from zenoo import (
    AccessError,
    CircuitBreaker,
    CircuitOpenError,
    ConfigurationError,
    ProtocolError,
    RequestTooLargeError,
    RetryPolicy,
    ServerUnavailableError,
    ZenooConnectionError,
    ZenooTimeoutError,
)
from zenoo.retry import call_with_retries

NOT_SENT = ZenooConnectionError("refused", url="http://x", request_sent=False)
DROPPED = ZenooConnectionError("dropped", url="http://x", request_sent=True)
READ_TIMEOUT = ZenooTimeoutError("ReadTimeout", url="http://x", request_sent=True)
POOL_TIMEOUT = ZenooTimeoutError("PoolTimeout", url="http://x", request_sent=False)
TOO_LARGE = RequestTooLargeError("HTTP 413", url="http://x", bytes_sent=2_000_000)


def unavailable(status: int, retry_after: float | None = None) -> ServerUnavailableError:
    return ServerUnavailableError(f"HTTP {status}", url="http://x", http_status=status, retry_after=retry_after)


@pytest.mark.parametrize(
    ("error", "read_only", "retry"),
    [
        (NOT_SENT, False, True),
        (POOL_TIMEOUT, False, True),
        (unavailable(503), False, True),
        (unavailable(429), False, True),
        (unavailable(502), False, False),
        (unavailable(504), False, False),
        (unavailable(502), True, True),
        (unavailable(504), True, True),
        (DROPPED, False, False),
        (DROPPED, True, True),
        (READ_TIMEOUT, False, False),
        (READ_TIMEOUT, True, True),
        (AccessError("no"), True, False),
        (ProtocolError("garbage"), True, False),
        (CircuitOpenError("open"), True, False),
        (TOO_LARGE, True, False),
        (TOO_LARGE, False, False),
    ],
)
def test_what_is_retried(error: Exception, read_only: bool, retry: bool) -> None:
    assert RetryPolicy().is_retryable(error, read_only=read_only) is retry  # type: ignore[arg-type]


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=5.0, jitter=0.5, rng=random.Random(7))
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(ceiling * 0.5 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100  # jittered, not constant
    exact = RetryPolicy(backoff_base=1.0, jitter=0.0)
    assert [exact.delay(n) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(backoff_base=0.1, jitter=0.0, max_retry_after=30)
    assert policy.next_delay(unavailable(503, retry_after=7), read_only=False, attempt=1) == 7
    assert policy.next_delay(unavailable(503, retry_after=0), read_only=False, attempt=1) == 0.1
    # asked to wait longer than we accept: give up at once instead of hammering early
    assert policy.next_delay(unavailable(503, retry_after=120), read_only=False, attempt=1) is None
    assert policy.next_delay(unavailable(503), read_only=False, attempt=policy.max_attempts) is None


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ConfigurationError, match="jitter"):
        RetryPolicy(jitter=2)
    with pytest.raises(ConfigurationError, match="failure_threshold"):
        CircuitBreaker(failure_threshold=0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_call_with_retries_retries_then_succeeds() -> None:
    clock = FakeClock()
    outcomes: list[Exception | str] = [unavailable(503, retry_after=2), NOT_SENT, "ok"]
    seen: list[tuple[int, float]] = []

    async def attempt(number: int) -> str:
        outcome = outcomes[number - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def on_retry(number: int, delay: float, error: Exception) -> None:
        seen.append((number, delay))

    policy = RetryPolicy(backoff_base=0.5, jitter=0.0)
    result = await call_with_retries(
        attempt, read_only=False, policy=policy, breaker=None, on_retry=on_retry, sleep=clock.sleep
    )
    assert result == "ok"
    assert clock.sleeps == [2.0, 1.0] and seen == [(1, 2.0), (2, 1.0)]


async def test_a_write_is_not_repeated_after_a_drop() -> None:
    clock = FakeClock()
    calls = []

    async def attempt(number: int) -> None:
        calls.append(number)
        raise DROPPED

    with pytest.raises(ZenooConnectionError):
        await call_with_retries(attempt, read_only=False, policy=RetryPolicy(), breaker=None, sleep=clock.sleep)
    assert calls == [1] and clock.sleeps == []


async def test_gives_up_after_max_attempts() -> None:
    clock = FakeClock()
    calls = []

    async def attempt(number: int) -> None:
        calls.append(number)
        raise READ_TIMEOUT

    with pytest.raises(ZenooTimeoutError):
        await call_with_retries(
            attempt, read_only=True, policy=RetryPolicy(max_attempts=3), breaker=None, sleep=clock.sleep
        )
    assert calls == [1, 2, 3] and len(clock.sleeps) == 2


async def test_circuit_breaker_opens_fails_fast_half_opens_and_closes() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout=30, clock=clock)
    breaker.url = "http://odoo.test"
    no_retry = RetryPolicy.disabled()
    sent = []

    async def failing(number: int) -> None:
        sent.append("fail")
        raise NOT_SENT

    async def working(number: int) -> str:
        sent.append("ok")
        return "ok"

    for _ in range(3):
        with pytest.raises(ZenooConnectionError):
            await call_with_retries(failing, read_only=True, policy=no_retry, breaker=breaker, sleep=clock.sleep)
    assert breaker.state == "open"

    with pytest.raises(CircuitOpenError) as info:
        await call_with_retries(working, read_only=True, policy=no_retry, breaker=breaker, sleep=clock.sleep)
    message = str(info.value)
    assert "http://odoo.test" in message and "3 consecutive failures" in message and "half-opens in 30.0s" in message
    assert info.value.retry_at is not None
    assert sent == ["fail"] * 3  # failing fast: nothing sent

    clock.now += 30  # cool-down over: one probe goes through
    assert breaker.state == "half_open"
    with pytest.raises(ZenooConnectionError):
        await call_with_retries(failing, read_only=True, policy=no_retry, breaker=breaker, sleep=clock.sleep)
    assert breaker.state == "open"  # the probe failed: open again for a full cool-down

    clock.now += 30
    assert await call_with_retries(working, read_only=True, policy=no_retry, breaker=breaker, sleep=clock.sleep) == "ok"
    assert breaker.state == "closed" and breaker.consecutive_failures == 0


async def test_a_retry_the_breaker_opened_against_during_the_wait_raises_the_real_cause() -> None:
    """Another call opens the breaker while this one waits to retry: the retry is not sent, not
    counted, and the 503 itself is raised, not CircuitOpenError."""
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout=30, clock=clock)
    calls, retried = [], []

    async def attempt(number: int) -> None:
        calls.append(number)
        raise unavailable(503)

    async def sleep_while_others_fail(seconds: float) -> None:
        await clock.sleep(seconds)
        breaker.record_failure()  # two other calls fail meanwhile: the breaker opens
        breaker.record_failure()

    async def on_retry(number: int, delay: float, error: Exception) -> None:
        retried.append(number)

    with pytest.raises(ServerUnavailableError):
        await call_with_retries(attempt, read_only=True, policy=RetryPolicy(), breaker=breaker,
                                on_retry=on_retry, sleep=sleep_while_others_fail)  # fmt: skip
    assert calls == [1] and retried == [] and breaker.state == "open"


async def test_odoo_errors_prove_the_server_is_up() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, clock=clock)

    async def refused(number: int) -> None:
        raise AccessError("You are not allowed")

    async def failing(number: int) -> None:
        raise NOT_SENT

    for outcome in (failing, refused, failing, refused):
        with pytest.raises((ZenooConnectionError, AccessError)):
            await call_with_retries(outcome, read_only=True, policy=RetryPolicy.disabled(), breaker=breaker)
    assert breaker.state == "closed"


async def test_a_body_refused_as_too_large_is_tried_once_and_proves_the_server_is_up() -> None:
    breaker = CircuitBreaker(failure_threshold=1, clock=FakeClock())
    attempts: list[int] = []

    async def too_large(number: int) -> None:
        attempts.append(number)
        raise TOO_LARGE

    for _ in range(3):
        with pytest.raises(RequestTooLargeError):
            await call_with_retries(too_large, read_only=True, policy=RetryPolicy(max_attempts=3), breaker=breaker)
    assert attempts == [1, 1, 1] and breaker.state == "closed"


async def test_only_one_probe_while_half_open() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    breaker.before_call()  # the probe
    with pytest.raises(CircuitOpenError, match="probe call is in flight"):
        breaker.before_call()
    breaker.release_probe()  # the probe was cancelled: the next call may probe
    breaker.before_call()
