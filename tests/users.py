"""Users who are not administrators, for the scenarios that run on every target."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from zenoo import ZenooClient

#: the groups of a salesperson, under crm's "Personal Leads" rule (the embedded servers' demo user is)
SALESPERSON = ("group_user", "sales_team.group_sale_salesman")


@asynccontextmanager
async def internal_user(target: Any, admin: ZenooClient, groups: Sequence[str]) -> AsyncIterator[ZenooClient]:
    """A client logged in as a user who is not an admin: the embedded servers' demo user (under
    the "Personal Leads" rule, as a salesperson is); on real Odoo a ``zenoo-test-user-*`` made by
    ``admin`` in ``groups`` (``module.name``, or a name of base's) and removed afterwards."""
    if target.embedded:
        demo = target.server.users["demo"]
        async with target.client() as zc:
            await zc.login(target.database, demo.login, demo.password)
            yield zc
        return
    names = [group if "." in group else f"base.{group}" for group in groups]
    domain: list[Any] = [["model", "=", "res.groups"], *(["|"] * (len(names) - 1))]
    for name in names:
        module, xml_id = name.split(".")
        domain += ["&", ["module", "=", module], ["name", "=", xml_id]]
    found = await admin.search_read("ir.model.data", domain, ["res_id"])
    assert len(found) == len(names), f"groups {names}: found {found}"
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
