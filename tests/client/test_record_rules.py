"""Record rules, as a user under one meets them: crm's "Personal Leads" (a salesperson sees the leads
assigned to them or to nobody). Searches leave the other leads out; a read, write or create that
names one is refused with Odoo's AccessError, and nothing is changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from users import SALESPERSON, internal_user

from zenoo import AccessError, BatchError, DoesNotExist, ZenooClient
from zenoo.models import Many2one, X2many
from zenoo.models.binding import Binding
from zenoo.models.loading import STORE


@pytest.fixture
async def salesperson(target: Any, client: ZenooClient) -> AsyncIterator[ZenooClient]:
    async with internal_user(target, client, SALESPERSON) as zc:
        yield zc


@pytest.fixture
async def leads(client: ZenooClient, salesperson: ZenooClient, tag: str) -> AsyncIterator[list[int]]:
    """Three leads: the salesperson's, the admin's, nobody's."""
    owners = [salesperson.uid, client.uid, False]
    ids = list(await client.create("crm.lead", [{"name": f"{tag}-{i}", "user_id": u} for i, u in enumerate(owners)]))
    yield ids
    left = await client.search("crm.lead", [["name", "like", f"{tag}%"]], context={"active_test": False})
    await client.unlink("crm.lead", left)


async def test_searches_leave_out_the_leads_the_rule_hides(
    salesperson: ZenooClient, leads: list[int], tag: str
) -> None:
    mine, _admins, nobodys = leads
    domain = [["name", "like", f"{tag}%"]]
    assert sorted(await salesperson.search("crm.lead", domain)) == sorted([mine, nobodys])
    assert await salesperson.search_count("crm.lead", domain) == 2
    qs = salesperson.model("crm.lead").filter(name__startswith=tag)
    assert sorted(record.id for record in await qs.all()) == sorted([mine, nobodys])
    groups = await salesperson.call(
        "crm.lead", "read_group", args=(domain, ["name"], ["user_id"]), kwargs={"lazy": False}
    )
    assert sum(group["__count"] for group in groups) == 2


async def test_a_read_or_write_naming_a_hidden_lead_is_refused(
    client: ZenooClient, salesperson: ZenooClient, leads: list[int], tag: str
) -> None:
    mine, admins, _nobodys = leads
    assert [row["name"] for row in await salesperson.read("crm.lead", [mine], ["name"])] == [f"{tag}-0"]
    with pytest.raises(AccessError, match=r"doesn't have 'read' access to:\n- Lead"):
        await salesperson.read("crm.lead", [mine, admins], ["name"])
    with pytest.raises(AccessError, match="doesn't have 'read' access"):
        await salesperson.write("crm.lead", [mine, admins], {"name": "renamed"})
    names = [row["name"] for row in await client.read("crm.lead", [mine, admins], ["name"])]
    assert names == [f"{tag}-0", f"{tag}-1"]  # the write changed neither
    assert await salesperson.read("crm.lead", [mine, 2_000_000_000], ["name"]) != []  # a gone id is dropped
    assert await salesperson.visible_ids("crm.lead", [admins, mine, 2_000_000_000]) == [mine]


async def test_a_bulk_write_naming_a_hidden_lead_says_so_and_writes_none(
    client: ZenooClient, salesperson: ZenooClient, leads: list[int], tag: str
) -> None:
    mine, admins, _nobodys = leads
    with pytest.raises(BatchError, match=rf"row 0: record {admins} does not exist, or a record rule hides it"):
        await salesperson.bulk_write("crm.lead", {admins: {"name": "a"}, mine: {"name": "b"}}, progress=False)
    names = [row["name"] for row in await client.read("crm.lead", [mine, admins], ["name"])]
    assert names == [f"{tag}-0", f"{tag}-1"]  # one load, refused whole


async def test_creating_a_lead_the_rule_would_hide_is_refused(
    client: ZenooClient, salesperson: ZenooClient, tag: str
) -> None:
    with pytest.raises(AccessError, match="doesn't have 'create' access"):
        await salesperson.create("crm.lead", {"name": f"{tag}-for-admin", "user_id": client.uid})
    assert await client.search("crm.lead", [["name", "=", f"{tag}-for-admin"]]) == []


