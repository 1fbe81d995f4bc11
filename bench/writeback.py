"""Write-back benchmark: an edited frame of ``--rows`` partners × 3 columns written back, as ratios
measured in one run.

Not run in CI. Contenders, each starting from the same server state (the records are reset between
runs, untimed):

* ``zenoo``: ``changes.apply(client)`` with its defaults, ``changes`` being
  ``zenoo_frames.diff(original, edited)`` made before the clock starts (as ``raw`` gets its rows
  ready-made; the diff's own time is printed apart, and the ratio with it): the conflict check (one
  ``read``), then ``load`` by ``.id`` in paced requests (4 in flight: the first four of 100 rows,
  the others sized from their time) inside a zenoo transaction (a read before each request, and
  after each but the last four); ``zenoo one request`` is the same with ``rows_per_call`` covering
  every row (one ``load``, Odoo's own transaction);
* ``loop``: one ``write`` per row, as people write it today (OdooRPC when installed, else zenoo's
  ``write``); timed on ``--loop-rows`` records and scaled to ``--rows`` (say so in the figures);
* ``raw``: one hand-written JSON-RPC ``load`` with ``.id`` and the same cells (``bench/writing.py``'s
  ``Raw``).

``raw`` and the zenoo contenders run ``--repeat`` times, interleaved, and their medians are kept.
Printed: seconds, ``loop / zenoo`` (target ≥ 10) and ``zenoo / raw`` (target ≤ 1.3, conflict check
included). Servers: the embedded server (a child process) and a real Odoo given by
``--url/--db/--user/--password`` or the ``ZENOO_TEST_*`` variables (the bench database:
``eval "$(../shared/real-odoo/serve.sh ../odoo-root env bench)"``). Records are named
``zenoo-test-bench-*`` and deleted at the end.

    python bench/writeback.py --rows 10000 --loop-rows 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

import polars as pl
from servers import add_server_arguments, servers
from writing import MODEL, Raw, loop_contender, timed

import zenoo_frames
from zenoo import ZenooClient

COLUMNS = ("function", "color", "ref")  # in base: the bench database has no accounting
START = {"function": "Clerk", "color": 1, "ref": "R"}


def edit(original: pl.DataFrame) -> pl.DataFrame:
    """Distinct new values in the three columns of every row."""
    n = pl.int_range(pl.len())
    return original.with_columns(
        pl.format("role {}", n).alias("function"),
        (2 + n % 1000).alias("color"),
        pl.format("ref-{}", n).alias("ref"),
    )


def as_updates(edited: pl.DataFrame) -> dict[int, dict[str, Any]]:
    return {row["id"]: {name: row[name] for name in COLUMNS} for row in edited.iter_rows(named=True)}


async def bench(url: str, db: str, user: str, password: str, rows: int, loop_rows: int, repeat: int) -> None:
    async with ZenooClient(url, timeout=600) as client:
        uid = await client.login(db, user, password)
        raw = Raw(url, db, uid, password)
        tag = f"zenoo-test-bench-{uuid.uuid4().hex[:6]}"
        ids = await client.bulk_create(
            MODEL, [{"name": f"{tag}-{i:05d}", **START} for i in range(rows)], progress=False
        )
        qs = client.model(MODEL).filter(id__in=ids).only(*COLUMNS)
        original = await qs.to_polars(progress=False)
        edited = edit(original)
        updates = as_updates(edited)

        async def reset() -> None:
            await client.write(MODEL, ids, START)

        diff_times: list[float] = []

        def applying(rows_per_call: int | None = None) -> Any:
            """The contender: the diff made now (its time noted), the clock started for apply()."""
            started = time.perf_counter()
            changes = zenoo_frames.diff(original, edited)
            diff_times.append(time.perf_counter() - started)
            return lambda: changes.apply(client, rows_per_call=rows_per_call)

        contenders = {
            "raw": lambda: lambda: raw.write_distinct(updates),
            "zenoo": applying,
            "zenoo one request": lambda: applying(rows),
        }
        runs: dict[str, list[float]] = {}
        sizes: set[tuple[int, ...]] = set()  # the paced requests' rows
        for _ in range(repeat):
            for name, contender in contenders.items():
                await reset()
                seconds, result = await timed(contender())
                runs.setdefault(name, []).append(seconds)
                if name == "zenoo":
                    sizes.add(tuple(len(c.rows) for batch in result.batches for c in batch.calls))
        figures = {name: statistics.median(times) for name, times in runs.items()}
        diff = statistics.median(diff_times)
        check = await qs.to_polars(progress=False)
        assert check.sort("id").select(COLUMNS).equals(edited.sort("id").select(COLUMNS)), (
            "the write-back did not land"
        )
        label, _create_one, write_one = loop_contender(url, db, user, password, client)
        await reset()

        async def loop() -> None:
            for record_id in ids[:loop_rows]:
                await write_one(record_id, updates[record_id])

        seconds, _ = await timed(loop)
        figures["loop"] = seconds * rows / loop_rows
        await client.bulk_unlink(MODEL, ids, progress=False)
        await raw.http.aclose()
    print(f"  {rows} rows x {len(COLUMNS)} columns; medians of {repeat} runs; loop: {label}, timed once on "
          f"{loop_rows} records and scaled to {rows}")  # fmt: skip
    print("  " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in figures.items())
          + f"; the diff before apply() {diff:.3f}s")  # fmt: skip
    print("  zenoo's requests (rows each): " + "; ".join(", ".join(map(str, s)) for s in sorted(sizes)))
    for name in ("zenoo", "zenoo one request"):
        print(f"    {name}: loop / zenoo = {figures['loop'] / figures[name]:.1f}x (target >= 10); "
              f"zenoo / raw = {figures[name] / figures['raw']:.2f} (target <= 1.3); "
              f"with the diff {(figures[name] + diff) / figures['raw']:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--loop-rows", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    add_server_arguments(parser)
    args = parser.parse_args()
    for server in servers(args, scale="small"):
        print(f"\n## {server.title}")
        asyncio.run(
            bench(
                server.url,
                server.database,
                server.user,
                server.password,
                args.rows,
                args.loop_rows,
                args.repeat,
            )
        )


if __name__ == "__main__":
    main()
