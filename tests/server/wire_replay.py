"""Replaying captured real-Odoo exchanges (../shared/odoo-wire) against the embedded server.

The captures come from real Odoo 17.0 and 19.0 databases, so record ids, uids, the database name
and the secrets differ here. A :class:`Replay` sends each captured request in order with:
- ``<PASSWORD>``/``<API_KEY>`` of the user making the call, a wrong password / unknown key for the
  ``<WRONG_PASSWORD>``/``<INVALID_API_KEY>`` cases, the live ``<SESSION>`` cookie and our database name;
- uids mapped by login, and record ids mapped through :class:`IdMap`: ids of records the sequence
  created are learned from the answers (create, load, and x2many values of records already mapped);
  references to demo records get a stand-in of the same model (same display name when there is one);
  ids of a million and more are "missing record" probes and are kept.
:func:`compare` then checks status, headers that matter, envelopes, error names/codes/messages and
either the exact result (translated into our ids) or its shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

WRONG_PASSWORD = "zenoo-replay-wrong-password"
INVALID_API_KEY = "0123456789abcdef0123456789abcdef01234567"
MISSING_ID_FLOOR = 1_000_000
RECORD_METHODS = frozenset({"read", "write", "unlink", "web_read", "export_data", "_compute_display_name"})
DOMAIN_FIRST_METHODS = frozenset(
    {
        "search",
        "search_read",
        "search_count",
        "search_fetch",
        "read_group",
        "_read_group",
        "formatted_read_group",
        "web_read_group",
    }
)
RELATIONAL = frozenset({"many2one", "one2many", "many2many"})


def load_capture(wire_dir: Path, kind: str, version: int) -> dict[str, Any]:
    """The capture ``<kind><version>.json``: ``odoo`` (the protocols) or ``writeback`` (the write path)."""
    return json.loads((wire_dir / f"{kind}{version}.json").read_text())


@dataclass(frozen=True)
class Call:
    """The Odoo call inside a captured request (None parts for non-call routes)."""

    model: str | None
    method: str | None
    args: list[Any]
    kwargs: dict[str, Any]


def call_of(exchange: dict[str, Any]) -> Call:
    body = exchange["request"]["body"]
    path = exchange["request"]["path"]
    if exchange["protocol"] == "json2":
        parts = path.split("/")
        if len(parts) == 5:
            return Call(parts[3], parts[4], [], body if isinstance(body, dict) else {})
        return Call(None, None, [], {})
    if not isinstance(body, dict):
        return Call(None, None, [], {})
    params = body.get("params", {})
    if exchange["protocol"] == "jsonrpc" and params.get("service") == "object":
        args = params["args"]
        return Call(args[3], args[4], args[5] if len(args) > 5 else [], args[6] if len(args) > 6 else {})
    if path.startswith("/web/dataset/call_kw"):
        return Call(
            params.get("model"), params.get("method"), params.get("args", []), params.get("kwargs", {})
        )
    return Call(None, None, [], {})


class IdMap:
    """Captured record id -> our record id, per model."""

    def __init__(
        self, fields_of: Callable[[str], dict[str, Any]], stand_in: Callable[[str, int, set[int]], int]
    ) -> None:
        self._ids: dict[tuple[str, int], int] = {}
        self._fields_of = fields_of
        self._stand_in = stand_in

    def learn(self, model: str, captured: Any, ours: Any) -> None:
        if isinstance(captured, int) and isinstance(ours, int) and not isinstance(captured, bool):
            self._ids.setdefault((model, captured), ours)

    def known(self, model: str, captured: int) -> int | None:
        return self._ids.get((model, captured))

    def translate(self, model: str, captured: Any) -> Any:
        """Our id for a captured id referenced in a request (assigning a stand-in when needed)."""
        if not isinstance(captured, int) or isinstance(captured, bool) or captured >= MISSING_ID_FLOOR:
            return captured
        key = (model, captured)
        if key not in self._ids:
            used = {ours for (m, _), ours in self._ids.items() if m == model}
            self._ids[key] = self._stand_in(model, captured, used)
        return self._ids[key]

    def expected(self, model: str, captured: Any) -> Any:
        """A captured id as we expect to see it in an answer (unchanged when unknown)."""
        if not isinstance(captured, int) or isinstance(captured, bool):
            return captured
        return self._ids.get((model, captured), captured)

    def field(self, model: str, name: str) -> dict[str, Any] | None:
        return self._fields_of(model).get(name) if model else None


class Replay:
    """Sends a capture's exchanges, in order, to an embedded server of the same version."""

    def __init__(self, server: Any, capture: dict[str, Any], http: httpx.Client) -> None:
        self.server = server
        self.capture = capture
        self.http = http
        self.captured_db: str = capture["server"]["database"]
        self.login_by_captured_uid = {user["uid"]: login for login, user in capture["users"].items()}
        self.session_id: str | None = None
        self.sent = 0  # how many exchanges, from the start, have been sent
        self._fields: dict[str, dict[str, Any]] = {}
        self.captured_names: dict[tuple[str, int], str] = {}
        self.ids = IdMap(self.fields_of, self._stand_in)
        for login, user in capture["users"].items():
            self.ids.learn("res.users", user["uid"], server.users[login].uid)
        for exchange in capture["exchanges"]:
            self._collect_names(exchange)

    # --- talking to our server as admin, outside the replay --------------------------------------

    def admin_call(
        self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None
    ) -> Any:
        admin = self.server.users["admin"]
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 0,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.server.database, admin.uid, admin.password, model, method, args, kwargs or {}],
            },
        }
        answer = self.http.post("/jsonrpc", json=body).json()
        if "error" in answer:
            raise AssertionError(f"setup call {model}.{method} failed: {answer['error']['data']['message']}")
        return answer["result"]

    def fields_of(self, model: str) -> dict[str, Any]:
        if model not in self._fields:
            try:
                self._fields[model] = self.admin_call(
                    model, "fields_get", [], {"attributes": ["type", "relation"]}
                )
            except AssertionError:
                self._fields[model] = {}  # a model we do not have (e.g. no.such.model)
        return self._fields[model]

    def _stand_in(self, model: str, captured: int, used: set[int]) -> int:
        name = self.captured_names.get((model, captured))
        if name is not None:
            found = self.admin_call(model, "name_search", [], {"name": name, "operator": "=", "limit": 1})
            if found and found[0][0] not in used:
                return found[0][0]
        candidates = self.admin_call(
            model, "search", [[]], {"order": "id", "context": {"active_test": False}}
        )
        free = [i for i in candidates if i not in used]
        assert free, f"no stand-in left for {model} {captured}"
        return free[0]

    def _collect_names(self, exchange: dict[str, Any]) -> None:
        """Display names of records the captures show as many2one pairs: stand-ins are looked up by name."""
        call = call_of(exchange)
        body = exchange["response"]["body"]
        rows = body.get("result") if isinstance(body, dict) and "jsonrpc" in body else body
        if call.model is None or not isinstance(rows, list):
            return
        for row in rows:
            if not isinstance(row, dict):
                continue
            for key, value in row.items():
                if _is_m2o_pair(value):
                    info = self.fields_of(call.model).get(key) or {}
                    if info.get("type") == "many2one":
                        self.captured_names.setdefault((info["relation"], value[0]), value[1])

    # --- building the request ------------------------------------------------------------------

    def user_of(self, exchange: dict[str, Any]) -> str:
        body = exchange["request"]["body"]
        params = body.get("params", {}) if isinstance(body, dict) else {}
        if params.get("service") == "object":
            return self.login_by_captured_uid.get(params["args"][1], "admin")
        if params.get("service") == "common" and len(params.get("args", [])) > 1:
            return params["args"][1]
        if "login" in params:
            return params["login"]
        return "demo" if "-demo" in exchange["name"] else "admin"

    def _secrets(self, value: Any, login: str) -> Any:
        user = self.server.users[login]
        if isinstance(value, dict):
            return {k: self._secrets(v, login) for k, v in value.items()}
        if isinstance(value, list):
            return [self._secrets(v, login) for v in value]
        replacements = {
            "<PASSWORD>": user.password,
            "<WRONG_PASSWORD>": WRONG_PASSWORD,
            "<API_KEY>": user.api_key,
            self.captured_db: self.server.database,
        }
        return replacements.get(value, value) if isinstance(value, str) else value

    def build(self, exchange: dict[str, Any]) -> tuple[str, str, dict[str, str], bytes | None]:
        request = exchange["request"]
        login = self.user_of(exchange)
        user = self.server.users[login]
        headers: dict[str, str] = {}
        for name, value in request["headers"].items():
            value = value.replace("<INVALID_API_KEY>", INVALID_API_KEY).replace("<API_KEY>", user.api_key)
            if name == "Cookie":
                assert self.session_id is not None, "a cookie exchange before any session/authenticate"
                value = value.replace("<SESSION>", self.session_id)
            if name == "X-Odoo-Database" and value == self.captured_db:
                value = self.server.database
            headers[name] = value
        body = request["body"]
        if body is None:
            return request["method"], request["path"], headers, None
        if isinstance(body, str):
            return request["method"], request["path"], headers, body.encode()
        body = self._translate_body(exchange, self._secrets(body, login))
        return request["method"], request["path"], headers, json.dumps(body).encode()

    def _translate_body(self, exchange: dict[str, Any], body: Any) -> Any:
        call = call_of(exchange)
        if call.model is None or call.method is None:
            return body
        args, kwargs = self._translate_call(call)
        if exchange["protocol"] == "json2":
            return kwargs
        params = dict(body["params"])
        if params.get("service") == "object":
            original = params["args"]
            uid = self.server.users[self.login_by_captured_uid.get(original[1], "admin")].uid
            params["args"] = [original[0], uid, original[2], original[3], original[4], args]
            if len(original) > 6:
                params["args"].append(kwargs)
        else:
            params["args"], params["kwargs"] = args, kwargs
        return {**body, "params": params}

    def _translate_call(self, call: Call) -> tuple[list[Any], dict[str, Any]]:
        model, method = call.model or "", call.method or ""
        args, kwargs = list(call.args), dict(call.kwargs)
        if method in RECORD_METHODS and args:
            args[0] = self._ids(model, args[0])
        if method in DOMAIN_FIRST_METHODS and args:
            args[0] = self._domain(model, args[0])
        if method == "create" and args:
            args[0] = self._vals(model, args[0])
        if method == "write" and len(args) > 1:
            args[1] = self._vals(model, args[1])
        if method == "load" and len(args) > 1:
            args[1] = self._load_rows(model, args[0], args[1])
        for key in ("ids",):
            if key in kwargs:
                kwargs[key] = self._ids(model, kwargs[key])
        if "domain" in kwargs:
            kwargs["domain"] = self._domain(model, kwargs["domain"])
        for key in ("vals", "vals_list"):
            if key in kwargs:
                kwargs[key] = self._vals(model, kwargs[key])
        return args, kwargs

    def _load_rows(self, model: str, columns: list[str], rows: list[list[Any]]) -> list[list[Any]]:
        """load() rows with the database ids of ``.id`` and ``<relational>/.id`` columns translated."""
        targets = {}
        for index, column in enumerate(columns):
            if column == ".id":
                targets[index] = model
            elif column.endswith("/.id"):
                targets[index] = (self.ids.field(model, column[: -len("/.id")]) or {}).get("relation")
        return [
            [self._load_ids(targets[i], cell) if targets.get(i) else cell for i, cell in enumerate(row)]
            for row in rows
        ]

    def _load_ids(self, model: str, cell: Any) -> Any:
        """A cell of comma-separated database ids (as load() takes them) in our ids."""
        if not isinstance(cell, str) or not cell:
            return cell
        return ",".join(str(self.ids.translate(model, int(part))) for part in cell.split(","))

    def _ids(self, model: str, ids: Any) -> Any:
        if isinstance(ids, list):
            return [self.ids.translate(model, i) for i in ids]
        return self.ids.translate(model, ids)

    def _domain(self, model: str, domain: Any) -> Any:
        if not isinstance(domain, list):
            return domain
        translated: list[Any] = []
        for leaf in domain:
            if isinstance(leaf, list) and len(leaf) == 3 and isinstance(leaf[0], str) and "." not in leaf[0]:
                target = model if leaf[0] == "id" else (self.ids.field(model, leaf[0]) or {}).get("relation")
                if target:
                    leaf = [leaf[0], leaf[1], self._ids(target, leaf[2])]
            translated.append(leaf)
        return translated

    def _vals(self, model: str, vals: Any) -> Any:
        if isinstance(vals, list):
            return [self._vals(model, v) for v in vals]
        if not isinstance(vals, dict):
            return vals
        out = {}
        for name, value in vals.items():
            info = self.ids.field(model, name) or {}
            relation = info.get("relation")
            if info.get("type") == "many2one":
                value = self.ids.translate(relation, value)
            elif info.get("type") in ("one2many", "many2many") and isinstance(value, list):
                value = [self._command(relation, command) for command in value]
            out[name] = value
        return out

    def _command(self, relation: str, command: Any) -> Any:
        if not isinstance(command, list):
            return self.ids.translate(relation, command)  # a bare id
        code = command[0]
        if code == 0:
            return [0, 0, self._vals(relation, command[2])]
        if code == 1:
            return [1, self.ids.translate(relation, command[1]), self._vals(relation, command[2])]
        if code in (2, 3, 4):
            return [code, self.ids.translate(relation, command[1]), command[2]]
        if code == 6:
            return [6, 0, [self.ids.translate(relation, i) for i in command[2]]]
        return command

    # --- sending and learning ------------------------------------------------------------------

    def send(self, exchange: dict[str, Any]) -> httpx.Response:
        method, path, headers, content = self.build(exchange)
        response = self.http.request(method, path, headers=headers, content=content)
        if path == "/web/session/authenticate" and "session_id" in response.cookies:
            self.session_id = response.cookies["session_id"]
        self.http.cookies.clear()  # the captures state every cookie they send
        self._learn(exchange, response)
        return response

    def _learn(self, exchange: dict[str, Any], response: httpx.Response) -> None:
        call = call_of(exchange)
        if call.model is None or not response.headers.get("content-type", "").startswith("application/json"):
            return
        captured, ours = result_of(exchange["response"]["body"]), result_of(response.json())
        if captured is _NO_RESULT or ours is _NO_RESULT:
            return
        if call.method == "create":
            for c, o in zip(_as_list(captured), _as_list(ours)):
                self.ids.learn(call.model, c, o)
        elif call.method == "load" and isinstance(captured, dict) and isinstance(ours, dict):
            for c, o in zip(captured.get("ids") or [], ours.get("ids") or []):
                self.ids.learn(call.model, c, o)
        else:
            records = captured.get("records") if isinstance(captured, dict) else captured
            mine = ours.get("records") if isinstance(ours, dict) else ours
            if isinstance(records, list) and isinstance(mine, list) and len(records) == len(mine):
                for c, o in zip(records, mine):
                    self._learn_record(call.model, c, o)

    def _learn_record(self, model: str, captured: Any, ours: Any) -> None:
        """Learn ids inside a record whose own id is already mapped to this one."""
        if not (isinstance(captured, dict) and isinstance(ours, dict) and "id" in captured and "id" in ours):
            return
        if self.ids.known(model, captured["id"]) != ours["id"]:
            return
        for name, value in captured.items():
            info = self.ids.field(model, name) or {}
            relation, mine = info.get("relation"), ours.get(name)
            if not relation:
                continue
            if _is_m2o_pair(value) and _is_m2o_pair(mine):
                self.ids.learn(relation, value[0], mine[0])
            elif isinstance(value, int) and isinstance(mine, int):
                self.ids.learn(relation, value, mine)
            elif isinstance(value, dict) and isinstance(mine, dict) and "id" in value and "id" in mine:
                self.ids.learn(relation, value["id"], mine["id"])
            elif isinstance(value, list) and isinstance(mine, list) and len(value) == len(mine):
                for c, o in zip(value, mine):
                    if isinstance(c, dict) and isinstance(o, dict):
                        self.ids.learn(relation, c.get("id"), o.get("id"))
                        self._learn_record(relation, c, o)
                    else:
                        self.ids.learn(relation, c, o)

    def expected_result(self, model: str, value: Any) -> Any:
        """A captured result with the ids of records we know translated into ours."""
        if isinstance(value, list):
            if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return [self.ids.expected(model, v) for v in value]
            return [self.expected_result(model, v) for v in value]
        if isinstance(value, int) and not isinstance(value, bool):
            return self.ids.expected(model, value)
        if isinstance(value, dict):
            if "records" in value and "length" in value:
                return {**value, "records": self.expected_result(model, value["records"])}
            if "ids" in value and "messages" in value:
                return {
                    **value,
                    "ids": self.expected_result(model, value["ids"]) if value["ids"] else value["ids"],
                }
            out = {}
            for name, item in value.items():
                if name == "id":
                    out[name] = self.ids.expected(model, item)
                    continue
                relation = (self.ids.field(model, name) or {}).get("relation")
                if relation is None or item is False:
                    out[name] = item
                elif _is_m2o_pair(item):
                    out[name] = [self.ids.expected(relation, item[0]), item[1]]
                else:
                    out[name] = self.expected_result(relation, item)
            return out
        return value


