"""Models against the embedded server: conversion, lazy relations, prefetch, record methods, checks."""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import pytest

from zenoo import FieldError, InvalidValueError, OdooModel
from zenoo.models import Many2one, X2many
from zenoo.models.binding import RelationCache
from zenoo.models.common import ResCompany, ResPartner

from .conftest import calls, param

# their subject is not the connection: the embedded servers are reached in-process
pytestmark = pytest.mark.in_process


async def family(client: Any, marker: str, kids: int = 2) -> tuple[int, list[int]]:
    company = (await client.search("res.company", [], limit=1, order="id"))[0]
    parent = await client.create(
        "res.partner", {"name": f"{marker}-parent", "is_company": True, "company_id": company}
    )
    children = await client.create(
        "res.partner", [{"name": f"{marker}-kid{i}", "parent_id": parent} for i in range(kids)]
    )
    return parent, list(children)


async def test_runtime_class_from_fields_get(client: Any) -> None:
    cls = await client.get_model_class("res.partner")
    assert issubclass(cls, OdooModel) and cls._name == "res.partner" and cls.__name__ == "ResPartner"
    assert await client.get_model_class("res.partner") is cls  # built once per client
    hints = {name: info.annotation for name, info in cls.model_fields.items()}
    assert hints["is_company"] is bool
    assert typing.get_args(hints["type"])[0] == typing.Literal["contact", "invoice", "delivery", "other"]
    assert typing.get_args(hints["create_date"])[0] is dt.datetime
    orders = await client.get_model_class("sale.order")
    assert typing.get_args(orders.model_fields["validity_date"].annotation)[0] is dt.date
    assert typing.get_origin(typing.get_args(hints["company_id"])[0]) is Many2one
    assert typing.get_origin(hints["child_ids"]) is X2many


async def test_conversion_is_exact(client: Any, marker: str) -> None:
    parent, children = await family(client, marker, kids=2)
    partner = await client.model("res.partner").get(parent)
    assert partner.email is None  # Odoo sent false
    assert partner.is_company is True
    assert isinstance(partner.create_date, dt.datetime) and partner.create_date.tzinfo == dt.UTC
    # a many2one is a lazy reference: id and display name without a request
    assert isinstance(partner.company_id, Many2one)
    assert partner.company_id.model == "res.company" and partner.company_id.display_name
    # an x2many with exactly two ids is a list of two ids (by field type, not by the value's shape)
    assert isinstance(partner.child_ids, X2many) and partner.child_ids == sorted(children)
    assert partner.category_id == []
    assert partner.parent_id is None


async def test_unloaded_fields_raise_instead_of_being_none(client: Any, marker: str) -> None:
    parent, _ = await family(client, marker, kids=0)
    partner = await client.model(ResPartner).only("name").get(parent)
    assert partner.name == f"{marker}-parent"
    assert partner.loaded_fields == ("name",)
    with pytest.raises(AttributeError, match="res.partner.email was not loaded"):
        _ = partner.email


async def test_lazy_relations_load_on_await(client: Any, embedded: Any, marker: str) -> None:
    parent, _children = await family(client, marker)
    partner = await client.model(ResPartner).get(parent)
    embedded.server.reset_requests()
    company = await partner.company_id
    assert isinstance(company, ResCompany) and company.id == partner.company_id.id
    assert company.name == partner.company_id.display_name
    kids = await partner.child_ids.all()
    assert [kid.id for kid in kids] == partner.child_ids
    assert all(isinstance(kid, ResPartner) and kid.parent_id.id == parent for kid in kids)
    reads = len(calls(embedded.server, "read"))
    assert reads == 2
    assert await partner.company_id is company  # loaded once
    back = await kids[0].parent_id
    assert back.id == parent


async def test_prefetch_reads_each_relation_once(client: Any, embedded: Any, marker: str) -> None:
    for n in range(3):
        await family(client, f"{marker}-{n}")
    query = client.model("res.partner").filter(name__startswith=marker, is_company=True).order_by("id")
    await query.fields_meta()
    await client.get_model_class("res.company")
    await client.fields_get("res.company")
    embedded.server.reset_requests()
    partners = await query.prefetch("company_id", "child_ids").all()
    assert len(partners) == 3
    assert len(calls(embedded.server, "search_read")) == 1
    reads = calls(embedded.server, "read")
    assert sorted(r.model for r in reads) == ["res.company", "res.partner"]  # one read per relation
    child_read = next(r for r in reads if r.model == "res.partner")
    assert len(param(child_read, "ids")) == 6
    embedded.server.reset_requests()
    for partner in partners:
        assert partner.company_id.loaded and partner.child_ids.loaded
        assert (await partner.company_id).id == partner.company_id.id
        assert [kid.name for kid in await partner.child_ids.all()] == [
            f"{partner.name.removesuffix('-parent')}-kid0",
            f"{partner.name.removesuffix('-parent')}-kid1",
        ]
    assert calls(embedded.server) == []  # everything was prefetched


