"""Behind Debian's nginx with TLS and HTTP/2 (zenoo/testing/nginx.conf), as production Odoo runs.

nginx's access log (``$connection``, ``$connection_requests``) shows what the client did with its
connections: calls multiplexed over one TLS connection, keep-alive held across hundreds of calls.
The retry rules hold through the proxy: a 502 (the upstream connection dropped mid-request) or a
504 (a call outliving ``proxy_read_timeout``) is retried for a read and reported for a write,
which the server then ran exactly once; a body over ``client_max_body_size`` is a
:class:`RequestTooLargeError`, not retried. The fault scenarios need the embedded server's fault
injection; the others also run behind nginx in front of real Odoo (``ZENOO_TEST_URL``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import ssl
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from zenoo import (
    BatchError,
    RequestTooLargeError,
    RetryPolicy,
    ServerUnavailableError,
    ZenooClient,
)
from zenoo.testing.nginx import CONFIG_TEMPLATE, AccessLogEntry, NginxProxy, render_config

FAST = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05)
DEPLOYING_DOC = Path(__file__).resolve().parents[2] / "docs" / "deploying.md"

StartProxy = Callable[..., NginxProxy]


@pytest.fixture
def nginx() -> Iterator[StartProxy]:
    """``nginx(upstream_url, **options)`` -> a started :class:`NginxProxy`, stopped after the test."""
    started: list[NginxProxy] = []

    def start(upstream: str, **options: Any) -> NginxProxy:
        proxy = NginxProxy(upstream, **options).start()
        started.append(proxy)
        return proxy

    try:
        yield start
    finally:
        for proxy in started:
            proxy.stop()


def _client(target, proxy: NginxProxy, **options: Any) -> ZenooClient:  # type: ignore[no-untyped-def]
    """A client of ``target`` that goes through ``proxy``."""
    return dataclasses.replace(target, url=proxy.url, transport=None).client(
        verify_ssl=proxy.ca_cert_path, **options
    )


async def _log_in(client: ZenooClient, server) -> None:  # type: ignore[no-untyped-def]
    """The embedded server's admin: API key (JSON-2) on 19, password (JSON-RPC) on 17."""
    admin = server.users["admin"]
    if server.version >= 19:
        await client.login_with_api_key(server.database, admin.login, admin.api_key)
    else:
        await client.login(server.database, admin.login, admin.password)


def _mark(proxy: NginxProxy) -> int:
    """Where the requests still to come will start in the access log.

    A client can hold an answer before nginx logged it; so a request of the test's own (a 404 on a
    separate connection) is sent, and once its line is there the earlier requests' lines are too.
    """
    uri = f"/zenoo-test-mark-{uuid.uuid4().hex}"
    httpx.get(proxy.url + uri, verify=ssl.create_default_context(cafile=proxy.ca_cert_path))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        uris = [entry.uri for entry in proxy.access_log()]
        if uri in uris:
            return uris.index(uri) + 1
        time.sleep(0.01)
    raise AssertionError(f"nginx did not log {uri}")


def _peak_overlap(entries: list[AccessLogEntry]) -> int:
    """The most requests nginx handled during one request's time (itself included): above 1, some
    requests were in flight together."""
    return max(
        sum(1 for other in entries if other.started < entry.msec and other.msec > entry.started)
        for entry in entries
    )


# --- connections -------------------------------------------------------------------------------------


async def test_concurrent_calls_multiplex_over_one_tls_connection(target, nginx) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(target.url)
    versions: set[str] = set()
    async with _client(target, proxy, http2=True) as client:
        await target.log_in(client)
        client.hooks.on("after_response", lambda event: versions.add(event.http_version))
        await client.search_count("res.partner", [["id", ">", 0]])  # loads the fields the domain names
        mark = _mark(proxy)
        if target.embedded:  # calls that take a while, so that they overlap
            target.server.faults.set(latency=0.05, methods=["search_count"])
        try:
            counts = await asyncio.gather(
                *(client.search_count("res.partner", [["id", ">", i]]) for i in range(50))
            )
        finally:
            if target.embedded:
                target.server.faults.clear()
    assert len(counts) == 50 and counts == sorted(counts, reverse=True)
    calls = proxy.access_log(at_least=mark + 50)[mark:]
    assert len(calls) == 50 and {entry.status for entry in calls} == {200}
    assert {entry.protocol for entry in calls} == {"HTTP/2.0"} and versions == {"HTTP/2"}
    assert len({entry.connection for entry in calls}) == 1  # one TLS connection ...
    assert _peak_overlap(calls) > 1  # ... carrying several calls at once: multiplexed


