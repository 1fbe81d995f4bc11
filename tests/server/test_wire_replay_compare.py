"""The comparison used by the conformance replay notices the differences that matter (synthetic exchanges)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx

from .wire_replay import IdMap, Replay, compare, same_shape


def _replay() -> Replay:
    replay = Replay.__new__(Replay)
    replay.captured_db = "odoo17"
    replay.server = SimpleNamespace(database="zenoo17")
    replay.ids = IdMap(
        lambda model: {"category_id": {"type": "many2many", "relation": "res.partner.category"}},
        lambda model, captured, used: 0,
    )
    return replay


def _exchange(body: Any, status: int = 200) -> dict[str, Any]:
    request = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 5,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["odoo17", 2, "<PASSWORD>", "res.partner", "read", [[116]]],
        },
    }
    return {
        "name": "x",
        "purpose": "p",
        "protocol": "jsonrpc",
        "request": {"method": "POST", "path": "/jsonrpc", "headers": {}, "body": request},
        "response": {
            "status": status,
            "headers": {"Content-Type": "application/json; charset=utf-8"},
            "body": body,
        },
    }


def _answer(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"Content-Type": "application/json; charset=utf-8"})


def test_exact_results_are_translated_and_compared() -> None:
    replay = _replay()
    replay.ids.learn("res.partner", 116, 7)
    replay.ids.learn("res.partner.category", 16, 3)
    captured = {"jsonrpc": "2.0", "id": 5, "result": [{"id": 116, "category_id": [16]}]}
    same = _answer({"jsonrpc": "2.0", "id": 5, "result": [{"id": 7, "category_id": [3]}]})
    assert compare(replay, _exchange(captured), same, mode="exact") == []
    other = _answer({"jsonrpc": "2.0", "id": 5, "result": [{"id": 7, "category_id": [3, 4]}]})
    assert compare(replay, _exchange(captured), other, mode="exact")


def test_errors_compare_name_code_message_and_debug() -> None:
    replay = _replay()
    data = {
        "name": "odoo.exceptions.MissingError",
        "debug": "odoo.exceptions.MissingError: Record 5 gone",
        "message": "Record 5 gone",
        "arguments": ["Record 5 gone"],
        "context": {},
    }
    captured = {
        "jsonrpc": "2.0",
        "id": 5,
        "error": {"code": 200, "message": "Odoo Server Error", "data": data},
    }
    ours = {**data, "message": "Record 9 gone", "arguments": ["Record 9 gone"]}
    good = _answer(
        {"jsonrpc": "2.0", "id": 5, "error": {"code": 200, "message": "Odoo Server Error", "data": ours}}
    )
    assert compare(replay, _exchange(captured), good, mode="shape") == []  # numbers may differ
    wrong_code = _answer(
        {"jsonrpc": "2.0", "id": 5, "error": {"code": 0, "message": "Odoo Server Error", "data": ours}}
    )
    assert any("error.code" in p for p in compare(replay, _exchange(captured), wrong_code, mode="shape"))
    renamed = {**ours, "name": "odoo.exceptions.UserError"}
    wrong_name = _answer(
        {"jsonrpc": "2.0", "id": 5, "error": {"code": 200, "message": "Odoo Server Error", "data": renamed}}
    )
    assert any("error name" in p for p in compare(replay, _exchange(captured), wrong_name, mode="shape"))


def test_status_and_headers_matter() -> None:
    replay = _replay()
    captured = _exchange("Invalid JSON data", status=400)
    captured["response"]["headers"] = {"Content-Type": "text/html; charset=utf-8"}
    ok = httpx.Response(400, text="Invalid JSON data", headers={"Content-Type": "text/html; charset=utf-8"})
    assert compare(replay, captured, ok, mode="shape") == []
    json_page = httpx.Response(400, text="Invalid JSON data", headers={"Content-Type": "application/json"})
    assert compare(replay, captured, json_page, mode="shape")
    assert compare(
        replay,
        captured,
        httpx.Response(500, text="Invalid JSON data", headers={"Content-Type": "text/html; charset=utf-8"}),
        mode="shape",
    )


def test_shapes_allow_data_differences_but_not_structure_changes() -> None:
    captured = [{"id": 1, "name": "A", "country_id": [20, "Belgium"], "category_id": [7], "ref": False}]
    assert (
        same_shape(
            captured, [{"id": 9, "name": "B", "country_id": False, "category_id": [], "ref": "R"}], "r"
        )
        == []
    )
    assert same_shape(
        captured, [{"id": 9, "name": "B", "country_id": 20, "category_id": [], "ref": "R"}], "r"
    )
    assert same_shape(captured, [{"id": 9, "name": "B", "category_id": [], "ref": "R"}], "r")
    assert same_shape({"1": {"symbol": "$"}}, {"1": {"symbol": "$"}, "2": {"symbol": "€"}}, "c") == []
    assert same_shape({"1": {"symbol": "$"}}, {"1": {"symbol": "$", "name": "USD"}}, "c")
