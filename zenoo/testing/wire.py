"""How Odoo 17 and 19 put things on the wire: envelopes, error bodies, cookies and error pages.

Everything here follows the exchanges captured from real Odoo 17.0 and 19.0 servers: JSON-RPC
errors arrive with HTTP 200 and ``error.code`` 200 (17) or 0 (19), session expiry is code 100 with
``id: null``, JSON-2 errors are ``{name, message, arguments, context, debug}`` with an HTTP status,
and Odoo's error ``debug`` text is the tail of a traceback in the style of each version.
"""

from __future__ import annotations

import email.utils
import html
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
SESSION_COOKIE = "session_id"
SESSION_MAX_AGE = 604800  # seconds, as Odoo sends it; Expires is a year ahead, as captured
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


@dataclass
class Response:
    """A complete HTTP answer."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OdooError:
    """An error as Odoo serializes it (``odoo.http.serialize_exception``)."""

    name: str
    message: str
    arguments: list[Any]
    debug: str
    http_status: int = 500

    def data(self, version: int) -> dict[str, Any]:
        """The JSON-RPC ``error.data`` / JSON-2 body, keys in the order the version sends them."""
        if version >= 19:
            return {
                "name": self.name,
                "message": self.message,
                "arguments": self.arguments,
                "context": {},
                "debug": self.debug,
            }
        return {
            "name": self.name,
            "debug": self.debug,
            "message": self.message,
            "arguments": self.arguments,
            "context": {},
        }


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=_ORJSON_OPTIONS)


def json_response(value: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, dumps(value), JSON_CONTENT_TYPE, headers or [])


def jsonrpc_result(rpc_id: Any, result: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    """``{"jsonrpc", "id", "result"}``; a None result is left out, as Odoo does (session/destroy)."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": rpc_id}
    if result is not None:
        body["result"] = result
    return json_response(body, headers=headers)


def jsonrpc_error(version: int, rpc_id: Any, error: OdooError) -> Response:
    """An Odoo server error in a JSON-RPC envelope (always HTTP 200)."""
    code = 0 if version >= 19 else 200
    return json_response(
        {
            "jsonrpc": "2.0",
            "id": rpc_id,
            "error": {"code": code, "message": "Odoo Server Error", "data": error.data(version)},
        }
    )


def session_expired(version: int) -> Response:
    """Code 100 with ``id: null``: what an ``auth='user'`` route answers without a valid session."""
    error = OdooError(
        "odoo.http.SessionExpiredException",
        "Session expired",
        ["Session expired"],
        _traceback(
            version,
            "odoo/addons/base/models/ir_http.py",
            259 if version >= 19 else 140,
            "_auth_method_user",
            'raise http.SessionExpiredException("Session expired")',
            "odoo.http.SessionExpiredException: Session expired",
        ),
    )
    return json_response(
        {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": 100, "message": "Odoo Session Expired", "data": error.data(version)},
        }
    )


def json2_error(version: int, error: OdooError) -> Response:
    """A JSON-2 error: the serialized exception as the whole body, with its HTTP status."""
    headers = [("WWW-Authenticate", "Bearer")] if error.http_status == 401 else []
    return json_response(error.data(version), status=error.http_status, headers=headers)


def _traceback(version: int, path: str, line: int, function: str, source: str, last: str) -> str:
    return f'  File "{path}", line {line}, in {function}\n    {source}\n{last}'


# --- errors the HTTP layer raises itself ----------------------------------------------------------


def access_denied(version: int) -> OdooError:
    """Wrong password or API key on ``execute_kw`` / ``session/authenticate``."""
    last = "odoo.exceptions.AccessDenied: Access Denied"
    debug = (
        last
        if version >= 19
        else _traceback(
            version,
            "odoo/addons/base/models/res_users.py",
            477,
            "_check_credentials",
            "raise AccessDenied()",
            last,
        )
    )
    return OdooError("odoo.exceptions.AccessDenied", "Access Denied", ["Access Denied"], debug, 401)


def python_error(
    version: int, exc_type: str, message: str, path: str, function: str, source: str
) -> OdooError:
    """An error raised by a plain Python exception in Odoo's service code (``builtins.<type>``)."""
    short = exc_type.rsplit(".", 1)[-1]
    debug = _traceback(version, path, 62 if version >= 19 else 58, function, source, f"{short}: {message}")
    return OdooError(exc_type, message, [message], debug)


def database_not_found(version: int, database: str) -> OdooError:
    message = f'connection to server failed: FATAL:  database "{database}" does not exist'
    debug = _traceback(
        version,
        "odoo/sql_db.py",
        693,
        "borrow",
        "result = psycopg2.connect(",
        f"psycopg2.OperationalError: {message}",
    )
    return OdooError("psycopg2.OperationalError", message, [message], debug)


def _werkzeug_error(
    version: int, status: int, message: str, path: str, line: int, function: str, source: str
) -> OdooError:
    """A werkzeug HTTP exception as JSON-2 renders it (``arguments`` = [message, status])."""
    name, title = _WERKZEUG[status]
    last = f"werkzeug.exceptions.{name}: {status} {title}: {message}"
    debug = _traceback(version, path, line, function, source, last)
    return OdooError(f"werkzeug.exceptions.{name}", message, [message, status], debug, status)


