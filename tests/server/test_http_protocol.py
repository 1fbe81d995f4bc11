"""The embedded server speaks Odoo's protocols the way real Odoo 17 and 19 do, over real HTTP.

Facts stated here (from the captured exchanges of real Odoo 17.0 and 19.0, so they are checked even
where ../shared/odoo-wire is absent):
- JSON-RPC errors come with HTTP 200 and ``error.code`` 200 on 17, 0 on 19; ``error.message`` is
  "Odoo Server Error"; ``error.data`` has name/message/arguments/context/debug.
- ``common.login``/``common.authenticate`` with a wrong password return ``false``, not an error;
  ``execute_kw`` with a wrong password is ``odoo.exceptions.AccessDenied`` "Access Denied".
- A body that is not JSON on /jsonrpc gets ``400 text/html`` "Invalid JSON data".
- ``auth='user'`` web routes without a live session answer code 100 "Odoo Session Expired", ``id: null``.
- ``GET /web/version`` is a 404 HTML page on 17 and ``{"version_info", "version"}`` on 19 (also at /json/version).
- JSON-2 (19 only): 401 + ``WWW-Authenticate: Bearer`` without or with a bad key, 404 JSON for GET or a
  missing method segment, 415 HTML for a non-JSON Content-Type, 400 JSON for a body that is not JSON,
  the no-database 404 HTML page for an unknown X-Odoo-Database, and the single database without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .http_helpers import JSON_CT, error, execute_kw, json2, jsonrpc_body, result, service

DATA_KEYS = {
    17: ["name", "debug", "message", "arguments", "context"],
    19: ["name", "message", "arguments", "context", "debug"],
}
JSON2_KEYS = ["name", "message", "arguments", "context", "debug"]


@pytest.fixture(params=[17, 19])
def server(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(f"odoo_server_{request.param}")


@pytest.fixture
def server19(odoo_server_19: Any) -> Any:
    return odoo_server_19


@pytest.fixture
def http(server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def http19(server19: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server19.url, timeout=30) as client:
        yield client


def _serie(server: Any) -> str:
    return f"{server.version}.0"


# --- /jsonrpc: common and db services -------------------------------------------------------------


def test_common_version_is_the_version_info_of_the_imitated_odoo(server: Any, http: httpx.Client) -> None:
    response = service(http, "common", "version")
    assert response.headers["content-type"] == JSON_CT
    assert response.json() == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": {
            "server_version": _serie(server),
            "server_version_info": [server.version, 0, 0, "final", 0, ""],
            "server_serie": _serie(server),
            "protocol_version": 1,
        },
    }


def test_login_and_authenticate_return_the_uid_or_false(server: Any, http: httpx.Client) -> None:
    admin = server.users["admin"]
    assert result(service(http, "common", "login", server.database, "admin", admin.password)) == admin.uid
    assert (
        result(service(http, "common", "authenticate", server.database, "admin", admin.password, {}))
        == admin.uid
    )
    assert result(service(http, "common", "login", server.database, "admin", "wrong-password")) is False
    assert result(service(http, "common", "authenticate", server.database, "admin", "wrong", {})) is False
    assert result(service(http, "common", "authenticate", server.database, "nobody", "x", {})) is False


def test_an_api_key_works_as_the_password(server: Any, http: httpx.Client) -> None:
    admin = server.users["admin"]
    assert (
        result(service(http, "common", "authenticate", server.database, "admin", admin.api_key, {}))
        == admin.uid
    )
    count = result(
        execute_kw(http, server, "admin", "res.partner", "search_count", [[]], secret=admin.api_key)
    )
    assert isinstance(count, int) and count > 0


def test_execute_kw_with_a_wrong_password_is_access_denied(server: Any, http: httpx.Client) -> None:
    err = error(execute_kw(http, server, "admin", "res.partner", "search_count", [[]], secret="wrong"))
    assert err["code"] == (200 if server.version == 17 else 0)
    assert err["message"] == "Odoo Server Error"
    assert list(err["data"]) == DATA_KEYS[server.version]
    assert err["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert err["data"]["message"] == "Access Denied"
    assert err["data"]["arguments"] == ["Access Denied"]
    assert err["data"]["context"] == {}
    assert err["data"]["debug"].endswith("odoo.exceptions.AccessDenied: Access Denied")


def test_execute_kw_on_an_unknown_database_fails_like_postgres(server: Any, http: httpx.Client) -> None:
    admin = server.users["admin"]
    body = jsonrpc_body(
        {
            "service": "object",
            "method": "execute_kw",
            "args": ["no_such_db", admin.uid, admin.password, "res.partner", "search_count", [[]]],
        }
    )
    err = error(http.post("/jsonrpc", json=body))
    assert err["data"]["name"] == "psycopg2.OperationalError"
    assert '"no_such_db" does not exist' in err["data"]["message"]


def test_db_service(server: Any, http: httpx.Client) -> None:
    assert server.database in result(service(http, "db", "list"))
    assert result(service(http, "db", "server_version")) == _serie(server)
    assert result(service(http, "db", "db_exist", server.database)) is True
    denied = error(service(http, "db", "drop", "master-password", server.database))
    assert denied["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_common_unknown_method(server: Any, http: httpx.Client) -> None:
    err = error(service(http, "common", "no_such_method"))
    assert err["data"]["name"] == "builtins.Exception"
    assert err["data"]["message"] == "Method not found: no_such_method"
    assert err["data"]["arguments"] == ["Method not found: no_such_method"]


def test_malformed_json_is_a_400_text_page(http: httpx.Client) -> None:
    response = http.post(
        "/jsonrpc",
        content=b'{"jsonrpc": "2.0", "method": "call", "params": {',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "Invalid JSON data"


def test_a_non_json_content_type_on_a_json_route_is_415(http: httpx.Client) -> None:
    response = http.post("/jsonrpc", content=b"{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "is type=&#39;json&#39;" in response.text


def test_rpc_id_is_echoed(server: Any, http: httpx.Client) -> None:
    body = jsonrpc_body({"service": "common", "method": "version", "args": []}, rpc_id=4242)
    assert http.post("/jsonrpc", json=body).json()["id"] == 4242


# --- /web routes and sessions ---------------------------------------------------------------------


def _cookie_attributes(header: str) -> list[str]:
    return [part.strip().split("=")[0] for part in header.split(";")]


def test_version_info_route_hands_out_a_session_cookie(server: Any, http: httpx.Client) -> None:
    response = http.post("/web/webclient/version_info", json=jsonrpc_body({}, 7))
    assert result(response)["server_version_info"][0] == server.version
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("session_id=")
    assert _cookie_attributes(cookie) == ["session_id", "Expires", "Max-Age", "HttpOnly", "Path"]
    assert "Max-Age=604800" in cookie and "Path=/" in cookie


def test_call_kw_without_a_session_is_session_expired(server: Any, http: httpx.Client) -> None:
    body = jsonrpc_body(
        {"model": "res.partner", "method": "search_read", "args": [[]], "kwargs": {"limit": 1}}, 125
    )
    response = http.post("/web/dataset/call_kw/res.partner/search_read", json=body)
    assert response.status_code == 200
    payload = response.json()
    assert payload["id"] is None
    assert payload["error"]["code"] == 100
    assert payload["error"]["message"] == "Odoo Session Expired"
    assert payload["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    assert payload["error"]["data"]["message"] == "Session expired"
    assert "set-cookie" not in response.headers


def test_web_session_lifecycle(server: Any) -> None:
    admin = server.users["admin"]
    call_count = jsonrpc_body(
        {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}}, 3
    )
    with httpx.Client(base_url=server.url, timeout=30) as http:
        wrong = http.post(
            "/web/session/authenticate",
            json=jsonrpc_body({"db": server.database, "login": "admin", "password": "wrong"}),
        )
        assert error(wrong)["data"]["name"] == "odoo.exceptions.AccessDenied"
        assert "set-cookie" not in wrong.headers

        login = http.post(
            "/web/session/authenticate",
            json=jsonrpc_body({"db": server.database, "login": "admin", "password": admin.password}),
        )
        info = result(login)
        assert info["uid"] == admin.uid and info["db"] == server.database
        assert info["user_context"]["uid"] == admin.uid
        cookies = login.headers.get_list("set-cookie")
        assert len(cookies) == (2 if server.version == 19 else 1)  # Odoo 19 repeats it
        sid = cookies[0].split(";")[0].split("=", 1)[1]
        assert len(set(cookies)) == 1 and len(sid) >= 32

        first = http.post("/web/dataset/call_kw/res.partner/search_count", json=call_count)
        second = http.post("/web/dataset/call_kw", json=call_count)
        assert isinstance(result(first), int) and isinstance(result(second), int)
        # Odoo 19 saves the session (its device trace) on the first authenticated request after login
        resent = [c.split(";")[0] for c in first.headers.get_list("set-cookie")]
        assert resent == ([f"session_id={sid}"] if server.version == 19 else [])
        assert "set-cookie" not in second.headers

        info_response = http.post("/web/session/get_session_info", json=jsonrpc_body({}))
        assert result(info_response)["uid"] == admin.uid
        assert info_response.headers["set-cookie"].startswith(f"session_id={sid};")

        destroyed = http.post("/web/session/destroy", json=jsonrpc_body({}, 9))
        assert destroyed.json() == {"jsonrpc": "2.0", "id": 9}  # no "result" key at all
        names = [c.split("=", 1)[0] for c in destroyed.headers.get_list("set-cookie")]
        assert names == ["cids", "session_id"]
        assert f"session_id={sid};" not in destroyed.headers.get_list("set-cookie")[1]

    with httpx.Client(base_url=server.url, timeout=30, cookies={"session_id": sid}) as stale:
        after = stale.post("/web/dataset/call_kw/res.partner/search_count", json=call_count)
        assert after.json()["error"]["code"] == 100


def test_expire_sessions_logs_everyone_out(odoo_server_factory: Any) -> None:
    server = odoo_server_factory(version=17)
    admin = server.users["admin"]
    call_count = jsonrpc_body({"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}})
    with httpx.Client(base_url=server.url, timeout=30) as http:
        result(
            http.post(
                "/web/session/authenticate",
                json=jsonrpc_body({"db": server.database, "login": "admin", "password": admin.password}),
            )
        )
        assert isinstance(result(http.post("/web/dataset/call_kw", json=call_count)), int)
        assert server.expire_sessions() == 1
        assert http.post("/web/dataset/call_kw", json=call_count).json()["error"]["code"] == 100


def test_session_authenticate_on_an_unknown_database(server: Any, http: httpx.Client) -> None:
    err = error(
        http.post(
            "/web/session/authenticate",
            json=jsonrpc_body({"db": "no_such_db", "login": "admin", "password": "x"}),
        )
    )
    assert err["data"]["name"] == "odoo.exceptions.AccessError"
    assert err["data"]["message"] == "Database not found."


def test_call_kw_errors_use_the_version_error_code(server: Any) -> None:
    admin = server.users["admin"]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        result(
            http.post(
                "/web/session/authenticate",
                json=jsonrpc_body({"db": server.database, "login": "admin", "password": admin.password}),
            )
        )
        body = jsonrpc_body(
            {"model": "res.partner", "method": "no_such_method", "args": [[]], "kwargs": {}}, 129
        )
        err = error(http.post("/web/dataset/call_kw/res.partner/no_such_method", json=body))
    assert err["code"] == (200 if server.version == 17 else 0)
    assert err["data"]["name"] == "builtins.AttributeError"
    assert "no_such_method" in err["data"]["message"]


def test_bearer_key_is_ignored_on_web_routes(server: Any, http: httpx.Client) -> None:
    body = jsonrpc_body({"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}})
    response = http.post(
        "/web/dataset/call_kw/res.partner/search_count",
        json=body,
        headers={"Authorization": f"bearer {server.users['admin'].api_key}"},
    )
    assert response.json()["error"]["code"] == 100


# --- plain HTTP routes ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/web/version", "/json/version"])
def test_get_version(server: Any, http: httpx.Client, path: str) -> None:
    response = http.get(path)
    if server.version == 17:  # no such route on 17: the website's 404 page
        assert response.status_code == 404
        assert response.headers["content-type"] == "text/html;charset=utf-8"
        assert [c.split("=", 1)[0] for c in response.headers.get_list("set-cookie")] == [
            "frontend_lang",
            "session_id",
        ]
    else:
        assert response.status_code == 200
        assert response.headers["content-type"] == JSON_CT
        assert response.json() == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}
        assert response.headers["set-cookie"].startswith("session_id=")


def test_unknown_path_is_a_404_page(http: httpx.Client) -> None:
    response = http.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


# --- JSON-2 ---------------------------------------------------------------------------------------


def test_json2_does_not_exist_on_17(odoo_server_17: Any) -> None:
    with httpx.Client(base_url=odoo_server_17.url) as http:
        response = json2(http, odoo_server_17, "res.partner", "search_count", {"domain": []})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_json2_calls_return_bare_values(server19: Any, http19: httpx.Client) -> None:
    count = json2(http19, server19, "res.partner", "search_count", {"domain": []})
    assert count.status_code == 200 and count.headers["content-type"] == JSON_CT
    assert isinstance(count.json(), int)
    created = json2(
        http19,
        server19,
        "res.partner",
        "create",
        {"vals_list": [{"name": "h2-json2-a"}, {"name": "h2-json2-b"}]},
    )
    ids = created.json()
    assert created.status_code == 200 and len(ids) == 2 and all(isinstance(i, int) for i in ids)
    single = json2(http19, server19, "res.partner", "create", {"vals_list": {"name": "h2-json2-c"}})
    assert single.status_code == 200 and isinstance(single.json(), list) and len(single.json()) == 1
    assert (
        json2(
            http19, server19, "res.partner", "write", {"ids": ids, "vals": {"email": "h2@example.com"}}
        ).json()
        is True
    )
    rows = json2(http19, server19, "res.partner", "read", {"ids": ids, "fields": ["name", "email"]}).json()
    assert [(r["id"], r["name"], r["email"]) for r in rows] == [
        (ids[0], "h2-json2-a", "h2@example.com"),
        (ids[1], "h2-json2-b", "h2@example.com"),
    ]
    assert json2(http19, server19, "res.partner", "unlink", {"ids": ids + single.json()}).json() is True


def _assert_json2_error(response: httpx.Response, status: int, name: str, message: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON_CT
    body = response.json()
    assert list(body) == JSON2_KEYS
    assert body["name"] == name and body["message"] == message and body["context"] == {}
    assert isinstance(body["debug"], str) and body["debug"]
    return body


def test_json2_without_or_with_a_bad_key_is_401(server19: Any, http19: httpx.Client) -> None:
    no_auth = http19.post(
        "/json/2/res.partner/search_count",
        json={"domain": []},
        headers={"X-Odoo-Database": server19.database},
    )
    body = _assert_json2_error(
        no_auth,
        401,
        "werkzeug.exceptions.Unauthorized",
        "User not authenticated, use an API Key with a Bearer Authorization header.",
    )
    assert body["arguments"] == [body["message"], 401]
    assert no_auth.headers["www-authenticate"] == "Bearer"
    bad = json2(
        http19,
        server19,
        "res.partner",
        "search_count",
        {"domain": []},
        headers={"Authorization": "bearer 0123456789abcdef0123456789abcdef01234567"},
    )
    _assert_json2_error(bad, 401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
    assert bad.headers["www-authenticate"] == "Bearer"


def test_json2_wrong_route_shapes_are_404_json(server19: Any, http19: httpx.Client) -> None:
    headers = {
        "Authorization": f"bearer {server19.users['admin'].api_key}",
        "X-Odoo-Database": server19.database,
    }
    message = "Did you mean POST /json/2/<model>/<method>?"
    get = http19.get("/json/2/res.partner/search_count", headers=headers)
    body = _assert_json2_error(get, 404, "werkzeug.exceptions.NotFound", message)
    assert body["arguments"] == [message, 404]
    no_method = http19.post("/json/2/res.partner", json={}, headers=headers)
    _assert_json2_error(no_method, 404, "werkzeug.exceptions.NotFound", message)


def test_json2_content_type_must_be_json(server19: Any, http19: httpx.Client) -> None:
    response = http19.post(
        "/json/2/res.partner/search_count",
        content=b'{"domain": []}',
        headers={"Content-Type": "text/plain", "Authorization": f"bearer {server19.users['admin'].api_key}"},
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "&#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is type=&#39;json2&#39;" in response.text


def test_json2_malformed_body_is_400_json(server19: Any, http19: httpx.Client) -> None:
    response = http19.post(
        "/json/2/res.partner/search_count",
        content=b'{"domain": [',
        headers={
            "Content-Type": "application/json",
            "Authorization": f"bearer {server19.users['admin'].api_key}",
        },
    )
    message = "could not parse the body as json: Expecting value: line 1 column 13 (char 12)"
    body = _assert_json2_error(response, 400, "werkzeug.exceptions.BadRequest", message)
    assert body["arguments"] == [message, 400]


def test_json2_database_header(server19: Any, http19: httpx.Client) -> None:
    wrong = json2(
        http19,
        server19,
        "res.partner",
        "search_count",
        {"domain": []},
        headers={"X-Odoo-Database": "no_such_db"},
    )
    assert wrong.status_code == 404
    assert wrong.headers["content-type"] == "text/html; charset=utf-8"
    assert "No database is selected" in wrong.text
    without = http19.post(
        "/json/2/res.partner/search_count",
        json={"domain": []},
        headers={"Authorization": f"bearer {server19.users['admin'].api_key}"},
    )
    assert without.status_code == 200 and isinstance(without.json(), int)


def test_json2_renders_orm_errors_with_their_status(server19: Any, http19: httpx.Client) -> None:
    missing = json2(http19, server19, "res.partner", "write", {"ids": [99999999], "vals": {"name": "ghost"}})
    assert missing.status_code == 404 and missing.json()["name"] == "odoo.exceptions.MissingError"
    unknown = json2(http19, server19, "no.such.model", "search", {"domain": []})
    assert unknown.status_code == 404 and unknown.json()["name"] == "werkzeug.exceptions.NotFound"
    empty = json2(http19, server19, "res.partner", "search_count", {})
    assert empty.status_code == 422 and empty.json()["name"] == "werkzeug.exceptions.UnprocessableEntity"
    denied = json2(
        http19, server19, "res.groups", "create", {"vals_list": [{"name": "h2-group"}]}, login="demo"
    )
    assert denied.status_code == 403 and denied.json()["name"] == "odoo.exceptions.AccessError"
