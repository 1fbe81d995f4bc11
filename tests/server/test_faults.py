"""Fault injection: 503 with Retry-After, real dropped connections before/after the call, latency, slow bodies.

Each test starts a private server (``odoo_server_factory``) so counts and faults are its own.
Outcomes are made certain with rates of 1.0 and ``count``, or reproducible with a seed.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from zenoo.testing.faults import FaultInjector

from .http_helpers import execute_kw, json2, result


def _partner_count(http: httpx.Client, server: Any, name: str) -> int:
    return result(execute_kw(http, server, "admin", "res.partner", "search_count", [[["name", "=", name]]]))


@pytest.fixture
def server(odoo_server_factory: Any) -> Any:
    return odoo_server_factory(version=19)


@pytest.fixture
def http(server: Any) -> Any:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_503_with_retry_after_for_the_next_n_requests(server: Any, http: httpx.Client) -> None:
    server.faults.set(error_503_rate=1.0, retry_after=3, count=2)
    for _ in range(2):
        response = json2(http, server, "res.partner", "search_count", {"domain": []})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "3"
    assert json2(http, server, "res.partner", "search_count", {"domain": []}).status_code == 200
    assert server.faults.remaining == 0
    assert [(r.status, r.fault, r.executed) for r in server.requests] == [
        (503, "503", False),
        (503, "503", False),
        (200, None, True),
    ]


def test_drop_before_the_call_closes_the_connection_and_nothing_is_written(
    server: Any, http: httpx.Client
) -> None:
    server.faults.set(drop_rate=1.0, drop_phase="before", count=1, methods=["create"])
    with pytest.raises(httpx.RemoteProtocolError):
        execute_kw(http, server, "admin", "res.partner", "create", [{"name": "h2-drop-before"}])
    record = server.requests[-1]
    assert (record.method, record.status, record.fault, record.executed) == (
        "create",
        None,
        "drop-before",
        False,
    )
    assert _partner_count(http, server, "h2-drop-before") == 0


def test_drop_after_the_call_closes_the_connection_but_the_write_happened(
    server: Any, http: httpx.Client
) -> None:
    server.faults.set(drop_rate=1.0, drop_phase="after", count=1, methods=["create"])
    with pytest.raises(httpx.RemoteProtocolError):
        execute_kw(http, server, "admin", "res.partner", "create", [{"name": "h2-drop-after"}])
    record = server.requests[-1]
    assert (record.status, record.fault, record.executed) == (None, "drop-after", True)
    assert _partner_count(http, server, "h2-drop-after") == 1


def test_a_dropped_connection_is_a_different_connection_afterwards(server: Any, http: httpx.Client) -> None:
    json2(http, server, "res.partner", "search_count", {"domain": []})
    server.faults.set(drop_rate=1.0, count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        json2(http, server, "res.partner", "search_count", {"domain": []})
    json2(http, server, "res.partner", "search_count", {"domain": []})
    first, dropped, after = server.requests
    assert first.connection_id == dropped.connection_id != after.connection_id


def test_faults_can_target_methods_and_paths(server: Any, http: httpx.Client) -> None:
    server.faults.set(error_503_rate=1.0, methods=["search_read"])
    assert json2(http, server, "res.partner", "search_count", {"domain": []}).status_code == 200
    assert json2(http, server, "res.partner", "search_read", {"domain": [], "limit": 1}).status_code == 503
    server.faults.set(error_503_rate=1.0, paths=["/jsonrpc"])
    assert json2(http, server, "res.partner", "search_read", {"domain": [], "limit": 1}).status_code == 200
    assert execute_kw(http, server, "admin", "res.partner", "search_count", [[]]).status_code == 503
    server.faults.clear()
    assert execute_kw(http, server, "admin", "res.partner", "search_count", [[]]).status_code == 200


def test_latency_and_slow_body_are_recorded_and_the_answer_is_complete(
    server: Any, http: httpx.Client
) -> None:
    server.faults.set(latency=0.01, count=1)
    assert json2(http, server, "res.partner", "search_count", {"domain": []}).status_code == 200
    server.faults.set(slow_body=0.05, slow_body_chunks=5, count=1)
    rows = json2(http, server, "res.partner", "search_read", {"domain": [], "fields": ["name"], "limit": 20})
    assert rows.status_code == 200 and len(rows.json()) == 20
    assert [r.fault for r in server.requests] == ["latency", "slow-body"]


def test_a_slow_body_trips_a_read_timeout(server: Any) -> None:
    server.faults.set(slow_body=5.0, slow_body_chunks=2, count=1)
    with (
        httpx.Client(base_url=server.url, timeout=httpx.Timeout(10.0, read=0.2)) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        json2(http, server, "res.partner", "search_count", {"domain": []})


def test_stopping_during_a_slow_body_logs_no_error(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The connection still sending its slow body is cancelled by the stop: not an error to log."""
    server.faults.set(slow_body=2.0, slow_body_chunks=4, count=1)
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(10.0, read=0.2)) as http:
        with pytest.raises(httpx.ReadTimeout):
            json2(http, server, "res.partner", "search_count", {"domain": []})
        with caplog.at_level(logging.ERROR):
            server.stop()
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_latency_holds_the_answer_back_until_a_read_timeout(server: Any) -> None:
    server.faults.set(latency=5.0, count=1)
    with (
        httpx.Client(base_url=server.url, timeout=httpx.Timeout(10.0, read=0.2)) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        json2(http, server, "res.partner", "search_count", {"domain": []})
    assert server.faults.remaining == 0


def test_the_same_seed_gives_the_same_faults() -> None:
    def draws(seed: int) -> list[str | None]:
        injector = FaultInjector()
        injector.set(error_503_rate=0.3, drop_rate=0.2, seed=seed)
        return [injector.decide("/jsonrpc", "read").label for _ in range(200)]

    first = draws(7)
    assert first == draws(7)
    assert first != draws(8)
    assert {"503", "drop-before", None} == set(first)
    assert 20 < first.count("503") < 100  # about 30 % of 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"error_503_rate": 1.5}, "error_503_rate"),
        ({"drop_rate": -0.1}, "drop_rate"),
        ({"error_503_rate": 0.6, "drop_rate": 0.6}, "cannot exceed 1"),
        ({"drop_phase": "during"}, "drop_phase"),
        ({"latency": -1}, "latency"),
        ({"count": -2}, "count"),
        ({"slow_body_chunks": 0}, "slow_body_chunks"),
    ],
)
def test_bad_fault_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultInjector().set(**options)


