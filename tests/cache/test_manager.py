"""CacheManager without a server: lookup/store/invalidate, rules, levels, options, stats."""

from __future__ import annotations

import logging

import pytest

from zenoo.cache import CacheManager, MemoryCache
from zenoo.exceptions import ConfigurationError, InvalidValueError

ADMIN = ("http://odoo.test", "db", 2)
DEMO = ("http://odoo.test", "db", 6)


class FakeClient:
    """Just what the manager reads from a client: its cache scope."""

    def __init__(self, scope):
        self.cache_scope = scope
        self.cache = None


def key(manager, model="res.partner", scope=ADMIN, method="search_read", domain=()):
    return manager.make_key(
        scope, model, method, None, [list(domain)], {"fields": ["name"]}, {"lang": "en_US"}
    )


async def cached_value(manager, model="res.partner", **kw):
    hit, value = await manager.lookup(model, key(manager, model, **kw))
    return value if hit else None


async def remember(manager, value, model="res.partner", ttl=None, **kw):
    k = key(manager, model, **kw)
    await manager.lookup(model, k)
    await manager.store(model, k, value, ttl=ttl)


async def test_store_then_lookup_hits_and_counts():
    manager = await CacheManager.create(FakeClient(ADMIN))
    assert await cached_value(manager) is None
    await remember(manager, [{"id": 1, "name": "Acme"}])
    assert await cached_value(manager) == [{"id": 1, "name": "Acme"}]
    stats = manager.stats
    assert (stats.hits, stats.misses, stats.size) == (1, 2, 1)
    assert stats.levels["memory"].hits == 1


async def test_returned_values_are_copies_the_caller_may_mutate():
    manager = await CacheManager.create(FakeClient(ADMIN))
    await remember(manager, [{"id": 1, "name": "Acme"}])
    first = await cached_value(manager)
    first[0]["name"] = "changed by the caller"
    assert await cached_value(manager) == [{"id": 1, "name": "Acme"}]


async def test_users_do_not_share_entries():
    manager = await CacheManager.create(FakeClient(ADMIN))
    await remember(manager, ["admin rows"], scope=ADMIN)
    assert await cached_value(manager, scope=DEMO) is None


async def test_database_rule_drops_every_model_on_a_write():
    manager = await CacheManager.create(FakeClient(ADMIN))
    await remember(manager, ["partners"], model="res.partner")
    await remember(manager, ["countries"], model="res.country")
    await manager.invalidate("res.partner")
    assert await cached_value(manager, model="res.partner") is None
    assert await cached_value(manager, model="res.country") is None
    assert manager.stats.invalidations == 1


async def test_model_rule_drops_the_model_and_its_dependents_only():
    manager = await CacheManager.create(FakeClient(ADMIN), invalidation="model")
    for model in ("sale.order.line", "sale.order", "res.country"):
        await remember(manager, [model], model=model)
    await manager.invalidate("sale.order.line")
    assert await cached_value(manager, model="sale.order.line") is None
    assert await cached_value(manager, model="sale.order") is None  # its totals come from the lines
    assert await cached_value(manager, model="res.country") == ["res.country"]


async def test_model_rule_dependents_can_be_extended():
    manager = await CacheManager.create(
        FakeClient(ADMIN), invalidation="model", dependents={"crm.lead": ["res.partner"]}
    )
    await remember(manager, ["partners"], model="res.partner")
    await manager.invalidate("crm.lead")
    assert await cached_value(manager, model="res.partner") is None
    assert manager.dependents["sale.order.line"] == ("sale.order",)  # defaults kept


async def test_writes_under_either_rule_drop_what_the_other_rule_cached():
    """Processes sharing a cache may use different rules: a write drops at least what the
    writer's own rule would, and what the reader's rule expects it to."""
    for reader_rule, writer_rule in (("database", "model"), ("model", "database")):
        shared = MemoryCache()
        reader = await CacheManager.create(FakeClient(ADMIN), backend=shared, invalidation=reader_rule)
        writer = await CacheManager.create(FakeClient(ADMIN), backend=shared, invalidation=writer_rule)
        await remember(reader, ["banks, with their partners' names"], model="res.partner.bank")
        await writer.invalidate("res.partner")
        assert await cached_value(reader, model="res.partner.bank") is None, (reader_rule, writer_rule)


async def test_invalidate_without_model_drops_everything_under_either_rule():
    for rule in ("database", "model"):
        manager = await CacheManager.create(FakeClient(ADMIN), invalidation=rule)
        await remember(manager, ["countries"], model="res.country")
        await manager.invalidate()
        assert await cached_value(manager, model="res.country") is None


