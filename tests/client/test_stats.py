"""Statistics and event hooks."""

from __future__ import annotations

import logging

import pytest

from zenoo import ClientStats, ConfigurationError, Hooks, RequestEvent


def test_counters_and_percentiles() -> None:
    stats = ClientStats()
    for i in range(1, 101):
        stats.record("search_read", elapsed=i / 1000, bytes_sent=10, bytes_received=100, ok=i % 10 != 0)
    stats.record("write", elapsed=0.5, bytes_sent=5, bytes_received=4, ok=True)
    stats.record_retry("search_read")
    assert (stats.requests, stats.errors, stats.retries) == (101, 10, 1)
    assert (stats.bytes_sent, stats.bytes_received) == (1005, 10004)
    latency = stats.latency("search_read")
    assert latency is not None
    assert (latency.count, latency.p50, latency.p90, latency.p99, latency.max) == (100, 0.05, 0.09, 0.099, 0.1)
    assert stats.latency("unlink") is None
    snapshot = stats.as_dict()
    assert snapshot["methods"]["search_read"]["errors"] == 10
    assert snapshot["methods"]["write"]["latency"]["p50"] == 0.5
    assert "requests=101" in repr(stats)
    stats.reset()
    assert stats.requests == 0 and stats.methods == ()


async def test_hooks_sync_and_async_and_a_failing_one(caplog: pytest.LogCaptureFixture) -> None:
    hooks = Hooks()
    seen: list[str] = []

    def sync_hook(event: RequestEvent) -> None:
        seen.append(f"sync:{event.method}")

    async def async_hook(event: RequestEvent) -> None:
        seen.append(f"async:{event.attempt}")

    def broken(event: RequestEvent) -> None:
        raise RuntimeError("hook bug")

    hooks.on("retry", sync_hook)
    hooks.on("retry", async_hook)
    hooks.on("retry", broken)
    with caplog.at_level(logging.ERROR, logger="zenoo.stats"):
        await hooks.emit(RequestEvent("retry", "res.partner", "read", "jsonrpc", "http://x/jsonrpc", 2))
    assert seen == ["sync:read", "async:2"]
    assert "hook bug" in caplog.text  # logged, not raised into the call
    hooks.off("retry", broken)
    assert hooks.has("retry") and not hooks.has("error")
    with pytest.raises(ConfigurationError, match="unknown event 'retried'"):
        hooks.on("retried", sync_hook)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="not registered"):
        hooks.off("error", sync_hook)
