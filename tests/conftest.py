"""Shared test fixtures.

``target`` runs a scenario against every Odoo we can reach: the embedded server imitating Odoo 17
and Odoo 19 (from the ``zenoo.testing`` pytest plugin), and a real Odoo when ``ZENOO_TEST_URL``
(with ``ZENOO_TEST_DB``, ``ZENOO_TEST_USER``, ``ZENOO_TEST_PASSWORD`` and optionally
``ZENOO_TEST_API_KEY``) is set. The same scenario code must pass on all of them.

A test module marked ``in_process`` (``pytestmark = pytest.mark.in_process``) reaches the embedded
servers without a socket (``OdooTestServer.in_process_transport()``) when it builds its clients with
``target.client()``; real Odoo is still reached over TCP. Mark only tests whose subject is not the
connection: TCP stays the default. ``ZENOO_TEST_IN_PROCESS=0`` runs them over TCP too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

WIRE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "odoo-wire"


@dataclass(frozen=True)
class Target:
    """An Odoo server a scenario runs against, with the admin user's credentials."""

    name: str
    url: str
    database: str
    version: int
    login: str
    password: str
    api_key: str | None
    server: object | None  # the embedded OdooTestServer, None for a real Odoo
    transport: object | None = None  # the in-process transport to the embedded server (tests marked in_process)

    @property
    def embedded(self) -> bool:
        return self.server is not None

    @property
    def answer_timeout(self) -> float:
        """Seconds a test's client waits for an answer: the client's default (30) on the embedded
        servers; 120 on a real Odoo, where bulk requests in flight on a server without workers run
        one at a time (four 500-row loads took about 40 s each on real 19; docs/write-back.md)."""
        return 30.0 if self.embedded else 120.0

    def client(self, **options: Any) -> Any:
        """A new ``ZenooClient`` of this target (in-process when the test is marked so)."""
        from zenoo import ZenooClient

        return ZenooClient(self.url, transport=self.transport, **options)  # type: ignore[arg-type]

    async def log_in(self, client: Any, secret_kind: str = "password") -> int:
        """Log ``client`` in as this target's admin, with the password or (``"api_key"``) the API key."""
        if secret_kind == "password":
            return await client.login(self.database, self.login, self.password)
        if secret_kind == "api_key":
            return await client.login_with_api_key(self.database, self.login, self.api_key)
        raise ValueError(f"secret_kind is 'password' or 'api_key', not {secret_kind!r}")


def _embedded_target(server: object, request: pytest.FixtureRequest) -> Target:
    """The target of an embedded server, reached in-process when the test is marked ``in_process``."""
    admin = server.users["admin"]  # type: ignore[attr-defined]
    in_process = (
        request.node.get_closest_marker("in_process") is not None
        and os.environ.get("ZENOO_TEST_IN_PROCESS", "1") != "0"
    )
    return Target(
        name=f"embedded-{server.version}",  # type: ignore[attr-defined]
        url=server.url,  # type: ignore[attr-defined]
        database=server.database,  # type: ignore[attr-defined]
        version=server.version,  # type: ignore[attr-defined]
        login=admin.login,
        password=admin.password,
        api_key=admin.api_key,
        server=server,
        transport=server.in_process_transport() if in_process else None,  # type: ignore[attr-defined]
    )


def real_odoo_target() -> Target | None:
    """The real Odoo named by ZENOO_TEST_* variables, or None when they are not set."""
    url = os.environ.get("ZENOO_TEST_URL")
    if not url:
        return None
    version = int(os.environ.get("ZENOO_TEST_VERSION", "0") or 0)
    return Target(
        name="real",
        url=url,
        database=os.environ["ZENOO_TEST_DB"],
        version=version,
        login=os.environ["ZENOO_TEST_USER"],
        password=os.environ["ZENOO_TEST_PASSWORD"],
        api_key=os.environ.get("ZENOO_TEST_API_KEY") or None,
        server=None,
    )


@pytest.fixture(params=["embedded-17", "embedded-19", "real"])
def target(request: pytest.FixtureRequest) -> Target:
    """Every reachable Odoo: both embedded versions, and a real Odoo when configured."""
    if request.param == "real":
        real = real_odoo_target()
        if real is None:
            pytest.skip("ZENOO_TEST_URL is not set: no real Odoo to test against")
        return real
    version = int(request.param.rsplit("-", 1)[1])
    return _embedded_target(request.getfixturevalue(f"odoo_server_{version}"), request)


@pytest.fixture(params=[17, 19])
def embedded(request: pytest.FixtureRequest) -> Target:
    """The embedded server only (for tests that count requests or inject faults), both versions."""
    return _embedded_target(request.getfixturevalue(f"odoo_server_{request.param}"), request)


@pytest.fixture(scope="session")
def wire_dir() -> Path:
    """The captured real-Odoo exchanges; tests that need them skip when they are absent."""
    if not (WIRE_DIR / "odoo17.json").exists():
        pytest.skip(f"{WIRE_DIR} is absent: conformance against captured exchanges skipped")
    return WIRE_DIR
