"""How fast the embedded Odoo server answers a bulk read over HTTP (plain httpx on the client side).

Prints the median of several ``search_read`` calls of 5,000 res.partner rows x 10 fields (with a
many2one and a many2many), over JSON-RPC and JSON-2, against a server running in a child process
(``subprocess=True``, so the server does not share the client's GIL) and in a thread, plus the
same call on the ORM alone. The target is well under 200 ms per call.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx
import orjson

from zenoo.testing import OdooTestServer
from zenoo.testing.orm import Registry

ROWS = 5_000
FIELDS = [
    "name",
    "email",
    "phone",
    "is_company",
    "country_id",
    "category_id",
    "type",
    "ref",
    "create_date",
    "active",
]
REPEAT = 7


def _median_ms(call: Callable[[], object]) -> float:
    call()  # warm up
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _over_http(server: OdooTestServer) -> dict[str, float]:
    admin = server.users["admin"]
    rpc = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [
                server.database,
                admin.uid,
                admin.password,
                "res.partner",
                "search_read",
                [[]],
                {"fields": FIELDS, "limit": ROWS, "order": "id"},
            ],
        },
    }
    json2_body = {"domain": [], "fields": FIELDS, "limit": ROWS, "order": "id"}
    headers = {"Authorization": f"bearer {admin.api_key}", "X-Odoo-Database": server.database}
    with httpx.Client(base_url=server.url, timeout=60) as http:

        def jsonrpc() -> None:
            rows = orjson.loads(http.post("/jsonrpc", json=rpc).content)["result"]
            assert len(rows) == ROWS, len(rows)

        def json2() -> None:
            rows = orjson.loads(
                http.post("/json/2/res.partner/search_read", json=json2_body, headers=headers).content
            )
            assert len(rows) == ROWS, len(rows)

        size = len(http.post("/json/2/res.partner/search_read", json=json2_body, headers=headers).content)
        return {"jsonrpc_ms": _median_ms(jsonrpc), "json2_ms": _median_ms(json2), "body_kb": size / 1024}


def main() -> None:
    scale = ROWS + 1_000
    started = time.perf_counter()
    registry = Registry(version=19, scale=scale)
    print(f"demo data for {scale} partners generated in {time.perf_counter() - started:.2f} s")
    uid = registry.users["admin"].uid
    orm_ms = _median_ms(
        lambda: registry.execute_kw(
            uid, "res.partner", "search_read", [[]], {"fields": FIELDS, "limit": ROWS, "order": "id"}
        )
    )
    registry.close()
    print(f"ORM only: search_read {ROWS} x {len(FIELDS)} fields: {orm_ms:.1f} ms")
    for label, subprocess in (("subprocess server", True), ("in-thread server", False)):
        with OdooTestServer(version=19, scale=scale, subprocess=subprocess) as server:
            figures = _over_http(server)
        print(
            f"{label}: JSON-RPC {figures['jsonrpc_ms']:.1f} ms, JSON-2 {figures['json2_ms']:.1f} ms "
            f"(median of {REPEAT}, body {figures['body_kb']:.0f} KiB, client decode included)"
        )


if __name__ == "__main__":
    main()
