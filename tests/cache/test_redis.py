"""The Redis level against a real redis-server: shared invalidation, poison, outages, two levels."""

from __future__ import annotations

import asyncio
import logging
import pathlib
import pickle
import pickletools
import textwrap

import pytest
import redis

from zenoo._loop import LoopThread
from zenoo.cache import CacheManager, MemoryCache, RedisCache

from .conftest import RedisServer, free_port, run_python

SCOPE = ("http://odoo.test", "db", 2)


class FakeClient:
    def __init__(self, scope=SCOPE):
        self.cache_scope = scope
        self.cache = None


def key(manager, model="res.partner", scope=SCOPE):
    return manager.make_key(scope, model, "search_read", None, [[]], {"fields": ["name"]}, {"lang": "en_US"})


async def cached_value(manager, model="res.partner", scope=SCOPE):
    hit, value = await manager.lookup(model, key(manager, model, scope))
    return value if hit else None


async def remember(manager, value, model="res.partner", scope=SCOPE, ttl=None):
    k = key(manager, model, scope)
    await manager.lookup(model, k)
    await manager.store(model, k, value, ttl=ttl)
    return k


async def redis_manager(url, scope=SCOPE, **options):
    return await CacheManager.create(FakeClient(scope), backend="redis", url=url, retry_interval=0, **options)


async def test_entries_live_in_redis_with_readable_model_and_ttl(redis_url):
    manager = await redis_manager(redis_url, namespace="zt")
    await remember(manager, [{"id": 1}], ttl=60)
    conn = redis.Redis.from_url(redis_url)
    entries = conn.keys("zt:v:*")
    assert len(entries) == 1
    assert b":res.partner:" in entries[0]
    assert 0 < conn.pttl(entries[0]) <= 60_000
    assert conn.get(entries[0]).startswith(b"zenoo-json-1\n")
    assert await cached_value(manager) == [{"id": 1}]
    await manager.close()


async def test_invalidation_is_seen_by_another_manager_on_the_same_redis(redis_url):
    reader = await redis_manager(redis_url)
    writer = await redis_manager(redis_url)
    await remember(reader, ["before the write"])
    await writer.invalidate("res.partner")
    assert await cached_value(reader) is None
    await reader.close()
    await writer.close()


async def test_invalidation_is_seen_across_processes(redis_url):
    reader = await redis_manager(redis_url)
    await remember(reader, ["before the write"])
    script = textwrap.dedent(
        f"""
        import asyncio
        from zenoo.cache import CacheManager

        class FakeClient:
            cache_scope = {SCOPE!r}

        async def main():
            writer = await CacheManager.create(FakeClient(), backend="redis", url={redis_url!r})
            await writer.invalidate("res.partner")
            await writer.close()

        asyncio.run(main())
        """
    )
    await run_python(script)
    assert await cached_value(reader) is None
    await reader.close()


async def test_l1_entries_follow_redis_generations(redis_url):
    """With memory in front of Redis, another process's write still drops this process's L1 entry."""
    first = await CacheManager.create(FakeClient(), backend=["memory", "redis"], url=redis_url)
    other = await redis_manager(redis_url)
    await remember(first, ["rows"])
    assert await cached_value(first) == ["rows"]
    assert first.stats.levels["memory"].hits == 1
    await other.invalidate("res.partner")
    assert await cached_value(first) is None
    await first.close()
    await other.close()


async def test_l2_hit_is_promoted_to_l1_with_its_remaining_ttl(redis_url):
    writer = await redis_manager(redis_url)
    await remember(writer, ["rows"], ttl=120)
    two_levels = await CacheManager.create(FakeClient(), backend=["memory", "redis"], url=redis_url)
    assert await cached_value(two_levels) == ["rows"]  # from Redis
    memory = two_levels.levels[0]
    assert await memory.count() == 1
    (entry,) = memory._entries.values()
    assert 0 < entry.expires_at - memory._clock() <= 120
    assert await cached_value(two_levels) == ["rows"]  # from memory now
    stats = two_levels.stats
    assert (stats.levels["memory"].hits, stats.levels["redis"].hits, stats.hits) == (1, 1, 2)
    await writer.close()
    await two_levels.close()


