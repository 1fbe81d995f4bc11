"""Write benchmark: ``bulk_create`` and ``bulk_write`` vs a loop of one call per record and vs a
hand-written raw call, as ratios measured in one run.

Not run in CI. Per workload (create ``--rows`` partners; write ``--rows`` distinct values on them):

* ``loop``: one call per record, as OdooRPC users write it (OdooRPC when installed: ``pip install
  -e '.[bench]'``; else zenoo's ``create``/``write`` one by one). It is timed on ``--loop-rows``
  records and its time per record is scaled to ``--rows`` (say so in the figures);
* ``raw``: one hand-written JSON-RPC request over httpx + orjson: ``create([...all rows])`` and, for
  distinct values, ``load`` with ``.id`` (the one-request way to write many different values);
* ``zenoo``: ``client.bulk_create`` / ``client.bulk_write`` with their defaults (values checked
  before sending, chunks of 1,000 rows, 4 requests in flight), and ``zenoo unchecked`` with
  ``validate=False``.

Each of ``raw`` and ``zenoo`` runs ``--repeat`` times, interleaved, and its median is kept (the
loop runs once). Printed: seconds per workload, and the ratios ``loop / zenoo`` (target ≥ 10) and ``zenoo / raw``
(target ≤ 1.2). Servers: the embedded server (a child process) and a real Odoo given by
``--url/--db/--user/--password`` or the ``ZENOO_TEST_*`` variables. Records are named
``zenoo-test-bench-*`` and deleted after each contender (not timed).

    python bench/writing.py --rows 10000 --loop-rows 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from servers import add_server_arguments, servers

from zenoo import ZenooClient

MODEL = "res.partner"


def rows_for(tag: str, count: int) -> list[dict[str, Any]]:
    return [{"name": f"{tag}-{i:05d}", "email": f"p{i}@bench.test", "color": i % 10} for i in range(count)]


def distinct_values(ids: list[int], tag: str) -> dict[int, dict[str, Any]]:
    return {record_id: {"function": f"{tag} role {n}", "color": n % 11} for n, record_id in enumerate(ids)}


class Raw:
    """A hand-written JSON-RPC caller: httpx + orjson, nothing else."""

    def __init__(self, url: str, db: str, uid: int, password: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=600)
        self.db, self.uid, self.password = db, uid, password

    async def execute(self, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": [self.db, self.uid, self.password, MODEL, method, args, kwargs or {}]}}  # fmt: skip
        response = await self.http.post("/jsonrpc", content=orjson.dumps(body),
                                        headers={"Content-Type": "application/json"})  # fmt: skip
        answer = orjson.loads(response.content)
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])  # bench code: surface the server's message
        return answer["result"]

    async def create(self, rows: list[dict[str, Any]]) -> list[int]:
        return await self.execute("create", [rows])

    async def write_distinct(self, values: dict[int, dict[str, Any]]) -> None:
        names = list(next(iter(values.values())))
        cells = [[str(i), *(str(v[n]) for n in names)] for i, v in values.items()]
        answer = await self.execute("load", [[".id", *names], cells], {"context": {"tz": "UTC"}})
        assert answer["ids"], answer["messages"][:3]


def loop_contender(url: str, db: str, user: str, password: str, client: ZenooClient) -> tuple[str, Any, Any]:
    """Blocking ``create(vals)`` and ``write(id, vals)`` per record: OdooRPC's if installed."""
    try:
        import odoorpc
    except ImportError:
        async def create_one(vals: dict[str, Any]) -> int:
            return await client.create(MODEL, vals)  # type: ignore[return-value]

        async def write_one(record_id: int, vals: dict[str, Any]) -> None:
            await client.write(MODEL, [record_id], vals)

        return "zenoo one call per record (OdooRPC not installed)", create_one, write_one
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    odoo = odoorpc.ODOO(host, port=int(port))
    odoo.login(db, user, password)
    partners = odoo.env[MODEL]

    async def create_odoorpc(vals: dict[str, Any]) -> int:
        return partners.create(vals)

    async def write_odoorpc(record_id: int, vals: dict[str, Any]) -> None:
        partners.browse(record_id).write(vals)

    return "OdooRPC, one call per record", create_odoorpc, write_odoorpc