# --- comparing answers ----------------------------------------------------------------------------

_NO_RESULT = object()


def result_of(body: Any) -> Any:
    """The result of a JSON-RPC envelope, a JSON-2 body as is, or _NO_RESULT for errors."""
    if isinstance(body, dict) and body.get("jsonrpc") == "2.0":
        return body.get("result", _NO_RESULT)
    if isinstance(body, dict) and {"name", "message", "arguments"} <= set(body):
        return _NO_RESULT
    return body


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_m2o_pair(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and not isinstance(value[0], bool)
        and isinstance(value[1], str)
    )


def normalize_message(text: str, databases: tuple[str, ...]) -> str:
    for database in databases:
        text = text.replace(database, "<db>")
    return re.sub(r"\d+", "#", text)


def _debug_marker(debug: str) -> str | None:
    """The 'ExceptionName:' that starts the exception line of a captured traceback tail."""
    for line in debug.splitlines():
        match = re.match(r"^([A-Za-z_][\w.]*): ", line)
        if match and not line.startswith(" "):
            return match.group(1) + ":"
    return None


def _content_type(value: str) -> str:
    return value.replace(" ", "").lower()


def _cookie_shape(header: Any) -> list[tuple[str, tuple[str, ...]]]:
    cookies = header if isinstance(header, list) else [header]
    shapes = []
    for cookie in cookies:
        parts = [p.strip() for p in cookie.split(";")]
        shapes.append((parts[0].split("=", 1)[0], tuple(p.split("=", 1)[0] for p in parts[1:])))
    return shapes