async def test_prefetch_loads_the_related_records_the_user_sees_and_leaves_the_hidden_lazy(
    client: ZenooClient, salesperson: ZenooClient, leads: list[int], tag: str
) -> None:
    mine, admins, _nobodys = leads
    partner = await client.create("res.partner", {"name": f"{tag}-customer"})
    orders = [
        await client.create(
            "sale.order",
            {"name": f"{tag}-so-{i}", "partner_id": partner, "user_id": salesperson.uid, "opportunity_id": lead},
        )
        for i, lead in enumerate((mine, admins))
    ]
    try:
        qs = salesperson.model("sale.order").filter(id__in=orders).order_by("id").prefetch("opportunity_id")
        own, others = await qs.all()
        assert own.opportunity_id.loaded and (await own.opportunity_id).name == f"{tag}-0"
        assert not others.opportunity_id.loaded  # the admin's lead: the rule hides it
        with pytest.raises(AccessError, match="doesn't have 'read' access"):
            await others.opportunity_id
    finally:
        await client.unlink("sale.order", orders)
        await client.unlink("res.partner", [partner])


async def test_a_lazy_x2many_loads_the_records_the_user_still_sees(
    client: ZenooClient, salesperson: ZenooClient, leads: list[int]
) -> None:
    """A one2many or many2many the user read before a rule hid one of its records loads the others, as
    Odoo leaves the hidden one out of the field when it is read again (the ids the record was read
    with, bound as a query binds them); a many2one to it raises, as Odoo's read of it does."""
    mine, _admins, nobodys = leads
    binding = Binding(client=salesperson, store=STORE)
    related: X2many[Any] = X2many([nobodys, mine], "crm.lead", binding=binding)
    one = Many2one("crm.lead", nobodys, binding=binding)
    await client.write("crm.lead", [nobodys], {"user_id": client.uid})  # the rule hides it from now on
    assert [lead.id for lead in await related.all()] == [mine]
    with pytest.raises(AccessError, match="doesn't have 'read' access") as caught:
        await one
    assert f"while loading the related record crm.lead {nobodys}" in caught.value.__notes__


async def test_a_partners_opportunities_are_read_as_odoo_searches_them(
    client: ZenooClient, salesperson: ZenooClient, leads: list[int], tag: str
) -> None:
    """crm's res.partner.opportunity_ids is read by a search of crm.lead: its domain leaves out a
    plain lead, and the salesperson's rule the admin's opportunity (read, and a lazy relation)."""
    mine, _admins, nobodys = leads
    described = await client.call("res.partner", "fields_get", args=(["opportunity_ids"],),
                                  kwargs={"attributes": ["type", "relation", "relation_field", "domain"]})  # fmt: skip
    assert described["opportunity_ids"] == {"type": "one2many", "relation": "crm.lead",
                                            "relation_field": "partner_id", "domain": [["type", "=", "opportunity"]]}  # fmt: skip
    partner = await client.create("res.partner", {"name": f"{tag}-customer"})
    try:
        await client.write("crm.lead", leads, {"partner_id": partner, "type": "opportunity"})
        await client.create("crm.lead", {"name": f"{tag}-plain", "type": "lead", "partner_id": partner})

        async def opportunities(zc: ZenooClient) -> list[int]:
            [row] = await zc.read("res.partner", [partner], ["opportunity_ids"])
            return sorted(row["opportunity_ids"])

        assert await opportunities(client) == sorted(leads)
        assert await opportunities(salesperson) == sorted([mine, nobodys])
        [record] = await salesperson.model("res.partner").filter(id=partner).only("opportunity_ids").all()
        assert sorted(lead.id for lead in await record.opportunity_ids.all()) == sorted([mine, nobodys])
    finally:
        await client.unlink("res.partner", [partner])


async def test_queryset_update_and_delete_of_given_ids_refuse_those_they_cannot_find(
    client: ZenooClient, salesperson: ZenooClient, leads: list[int], tag: str
) -> None:
    """update(id, {...}) and delete(*ids) name records: one the user cannot see (hidden by the rule,
    gone, filtered out) is DoesNotExist, and nothing is written or deleted."""
    mine, admins, nobodys = leads
    own = salesperson.model("crm.lead")
    with pytest.raises(DoesNotExist, match=rf"record {admins} among those .* nothing was updated"):
        await own.update(admins, {"name": "renamed"})
    with pytest.raises(DoesNotExist, match=rf"record {admins}, 2000000000 .* nothing was deleted"):
        await own.delete(mine, admins, 2_000_000_000)
    with pytest.raises(DoesNotExist, match=rf"record {mine} among"):
        await own.filter(user_id=False).update(mine, {"name": "renamed"})  # filtered out
    names = {row["id"]: row["name"] for row in await client.read("crm.lead", leads, ["name"])}
    assert names == {mine: f"{tag}-0", admins: f"{tag}-1", nobodys: f"{tag}-2"}
    assert await own.filter(name="no such lead").update({"name": "x"}) is True  # matching none is fine
    assert await own.update(mine, {"name": f"{tag}-0 renamed"}) is True
    assert await client.model("crm.lead").delete(nobodys) is True  # a salesperson may not delete leads
    assert await client.search("crm.lead", [["id", "in", leads]], order="id") == [mine, admins]