async def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await run()
    return time.perf_counter() - started, result


async def bench(url: str, db: str, user: str, password: str, rows: int, loop_rows: int, repeat: int) -> None:
    async with ZenooClient(url, timeout=600) as client:
        uid = await client.login(db, user, password)
        await client.bulk_create(MODEL, rows_for("zenoo-test-bench-warm", 10), progress=False)  # caches fields_get
        raw = Raw(url, db, uid, password)
        tag = f"zenoo-test-bench-{uuid.uuid4().hex[:6]}"
        figures: dict[str, dict[str, float]] = {"create": {}, "write": {}}

        async def cleanup() -> None:
            ids = await client.search(MODEL, [["name", "like", "zenoo-test-bench-%"]])
            if ids:
                await client.bulk_unlink(MODEL, ids, progress=False)

        await cleanup()
        contenders: dict[str, tuple[Any, Any]] = {
            "raw": (lambda r: raw.create(r), lambda v: raw.write_distinct(v)),
            "zenoo": (lambda r: client.bulk_create(MODEL, r, progress=False),
                      lambda v: client.bulk_write(MODEL, v, progress=False)),
            "zenoo unchecked": (lambda r: client.bulk_create(MODEL, r, progress=False, validate=False),
                                lambda v: client.bulk_write(MODEL, v, progress=False, validate=False)),
        }  # fmt: skip
        runs: dict[str, dict[str, list[float]]] = {"create": {}, "write": {}}
        for _ in range(repeat):
            for name, (create, write) in contenders.items():
                seconds, ids = await timed(lambda create=create: create(rows_for(tag, rows)))
                runs["create"].setdefault(name, []).append(seconds)
                assert len(ids) == rows
                seconds, _ = await timed(lambda write=write, ids=ids: write(distinct_values(ids, tag)))
                runs["write"].setdefault(name, []).append(seconds)
                await cleanup()
        for workload, found in runs.items():
            figures[workload] = {name: statistics.median(times) for name, times in found.items()}
        label, create_one, write_one = loop_contender(url, db, user, password, client)

        async def loop_create() -> list[int]:
            return [await create_one(vals) for vals in rows_for(tag, loop_rows)]

        seconds, ids = await timed(loop_create)
        figures["create"]["loop"] = seconds * rows / loop_rows

        async def loop_write() -> None:
            for record_id, vals in distinct_values(ids, tag).items():
                await write_one(record_id, vals)

        seconds, _ = await timed(loop_write)
        figures["write"]["loop"] = seconds * rows / loop_rows
        await cleanup()
        await raw.http.aclose()
    print(f"  rows: {rows}; medians of {repeat} runs; loop: {label}, timed once on {loop_rows} records and scaled to {rows}")
    for workload, found in figures.items():
        what = "bulk_create" if workload == "create" else "bulk_write (distinct values)"
        line = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in found.items())
        print(f"  {what}: {line}")
        print(f"    loop / zenoo = {found['loop'] / found['zenoo']:.1f}x (target >= 10); "
              f"zenoo / raw = {found['zenoo'] / found['raw']:.2f} (target <= 1.2); "
              f"unchecked / raw = {found['zenoo unchecked'] / found['raw']:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--loop-rows", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    add_server_arguments(parser)
    args = parser.parse_args()
    for server in servers(args, scale="small"):
        print(f"\n## {server.title}")
        asyncio.run(
            bench(server.url, server.database, server.user, server.password, args.rows, args.loop_rows, args.repeat)
        )


if __name__ == "__main__":
    main()