async def test_writes_on_another_database_do_not_invalidate():
    shared = MemoryCache()
    prod = await CacheManager.create(FakeClient(("http://odoo.test", "prod", 2)), backend=shared)
    test = await CacheManager.create(FakeClient(("http://odoo.test", "test", 2)), backend=shared)
    await remember(prod, ["prod rows"], scope=("http://odoo.test", "prod", 2))
    await test.invalidate("res.partner")
    assert await cached_value(prod, scope=("http://odoo.test", "prod", 2)) == ["prod rows"]


async def test_two_managers_sharing_a_memory_level_see_each_others_writes():
    shared = MemoryCache()
    admin = await CacheManager.create(FakeClient(ADMIN), backend=shared)
    demo = await CacheManager.create(FakeClient(DEMO), backend=shared)
    await remember(demo, ["demo rows"], scope=DEMO)
    await admin.invalidate("res.partner")  # admin writes; demo's entry must go
    assert await cached_value(demo, scope=DEMO) is None


async def test_result_fetched_during_a_write_is_not_served_afterwards():
    """lookup observes the generations; a write before store makes the stored value unreachable."""
    manager = await CacheManager.create(FakeClient(ADMIN))
    k = key(manager)
    assert (await manager.lookup("res.partner", k))[0] is False
    await manager.invalidate("res.partner")  # a concurrent task wrote meanwhile
    await manager.store("res.partner", k, ["read before the write"])
    assert await cached_value(manager) is None


async def test_stand_alone_manager_invalidates_every_database_it_cached():
    manager = CacheManager()
    await manager.setup_memory_cache()
    await remember(manager, ["a"], scope=("http://one", "db", 2))
    await remember(manager, ["b"], scope=("http://two", "db", 2))
    await manager.invalidate("res.partner")
    assert await cached_value(manager, scope=("http://one", "db", 2)) is None
    assert await cached_value(manager, scope=("http://two", "db", 2)) is None


async def test_ttl_zero_stores_nothing_and_bad_ttl_is_refused():
    manager = await CacheManager.create(FakeClient(ADMIN))
    await remember(manager, ["x"], ttl=0)
    assert await cached_value(manager) is None
    with pytest.raises(InvalidValueError, match="ttl"):
        await remember(manager, ["x"], ttl=-1)


async def test_call_ttl_overrides_level_and_manager_defaults(clock):
    manager = CacheManager(client=FakeClient(ADMIN), ttl=100)
    manager.add_level(MemoryCache(default_ttl=10, clock=clock))
    await remember(manager, ["level default"], model="res.partner")
    await remember(manager, ["call ttl"], model="res.country", ttl=50)
    clock.advance(20)
    assert await cached_value(manager, model="res.partner") is None
    assert await cached_value(manager, model="res.country") == ["call ttl"]


async def test_poisoned_memory_entry_is_a_miss_and_logged(caplog):
    level = MemoryCache()
    manager = await CacheManager.create(FakeClient(ADMIN), backend=level)
    k = key(manager)
    await manager.lookup("res.partner", k)
    level.set_now(k.storage_key(k.generations), b"\x80\x04K\x01.", ttl=None)
    with caplog.at_level(logging.WARNING, logger="zenoo.cache"):
        assert await cached_value(manager) is None
    assert "rejected" in caplog.text
    assert manager.stats.levels["memory"].rejected == 1


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"backend": "memcached"}, ConfigurationError, "unknown cache backend 'memcached'"),
        ({"backend": []}, ConfigurationError, "names no cache level"),
        (
            {"backend": "redis", "strategy": "lru"},
            ConfigurationError,
            "strategy configures a memory cache level",
        ),
        (
            {"backend": "redis", "max_size": 10},
            ConfigurationError,
            "max_size configures a memory cache level",
        ),
        (
            {"backend": "memory", "url": "redis://localhost"},
            ConfigurationError,
            "url configures a redis cache level",
        ),
        (
            {"backend": "redis", "url": "http://localhost:6379"},
            ConfigurationError,
            "Redis URL must start with",
        ),
        ({"backend": ["memory", "memory"]}, ConfigurationError, "already has a memory level"),
        ({"invalidation": "never"}, ConfigurationError, "unknown invalidation rule"),
        ({"ttl": -3}, InvalidValueError, "ttl must be"),
        ({"strategy": "random"}, ConfigurationError, "unknown cache strategy"),
    ],
)
async def test_bad_options_are_refused_clearly(options, error, message):
    with pytest.raises(error, match=message):
        await CacheManager.create(FakeClient(ADMIN), **options)


async def test_zenoo_rpc_style_setup_with_named_levels(redis_url):
    manager = CacheManager(client=FakeClient(ADMIN))
    await manager.setup_redis_cache(name="l2", url=redis_url)
    await manager.setup_memory_cache(name="l1", max_size=10, strategy="lru")
    assert [level.name for level in manager.levels] == ["l1", "l2"]  # memory always in front
    await remember(manager, ["rows"])
    assert await cached_value(manager) == ["rows"]
    assert set(manager.stats.levels) == {"l1", "l2"}
    await manager.close()
