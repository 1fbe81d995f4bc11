"""Fixtures for the frames tests: a logged-in async client and records each test owns.

Facts relied on: the embedded server's demo data has res.partner with country_id (res.country),
category_id (many2many), parent_id, type (selection), is_company; sale.order with partner_id and
amount_total. Tests create their own partners, named with a unique marker, and filter on it.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
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


@asynccontextmanager
async def internal_user(target: Any, admin: ZenooClient, groups: Sequence[str]) -> AsyncIterator[ZenooClient]:
    """A client logged in as a user who is not an admin: the embedded servers' demo user; on real
    Odoo a ``zenoo-test-user-*`` made by ``admin`` in base's ``groups`` and removed afterwards."""
    if target.embedded:
        demo = target.server.users["demo"]
        async with target.client() as zc:
            await zc.login(target.database, demo.login, demo.password)
            yield zc
        return
    found = await admin.search_read(
        "ir.model.data",
        [["module", "=", "base"], ["model", "=", "res.groups"], ["name", "in", list(groups)]],
        ["res_id"],
    )
    described = await admin.fields_get("res.users", attributes=["type"])
    groups_field = "group_ids" if "group_ids" in described else "groups_id"  # renamed in Odoo 19
    login, password = f"zenoo-test-user-{uuid.uuid4().hex[:10]}", secrets.token_urlsafe(16)
    uid = await admin.create(
        "res.users",
        {
            "name": login,
            "login": login,
            "password": password,
            groups_field: [(6, 0, [group["res_id"] for group in found])],
        },
    )
    try:
        async with target.client() as zc:
            await zc.login(target.database, login, password)
            yield zc
    finally:
        partner = (await admin.read("res.users", [uid], ["partner_id"]))[0]["partner_id"][0]
        await admin.unlink("res.users", [uid])
        await admin.unlink("res.partner", [partner])


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
