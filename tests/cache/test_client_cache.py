"""The cache through the client, end to end: embedded Odoo over HTTP, a real redis-server.

Requests are counted on the embedded server (``srv.requests``): a cached read sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import textwrap
import uuid

import pytest

from zenoo import (
    AccessError,
    Client,
    ConfigurationError,
    InvalidValueError,
    MethodNotFoundError,
    MissingError,
    ZenooClient,
    ZenooTimeoutError,
)
from zenoo._loop import LoopThread
from zenoo.cache import MemoryCache, cached
from zenoo.cache import manager as manager_module

from .conftest import free_port, logged_in, run_python


def sent(server, model, method) -> int:
    """How many calls of ``model.method`` the server answered since the last reset."""
    return sum(1 for r in server.requests if r.model == model and r.method == method)


def unique(prefix: str = "cache-test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def names_like(client, tag, **kw):
    rows = await client.search_read("res.partner", [["name", "like", tag]], ["name"], order="id", **kw)
    return [row["name"] for row in rows]


async def test_cached_read_is_served_without_any_request(embedded):
    server = embedded.server
    client = await logged_in(server)
    await client.setup_cache_manager(backend="memory")
    await client.fields_get("res.partner")  # search_read checks field names against it (kept per client)
    server.reset_requests()
    first = await client.search_read(
        "res.partner", [["is_company", "=", True]], ["name", "country_id"], limit=5
    )
    second = await client.search_read(
        "res.partner", [["is_company", "=", True]], ["name", "country_id"], limit=5
    )
    assert first == second and len(first) == 5
    assert len(server.requests) == 1
    assert client.cache.stats.hits == 1
    await client.search_read("res.partner", [["is_company", "=", True]], ["name", "country_id"], limit=5)
    assert len(server.requests) == 1
    await client.call(
        "res.partner", "search_read", kwargs={"domain": [["is_company", "=", True]], "limit": 5}, cache_ttl=0
    )  # cache_ttl=0 bypasses the cache
    assert len(server.requests) == 2
    await client.close()


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_restricted_user_never_gets_rows_cached_for_admin(odoo_server_19, backend, redis_url):
    """Two clients, two users, one shared cache backend: the demo user's calls always reach Odoo."""
    server = odoo_server_19
    admin = await logged_in(server, "admin")
    demo = await logged_in(server, "demo")
    if backend == "memory":
        shared = MemoryCache()
        await admin.setup_cache_manager(backend=shared)
        await demo.setup_cache_manager(backend=shared)
    else:
        await admin.setup_cache_manager(backend="redis", url=redis_url)
        await demo.setup_cache_manager(backend="redis", url=redis_url)
    server.reset_requests()

    secret = await admin.search_read("ir.config_parameter", [], ["key", "value"])
    assert secret and await admin.search_read("ir.config_parameter", [], ["key", "value"]) == secret
    assert sent(server, "ir.config_parameter", "search_read") == 1  # admin's second read was a hit
    with pytest.raises(AccessError):
        await demo.search_read("ir.config_parameter", [], ["key", "value"])
    assert sent(server, "ir.config_parameter", "search_read") == 2  # demo's call reached Odoo

    # even where both may read the same rows, demo's identical call is not answered from admin's entry
    await admin.search_read("res.country", [], ["code"], limit=3)
    await demo.search_read("res.country", [], ["code"], limit=3)
    assert sent(server, "res.country", "search_read") == 2
    await demo.search_read("res.country", [], ["code"], limit=3)
    assert sent(server, "res.country", "search_read") == 2  # demo's own entry serves demo
    await admin.close()
    await demo.close()


async def test_context_is_part_of_the_key(admin_client, odoo_server_19):
    server = odoo_server_19
    await admin_client.setup_cache_manager()
    server.reset_requests()
    await admin_client.search_read("res.country", [], ["name"], limit=2)
    await admin_client.with_context(tz="Asia/Tokyo").search_read("res.country", [], ["name"], limit=2)
    await admin_client.search_read("res.country", [], ["name"], limit=2, context={"active_test": False})
    assert sent(server, "res.country", "search_read") == 3
    await admin_client.with_context(tz="Asia/Tokyo").search_read("res.country", [], ["name"], limit=2)
    assert sent(server, "res.country", "search_read") == 3