def compare(replay: Replay, exchange: dict[str, Any], response: httpx.Response, *, mode: str) -> list[str]:
    """Differences between the captured answer and ours that matter (empty when they agree).

    ``mode`` says how results are compared: ``"exact"`` (after translating ids), ``"shape"``, or
    ``"subset"`` (a dict whose keys are some of Odoo's, for answers that grow with installed apps).
    """
    expected = exchange["response"]
    problems: list[str] = []
    if response.status_code != expected["status"]:
        problems.append(f"HTTP status {response.status_code} != captured {expected['status']}")
    for name, value in expected["headers"].items():
        if name == "Content-Type":
            if _content_type(response.headers.get("content-type", "")) != _content_type(value):
                problems.append(f"Content-Type {response.headers.get('content-type')!r} != {value!r}")
        elif name == "Set-Cookie":
            ours = response.headers.get_list("set-cookie")
            if _cookie_shape(ours or [""]) != _cookie_shape(value):
                problems.append(f"Set-Cookie {_cookie_shape(ours or [''])} != {_cookie_shape(value)}")
        elif name == "WWW-Authenticate" and response.headers.get("www-authenticate") != value:
            problems.append(f"WWW-Authenticate {response.headers.get('www-authenticate')!r} != {value!r}")
    if "Set-Cookie" not in expected["headers"] and "set-cookie" in response.headers:
        problems.append("Set-Cookie sent where Odoo sends none")
    captured = expected["body"]
    if isinstance(captured, str):
        if "<truncated" in captured:
            if "<html" not in response.text.lower():
                problems.append("an HTML page was expected")
        elif response.text != captured:
            problems.append(f"body {response.text[:200]!r} != captured {captured[:200]!r}")
        return problems
    try:
        ours = response.json()
    except ValueError:
        return [*problems, f"not JSON: {response.text[:200]!r}"]
    databases = (replay.captured_db, replay.server.database)
    if isinstance(captured, dict) and "__omitted__" in captured:
        return problems + _compare_omitted(captured, result_of(ours))
    if isinstance(captured, dict) and captured.get("jsonrpc") == "2.0":
        if list(ours) != list(captured):
            problems.append(f"envelope keys {list(ours)} != {list(captured)}")
        if ours.get("id") != captured.get("id"):
            problems.append(f"id {ours.get('id')!r} != {captured.get('id')!r}")
        if "error" in captured:
            if "error" not in ours:
                return [*problems, f"expected error {captured['error']['data']['name']}, got a result"]
            for key in ("code", "message"):
                if ours["error"].get(key) != captured["error"][key]:
                    problems.append(f"error.{key} {ours['error'].get(key)!r} != {captured['error'][key]!r}")
            problems += _compare_error_data(captured["error"]["data"], ours["error"]["data"], databases)
            return problems
        if "error" in ours:
            return [
                *problems,
                f"unexpected error {ours['error']['data']['name']}: {ours['error']['data']['message']}",
            ]
        if "result" not in captured:
            return problems
        captured_result, our_result = captured["result"], ours["result"]
    elif isinstance(captured, dict) and {"name", "message", "arguments", "debug"} <= set(captured):
        if not isinstance(ours, dict) or "name" not in ours:
            return [*problems, f"expected error body {captured['name']}, got {str(ours)[:200]}"]
        return problems + _compare_error_data(captured, ours, databases)
    else:
        captured_result, our_result = captured, ours
    model = call_of(exchange).model or ""
    if mode == "exact":
        wanted = replay.expected_result(model, captured_result)
        if our_result != wanted:
            problems.append(f"result {json.dumps(our_result)[:600]} != expected {json.dumps(wanted)[:600]}")
    elif mode == "subset":
        extra = set(our_result) - set(captured_result)
        if extra:
            problems.append(f"result keys Odoo does not send: {sorted(extra)}")
        shared = {key: captured_result[key] for key in our_result if key in captured_result}
        problems += same_shape(shared, our_result, "result")
    else:
        problems += same_shape(captured_result, our_result, "result")
    return problems


