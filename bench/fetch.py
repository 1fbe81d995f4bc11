"""Bulk fetch benchmark: zenoo ``to_polars()`` vs a hand-written httpx+orjson pipeline vs OdooRPC.

The hand-written pipeline runs twice: ``raw`` reads many2one values as bare ids and no names (the
strict baseline every ratio refers to); ``raw-names`` uses the default read and splits the
``[id, name]`` pairs into two columns, so its frame holds what zenoo's does.

Not run in CI. Fetches every res.partner × 10 fields and prints, per contender, the wall time, the
peak memory and both as ratios to the raw pipeline, plus the final Arrow table's size.

Servers: the embedded server started here with ``subprocess=True`` (its own process, so it does not
share the client's GIL) at ``--scale``; and, when ``ZENOO_TEST_URL`` (+ ``ZENOO_TEST_DB``,
``ZENOO_TEST_USER``, ``ZENOO_TEST_PASSWORD``) is set, that real Odoo as well.

Memory, two figures, each contender in fresh Python processes:

* allocation peak: the first fetch in a new process under tracemalloc (Python objects: response
  bytes, decoded JSON rows) plus the peak of Arrow's memory pool (Arrow buffers, which tracemalloc
  does not see). Polars' own allocator is not counted (zenoo's ``pl.from_arrow`` is zero-copy; the
  raw pipeline's ``pl.DataFrame(rows)`` is the one that allocates there).
* RSS growth: after one warm-up fetch (connections, thread pools and allocator arenas are set up
  once), a thread samples the resident set size (psutil) every 2 ms during a second fetch; peak
  minus the RSS just before it. Memory freed by the warm-up and kept by the allocators is reused,
  so this is what a repeated fetch costs the process, not a cold start.

    python bench/fetch.py --scale 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

FIELDS = [
    "name",
    "email",
    "phone",
    "is_company",
    "country_id",
    "parent_id",
    "type",
    "create_date",
    "category_id",
    "active",
]
CHUNK_SIZE = int(os.environ.get("ZENOO_BENCH_CHUNK_SIZE", "2000"))
# zenoo's chunk size: automatic (derived from the result size) unless given
ZENOO_CHUNK_SIZE = (
    int(os.environ["ZENOO_BENCH_ZENOO_CHUNK_SIZE"])
    if os.environ.get("ZENOO_BENCH_ZENOO_CHUNK_SIZE")
    else None
)
CONCURRENCY = int(os.environ.get("ZENOO_BENCH_CONCURRENCY", "4"))
MANY2ONES = ("country_id", "parent_id")
CONTENDERS = ("raw", "raw-names", "zenoo", "odoorpc")
STREAMING = ("collect", "sink_parquet", "to_parquet")  # --streaming: zenoo's ways to the whole result


# --- contenders (each runs in its own process) -----------------------------------------------------


def run_zenoo(url: str, db: str, user: str, password: str) -> Callable[[], Any]:
    import pandas  # noqa: F401 - pyarrow imports it lazily on first use: import before measuring
    import polars  # noqa: F401 - imported before measuring, as the other contenders do

    import zenoo_frames  # noqa: F401
    from zenoo.sync import Client

    client = Client(url)
    client.login(db, user, password)
    qs = client.model("res.partner").only(*FIELDS)

    def fetch() -> Any:
        return qs.to_polars(chunk_size=ZENOO_CHUNK_SIZE, concurrency=CONCURRENCY, progress=False)

    return fetch


def run_raw(url: str, db: str, user: str, password: str, *, names: bool = False) -> Callable[[], Any]:
    """What a careful user would write by hand: one search, concurrent read chunks, orjson.

    ``names=False``: many2one as bare ids (``load=None``), no display names: the strict baseline.
    ``names=True``: the default read, ``[id, name]`` pairs split into two columns by hand, so
    the frame holds what zenoo's does.
    """
    import httpx
    import orjson
    import polars as pl

    def rpc_body(service: str, method: str, *args: Any) -> bytes:
        return orjson.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": list(args)},
            }
        )

    async def call(http: httpx.AsyncClient, *args: Any) -> Any:
        response = await http.post(
            "/jsonrpc", content=rpc_body(*args), headers={"Content-Type": "application/json"}
        )
        payload = orjson.loads(response.content)
        if "error" in payload:
            raise RuntimeError(payload["error"])
        return payload["result"]

    async def main() -> Any:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=300) as http:
            uid = await call(http, "common", "authenticate", db, user, password, {})
            ids = await call(
                http,
                "object",
                "execute_kw",
                db,
                uid,
                password,
                "res.partner",
                "search",
                [[]],
                {"order": "id"},
            )
            gate = asyncio.Semaphore(CONCURRENCY)

            async def read(chunk: list[int]) -> list[dict[str, Any]]:
                async with gate:
                    return await call(
                        http,
                        "object",
                        "execute_kw",
                        db,
                        uid,
                        password,
                        "res.partner",
                        "read",
                        [chunk, FIELDS],
                        {} if names else {"load": None},
                    )

            chunks = [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]
            rows = [row for part in await asyncio.gather(*(read(c) for c in chunks)) for row in part]
        if names:
            for row in rows:
                for field in MANY2ONES:
                    value = row[field]
                    row[field], row[f"{field}.display_name"] = value if value else (None, None)
        return pl.DataFrame(rows, infer_schema_length=None)

    return lambda: asyncio.run(main())


def run_odoorpc(url: str, db: str, user: str, password: str) -> Callable[[], Any]:
    import urllib.parse

    import odoorpc
    import polars as pl

    parsed = urllib.parse.urlsplit(url)
    odoo = odoorpc.ODOO(
        parsed.hostname,
        port=parsed.port or 80,
        timeout=300,
        protocol="jsonrpc+ssl" if parsed.scheme == "https" else "jsonrpc",
    )
    odoo.login(db, user, password)

    def fetch() -> Any:
        rows = odoo.execute_kw("res.partner", "search_read", [[]], {"fields": FIELDS, "order": "id"})
        # many2one values are [id, name] or false: keep the ids, as a user would for a typed frame
        for row in rows:
            for name in MANY2ONES:
                row[name] = row[name][0] if row[name] else None
        return pl.DataFrame(rows, infer_schema_length=None)

    return fetch


def sampling_rss(action: Callable[[], Any]) -> tuple[Any, int, float]:
    """Run ``action`` while a thread samples the resident set size every 2 ms.

    Returns its result, the RSS peak minus the RSS just before it, and its wall time in seconds.
    """
    import psutil

    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = action()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return result, peak - baseline, wall


def child(contender: str, mode: str, url: str, db: str, user: str, password: str) -> None:
    """Measure one contender in this process and print one JSON line.

    ``time``: one warm-up fetch, then a timed fetch while a thread samples RSS every 2 ms.
    ``alloc``: a first fetch in a fresh process under tracemalloc; the allocation peak is the
    Python heap's peak plus the Arrow memory pool's peak.
    """
    import pyarrow as pa

    prepare = {
        "zenoo": run_zenoo,
        "raw": run_raw,
        "raw-names": partial(run_raw, names=True),
        "odoorpc": run_odoorpc,
    }[contender]
    fetch = prepare(url, db, user, password)
    if mode == "alloc":
        import tracemalloc

        tracemalloc.start()
        frame = fetch()
        _current, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        arrow_peak = pa.default_memory_pool().max_memory() or 0
        print(json.dumps({"alloc_peak": python_peak + arrow_peak, "arrow_bytes": frame.to_arrow().nbytes}))
        return

    fetch()  # warm-up: connections, thread pools and allocator arenas are set up once
    frame, rss_growth, wall = sampling_rss(fetch)
    print(json.dumps({"wall": wall, "rss_growth": rss_growth, "rows": frame.height}))


def streaming_child(way: str, url: str, db: str, user: str, password: str) -> None:
    """RSS growth (peak minus before) of one zenoo way to the whole result, after a small warm-up
    the same way (connections, thread pools); prints one JSON line."""
    import tempfile

    import polars as pl

    from zenoo.sync import Client

    client = Client(url)
    client.login(db, user, password)
    qs = client.model("res.partner").only(*FIELDS)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "partners.parquet")

        def run(query: Any) -> Any:
            if way == "collect":
                return query.lazy(progress=False).collect()
            if way == "sink_parquet":
                return query.lazy(progress=False).sink_parquet(path)
            return query.to_parquet(path, progress=False)

        run(qs.limit(100))
        result, rss_growth, _wall = sampling_rss(partial(run, qs))
        frame = result if way == "collect" else pl.read_parquet(path)
        print(
            json.dumps(
                {"rss_growth": rss_growth, "rows": frame.height, "arrow_bytes": frame.to_arrow().nbytes}
            )
        )


def streaming_report(url: str, db: str, user: str, password: str, repeat: int) -> None:
    print(f"\n== streaming: RSS growth (median of {repeat}) of the whole result, by way")
    mib = 2**20
    for way in STREAMING:
        runs = [r for r in (measure(way, "stream", url, db, user, password) for _ in range(repeat)) if r]
        if runs:
            growth = statistics.median(r["rss_growth"] for r in runs)
            table = runs[0]["arrow_bytes"]
            print(
                f"{way:<13} rows {runs[0]['rows']:>8}  RSS+ {growth / mib:7.1f} MiB"
                f"  = {growth / table:.2f} x the Arrow table ({table / mib:.1f} MiB)"
            )


# --- orchestration ----------------------------------------------------------------------------------


def measure(contender: str, mode: str, url: str, db: str, user: str, password: str) -> dict[str, Any] | None:
    """One run of ``contender`` in a fresh process; None (with the reason printed) when it fails."""
    command = [
        sys.executable,
        __file__,
        "--child",
        contender,
        "--mode",
        mode,
        "--url",
        url,
        "--db",
        db,
        "--user",
        user,
    ]
    env = {**os.environ, "ZENOO_BENCH_PASSWORD": password}  # not on the command line
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"{contender} ({mode}): failed: {reason}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(url: str, db: str, user: str, password: str, repeat: int) -> None:
    print(
        f"== res.partner × {len(FIELDS)} fields, raw chunk {CHUNK_SIZE},"
        f" zenoo chunk {ZENOO_CHUNK_SIZE or 'auto'}, concurrency {CONCURRENCY};"
        f" best wall, median memory of {repeat} runs"
    )
    results: dict[str, dict[str, Any]] = {}
    for contender in CONTENDERS:
        timed = [r for r in (measure(contender, "time", url, db, user, password) for _ in range(repeat)) if r]
        alloc = [
            r for r in (measure(contender, "alloc", url, db, user, password) for _ in range(repeat)) if r
        ]
        if not timed or not alloc:
            continue
        results[contender] = {
            "rows": timed[0]["rows"],
            "wall": min(r["wall"] for r in timed),
            "rss": statistics.median(r["rss_growth"] for r in timed),
            "alloc": statistics.median(r["alloc_peak"] for r in alloc),
            "arrow_bytes": alloc[0]["arrow_bytes"],
        }
    raw = results["raw"]
    mib = 2**20
    print(
        f"{'contender':<10} {'rows':>8} {'wall s':>8} {'x raw':>6} {'alloc MiB':>10} {'x raw':>6}"
        f" {'RSS+ MiB':>9} {'x raw':>6}"
    )
    for name, r in results.items():
        print(
            f"{name:<10} {r['rows']:>8} {r['wall']:>8.3f} {r['wall'] / raw['wall']:>6.2f}"
            f" {r['alloc'] / mib:>10.1f} {r['alloc'] / raw['alloc']:>6.2f}"
            f" {r['rss'] / mib:>9.1f} {r['rss'] / max(raw['rss'], 1):>6.2f}"
        )
    zenoo = results["zenoo"]
    table = zenoo["arrow_bytes"]
    print(
        f"zenoo: final Arrow table {table / mib:.1f} MiB; allocation peak / table = {zenoo['alloc'] / table:.2f},"
        f" RSS growth / table = {zenoo['rss'] / table:.2f} (target ≤ 3);"
        f" wall / raw = {zenoo['wall'] / raw['wall']:.2f} (target ≤ 1.1)"
    )


def main() -> None:
    global CHUNK_SIZE, CONCURRENCY, ZENOO_CHUNK_SIZE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", default="medium", help="embedded server scale: small|medium|large|<partners>"
    )
    parser.add_argument("--version", type=int, default=19, choices=(17, 19))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="ids per read (raw pipelines)")
    parser.add_argument(
        "--zenoo-chunk-size", type=int, default=None, help="ids per read for zenoo (default: automatic)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, help="reads in flight (both pipelines)"
    )
    parser.add_argument(
        "--streaming",
        action="store_true",
        help="instead: compare the memory of lazy().collect(), lazy().sink_parquet() and to_parquet()",
    )
    parser.add_argument("--child", choices=CONTENDERS + STREAMING, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("time", "alloc", "stream"), default="time", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child = streaming_child if args.mode == "stream" else partial(child, mode=args.mode)
        run_child(
            args.child, url=args.url, db=args.db, user=args.user, password=os.environ["ZENOO_BENCH_PASSWORD"]
        )
        return

    os.environ["ZENOO_BENCH_CHUNK_SIZE"] = str(args.chunk_size)  # children read them at import
    os.environ["ZENOO_BENCH_CONCURRENCY"] = str(args.concurrency)
    if args.zenoo_chunk_size is not None:
        os.environ["ZENOO_BENCH_ZENOO_CHUNK_SIZE"] = str(args.zenoo_chunk_size)
    CHUNK_SIZE, CONCURRENCY, ZENOO_CHUNK_SIZE = args.chunk_size, args.concurrency, args.zenoo_chunk_size

    from zenoo.testing import OdooTestServer

    scale: str | int = int(args.scale) if args.scale.isdigit() else args.scale
    print(f"starting the embedded server (Odoo {args.version} imitation, scale {scale}) in a subprocess…")
    measure_all = streaming_report if args.streaming else report
    with OdooTestServer(version=args.version, scale=scale, subprocess=True) as srv:
        admin = srv.users["admin"]
        print(f"\n## embedded server, scale {scale}")
        measure_all(srv.url, srv.database, admin.login, admin.password, args.repeat)
    if os.environ.get("ZENOO_TEST_URL"):
        print("\n## real Odoo at " + os.environ["ZENOO_TEST_URL"])
        measure_all(
            os.environ["ZENOO_TEST_URL"],
            os.environ["ZENOO_TEST_DB"],
            os.environ["ZENOO_TEST_USER"],
            os.environ["ZENOO_TEST_PASSWORD"],
            args.repeat,
        )


if __name__ == "__main__":
    main()