@pytest.mark.parametrize("write", ["create", "write", "unlink"])
async def test_writes_through_the_client_invalidate_cached_reads(admin_client, odoo_server_19, write):
    server = odoo_server_19
    await admin_client.setup_cache_manager(backend="memory")
    tag = unique()
    first_id = await admin_client.create("res.partner", {"name": f"{tag} one"})
    assert await names_like(admin_client, tag) == [f"{tag} one"]
    server.reset_requests()
    assert await names_like(admin_client, tag) == [f"{tag} one"]
    assert sent(server, "res.partner", "search_read") == 0

    if write == "create":
        await admin_client.create("res.partner", {"name": f"{tag} two"})
        expected = [f"{tag} one", f"{tag} two"]
    elif write == "write":
        await admin_client.write("res.partner", [first_id], {"name": f"{tag} renamed"})
        expected = [f"{tag} renamed"]
    else:
        await admin_client.unlink("res.partner", [first_id])
        expected = []
    assert await names_like(admin_client, tag) == expected
    assert sent(server, "res.partner", "search_read") == 1


@pytest.mark.parametrize("method", ["write", "action_archive"])
async def test_a_failed_write_capable_call_still_invalidates(admin_client, odoo_server_19, method):
    """Any method outside zenoo.methods' read-only list may write, and may have written before
    failing: the cache cannot assume it did not."""
    server = odoo_server_19
    await admin_client.setup_cache_manager()
    tag = unique()
    await admin_client.create("res.partner", {"name": tag})
    await names_like(admin_client, tag)
    with pytest.raises((MissingError, MethodNotFoundError)):
        await admin_client.call(
            "res.partner", method, ids=[10**8], args=[{"name": "nobody"}] if method == "write" else []
        )
    server.reset_requests()
    await names_like(admin_client, tag)
    assert sent(server, "res.partner", "search_read") == 1


@pytest.mark.parametrize("rule", ["database", "model"])
async def test_order_line_write_refreshes_the_orders_computed_totals(admin_client, odoo_server_19, rule):
    await admin_client.setup_cache_manager(invalidation=rule)
    partner = await admin_client.create("res.partner", {"name": unique()})
    product = (await admin_client.search("product.product", [], limit=1))[0]
    order = await admin_client.create(
        "sale.order",
        {
            "partner_id": partner,
            "order_line": [[0, 0, {"product_id": product, "product_uom_qty": 1, "price_unit": 10}]],
        },
    )
    (before,) = await admin_client.read("sale.order", [order], ["amount_untaxed", "order_line"])
    assert before["amount_untaxed"] == 10
    odoo_server_19.reset_requests()
    assert await admin_client.read("sale.order", [order], ["amount_untaxed", "order_line"]) == [before]
    assert sent(odoo_server_19, "sale.order", "read") == 0  # the order is cached ...
    await admin_client.write("sale.order.line", before["order_line"], {"price_unit": 25})
    (after,) = await admin_client.read("sale.order", [order], ["amount_untaxed", "order_line"])
    assert after["amount_untaxed"] == 25  # ... and a write on its lines dropped it


async def test_model_rule_keeps_unrelated_models_cached(admin_client, odoo_server_19):
    server = odoo_server_19
    await admin_client.setup_cache_manager(invalidation="model")
    await admin_client.search_read("res.country", [], ["code"], limit=3)
    await admin_client.create("res.partner", {"name": unique()})
    server.reset_requests()
    await admin_client.search_read("res.country", [], ["code"], limit=3)
    assert sent(server, "res.country", "search_read") == 0