@pytest.mark.parametrize("http2", [True, False], ids=["http2", "http1.1"])
async def test_keep_alive_holds_across_hundreds_of_calls(target, nginx, http2: bool) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(target.url)
    async with _client(target, proxy, http2=http2) as client:
        await target.log_in(client)
        mark = _mark(proxy)
        if target.embedded:
            target.server.reset_requests()
        for _ in range(300):
            await client.search_count("res.partner", [])
    calls = proxy.access_log(at_least=mark + 300)[mark:]
    assert len(calls) == 300 and {entry.status for entry in calls} == {200}
    assert {entry.protocol for entry in calls} == {"HTTP/2.0" if http2 else "HTTP/1.1"}
    assert len({entry.connection for entry in calls}) == 1  # the login's connection, reused throughout
    counts = [entry.connection_requests for entry in calls]
    assert counts == list(range(counts[0], counts[0] + 300))
    if target.embedded:  # nginx keeps its own connection to the upstream alive too (bare Odoo closes it)
        assert len({r.connection_id for r in target.server.requests if r.method == "search_count"}) == 1


# --- retries through the proxy ----------------------------------------------------------------------


async def test_a_read_answered_502_is_retried(quiet_server, nginx) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(quiet_server.url)
    async with ZenooClient(proxy.url, verify_ssl=proxy.ca_cert_path, retry=FAST) as client:
        await _log_in(client, quiet_server)
        expected = await client.search_count("res.partner", [])
        mark = _mark(proxy)
        quiet_server.reset_requests()
        # the upstream connection is aborted after the call ran: nginx answers 502
        quiet_server.faults.set(drop_rate=1.0, drop_phase="after", methods=["search_count"], count=1)
        assert await client.search_count("res.partner", []) == expected
        assert client.stats.retries == 1
    assert [entry.status for entry in proxy.access_log(at_least=mark + 2)[mark:]] == [502, 200]
    assert [(r.fault, r.executed) for r in quiet_server.requests] == [("drop-after", True), (None, True)]


async def test_a_write_answered_502_is_reported_and_ran_once(quiet_server, nginx, tag: str) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(quiet_server.url)
    async with ZenooClient(proxy.url, verify_ssl=proxy.ca_cert_path, retry=FAST) as client:
        await _log_in(client, quiet_server)
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0  # loads the fields
        mark = _mark(proxy)
        quiet_server.faults.set(drop_rate=1.0, drop_phase="after", methods=["create"], count=1)
        with pytest.raises(ServerUnavailableError) as info:
            await client.create("res.partner", {"name": tag})
        assert info.value.http_status == 502 and client.stats.retries == 0
        creates = proxy.access_log(at_least=mark + 1)[mark:]
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 1  # it ran, once
    assert [entry.status for entry in creates] == [502]  # sent once, never re-sent
    served = [r for r in quiet_server.requests if r.method == "create"]
    assert [(r.fault, r.executed) for r in served] == [("drop-after", True)]


async def test_a_read_outliving_proxy_read_timeout_gets_504_and_is_retried(quiet_server, nginx) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(quiet_server.url, read_timeout=0.5)
    async with ZenooClient(proxy.url, verify_ssl=proxy.ca_cert_path, retry=FAST) as client:
        await _log_in(client, quiet_server)
        expected = await client.search_count("res.partner", [])
        mark = _mark(proxy)
        quiet_server.faults.set(latency=1.0, methods=["search_count"], count=1)
        assert await client.search_count("res.partner", []) == expected
        assert client.stats.retries == 1
    assert [entry.status for entry in proxy.access_log(at_least=mark + 2)[mark:]] == [504, 200]


async def test_a_write_outliving_proxy_read_timeout_is_reported_and_ran_once(quiet_server, nginx, tag: str) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(quiet_server.url, read_timeout=0.5)
    async with ZenooClient(proxy.url, verify_ssl=proxy.ca_cert_path, retry=FAST) as client:
        await _log_in(client, quiet_server)
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0  # loads the fields
        mark = _mark(proxy)
        quiet_server.faults.set(latency=1.0, methods=["create"], count=1)
        with pytest.raises(ServerUnavailableError) as info:
            await client.create("res.partner", {"name": tag})
        assert info.value.http_status == 504 and client.stats.retries == 0
        creates = proxy.access_log(at_least=mark + 1)[mark:]
        _wait_until(lambda: any(r.method == "create" for r in quiet_server.requests))  # Odoo finishes late
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 1
    assert [entry.status for entry in creates] == [504]
    assert len([r for r in quiet_server.requests if r.method == "create"]) == 1


