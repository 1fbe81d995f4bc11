"""QuerySet terminals, lookups and validation against the embedded server (Odoo 17 and 19)."""

from __future__ import annotations

from typing import Any

import pytest

from zenoo import (
    ConfigurationError,
    DoesNotExist,
    FieldError,
    InvalidLookupError,
    InvalidValueError,
    MultipleObjectsReturned,
    OdooModel,
    Q,
    ZenooClient,
)
from zenoo.models.common import ResPartner

from .conftest import calls, param

# their subject is not the connection: the embedded servers are reached in-process
pytestmark = pytest.mark.in_process


async def make(client: Any, marker: str, names: list[str], **common: Any) -> list[int]:
    ids = await client.create("res.partner", [{"name": f"{marker}-{name}", **common} for name in names])
    return list(ids)


async def names(qs: Any) -> list[str]:
    return [name for name in await qs.values_list("name", flat=True)]


async def test_chaining_is_lazy_and_immutable(client: Any, embedded: Any, marker: str) -> None:
    embedded.server.reset_requests()
    base = client.model("res.partner")
    narrowed = base.filter(name__startswith=marker).order_by("-id").only("name").limit(3).offset(1)
    assert calls(embedded.server) == []  # nothing sent while chaining
    assert base.row_limit is None and base.ordering is None and base.selected_fields is None
    assert narrowed.row_limit == 3 and narrowed.row_offset == 1
    assert narrowed.ordering == "id desc" and narrowed.selected_fields == ("name",)
    assert base.order_by("name DESC nulls last", "+id").ordering == "name DESC nulls last, id asc"
    assert base.order_by("-email  nulls last", "+name").ordering == "email desc nulls last, name asc"
    with pytest.raises(InvalidValueError, match="invalid order_by term '-email desc'"):
        base.order_by("-email desc")
    assert narrowed.with_context(lang="en_US").context == {"lang": "en_US"}
    assert await narrowed.compiled_domain() == [("name", "=like", f"{marker}%")]


async def test_string_lookups_have_exact_semantics(client: Any, marker: str) -> None:
    await make(client, marker, ["Alpha", "alpha_1", "xAlpha", "50%off", "beta"])
    mine = client.model("res.partner").filter(name__startswith=marker).order_by("name")
    tag = len(marker) + 1
    short = [name[tag:] for name in await names(mine)]
    assert short == sorted(["Alpha", "alpha_1", "xAlpha", "50%off", "beta"])

    async def match(**lookups: Any) -> set[str]:
        return {name[tag:] for name in await names(mine.filter(**lookups))}

    assert await match(name__contains="Alpha") == {"Alpha", "xAlpha"}
    assert await match(name__icontains="alpha") == {"Alpha", "alpha_1", "xAlpha"}
    # startswith is anchored: 'xAlpha' does not start with '<marker>-Alpha'
    assert await match(name__startswith=f"{marker}-Alpha") == {"Alpha"}
    assert await match(name__istartswith=f"{marker}-alpha") == {"Alpha", "alpha_1"}
    assert await match(name__endswith="pha") == {"Alpha", "xAlpha"}
    assert await match(name__iendswith="ALPHA") == {"Alpha", "xAlpha"}
    assert await match(name__iexact=f"{marker}-ALPHA") == {"Alpha"}
    # '_' and '%' in the value are literal for contains ...
    assert await match(name__contains="a_1") == {"alpha_1"}
    assert await match(name__contains="50%") == {"50%off"}
    # ... and wildcards for Odoo's own ilike (inside %value%)
    assert await match(name__ilike="al%1") == {"alpha_1"}
    assert await match(name__ilike="alpha") == {"Alpha", "alpha_1", "xAlpha"}
    assert await match(name__in=[f"{marker}-beta", f"{marker}-Alpha"]) == {"beta", "Alpha"}
    assert await match(name__not_in=[f"{marker}-beta"]) == {"Alpha", "alpha_1", "xAlpha", "50%off"}
    assert await match(name__ne=f"{marker}-beta") == {"Alpha", "alpha_1", "xAlpha", "50%off"}


