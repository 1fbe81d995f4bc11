"""Small helpers for talking to the embedded server over real HTTP with plain httpx."""

from __future__ import annotations

from typing import Any

import httpx

JSON_CT = "application/json; charset=utf-8"


def jsonrpc_body(params: dict[str, Any], rpc_id: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "call", "params": params, "id": rpc_id}


def service(client: httpx.Client, service_name: str, method: str, *args: Any) -> httpx.Response:
    """POST /jsonrpc calling ``service_name.method(*args)``."""
    return client.post(
        "/jsonrpc", json=jsonrpc_body({"service": service_name, "method": method, "args": list(args)})
    )


def execute_kw(
    client: httpx.Client,
    server: Any,
    login: str,
    model: str,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any] | None = None,
    *,
    secret: str | None = None,
) -> httpx.Response:
    user = server.users[login]
    call = [server.database, user.uid, secret if secret is not None else user.password, model, method, args]
    if kwargs is not None:
        call.append(kwargs)
    return client.post(
        "/jsonrpc", json=jsonrpc_body({"service": "object", "method": "execute_kw", "args": call})
    )


def json2(
    client: httpx.Client,
    server: Any,
    model: str,
    method: str,
    body: Any,
    *,
    login: str = "admin",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"Authorization": f"bearer {server.users[login].api_key}", "X-Odoo-Database": server.database}
    sent.update(headers or {})
    return client.post(f"/json/2/{model}/{method}", json=body, headers=sent)


def result(response: httpx.Response) -> Any:
    """The ``result`` of a successful JSON-RPC answer (fails the test with the error otherwise)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "error" not in body, body["error"]
    return body.get("result")


def error(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` of a JSON-RPC answer (HTTP 200 with an error envelope)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "error" in body, body
    return body["error"]