def test_methods_must_be_a_list_not_a_string() -> None:
    with pytest.raises(TypeError, match="list of names"):
        FaultInjector().set(error_503_rate=1.0, methods="create")


def test_a_write_that_meets_a_concurrent_update_is_rolled_back_as_odoo_does(
    server: Any, http: httpx.Client
) -> None:
    """``load`` reports PostgreSQL's serialization failure on each row and writes none (as real Odoo
    19 answered two loads setting one parent at once); another method raises it."""
    ids = result(execute_kw(http, server, "admin", "res.partner", "create", [[{"name": "cu-1"}, {"name": "cu-2"}]]))
    server.faults.set(concurrent_update_rate=1.0, methods=["load", "write"], count=2)
    rows = [[str(i), f"cu-ref-{i}"] for i in ids]
    answer = result(execute_kw(http, server, "admin", "res.partner", "load", [[".id", "ref"], rows]))
    message = "could not serialize access due to concurrent update\n"
    assert answer["ids"] is False
    assert answer["messages"] == [
        {"rows": {"from": n, "to": n}, "record": n, "type": "error", "message": message} for n in range(2)
    ]
    error = execute_kw(http, server, "admin", "res.partner", "write", [ids, {"ref": "cu-written"}]).json()["error"]
    assert (error["data"]["name"], error["data"]["message"]) == ("psycopg2.errors.SerializationFailure", message)
    assert [r.fault for r in server.requests[-2:]] == ["concurrent-update"] * 2
    read = result(execute_kw(http, server, "admin", "res.partner", "read", [ids, ["ref"]]))
    assert [r["ref"] for r in read] == [False, False]  # nothing written
    answer = result(execute_kw(http, server, "admin", "res.partner", "load", [[".id", "ref"], rows]))
    assert answer["messages"] == [] and answer["ids"] == ids  # the plan's two requests are over
