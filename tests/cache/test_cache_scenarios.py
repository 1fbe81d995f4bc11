"""The cache scenario on every reachable Odoo (embedded 17 and 19, and a real Odoo when configured).

Requests are counted with the client's ``before_request`` hook, so the scenario also runs against
a real server. It only touches its own ``zenoo-test-cache-*`` records and removes them.
"""

from __future__ import annotations

import uuid

from zenoo import ZenooClient


async def test_cached_reads_and_write_invalidation_on_every_target(target):
    client = ZenooClient(target.url, database=target.database)
    if target.api_key and target.version >= 19:
        await client.login_with_api_key(target.database, target.login, target.api_key)  # JSON-2
    else:
        await client.login(target.database, target.login, target.password)
    await client.setup_cache_manager(backend="memory", strategy="lru", ttl=600)
    sent: list[tuple[str | None, str]] = []
    client.hooks.on("before_request", lambda event: sent.append((event.model, event.method)))
    name = f"zenoo-test-cache-{uuid.uuid4().hex[:10]}"
    pid = await client.create("res.partner", {"name": name})
    try:
        domain = [["name", "=like", f"{name}%"]]
        sent.clear()
        first = await client.search_read("res.partner", domain, ["name"])
        assert (
            await client.search_read("res.partner", domain, ["name"]) == first == [{"id": pid, "name": name}]
        )
        assert await client.search_count("res.partner", domain) == 1
        assert await client.search_count("res.partner", domain) == 1
        assert sent == [("res.partner", "search_read"), ("res.partner", "search_count")]

        await client.write("res.partner", [pid], {"name": f"{name} renamed"})
        sent.clear()
        assert await client.search_read("res.partner", domain, ["name"]) == [
            {"id": pid, "name": f"{name} renamed"}
        ]
        assert sent == [("res.partner", "search_read")]
        assert client.cache.stats.hits == 2
    finally:
        await client.unlink("res.partner", [pid])
        await client.close()


async def test_a_cached_function_called_through_a_view_gets_the_views_own_entry(target):
    """@cached keys on the client's context too: a view with another context (a language, companies,
    here active_test) must not be answered with the entry the client itself stored."""
    from zenoo.cache import cached

    @cached(models=["res.partner"])
    async def named(client, name):
        return await client.search("res.partner", [["name", "=like", f"{name}%"]], order="id")

    client = ZenooClient(target.url, database=target.database)
    await client.login(target.database, target.login, target.password)
    await client.setup_cache_manager(backend="memory", strategy="lru", ttl=600)
    name = f"zenoo-test-cache-{uuid.uuid4().hex[:10]}"
    active, archived = await client.create("res.partner", [{"name": name}, {"name": name, "active": False}])
    try:
        everything = client.with_context(active_test=False)
        assert await named(client, name) == [active]
        assert await named(everything, name) == [active, archived]
        assert await named(everything, name) == [active, archived] and await named(client, name) == [active]
        assert client.cache.stats.hits == 2
    finally:
        await client.unlink("res.partner", [active, archived])
        await client.close()