def _compare_error_data(
    captured: dict[str, Any], ours: dict[str, Any], databases: tuple[str, ...]
) -> list[str]:
    problems = []
    if list(ours) != list(captured):
        problems.append(f"error keys {list(ours)} != {list(captured)}")
    if ours.get("name") != captured["name"]:
        problems.append(f"error name {ours.get('name')!r} != {captured['name']!r}")
    if normalize_message(str(ours.get("message")), databases) != normalize_message(
        captured["message"], databases
    ):
        problems.append(f"error message {ours.get('message')!r} != {captured['message']!r}")
    arguments = ours.get("arguments")
    if not isinstance(arguments, list) or len(arguments) != len(captured["arguments"]):
        problems.append(f"error arguments {arguments!r} != {captured['arguments']!r}")
    if ours.get("context") != captured.get("context"):
        problems.append(f"error context {ours.get('context')!r} != {captured.get('context')!r}")
    marker = _debug_marker(captured["debug"])
    if not isinstance(ours.get("debug"), str) or (marker and marker not in ours["debug"]):
        problems.append(f"error debug lacks {marker!r}: {str(ours.get('debug'))[-200:]!r}")
    return problems


def _compare_omitted(captured: dict[str, Any], ours: Any) -> list[str]:
    """Captures that kept only sizes or field names instead of the rows."""
    if not isinstance(ours, list) or not ours or not all(isinstance(row, dict) for row in ours):
        return [f"expected a non-empty list of records, got {str(ours)[:200]}"]
    if "field_names" in captured:
        extra = set(ours[0]) - set(captured["field_names"]) - {"id"}
        return [f"fields Odoo does not have: {sorted(extra)}"] if extra else []
    keys = {tuple(row) for row in ours}
    return [] if keys == {("id", "name")} else [f"rows with keys {keys} instead of ('id', 'name')"]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if value is None:
        return "null"
    if _is_m2o_pair(value):
        return "m2o"
    if isinstance(value, list):
        return "list"
    return "dict:" + ",".join(sorted(value))


