"""Frames scenarios that must hold on every reachable Odoo: both embedded imitations and, when
ZENOO_TEST_URL is set, a real Odoo (with the contacts and sale apps, as in the captures).

They create their own partners (named with a unique marker), read them back as frames and unlink
them at the end.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

import zenoo_frames
from zenoo.client import ZenooClient
from zenoo.exceptions import ClientError
from zenoo.fields.metadata import EXCLUDED_BY_DEFAULT
from zenoo.models.common import ResPartner

pytestmark = pytest.mark.real_odoo

FIELDS = ["name", "is_company", "country_id", "category_id", "email", "type", "create_date", "parent_id"]


@pytest.fixture
async def odoo(target: Any) -> AsyncIterator[tuple[ZenooClient, str, list[int]]]:
    """A logged-in client, a marker, and 6 partners named with it (unlinked afterwards)."""
    marker = f"zenoo-test-frames-{uuid.uuid4().hex[:8]}"
    async with ZenooClient(target.url) as client:
        await target.log_in(client)
        countries = await client.search("res.country", [("code", "in", ["BE", "FR", "US"])], order="id")
        parent = await client.create("res.partner", {"name": f"{marker}-parent", "is_company": True})
        values = [
            {
                "name": f"{marker}-{i}",
                "country_id": countries[i % len(countries)] if i % 2 else False,
                "email": f"{marker}-{i}@example.com" if i % 3 else False,
                "parent_id": parent if i < 2 else False,
            }
            for i in range(5)
        ]
        ids = [parent, *await client.create("res.partner", values)]
        try:
            yield client, marker, ids
        finally:
            await client.unlink("res.partner", ids)


async def test_frame_schema_and_values_match_odoo(odoo: tuple[ZenooClient, str, list[int]]) -> None:
    client, marker, ids = odoo
    qs = client.model("res.partner").filter(name__startswith=marker).only(*FIELDS)
    table = await qs.to_arrow(progress=False)
    assert table.schema.names[:5] == ["id", "name", "is_company", "country_id", "country_id.display_name"]
    assert table.schema.field("create_date").type == pa.timestamp("us", tz="UTC")
    assert table.column("id").to_pylist() == sorted(ids)
    classic = await client.read("res.partner", sorted(ids), FIELDS)
    for row, odoo_row in zip(table.to_pylist(), classic, strict=True):
        for m2o in ("country_id", "parent_id"):
            pair = [row[m2o], row[f"{m2o}.display_name"]]
            assert pair == (list(odoo_row[m2o]) if odoo_row[m2o] else [None, None])
        assert row["email"] == (odoo_row["email"] or None)
        assert row["create_date"] == dt.datetime.fromisoformat(odoo_row["create_date"]).replace(tzinfo=dt.UTC)


async def test_lazy_matches_eager(odoo: tuple[ZenooClient, str, list[int]]) -> None:
    client, marker, ids = odoo
    qs = client.model("res.partner").filter(name__startswith=marker).only(*FIELDS)
    eager = await qs.to_polars(progress=False)
    for predicate in (
        pl.col("country_id").is_not_null(),
        ~pl.col("is_company") & pl.col("email").str.ends_with("@example.com"),
        pl.col("parent_id").is_in([ids[0]]) | (pl.col("id") == ids[-1]),
    ):
        assert_frame_equal(qs.lazy(progress=False).filter(predicate).collect(), eager.filter(predicate))
    assert qs.lazy(progress=False).head(2).collect()["id"].to_list() == sorted(ids)[:2]


async def test_empty_frame_is_typed(odoo: tuple[ZenooClient, str, list[int]]) -> None:
    client, marker, _ids = odoo
    frame = await client.model("res.partner").filter(name=f"{marker}-none").only(*FIELDS).to_polars()
    assert frame.height == 0
    assert frame.schema["country_id"] == pl.Int64 and frame.schema["category_id"] == pl.List(pl.Int64)
    assert isinstance(frame.schema["type"], pl.Enum)


def _field_columns(frame: pl.DataFrame) -> list[str]:
    """A frame's columns without the display names frames add next to each many2one."""
    return [name for name in frame.columns if not name.endswith(zenoo_frames.DISPLAY_NAME_SUFFIX)]


