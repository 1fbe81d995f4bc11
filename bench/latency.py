"""Small reads direct vs through nginx (HTTP/1.1 and HTTP/2), zenoo vs OdooRPC, ratios in one run.

Not run in CI. Each route is measured with each client: ``--calls`` small ``search_read`` calls (5
partners × 2 fields) one after another after a warm-up (per-call latency: median and 95th
percentile, and calls/s), then the same number with ``--concurrency`` calls in flight (calls/s).
Every figure is the median of ``--repeat`` runs, the routes and clients interleaved.

Routes: ``direct`` to the server (the embedded one answers ``Connection: close`` as bare Odoo does;
a real Odoo does so by itself), and through nginx (zenoo/testing/nginx.conf: TLS, keep-alive to
the client and to the server) with the client speaking ``h1.1`` or ``h2``. OdooRPC speaks
HTTP/1.1 only, one connection per call (urllib), so it has no h2 row; its concurrent runs use one
logged-in ``ODOO`` per thread. Ratios: each figure to the same client's ``direct`` route, and
zenoo's to OdooRPC's on the same route (for h2: on nginx h1.1, its best).

    python bench/latency.py --calls 300 --concurrency 8 --repeat 3
    python bench/latency.py --url http://127.0.0.1:8069 --db odoo19 --user admin --password admin

The embedded server runs in a child process (off this process's GIL), nginx in another.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.request import HTTPCookieProcessor, HTTPSHandler, build_opener

from servers import add_server_arguments, servers

from zenoo import Limits, ZenooClient
from zenoo.testing.nginx import NginxProxy

MODEL = "res.partner"
DOMAIN = [["id", ">", 0]]
FIELDS = ["name", "email"]
LIMIT = 5
WARM_UP = 20


@dataclass(frozen=True)
class Route:
    """How a client reaches the server: ``url``, whether it offers HTTP/2, the CA to trust."""

    name: str
    url: str
    http2: bool
    ca: Path | None


@dataclass(frozen=True)
class Figures:
    """One client on one route: per-call latency (seconds) and calls per second."""

    median: float
    p95: float
    sequential_rate: float
    concurrent_rate: float


@dataclass(frozen=True)
class Login:
    database: str
    user: str
    password: str = ""

    def __repr__(self) -> str:  # the password stays out of any printed traceback
        return f"Login({self.database!r}, {self.user!r})"


# --- clients -------------------------------------------------------------------------------------


def measure_zenoo(route: Route, login: Login, calls: int, in_flight: int) -> Figures:
    async def run() -> Figures:
        client = ZenooClient(
            route.url,
            http2=route.http2,
            verify_ssl=route.ca or True,
            limits=Limits(max_concurrency=in_flight),
        )
        async with client:
            await client.login(login.database, login.user, login.password)

            async def read() -> Any:
                return await client.search_read(MODEL, DOMAIN, FIELDS, limit=LIMIT)

            for _ in range(WARM_UP):
                await read()
            latencies = []
            for _ in range(calls):
                started = time.perf_counter()
                await read()
                latencies.append(time.perf_counter() - started)
            await asyncio.gather(*(read() for _ in range(WARM_UP)))
            started = time.perf_counter()
            await asyncio.gather(*(read() for _ in range(calls)))
            return figures(latencies, calls / (time.perf_counter() - started))

    return asyncio.run(run())


def measure_odoorpc(route: Route, login: Login, calls: int, in_flight: int) -> Figures:
    import odoorpc

    parts = urllib.parse.urlsplit(route.url)
    https = parts.scheme == "https"

    def connect() -> Any:
        handlers: list[Any] = [HTTPCookieProcessor(CookieJar())]  # OdooRPC's own opener, plus the CA
        if route.ca is not None:
            handlers.append(HTTPSHandler(context=ssl.create_default_context(cafile=route.ca)))
        odoo = odoorpc.ODOO(
            parts.hostname,
            protocol="jsonrpc+ssl" if https else "jsonrpc",
            port=parts.port or (443 if https else 80),
            timeout=30,
            opener=build_opener(*handlers),
        )
        odoo.login(login.database, login.user, login.password)
        return odoo

    def read_with(odoo: Any) -> Any:
        return odoo.execute_kw(MODEL, "search_read", [DOMAIN], {"fields": FIELDS, "limit": LIMIT})

    main = connect()
    for _ in range(WARM_UP):
        read_with(main)
    latencies = []
    for _ in range(calls):
        started = time.perf_counter()
        read_with(main)
        latencies.append(time.perf_counter() - started)
    per_thread = threading.local()

    def read_in_thread(_: int) -> Any:
        if not hasattr(per_thread, "odoo"):
            per_thread.odoo = connect()
        return read_with(per_thread.odoo)

    with ThreadPoolExecutor(in_flight) as pool:
        list(pool.map(read_in_thread, range(max(WARM_UP, in_flight))))  # every thread logs in first
        started = time.perf_counter()
        list(pool.map(read_in_thread, range(calls)))
        rate = calls / (time.perf_counter() - started)
    return figures(latencies, rate)


def figures(latencies: list[float], concurrent_rate: float) -> Figures:
    ordered = sorted(latencies)
    return Figures(
        median=statistics.median(ordered),
        p95=ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))],
        sequential_rate=len(ordered) / sum(ordered),
        concurrent_rate=concurrent_rate,
    )


def median_figures(runs: list[Figures]) -> Figures:
    return Figures(
        median=statistics.median(run.median for run in runs),
        p95=statistics.median(run.p95 for run in runs),
        sequential_rate=statistics.median(run.sequential_rate for run in runs),
        concurrent_rate=statistics.median(run.concurrent_rate for run in runs),
    )


CLIENTS: dict[str, Callable[[Route, Login, int, int], Figures]] = {
    "zenoo": measure_zenoo,
    "odoorpc": measure_odoorpc,
}


# --- servers and routes ----------------------------------------------------------------------------


@contextmanager
def routes_to(upstream: str) -> Iterator[list[Route]]:
    """``upstream`` directly, and through nginx over HTTP/1.1 and HTTP/2."""
    with NginxProxy(upstream) as proxy:
        yield [
            Route("direct", upstream, http2=False, ca=None),
            Route("nginx h1.1", proxy.url, http2=False, ca=proxy.ca_cert_path),
            Route("nginx h2", proxy.url, http2=True, ca=proxy.ca_cert_path),
        ]


def report(title: str, routes: list[Route], login: Login, calls: int, in_flight: int, repeat: int) -> None:
    runs: dict[tuple[str, str], list[Figures]] = {}
    for _ in range(repeat):  # the routes and clients interleaved, so that a busy moment hits them all
        for route in routes:
            for name, measure in CLIENTS.items():
                if name == "odoorpc" and route.http2:
                    continue  # OdooRPC has no HTTP/2
                runs.setdefault((route.name, name), []).append(measure(route, login, calls, in_flight))
    results = {key: median_figures(figures) for key, figures in runs.items()}
    print(
        f"\n{title}: {calls} small search_read calls; concurrent: {in_flight} in flight;"
        f" medians of {repeat} runs"
    )
    print(
        f"{'route':<11} {'client':<8} {'median ms':>9} {'p95 ms':>7} {'calls/s':>8} {'concurrent/s':>12}"
        f" {'x direct':>8} {'x OdooRPC':>9}"
    )
    for (route_name, name), result in results.items():
        direct = results["direct", name]
        odoorpc = results.get((route_name, "odoorpc")) or results.get(("nginx h1.1", "odoorpc"))
        print(
            f"{route_name:<11} {name:<8} {result.median * 1e3:>9.2f} {result.p95 * 1e3:>7.2f}"
            f" {result.sequential_rate:>8.0f} {result.concurrent_rate:>12.0f}"
            f" {result.median / direct.median:>8.2f}"
            f" {result.median / odoorpc.median if odoorpc else float('nan'):>9.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per measure")
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight (concurrent measure)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of every measure (medians)")
    add_server_arguments(parser)
    args = parser.parse_args()
    for server in servers(args, connection_close=True):
        with routes_to(server.url) as routes:
            login = Login(server.database, server.user, server.password)
            report(server.title, routes, login, args.calls, args.concurrency, args.repeat)


if __name__ == "__main__":
    main()