async def test_write_by_another_client_instance_invalidates_through_redis(odoo_server_19, redis_url):
    server = odoo_server_19
    reader = await logged_in(server)
    writer = await logged_in(server)
    await reader.setup_cache_manager(backend=["memory", "redis"], url=redis_url)
    await writer.setup_cache_manager(backend="redis", url=redis_url)
    tag = unique()
    pid = await writer.create("res.partner", {"name": f"{tag} a"})
    assert await names_like(reader, tag) == [f"{tag} a"]
    server.reset_requests()
    assert await names_like(reader, tag) == [f"{tag} a"]
    assert sent(server, "res.partner", "search_read") == 0  # cached (in L1) before the write
    await writer.write("res.partner", [pid], {"name": f"{tag} b"})
    assert await names_like(reader, tag) == [f"{tag} b"]
    assert sent(server, "res.partner", "search_read") == 1
    await reader.close()
    await writer.close()


async def test_write_in_another_process_invalidates_through_redis(odoo_server_19, redis_url):
    server = odoo_server_19
    reader = await logged_in(server)
    await reader.setup_cache_manager(backend=["memory", "redis"], url=redis_url)
    tag = unique()
    pid = await reader.create("res.partner", {"name": f"{tag} before"})
    assert await names_like(reader, tag) == [f"{tag} before"]
    server.reset_requests()
    assert await names_like(reader, tag) == [f"{tag} before"]
    assert sent(server, "res.partner", "search_read") == 0

    script = textwrap.dedent(
        """
        import asyncio, os
        from zenoo import ZenooClient

        async def main():
            async with ZenooClient(os.environ["URL"], database=os.environ["DB"]) as client:
                await client.login(os.environ["DB"], os.environ["LOGIN"], os.environ["PASSWORD"])
                await client.setup_cache_manager(backend="redis", url=os.environ["REDIS"])
                await client.write("res.partner", [int(os.environ["PID"])], {"name": os.environ["NAME"]})
                await client.cache.close()

        asyncio.run(main())
        """
    )
    admin = server.users["admin"]
    env = {
        **os.environ,
        "URL": server.url,
        "DB": server.database,
        "LOGIN": admin.login,
        "PASSWORD": admin.password,
        "REDIS": redis_url,
        "PID": str(pid),
        "NAME": f"{tag} after",
    }
    await run_python(script, env)
    assert await names_like(reader, tag) == [f"{tag} after"]
    await reader.cache.close()
    await reader.close()


async def test_redis_outage_never_fails_the_users_query(admin_client, odoo_server_19, caplog):
    dead = f"redis://:pa55word@127.0.0.1:{free_port()}/0"
    await admin_client.setup_cache_manager(backend="redis", url=dead)
    with caplog.at_level(logging.WARNING, logger="zenoo.cache"):
        rows = await admin_client.search_read("res.country", [], ["code"], limit=2)
        assert await admin_client.search_read("res.country", [], ["code"], limit=2) == rows
        await admin_client.create("res.partner", {"name": unique()})
    assert len(rows) == 2
    assert caplog.text.count("unavailable") == 1
    assert "pa55word" not in caplog.text and "redis://:***@127.0.0.1" in caplog.text


async def test_queryset_cache_ttl(admin_client, odoo_server_19):
    server = odoo_server_19
    await admin_client.setup_cache_manager()
    query = admin_client.model("res.country").order_by("code").limit(4)
    server.reset_requests()
    first = await query.cache(ttl=300).values("code")
    assert await query.cache(ttl=300).values("code") == first
    assert sent(server, "res.country", "search_read") + sent(server, "res.country", "web_search_read") == 1
    await query.cache(ttl=0).values("code")  # 0 bypasses the cache
    assert sent(server, "res.country", "search_read") + sent(server, "res.country", "web_search_read") == 2