async def test_isnull_true_and_false_are_opposites(client: Any, marker: str) -> None:
    await make(client, marker, ["with"], email="a@example.com")
    await make(client, marker, ["without"])
    mine = client.model("res.partner").filter(name__startswith=marker)
    assert await names(mine.filter(email__isnull=True)) == [f"{marker}-without"]
    assert await names(mine.filter(email__isnull=False)) == [f"{marker}-with"]
    assert await names(mine.filter(email=None)) == [f"{marker}-without"]


async def test_q_objects_exclude_and_dotted_paths(client: Any, marker: str) -> None:
    be = (await client.search("res.country", [("code", "=", "BE")]))[0]
    fr = (await client.search("res.country", [("code", "=", "FR")]))[0]
    await make(client, marker, ["be-co"], country_id=be, is_company=True)
    await make(client, marker, ["fr-person"], country_id=fr, is_company=False)
    await make(client, marker, ["be-person"], country_id=be, is_company=False)
    mine = client.model("res.partner").filter(name__startswith=marker).order_by("name")
    assert await names(mine.filter(country_id__code="BE")) == [f"{marker}-be-co", f"{marker}-be-person"]
    assert await names(mine.filter(Q(country_id__code="FR") | Q(is_company=True))) == [
        f"{marker}-be-co",
        f"{marker}-fr-person",
    ]
    # ~Q(a, b) negates the conjunction: everything except the Belgian company
    assert await names(mine.filter(~Q(country_id__code="BE", is_company=True))) == [
        f"{marker}-be-person",
        f"{marker}-fr-person",
    ]
    assert await names(mine.exclude(country_id__code="BE", is_company=True)) == [
        f"{marker}-be-person",
        f"{marker}-fr-person",
    ]
    raw = ["|", ("country_id.code", "=", "FR"), ("is_company", "=", True)]
    assert await names(mine.filter(raw)) == [f"{marker}-be-co", f"{marker}-fr-person"]
    assert await mine.filter(country_id__in=[be]).count() == 2


async def test_records_as_values_and_relational_lookups(client: Any, marker: str) -> None:
    parent = await client.model(ResPartner).create(name=f"{marker}-parent", is_company=True)
    await make(client, marker, ["kid1", "kid2"], parent_id=parent.id)
    mine = client.model("res.partner").filter(name__startswith=marker)
    assert await mine.filter(parent_id=parent).count() == 2  # a record is sent as its id
    assert await names(mine.filter(child_ids__any=Q(name=f"{marker}-kid1"))) == [f"{marker}-parent"]
    assert await mine.filter(id__child_of=parent.id).count() == 3
    assert await mine.filter(parent_id__not_any={"name": "nobody"}).count() == 3


async def test_terminals(client: Any, marker: str) -> None:
    ids = await make(client, marker, ["a", "b", "c"], email="x@example.com")
    mine = client.model("res.partner").filter(name__startswith=marker).order_by("name")
    assert await mine.ids() == ids
    assert await mine.count() == 3
    assert await mine.limit(2).count() == 2
    assert await mine.offset(2).count() == 1
    assert await mine.exists() is True
    assert await mine.filter(name="nope").exists() is False
    first = await mine.first()
    assert first is not None and first.name == f"{marker}-a"
    assert await mine.filter(name="nope").first() is None
    assert (await mine.order_by("-name").first()).name == f"{marker}-c"  # type: ignore[union-attr]
    assert [r.name for r in await mine.offset(1).limit(1).all()] == [f"{marker}-b"]
    assert await mine.limit(0).all() == []
    assert (await mine.get(ids[1])).name == f"{marker}-b"
    assert (await mine.get(name=f"{marker}-c")).id == ids[2]
    with pytest.raises(DoesNotExist):
        await mine.get(name="nope")
    with pytest.raises(MultipleObjectsReturned):
        await mine.get(email="x@example.com")
    values = await mine.values("name", "email", "country_id")
    assert values[0] == {"id": ids[0], "name": f"{marker}-a", "email": "x@example.com", "country_id": None}
    assert await mine.values_list("name", "email") == [(f"{marker}-{n}", "x@example.com") for n in "abc"]
    assert await mine.values_list("id", flat=True) == ids