async def test_relation_cache_is_bounded_and_cleared_by_writes(
    client: Any, embedded: Any, marker: str
) -> None:
    parent, _ = await family(client, marker)
    other, _ = await family(client, f"{marker}-b", kids=0)  # of the same company
    query = client.model(ResPartner).filter(id__in=[parent, other]).order_by("id")
    partner, second = await query.prefetch("child_ids").all()
    await partner.company_id
    cache = partner._binding.relations  # the rows this query's relations loaded
    assert len(cache) == 3  # two children, one company
    embedded.server.reset_requests()
    await second.company_id  # the records of one query share its rows
    assert calls(embedded.server, "read") == []
    await client.write("res.partner", [parent], {"phone": "1"})  # any write through the client
    await second.company_id
    assert len(cache) == 1 and len(calls(embedded.server, "read")) == 1  # read again
    small = RelationCache(max_rows=2)
    for record_id in range(3):
        small.put(record_id, {"id": record_id})
    assert len(small) == 2 and small.get(0) is None  # the least recently used row dropped


async def test_a_new_query_sees_relations_as_the_server_has_them(embedded: Any, marker: str) -> None:
    """Relation rows are kept per query, not per client: a change made by anyone else shows in the
    next query (a long-lived notebook client does not see stale relations)."""
    async with embedded.client() as mine, embedded.client() as theirs:
        for zc in (mine, theirs):
            await zc.login(embedded.database, embedded.login, embedded.password)
        parent, children = await family(mine, marker, kids=1)
        query = mine.model(ResPartner).filter(id=children[0])
        assert (await (await query.first()).parent_id).phone != "+32 1"
        await theirs.write("res.partner", [parent], {"phone": "+32 1"})
        assert (await (await query.first()).parent_id).phone == "+32 1"
        prefetched = await query.prefetch("parent_id").first()
        assert (await prefetched.parent_id).phone == "+32 1"


async def test_save_writes_only_changed_fields(client: Any, embedded: Any, marker: str) -> None:
    parent, children = await family(client, marker)
    partner = await client.model(ResPartner).get(parent)
    embedded.server.reset_requests()
    await partner.save()
    assert calls(embedded.server) == []  # nothing changed, nothing sent
    partner.email = "new@example.com"
    partner.child_ids = children[:1]
    await partner.save()
    (write,) = calls(embedded.server, "write")
    assert param(write, "vals") == {"email": "new@example.com", "child_ids": [[6, 0, children[:1]]]}
    assert partner.changed_fields() == {}
    assert isinstance(partner.child_ids, X2many) and partner.child_ids == children[:1]
    assert [kid.id for kid in await partner.child_ids.all()] == children[:1]  # a lazy collection again
    partner.phone = "+32 2 000"
    await partner.refresh()  # refresh reads the server's values back
    assert partner.phone is None and partner.email == "new@example.com" and partner.child_ids == children[:1]
    await partner.update({"phone": "+32 2 111"})
    assert partner.phone == "+32 2 111"
    assert (await client.read("res.partner", [parent], ["phone"]))[0]["phone"] == "+32 2 111"
    assert await partner.delete() is True
    assert await client.model("res.partner").filter(id=parent).exists() is False


async def test_create_and_bulk_create_return_models_in_input_order(client: Any, marker: str) -> None:
    partners = client.model(ResPartner)
    one = await partners.create({"name": f"{marker}-one", "email": "one@example.com"})
    assert isinstance(one, ResPartner) and one.id and one.email == "one@example.com"
    many = await partners.bulk_create(
        [{"name": f"{marker}-z"}, {"name": f"{marker}-a"}, {"name": f"{marker}-m"}]
    )
    assert [p.name for p in many] == [f"{marker}-z", f"{marker}-a", f"{marker}-m"]
    assert [p.id for p in many] == sorted(p.id for p in many)
    assert await partners.bulk_create([]) == []


async def test_values_are_checked_before_sending(client: Any, embedded: Any, marker: str) -> None:
    partners = client.model("res.partner")
    products = client.model("product.template")
    await partners.create(name=f"{marker}-warmup")  # metadata and defaults now cached
    await products.create(name=f"{marker}-product")
    orders = client.model("sale.order")
    await orders.fields_meta()
    embedded.server.reset_requests()
    cases: list[tuple[Any, str]] = [
        (partners.create(name=f"{marker}-x", type="nope"), "not a valid choice for res.partner.type"),
        (partners.create(name=f"{marker}-x", is_company="yes"), "res.partner.is_company is a boolean"),
        (partners.create(name=f"{marker}-x", country_id="BE"), "res.partner.country_id is a many2one"),
        (
            orders.filter(id=0).update(validity_date=dt.datetime(2024, 1, 1)),
            "sale.order.validity_date is a date",
        ),
        (partners.create(name=f"{marker}-x", colour=3), "res.partner has no field 'colour'"),
        (partners.filter(name=marker).update(credit_limit="a lot"), "res.partner.credit_limit is a float"),
        (products.create(list_price=2.0), "required field\\(s\\) name missing"),
        (products.create(name=None), "product.template.name is required"),
    ]
    for coroutine, message in cases:
        with pytest.raises((InvalidValueError, FieldError), match=message):
            await coroutine
    assert calls(embedded.server) == []  # every check was local, with cached metadata
    # valid values cost no extra request either: metadata and server defaults are asked once
    created = await partners.create(name=f"{marker}-ok", type="invoice", is_company=False)
    await partners.filter(id=created.id).update(phone="1")
    created.email = "ok@example.com"
    await created.save()
    assert [r.method for r in calls(embedded.server)] == ["create", "read", "search", "write", "write"]


