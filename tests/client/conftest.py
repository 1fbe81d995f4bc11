"""Fixtures of the client tests: logged-in clients for every target."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from zenoo import ZenooClient


@pytest.fixture
async def client(target) -> AsyncIterator[ZenooClient]:  # type: ignore[no-untyped-def]
    """Admin logged in with the password (JSON-RPC on every version)."""
    async with ZenooClient(target.url) as zc:
        await zc.login(target.database, target.login, target.password)
        yield zc


@pytest.fixture
async def key_client(target) -> AsyncIterator[ZenooClient]:  # type: ignore[no-untyped-def]
    """Admin logged in with the API key (JSON-2 on Odoo 19+)."""
    if not target.api_key:
        pytest.skip(f"{target.name}: no API key configured")
    async with ZenooClient(target.url) as zc:
        await zc.login_with_api_key(target.database, target.login, target.api_key)
        yield zc


@pytest.fixture(params=["password", "api_key"])
async def any_client(request: pytest.FixtureRequest, target) -> AsyncIterator[ZenooClient]:  # type: ignore[no-untyped-def]
    """Both login paths (so both protocols on Odoo 19)."""
    if request.param == "api_key" and not target.api_key:
        pytest.skip(f"{target.name}: no API key configured")
    async with ZenooClient(target.url) as zc:
        if request.param == "password":
            await zc.login(target.database, target.login, target.password)
        else:
            await zc.login_with_api_key(target.database, target.login, target.api_key)
        yield zc


@pytest.fixture
def tag() -> str:
    """A unique name prefix for the records a test creates."""
    return f"zenoo-test-{uuid.uuid4().hex[:10]}"