async def test_update_and_delete(client: Any, embedded: Any, marker: str) -> None:
    ids = await make(client, marker, ["a", "b", "c"])
    mine = client.model("res.partner").filter(name__startswith=marker)
    embedded.server.reset_requests()
    assert await mine.filter(name__in=[f"{marker}-a", f"{marker}-b"]).update(phone="123") is True
    writes = calls(embedded.server, "write", "res.partner")
    assert len(writes) == 1  # one write for every matching record
    assert await mine.filter(phone="123").count() == 2
    await mine.update(ids[2], {"phone": "999"})  # zenoo-rpc style: update(id, values)
    await mine.filter(phone="123").update({"email": "both@example.com"})  # zenoo-rpc style: update(dict)
    assert await mine.values_list("phone", "email") == [
        ("123", "both@example.com"), ("123", "both@example.com"), ("999", None),
    ]  # fmt: skip
    assert await mine.delete(ids[0]) is True
    assert await mine.count() == 2
    assert await mine.filter(phone="123").delete() is True
    assert await mine.ids() == [ids[2]]


async def test_async_for_pages_in_chunks_with_a_stable_order(client: Any, embedded: Any, marker: str) -> None:
    ids = await make(client, marker, [f"{i:02d}" for i in range(11)], email="same@example.com")
    mine = client.model("res.partner").filter(name__startswith=marker).order_by("email").chunk(4)
    embedded.server.reset_requests()
    seen = [record.id async for record in mine]
    assert seen == ids  # equal emails: id breaks the tie
    searches = calls(embedded.server, "search", "res.partner")
    assert len(searches) == 1 and param(searches[0], "order") == "email, id"  # the ids first, then pages
    pages = calls(embedded.server, "read", "res.partner")
    assert [len(param(page, "ids")) for page in pages] == [4, 4, 3]
    assert [r.id async for r in mine.offset(2).limit(5)] == ids[2:7]


async def test_a_slice_is_a_window_of_the_result(client: Any, marker: str) -> None:
    ids = await make(client, marker, [f"{i:02d}" for i in range(6)])
    mine = client.model("res.partner").filter(name__startswith=marker).order_by("id")
    assert await mine[1:4].ids() == ids[1:4]
    assert await mine[2:][:2].ids() == ids[2:4]  # a window within a window
    assert await mine[:3][1:].ids() == ids[1:3]
    assert await mine[:3][5:].ids() == [] and await mine[4:].count() == 2
    for bad, message in [(2, "takes a slice"), (slice(-1, None), "non-negative"), (slice(0, 4, 2), "no step")]:
        with pytest.raises(InvalidValueError, match=message):
            mine[bad]


async def test_validation_happens_before_sending(client: Any, embedded: Any) -> None:
    await client.fields_get("res.partner")  # metadata cached: every check below is local
    await client.fields_get("res.country")
    embedded.server.reset_requests()
    partners = client.model("res.partner")
    with pytest.raises(FieldError, match=r"res.partner has no field 'naem'.*'name'"):
        await partners.filter(naem__ilike="a").count()
    with pytest.raises(FieldError, match=r"res.country has no field 'cod'"):
        await partners.filter(country_id__cod="BE").all()
    with pytest.raises(InvalidLookupError, match="unknown lookup 'icontain'"):
        await partners.filter(name__icontain="a").all()
    with pytest.raises(InvalidLookupError, match="not valid for res.partner.is_company"):
        await partners.filter(is_company__gt=True).ids()
    with pytest.raises(FieldError, match="'emial'"):
        await partners.only("name", "emial").all()
    with pytest.raises(FieldError, match="'nmae'"):
        await partners.order_by("nmae").all()
    with pytest.raises(InvalidLookupError, match="prefetch needs relational fields"):
        await partners.prefetch("name").all()
    assert calls(embedded.server) == []


