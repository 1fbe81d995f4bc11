"""Starting and stopping the embedded server, its request log, keep-alive vs Connection: close, TLS and HTTP/2."""

from __future__ import annotations

import asyncio
import gc
import socket
import sqlite3
import ssl
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from zenoo.testing import OdooTestServer

from .http_helpers import execute_kw, json2, jsonrpc_body, result, service


def test_invalid_options_are_refused_before_starting() -> None:
    with pytest.raises(ValueError, match="version"):
        OdooTestServer(version=18)
    with pytest.raises(ValueError, match="needs tls=True"):
        OdooTestServer(http2=True)
    with pytest.raises(ValueError, match="connection_close"):
        OdooTestServer(tls=True, http2=True, connection_close=True)
    with pytest.raises(ValueError, match="port"):
        OdooTestServer(port=70000)
    with pytest.raises(ValueError, match="Invalid scale 'huge'"):
        OdooTestServer(scale="huge")
    with pytest.raises(ValueError, match="Invalid scale True"):
        OdooTestServer(scale=True)


def test_properties_need_a_running_server() -> None:
    server = OdooTestServer(version=17)
    with pytest.raises(RuntimeError, match="not running"):
        server.url  # noqa: B018


def test_start_stop_frees_the_port(odoo_server_factory: Any) -> None:
    server = odoo_server_factory(version=17)
    port = server.port
    assert server.url == f"http://127.0.0.1:{port}" and server.running
    server.stop()
    assert not server.running
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free again
    server.stop()  # idempotent


def test_users_repr_hides_secrets(odoo_server_19: Any) -> None:
    users = odoo_server_19.users
    assert set(users) >= {"admin", "demo"}
    admin = users["admin"]
    assert admin.password and admin.api_key and isinstance(admin.uid, int)
    text = repr(users)
    assert admin.password not in text and admin.api_key not in text


def test_request_log_records_each_call_without_secrets(odoo_server_factory: Any) -> None:
    server = odoo_server_factory(version=19)
    admin = server.users["admin"]
    with httpx.Client(base_url=server.url) as http:
        service(http, "common", "authenticate", server.database, "admin", admin.password, {})
        execute_kw(
            http, server, "admin", "res.partner", "search_read", [[["is_company", "=", True]]], {"limit": 2}
        )
        json2(http, server, "res.partner", "search_count", {"domain": []})
        http.post(
            "/web/session/authenticate",
            json=jsonrpc_body({"db": server.database, "login": "admin", "password": admin.password}),
        )
        http.get("/web/version")
    records = server.requests
    assert [(r.protocol, r.path, r.model, r.method, r.status) for r in records] == [
        ("jsonrpc", "/jsonrpc", None, "authenticate", 200),
        ("jsonrpc", "/jsonrpc", "res.partner", "search_read", 200),
        ("json2", "/json/2/res.partner/search_count", "res.partner", "search_count", 200),
        ("web", "/web/session/authenticate", None, None, 200),
        ("http", "/web/version", None, None, 200),
    ]
    assert records[1].params == {"args": [[["is_company", "=", True]]], "kwargs": {"limit": 2}}
    assert records[2].params == {"domain": []}
    assert all(
        r.response_bytes > 0 and r.http_version == "1.1" and r.fault is None and r.executed for r in records
    )
    text = repr(records)
    assert admin.password not in text and admin.api_key not in text
    assert records[0].params["args"][2] == "<redacted>" and records[3].params["password"] == "<redacted>"
    server.reset_requests()
    assert server.requests == []


def test_keep_alive_by_default_and_connection_close_like_bare_odoo(odoo_server_factory: Any) -> None:
    for close, expected in ((False, 1), (True, 3)):
        server = odoo_server_factory(version=17, connection_close=close)
        with httpx.Client(base_url=server.url) as http:
            answers = [service(http, "common", "version") for _ in range(3)]
        assert all(("close" == a.headers.get("connection")) is close for a in answers)
        assert len({r.connection_id for r in server.requests}) == expected


