"""One pooled connection: HTTP/2 multiplexing behind TLS, HTTP/1.1 with Connection: close,
and concurrency bounded by the client's semaphore."""

from __future__ import annotations

import asyncio
import importlib.abc
import sys
import threading

import pytest

from zenoo import ConfigurationError, Limits, ZenooClient
from zenoo.transport import HTTP2_MAX_BODY, notify_when_sent


async def _login(server, **options) -> ZenooClient:  # type: ignore[no-untyped-def]
    admin = server.users["admin"]
    client = ZenooClient(server.url, **options)
    await client.login(server.database, admin.login, admin.password)
    return client


@pytest.mark.parametrize("version", [17, 19])
async def test_fifty_concurrent_calls_share_one_http2_connection(odoo_server_factory, version: int) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=version, tls=True, http2=True)
    client = await _login(server, verify_ssl=server.ca_cert_path, limits=Limits(max_concurrency=50))
    versions: set[str] = set()
    client.hooks.on("after_response", lambda event: versions.add(event.http_version))
    peak = _count_in_flight(client)
    async with client:
        server.reset_requests()
        server.faults.set(latency=0.05, methods=["search_count"])  # so that the calls overlap
        counts = await asyncio.gather(*(client.search_count("res.partner", [["id", ">", i]]) for i in range(50)))
    assert len(counts) == 50 and counts == sorted(counts, reverse=True)
    served = [r for r in server.requests if r.method == "search_count"]
    assert len(served) == 50
    assert {r.http_version for r in served} == {"2"}
    assert len({r.connection_id for r in served}) == 1  # one connection ...
    assert peak() > 1  # ... carrying several requests at once: multiplexed
    assert versions == {"HTTP/2"}


async def test_a_body_over_the_http2_window_goes_over_http11(odoo_server_factory, tag: str) -> None:  # type: ignore[no-untyped-def]
    """httpcore would not read an early answer (a proxy's 413) while HTTP/2 flow control holds such a
    body back (tests/client/test_behind_nginx.py): zenoo sends it over HTTP/1.1 instead."""
    server = odoo_server_factory(version=19, tls=True, http2=True)
    client = await _login(server, verify_ssl=server.ca_cert_path)
    async with client:
        server.reset_requests()
        small = await client.create("res.partner", {"name": tag, "comment": "x" * 1_000})
        large = await client.create("res.partner", {"name": tag, "comment": "x" * (HTTP2_MAX_BODY + 1)})
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 2
    creates = [r for r in server.requests if r.method == "create"]
    assert [r.http_version for r in creates] == ["2", "1.1"] and small != large
    assert {r.http_version for r in server.requests if r.method == "search_count"} == {"2"}


async def test_an_untrusted_certificate_is_a_configuration_error_not_retried(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=19, tls=True, http2=True)
    async with ZenooClient(server.url) as client:  # the test CA is not trusted
        server.reset_requests()
        with pytest.raises(ConfigurationError, match=r"TLS certificate of https://.* is not trusted.*verify_ssl"):
            await client.login(server.database, "admin", server.users["admin"].password)
        assert client.stats.retries == 0 and client.circuit_breaker.consecutive_failures <= 1


def _count_in_flight(client: ZenooClient):  # type: ignore[no-untyped-def]
    """Wrap the client's one httpx.AsyncClient; the returned function gives the peak of requests in flight."""
    http_client = client._shared.transport._client
    send = http_client.send
    in_flight = peak = 0

    async def counting_send(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await send(*args, **kwargs)
        finally:
            in_flight -= 1

    http_client.send = counting_send  # type: ignore[method-assign]
    return lambda: peak


async def test_http11_with_connection_close_still_works(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=17, connection_close=True)
    client = await _login(server, limits=Limits(max_concurrency=4))
    async with client:
        server.reset_requests()
        counts = await asyncio.gather(*(client.search_count("res.partner", []) for _ in range(12)))
    assert len(set(counts)) == 1
    served = [r for r in server.requests if r.method == "search_count"]
    assert {r.http_version for r in served} == {"1.1"}
    assert len({r.connection_id for r in served}) == 12  # a new connection each time, as bare Odoo forces


async def test_concurrency_is_bounded_by_the_semaphore(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=19)
    client = await _login(server, limits=Limits(max_concurrency=3))
    peak = _count_in_flight(client)
    async with client:
        server.faults.set(latency=0.05, methods=["search_count"])
        counts = await asyncio.gather(*(client.search_count("res.partner", []) for _ in range(12)))
    assert len(counts) == 12 and peak() == 3


@pytest.mark.parametrize("tls", [False, True], ids=["http1.1", "http2"])
async def test_a_caller_is_told_when_its_request_has_been_written(odoo_server_factory, tls: bool) -> None:  # type: ignore[no-untyped-def]
    """notify_when_sent calls back once a request made in its block, or in a task started there,
    is written out, while the server still runs it; requests made elsewhere call nothing."""
    server = odoo_server_factory(version=19, tls=tls, http2=tls)
    client = await _login(server, **({"verify_ssl": server.ca_cert_path} if tls else {}))
    written: list[str] = []
    async with client:
        server.faults.set(latency=0.3, methods=["search_count"])
        with notify_when_sent(lambda: written.append("written")):
            counting = asyncio.ensure_future(client.search_count("res.partner", []))
        for _ in range(200):
            if written or counting.done():
                break
            await asyncio.sleep(0.01)
        assert written == ["written"] and not counting.done()  # the server is still on it
        assert await counting > 0
        await client.search_count("res.partner", [])
    assert written == ["written"]


class _ImportLookups(importlib.abc.MetaPathFinder):
    """Records the modules the import system is asked to find (in the calling thread): each lookup
    of a module that is not in ``sys.modules`` walks every ``sys.path`` entry."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.names: list[str] = []

    def find_spec(self, fullname, path, target=None) -> None:  # type: ignore[no-untyped-def]
        """Note the lookup; finding nothing lets the real finders answer."""
        if threading.get_ident() == self.thread:  # not the embedded server's thread
            self.names.append(fullname)


async def _import_lookups_of_calls(client: ZenooClient) -> list[str]:
    async def calls() -> None:
        await client.search_read("res.partner", [["id", ">", 0]], ["name"], limit=2)
        await client.search_count("res.partner", [])

    await calls()  # warm-up: modules loaded lazily on first use are fine
    lookups = _ImportLookups()
    sys.meta_path.insert(0, lookups)
    try:
        for _ in range(3):
            await calls()
    finally:
        sys.meta_path.remove(lookups)
    return lookups.names


async def test_calls_make_no_import_lookups(client: ZenooClient) -> None:
    """httpcore runs ``import sniffio`` for every request; without sniffio installed (a dependency
    of zenoo) each of those imports fails only after searching the whole ``sys.path``."""
    assert await _import_lookups_of_calls(client) == []


async def test_calls_on_new_connections_make_no_import_lookups(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    """The same with a new connection per request (bare Odoo's ``Connection: close``): httpcore also
    runs ``import sniffio`` for each new connection's locks."""
    server = odoo_server_factory(version=19, connection_close=True)
    async with await _login(server) as client:
        assert await _import_lookups_of_calls(client) == []