def _keyed_by_id(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(key.isdigit() for key in value)


def same_shape(captured: Any, ours: Any, where: str) -> list[str]:
    """Same JSON structure, allowing data-dependent differences: false for any unset value, list lengths."""
    if captured is False or ours is False:
        return []
    kinds = (_kind(captured), _kind(ours))
    comparable = set(kinds) <= {"m2o", "list"} or all(kind.startswith("dict:") for kind in kinds)
    if kinds[0] != kinds[1] and not comparable:
        return [f"{where}: {kinds[1]} ({str(ours)[:80]}) where Odoo has {kinds[0]} ({str(captured)[:80]})"]
    if isinstance(captured, dict) and _keyed_by_id(captured) and _keyed_by_id(ours):
        problems = []  # e.g. currencies or allowed companies by id: which ids is data, each value has a shape
        for key, value in ours.items():
            problems += same_shape(next(iter(captured.values())), value, f"{where}[{key}]")
        return problems
    if isinstance(captured, dict):
        if set(captured) != set(ours):
            return [f"{where}: keys {sorted(ours)} != {sorted(captured)}"]
        problems = []
        for key in captured:
            problems += same_shape(captured[key], ours[key], f"{where}.{key}")
        return problems
    if isinstance(captured, list) and isinstance(ours, list):
        if len(captured) == len(ours):
            problems = []
            for index, (c, o) in enumerate(zip(captured, ours)):
                problems += same_shape(c, o, f"{where}[{index}]")
            return problems
        if captured and ours:
            allowed = {_kind(c) for c in captured} | {"bool"}
            odd = [
                o
                for o in ours
                if _kind(o) not in allowed and not any(not same_shape(c, o, "") for c in captured)
            ]
            if odd:
                return [f"{where}: items {str(odd)[:120]} unlike Odoo's {str(captured)[:120]}"]
    return []
