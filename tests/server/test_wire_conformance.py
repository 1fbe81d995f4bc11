"""Every captured exchange of real Odoo 17.0 and 19.0, replayed against the embedded server of the same version.

Two captures per version (``CAPTURE_KINDS``): ``odoo<version>.json`` (the protocols) and
``writeback<version>.json`` (the write path), each replayed on its own. A capture missing from
../shared/odoo-wire skips its cases. The exchanges run in capture order on the session server of
that version; a case run alone or out of order first sends the earlier exchanges it builds on. ``wire_replay`` explains how secrets, the
database, uids and record ids are substituted. Exchanges listed in ``EXACT``
depend only on records the sequence itself created, or on nothing: their result must equal the
captured one once ids are translated. The others read demo data, which is generated here (other
names, counts and ids), so their results are compared by shape: same keys, same kinds of values
(``false`` standing for any unset value). Status, the headers that matter, envelopes and error
name/code/message/arguments are compared for every exchange.

``SETUP`` creates what a capture script created without recording it (fresh records where the
script wrote to demo data, so the shared server's demo data stay as generated). No exchange is skipped:
every one concerns a feature the embedded server implements.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .wire_replay import Replay, call_of, compare, load_capture

CAPTURES = Path(__file__).resolve().parents[2].parent / "shared" / "odoo-wire"

_EXACT_PROTOCOLS = frozenset(
    {
        "common-version",
        "common-login",
        "common-authenticate-ok",
        "common-authenticate-demo",
        "common-authenticate-wrong-password",
        "common-login-wrong-password",
        "db-server-version",
        "web-version-info",
        "http-web-version",
        "http-json-version",
        "jsonrpc-apikey-authenticate",
        "read-missing-id",
        "create-single",
        "create-multi",
        "write",
        "write-unset-value",
        "read-unset-value",
        "write-m2o-back",
        "write-m2o-string",
        "write-m2o-string-check",
        "unlink",
        "read-after-unlink",
        "search-default-active",
        "search-active-test-false",
        "read-archived-by-id",
        "x2m-create-cmd0",
        "x2m-read-0",
        "x2m-cmd1-update",
        "x2m-cmd1-check",
        "x2m-cmd3-unlink",
        "x2m-read-3",
        "x2m-cmd3-check",
        "x2m-cmd4-link",
        "x2m-read-4",
        "x2m-cmd2-delete",
        "x2m-read-2",
        "x2m-cmd2-check",
        "x2m-cmd5-clear",
        "x2m-read-5",
        "x2m-cmd6-set",
        "x2m-read-6",
        "x2m-bare-ids",
        "x2m-read-bare-ids",
        "demo-check-access-rights",
        "web-read-missing",
        "web-search-read-plain-m2o",
        "load-count-initial",
        "load-create",
        "load-read-created",
        "load-update-dot-id",
        "load-read-updated",
        "load-bad-count-before",
        "load-bad-selection",
        "load-bad-many2one",
        "load-bad-count-after",
        "load-external-id-update",
        "json2-read-missing",
        "json2-search-read-context",
        "json2-create",
        "json2-create-single-dict",
        "json2-write",
        "json2-write-x2m",
        "json2-unlink",
        "json2-web-search-read",
        "web-session-destroy",
    }
)

_EXACT_WRITEBACK = frozenset(
    {
        "common-version",
        "common-authenticate",
        "common-authenticate-demo",
        "create-vals-positional",
        "create-vals-keyword",
        "create-list-positional",
        "default-get-positional",
        "default-get-fields-list-kw",
        "default-get-fields-kw",
        "users-default-get-positional",
        "write-ids-vals-keywords",
        "read-fields-keyword",
        "users-create-without-partner",
        "load-types-as-strings",
        "load-types-read-back",
        "load-types-as-json",
        "load-country-by-name",
        "load-update-by-dot-id",
        "load-update-read-back",
        "load-update-missing-id",
        "load-bad-integer",
        "load-bad-integer-read",
        "load-int-overflow",
        "load-date-datetime",
        "load-date-datetime-read",
        "load-date-datetime-utc",
        "load-date-datetime-utc-read",
        "load-bad-date",
        "write-nan",
        "write-int-overflow",
        "write-nul-char",
        "write-many2many-set",
        "write-many2many-ids-list",
        "write-many2many-read",
        "write-readonly-field",
        "write-unknown-field",
        "unlink-partly-missing",
        "unlink-partly-missing-check",
        "order-by-related-path",
    }
)
EXACT = {"odoo": _EXACT_PROTOCOLS, "writeback": _EXACT_WRITEBACK}

# session_info grows with the installed apps (mail, web_tour, iap, spreadsheet add keys): ours carries
# the keys of base/web that clients use, each shaped as Odoo sends it, and none Odoo does not send.
SUBSET = frozenset({"web-session-authenticate", "web-get-session-info"})
SESSION_INFO_CORE = frozenset(
    {
        "uid",
        "db",
        "user_context",
        "server_version",
        "server_version_info",
        "name",
        "username",
        "partner_id",
        "is_admin",
        "is_system",
        "is_internal_user",
        "user_companies",
    }
)


CAPTURE_KINDS = ("odoo", "writeback")  # <kind><version>.json: the protocols, then the write path


def _mode(kind: str, name: str) -> str:
    return "exact" if name in EXACT[kind] else "subset" if name in SUBSET else "shape"


def _create_archived_partner(replay: Replay) -> None:
    """The capture script archived a partner named 'zenoo-capture-archived' before these exchanges."""
    ours = replay.admin_call("res.partner", "create", [{"name": "zenoo-capture-archived", "active": False}])
    for exchange in replay.capture["exchanges"]:
        if exchange["name"] == "search-active-test-false":
            captured_id = exchange["response"]["body"]["result"][0]["id"]
            replay.ids.learn("res.partner", captured_id, ours)


def _first_load_cell(replay: Replay, exchange_name: str, column: str) -> str:
    """A cell of the first row of a captured load() (the ids the capture script created silently)."""
    exchange = next(e for e in replay.capture["exchanges"] if e["name"] == exchange_name)
    columns, rows = call_of(exchange).args
    return str(rows[0][columns.index(column)])


def _create_tags(replay: Replay) -> None:
    """The capture script created the two tags its load and write exchanges link to."""
    captured = [
        int(i) for i in _first_load_cell(replay, "load-types-as-strings", "category_id/.id").split(",")
    ]
    ours = replay.admin_call(
        "res.partner.category", "create", [[{"name": "zenoo-capture-tag-a"}, {"name": "zenoo-capture-tag-b"}]]
    )
    for captured_id, our_id in zip(captured, ours, strict=True):
        replay.ids.learn("res.partner.category", captured_id, our_id)


def _create_sale_order(replay: Replay) -> None:
    """The capture loaded dates into the first sale order; ours gets a fresh one (demo data stays intact)."""
    captured = int(_first_load_cell(replay, "load-date-datetime", ".id"))
    partner = replay.admin_call("res.partner", "create", [{"name": "zenoo-capture-so-customer"}])
    replay.ids.learn(
        "sale.order", captured, replay.admin_call("sale.order", "create", [{"partner_id": partner}])
    )


def _create_written_partner(replay: Replay) -> None:
    """The capture script created the partner its write edge cases write to."""
    exchange = next(e for e in replay.capture["exchanges"] if e["name"] == "write-date-before")
    captured = call_of(exchange).args[0][0]
    replay.ids.learn(
        "res.partner", captured, replay.admin_call("res.partner", "create", [{"name": "zenoo-capture-w"}])
    )


SETUP: dict[tuple[str, str], Callable[[Replay], None]] = {
    ("odoo", "search-default-active"): _create_archived_partner,
    ("writeback", "load-types-as-strings"): _create_tags,
    ("writeback", "load-date-datetime"): _create_sale_order,
    ("writeback", "write-date-before"): _create_written_partner,
}


def _cases() -> list[Any]:
    cases = []
    for kind in CAPTURE_KINDS:
        for version in (17, 19):
            path = CAPTURES / f"{kind}{version}.json"
            if path.exists():
                for exchange in json.loads(path.read_text())["exchanges"]:
                    name = exchange["name"]
                    cases.append(pytest.param(kind, version, name, id=f"{kind}{version}-{name}"))
    return cases or [pytest.param("odoo", 0, "captures-absent", id="captures-absent")]


@pytest.fixture(scope="module")
def replay_for(wire_dir: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str, int], Replay]]:
    """The replay of one capture, shared by the module's cases (state carries over)."""
    opened: dict[tuple[str, int], Replay] = {}

    def replay_for(kind: str, version: int) -> Replay:
        if (kind, version) not in opened:
            if not (wire_dir / f"{kind}{version}.json").exists():
                pytest.skip(f"{wire_dir / f'{kind}{version}.json'} is absent")
            server = request.getfixturevalue(f"odoo_server_{version}")
            http = httpx.Client(base_url=server.url, timeout=60)
            opened[kind, version] = Replay(server, load_capture(wire_dir, kind, version), http)
        return opened[kind, version]

    yield replay_for
    for replay in opened.values():
        replay.http.close()


