"""Small-call benchmark: many small ``search_read``/``search_count`` calls, zenoo vs OdooRPC vs raw.

Not run in CI. Each contender runs in its own fresh process and makes, after a warm-up, ``--calls``
small calls: one after another (``search_read`` of 5 partners × 2 fields, then ``search_count``),
and ``search_read`` with ``--concurrency`` calls in flight. Printed per contender and workload: the
mean wall latency per call (for the concurrent workload: the whole run's wall time divided by the
number of calls), the client process's CPU time per call (``time.process_time()``: every thread of
the client; the server runs in another process), and both as ratios to OdooRPC's. Each figure is
the median of ``--repeat`` runs, the contenders interleaved.

Contenders:

* ``raw``: a hand-written ``httpx.AsyncClient`` + orjson JSON-RPC caller, the floor for httpx;
* ``zenoo``: the async ``ZenooClient``; ``zenoo-sync``: the blocking ``zenoo.sync.Client``
  (threads for the concurrent workload, sharing the client);
* ``odoorpc``: OdooRPC, blocking, as its users run it (one logged-in ``ODOO`` object per thread
  for the concurrent workload);
* ``zenoo@cmp`` with ``--compare-python PYTHON``: the async zenoo installed for another interpreter
  (a venv holding an older zenoo), for before/after figures side by side.

Servers: the embedded server in a child process, keeping connections alive (as Odoo behind a proxy)
and answering ``Connection: close`` (as bare Odoo does); and a real Odoo given by
``--url/--db/--user/--password`` or the ``ZENOO_TEST_*`` variables.

    python bench/small_calls.py --calls 200 --concurrency 4 --repeat 3
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
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from servers import add_server_arguments

MODEL = "res.partner"
DOMAIN = [["id", ">", 0]]
FIELDS = ["name", "email"]
LIMIT = 5
CONTENDERS = ("raw", "zenoo", "zenoo-sync", "odoorpc")
BASELINE = "odoorpc"
WORKLOADS = ("search_read", "search_count", "concurrent")
WARM_UP = 20


# --- contenders (each runs in its own process) -----------------------------------------------------
#
# A contender is a pair of blocking functions: ``read()`` makes one small search_read and
# ``count()`` one search_count; ``concurrent(n, k)`` makes n reads with k in flight.


class Contender:
    def __init__(
        self,
        read: Callable[[], Any],
        count: Callable[[], Any],
        concurrent: Callable[[int, int], Any],
    ) -> None:
        self.read, self.count, self.concurrent = read, count, concurrent


def threaded(read: Callable[[], Any], in_flight: int) -> Callable[[int, int], Any]:
    """``concurrent(n, k)`` for a blocking client: n calls of ``read`` on k long-lived threads.

    The threads are started (and their first ``read`` made) here, before anything is timed.
    """
    pool = ThreadPoolExecutor(in_flight)
    ready = threading.Barrier(in_flight)

    def first() -> None:
        read()
        ready.wait()  # every thread holds one task: all k of them start

    list(pool.map(lambda _: first(), range(in_flight)))

    def concurrent(calls: int, in_flight: int) -> None:
        for _ in pool.map(lambda _: read(), range(calls)):
            pass

    return concurrent


def gathered(loop: asyncio.AbstractEventLoop, read: Callable[[], Any]) -> Callable[[int, int], Any]:
    """``concurrent(n, k)`` for an async client: n coroutines ``read()``, k at a time, on ``loop``."""

    async def run(calls: int, in_flight: int) -> None:
        gate = asyncio.Semaphore(in_flight)

        async def one() -> None:
            async with gate:
                await read()

        await asyncio.gather(*(one() for _ in range(calls)))

    return lambda calls, in_flight: loop.run_until_complete(run(calls, in_flight))


def run_raw(url: str, db: str, user: str, password: str, in_flight: int) -> Contender:
    import httpx
    import orjson

    loop = asyncio.new_event_loop()
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    http = httpx.AsyncClient(base_url=url, limits=limits, timeout=30)
    headers = {"Content-Type": "application/json"}

    async def call(service: str, method: str, *args: Any) -> Any:
        params = {"service": service, "method": method, "args": args}
        body = {"jsonrpc": "2.0", "method": "call", "params": params}
        response = await http.post("/jsonrpc", content=orjson.dumps(body), headers=headers)
        payload = orjson.loads(response.content)
        if "error" in payload:
            raise RuntimeError(payload["error"]["message"])
        return payload["result"]

    uid = loop.run_until_complete(call("common", "authenticate", db, user, password, {}))

    def execute(method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return call("object", "execute_kw", db, uid, password, MODEL, method, args, kwargs)

    def read() -> Any:
        return execute("search_read", [DOMAIN], {"fields": FIELDS, "limit": LIMIT})

    return Contender(
        lambda: loop.run_until_complete(read()),
        lambda: loop.run_until_complete(execute("search_count", [DOMAIN], {})),
        gathered(loop, read),
    )


def run_zenoo(url: str, db: str, user: str, password: str, in_flight: int) -> Contender:
    from zenoo import ZenooClient

    loop = asyncio.new_event_loop()
    client = ZenooClient(url)
    loop.run_until_complete(client.login(db, user, password))

    def read() -> Any:
        return client.search_read(MODEL, DOMAIN, FIELDS, limit=LIMIT)

    return Contender(
        lambda: loop.run_until_complete(read()),
        lambda: loop.run_until_complete(client.search_count(MODEL, DOMAIN)),
        gathered(loop, read),
    )


def run_zenoo_sync(url: str, db: str, user: str, password: str, in_flight: int) -> Contender:
    from zenoo.sync import Client

    client = Client(url)
    client.login(db, user, password)

    def read() -> Any:
        return client.search_read(MODEL, DOMAIN, FIELDS, limit=LIMIT)

    return Contender(read, lambda: client.search_count(MODEL, DOMAIN), threaded(read, in_flight))


def run_odoorpc(url: str, db: str, user: str, password: str, in_flight: int) -> Contender:
    import urllib.parse

    import odoorpc

    parsed = urllib.parse.urlsplit(url)

    def connect() -> Any:
        odoo = odoorpc.ODOO(
            parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 80),
            timeout=30,
            protocol="jsonrpc+ssl" if parsed.scheme == "https" else "jsonrpc",
        )
        odoo.login(db, user, password)
        return odoo

    main = connect()
    per_thread = threading.local()

    def read_with(odoo: Any) -> Any:
        return odoo.execute_kw(MODEL, "search_read", [DOMAIN], {"fields": FIELDS, "limit": LIMIT})

    def read_in_thread() -> Any:
        if not hasattr(per_thread, "odoo"):
            per_thread.odoo = connect()
        return read_with(per_thread.odoo)

    return Contender(
        lambda: read_with(main),
        lambda: main.execute_kw(MODEL, "search_count", [DOMAIN], {}),
        threaded(read_in_thread, in_flight),
    )


PREPARE = {"raw": run_raw, "zenoo": run_zenoo, "zenoo-sync": run_zenoo_sync, "odoorpc": run_odoorpc}


def child(contender: str, url: str, db: str, user: str, password: str, calls: int, in_flight: int) -> None:
    """Measure one contender in this process; print one JSON line of per-call figures (seconds)."""
    runner = PREPARE[contender](url, db, user, password, in_flight)
    results: dict[str, dict[str, float]] = {}
    for workload, one in (("search_read", runner.read), ("search_count", runner.count)):
        for _ in range(WARM_UP):
            one()
        latencies = []
        cpu_started = time.process_time()
        for _ in range(calls):
            started = time.perf_counter()
            one()
            latencies.append(time.perf_counter() - started)
        cpu = time.process_time() - cpu_started
        results[workload] = {"wall": statistics.fmean(latencies), "cpu": cpu / calls}
    runner.concurrent(WARM_UP, in_flight)
    cpu_started, started = time.process_time(), time.perf_counter()
    runner.concurrent(calls, in_flight)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    results["concurrent"] = {"wall": wall / calls, "cpu": cpu / calls}
    print(json.dumps(results))


# --- orchestration ----------------------------------------------------------------------------------


def measure(
    contender: str, url: str, db: str, user: str, password: str, calls: int, in_flight: int, python: str
) -> Any:
    """One run of ``contender`` in a fresh ``python`` process; None (the reason printed) when it fails."""
    command = [python, __file__, "--child", contender, "--url", url, "--db", db, "--user", user,
               "--calls", str(calls), "--concurrency", str(in_flight)]  # fmt: skip
    env = {**os.environ, "ZENOO_BENCH_PASSWORD": password}  # not on the command line
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"{contender}: failed: {reason}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(
    url: str, db: str, user: str, password: str, calls: int, in_flight: int, repeat: int, compare: str | None
) -> None:
    # label -> (contender, interpreter); --compare-python adds zenoo as installed for another interpreter
    entries = {name: (name, sys.executable) for name in CONTENDERS}
    if compare:
        entries["zenoo@cmp"] = ("zenoo", compare)
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in entries}
    for _ in range(repeat):
        for label, (name, python) in entries.items():
            result = measure(name, url, db, user, password, calls, in_flight, python)
            if result is not None:
                runs[label].append(result)
    figures = {
        name: {
            workload: {key: statistics.median(r[workload][key] for r in results) for key in ("wall", "cpu")}
            for workload in WORKLOADS
        }
        for name, results in runs.items()
        if results
    }
    base = figures.get(BASELINE)
    print(
        f"{calls} calls per workload, concurrent: {in_flight} in flight; medians of {repeat} runs;"
        f" ms per call, ratios to {BASELINE}"
    )
    print(f"{'workload':<13} {'contender':<11} {'wall ms':>8} {'x':>5} {'CPU ms':>7} {'x':>5}")
    for workload in WORKLOADS:
        for name, per_workload in figures.items():
            wall, cpu = per_workload[workload]["wall"], per_workload[workload]["cpu"]
            ratios = (
                (wall / base[workload]["wall"], cpu / base[workload]["cpu"]) if base else (float("nan"),) * 2
            )
            print(
                f"{workload:<13} {name:<11} {wall * 1e3:>8.3f} {ratios[0]:>5.2f}"
                f" {cpu * 1e3:>7.3f} {ratios[1]:>5.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per workload")
    parser.add_argument("--concurrency", type=int, default=4, help="calls in flight (concurrent workload)")
    parser.add_argument("--repeat", type=int, default=3)
    add_server_arguments(parser)
    parser.add_argument(
        "--compare-python",
        help="also run the zenoo contender with this interpreter (a venv with another zenoo): 'zenoo@cmp'",
    )
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.db, args.user, os.environ["ZENOO_BENCH_PASSWORD"], args.calls,
              args.concurrency)  # fmt: skip
        return
    numbers = (args.calls, args.concurrency, args.repeat, args.compare_python)
    if not args.no_embedded:
        from zenoo.testing import OdooTestServer

        for connection_close in (False, True):
            with OdooTestServer(
                version=args.version, scale="small", subprocess=True, connection_close=connection_close
            ) as srv:
                admin = srv.users["admin"]
                kind = "Connection: close, as bare Odoo" if connection_close else "keep-alive"
                print(f"\n## embedded server (Odoo {args.version} imitation), {kind}")
                report(srv.url, srv.database, admin.login, admin.password, *numbers)
    if args.url:
        print(f"\n## real Odoo at {args.url}")
        report(args.url, args.db, args.user, args.password, *numbers)


if __name__ == "__main__":
    main()
