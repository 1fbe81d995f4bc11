"""Fixtures for the frames tests: a logged-in async client and records each test owns.

Facts relied on: the embedded server's demo data has res.partner with country_id (res.country),
category_id (many2many), parent_id, type (selection), is_company; sale.order with partner_id and
amount_total. Tests create their own partners, named with a unique marker, and filter on it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from zenoo.client import ZenooClient


@pytest.fixture
async def client(embedded: Any) -> AsyncIterator[ZenooClient]:
    async with ZenooClient(embedded.url) as zc:
        await embedded.log_in(zc, "password")
        yield zc


@pytest.fixture
def marker() -> str:
    return f"zf-{uuid.uuid4().hex[:10]}"


async def make_partners(client: ZenooClient, marker: str, count: int) -> list[int]:
    """``count`` partners named ``<marker>-NN``, alternating companies, with countries and tags."""
    countries = await client.search("res.country", [], limit=3, order="id")
    tags = await client.search("res.partner.category", [], limit=2, order="id")
    values = [
        {
            "name": f"{marker}-{index:02d}",
            "is_company": index % 2 == 0,
            "country_id": countries[index % len(countries)] if index % 3 else False,
            "category_id": [(6, 0, tags[: index % 3])],
            "email": f"{marker}-{index}@example.com" if index % 4 else False,
            "type": "invoice" if index % 5 == 0 else "contact",
        }
        for index in range(count)
    ]
    created = await client.create("res.partner", values)
    return list(created) if isinstance(created, Sequence) else [created]


def calls(server: Any, method: str, model: str | None = None) -> list[Any]:
    """The requests the server executed for ``method`` (on ``model``)."""
    return [
        r
        for r in server.requests
        if r.method == method and (model is None or r.model == model) and r.executed
    ]


def param(record: Any, name: str) -> Any:
    """A named call parameter, whichever protocol carried it (see ``RequestRecord.arguments``)."""
    return record.arguments.get(name)
