"""Every captured exchange of real Odoo 17.0 and 19.0, replayed against the embedded server of the same version.

The exchanges run in capture order on the session server of that version; a case run alone or out
of order first sends the earlier exchanges it builds on. ``wire_replay`` explains how secrets, the
database, uids and record ids are substituted. Exchanges listed in ``EXACT``
depend only on records the sequence itself created, or on nothing: their result must equal the
captured one once ids are translated. The others read demo data, which is generated here (other
names, counts and ids), so their results are compared by shape: same keys, same kinds of values
(``false`` standing for any unset value). Status, the headers that matter, envelopes and error
name/code/message/arguments are compared for every exchange.

``SETUP`` creates what the capture script created without recording it. No exchange is skipped:
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

EXACT = frozenset(
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


def _mode(name: str) -> str:
    return "exact" if name in EXACT else "subset" if name in SUBSET else "shape"


def _create_archived_partner(replay: Replay) -> None:
    """The capture script archived a partner named 'zenoo-capture-archived' before these exchanges."""
    ours = replay.admin_call("res.partner", "create", [{"name": "zenoo-capture-archived", "active": False}])
    for exchange in replay.capture["exchanges"]:
        if exchange["name"] == "search-active-test-false":
            captured_id = exchange["response"]["body"]["result"][0]["id"]
            replay.ids.learn("res.partner", captured_id, ours)


SETUP: dict[str, Callable[[Replay], None]] = {"search-default-active": _create_archived_partner}


def _cases() -> list[Any]:
    if not (CAPTURES / "odoo17.json").exists():
        return [pytest.param(0, "captures-absent", id="captures-absent")]
    cases = []
    for version in (17, 19):
        for exchange in json.loads((CAPTURES / f"odoo{version}.json").read_text())["exchanges"]:
            cases.append(pytest.param(version, exchange["name"], id=f"odoo{version}-{exchange['name']}"))
    return cases


@pytest.fixture(scope="module")
def replay_for(wire_dir: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[int], Replay]]:
    """The replay of one version's capture, shared by the module's cases (state carries over)."""
    opened: dict[int, Replay] = {}

    def replay_for(version: int) -> Replay:
        if version not in opened:
            server = request.getfixturevalue(f"odoo_server_{version}")
            http = httpx.Client(base_url=server.url, timeout=60)
            opened[version] = Replay(server, load_capture(wire_dir, version), http)
        return opened[version]

    yield replay_for
    for replay in opened.values():
        replay.http.close()


def _send(replay: Replay, exchange: dict[str, Any]) -> httpx.Response:
    if exchange["name"] in SETUP:
        SETUP[exchange["name"]](replay)
    replay.sent = max(replay.sent, replay.capture["exchanges"].index(exchange) + 1)
    return replay.send(exchange)


@pytest.mark.parametrize(("version", "name"), _cases())
def test_captured_exchange(replay_for: Callable[[int], Replay], version: int, name: str) -> None:
    replay = replay_for(version)
    exchanges = replay.capture["exchanges"]
    position = next(i for i, e in enumerate(exchanges) if e["name"] == name)
    # Later exchanges build on earlier ones: when a case runs alone (-k) or out of order, first
    # send the earlier exchanges it has not seen yet.
    for earlier in exchanges[replay.sent : position]:
        _send(replay, earlier)
    exchange = exchanges[position]
    response = _send(replay, exchange)
    problems = compare(replay, exchange, response, mode=_mode(name))
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
