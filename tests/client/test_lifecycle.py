"""Protocol detection as seen by the server, the cache hook inside call(), closing, event loops."""

from __future__ import annotations

import asyncio
import threading

import pytest

from zenoo import ClientError, MethodNotFoundError, ZenooClient


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
        assert first[1].protocol == "json2" and client.api == "json2"
        assert all(r.protocol != "jsonrpc" for r in server.requests)
    else:
        # /web/version is a 404 page on 17: fall back to common.version, then JSON-RPC
        assert (first[0].path, first[0].status) == ("/web/version", 404)
        assert (first[1].protocol, first[1].method) == ("jsonrpc", "version")
        assert client.api == "jsonrpc"
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


async def test_hooks_and_stats_see_every_attempt(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=19)
    admin = server.users["admin"]
    events: list[tuple[str, str, int, int | None]] = []

    async def record(event) -> None:  # type: ignore[no-untyped-def]
        events.append((event.event, event.method, event.attempt, event.status))

    async with ZenooClient(server.url) as client:
        for name in ("before_request", "after_response", "error", "retry"):
            client.hooks.on(name, record)  # type: ignore[arg-type]
        await client.login_with_api_key(server.database, admin.login, admin.api_key)
        assert not list(client._shared.transport._client.cookies.jar)  # Odoo's session cookie is not kept
        events.clear()
        server.faults.set(error_503_rate=1.0, retry_after=0, methods=["search_count"], count=1)
        await client.search_count("res.partner", [])
        with pytest.raises(MethodNotFoundError):
            await client.call("res.partner", "no_such_method", kwargs={})
    assert events == [
        ("before_request", "search_count", 1, None),
        ("error", "search_count", 1, 503),
        ("retry", "search_count", 1, None),
        ("before_request", "search_count", 2, None),
        ("after_response", "search_count", 2, 200),
        ("before_request", "no_such_method", 1, None),
        ("error", "no_such_method", 1, 404),
    ]
    latency = client.stats.latency("search_count")
    assert latency is not None and latency.count == 2 and latency.p50 <= latency.max
    summary = client.stats.as_dict()
    assert summary["methods"]["search_count"] == {**summary["methods"]["search_count"], "requests": 2, "errors": 1, "retries": 1}
    assert summary["bytes_sent"] > 0 and summary["bytes_received"] > 0


@pytest.mark.parametrize("kind", ["password", "api_key"])
def test_one_client_across_several_asyncio_runs(target, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Each ``asyncio.run()`` closes its loop, and the pool's connections with it: the next run gets a
    fresh pool instead of 'Event loop is closed'; closing from yet another run works too."""
    if kind == "api_key" and not target.api_key:
        pytest.skip(f"{target.name}: no API key configured")
    client = ZenooClient(target.url)

    async def count() -> int:
        if not client.is_authenticated:
            await target.log_in(client, kind)
        return await client.search_count("res.country", [])  # others may be creating partners meanwhile

    counts = [asyncio.run(count()) for _ in range(3)]
    assert counts[0] > 0 and len(set(counts)) == 1
    asyncio.run(client.close())
    with pytest.raises(ClientError, match="this client is closed"):
        asyncio.run(count())


def test_a_client_used_from_a_second_running_loop_says_to_fork(target) -> None:  # type: ignore[no-untyped-def]
    async def main() -> list[object]:
        async with ZenooClient(target.url) as client:
            await target.log_in(client)
            found: list[object] = []

            def other_thread() -> None:
                try:
                    found.append(asyncio.run(client.search_count("res.partner", [])))
                except ClientError as exc:
                    found.append(exc)
                forked = client.fork()
                found.append(asyncio.run(_count_and_close(forked)))

            thread = threading.Thread(target=other_thread)
            thread.start()
            thread.join()
            return found

    error, forked_count = asyncio.run(main())
    assert isinstance(error, ClientError) and "use client.fork()" in str(error)
    assert isinstance(forked_count, int) and forked_count > 0


async def _count_and_close(client: ZenooClient) -> int:
    async with client:
        return await client.search_count("res.partner", [])
