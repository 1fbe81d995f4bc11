"""Fixtures of the cache tests: a real redis-server per session, a fake clock, logged-in clients."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from zenoo import ZenooClient


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A redis-server process on loopback: ``url``, ``port``, and ``stop()``/``start()`` for outages."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail(
                "redis-server is not installed: the cache tests need the Debian package "
                "(apt-get install redis-server; `make test` installs it)",
                pytrace=False,
            )
        self.process = subprocess.Popen(
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                if probe.ping():
                    break
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {self.port}", pytrace=False)
                time.sleep(0.02)
        probe.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def flush(self) -> None:
        with redis.Redis(port=self.port) as conn:
            conn.flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server for the whole session (fails, not skips, when it is not installed)."""
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied before the test."""
    redis_server.flush()
    return redis_server.url


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def run_python(script: str, env: dict[str, str] | None = None, timeout: float = 120) -> None:
    """Run ``script`` in a fresh Python process (without blocking the event loop); fail on error."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode == 0, output.decode(errors="replace")


async def logged_in(server: object, login: str = "admin") -> ZenooClient:
    """A ZenooClient logged in (with the password, over JSON-RPC) as ``login`` on an embedded server."""
    user = server.users[login]  # type: ignore[attr-defined]
    client = ZenooClient(server.url, database=server.database)  # type: ignore[attr-defined]
    await client.login(server.database, user.login, user.password)  # type: ignore[attr-defined]
    return client


@pytest.fixture
async def admin_client(odoo_server_19: object) -> AsyncIterator[ZenooClient]:
    client = await logged_in(odoo_server_19, "admin")
    try:
        yield client
    finally:
        await client.close()
