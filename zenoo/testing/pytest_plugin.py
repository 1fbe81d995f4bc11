"""Pytest fixtures that give tests a running embedded Odoo server (registered as the ``zenoo`` plugin).

- ``odoo_server_17`` / ``odoo_server_19``: one server per version for the whole session, small demo
  data, started the first time a test asks for it. Tests share them: create your own records and
  never assume global counts unless you filter on your own records.
- ``odoo_server_factory``: ``factory(version=19, **options)`` starts a private server (faults,
  TLS/HTTP/2, exact request counts on a quiet server) and stops it at the end of the test.

Nothing is imported or started at collection time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import OdooTestServer


def _start(version: int, **options: Any) -> OdooTestServer:
    from .server import OdooTestServer

    return OdooTestServer(version=version, **options).start()


@pytest.fixture(scope="session")
def odoo_server_17() -> Iterator[OdooTestServer]:
    """The embedded server imitating Odoo 17, shared by the whole test session."""
    server = _start(17, scale="small")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def odoo_server_19() -> Iterator[OdooTestServer]:
    """The embedded server imitating Odoo 19, shared by the whole test session."""
    server = _start(19, scale="small")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def odoo_server_factory() -> Iterator[Callable[..., OdooTestServer]]:
    """``factory(version=19, **options)`` -> a started private server, stopped after the test."""
    started: list[OdooTestServer] = []

    def factory(version: int = 19, **options: Any) -> OdooTestServer:
        options.setdefault("scale", "small")
        server = _start(version, **options)
        started.append(server)
        return server

    try:
        yield factory
    finally:
        for server in reversed(started):
            server.stop()
