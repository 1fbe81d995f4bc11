"""The memory level: TTL expiry, LRU/LFU/TTL eviction, size and byte bounds (fake clock)."""

from __future__ import annotations

import pytest

from zenoo.cache import MemoryCache
from zenoo.exceptions import ConfigurationError


def keys_of(cache: MemoryCache, *candidates: str) -> set[str]:
    return {k for k in candidates if cache.get_now(k) is not None}


def test_entry_expires_after_its_ttl(clock):
    cache = MemoryCache(clock=clock)
    cache.set_now("a", b"1", ttl=10)
    clock.advance(9.9)
    assert cache.get_now("a") == (b"1", pytest.approx(0.1))
    clock.advance(0.1)
    assert cache.get_now("a") is None
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.expirations, stats.size) == (1, 1, 1, 0)


def test_entry_without_ttl_never_expires(clock):
    cache = MemoryCache(clock=clock)
    cache.set_now("a", b"1", ttl=None)
    clock.advance(10**9)
    assert cache.get_now("a") == (b"1", None)


def test_lru_evicts_the_least_recently_used(clock):
    cache = MemoryCache(strategy="lru", max_size=3, clock=clock)
    for key in "abc":
        cache.set_now(key, key.encode(), ttl=100)
    cache.get_now("a")  # a is now the most recently used; b the least
    cache.set_now("d", b"d", ttl=100)
    assert keys_of(cache, *"abcd") == {"a", "c", "d"}
    assert cache.stats().evictions == 1


def test_lfu_evicts_the_least_frequently_used(clock):
    cache = MemoryCache(strategy="lfu", max_size=3, clock=clock)
    for key in "abc":
        cache.set_now(key, key.encode(), ttl=100)
    for _ in range(3):
        cache.get_now("a")
    cache.get_now("b")
    cache.get_now("c")
    cache.get_now("c")  # uses: a=3, b=1, c=2
    cache.set_now("d", b"d", ttl=100)
    assert cache.get_now("b") is None
    # d (1 use) is now the least frequently used, ahead of c (2) and a (3)
    cache.set_now("e", b"e", ttl=100)
    assert cache.get_now("d") is None
    assert keys_of(cache, "a", "c", "e") == {"a", "c", "e"}
    assert cache.stats().evictions == 2


def test_lfu_breaks_ties_by_recency(clock):
    cache = MemoryCache(strategy="lfu", max_size=2, clock=clock)
    cache.set_now("old", b"1", ttl=None)
    cache.set_now("new", b"2", ttl=None)
    cache.set_now("third", b"3", ttl=None)
    assert cache.get_now("old") is None
    assert cache.get_now("new") is not None


def test_ttl_strategy_evicts_the_entry_closest_to_expiry(clock):
    cache = MemoryCache(strategy="ttl", max_size=3, clock=clock)
    cache.set_now("long", b"1", ttl=300)
    cache.set_now("short", b"2", ttl=10)
    cache.set_now("forever", b"3", ttl=None)
    for _ in range(5):
        cache.get_now("short")  # use does not save it: only the expiry time counts
    cache.set_now("new", b"4", ttl=200)
    assert keys_of(cache, "long", "short", "forever", "new") == {"long", "forever", "new"}
    cache.set_now("newer", b"5", ttl=250)
    assert cache.get_now("new") is None  # 200 s left: the soonest to expire


def test_expired_entries_go_before_any_live_entry_is_evicted(clock):
    cache = MemoryCache(strategy="lru", max_size=2, clock=clock)
    cache.set_now("stale", b"1", ttl=5)
    cache.set_now("fresh", b"2", ttl=100)
    cache.get_now("stale")  # most recently used, but about to expire
    clock.advance(6)
    cache.set_now("third", b"3", ttl=100)
    assert keys_of(cache, "fresh", "third") == {"fresh", "third"}
    stats = cache.stats()
    assert (stats.evictions, stats.expirations) == (0, 1)


@pytest.mark.parametrize("strategy", ["ttl", "lru", "lfu"])
def test_size_never_exceeds_max_size(strategy, clock):
    cache = MemoryCache(strategy=strategy, max_size=50, clock=clock)
    for i in range(500):
        cache.set_now(f"k{i}", b"x" * (i % 7), ttl=float(1 + i % 13))
        if i % 3:
            cache.get_now(f"k{i // 2}")
        clock.advance(0.01)
        assert cache.stats().size <= 50
    assert cache.stats().evictions + cache.stats().expirations == 450


def test_byte_budget_evicts_and_refuses_oversized_values(clock):
    cache = MemoryCache(strategy="lru", max_size=100, max_bytes=10, clock=clock)
    cache.set_now("a", b"12345", ttl=None)
    cache.set_now("b", b"12345", ttl=None)
    cache.set_now("c", b"1", ttl=None)  # 11 bytes: a (least recently used) goes
    assert keys_of(cache, "a", "b", "c") == {"b", "c"}
    cache.set_now("huge", b"x" * 11, ttl=None)
    stats = cache.stats()
    assert cache.get_now("huge") is None
    assert (stats.too_large, stats.bytes) == (1, 6)


def test_overwriting_a_key_replaces_value_and_expiry(clock):
    cache = MemoryCache(strategy="ttl", max_size=2, clock=clock)
    cache.set_now("a", b"old", ttl=5)
    cache.set_now("a", b"new", ttl=50)
    clock.advance(10)
    assert cache.get_now("a") == (b"new", pytest.approx(40))
    assert cache.stats().size == 1


async def test_clear_and_count(clock):
    cache = MemoryCache(clock=clock)
    cache.set_now("a", b"1", ttl=None)
    assert await cache.count() == 1
    await cache.clear()
    assert await cache.count() == 0
    assert cache.stats().bytes == 0


async def test_generations_are_counters_per_database(clock):
    cache = MemoryCache(clock=clock)
    assert await cache.generations("db1", ["@database", "res.partner"]) == (0, 0)
    await cache.bump("db1", ["res.partner"])
    await cache.bump("db1", ["res.partner"])
    assert await cache.generations("db1", ["@database", "res.partner"]) == (0, 2)
    assert await cache.generations("db2", ["res.partner"]) == (0,)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"max_size": 0}, "max_size"),
        ({"max_size": "10"}, "max_size"),
        ({"max_bytes": -1}, "max_bytes"),
        ({"strategy": "fifo"}, "strategy 'fifo'"),
        ({"default_ttl": -5}, "default_ttl"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises((ConfigurationError, ValueError), match=message):
        MemoryCache(**options)
