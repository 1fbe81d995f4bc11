"""Protocol detection as seen by the server, the cache hook inside call(), closing."""

from __future__ import annotations

import pytest

from zenoo import ClientError, ZenooClient


@pytest.mark.parametrize("version", [17, 19])
async def test_version_detection_and_protocol_choice(odoo_server_factory, version: int) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=version)
    admin = server.users["admin"]
    async with ZenooClient(server.url) as client:
        server.reset_requests()
        await client.login_with_api_key(server.database, admin.login, admin.api_key)
        first = server.requests[:2]
    if version >= 19:
        # /web/version answers on 19: no common.version; the key goes to JSON-2
        assert (first[0].protocol, first[0].path, first[0].status) == ("http", "/web/version", 200)
        assert first[1].protocol == "json2" and client.protocol_name == "json2"
        assert all(r.protocol != "jsonrpc" for r in server.requests)
    else:
        # /web/version is a 404 page on 17: fall back to common.version, then JSON-RPC
        assert (first[0].path, first[0].status) == ("/web/version", 404)
        assert (first[1].protocol, first[1].method) == ("jsonrpc", "version")
        assert client.protocol_name == "jsonrpc"
    assert client.server_version[0] == version  # type: ignore[index]


async def test_cache_hook_serves_reads_and_writes_invalidate(embedded, tag: str) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(embedded.url) as client:
        await client.login(embedded.database, embedded.login, embedded.password)
        assert client.cache is None
        manager = await client.setup_cache_manager(backend="memory")
        assert client.cache is manager
        pid = await client.create("res.partner", {"name": tag})
        domain = [["name", "=", tag]]
        first = await client.search_read("res.partner", domain, ["email"])
        sent = client.stats.requests
        assert await client.search_read("res.partner", domain, ["email"]) == first
        assert client.stats.requests == sent  # served from the cache
        await client.call("res.partner", "search_read", kwargs={"domain": domain, "fields": ["email"]}, cache_ttl=0)
        assert client.stats.requests == sent + 1  # cache_ttl=0 bypasses it
        await client.write("res.partner", [pid], {"email": "cached@example.com"})  # invalidates res.partner
        assert (await client.search_read("res.partner", domain, ["email"]))[0]["email"] == "cached@example.com"
        await client.unlink("res.partner", [pid])


async def test_a_closed_client_says_so(embedded) -> None:  # type: ignore[no-untyped-def]
    client = ZenooClient(embedded.url)
    await client.login(embedded.database, embedded.login, embedded.password)
    await client.close()
    with pytest.raises(ClientError, match="this client is closed"):
        await client.search_count("res.partner")
    assert client.stats.retries == 0