@pytest.mark.parametrize(
    "poison",
    [
        pickle.dumps(["evil"]),
        b"cos\nsystem\n(S'touch /tmp/zenoo-pwned'\ntR.",
        b"\x00\xffgarbage",
        b'["json but not ours"]',
    ],
)
async def test_poisoned_redis_value_is_a_logged_miss_never_executed(redis_url, poison, caplog):
    manager = await redis_manager(redis_url)
    k = await remember(manager, ["good"])
    conn = redis.Redis.from_url(redis_url)
    conn.set(f"zenoo:{k.storage_key(k.generations)}", poison)
    with caplog.at_level(logging.WARNING, logger="zenoo.cache"):
        assert await cached_value(manager) is None
    assert "rejected" in caplog.text
    assert manager.stats.levels["redis"].rejected == 1
    await remember(manager, ["good again"])  # the next store replaces the poison
    assert await cached_value(manager) == ["good again"]
    await manager.close()


class _TouchOnUnpickle:
    """Unpickling this object creates ``path``: what a hostile pickle in a shared Redis could do."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (self.path,))


@pytest.mark.parametrize("levels", [["redis"], ["memory", "redis"]])
async def test_hostile_pickle_in_redis_is_not_executed(redis_url, tmp_path, levels):
    marker = tmp_path / "executed"
    payload = pickle.dumps(_TouchOnUnpickle(marker))
    # the payload is live: it calls Path.touch when unpickled (checked without unpickling it)
    opcodes = [(op.name, arg) for op, arg, _ in pickletools.genops(payload)]
    assert ("SHORT_BINUNICODE", "Path.touch") in opcodes and ("REDUCE", None) in opcodes
    manager = await CacheManager.create(FakeClient(), backend=levels, url=redis_url)
    k = await remember(manager, ["good"])
    await manager.clear()  # the entry is now only what an attacker writes into Redis
    redis.Redis.from_url(redis_url).set(f"zenoo:{k.storage_key(k.generations)}", payload)
    assert await cached_value(manager) is None
    assert not marker.exists()
    assert manager.stats.levels["redis"].rejected == 1
    assert await manager.levels[0].count() == (0 if levels[0] == "memory" else 1)  # not copied to L1
    await manager.close()


async def test_evicted_generation_does_not_revive_old_entries(redis_url):
    """If Redis evicts a generation key, it is re-seeded randomly, not reset to a value seen before."""
    manager = await redis_manager(redis_url)
    await remember(manager, ["generation 0 rows"])
    await manager.invalidate("res.partner")
    await remember(manager, ["generation 1 rows"])
    conn = redis.Redis.from_url(redis_url)
    generation_keys = conn.keys("zenoo:g:*")
    assert generation_keys
    conn.delete(*generation_keys)  # what maxmemory eviction could do
    assert await cached_value(manager) is None
    await manager.close()


async def test_outage_degrades_to_no_cache_and_logs_once_without_password(caplog):
    dead = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    manager = await CacheManager.create(FakeClient(), backend="redis", url=dead, retry_interval=0)
    with caplog.at_level(logging.WARNING, logger="zenoo.cache"):
        for _ in range(3):
            k = key(manager)
            assert await manager.lookup("res.partner", k) == (False, None)
            await manager.store("res.partner", k, ["rows"])
            await manager.invalidate("res.partner")
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert "redis://:***@127.0.0.1" in warnings[0].getMessage()
    assert "hunter2" not in caplog.text
    assert manager.stats.levels["redis"].errors >= 3
    await manager.close()


async def test_invalidation_during_an_outage_is_applied_when_redis_answers_again(redis_url, redis_server):
    reader = await redis_manager(redis_url)
    await remember(reader, ["before the write"])
    admin = redis.Redis(port=redis_server.port)
    admin.ping()  # this connection stays authenticated after requirepass is set
    writer = await redis_manager(redis_url)  # no connection yet: its first one will be refused
    admin.config_set("requirepass", "now-required")
    try:
        await writer.invalidate("res.partner")  # fails: NOAUTH
        assert writer.stats.levels["redis"].errors == 1
    finally:
        admin.config_set("requirepass", "")
    await writer.lookup("res.partner", key(writer))  # Redis answers again: the pending bump goes first
    assert await cached_value(reader) is None
    await reader.close()
    await writer.close()


async def test_an_idle_writer_writes_its_pending_invalidation_once_redis_is_back(redis_url, redis_server):
    """Other processes must not wait for the writer's next use of the cache: the invalidation it
    could not write is tried again in the background."""
    reader = await redis_manager(redis_url)
    await remember(reader, ["before the write"])
    admin = redis.Redis(port=redis_server.port)
    admin.ping()
    writer = await redis_manager(redis_url)
    admin.config_set("requirepass", "now-required")
    try:
        await writer.invalidate("res.partner")  # fails: NOAUTH
    finally:
        admin.config_set("requirepass", "")
    for _ in range(50):  # the writer does nothing more
        if await cached_value(reader) is None:
            break
        await asyncio.sleep(0.05)
    assert await cached_value(reader) is None
    await reader.close()
    await writer.close()


async def test_recovers_after_redis_restarts(tmp_path, caplog):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    try:
        manager = await CacheManager.create(FakeClient(), backend="redis", url=server.url, retry_interval=0)
        await remember(manager, ["rows"])
        server.stop()
        with caplog.at_level(logging.WARNING, logger="zenoo.cache"):
            assert await cached_value(manager) is None
            server.start()
            await remember(manager, ["rows after restart"])
            assert await cached_value(manager) == ["rows after restart"]
        assert "reachable again" in caplog.text
        await manager.close()
    finally:
        server.stop()


def test_one_level_serves_several_event_loops(redis_url):
    """redis-py's asyncio connections belong to a loop: the level keeps one client per loop."""
    level = RedisCache(redis_url)

    async def roundtrip(value):
        manager = CacheManager(client=FakeClient())
        manager.add_level(level)
        await remember(manager, [value])
        result = await cached_value(manager)
        await level.close()
        return result

    assert asyncio.run(roundtrip("first loop")) == ["first loop"]
    assert asyncio.run(roundtrip("second loop")) == ["second loop"]


