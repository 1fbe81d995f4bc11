"""Every Odoo error maps to a documented exception class and keeps what Odoo sent.

Checked twice: with every error answer captured from real Odoo 17 and 19 (``wire_dir``), and with
in-code bodies that state the facts relied on, so the mapping is tested even without the captures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from zenoo import (
    AccessError,
    AuthenticationError,
    MethodNotFoundError,
    MissingError,
    OdooServerError,
    ProtocolError,
    ProtocolNotSupportedError,
    SessionExpiredError,
    UserError,
    ValidationError,
    ZenooError,
)
from zenoo.protocols.json2 import Json2Protocol
from zenoo.protocols.jsonrpc import JsonRpcProtocol
from zenoo.transport import HttpResponse

# exchange name -> the class it must raise (exactly that class, not a subclass)
EXPECTED: dict[str, type[ZenooError]] = {
    "execute-kw-wrong-password": AuthenticationError,
    "common-unknown-method": MethodNotFoundError,
    "jsonrpc-malformed-json": ProtocolError,
    "search-invalid-field": OdooServerError,
    "search-invalid-operator": OdooServerError,
    "search-malformed-leaf": OdooServerError,
    "unknown-model": MethodNotFoundError,
    "unknown-method": MethodNotFoundError,
    "private-method": AccessError,
    "unexpected-kwarg": OdooServerError,
    "write-missing-id": MissingError,
    "write-bad-selection": OdooServerError,
    "bad-many2one-id": MissingError,
    "unlink-missing": MissingError,
    "validation-error-recursion": ValidationError,
    "validation-error-unique-login": ValidationError,
    "required-field-missing": ValidationError,
    "required-field-false": ValidationError,
    "access-error-write-other-user": AccessError,
    "access-error-create-group": AccessError,
    "access-error-unlink-company": AccessError,
    "access-error-read-config": AccessError,
    "private-read-group": AccessError,
    "formatted-read-group-absent": MethodNotFoundError,
    "search-fetch": AccessError,  # private on Odoo 19
    "load-unknown-field": OdooServerError,
    "web-call-kw-no-session": SessionExpiredError,
    "web-session-authenticate-wrong": AuthenticationError,
    "web-call-kw-unknown-method": MethodNotFoundError,
    "web-call-kw-missing": MissingError,
    "web-call-kw-after-destroy": SessionExpiredError,
    "json2-bearer-on-web-route": SessionExpiredError,
    "json2-empty-body": OdooServerError,
    "json2-no-auth": AuthenticationError,
    "json2-invalid-key": AuthenticationError,
    "json2-wrong-db-header": ProtocolError,
    "json2-unknown-model": MethodNotFoundError,
    "json2-unknown-method": MethodNotFoundError,
    "json2-private-method": AccessError,
    "json2-ids-on-model-method": OdooServerError,
    "json2-unexpected-arg": OdooServerError,
    "json2-missing-error": MissingError,
    "json2-validation-error": ValidationError,
    "json2-required-field": ValidationError,
    "json2-access-error-demo": AccessError,
    "json2-access-error-demo-write-user": AccessError,
    "json2-invalid-field-domain": OdooServerError,
    "json2-invalid-operator": OdooServerError,
    "json2-malformed-json": OdooServerError,
    "json2-text-content-type": ProtocolError,
    "json2-get": MethodNotFoundError,
    "json2-no-method-segment": MethodNotFoundError,
}
# Error answers that are not call errors: the version probe treats them as "no /web/version".
NOT_CALL_ERRORS = {"http-web-version"}


def _response(exchange: dict[str, Any]) -> HttpResponse:
    response = exchange["response"]
    body = response["body"]
    content = body.encode() if isinstance(body, str) else orjson.dumps(body)
    return HttpResponse(
        url="http://odoo.test" + exchange["request"]["path"],
        status=response["status"],
        content=content,
        content_type=response["headers"].get("Content-Type", ""),
        http_version="HTTP/1.1",
        bytes_sent=0,
    )


def _is_error(exchange: dict[str, Any]) -> bool:
    response = exchange["response"]
    body = response["body"]
    return response["status"] != 200 or (isinstance(body, dict) and "error" in body)


def _parse(exchange: dict[str, Any]) -> Any:
    adapter = Json2Protocol() if exchange["protocol"] == "json2" else JsonRpcProtocol()
    return adapter.parse(_response(exchange))


def _error_exchanges(wire_dir: Path) -> list[tuple[int, dict[str, Any]]]:
    found = []
    for version in (17, 19):
        capture = json.loads((wire_dir / f"odoo{version}.json").read_text())
        found += [(version, ex) for ex in capture["exchanges"] if _is_error(ex)]
    return found


def test_every_captured_error_maps_to_its_class(wire_dir: Path) -> None:
    checked = 0
    for version, exchange in _error_exchanges(wire_dir):
        name = exchange["name"]
        if name in NOT_CALL_ERRORS:
            continue
        assert name in EXPECTED, f"Odoo {version} error {name!r} has no expected class: add it"
        with pytest.raises(ZenooError) as info:
            _parse(exchange)
        assert type(info.value) is EXPECTED[name], f"Odoo {version} {name}: got {type(info.value).__name__}"
        checked += 1
    assert checked >= 70  # both versions' error answers were really exercised


def test_captured_server_errors_keep_what_odoo_sent(wire_dir: Path) -> None:
    for version, exchange in _error_exchanges(wire_dir):
        body = exchange["response"]["body"]
        if not isinstance(body, dict):
            continue
        with pytest.raises(ZenooError) as info:
            _parse(exchange)
        error = info.value
        assert isinstance(error, OdooServerError)
        odoo = body["error"]["data"] if "error" in body else body
        assert error.odoo_name == odoo["name"]
        assert error.message == odoo["message"]
        assert error.arguments == tuple(odoo["arguments"])
        assert error.debug == odoo["debug"]
        assert odoo["name"] in str(error) and odoo["message"] in str(error)
        if "error" in body:
            assert error.code == body["error"]["code"]
            assert error.http_status is None
        else:
            assert error.http_status == exchange["response"]["status"]


def test_captured_successes_parse_to_their_result(wire_dir: Path) -> None:
    for version in (17, 19):
        capture = json.loads((wire_dir / f"odoo{version}.json").read_text())
        for exchange in capture["exchanges"]:
            body = exchange["response"]["body"]
            if _is_error(exchange) or exchange["protocol"] == "http" or "__omitted__" in str(body)[:40]:
                continue
            expected = body if exchange["protocol"] == "json2" else body.get("result")
            assert _parse(exchange) == expected, exchange["name"]


# --- in-code fixtures: the facts above, stated here --------------------------------------------------


def _jsonrpc_error(name: str, message: str, code: int = 200) -> HttpResponse:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {
            "code": code,
            "message": "Odoo Server Error",
            "data": {
                "name": name,
                "message": message,
                "arguments": [message],
                "context": {},
                "debug": f"Traceback (most recent call last):\n{name}: {message}",
            },
        },
    }
    return HttpResponse("http://odoo.test/jsonrpc", 200, orjson.dumps(body), "application/json", "HTTP/1.1", 0)


def _json2_error(status: int, name: str, message: str) -> HttpResponse:
    body = {"name": name, "message": message, "arguments": [message, status], "context": {}, "debug": "tb"}
    return HttpResponse(
        "http://odoo.test/json/2/res.partner/search", status, orjson.dumps(body),
        "application/json; charset=utf-8", "HTTP/1.1", 0,
    )


@pytest.mark.parametrize(
    ("name", "message", "code", "expected"),
    [
        ("odoo.exceptions.AccessDenied", "Access Denied", 200, AuthenticationError),
        ("odoo.exceptions.AccessError", "You are not allowed to modify 'User' (res.users) records.", 0, AccessError),
        ("odoo.exceptions.AccessError", "Private methods (such as _read_group) cannot be called remotely.", 0, AccessError),
        ("odoo.exceptions.ValidationError", "You cannot create recursive Partner hierarchies.", 0, ValidationError),
        ("odoo.exceptions.MissingError", "Record does not exist or has been deleted.", 200, MissingError),
        ("odoo.exceptions.UserError", "Object no.such.model doesn't exist", 200, MethodNotFoundError),
        ("odoo.exceptions.UserError", "You cannot confirm an order without lines.", 0, UserError),
        ("builtins.AttributeError", "The method 'res.partner.nope' does not exist", 0, MethodNotFoundError),
        ("builtins.AttributeError", "'NoneType' object has no attribute 'id'", 0, OdooServerError),
        ("builtins.Exception", "Method not found: nope", 200, MethodNotFoundError),
        ("builtins.ValueError", "Invalid field res.partner.x in leaf ('x', '=', 1)", 200, OdooServerError),
        ("builtins.TypeError", "search() got an unexpected keyword argument 'x'", 0, OdooServerError),
        ("builtins.KeyError", "no_such_field", 200, OdooServerError),
        ("odoo.http.SessionExpiredException", "Session expired", 100, SessionExpiredError),
    ],
)
def test_jsonrpc_mapping(name: str, message: str, code: int, expected: type[ZenooError]) -> None:
    with pytest.raises(ZenooError) as info:
        JsonRpcProtocol().parse(_jsonrpc_error(name, message, code))
    assert type(info.value) is expected
    assert info.value.message == message and info.value.code == code  # type: ignore[attr-defined]
    assert info.value.debug.endswith(message)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("status", "name", "message", "expected"),
    [
        (401, "werkzeug.exceptions.Unauthorized", "Invalid apikey", AuthenticationError),
        (403, "odoo.exceptions.AccessError", "Private methods (such as 'res.partner._x') cannot be called remotely.", AccessError),
        (404, "werkzeug.exceptions.NotFound", "the model 'no.such.model' does not exist", MethodNotFoundError),
        (404, "odoo.exceptions.MissingError", "Record does not exist or has been deleted.", MissingError),
        (422, "odoo.exceptions.ValidationError", "Missing required value", ValidationError),
        (422, "werkzeug.exceptions.UnprocessableEntity", "missing a required argument: 'domain'", OdooServerError),
        (500, "builtins.ValueError", "Invalid operator in condition", OdooServerError),
    ],
)
def test_json2_mapping(status: int, name: str, message: str, expected: type[ZenooError]) -> None:
    with pytest.raises(ZenooError) as info:
        Json2Protocol().parse(_json2_error(status, name, message))
    assert type(info.value) is expected
    assert info.value.http_status == status  # type: ignore[attr-defined]
    assert info.value.arguments == (message, status)  # type: ignore[attr-defined]


def test_non_json_answers_are_protocol_errors() -> None:
    html = HttpResponse("http://odoo.test/jsonrpc", 500, b"<html>boom</html>", "text/html", "HTTP/1.1", 0)
    with pytest.raises(ProtocolError, match="HTTP 500 .*boom"):
        JsonRpcProtocol().parse(html)
    garbage = HttpResponse("http://odoo.test/jsonrpc", 200, b"not json", "application/json", "HTTP/1.1", 0)
    with pytest.raises(ProtocolError, match="is not JSON"):
        JsonRpcProtocol().parse(garbage)
    no_envelope = HttpResponse("http://odoo.test/jsonrpc", 200, b'{"id": 1}', "application/json", "HTTP/1.1", 0)
    with pytest.raises(ProtocolError, match="not a JSON-RPC 2.0 envelope"):
        JsonRpcProtocol().parse(no_envelope)
    # Odoo leaves "result" out when the method returned None
    none = HttpResponse("http://odoo.test/jsonrpc", 200, b'{"jsonrpc": "2.0", "id": 1}', "application/json", "HTTP/1.1", 0)
    assert JsonRpcProtocol().parse(none) is None
    page = HttpResponse("http://odoo.test/json/2/res.partner/search", 404, b"<title>404</title>", "text/html", "HTTP/1.1", 0)
    with pytest.raises(ProtocolError, match="unknown database"):
        Json2Protocol().parse(page)
    proxied = HttpResponse("http://odoo.test/json/2/res.partner/search", 500, b"<h1>oops</h1>", "text/html", "HTTP/1.1", 0)
    with pytest.raises(ProtocolError, match=r"\(an error page of the server or of a proxy in front of it\)"):
        Json2Protocol().parse(proxied)
    moved = HttpResponse(
        "http://odoo.test/jsonrpc", 301, b"", "text/html", "HTTP/1.1", 0, location="https://odoo.test/jsonrpc"
    )
    with pytest.raises(ProtocolError, match="redirects to 'https://odoo.test/jsonrpc'"):
        JsonRpcProtocol().parse(moved)
    with pytest.raises(ProtocolError, match="redirects to"):
        Json2Protocol().parse(moved)
    gone = HttpResponse("http://odoo.test/jsonrpc", 404, b"<title>404</title>", "text/html", "HTTP/1.1", 0)
    with pytest.raises(ProtocolNotSupportedError, match="no JSON-RPC endpoint"):
        JsonRpcProtocol().parse(gone)
    for protocol, answer in [(JsonRpcProtocol(), html), (JsonRpcProtocol(), garbage), (JsonRpcProtocol(), no_envelope),
                             (Json2Protocol(), page), (Json2Protocol(), moved), (JsonRpcProtocol(), gone)]:  # fmt: skip
        with pytest.raises(ProtocolError) as caught:
            protocol.parse(answer)
        assert caught.value.url == answer.url  # the address that answered, as on a TransportError


def test_one_root_for_everything() -> None:
    import zenoo

    exported = [getattr(zenoo, name) for name in zenoo.__all__]
    errors = [obj for obj in exported if isinstance(obj, type) and issubclass(obj, Exception)]
    assert len(errors) >= 20
    assert all(issubclass(cls, ZenooError) for cls in errors)