_WERKZEUG: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Bad Request"),
    401: ("Unauthorized", "Unauthorized"),
    404: ("NotFound", "Not Found"),
}


def json2_route_not_found(version: int) -> OdooError:
    """``GET /json/2/...`` or a path without a method segment."""
    return _werkzeug_error(
        version,
        404,
        "Did you mean POST /json/2/<model>/<method>?",
        "addons/rpc/controllers/json2.py",
        47,
        "web_json_2_404",
        "raise request.not_found(e)",
    )


def json2_bad_request(version: int, message: str) -> OdooError:
    """A JSON-2 body that does not parse (``could not parse the body as json: <decoder message>``)."""
    return _werkzeug_error(
        version,
        400,
        message,
        "odoo/http.py",
        2601,
        "dispatch",
        "raise werkzeug.exceptions.BadRequest(e) from exc",
    )


def json2_unauthorized(version: int, message: str) -> OdooError:
    """No bearer API key, or an unknown one."""
    return _werkzeug_error(
        version,
        401,
        message,
        "odoo/addons/base/models/ir_http.py",
        250,
        "_auth_method_bearer",
        "raise Unauthorized(e, www_authenticate=WWWAuthenticate('bearer'))",
    )


def internal_error(exc: BaseException) -> OdooError:
    """An unexpected exception inside the embedded server, shaped like Odoo's rendering of one."""
    exc_type = type(exc)
    module = "builtins" if exc_type.__module__ == "builtins" else exc_type.__module__
    message = str(exc)
    return OdooError(f"{module}.{exc_type.__name__}", message, [message], f"{exc_type.__name__}: {message}")


# --- cookies ----------------------------------------------------------------------------------------


def _expires() -> str:
    """A year ahead, in the cookie date format (Odoo's Expires, next to a Max-Age of a week)."""
    return email.utils.format_datetime(datetime.now(UTC) + timedelta(days=365), usegmt=True)


def session_cookie(sid: str) -> str:
    return f"{SESSION_COOKIE}={sid}; Expires={_expires()}; Max-Age={SESSION_MAX_AGE}; HttpOnly; Path=/"


def frontend_lang_cookie() -> str:
    return f"frontend_lang=en_US; Expires={_expires()}; Path=/"


def cleared_cookie(name: str) -> str:
    return f"{name}=; Expires={_expires()}; Max-Age=0; Path=/"


# --- HTML pages ----------------------------------------------------------------------------------


def page_not_found() -> Response:
    """The 404 page Odoo serves for a path no route matches (a website page, trimmed)."""
    body = (
        '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="utf-8"/>\n'
        "        <title>404: Page not found | Odoo</title>\n    </head>\n    <body>\n"
        "        <h1>404: Page not found</h1>\n"
        "        <p>The page you were looking for could not be found; it is possible you have typed the "
        "address incorrectly, but it has most probably been removed due to the recent website "
        "reorganisation.</p>\n    </body>\n</html>\n"
    )
    return Response(404, body.encode(), "text/html;charset=utf-8")


def no_database_page() -> Response:
    """The generic 404 a request gets when no database is selected (e.g. an unknown X-Odoo-Database)."""
    body = (
        "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
        "<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n"
        "<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n"
        "<!-- Alternatively, use the X-Odoo-Database header. -->\n"
    )
    return Response(404, body.encode(), HTML_CONTENT_TYPE)


def unsupported_media_type(route: str, route_type: str) -> Response:
    """415: the Content-Type does not make the request a JSON request on a JSON route."""
    detail = html.escape(
        f"Request inferred type is compatible with ['http'] but '{route}' is type='{route_type}'."
    ).replace("&#x27;", "&#39;")  # werkzeug's spelling
    body = (
        "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
        f"<h1>Unsupported Media Type</h1>\n<p>{detail}<br><br>"
        "Please verify the Content-Type request header and try again.</p>\n"
    )
    return Response(415, body.encode(), HTML_CONTENT_TYPE)


def invalid_json_data() -> Response:
    """``POST /jsonrpc`` (and other JSON-RPC routes) with a body that is not JSON."""
    return Response(400, b"Invalid JSON data", HTML_CONTENT_TYPE)


def service_unavailable(retry_after: int | None) -> Response:
    """What a proxy in front of Odoo answers when the workers are busy (fault injection)."""
    body = (
        "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n"
        "<center><h1>503 Service Temporarily Unavailable</h1></center>\n</body>\n</html>\n"
    )
    headers = [] if retry_after is None else [("Retry-After", str(retry_after))]
    return Response(503, body.encode(), HTML_CONTENT_TYPE, headers)


def version_info(server_version_info: list[Any]) -> dict[str, Any]:
    """``common.version`` / ``/web/webclient/version_info``."""
    serie = f"{server_version_info[0]}.{server_version_info[1]}"
    return {
        "server_version": serie,
        "server_version_info": server_version_info,
        "server_serie": serie,
        "protocol_version": 1,
    }
