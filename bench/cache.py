"""Cache benchmark: repeated identical search_read uncached vs memory vs Redis vs memory+Redis,
and raw memory-cache lookups per second.

Not run in CI. Starts the embedded server in its own process (``subprocess=True``) and a private
``redis-server`` on a free loopback port, then for each configuration runs the same
``search_read`` ``--repeat`` times (the first call fills the cache; all are timed) and prints the
mean time per call and its ratio to the uncached run. Finally it measures ``CacheManager.lookup``
hits per second on a memory cache for a small key (with the key built beforehand, and with the
key built on every call as ``client.call`` does).

    python bench/cache.py --repeat 200 --limit 80
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import redis

from zenoo import ZenooClient
from zenoo.cache import CacheManager
from zenoo.testing import OdooTestServer

FIELDS = ["name", "email", "phone", "is_company", "country_id", "parent_id", "type", "category_id"]


@contextmanager
def redis_server() -> Iterator[str]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed (Debian package redis-server)")
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(
            [
                executable,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            probe = redis.Redis(port=port)
            for _ in range(500):
                try:
                    probe.ping()
                    break
                except redis.exceptions.ConnectionError:
                    time.sleep(0.01)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait()


async def timed_reads(
    server: Any, repeat: int, limit: int, cache: dict[str, Any] | None
) -> tuple[float, int]:
    """Mean seconds per identical search_read and its row count, with ``cache`` (None: no cache)."""
    admin = server.users["admin"]
    async with ZenooClient(server.url, database=server.database) as client:
        await client.login(server.database, admin.login, admin.password)
        if cache is not None:
            await client.setup_cache_manager(**cache)
            await client.cache.clear()
        for _ in range(3):  # warm the connection pool (and, for the uncached run, the server)
            await client.search_read(
                "res.partner",
                [["is_company", "=", True]],
                FIELDS,
                limit=limit,
                order="id",
                context={"bench_warmup": True},
            )
        start = time.perf_counter()
        for _ in range(repeat):
            rows = await client.search_read(
                "res.partner", [["is_company", "=", True]], FIELDS, limit=limit, order="id"
            )
        elapsed = time.perf_counter() - start
        if client.cache is not None:
            await client.cache.close()
    return elapsed / repeat, len(rows)


async def lookups_per_second(seconds: float = 1.0) -> tuple[float, float]:
    """Memory-cache hits per second: (key prebuilt, key built per lookup)."""
    manager = await CacheManager.create(None, backend="memory")
    scope = ("http://127.0.0.1:8069", "bench", 2)
    args = ([["id", "=", 7]],)
    kwargs = {"fields": ["name"]}
    context = {"lang": "en_US", "tz": "UTC"}
    key = manager.make_key(scope, "res.partner", "search_read", None, args, kwargs, context)
    await manager.lookup("res.partner", key)
    await manager.store("res.partner", key, [{"id": 7, "name": "Acme"}])

    async def run(build_key: bool) -> float:
        count = 0
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            for _ in range(1000):
                k = (
                    manager.make_key(scope, "res.partner", "search_read", None, args, kwargs, context)
                    if build_key
                    else key
                )
                hit, _value = await manager.lookup("res.partner", k)
                assert hit
            count += 1000
        return count / (time.perf_counter() - start)

    return await run(False), await run(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="identical reads per configuration")
    parser.add_argument("--limit", type=int, default=80, help="rows per read")
    parser.add_argument("--scale", default="small", help="embedded server demo-data scale")
    options = parser.parse_args()

    with redis_server() as url, OdooTestServer(version=19, scale=options.scale, subprocess=True) as server:
        configurations: dict[str, dict[str, Any] | None] = {
            "uncached": None,
            "memory": {"backend": "memory"},
            "redis": {"backend": "redis", "url": url},
            "memory+redis": {"backend": ["memory", "redis"], "url": url},
        }
        results = {
            name: asyncio.run(timed_reads(server, options.repeat, options.limit, cache))
            for name, cache in configurations.items()
        }
    base, rows = results["uncached"]
    print(f"search_read of {rows} partners x {len(FIELDS)} fields, {options.repeat} identical calls each")
    print(f"{'configuration':<14} {'ms/call':>9} {'speed-up vs uncached':>22}")
    for name, (seconds, _rows) in results.items():
        print(f"{name:<14} {seconds * 1000:9.3f} {base / seconds:21.1f}x")

    prebuilt, built = asyncio.run(lookups_per_second())
    print(f"memory-cache hits/s, key prebuilt:      {prebuilt:,.0f}")
    print(f"memory-cache hits/s, key built per call: {built:,.0f}")


if __name__ == "__main__":
    main()