def _send(replay: Replay, kind: str, exchange: dict[str, Any]) -> httpx.Response:
    setup = SETUP.get((kind, exchange["name"]))
    if setup is not None:
        setup(replay)
    replay.sent = max(replay.sent, replay.capture["exchanges"].index(exchange) + 1)
    return replay.send(exchange)


@pytest.mark.parametrize(("kind", "version", "name"), _cases())
def test_captured_exchange(
    replay_for: Callable[[str, int], Replay], kind: str, version: int, name: str
) -> None:
    replay = replay_for(kind, version)
    exchanges = replay.capture["exchanges"]
    position = next(i for i, e in enumerate(exchanges) if e["name"] == name)
    # Later exchanges build on earlier ones: when a case runs alone (-k) or out of order, first
    # send the earlier exchanges it has not seen yet.
    for earlier in exchanges[replay.sent : position]:
        _send(replay, kind, earlier)
    exchange = exchanges[position]
    response = _send(replay, kind, exchange)
    problems = compare(replay, exchange, response, mode=_mode(kind, name))
    if name in SUBSET and response.status_code == 200:
        missing = SESSION_INFO_CORE - set(response.json().get("result", {}))
        if missing:
            problems.append(f"session info lacks {sorted(missing)}")
    call = call_of(exchange)
    assert not problems, f"{exchange['purpose']} ({call.model}.{call.method}):\n  " + "\n  ".join(problems)


# --- the key facts, stated in code so they are checked without the capture files --------------------


def test_capture_facts_hold_without_the_files(odoo_server_17: Any, odoo_server_19: Any) -> None:
    """Error codes 200 (17) / 0 (19); session expiry 100; JSON-2 only on 19; /web/version only on 19."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [None, 2, "wrong", "res.partner", "search_count", [[]]],
        },
    }
    for server, code in ((odoo_server_17, 200), (odoo_server_19, 0)):
        with httpx.Client(base_url=server.url) as http:
            body["params"]["args"][0] = server.database
            assert http.post("/jsonrpc", json=body).json()["error"]["code"] == code
            expired = http.post(
                "/web/dataset/call_kw", json={"jsonrpc": "2.0", "method": "call", "id": 2, "params": {}}
            )
            assert expired.json()["error"]["code"] == 100
            assert http.get("/web/version").status_code == (404 if server.version == 17 else 200)
            json2 = http.post(
                "/json/2/res.partner/search_count",
                json={"domain": []},
                headers={"Authorization": f"bearer {server.users['admin'].api_key}"},
            )
            assert json2.status_code == (404 if server.version == 17 else 200)
