"""``ZenooClient(..., transport=...)``: calls served in-process by an ASGI app, without a socket."""

from __future__ import annotations

import httpx
import pytest

from zenoo import Client, ConfigurationError, RetryPolicy, ZenooClient, ZenooConnectionError
from zenoo.testing.app import OdooAsgiApp
from zenoo.testing.faults import FaultInjector
from zenoo.testing.orm import Registry
from zenoo.testing.proxy import TcpRelay
from zenoo.testing.records import RequestLog
from zenoo.testing.routes import OdooRoutes
from zenoo.testing.sessions import SessionStore

#: Nothing listens there: a call that works through this URL did not use the network.
NOWHERE = "http://127.0.0.1:9"


async def test_an_asgi_app_serves_the_client_without_a_server(tag: str) -> None:
    registry = Registry(version=19, scale=10)
    log = RequestLog()
    app = OdooAsgiApp(OdooRoutes(registry, SessionStore()), FaultInjector(), log, TcpRelay("127.0.0.1", 0))
    admin = registry.users["admin"]
    try:
        async with ZenooClient(NOWHERE, transport=httpx.ASGITransport(app=app)) as client:
            assert await client.login_with_api_key(registry.database, admin.login, admin.api_key) == admin.uid
            partner = await client.create("res.partner", {"name": tag})
            assert await client.search_read("res.partner", [["name", "=", tag]], ["name"]) == [
                {"id": partner, "name": tag}
            ]
            assert client.api == "json2" and client.features is not None and client.features.json2
        assert [r.method for r in log.snapshot()][-2:] == ["create", "search_read"]
    finally:
        registry.close()


async def test_the_embedded_servers_in_process_transport(embedded, tag: str) -> None:  # type: ignore[no-untyped-def]
    server = embedded.server
    transport = server.in_process_transport()
    async with ZenooClient(NOWHERE, transport=transport) as client:
        await embedded.log_in(client, "api_key")
        server.reset_requests()
        partner = await client.create("res.partner", {"name": tag})
        twin = client.fork()  # shares the transport
        assert await twin.read("res.partner", partner, ["name"]) == [{"id": partner, "name": tag}]
        await twin.close()
        await client.unlink("res.partner", partner)  # closing the fork left the transport open
    served = server.requests
    assert [r.method for r in served if r.model == "res.partner"][-3:] == ["create", "read", "unlink"]
    assert {(r.http_version, r.connection_id) for r in served} == {("1.1", 0)}  # no TCP connection
    async with ZenooClient(NOWHERE, transport=transport) as again:  # the closed clients did not close it
        assert await again.health_check() is True


def test_the_blocking_client_takes_a_transport(embedded) -> None:  # type: ignore[no-untyped-def]
    with Client(NOWHERE, transport=embedded.server.in_process_transport()) as client:
        client.login(embedded.database, embedded.login, embedded.password)
        assert client.search_count("res.users", [["login", "=", embedded.login]]) == 1


async def test_a_stopped_server_cannot_be_reached(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=17)
    transport = server.in_process_transport()
    server.stop()
    async with ZenooClient(NOWHERE, transport=transport, retry=RetryPolicy.disabled()) as client:
        with pytest.raises(ZenooConnectionError, match="the embedded server is stopped"):
            await client.get_server_version()


def test_a_transport_is_an_httpx_async_transport() -> None:
    with pytest.raises(ConfigurationError, match="transport must be an httpx.AsyncBaseTransport .* got HTTPTransport"):
        ZenooClient(NOWHERE, transport=httpx.HTTPTransport())  # type: ignore[arg-type]


async def test_drops_and_503s_in_process(odoo_server_factory, tag: str) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=19)
    admin = server.users["admin"]
    async with ZenooClient(NOWHERE, transport=server.in_process_transport()) as client:
        await client.login(server.database, admin.login, admin.password)
        server.faults.set(drop_rate=1.0, drop_phase="after", methods=["create"], count=1)
        with pytest.raises(ZenooConnectionError, match="after the request was sent"):
            await client.create("res.partner", {"name": tag})  # ran, and is not sent again
        server.faults.set(error_503_rate=1.0, retry_after=0, methods=["search_read"], count=1)
        rows = await client.search_read("res.partner", [["name", "=", tag]], ["name"])  # retried after the 503
        await client.unlink("res.partner", [row["id"] for row in rows])
    assert len(rows) == 1
    assert [(r.method, r.status, r.fault is not None) for r in server.requests
            if r.method in ("create", "search_read", "unlink")] == [
        ("create", None, True), ("search_read", 503, True), ("search_read", 200, False), ("unlink", 200, False)
    ]