async def test_zenoo_rpc_style_ilike_passes_value_through(client: Any, marker: str) -> None:
    await make(client, marker, ["Acme Corp", "Acme-ish", "Other"])
    mine = client.model(ResPartner).filter(name__startswith=marker)
    # Odoo's ilike: '%' inside the value is a wildcard within %value%
    found = await mine.filter(name__ilike="acme%").order_by("name").all()
    assert [p.name for p in found] == [f"{marker}-Acme Corp", f"{marker}-Acme-ish"]


async def test_cache_ttl_is_passed_to_the_client_cache(client: Any, embedded: Any, marker: str) -> None:
    await make(client, marker, ["cached"])
    query = client.model("res.partner").filter(name__startswith=marker).cache(ttl=60)
    with pytest.raises(ConfigurationError, match=r"^cache\(ttl=60\) asks for caching, but this client has no cache"):
        await query.all()  # not silently uncached
    with pytest.raises(ConfigurationError, match=r"^cache\(\) asks for caching"):
        await query.cache().count()  # the cache's own TTL: none either
    await client.setup_cache_manager(backend="memory")
    first = await query.all()
    embedded.server.reset_requests()
    again = await query.all()
    assert [r.id for r in again] == [r.id for r in first]
    assert calls(embedded.server, "search_read") == []  # served by the cache
    await query.cache(ttl=0).all()  # ttl=0 bypasses it
    assert len(calls(embedded.server, "search_read")) == 1
    # writes find their records afresh, not from a cached search
    await query.ids()
    async with embedded.client() as other:  # another client: this one's cache is not told
        await other.login(embedded.database, embedded.login, embedded.password)
        await make(other, marker, ["later"])
    assert len(await query.ids()) == 1  # the cached search does not see it
    embedded.server.reset_requests()
    assert await query.update(phone="5") is True
    assert [r.method for r in calls(embedded.server)] == ["search", "write"]
    assert await query.cache(ttl=0).filter(phone="5").count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        lambda qs: qs.limit(-1),
        lambda qs: qs.offset("1"),
        lambda qs: qs.chunk(0),
        lambda qs: qs.cache(ttl=-5),
        lambda qs: qs.order_by(3),
        lambda qs: qs.order_by("name sideways"),  # Odoo would refuse it: refused before sending
        lambda qs: qs.order_by("-name desc"),
        lambda qs: qs.order_by("name; drop table"),
        lambda qs: qs.exclude(),
    ],
)
def test_bad_chaining_arguments(bad: Any) -> None:
    client = ZenooClient("http://127.0.0.1:9")  # chaining sends nothing: no server needed
    with pytest.raises(InvalidValueError):
        bad(client.model("res.partner"))


@pytest.mark.parametrize("path", ["country_id.name", "-country_id.name", "country_id__name desc"])
def test_order_by_refuses_a_path_through_a_relation(path: str) -> None:
    """Odoo 17 and 19 refuse to order by ``country_id.name``: refused before sending, with the way out."""
    client = ZenooClient("http://127.0.0.1:9")
    with pytest.raises(FieldError, match=r"order by the many2one itself \(order_by\('country_id'\)\)"):
        client.model("res.partner").order_by(path)


def test_model_argument_is_checked() -> None:
    client = ZenooClient("http://127.0.0.1:9")

    class Nameless(OdooModel):
        name: str | None = None

    with pytest.raises(InvalidValueError, match="has no _name"):
        client.model(Nameless)
    with pytest.raises(InvalidValueError):
        client.model(42)


async def test_client_fixture_covers_both_protocols(
    client: Any, embedded: Any, marker: str, request: pytest.FixtureRequest
) -> None:
    auth = request.node.callspec.params["client"]
    assert client.api == ("json2" if auth == "api_key" and embedded.version >= 19 else "jsonrpc")
    embedded.server.reset_requests()
    await client.model("res.partner").filter(name=marker).count()
    assert {r.protocol for r in calls(embedded.server)} == {client.api}


