"""Runtime model classes: relation fields typed to the related runtime classes, lazily.

Facts relied on (embedded server, both versions): res.partner has company_id → res.company,
parent_id → res.partner, child_ids → res.partner, category_id → res.partner.category;
res.company has partner_id → res.partner and currency_id → res.currency.
"""

from __future__ import annotations

import asyncio
import typing
from typing import Any

from zenoo import Client, OdooModel
from zenoo.models import Many2one, X2many

from .conftest import calls


def hint(cls: type, name: str) -> Any:
    """The annotation of ``name`` as ``typing.get_type_hints`` reports it, checked against pydantic's."""
    annotation = typing.get_type_hints(cls)[name]
    assert cls.model_fields[name].annotation == annotation  # type: ignore[attr-defined]
    return annotation


def fields_get_models(server: Any) -> list[str]:
    return [r.model for r in calls(server, "fields_get")]


async def test_relations_are_typed_to_related_runtime_classes_lazily(
    client: Any, embedded: Any, marker: str
) -> None:
    embedded.server.reset_requests()
    partner_class: Any = await client.get_model_class("res.partner")
    assert fields_get_models(embedded.server) == ["res.partner"]  # no related model's fields_get
    # the self-references are typed at once
    assert hint(partner_class, "child_ids") == X2many[partner_class]
    assert hint(partner_class, "parent_id") == Many2one[partner_class] | None
    # res.company has no class yet: typed to the base class until it has one
    assert hint(partner_class, "company_id") == Many2one[OdooModel] | None

    company_id = (await client.search("res.company", [], limit=1, order="id"))[0]
    parent = await client.create("res.partner", {"name": f"{marker}-co", "company_id": company_id})
    partner = await client.model("res.partner").get(parent)
    embedded.server.reset_requests()
    company = await partner.company_id  # builds res.company's class, which types company_id
    company_class: Any = type(company)
    assert company_class is await client.get_model_class("res.company")
    assert company_class._name == "res.company" and company_class is not OdooModel
    assert hint(partner_class, "company_id") == Many2one[company_class] | None
    # res.company's own relations: to res.partner at once, to res.currency (not built) later
    assert hint(company_class, "partner_id") == Many2one[partner_class] | None
    assert hint(company_class, "currency_id") == Many2one[OdooModel] | None
    assert fields_get_models(embedded.server) == ["res.company"]


async def test_building_the_related_class_types_waiting_relations(client: Any, embedded: Any) -> None:
    partner_class: Any = await client.get_model_class("res.partner")
    assert hint(partner_class, "category_id") == X2many[OdooModel]
    # a with_context view shares the client's classes
    view = client.with_context(active_test=False)
    tag_class: Any = await view.get_model_class("res.partner.category")
    assert await client.get_model_class("res.partner.category") is tag_class
    assert hint(partner_class, "category_id") == X2many[tag_class]
    # a fork has its own classes, typed to each other
    async with client.fork() as twin:
        twin_partner: Any = await twin.get_model_class("res.partner")
        assert twin_partner is not partner_class
        assert hint(twin_partner, "child_ids") == X2many[twin_partner]
        assert hint(twin_partner, "category_id") == X2many[OdooModel]


async def test_concurrent_builds_give_one_class(client: Any) -> None:
    first, second = await asyncio.gather(
        client.get_model_class("res.country"), client.get_model_class("res.country")
    )
    assert first is second


def test_blocking_client_types_relations_too(embedded: Any, marker: str) -> None:
    with Client(embedded.url) as client:
        client.login(embedded.database, embedded.login, embedded.password)
        parent = client.create("res.partner", {"name": f"{marker}-parent", "is_company": True})
        kid_id = client.create("res.partner", {"name": f"{marker}-kid", "parent_id": parent})
        partner_class: Any = client.get_model_class("res.partner")
        kid = client.model("res.partner").get(kid_id)
        assert type(kid) is partner_class
        assert type(kid.parent_id.load()) is partner_class
        assert hint(partner_class, "parent_id") == Many2one[partner_class] | None
