"""An embedded Odoo-compatible server for tests, demos, notebooks and benchmarks.

``from zenoo.testing import OdooTestServer``; see ``docs/testing-server.md``. The pytest plugin
(``zenoo.testing.pytest_plugin``) gives tests the fixtures ``odoo_server_17``, ``odoo_server_19``
and ``odoo_server_factory``. Importing this package is cheap: the server and its dependencies
load on first use, so registering the plugin does not slow down test collection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .faults import FaultInjector, FaultPlan
    from .records import RequestRecord
    from .server import OdooTestServer, TestUser

__all__ = ["FaultInjector", "FaultPlan", "OdooTestServer", "RequestRecord", "TestUser"]

_HOMES = {
    "OdooTestServer": "server",
    "TestUser": "server",
    "RequestRecord": "records",
    "FaultInjector": "faults",
    "FaultPlan": "faults",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'zenoo.testing' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{home}", __name__), name)