async def test_a_long_answer_trickling_in_is_not_cut_by_proxy_read_timeout(quiet_server, nginx) -> None:  # type: ignore[no-untyped-def]
    """``proxy_read_timeout`` bounds the wait between two reads from the server, not a whole answer."""
    proxy = nginx(quiet_server.url, read_timeout=1.0)
    async with ZenooClient(proxy.url, verify_ssl=proxy.ca_cert_path, retry=FAST) as client:
        await _log_in(client, quiet_server)
        expected = await client.search_read("res.partner", [], ["name", "email"])
        mark = _mark(proxy)
        quiet_server.faults.set(slow_body=3.0, slow_body_chunks=12, methods=["search_read"], count=1)
        assert await client.search_read("res.partner", [], ["name", "email"]) == expected
        assert client.stats.retries == 0
    (answer,) = proxy.access_log(at_least=mark + 1)[mark:]
    assert answer.status == 200 and answer.request_time >= 3.0  # three times proxy_read_timeout


def _wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the server"
        time.sleep(0.02)


# --- request bodies ------------------------------------------------------------------------------------


async def test_a_large_write_within_the_limit_goes_through(target, nginx, tag: str, cleanup) -> None:  # type: ignore[no-untyped-def]
    """A body nginx keeps in a temporary file (over client_body_buffer_size) reaches Odoo whole."""
    proxy = nginx(target.url)
    comment = "<p>" + "zenoo " * 50_000 + "</p>"  # 300 kB
    async with _client(target, proxy) as client:
        await target.log_in(client)
        pid = await client.create("res.partner", {"name": tag, "comment": comment})
        (record,) = await client.read("res.partner", [pid], ["comment"])
    assert record["comment"] == comment
    assert "request body is buffered to a temporary file" in proxy.error_log()


@pytest.mark.parametrize("http2", [True, False], ids=["http2", "http1.1"])
async def test_a_body_over_client_max_body_size_is_a_clear_error(target, nginx, tag: str, http2: bool) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(target.url, max_body_size="64k")
    async with _client(target, proxy, http2=http2, retry=FAST, timeout=3.0) as client:
        await target.log_in(client)
        sent: list[str] = []
        client.hooks.on("before_request", lambda event: sent.append(event.method))
        mark = _mark(proxy)
        too_large = r"HTTP 413 .*\(1\d\d,\d{3} bytes\).*client_max_body_size"
        with pytest.raises(RequestTooLargeError, match=too_large) as info:
            await client.create("res.partner", {"name": tag, "comment": "x" * 100_000})
        assert info.value.http_status == 413 and info.value.bytes_sent > 100_000
        assert info.value.__notes__ == ["while calling res.partner.create"]  # not "may have run": it did not
        assert sent.count("create") == 1  # not retried
        logged = proxy.access_log(at_least=mark + len(sent))[mark:]
        refused = [entry for entry in logged if entry.status != 200]
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0  # never reached Odoo
    # nginx answered; over HTTP/1.1 even with HTTP/2 on (zenoo.transport.HTTP2_MAX_BODY)
    assert [(entry.status, entry.upstream_status, entry.protocol) for entry in refused] == [(413, "", "HTTP/1.1")]


async def test_a_bulk_create_chunk_over_the_limit_fails_and_is_not_unknown(target, nginx, tag: str) -> None:  # type: ignore[no-untyped-def]
    proxy = nginx(target.url, max_body_size="64k")
    async with _client(target, proxy, http2=False, retry=FAST) as client:
        await target.log_in(client)
        rows = [{"name": f"{tag}-{i}", "comment": "x" * 2_000} for i in range(40)]  # 80 kB in one chunk
        with pytest.raises(BatchError) as info:
            await client.bulk_create("res.partner", rows, chunk_size=40, progress=False)
        assert await client.search_count("res.partner", [["name", "like", f"{tag}%"]]) == 0
    (call,) = info.value.result.calls
    assert call.state == "failed" and isinstance(call.error, RequestTooLargeError)


# --- the configuration and its documentation --------------------------------------------------------


def test_the_deploying_doc_quotes_the_configuration_the_tests_run() -> None:
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOYING_DOC.read_text(), flags=re.DOTALL)
    assert CONFIG_TEMPLATE.read_text() in blocks


def test_a_placeholder_without_a_value_is_refused() -> None:
    with pytest.raises(ValueError, match=r"placeholders without a value: \['CERTIFICATE', .*'UPSTREAM'\]"):
        render_config({"PREFIX": "/tmp/x"})
