"""Query and model scenarios against every reachable Odoo: the embedded servers and a real Odoo
(``ZENOO_TEST_URL`` …, see tests/conftest.py).

Real Odoo's demo data differs from the embedded server's, so every scenario creates its own
records, named ``zenoo-test-<marker>-…``, filters on them and deletes them at the end. Requests
are counted with the client's own hooks, which works on any server. Facts relied on: res.partner
has name, email, phone, is_company, type (contact/invoice/delivery/other), country_id, company_id,
parent_id/child_ids; res.country has BE and FR with ``code``; at least one res.company exists;
sale.order / sale.order.line (the sales app) and at least one product.product exist.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from zenoo import Client, FieldError, InvalidLookupError, InvalidValueError, MissingError, Q, ZenooClient
from zenoo.models import Many2one, X2many
from zenoo.models.codegen import generate_source
from zenoo.models.common import ResCompany, ResPartner, SaleOrder
from zenoo.stats import RequestEvent

pytestmark = pytest.mark.real_odoo


@pytest.fixture
def marker() -> str:
    return f"zenoo-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def client(target: Any, marker: str) -> AsyncIterator[ZenooClient]:
    async with ZenooClient(target.url) as zc:
        await target.log_in(zc, "api_key" if target.api_key else "password")
        yield zc
        leftovers = await zc.search(
            "res.partner", [("name", "=like", f"{marker}%")], context={"active_test": False}
        )
        if leftovers:
            await zc.unlink("res.partner", leftovers)


class Counter:
    """Counts the object calls a client sends, per method, through its hooks."""

    def __init__(self, client: ZenooClient) -> None:
        self.methods: list[str] = []
        client.hooks.on("before_request", self._seen)

    def _seen(self, event: RequestEvent) -> None:
        if event.model:
            self.methods.append(event.method)

    def reset(self) -> None:
        self.methods.clear()


async def make(client: ZenooClient, marker: str, names: list[str], **common: Any) -> list[int]:
    return list(await client.create("res.partner", [{"name": f"{marker}-{n}", **common} for n in names]))


async def test_lookups_q_and_paths(client: ZenooClient, marker: str) -> None:
    be = (await client.search("res.country", [("code", "=", "BE")]))[0]
    fr = (await client.search("res.country", [("code", "=", "FR")]))[0]
    await make(client, marker, ["Alpha"], country_id=be, is_company=True, email="a@example.com")
    await make(client, marker, ["alpha_1"], country_id=fr)
    await make(client, marker, ["xAlpha"], country_id=be)
    mine = client.model("res.partner").filter(name__startswith=marker).order_by("name")
    tag = len(marker) + 1

    async def match(*q: Any, **lookups: Any) -> list[str]:
        return [n[tag:] for n in await mine.filter(*q, **lookups).values_list("name", flat=True)]

    assert await match(name__contains="Alpha") == ["Alpha", "xAlpha"]
    assert await match(name__startswith=f"{marker}-Alpha") == ["Alpha"]
    assert await match(name__istartswith=f"{marker}-alpha") == ["Alpha", "alpha_1"]
    assert await match(name__contains="a_1") == ["alpha_1"]
    assert await match(name__ilike="al%1") == ["alpha_1"]
    assert await match(email__isnull=False) == ["Alpha"]
    assert await match(email__isnull=True) == ["alpha_1", "xAlpha"]
    assert await match(country_id__code="BE") == ["Alpha", "xAlpha"]
    assert await match(Q(country_id__code="FR") | Q(is_company=True)) == ["Alpha", "alpha_1"]
    assert await match(~Q(country_id__code="BE", is_company=True)) == ["alpha_1", "xAlpha"]
    assert await mine.exclude(country_id__code="BE").count() == 1


async def test_terminals_update_delete_and_paging(client: ZenooClient, marker: str) -> None:
    ids = await make(client, marker, [f"{i:02d}" for i in range(7)], email="same@example.com")
    counter = Counter(client)
    mine = client.model(ResPartner).filter(name__startswith=marker)
    assert await mine.count() == 7 and await mine.exists()
    assert (await mine.order_by("-name").first()).id == ids[-1]  # type: ignore[union-attr]
    assert (await mine.get(ids[3])).name == f"{marker}-03"
    with pytest.raises(MissingError):
        await mine.get(name="nope")
    counter.reset()
    assert [r.id async for r in mine.order_by("email").chunk(3)] == ids
    assert counter.methods == ["search", "read", "read", "read"]  # the ids first, then pages of 3
    assert await mine.filter(id__in=ids[:2]).update(phone="42") is True
    assert await mine.filter(phone="42").ids() == ids[:2]
    assert await mine.filter(phone="42").delete() is True
    assert await mine.count() == 5


async def test_every_way_of_reading_a_query_holds_the_same_records(client: ZenooClient, marker: str) -> None:
    """A limit without order_by picks records in Odoo's default order (res.partner: by name) however
    the query is read; an order_by gets id as its last key everywhere, so records tied on it fall
    in the same slice whichever way it is read."""
    names = [f"{11 - i:02d}" for i in range(12)]  # by name, the last created come first
    ids = await make(client, marker, names[:6], email="a@example.com")
    ids += await make(client, marker, names[6:], email="b@example.com")
    mine = client.model("res.partner").filter(name__startswith=marker)
    first_by_name = await mine.limit(5).ids()
    assert first_by_name == ids[::-1][:5]
    assert [r.id async for r in mine.limit(5).chunk(2)] == first_by_name
    assert [r.id for r in await mine.limit(5).all()] == first_by_name
    frame = await mine.limit(5).to_polars(progress=False)
    assert frame["id"].to_list() == sorted(first_by_name)  # a frame lists them by id
    assert mine.limit(5).lazy().collect()["id"].to_list() == sorted(first_by_name)
    assert mine.limit(5).lazy().head(2).collect()["id"].to_list() == sorted(first_by_name)[:2]
    assert mine.lazy().head(2).collect()["id"].to_list() == ids[:2]  # a frame's head: its first rows, by id
    window = mine.order_by("email")[3:9]  # six of each email: the window cuts through both ties
    expected = await window.ids()
    assert expected == ids[3:9]
    assert [r.id for r in await window.all()] == expected
    assert [row["id"] for row in await window.values("name")] == expected
    assert [r.id async for r in window.chunk(4)] == expected
    assert (await window.to_polars(progress=False))["id"].to_list() == expected
    counter = Counter(client)
    for unsortable in ("display_name", "child_ids"):
        with pytest.raises(FieldError, match=rf"order_by\('{unsortable}'\): Odoo cannot sort res.partner"):
            await mine.order_by(unsortable).ids()
        with pytest.raises(FieldError, match=rf"order_by\('{unsortable}'\): Odoo cannot sort"):
            await mine.order_by(unsortable).to_polars(progress=False)
    assert counter.methods == []


async def test_validation_before_sending(client: ZenooClient, marker: str) -> None:
    partners = client.model("res.partner")
    await partners.count()
    await partners.create(name=f"{marker}-warmup")
    counter = Counter(client)
    with pytest.raises(FieldError, match="'name'"):
        await partners.filter(naem="x").count()
    with pytest.raises(InvalidLookupError):
        await partners.filter(is_company__gt=True).count()
    with pytest.raises(InvalidValueError, match="not a valid choice"):
        await partners.create(name=f"{marker}-x", type="nope")
    assert counter.methods == []


async def test_models_relations_and_prefetch(client: ZenooClient, marker: str) -> None:
    company = (await client.search("res.company", [], limit=1))[0]
    parent = (await make(client, marker, ["parent"], is_company=True, company_id=company))[0]
    kids = await make(client, marker, ["kid0", "kid1"], parent_id=parent)
    partner = await client.model(ResPartner).get(parent)
    assert partner.email is None and partner.is_company is True
    assert isinstance(partner.company_id, Many2one) and partner.company_id.id == company
    assert isinstance(partner.child_ids, X2many) and sorted(partner.child_ids) == sorted(kids)
    loaded = await partner.company_id
    assert isinstance(loaded, ResCompany) and loaded.name == partner.company_id.display_name
    assert sorted(k.id for k in await partner.child_ids.all()) == sorted(kids)

    counter = Counter(client)
    await (
        client.model("res.partner").filter(name__startswith=marker).prefetch("company_id", "child_ids").all()
    )
    await client.fields_get("res.company")
    counter.reset()
    found = (
        await client.model("res.partner")
        .filter(name__startswith=marker)
        .prefetch("company_id", "child_ids")
        .all()
    )
    assert counter.methods.count("read") <= 2 and counter.methods.count("search_read") == 1
    counter.reset()
    for record in found:
        if record.company_id:
            await record.company_id
        await record.child_ids.all()
    assert counter.methods == []

    partner.email = "parent@example.com"
    await partner.save()
    await partner.refresh()
    assert partner.email == "parent@example.com"
    assert await partner.delete() is True


async def test_generated_models_query(client: ZenooClient, marker: str) -> None:
    source = await generate_source(client, ["res.partner", "res.country"])
    namespace: dict[str, Any] = {}
    exec(compile(source, "generated.py", "exec"), namespace)  # noqa: S102 - our own output
    be = (await client.search("res.country", [("code", "=", "BE")]))[0]
    await make(client, marker, ["gen"], country_id=be)
    partner = await client.model(namespace["ResPartner"]).filter(name__startswith=marker).first()
    country = await partner.country_id
    assert type(country) is namespace["ResCountry"] and country.code == "BE"


@pytest.fixture
def blocking(target: Any, marker: str) -> Iterator[Client]:
    with Client(target.url) as client:
        client.login(target.database, target.login, target.password)
        yield client
        leftovers = client.search(
            "res.partner", [("name", "=like", f"{marker}%")], context={"active_test": False}
        )
        if leftovers:
            client.unlink("res.partner", leftovers)


def test_blocking_queryset(blocking: Client, marker: str) -> None:
    partners = blocking.model(ResPartner)
    parent = partners.create(name=f"{marker}-parent", is_company=True)
    partners.bulk_create([{"name": f"{marker}-kid{i}", "parent_id": parent.id} for i in range(2)])
    mine = partners.filter(name__startswith=marker).order_by("name")
    assert [p.name for p in mine] == [f"{marker}-kid0", f"{marker}-kid1", f"{marker}-parent"]
    kid = mine.first()
    assert kid.parent_id.load().id == parent.id  # type: ignore[union-attr]
    assert len(mine.prefetch("child_ids").get(parent.id).child_ids.all()) == 2


async def test_create_order_save_and_cache(client: ZenooClient, marker: str) -> None:
    partners = client.model(ResPartner)
    created = await partners.bulk_create([{"name": f"{marker}-{n}"} for n in ("z", "a", "m")])
    assert [p.name for p in created] == [f"{marker}-z", f"{marker}-a", f"{marker}-m"]  # input order
    parent = await partners.create(name=f"{marker}-parent", is_company=True)
    await partners.filter(id__in=[p.id for p in created[:2]]).update(parent_id=parent.id)
    fresh = await partners.get(parent.id)
    assert isinstance(fresh.child_ids, X2many) and sorted(fresh.child_ids) == sorted(
        p.id for p in created[:2]
    )
    only_name = await partners.only("name").get(parent.id)
    with pytest.raises(AttributeError, match="email was not loaded"):
        _ = only_name.email

    counter = Counter(client)
    await fresh.save()
    assert counter.methods == []  # nothing changed, nothing sent
    fresh.phone = "+32 2 000 00 00"
    await fresh.save()
    assert counter.methods.count("write") == 1 and fresh.changed_fields() == {}
    assert (await client.read("res.partner", [parent.id], ["phone"]))[0]["phone"] == "+32 2 000 00 00"

    kids = await partners.filter(id__in=[created[0].id, created[1].id]).all()
    await kids[0].parent_id  # kept for the records of this query
    counter.reset()
    await kids[1].parent_id
    assert counter.methods == []  # the parent row came from the query's rows
    await client.write("res.partner", [parent.id], {"email": "p@example.com"})  # any write: read again
    counter.reset()
    reloaded = await kids[1].parent_id
    assert counter.methods == ["read"] and reloaded.email == "p@example.com"
    counter.reset()
    await (await partners.get(created[0].id)).parent_id  # a new query reads the server afresh
    assert counter.methods == ["search_read", "read"]


async def test_x2many_commands_and_checked_values(client: ZenooClient, marker: str) -> None:
    buyer = (await make(client, marker, ["buyer"]))[0]
    product = (await client.search("product.product", [], limit=1))[0]
    orders = client.model(SaleOrder)
    order = await orders.create(
        partner_id=buyer,
        order_line=[(0, 0, {"product_id": product, "product_uom_qty": 2, "price_unit": 10.0})],
    )
    try:
        lines = await order.order_line.all()
        assert [(line.product_id.id, line.product_uom_qty) for line in lines] == [(product, 2.0)]
        counter = Counter(client)
        with pytest.raises(InvalidValueError, match="sale.order.line.product_uom_qty is a float field"):
            await order.update(order_line=[(1, lines[0].id, {"product_uom_qty": "many"})])
        with pytest.raises(InvalidValueError, match="not a valid choice for sale.order.state"):
            await orders.filter(state="confirmed").count()
        assert counter.methods == []
    finally:
        await client.unlink("sale.order", [order.id])


async def test_odoo17_group_fields_of_users_are_read_and_never_searched(target: Any, client: ZenooClient) -> None:
    """Odoo 17's fields_get of res.users adds a field per group (``in_group_<id>``) and per
    exclusive category (``sel_groups_<ids>``), which ``read`` computes and ``search_read`` leaves
    out: every read gives their values, an order or a filter on one is refused before sending.
    Odoo 19 has none."""
    described = await client.fields_get("res.users")
    grouped = [name for name in described if name.startswith(("in_group_", "sel_groups_"))]
    if target.version >= 19:
        assert grouped == []
        return
    assert grouped and all("store" not in described[name] for name in grouped)
    names = [next(n for n in grouped if n.startswith(p)) for p in ("sel_groups_", "in_group_") if any(
        n.startswith(p) for n in grouped)]  # fmt: skip
    users = client.model("res.users").filter(id=client.uid).only("login", *names)
    truth = (await client.read("res.users", [client.uid], ["login", *names]))[0]
    assert truth[names[0]] is not False  # the user is in one group of the first category
    counter = Counter(client)
    assert (await users.values())[0] == truth
    assert counter.methods == ["search_read", "read"]  # search_read leaves them out: read computes them
    record = (await users.all())[0]
    assert [getattr(record, name) for name in names] == [truth[name] for name in names]
    frame = await users.to_polars(progress=False)
    assert frame["id"].to_list() == [client.uid]
    for name in names:
        with pytest.raises(FieldError, match=rf"order_by\('{name}'\): Odoo cannot sort res.users"):
            await users.order_by(name).ids()
        with pytest.raises(FieldError, match=rf"res.users.{name} is not searchable"):
            await client.model("res.users").filter(**{name: truth[name]}).ids()