async def test_cached_decorator_end_to_end(odoo_server_19):
    server = odoo_server_19
    admin = await logged_in(server, "admin")
    demo = await logged_in(server, "demo")
    shared = MemoryCache()
    await admin.setup_cache_manager(backend=shared, invalidation="model")
    await demo.setup_cache_manager(backend=shared, invalidation="model")
    calls = []

    @cached(ttl=60, models=["res.partner"])
    async def partner_names(client, tag, *, limit=10):
        calls.append(client.uid)
        return await names_like(client, tag, limit=limit)

    tag = unique()
    await admin.create("res.partner", {"name": f"{tag} x"})
    assert await partner_names(admin, tag) == [f"{tag} x"]
    assert await partner_names(admin, tag, limit=10) == [f"{tag} x"]  # same bound arguments: a hit
    assert await partner_names(demo, tag) == [f"{tag} x"]  # demo: its own entry
    assert calls == [admin.uid, demo.uid]
    await admin.create("res.partner", {"name": f"{tag} y"})  # a write on a listed model
    assert await partner_names(admin, tag) == [f"{tag} x", f"{tag} y"]
    assert calls == [admin.uid, demo.uid, admin.uid]
    await admin.close()
    await demo.close()


def test_blocking_client_with_two_levels(odoo_server_19, redis_url):
    server = odoo_server_19
    admin = server.users["admin"]
    with Client(server.url, database=server.database) as client:
        client.login(server.database, admin.login, admin.password)
        client.fields_get("res.country")  # search_read checks field names against it (kept per client)
        cache = client.setup_cache_manager(
            backend=["memory", "redis"], url=redis_url, strategy="lru", max_size=100
        )
        server.reset_requests()
        first = client.search_read("res.country", [], ["code"], limit=3)
        assert client.search_read("res.country", [], ["code"], limit=3) == first
        assert sent(server, "res.country", "search_read") == 1
        stats = cache.stats
        assert (stats.hits, stats.levels["memory"].hits) == (1, 1)
        assert client.cache == cache and client.cache.manager is client.aclient.cache

        # the manager's methods block here: no coroutine is handed back to a caller who cannot await it
        assert client.cache.invalidate("res.country") is None
        client.search_read("res.country", [], ["code"], limit=3)
        assert sent(server, "res.country", "search_read") == 2
        assert cache.get_stats().levels["redis"].size == 2  # an entry per generation
        cache.clear()
        assert cache.get_stats().levels["redis"].size == 0
        client.search_read("res.country", [], ["code"], limit=3)
        assert sent(server, "res.country", "search_read") == 3
        assert cache.stats.invalidations == 1


@pytest.mark.parametrize("bad", [-1, "60", float("nan")])
async def test_bad_cache_ttl_is_refused_before_sending(admin_client, odoo_server_19, bad):
    server = odoo_server_19
    await admin_client.setup_cache_manager()
    server.reset_requests()
    with pytest.raises(InvalidValueError, match="cache_ttl"):
        await admin_client.call("res.country", "search_count", kwargs={"domain": []}, cache_ttl=bad)
    assert server.requests == []


async def test_frames_follow_the_querysets_cache_ttl(admin_client, odoo_server_19):
    """``to_polars()`` reads through the cache when the QuerySet asked with ``cache()``;
    ``cache(ttl=0)`` and a QuerySet without ``cache()`` get fresh rows (bulk frames bypass it)."""
    pytest.importorskip("polars")
    server = odoo_server_19
    await admin_client.setup_cache_manager()
    tag = unique()
    pid = await admin_client.create("res.partner", {"name": f"{tag} before", "country_id": 1})
    plain = admin_client.model("res.partner").filter(name__like=tag).only("name", "country_id")
    query = plain.cache()
    assert (await query.to_polars())["name"].to_list() == [f"{tag} before"]
    server.reset_requests()
    assert (await query.to_polars())["name"].to_list() == [f"{tag} before"]
    assert [r for r in server.requests if r.method in ("search", "read")] == []

    # a change the cache cannot know about (not made through this client) ...
    other = await logged_in(server)
    await other.write("res.partner", [pid], {"name": f"{tag} after"})
    await other.close()
    assert (await query.to_polars())["name"].to_list() == [f"{tag} before"]  # ... bounded by the TTL
    fresh = await query.cache(ttl=0).to_polars()
    assert fresh["name"].to_list() == [f"{tag} after"]
    assert (await plain.to_polars())["name"].to_list() == [f"{tag} after"]
    assert fresh["country_id"].to_list() and None not in fresh["country_id"].to_list()


