"""Fixtures of the embedded server's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zenoo.testing.orm import Registry


@pytest.fixture(params=[17, 19])
def reg(request: pytest.FixtureRequest) -> Iterator[Registry]:
    """A fresh small Registry (no HTTP) imitating Odoo 17, then 19."""
    registry = Registry(version=request.param)
    yield registry
    registry.close()