async def test_clear_and_counted_stats(redis_url):
    manager = await redis_manager(redis_url)
    await remember(manager, ["a"], model="res.partner")
    await remember(manager, ["b"], model="res.country")
    assert manager.stats.levels["redis"].size is None  # not counted without a round trip
    assert (await manager.get_stats()).levels["redis"].size == 2
    await manager.clear()
    assert (await manager.get_stats()).levels["redis"].size == 0
    assert await cached_value(manager, model="res.country") is None
    await manager.close()


async def test_a_namespace_with_wildcard_characters_counts_and_clears_its_own_entries(redis_url):
    managers = [await redis_manager(redis_url, namespace=name) for name in ("zq?", "zqm", "zq[x]", "zqx")]
    for manager in managers:
        await remember(manager, [manager.levels[0].namespace])
    wild, plain, bracket, other = managers
    assert [(await manager.get_stats()).levels["redis"].size for manager in managers] == [1, 1, 1, 1]
    await wild.clear()
    await bracket.clear()
    assert await cached_value(wild) is None and await cached_value(bracket) is None
    assert await cached_value(plain) == ["zqm"] and await cached_value(other) == ["zqx"]
    for manager in managers:
        await manager.close()


async def test_levels_given_as_objects_keep_their_names_and_ttls(redis_url):
    manager = await CacheManager.create(
        FakeClient(),
        backend=[RedisCache(redis_url, name="l2", default_ttl=600), MemoryCache(name="l1", default_ttl=30)],
    )
    assert [level.name for level in manager.levels] == ["l1", "l2"]
    k = await remember(manager, ["rows"])
    conn = redis.Redis.from_url(redis_url)
    assert 30_000 < conn.pttl(f"zenoo:{k.storage_key(k.generations)}") <= 600_000
    (entry,) = manager.levels[0]._entries.values()
    assert entry.expires_at - manager.levels[0]._clock() <= 30
    await manager.close()


def test_closing_on_one_loop_keeps_the_other_loops_connection(redis_url):
    """A level shared by a blocking client (its loop thread) and an async one: closing one client's
    side must not take the connection from under the other."""
    level = RedisCache(redis_url)
    other_loop = LoopThread("zenoo-test-redis-loop")

    async def connection_and_roundtrip(value):
        manager = CacheManager(client=FakeClient())
        manager.add_level(level)
        await remember(manager, [value])
        assert await cached_value(manager) == [value]
        return level._connection()

    try:
        before = other_loop.run(connection_and_roundtrip("thread loop"))

        async def use_and_close_here():
            await connection_and_roundtrip("main loop")
            await level.close()

        asyncio.run(use_and_close_here())
        assert other_loop.run(connection_and_roundtrip("thread loop again")) is before
        other_loop.run(level.close())
    finally:
        other_loop.close()