async def test_a_fork_shares_the_cache_so_its_writes_invalidate(admin_client, odoo_server_19):
    """A fork lives on another event loop, but a write through it must not leave the parent
    serving what it cached before."""
    server = odoo_server_19
    await admin_client.setup_cache_manager(backend="memory")
    tag = unique()
    pid = await admin_client.create("res.partner", {"name": f"{tag} before"})
    assert await names_like(admin_client, tag) == [f"{tag} before"]
    fork = admin_client.fork()
    assert fork.cache is admin_client.cache

    async def on_another_loop():
        try:
            assert await names_like(fork, tag) == [f"{tag} before"]  # served from the shared cache
            await fork.write("res.partner", [pid], {"name": f"{tag} after"})
        finally:
            await fork.close()

    server.reset_requests()
    loop = LoopThread("zenoo-test-fork")
    try:
        loop.run(on_another_loop())
    finally:
        loop.close()
    assert sent(server, "res.partner", "search_read") == 0
    assert await names_like(admin_client, tag) == [f"{tag} after"]
    assert sent(server, "res.partner", "search_read") == 1


async def test_a_cache_ttl_that_cannot_cache_is_refused_before_sending(odoo_server_19):
    server = odoo_server_19
    client = await logged_in(server)
    server.reset_requests()
    with pytest.raises(ConfigurationError, match=r"cache_ttl=60 .* no cache: call setup_cache_manager"):
        await client.call("res.country", "search_count", kwargs={"domain": []}, cache_ttl=60)
    with pytest.raises(ConfigurationError, match="no cache"):
        await client.model("res.country").cache(ttl=60).count()
    await client.model("res.country").cache(ttl=0).count()  # 0 (bypass) needs no cache
    await client.setup_cache_manager()
    with pytest.raises(InvalidValueError, match=r"res.partner.write, which may write"):
        await client.call("res.partner", "write", ids=[1], args=[{"name": "x"}], cache_ttl=60)
    assert [r.method for r in server.requests] == ["search_count"]
    await client.close()


def test_blocking_client_cache_manager_is_configured_by_blocking_calls(odoo_server_19):
    server = odoo_server_19
    admin = server.users["admin"]
    with Client(server.url, database=server.database) as client:
        client.login(server.database, admin.login, admin.password)
        assert client.cache is None
        level = client.cache_manager.setup_memory_cache(name="l1", strategy="lfu")
        assert isinstance(level, MemoryCache) and client.cache.levels == (level,)
        server.reset_requests()
        assert client.search_count("res.country", []) == client.search_count("res.country", [])
        assert sent(server, "res.country", "search_count") == 1


async def test_a_write_whose_answer_was_lost_invalidates_again_when_it_may_have_landed(
    odoo_server_factory, monkeypatch
):
    """The write times out but still runs; a read cached before it lands is dropped by the next
    late invalidation rather than served until its TTL."""
    server = odoo_server_factory(version=19)
    monkeypatch.setattr(manager_module, "LATE_LANDING_CHECKS", (1.0, 30.0))
    admin = server.users["admin"]
    async with ZenooClient(server.url, timeout=0.3, circuit_breaker=False) as client:
        await client.login(server.database, admin.login, admin.password)
        await client.setup_cache_manager(backend="memory")
        tag = unique()
        pid = await client.create("res.partner", {"name": f"{tag} v0"})
        server.faults.set(latency=0.6, methods=["write"], count=1)
        with pytest.raises(ZenooTimeoutError):
            await client.write("res.partner", [pid], {"name": f"{tag} v1"})
        assert await names_like(client, tag) == [f"{tag} v0"]  # read (and cached) before the write lands
        await asyncio.sleep(1.2)  # the write has landed; the late invalidation has run
        assert await names_like(client, tag) == [f"{tag} v1"]
        assert len(client.cache._later) == 1  # the 30 s one, stopped by close()
    assert not client.cache._later
