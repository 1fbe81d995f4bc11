"""Fixtures for the query/model tests: logged-in clients on the embedded servers and owned records.

Facts relied on: the embedded server (both versions) has res.partner with name, email, phone,
is_company, type (selection contact/invoice/delivery/other), country_id → res.country (with
``code``), company_id → res.company, parent_id/child_ids, category_id → res.partner.category;
product.template requires ``name``. Tests create partners named ``zenoo-test-<marker>-…`` and
filter on that marker, so they never depend on the shared servers' other records.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from zenoo import ZenooClient


@pytest.fixture(params=["password", "api_key"])
async def client(embedded: Any, request: pytest.FixtureRequest) -> AsyncIterator[ZenooClient]:
    """A logged-in client: with a password (JSON-RPC), or an API key (JSON-2 on Odoo 19)."""
    async with embedded.client() as zc:
        await embedded.log_in(zc, request.param)
        yield zc


@pytest.fixture
def marker() -> str:
    return f"zenoo-test-{uuid.uuid4().hex[:8]}"


def calls(server: Any, method: str | None = None, model: str | None = None) -> list[Any]:
    """The object calls the server received (for ``method`` on ``model`` when given)."""
    return [
        r for r in server.requests
        if r.model is not None and (method is None or r.method == method) and (model is None or r.model == model)
    ]  # fmt: skip


def param(record: Any, name: str) -> Any:
    """A named call parameter, whichever protocol carried it (see ``RequestRecord.arguments``)."""
    return record.arguments.get(name)