async def test_records_values_and_frames_read_the_same_default_fields(
    odoo: tuple[ZenooClient, str, list[int]],
) -> None:
    """One rule picks the fields read when none are selected: the stored fields fields_get lists
    (a declared class: its fields the model has), never binary or JSON blobs; defer() drops some."""
    client, marker, _ids = odoo
    described = await client.fields_get("res.partner")
    light = [name for name, field in described.items() if field["type"] not in EXCLUDED_BY_DEFAULT]
    stored = [name for name in light if described[name].get("store", True) and name != "id"]
    assert "display_name" in light and "display_name" not in stored  # computed per record
    assert {"name", "email", "comment", "country_id", "category_id"} <= set(stored)  # text, html, relations
    declared = [name for name in ResPartner.model_fields if name in light and name != "id"]
    partners = client.model("res.partner").filter(name__startswith=marker)
    cases = [
        (partners, stored),
        (partners.defer("email", "comment"), [n for n in stored if n not in ("email", "comment")]),
        (client.model(ResPartner).filter(name__startswith=marker), declared),
    ]
    for qs, fields in cases:
        expected = ["id", *fields]
        assert list((await qs.values())[0]) == expected
        assert ["id", *(await qs.all())[0].loaded_fields] == expected
        assert _field_columns(await qs.to_polars(progress=False)) == expected
        assert _field_columns(qs.lazy(progress=False).collect()) == expected
    by_name = await zenoo_frames.to_polars(client, "res.partner", [("name", "=like", f"{marker}%")])
    assert _field_columns(by_name) == ["id", *stored]
    # Odoo 17 describes res.users' group fields (in_group_*, sel_groups_*) without store: not read;
    # the fields res.users inherits from res.partner (related to partner_id.<name>) are
    users = await client.fields_get("res.users")
    frame = await client.model("res.users").filter(id=client.uid).to_polars(progress=False)
    columns = [name for name in _field_columns(frame) if name != "id"]
    assert all(users[name].get("store") or users[name].get("related") == f"partner_id.{name}" for name in columns)
    assert "name" in columns and not any(name.startswith(("in_group_", "sel_groups_")) for name in columns)


async def test_sale_orders_amounts_and_states(odoo: tuple[ZenooClient, str, list[int]]) -> None:
    client, _marker, _ids = odoo
    qs = (
        client.model("sale.order").only("name", "partner_id", "amount_total", "state", "date_order").limit(20)
    )
    frame = await qs.to_polars(progress=False)
    assert frame.schema["amount_total"] == pl.Float64 and isinstance(frame.schema["state"], pl.Enum)
    assert frame.schema["date_order"] == pl.Datetime("us", "UTC")
    assert frame.height == min(20, await client.search_count("sale.order"))


async def test_frames_of_ids_only_and_semi_joins(odoo: tuple[ZenooClient, str, list[int]]) -> None:
    client, marker, ids = odoo
    qs = client.model("res.partner").filter(name__startswith=marker)
    ids_only = await qs.only("id").to_polars(progress=False)
    assert ids_only.schema == pl.Schema({"id": pl.Int64}) and ids_only["id"].to_list() == sorted(ids)
    partners = qs.only(*FIELDS).lazy(progress=False)
    assert_frame_equal(partners.select("id").collect(), ids_only)
    located = qs.filter(country_id__isnull=False).lazy(progress=False)
    expected = (await qs.only(*FIELDS).to_polars(progress=False)).filter(pl.col("country_id").is_not_null())
    assert 0 < expected.height < len(ids)  # a proper subset (real Odoo syncs addresses from parents)
    semi = partners.filter(pl.col("id").is_in(located.select("id").collect()["id"].to_list()))
    assert_frame_equal(semi.collect(), expected)
    assert_frame_equal(partners.join(located.select("id"), on="id").sort("id").collect(), expected)


async def test_lazy_filters_on_active_match_eager(odoo: tuple[ZenooClient, str, list[int]]) -> None:
    """A pushed term on ``active`` must not switch off Odoo's hiding of archived records."""
    client, marker, ids = odoo
    await client.write("res.partner", ids[1:3], {"active": False})
    hidden = client.model("res.partner").filter(name__startswith=marker).only("name", "is_company", "active")
    for qs in (hidden, hidden.with_context(active_test=False)):
        eager = await qs.to_polars(progress=False)
        assert eager.height == (len(ids) if qs is not hidden else len(ids) - 2)
        for predicate in (~pl.col("active"), pl.col("active"), ~pl.col("active") | pl.col("is_company")):
            lazy = qs.lazy(progress=False).filter(predicate).collect()
            assert_frame_equal(lazy, eager.filter(predicate))


async def test_a_closed_client_refuses_frames_as_its_calls_do(target: Any) -> None:
    client = ZenooClient(target.url)
    await target.log_in(client)
    partners = client.model("res.partner").only("name")
    scan = partners.lazy(progress=False)
    await client.close()
    with pytest.raises(ClientError, match="this client is closed"):
        await partners.count()  # what every call does
    with pytest.raises(ClientError, match="this client is closed"):
        partners.lazy()
    with pytest.raises(ClientError, match="this client is closed"):
        zenoo_frames.scan_odoo(client, "res.partner")
    with pytest.raises(ClientError, match="this client is closed"):
        scan.collect()  # made while open, collected once closed
    with pytest.raises(ClientError, match="this client is closed"):
        pa.table(partners)


async def test_company_frames_read_every_date_odoo_sends(target: Any) -> None:
    """Real Odoo (account) sends date.min as '1-01-01' for some res.company lock dates."""
    async with ZenooClient(target.url) as client:
        await target.log_in(client)
        companies = client.model("res.company")
        frame = await companies.to_polars(progress=False)
        assert frame["id"].to_list() == sorted(await companies.ids())
        described = await client.fields_get("res.company", attributes=["type"])
        dates = sorted(name for name, attrs in described.items() if attrs["type"] == "date")
        dated = await companies.only(*dates).to_polars(progress=False)
        rows = await client.read("res.company", dated["id"].to_list(), dates)
        for row, odoo in zip(dated.to_dicts(), rows, strict=True):
            for name in dates:
                assert row[name] == (dt.date(*map(int, odoo[name].split("-"))) if odoo[name] else None)