def test_tls_with_http2_multiplexes_on_one_connection(odoo_server_factory: Any) -> None:
    server = odoo_server_factory(version=19, tls=True, http2=True)
    assert server.url.startswith("https://") and server.ca_cert_path.exists()

    async def concurrent_calls() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=server.url, http2=True, verify=ssl.create_default_context(cafile=server.ca_cert_path)
        ) as http:
            headers = {"Authorization": f"bearer {server.users['admin'].api_key}"}
            # one call first: the pool learns the connection speaks h2 before the concurrent ones start
            await http.post("/json/2/res.partner/search_count", json={"domain": []}, headers=headers)
            return await asyncio.gather(
                *(
                    http.post("/json/2/res.partner/search_count", json={"domain": []}, headers=headers)
                    for _ in range(8)
                )
            )

    answers = asyncio.run(concurrent_calls())
    assert {a.http_version for a in answers} == {"HTTP/2"} and {a.status_code for a in answers} == {200}
    assert {(r.http_version, r.connection_id) for r in server.requests} == {
        ("2", server.requests[0].connection_id)
    }


def test_tls_without_http2_speaks_http11(odoo_server_factory: Any) -> None:
    server = odoo_server_factory(version=17, tls=True)
    with httpx.Client(
        base_url=server.url, http2=True, verify=ssl.create_default_context(cafile=server.ca_cert_path)
    ) as http:
        answer = service(http, "common", "version")
    assert answer.http_version == "HTTP/1.1" and answer.status_code == 200
    with httpx.Client(base_url=server.url) as untrusting, pytest.raises(httpx.ConnectError):
        service(untrusting, "common", "version")  # the test CA is not trusted by default


def test_subprocess_server_serves_but_cannot_be_inspected() -> None:
    with OdooTestServer(version=19, subprocess=True) as server:
        admin = server.users["admin"]
        with httpx.Client(base_url=server.url) as http:
            assert (
                result(service(http, "common", "login", server.database, "admin", admin.password))
                == admin.uid
            )
        for attribute in ("requests", "faults"):
            with pytest.raises(RuntimeError, match="subprocess"):
                getattr(server, attribute)
        with pytest.raises(RuntimeError, match="subprocess"):
            server.reset_requests()
    assert not server.running


def test_a_server_without_a_request_log_serves_and_says_it_keeps_none() -> None:
    """``record_requests=False`` (what ``zenoo serve`` uses): nothing kept of each request."""
    with OdooTestServer(version=19, record_requests=False) as server:
        admin = server.users["admin"]
        with httpx.Client(base_url=server.url) as http:
            for _ in range(3):
                assert result(service(http, "common", "login", server.database, "admin", admin.password)) == admin.uid
        assert server._log is None
        with pytest.raises(RuntimeError, match=r"keeps no request log \(record_requests=False\)"):
            _ = server.requests
        with pytest.raises(RuntimeError, match="record_requests=False"):
            server.reset_requests()


def test_plugin_import_does_not_load_the_server() -> None:
    code = (
        "import sys, zenoo.testing.pytest_plugin; "
        "assert 'zenoo.testing.server' not in sys.modules and 'hypercorn' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_busy_port_is_reported_clearly_and_leaves_no_socket_open(odoo_server_19: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(RuntimeError, match="failed to start: .*[Aa]ddress already in use"):
            OdooTestServer(version=19, port=odoo_server_19.port).start()
        gc.collect()  # an unclosed socket warns when it is collected
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_a_drop_on_http2_closes_the_whole_connection(odoo_server_factory: Any) -> None:
    server = odoo_server_factory(version=19, tls=True, http2=True)
    server.faults.set(drop_rate=1.0, count=1, methods=["search_read"])
    context = ssl.create_default_context(cafile=server.ca_cert_path)
    with httpx.Client(base_url=server.url, http2=True, verify=context) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            json2(http, server, "res.partner", "search_read", {"domain": [], "limit": 1})
        assert json2(http, server, "res.partner", "search_count", {"domain": []}).status_code == 200
    dropped, after = server.requests
    assert (dropped.fault, dropped.http_version, after.http_version) == ("drop-before", "2", "2")
    assert dropped.connection_id != after.connection_id


def test_a_server_with_a_database_file_keeps_it_and_restarts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "odoo.sqlite"
    server = OdooTestServer(version=19, scale=10, database_path=path)
    with server, httpx.Client(base_url=server.url) as http:
        made = result(execute_kw(http, server, "admin", "res.partner", "create", [{"name": "kept"}]))
    assert path.stat().st_size > 0  # left there to inspect
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM res_partner WHERE id = ?", (made,)).fetchone() == ("kept",)
    with server, httpx.Client(base_url=server.url) as http:  # the same server again: a fresh database
        assert result(execute_kw(http, server, "admin", "res.partner", "search", [[["name", "=", "kept"]]])) == []
    with pytest.raises(ValueError, match="already exists"):  # another server does not take it over
        OdooTestServer(version=19, database_path=path)