async def test_write_values_convert_python_types(client: Any, marker: str) -> None:
    country = await client.model("res.country").filter(code="BE").first()
    partner = await client.model(ResPartner).create(name=f"{marker}-typed", country_id=country)
    assert partner.country_id.id == country.id  # a record is written as its id
    order = await client.model("sale.order").create(partner_id=partner, validity_date=dt.date(2024, 2, 29))
    assert order.validity_date == dt.date(2024, 2, 29)
    assert order.partner_id.id == partner.id and (await order.partner_id).name == f"{marker}-typed"


async def test_relation_cache_separates_contexts(client: Any, embedded: Any, marker: str) -> None:
    parent, _ = await family(client, marker)
    english = await client.model(ResPartner).filter(id=parent).first()
    await english.company_id
    embedded.server.reset_requests()
    other = await client.with_context(tz="Asia/Tokyo").model(ResPartner).filter(id=parent).first()
    await other.company_id  # another context: not served from the rows read under the first
    assert [r.model for r in calls(embedded.server, "read")] == ["res.company"]


async def test_create_with_x2many_commands(client: Any, embedded: Any, marker: str) -> None:
    partner = await client.model("res.partner").create(name=f"{marker}-buyer")
    product = (await client.search("product.product", [], limit=1))[0]
    orders = client.model("sale.order")
    order = await orders.create(
        partner_id=partner,
        order_line=[(0, 0, {"product_id": product, "product_uom_qty": 2, "price_unit": 10.0})],
    )
    lines = await order.order_line.all()
    assert [(line.product_id.id, line.product_uom_qty, line.price_unit) for line in lines] == [
        (product, 2.0, 10.0)
    ]
    embedded.server.reset_requests()
    with pytest.raises(InvalidValueError, match="sale.order.line.price_unit is a float field"):
        await orders.create(
            partner_id=partner, order_line=[(0, 0, {"product_id": product, "price_unit": "ten"})]
        )
    with pytest.raises(InvalidValueError, match="sale.order.line.product_uom_qty is a float field"):
        await order.update(order_line=[(1, lines[0].id, {"product_uom_qty": "many"})])
    assert calls(embedded.server) == []  # checked locally, line metadata cached
    await order.update(order_line=[(1, lines[0].id, {"product_uom_qty": 5})])
    assert (await client.read("sale.order.line", [lines[0].id], ["product_uom_qty"]))[0][
        "product_uom_qty"
    ] == 5.0


async def test_relation_cache_separates_users(embedded: Any, marker: str) -> None:
    demo = embedded.server.users["demo"]
    async with embedded.client() as zc:
        await zc.login(embedded.database, embedded.login, embedded.password)
        parent, _ = await family(zc, marker, kids=0)
        partner = await zc.model(ResPartner).get(parent)
        await partner.company_id  # cached for admin
        await zc.login(embedded.database, demo.login, demo.password)  # the same client, another user
        embedded.server.reset_requests()
        again = await zc.model(ResPartner).get(parent)
        await again.company_id  # not served from the rows admin read
        assert [r.model for r in calls(embedded.server, "read")] == ["res.company"]


async def test_bulk_create_takes_any_iterable(client: Any, marker: str) -> None:
    created = await client.model(ResPartner).bulk_create({"name": f"{marker}-{n}"} for n in "ba")
    assert [p.name for p in created] == [f"{marker}-b", f"{marker}-a"]
    with pytest.raises(InvalidValueError, match="list of dicts"):
        await client.model(ResPartner).bulk_create({"name": "x"})


async def test_refresh_reads_from_odoo_not_from_the_cache(client: Any, embedded: Any, marker: str) -> None:
    parent, _ = await family(client, marker, kids=0)
    await client.setup_cache_manager(backend="memory")
    partner = await client.model(ResPartner).only("phone").get(parent)
    await partner.refresh()  # its read is cached now, were refresh cacheable
    async with embedded.client() as other:  # a change this client's cache is not told about
        await other.login(embedded.database, embedded.login, embedded.password)
        await other.write("res.partner", [parent], {"phone": "+32 9"})
    await partner.refresh()
    assert partner.phone == "+32 9"