async def test_an_empty_field_selection_reads_only_ids(client: Any, embedded: Any, marker: str) -> None:
    ids = await make(client, marker, ["a", "b"], email="x@example.com")
    mine = client.model("res.partner").filter(name__startswith=marker).order_by("id")
    await mine.count()  # metadata cached
    embedded.server.reset_requests()
    assert await mine.values_list("id", flat=True) == ids
    (read,) = calls(embedded.server, "search_read")
    assert param(read, "fields") == ["id"]  # an empty list would make Odoo read every field
    records = await mine.only("email").defer("email").all()
    assert [r.id for r in records] == ids and all(r.loaded_fields == () for r in records)
    with pytest.raises(AttributeError, match=r"email was not loaded .* read it with refresh\('email'\)"):
        _ = records[0].email
    await records[0].refresh("email")  # what the error says to do
    assert records[0].email == "x@example.com" and records[0].loaded_fields == ("email",)


async def test_python_values_in_lookups(client: Any, marker: str) -> None:
    import datetime as dt
    from decimal import Decimal
    from enum import Enum

    class Kind(Enum):
        INVOICE = "invoice"

    partner = (await make(client, marker, ["buyer"], type="invoice"))[0]
    order = await client.create("sale.order", {"partner_id": partner, "date_order": "2024-05-01 10:00:00"})
    product = (await client.search("product.product", [], limit=1))[0]
    await client.create("sale.order.line", {"order_id": order, "product_id": product, "price_unit": 10.5})
    orders = client.model("sale.order").filter(partner_id=partner)
    plus_two = dt.timezone(dt.timedelta(hours=2))
    # an aware datetime is compared in UTC: 12:00+02:00 is 10:00 UTC
    assert await orders.filter(date_order=dt.datetime(2024, 5, 1, 12, 0, tzinfo=plus_two)).ids() == [order]
    assert await orders.filter(date_order__gt=dt.datetime(2024, 5, 1, 11, 30, tzinfo=plus_two)).ids() == [
        order
    ]
    assert await orders.filter(date_order__gt=dt.datetime(2024, 5, 1, 10, 30, tzinfo=dt.UTC)).ids() == []
    assert await orders.filter(
        date_order__lt=dt.date(2024, 5, 2), date_order__gte=dt.date(2024, 5, 1)
    ).ids() == [order]
    lines = client.model("sale.order.line").filter(order_id=order)
    assert await lines.filter(price_unit=Decimal("10.5")).count() == 1
    assert await lines.filter(price_unit__lt=Decimal("10.49")).count() == 0
    mine = client.model("res.partner").filter(name__startswith=marker)
    assert await mine.filter(type=Kind.INVOICE).ids() == [partner]
    assert await mine.filter(type__in=[Kind.INVOICE, "other"]).ids() == [partner]


async def test_pattern_and_hierarchy_lookups(client: Any, marker: str) -> None:
    parent = (await make(client, marker, ["Top"], is_company=True))[0]
    child = (await make(client, marker, ["Mid"], parent_id=parent))[0]
    mine = client.model("res.partner").filter(name__startswith=marker)
    assert await mine.filter(**{"name__=like": f"{marker}-T%"}).ids() == [parent]  # the pattern as given
    assert await mine.filter(**{"name__=ilike": f"{marker}-t_p"}).ids() == [parent]
    assert await mine.filter(**{"name__=like": f"{marker}-t%"}).ids() == []  # =like is case-sensitive
    assert await mine.filter(id__parent_of=child).order_by("id").ids() == [parent, child]
    assert await mine.filter(id__child_of=parent).order_by("id").ids() == [parent, child]
    # a many2one to the model itself: Odoo walks the tree through it, the record given included
    assert await mine.filter(parent_id__child_of=parent).order_by("id").ids() == [parent, child]
