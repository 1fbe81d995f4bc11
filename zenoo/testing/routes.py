"""The Odoo routes of the embedded server: ``/jsonrpc``, ``/json/2``, ``/web/...``.

Each request is first *prepared* (parsed far enough to know its protocol, model, method and
parameters, which fault injection and the request log need) and then *run* (the part that reaches
the ORM). Everything below HTTP is the ORM's ``Registry``; everything on the wire is in ``wire``.

Why this module is long: every Odoo endpoint the server imitates is routed here, so that the
table of URLs and how each is prepared and run reads in one place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from . import wire
from .orm.exceptions import OdooException
from .records import REDACTED, Protocol
from .sessions import Session, SessionStore, session_id_from_cookie_header
from .wire import OdooError, Response

logger = logging.getLogger("zenoo.testing")

JSON_MIMETYPES = frozenset({"application/json", "application/json-rpc"})
_DB_MASTER_METHODS = frozenset(
    {
        "create_database",
        "duplicate_database",
        "drop",
        "dump",
        "restore",
        "rename",
        "change_admin_password",
        "migrate_databases",
    }
)


@dataclass(frozen=True)
class IncomingRequest:
    """The parts of an HTTP request the routes look at (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Prepared:
    """A parsed request: what it calls, and ``run`` to execute it."""

    protocol: Protocol
    model: str | None
    method: str | None
    params: Any
    run: Callable[[], Response]


def _fixed(protocol: Protocol, response: Response) -> Prepared:
    return Prepared(protocol, None, None, None, lambda: response)


def _odoo_error(exc: Any) -> OdooError:
    """An ORM ``OdooException`` as the wire shows it."""
    return OdooError(exc.odoo_name, exc.message, list(exc.arguments), exc.debug, exc.json2_status)


class OdooRoutes:
    """Routes requests to the ORM and renders the answers the way the imitated Odoo version does."""

    def __init__(self, registry: Any, sessions: SessionStore) -> None:
        self.registry = registry
        self.version: int = registry.version
        self.sessions = sessions
        self._login_by_uid = {user.uid: user.login for user in registry.users.values()}

    # --- dispatch ------------------------------------------------------------------------------

    def prepare(self, request: IncomingRequest) -> Prepared:
        path = request.path
        if path == "/jsonrpc":
            return self._jsonrpc(request)
        if self.version >= 19 and (path == "/json/2" or path.startswith("/json/2/")):
            return self._json2(request)
        if path in ("/web/version", "/json/version") and self.version >= 19:  # no such route on 17
            return _fixed("http", self._version_page(request))
        if path == "/web/webclient/version_info":
            return self._web(request, path, self._version_info)
        elif path == "/web/session/authenticate":
            return self._web(request, path, self._authenticate)
        elif path == "/web/session/get_session_info":
            return self._web(request, path, self._user_route(self._get_session_info))
        elif path == "/web/session/destroy":
            return self._web(request, path, self._user_route(self._destroy))
        elif path == "/web/dataset/call_kw" or path.startswith("/web/dataset/call_kw/"):
            return self._web_call_kw(request)
        return _fixed("http", self._not_found(request))

    def _guarded(self, rpc_id: Any, call: Callable[[], Response]) -> Response:
        """Run ``call``, rendering ORM errors (and our own bugs) as JSON-RPC errors."""
        try:
            return call()
        except _ServiceError as exc:
            return wire.jsonrpc_error(self.version, rpc_id, exc.error)
        except OdooException as exc:
            return wire.jsonrpc_error(self.version, rpc_id, _odoo_error(exc))
        except Exception as exc:  # a bug of the embedded server: answer like Odoo, and say it loudly
            logger.exception("embedded Odoo server: unexpected error")
            return wire.jsonrpc_error(self.version, rpc_id, wire.internal_error(exc))

    # --- JSON-RPC body parsing -------------------------------------------------------------------

    def _json_body(self, request: IncomingRequest, route: str) -> tuple[Any, dict[str, Any]] | Response:
        """``(id, params)`` of a JSON-RPC request, or the answer Odoo gives to a bad one."""
        if request.mimetype not in JSON_MIMETYPES:
            return wire.unsupported_media_type(route, "json")
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            return wire.invalid_json_data()
        if not isinstance(body, dict):
            return wire.invalid_json_data()
        params = body.get("params")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            return wire.invalid_json_data()
        return body.get("id"), params

    # --- /jsonrpc --------------------------------------------------------------------------------

    def _jsonrpc(self, request: IncomingRequest) -> Prepared:
        parsed = self._json_body(request, "/jsonrpc")
        if isinstance(parsed, Response):
            return _fixed("jsonrpc", parsed)
        rpc_id, params = parsed
        missing = [name for name in ("service", "method", "args") if name not in params]
        if missing:  # Odoo passes params as keyword arguments to its jsonrpc() route
            names = [repr(name) for name in missing]
            listed = names[0] if len(names) == 1 else (
                f"{names[0]} and {names[1]}" if len(names) == 2 else f"{', '.join(names[:-1])}, and {names[-1]}")
            plural = "argument" if len(names) == 1 else "arguments"
            error = wire.python_error(
                self.version,
                "builtins.TypeError",
                f"{'JSONRPC' if self.version >= 19 else 'RPC'}.jsonrpc() missing {len(names)} required positional "
                f"{plural}: {listed}",
                "odoo/http.py",
                "_response",
                "result = endpoint(**self.request.params)",
            )
            return _fixed("jsonrpc", wire.jsonrpc_error(self.version, rpc_id, error))
        service, method, args = params.get("service"), params.get("method"), params.get("args", [])
        if not isinstance(args, list):
            error = wire.python_error(
                self.version,
                "builtins.TypeError",
                "args must be a list",
                "odoo/http.py",
                "dispatch_rpc",
                "return dispatch(method, params)",
            )
            return _fixed("jsonrpc", wire.jsonrpc_error(self.version, rpc_id, error))
        if service == "object" and method in ("execute_kw", "execute") and len(args) >= 5:
            model, odoo_method = args[3], args[4]
            if method == "execute_kw":
                call_args = args[5] if len(args) > 5 else []
                call_kwargs = args[6] if len(args) > 6 and args[6] is not None else {}
            else:
                call_args, call_kwargs = list(args[5:]), {}
            record = {"args": call_args, "kwargs": call_kwargs}
            run = self._object_call(
                rpc_id, args[0], args[1], args[2], model, odoo_method, call_args, call_kwargs
            )
            return Prepared(
                "jsonrpc",
                model if isinstance(model, str) else None,
                odoo_method if isinstance(odoo_method, str) else None,
                record,
                run,
            )
        redacted = self._redact_service_args(service, method, args)
        return Prepared(
            "jsonrpc",
            None,
            method if isinstance(method, str) else None,
            {"args": redacted, "kwargs": {}},
            lambda: self._guarded(rpc_id, lambda: self._service_call(rpc_id, service, method, args)),
        )

    @staticmethod
    def _redact_service_args(service: Any, method: Any, args: list[Any]) -> list[Any]:
        if service == "common" and method in ("login", "authenticate") and len(args) > 2:
            return [*args[:2], REDACTED, *args[3:]]
        if service == "db" and method in _DB_MASTER_METHODS:
            return [REDACTED] * len(args)
        if service == "object":
            return [*args[:2], REDACTED, *args[3:]] if len(args) > 2 else list(args)
        return list(args)

    def _service_call(self, rpc_id: Any, service: Any, method: Any, args: list[Any]) -> Response:
        if service == "common":
            return wire.jsonrpc_result(rpc_id, self._common(method, args))
        if service == "db":
            return wire.jsonrpc_result(rpc_id, self._db(method, args))
        if service == "object":  # another method, or execute/execute_kw with too few arguments
            if method in ("execute", "execute_kw"):
                exc_type, message = (
                    "builtins.TypeError",
                    f"{method}() needs db, uid, password, model and method",
                )
            else:
                exc_type, message = "builtins.NameError", f"Method not available {method}"
            raise _ServiceError(
                wire.python_error(
                    self.version,
                    exc_type,
                    message,
                    "odoo/service/model.py",
                    "dispatch",
                    "raise NameError(...)",
                )
            )
        raise _ServiceError(
            wire.python_error(
                self.version,
                "builtins.KeyError",
                repr(service),
                "odoo/http.py",
                "dispatch_rpc",
                "dispatch = rpc_dispatchers[service_name]",
            )
        )

    def _common(self, method: Any, args: list[Any]) -> Any:
        if method == "version":
            return wire.version_info(self.registry.server_version_info)
        if method in ("login", "authenticate"):
            arity = 3 if method == "login" else 4
            if len(args) != arity:
                raise _ServiceError(
                    wire.python_error(
                        self.version,
                        "builtins.TypeError",
                        f"exp_{method}() takes {arity} positional arguments but {len(args)} were given",
                        "odoo/service/common.py",
                        "dispatch",
                        "return fn(*params)",
                    )
                )
            db, login, secret = args[0], args[1], args[2]
            self._check_database(db)
            uid = self.registry.authenticate(login, secret) if isinstance(secret, str) else None
            return uid if uid is not None else False
        raise _ServiceError(
            wire.python_error(
                self.version,
                "builtins.Exception",
                f"Method not found: {method}",
                "odoo/service/common.py",
                "dispatch",
                'raise Exception("Method not found: %s" % method)',
            )
        )

    def _db(self, method: Any, args: list[Any]) -> Any:
        if method == "list":
            return [self.registry.database]
        if method == "server_version":
            return f"{self.registry.server_version_info[0]}.{self.registry.server_version_info[1]}"
        if method == "db_exist":
            return bool(args) and args[0] == self.registry.database
        if method in _DB_MASTER_METHODS:  # the embedded server has no master password
            raise _ServiceError(wire.access_denied(self.version))
        raise _ServiceError(
            wire.python_error(
                self.version,
                "builtins.KeyError",
                f"'Method not found: {method}'",
                "odoo/service/db.py",
                "dispatch",
                'raise KeyError("Method not found: %s" % method)',
            )
        )

    def _check_database(self, db: Any) -> None:
        if db != self.registry.database:
            raise _ServiceError(wire.database_not_found(self.version, str(db)))

    def _object_call(
        self, rpc_id: Any, db: Any, uid: Any, secret: Any, model: Any, method: Any, args: Any, kwargs: Any
    ) -> Callable[[], Response]:
        def call() -> Response:
            self._check_database(db)
            login = self._login_by_uid.get(uid) if isinstance(uid, int) else None
            if (
                login is None
                or not isinstance(secret, str)
                or self.registry.authenticate(login, secret) != uid
            ):
                raise _ServiceError(wire.access_denied(self.version))
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise _ServiceError(
                    wire.python_error(
                        self.version,
                        "builtins.TypeError",
                        "execute_kw expects args as a list and kwargs as a dict",
                        "odoo/service/model.py",
                        "execute_kw",
                        "return execute(db, uid, obj, method, *args, **kw)",
                    )
                )
            return wire.jsonrpc_result(rpc_id, self.registry.execute_kw(uid, model, method, args, kwargs))

        return lambda: self._guarded(rpc_id, call)

    # --- /web/... --------------------------------------------------------------------------------

    def _web(
        self,
        request: IncomingRequest,
        route: str,
        handler: Callable[[IncomingRequest, Any, dict[str, Any]], Response],
        model: str | None = None,
        method: str | None = None,
        record_params: Any = None,
    ) -> Prepared:
        parsed = self._json_body(request, route)
        if isinstance(parsed, Response):
            return _fixed("web", parsed)
        rpc_id, params = parsed
        if record_params is None:
            record_params = {key: (REDACTED if key == "password" else value) for key, value in params.items()}
        return Prepared(
            "web",
            model,
            method,
            record_params,
            lambda: self._guarded(rpc_id, lambda: handler(request, rpc_id, params)),
        )

    def _session(self, request: IncomingRequest) -> Session | None:
        return self.sessions.get(session_id_from_cookie_header(request.headers.get("cookie")))

    def _user_route(
        self, handler: Callable[[IncomingRequest, Any, dict[str, Any], Session], Response]
    ) -> Callable[[IncomingRequest, Any, dict[str, Any]], Response]:
        """``auth='user'``: without a live session cookie the answer is 'session expired' (code 100).

        Odoo 19 records the device of a session on its first authenticated request after login,
        which saves the session: that answer carries the session cookie again.
        """

        def route(request: IncomingRequest, rpc_id: Any, params: dict[str, Any]) -> Response:
            session = self._session(request)
            if session is None:
                return wire.session_expired(self.version)
            response = handler(request, rpc_id, params, session)
            first_use = self.sessions.first_use(session.sid)
            if (
                self.version >= 19
                and first_use
                and not any(name == "Set-Cookie" for name, _ in response.headers)
            ):
                response.headers.append(("Set-Cookie", wire.session_cookie(session.sid)))
            return response

        return route

    def _cookie_for(self, request: IncomingRequest) -> str:
        """The ``Set-Cookie`` of routes that touch the session: the live one, or a new anonymous id."""
        session = self._session(request)
        return wire.session_cookie(session.sid if session is not None else self.sessions.new_sid())

    def _version_info(self, request: IncomingRequest, rpc_id: Any, params: dict[str, Any]) -> Response:
        return wire.jsonrpc_result(
            rpc_id,
            wire.version_info(self.registry.server_version_info),
            headers=[("Set-Cookie", self._cookie_for(request))],
        )

    def _authenticate(self, request: IncomingRequest, rpc_id: Any, params: dict[str, Any]) -> Response:
        missing = [name for name in ("db", "login", "password") if name not in params]
        if missing:
            raise _ServiceError(
                wire.python_error(
                    self.version,
                    "builtins.TypeError",
                    f"Session.authenticate() missing required argument(s): {', '.join(missing)}",
                    "odoo/http.py",
                    "dispatch",
                    "result = self.request.registry['ir.http']._dispatch(endpoint)",
                )
            )
        if params["db"] != self.registry.database:
            raise _ServiceError(
                OdooError(
                    "odoo.exceptions.AccessError",
                    "Database not found.",
                    ["Database not found."],
                    'raise AccessError("Database not found.")\nodoo.exceptions.AccessError: Database not found.',
                )
            )
        login, secret = params["login"], params["password"]
        uid = self.registry.authenticate(login, secret) if isinstance(secret, str) else None
        if uid is None:
            raise _ServiceError(wire.access_denied(self.version))
        session = self.sessions.login(uid)
        cookie = wire.session_cookie(session.sid)
        repeats = 2 if self.version >= 19 else 1  # Odoo 19 sends the same Set-Cookie twice
        return wire.jsonrpc_result(
            rpc_id, self.registry.session_info(uid), headers=[("Set-Cookie", cookie)] * repeats
        )

    def _get_session_info(
        self, request: IncomingRequest, rpc_id: Any, params: dict[str, Any], session: Session
    ) -> Response:
        return wire.jsonrpc_result(
            rpc_id,
            self.registry.session_info(session.uid),
            headers=[("Set-Cookie", wire.session_cookie(session.sid))],
        )

    def _destroy(
        self, request: IncomingRequest, rpc_id: Any, params: dict[str, Any], session: Session
    ) -> Response:
        self.sessions.destroy(session.sid)
        headers = [
            ("Set-Cookie", wire.cleared_cookie("cids")),
            ("Set-Cookie", wire.session_cookie(self.sessions.new_sid())),
        ]
        return wire.jsonrpc_result(rpc_id, None, headers=headers)

    def _web_call_kw(self, request: IncomingRequest) -> Prepared:
        parsed = self._json_body(request, "/web/dataset/call_kw/<path:path>")
        if isinstance(parsed, Response):
            return _fixed("web", parsed)
        _, params = parsed
        model, method = params.get("model"), params.get("method")
        args, kwargs = params.get("args", []), params.get("kwargs", {})

        def call_kw(
            request: IncomingRequest, rpc_id: Any, params: dict[str, Any], session: Session
        ) -> Response:
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise _ServiceError(
                    wire.python_error(
                        self.version,
                        "builtins.TypeError",
                        "call_kw expects args as a list and kwargs as a dict",
                        "addons/web/controllers/dataset.py",
                        "call_kw",
                        "return call_kw(...)",
                    )
                )
            return wire.jsonrpc_result(
                rpc_id, self.registry.execute_kw(session.uid, model, method, args, kwargs, web=True)
            )

        return self._web(
            request,
            "/web/dataset/call_kw/<path:path>",
            self._user_route(call_kw),
            model=model if isinstance(model, str) else None,
            method=method if isinstance(method, str) else None,
            record_params={"args": args, "kwargs": kwargs},
        )

    # --- plain HTTP ------------------------------------------------------------------------------

    def _version_page(self, request: IncomingRequest) -> Response:
        info = self.registry.server_version_info
        return wire.json_response(
            {"version_info": info, "version": f"{info[0]}.{info[1]}"},
            headers=[("Set-Cookie", self._cookie_for(request))],
        )

    def _not_found(self, request: IncomingRequest) -> Response:
        page = wire.page_not_found()
        page.headers.extend(
            [("Set-Cookie", wire.frontend_lang_cookie()), ("Set-Cookie", self._cookie_for(request))]
        )
        return page

    # --- /json/2 (Odoo 19) -----------------------------------------------------------------------

    def _json2(self, request: IncomingRequest) -> Prepared:
        database = request.headers.get("x-odoo-database")
        if database is not None and database != self.registry.database:
            return _fixed("json2", wire.no_database_page())
        segments = request.path[len("/json/2/") :].split("/") if request.path.startswith("/json/2/") else []
        if len(segments) == 3 and not segments[2]:  # a trailing slash, which Odoo's route takes too
            segments = segments[:2]
        if request.method != "POST" or len(segments) != 2 or not all(segments):
            return _fixed("json2", wire.json2_error(self.version, wire.json2_route_not_found(self.version)))
        model, method = segments
        if request.mimetype not in JSON_MIMETYPES:
            return Prepared(
                "json2",
                model,
                method,
                None,
                lambda: wire.unsupported_media_type("/json/2/<__model__>/<__method__>", "json2"),
            )
        try:
            params: Any = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            params = None
        return Prepared(
            "json2", model, method, params, lambda: self._json2_call(request, model, method, params)
        )

    def _json2_call(self, request: IncomingRequest, model: str, method: str, params: Any) -> Response:
        uid = self._bearer_uid(request)
        if isinstance(uid, OdooError):
            return wire.json2_error(self.version, uid)
        if params is None:
            return wire.json2_error(
                self.version,
                wire.json2_bad_request(
                    self.version, f"could not parse the body as json: {_json_error(request.body)}"
                ),
            )
        if params == []:  # Odoo reads an empty list as no arguments
            params = {}
        if not isinstance(params, dict):
            return wire.json2_error(
                self.version, wire.json2_bad_request(self.version, "the body must be a JSON object")
            )
        try:
            result = self.registry.execute_json2(uid, model, method, params)
        except OdooException as exc:
            return wire.json2_error(self.version, _odoo_error(exc))
        except Exception as exc:
            logger.exception("embedded Odoo server: unexpected error")
            return wire.json2_error(self.version, wire.internal_error(exc))
        return wire.json_response(result)

    def _bearer_uid(self, request: IncomingRequest) -> int | OdooError:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return wire.json2_unauthorized(
                self.version, "User not authenticated, use an API Key with a Bearer Authorization header."
            )
        uid: int | None = self.registry.uid_for_api_key(key.strip())
        if uid is None:
            return wire.json2_unauthorized(self.version, "Invalid apikey")
        return uid


class _ServiceError(Exception):
    """An error the HTTP layer raises itself, already shaped as Odoo renders it."""

    def __init__(self, error: OdooError) -> None:
        super().__init__(error.message)
        self.error = error


def _json_error(body: bytes) -> str:
    """The message Python's json module gives for ``body`` (the one Odoo puts in its 400 answer)."""
    try:
        json.loads(body)
    except ValueError as exc:
        return str(exc)
    return "the body is not valid JSON"
