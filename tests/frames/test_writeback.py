"""Frame write-back on every target (embedded 17 and 19, real Odoo when configured).

Each scenario creates the records it edits, named after its ``tag`` (``zenoo-test-…``), and deletes
them at the end. The colleague is another user (the demo user of the embedded servers, a
``zenoo-test-user-…`` user made for the test on real Odoo), who changes records between the read and
the write-back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from transports import AnswersLate, HoldsAnswer, RecordsCalls
from users import SALESPERSON, internal_user

import zenoo_frames
from zenoo import (
    AccessError,
    BatchError,
    Client,
    ConfigurationError,
    ConflictError,
    FieldError,
    InvalidValueError,
    RetryPolicy,
    RollbackError,
    TransactionError,
    ZenooClient,
)
from zenoo.writing import running
from zenoo_frames import Changes, WriteBackResult, writeback_conflicts, writeback_send

UTC = dt.UTC


@pytest.fixture
def tag() -> str:
    return f"zenoo-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def client(target: Any, tag: str) -> AsyncIterator[ZenooClient]:
    """Admin on ``target``; afterwards, every sale order, lead and partner named after ``tag`` is removed."""
    async with target.client(timeout=target.answer_timeout) as zc:
        await target.log_in(zc, "password")
        yield zc
        orders = await zc.search("sale.order", [["name", "like", f"{tag}%"]])
        if orders:
            await zc.unlink("sale.order", orders)
        leads = await zc.search("crm.lead", [["name", "like", f"{tag}%"]], context={"active_test": False})
        if leads:
            await zc.unlink("crm.lead", leads)
        products = await zc.search(
            "product.template", [["name", "like", f"{tag}%"]], context={"active_test": False}
        )
        if products:
            await zc.unlink("product.template", products)
        partners = await zc.search(
            "res.partner", [["name", "like", f"{tag}%"]], context={"active_test": False}
        )
        if partners:
            await zc.unlink("res.partner", partners)


@pytest.fixture
async def colleague(target: Any, client: ZenooClient) -> AsyncIterator[ZenooClient]:
    """Another user (not admin) who may write and delete partners, changing records while the test's
    frame is being edited: the embedded servers' demo user; on real Odoo a user made for the test
    (internal user, Contact Creation) and removed afterwards."""
    async with internal_user(target, client, ("group_user", "group_partner_manager")) as zc:
        yield zc


@pytest.fixture
async def salesperson(target: Any, client: ZenooClient) -> AsyncIterator[ZenooClient]:
    """A user under crm's "Personal Leads" rule, who sees only the leads assigned to them or to
    nobody: the embedded servers' demo user; on real Odoo a user made for the test (internal user,
    salesperson) and removed afterwards."""
    async with internal_user(target, client, SALESPERSON) as zc:
        yield zc


@pytest.fixture
def odoo_refuses_missing_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """zenoo's own search for the related records cells name, made before anything is written, is
    off: a cell naming a country that does not exist then reaches Odoo, which refuses its request
    (the tests' way to make Odoo refuse one row at a known place, mid-way through a write-back)."""

    async def no_search(*args: Any) -> None:
        return None

    monkeypatch.setattr(writeback_send, "check_cited", no_search)


def _sent(client: ZenooClient) -> dict[str, int]:
    return {name: data["requests"] for name, data in client.stats.as_dict()["methods"].items()}


def _writes(client: ZenooClient) -> int:
    sent = _sent(client)
    return sum(sent.get(method, 0) for method in ("write", "load", "create", "unlink"))


async def _partners(client: ZenooClient, tag: str, count: int, **values: Any) -> list[int]:
    return await client.bulk_create(
        "res.partner", [{"name": f"{tag}-{i:05d}", **values} for i in range(count)], progress=False
    )


def _comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame without display names, its lists sorted, rows by id: what a round trip must keep."""
    kept = frame.select(c for c in frame.columns if not c.endswith(".display_name"))
    return kept.with_columns(
        pl.col(c).list.sort() for c, t in kept.schema.items() if isinstance(t, pl.List)
    ).sort("id")


# --- round trip -------------------------------------------------------------------------------------


async def test_every_field_type_goes_back_and_reads_back_the_same(client: ZenooClient, tag: str) -> None:
    country, other = await client.search("res.country", [], limit=2, order="id")
    tags = await client.search("res.partner.category", [], limit=2, order="id")
    ids = await _partners(client, tag, 3, color=1, credit_limit=2.5, function="Clerk", country_id=country)
    qs = (
        client.model("res.partner")
        .filter(id__in=ids)
        .only(
            "name",
            "function",
            "comment",
            "is_company",
            "color",
            "credit_limit",
            "type",
            "country_id",
            "parent_id",
            "category_id",
        )
        .order_by("id")
    )
    original = await qs.to_polars(progress=False)
    edited = original.with_columns(
        pl.Series("function", ["Head of Ops", None, 'Ünïcode, "quotes" and, commas']),
        pl.Series("comment", ["<p>hello</p>", None, "<p>bye</p>"]),
        pl.Series("is_company", [True, False, True]),
        pl.Series("color", [7, 0, -3]),
        pl.Series("credit_limit", [1234.5, 0.0, 0.1]),
        pl.Series("type", ["invoice", "contact", "delivery"]).cast(original.schema["type"]),
        pl.Series("country_id", [other, None, country]),
        pl.Series(
            "parent_id", [None, None, ids[0]]
        ),  # a delivery address: Odoo syncs no field from its parent
        pl.Series("category_id", [tags, [], tags[:1]]),
    )
    changes = zenoo_frames.diff(original, edited, model="res.partner")
    assert set(changes.fields) == {"function", "comment", "is_company", "color", "credit_limit", "type",
                                   "country_id", "parent_id", "category_id"}  # fmt: skip
    result = await changes.apply(client)
    assert isinstance(result, WriteBackResult) and result.updated == 3 and result.conflicts.is_empty()
    assert_frame_equal(_comparable(await qs.to_polars(progress=False)), _comparable(edited))


async def test_dates_and_datetimes_go_back_in_utc(client: ZenooClient, tag: str) -> None:
    partner = (await _partners(client, tag, 1))[0]
    orders = [
        await client.create("sale.order", {"name": f"{tag}-so{i}", "partner_id": partner}) for i in range(2)
    ]
    qs = (
        client.model("sale.order")
        .filter(id__in=orders)
        .only("validity_date", "commitment_date", "client_order_ref", "note")
        .order_by("id")
    )
    original = await qs.to_polars(progress=False)
    edited = original.with_columns(
        pl.Series("validity_date", [dt.date(2031, 5, 6), None]),
        pl.Series(
            "commitment_date", [dt.datetime(2031, 5, 6, 10, 20, 30), dt.datetime(2031, 12, 24, 23, 59, 1)]
        ).dt.replace_time_zone("UTC"),
        pl.Series("client_order_ref", [f"{tag}-ref", None]),
        pl.Series("note", ["<p>terms</p>", None]),
    )
    result = await client.model("sale.order").with_context(tz="Europe/Brussels").write_back(original, edited)
    assert result.cells >= 5
    rows = await client.read("sale.order", orders, ["commitment_date", "validity_date"])
    assert [r["commitment_date"] for r in rows] == ["2031-05-06 10:20:30", "2031-12-24 23:59:01"]
    assert_frame_equal(_comparable(await qs.to_polars(progress=False)), _comparable(edited))


async def test_applying_again_finds_the_cells_done_as_odoo_stored_them(client: ZenooClient, tag: str) -> None:
    """Odoo rounds a float to its field's digits and a datetime to the second: the same changes
    applied again (after a timeout, say) find those cells done, not in conflict."""
    partner = (await _partners(client, tag, 1))[0]
    order = await client.create("sale.order", {"name": f"{tag}-so", "partner_id": partner})
    read = await client.model("res.partner").filter(id=partner).only("partner_latitude").to_polars(progress=False)
    changes = zenoo_frames.diff(read, read.with_columns(pl.lit(1.123456789).alias("partner_latitude")))
    assert (await changes.apply(client)).cells == 1
    assert (await client.read("res.partner", [partner], ["partner_latitude"]))[0]["partner_latitude"] == 1.1234568
    again = await changes.apply(client)
    assert again.cells == 0 and again.already_done == 1 and again.conflicts.is_empty()
    beyond = read.with_columns(pl.lit(0.00000004).alias("partner_latitude"))  # stored as 0.0: no change
    assert len(zenoo_frames.diff(read, beyond)) == 0
    # 1.00000115 is 1.0000011499… in binary: Odoo's float_round stores 1.0000012, a plain rounding
    # of the binary value gives 1.0000011 and took the edit of a cell holding that for no change
    await client.write("res.partner", [partner], {"partner_latitude": 1.0000011})
    read = await client.model("res.partner").filter(id=partner).only("partner_latitude").to_polars(progress=False)
    changes = zenoo_frames.diff(read, read.with_columns(pl.lit(1.00000115).alias("partner_latitude")))
    assert len(changes) == 1 and (await changes.apply(client)).cells == 1
    assert (await client.read("res.partner", [partner], ["partner_latitude"]))[0]["partner_latitude"] == 1.0000012
    again = await changes.apply(client)
    assert again.cells == 0 and again.already_done == 1 and again.conflicts.is_empty()
    read = await client.model("sale.order").filter(id=order).only("commitment_date").to_polars(progress=False)
    moment = pl.Series("commitment_date", [dt.datetime(2031, 5, 6, 10, 20, 30, 123456)])
    changes = zenoo_frames.diff(read, read.with_columns(moment.dt.replace_time_zone("UTC")))
    assert (await changes.apply(client)).cells == 1
    again = await changes.apply(client)
    assert again.cells == 0 and again.already_done == 1 and again.conflicts.is_empty()
    assert (await client.read("sale.order", [order], ["commitment_date"]))[0]["commitment_date"] == "2031-05-06 10:20:30"


async def test_applying_again_does_not_create_the_new_rows_twice(client: ZenooClient, tag: str) -> None:
    """The changes remember the rows their apply() created: applied again (a notebook cell run twice,
    or after a timeout) they leave those out and say so; only the cells not done yet are written."""
    ids = await _partners(client, tag, 2, color=1)
    original = await client.model("res.partner").filter(id__in=ids).only("name", "color").order_by("id").to_polars(progress=False)
    new = pl.DataFrame({"id": [None], "name": [f"{tag}-new"], "color": [7]}, schema=original.schema)
    edited = original.with_columns(pl.lit(2, dtype=original.schema["color"]).alias("color"))
    changes = zenoo_frames.diff(original, pl.concat([edited, new]))
    first = await changes.apply(client)
    assert first.cells == 2 and len(first.created_ids) == 1 and first.already_created == []
    assert f"1 to create (1 created by an earlier apply() in database {client.database!r})" in changes.summary()
    again = await changes.apply(client)
    assert again.cells == 0 and again.already_done == 2 and again.created_ids == []
    assert again.already_created == first.created_ids and again.written.is_empty()
    assert "1 new row(s) created by an earlier apply() left out" in again.summary()
    assert await client.search("res.partner", [["name", "=", f"{tag}-new"]]) == first.created_ids
    assert first.written.filter(pl.col("change") == "create")["id"].unique().to_list() == first.created_ids


async def test_the_rows_an_apply_created_are_left_out_only_in_that_database(odoo_server_17: Any, odoo_server_19: Any) -> None:
    """Changes applied to one database and then to another (staging, then production) create their
    new rows in both; applied again to the first, they leave them out there."""
    tag = f"zenoo-test-{uuid.uuid4().hex[:8]}"
    clients = []
    for server in (odoo_server_17, odoo_server_19):
        admin = server.users["admin"]
        client = ZenooClient(server.url)
        await client.login(server.database, admin.login, admin.password)
        clients.append(client)
    first, second = clients
    try:
        original = await first.model("res.partner").filter(id=0).only("name").to_polars(progress=False)
        new = pl.DataFrame({"id": [None], "name": [f"{tag}-new"]}, schema=original.schema)
        changes = zenoo_frames.diff(original, pl.concat([original, new]))
        made = [(await changes.apply(client)).created_ids for client in (first, second)]
        assert all(len(ids) == 1 for ids in made)
        again = await changes.apply(first)
        assert again.created_ids == [] and again.already_created == made[0]
        for client, ids in zip(clients, made, strict=True):
            assert await client.search("res.partner", [["name", "=", f"{tag}-new"]]) == ids
    finally:
        for client in clients:
            await client.unlink("res.partner", await client.search("res.partner", [["name", "=like", f"{tag}%"]]))
            await client.close()


async def test_archived_records_go_back_like_any_other(client: ZenooClient, tag: str) -> None:
    """A frame of archived records (read with ``active_test=False``) goes back by ``load``, which
    finds them only when told to (zenoo tells it)."""
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}", "active": False} for i in range(3)], progress=False)
    qs = client.model("res.partner").with_context(active_test=False).filter(id__in=ids).only("function", "active")
    read = await qs.to_polars(progress=False)
    edited = read.with_columns(pl.format("F{}", pl.col("id")).alias("function"))
    result = await zenoo_frames.diff(read, edited).apply(client)
    assert result.cells == 3 and result.requests == 1
    rows = await client.read("res.partner", ids, ["function", "active"])
    assert [(r["function"], r["active"]) for r in rows] == [(f"F{i}", False) for i in ids]


async def test_a_many2many_column_keeps_the_archived_links_the_frame_does_not_show(client: ZenooClient, tag: str) -> None:
    """The frame shows the links the context shows; written back, the archived ones stay, as with
    write (one row goes by one write; several by load, which sees what write sees)."""
    hidden = await client.create("res.partner.category", {"name": f"{tag}-archived"})
    await client.write("res.partner.category", [hidden], {"active": False})
    t1, t2 = await client.create("res.partner.category", [{"name": f"{tag}-t1"}, {"name": f"{tag}-t2"}])
    try:
        ids = await _partners(client, tag, 3, category_id=[(6, 0, [hidden, t1])])
        for rows in (ids[:1], ids):
            read = await client.model("res.partner").filter(id__in=rows).only("category_id").to_polars(progress=False)
            assert all(hidden not in links for links in read["category_id"].to_list())
            edited = read.with_columns(pl.Series("category_id", [[t1, t2]] if len(rows) == 1 else [[t2], [t1, t2], [t2]]))
            result = await zenoo_frames.diff(read, edited).apply(client)
            [batch] = result.batches
            assert [call.method for call in batch.calls] == ["write" if len(rows) == 1 else "load"]
            stored = await client.read("res.partner", rows, ["category_id"], context={"active_test": False})
            assert [sorted(r["category_id"]) for r in stored] == [sorted([hidden, *e]) for e in edited["category_id"].to_list()]
    finally:
        await client.unlink("res.partner.category", [hidden, t1, t2])


async def test_a_named_precision_is_applied_again_as_odoo_stored_it(client: ZenooClient, tag: str) -> None:
    """``list_price`` has the 'Product Price' precision: Odoo 17 gives its digits in ``fields_get``
    and rounds to them; Odoo 19 gives none and stores the value as sent. Either way applying the
    same change again finds it done."""
    product = await client.create("product.template", {"name": f"{tag}-p"})
    digits = (await client.fields_get("product.template", ["list_price"]))["list_price"].get("digits")
    assert client.server_version is not None
    assert (digits or None) == ([16, 2] if client.server_version[0] < 19 else None)
    qs = client.model("product.template").filter(id=product).only("list_price")
    read = await qs.to_polars(progress=False)
    changes = zenoo_frames.diff(read, read.with_columns(pl.lit(10.123456).alias("list_price")))
    assert (await changes.apply(client)).cells == 1
    stored = (await client.read("product.template", [product], ["list_price"]))[0]["list_price"]
    assert stored == (round(10.123456, digits[1]) if digits else 10.123456)
    again = await changes.apply(client)
    assert again.cells == 0 and again.already_done == 1 and again.conflicts.is_empty()


async def test_an_amount_is_applied_again_as_odoo_rounded_it_to_its_currency(client: ZenooClient, tag: str) -> None:
    """``write`` stores a monetary amount rounded to its record's currency (USD: 0.01), here through
    ``crm.lead.company_currency``; applying the same change again finds it done, in each request
    of a several-request write-back too, while another amount on the server is still a conflict."""
    leads = await client.bulk_create("crm.lead", [{"name": f"{tag}-lead{i}"} for i in range(3)], progress=False)
    described = (await client.fields_get("crm.lead", ["expected_revenue"]))["expected_revenue"]
    assert described["currency_field"] == "company_currency"
    qs = client.model("crm.lead").filter(id__in=leads).only("expected_revenue").order_by("id")
    read = await qs.to_polars(progress=False)
    amounts = pl.Series("expected_revenue", [5.555, 99.999, 12345.6789])
    changes = zenoo_frames.diff(read, read.with_columns(amounts))
    assert (await changes.apply(client)).cells == 3
    stored = await client.read("crm.lead", leads, ["expected_revenue"])
    assert [row["expected_revenue"] for row in sorted(stored, key=lambda row: row["id"])] == [5.56, 100.0, 12345.68]
    again = await changes.apply(client, rows_per_call=1)  # three requests: the re-checks sort them too
    assert again.cells == 0 and again.already_done == 3 and again.conflicts.is_empty()
    await client.write("crm.lead", [leads[1]], {"expected_revenue": 99.98})  # someone else's amount
    with pytest.raises(ConflictError) as refused:
        await changes.apply(client)
    assert refused.value.conflicts.select("id", "server").rows() == [(leads[1], "99.98")]


async def test_dates_datetimes_and_booleans_as_text_go_back(client: ZenooClient, tag: str) -> None:
    """What a round trip through text (a CSV, ``cast(pl.String)``) makes of them converts back."""
    partner = (await _partners(client, tag, 1))[0]
    order = await client.create("sale.order", {"name": f"{tag}-so", "partner_id": partner})
    qs = client.model("sale.order").filter(id=order).only("validity_date", "commitment_date")
    original = await qs.to_polars(progress=False)
    as_text = original.with_columns(pl.col("validity_date", "commitment_date").cast(pl.String))
    assert zenoo_frames.diff(original, as_text).changed_cells == 0  # the text of the values read
    before = _writes(client)
    refused = f"column 'validity_date': row 0 (id {order}): '2031-02-30' is not a date"
    with pytest.raises(InvalidValueError, match=re.escape(refused)):
        zenoo_frames.diff(original, as_text.with_columns(pl.lit("2031-02-30").alias("validity_date")))
    assert _writes(client) == before
    edited = as_text.with_columns(
        pl.lit("2031-05-06").alias("validity_date"),
        pl.lit("2031-05-06T12:20:30+02:00").alias("commitment_date"),  # converted to UTC
    )
    await zenoo_frames.diff(original, edited).apply(client)
    row = (await client.read("sale.order", [order], ["validity_date", "commitment_date"]))[0]
    assert (row["validity_date"], row["commitment_date"]) == ("2031-05-06", "2031-05-06 10:20:30")
    people = client.model("res.partner").filter(id=partner).only("is_company")
    read = await people.to_polars(progress=False)
    await people.write_back(read, read.with_columns(pl.lit("True").alias("is_company")))
    assert (await client.read("res.partner", [partner], ["is_company"]))[0]["is_company"] is True


async def test_a_pandas_object_column_mixing_datetimes_and_text_goes_back(client: ZenooClient, tag: str) -> None:
    """pandas' pyarrow backend refuses text in a datetime column, so an edit goes through
    ``astype(object)``: the Timestamps left as they were and the text typed in both convert."""
    partner = (await _partners(client, tag, 1))[0]
    orders = [await client.create("sale.order", {"name": f"{tag}-so{i}", "partner_id": partner,
                                                  "commitment_date": "2031-01-31 13:45:00", "validity_date": "2031-02-01"})
              for i in range(3)]  # fmt: skip
    qs = client.model("sale.order").filter(id__in=orders).only("commitment_date", "validity_date").order_by("id")
    for backend in ("numpy_nullable", "pyarrow"):
        original = await qs.to_pandas(dtype_backend=backend, progress=False)
        edited = original.copy()
        edited["commitment_date"] = edited["commitment_date"].astype(object)
        edited.loc[0, "commitment_date"] = "2031-05-06T12:20:30+02:00"
        edited.loc[1, "commitment_date"] = dt.datetime(2031, 5, 7, 8, 0)  # naive: UTC
        edited["validity_date"] = edited["validity_date"].astype(object)
        edited.loc[2, "validity_date"] = "2031-03-04"
        changes = zenoo_frames.diff(original, edited)
        assert changes.preview().select("row", "field", "new").rows() == [
            (0, "commitment_date", "2031-05-06 10:20:30"),
            (1, "commitment_date", "2031-05-07 08:00:00"),
            (2, "validity_date", "2031-03-04"),
        ], backend
    await changes.apply(client)
    rows = await client.read("sale.order", orders, ["commitment_date", "validity_date"])
    assert [(r["commitment_date"], r["validity_date"]) for r in rows] == [
        ("2031-05-06 10:20:30", "2031-02-01"), ("2031-05-07 08:00:00", "2031-02-01"), ("2031-01-31 13:45:00", "2031-03-04")
    ]


async def test_monetary_dates_and_selections_of_leads_go_back(client: ZenooClient, tag: str) -> None:
    leads = await client.bulk_create(
        "crm.lead", [{"name": f"{tag}-lead{i}"} for i in range(2)], progress=False
    )
    qs = (
        client.model("crm.lead")
        .filter(id__in=leads)
        .only("expected_revenue", "date_deadline", "priority", "active")
        .order_by("id")
    )
    original = await qs.to_polars(progress=False)
    edited = original.with_columns(
        pl.Series("expected_revenue", [12345.67, 0.0]),
        pl.Series("date_deadline", [dt.date(2030, 1, 31), None]),
        pl.Series("priority", ["3", "1"]).cast(original.schema["priority"]),
        pl.Series("active", [True, False]),
    )
    await zenoo_frames.diff(original, edited).apply(client)
    assert_frame_equal(
        _comparable(await qs.with_context(active_test=False).to_polars(progress=False)), _comparable(edited)
    )


async def test_text_fields_go_back_with_their_lines_and_spaces(client: ZenooClient, tag: str) -> None:
    """A text field (description_sale): lines, tabs, spaces at the ends and Unicode come back as sent."""
    products = await client.create(
        "product.template", [{"name": f"{tag}-p{i}", "description_sale": "Sold by the box"} for i in range(4)]
    )
    qs = client.model("product.template").filter(id__in=products).only("description_sale").order_by("id")
    original = await qs.to_polars(progress=False)
    assert original.schema["description_sale"] == pl.String
    texts = ["first line\nsecond line\n\n\tindented, \"quoted\"; ünïcode ✓", None, "  spaced  ", "=1+2"]
    edited = original.with_columns(pl.Series("description_sale", texts))
    changes = zenoo_frames.diff(original, edited)
    assert changes.fields == ["description_sale"] and changes.changed_cells == 4
    result = await changes.apply(client)
    assert result.updated == 4 and result.cells == 4
    rows = await client.read("product.template", products, ["description_sale"])
    assert [r["description_sale"] for r in rows] == [texts[0], False, texts[2], texts[3]]
    assert_frame_equal(await qs.to_polars(progress=False), edited)


# --- conflicts ------------------------------------------------------------------------------------------


async def _conflicting(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> tuple[list[int], pl.DataFrame, Changes]:
    """Four partners read, edited (colors and functions), and meanwhile changed by a colleague:
    color of the first (a conflict), function of the second to the very value we set (no conflict)
    and the fourth deleted (a conflict)."""
    ids = await _partners(client, tag, 4, color=1, function="Clerk")
    original = (
        await client.model("res.partner")
        .filter(id__in=ids)
        .only("name", "color", "function")
        .order_by("id")
        .to_polars(progress=False)
    )
    edited = original.with_columns(
        pl.Series("color", [10, 11, 12, 13]), pl.Series("function", ["A", "B", "C", "D"])
    )
    changes = zenoo_frames.diff(original, edited)
    await colleague.write("res.partner", [ids[0]], {"color": 99})
    await colleague.write("res.partner", [ids[1]], {"function": "B"})
    await colleague.unlink("res.partner", [ids[3]])
    changed_by = await client.read("res.partner", ids[:2], ["write_uid"])
    assert [r["write_uid"][0] for r in changed_by] == [colleague.uid] * 2 and colleague.uid != client.uid
    return ids, original, changes


async def test_the_check_compares_plain_values_without_building_frames(
    client: ZenooClient, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where every cell still holds a plain value as read (text, numbers, an empty cell read as
    False), the check tells so without typing the server's rows as a frame; a many2many column (ids
    in any order) is compared the long way. Both write everything."""
    ids = await _partners(client, tag, 3, color=1, function="Clerk")
    await client.write("res.partner", ids[:1], {"function": False})
    qs = client.model("res.partner").filter(id__in=ids).only("color", "function", "category_id").order_by("id")
    original = await qs.to_polars(progress=False)
    built: list[list[str]] = []
    server_frame = writeback_conflicts._server_frame

    def watched(changes: Changes, rows: list[dict[str, Any]], names: list[str]) -> pl.DataFrame:
        built.append(names)
        return server_frame(changes, rows, names)

    monkeypatch.setattr(writeback_conflicts, "_server_frame", watched)
    plain = original.with_columns(pl.col("color") + 1, pl.lit("Buyer").alias("function"))
    await zenoo_frames.diff(original, plain).apply(client)
    assert built == []
    category = (await client.search("res.partner.category", [], limit=1, order="id"))[0]
    again = await qs.to_polars(progress=False)
    tagged = again.with_columns(pl.lit([category], dtype=pl.List(pl.Int64)).alias("category_id"))
    await zenoo_frames.diff(again, tagged).apply(client)
    assert len(built) == 1 and "category_id" in built[0]
    assert_frame_equal(await qs.to_polars(progress=False), tagged)


async def _gone(client: ZenooClient, record: int) -> bool:
    return not await client.search("res.partner", [["id", "=", record]], context={"active_test": False})


async def test_a_conflict_is_refused_and_nothing_is_written(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    ids, _original, changes = await _conflicting(client, colleague, tag)
    before = _writes(client)
    with pytest.raises(ConflictError) as caught:
        await changes.apply(client)
    assert _writes(client) == before
    conflicts = caught.value.conflicts
    assert conflicts.columns == ["id", "field", "original", "server", "yours"]
    assert sorted(conflicts.rows()) == [
        (ids[0], "color", "1", "99", "10"),
        (ids[3], "color", "1", "(deleted)", "13"),
        (ids[3], "function", "Clerk", "(deleted)", "D"),
    ]
    assert f"id {ids[0]} color: read '1', now '99', yours '10'" in str(caught.value)
    rows = await client.read("res.partner", ids[:3], ["color", "function", "write_uid"])
    assert [(r["color"], r["function"]) for r in rows] == [(99, "Clerk"), (1, "B"), (1, "Clerk")]
    assert [r["write_uid"][0] for r in rows[:2]] == [colleague.uid] * 2 and await _gone(client, ids[3])


async def test_skip_writes_the_rest_and_returns_the_conflicts(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    ids, _original, changes = await _conflicting(client, colleague, tag)
    result = await changes.apply(client, conflicts="skip")
    assert result.conflicts.height == 3 and result.already_done == 1
    rows = await client.read("res.partner", ids[:3], ["color", "function"])
    assert [(r["color"], r["function"]) for r in rows] == [(99, "A"), (11, "B"), (12, "C")]
    assert await _gone(client, ids[3])
    assert sorted(result.written.select("id", "field").rows()) == sorted(
        [(ids[0], "function"), (ids[1], "color"), (ids[2], "color"), (ids[2], "function")]
    )


async def test_overwrite_writes_over_the_conflicts(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    ids, _original, changes = await _conflicting(client, colleague, tag)
    result = await changes.apply(client, conflicts="overwrite")
    assert result.conflicts.height == 3
    rows = await client.read("res.partner", ids[:3], ["color", "function"])
    assert [(r["color"], r["function"]) for r in rows] == [(10, "A"), (11, "B"), (12, "C")]
    assert await _gone(client, ids[3])  # overwriting does not bring back what the colleague deleted


async def _read_leads(
    client: ZenooClient, salesperson: ZenooClient, tag: str, count: int
) -> tuple[list[int], pl.DataFrame]:
    """``count`` leads the admin assigns to the salesperson, and the salesperson's frame of their names."""
    created = await client.create(
        "crm.lead", [{"name": f"{tag}-{i}", "user_id": salesperson.uid} for i in range(count)]
    )
    qs = salesperson.model("crm.lead").filter(id__in=list(created)).only("name").order_by("id")
    return list(created), await qs.to_polars(progress=False)


async def test_a_record_a_rule_hides_since_it_was_read_is_a_conflict(
    client: ZenooClient, salesperson: ZenooClient, tag: str
) -> None:
    leads, original = await _read_leads(client, salesperson, tag, 3)
    await client.write("crm.lead", [leads[1]], {"user_id": client.uid})  # the rule hides it from now on
    changes = zenoo_frames.diff(original, original.with_columns(pl.format("{} edited", "name").alias("name")))
    with pytest.raises(ConflictError) as caught:
        await changes.apply(salesperson)
    hidden = (leads[1], "name", f"{tag}-1", "(hidden or deleted)", f"{tag}-1 edited")
    assert caught.value.conflicts.rows() == [hidden]
    assert "'(hidden or deleted)': a record rule now hides the record from this user" in str(caught.value)
    names = [row["name"] for row in await client.read("crm.lead", leads, ["name"])]
    assert names == [f"{tag}-0", f"{tag}-1", f"{tag}-2"]
    result = await changes.apply(salesperson, conflicts="skip")
    assert result.conflicts.rows() == [hidden] and result.cells == 2
    names = [row["name"] for row in await client.read("crm.lead", leads, ["name"])]
    assert names == [f"{tag}-0 edited", f"{tag}-1", f"{tag}-2 edited"]


async def test_a_record_a_rule_hides_while_the_write_back_runs_is_a_late_conflict(
    client: ZenooClient, salesperson: ZenooClient, tag: str
) -> None:
    leads, original = await _read_leads(client, salesperson, tag, 6)
    edited = original.with_columns(pl.format("{} edited", "name").alias("name"))

    def meanwhile(done: int, total: int) -> None:
        if done == 2:  # the admin gives lead 4 (in the third request) to someone else
            _elsewhere(client, [leads[4]], {"user_id": client.uid}, "crm.lead")

    with pytest.raises(ConflictError, match="while the write-back ran") as caught:
        await zenoo_frames.diff(original, edited).apply(
            salesperson, rows_per_call=2, concurrency=1, progress=meanwhile
        )
    hidden = (leads[4], "name", f"{tag}-4", "(hidden or deleted)", f"{tag}-4 edited")
    assert caught.value.conflicts.rows() == [hidden]
    names = [row["name"] for row in await client.read("crm.lead", leads, ["name"])]
    assert names == [f"{tag}-{i}" for i in range(6)]  # the first request was undone


async def test_a_late_conflict_names_every_cell_of_its_request(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    """A colleague changes two fields of a record while the write-back runs: the re-check before
    its request refuses with both cells, not only the first field's."""
    ids = await _partners(client, tag, 6, color=1, function="Old")
    qs = client.model("res.partner").filter(id__in=ids).only("function", "color").order_by("id")
    original = await qs.to_polars(progress=False)
    edited = original.with_columns(pl.lit("New").alias("function"), pl.lit(2, dtype=original.schema["color"]).alias("color"))

    def meanwhile(done: int, total: int) -> None:
        if done == 2:  # partner 4 is in the third request
            _elsewhere(colleague, [ids[4]], {"function": "Theirs", "color": 9})

    with pytest.raises(ConflictError, match="2 cell") as caught:
        await zenoo_frames.diff(original, edited).apply(client, rows_per_call=2, concurrency=1, progress=meanwhile)
    assert sorted(caught.value.conflicts.rows()) == [
        (ids[4], "color", "1", "9", "2"), (ids[4], "function", "Old", "Theirs", "New")
    ]
    rows = await client.read("res.partner", ids, ["function", "color"])
    assert [(r["function"], r["color"]) for r in rows] == [("Old", 1)] * 4 + [("Theirs", 9), ("Old", 1)]


async def test_a_record_to_delete_that_a_rule_hides_is_a_conflict(
    target: Any, client: ZenooClient, salesperson: ZenooClient, tag: str
) -> None:
    if not target.embedded:
        pytest.skip("a salesperson may not delete leads on real Odoo (the write-back refuses first)")
    leads, original = await _read_leads(client, salesperson, tag, 3)
    await client.write("crm.lead", [leads[1]], {"user_id": client.uid})
    changes = zenoo_frames.diff(original, original.head(1))  # leads 1 and 2 deleted
    with pytest.raises(ConflictError) as caught:
        await changes.apply(salesperson, deletes=True)
    assert caught.value.conflicts.rows() == [(leads[1], "name", f"{tag}-1", "(hidden or deleted)", "(delete)")]
    result = await changes.apply(salesperson, deletes=True, conflicts="skip")
    assert result.deleted_ids == [leads[2]] and result.already_deleted == []
    assert sorted(await client.search("crm.lead", [["id", "in", leads]])) == leads[:2]


def _elsewhere(
    colleague: ZenooClient, ids: list[int], values: dict[str, Any] | None, model: str = "res.partner"
) -> None:
    """The colleague writes ``values`` on partners ``ids`` (None: deletes them) from another thread,
    on its own event loop, while the write-back's loop waits for it: as another program would, at a
    known point (a progress callback), and outside the write-back's transaction, which records every
    client in its context."""
    failures: list[BaseException] = []

    async def write() -> None:
        async with colleague.fork() as twin:
            await (twin.unlink(model, ids) if values is None else twin.write(model, ids, values))

    def run() -> None:
        try:
            asyncio.run(write())
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


async def _changed_while_running(
    client: ZenooClient,
    colleague: ZenooClient,
    tag: str,
    change: dict[str, Any],
    at: int = 8,
    reported: list[tuple[int, int]] | None = None,
    **apply: Any,
) -> tuple[list[int], Any]:
    """Ten partners (color 1, function Clerk) edited to color 10+i and function F<i>, applied two rows
    per request, one at a time; once the first request is done, the colleague writes ``change`` on
    record ``at`` (the ninth: in the fifth request). Its ids, and the result or the exception raised;
    ``reported`` gets what the progress callback was told."""
    ids = await _partners(client, tag, 10, color=1, function="Clerk")
    qs = client.model("res.partner").filter(id__in=ids).only("color", "function").order_by("id")
    original = await qs.to_polars(progress=False)
    edited = original.with_columns(
        (pl.col("color") + 9 + pl.int_range(pl.len())).alias("color"),
        pl.format("F{}", pl.int_range(pl.len())).alias("function"),
    )

    def meanwhile(done: int, total: int) -> None:
        if reported is not None:
            reported.append((done, total))
        if done == 2:
            _elsewhere(colleague, [ids[at]], change)

    try:
        result = await zenoo_frames.diff(original, edited).apply(
            client, rows_per_call=2, concurrency=1, progress=meanwhile, **apply
        )
    except ConflictError as exc:
        return ids, exc
    return ids, result


async def test_a_cell_changed_while_the_write_back_runs_is_refused_and_the_rest_undone(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    loads = _sent(client).get("load", 0)
    ids, caught = await _changed_while_running(client, colleague, tag, {"color": 99}, at=4)
    assert isinstance(caught, ConflictError), caught
    assert caught.conflicts.rows() == [(ids[4], "color", "1", "99", "14")]
    assert "changed on the server while the write-back ran; the requests already sent were undone" in str(caught)
    assert _sent(client)["load"] - loads == 2  # the third request and those after it were not sent
    rows = await client.read("res.partner", ids, ["color", "function"])
    assert [(r["color"], r["function"]) for r in rows] == [(1, "Clerk")] * 4 + [(99, "Clerk")] + [(1, "Clerk")] * 5


async def test_skip_leaves_a_cell_changed_while_running_and_writes_the_others(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    reported: list[tuple[int, int]] = []
    ids, result = await _changed_while_running(
        client, colleague, tag, {"color": 99}, reported=reported, conflicts="skip"
    )
    assert isinstance(result, WriteBackResult) and result.transaction
    assert reported == [(done, 10) for done in range(2, 11, 2)]  # the narrowed request counts whole
    assert result.conflicts.rows() == [(ids[8], "color", "1", "99", "18")]
    rows = await client.read("res.partner", ids, ["color", "function"])
    expected = [(10 + i, f"F{i}") for i in range(10)]
    expected[8] = (99, "F8")  # its function is still written: taken out of the shared load, written alone
    assert [(r["color"], r["function"]) for r in rows] == expected
    assert (ids[8], "color") not in result.written.select("id", "field").rows() and result.cells == 19


async def test_a_cell_already_set_while_running_is_not_a_conflict_and_overwrite_writes_over(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    ids, result = await _changed_while_running(client, colleague, tag, {"color": 18})
    assert isinstance(result, WriteBackResult) and result.conflicts.is_empty() and result.already_done == 1
    ids, result = await _changed_while_running(client, colleague, tag, {"function": "Boss"}, conflicts="overwrite")
    assert isinstance(result, WriteBackResult)
    assert result.conflicts.rows() == [(ids[8], "function", "Clerk", "Boss", "F8")]
    rows = await client.read("res.partner", ids, ["color", "function"])
    assert [(r["color"], r["function"]) for r in rows] == [(10 + i, f"F{i}") for i in range(10)]


async def test_a_record_to_delete_changed_while_running_is_kept(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    ids = await _partners(client, tag, 6, color=1)
    qs = client.model("res.partner").filter(id__in=ids).only("color").order_by("id")
    original = await qs.to_polars(progress=False)
    edited = original.head(4).with_columns(pl.col("color") + 1)  # rows 4 and 5 deleted

    def meanwhile(done: int, total: int) -> None:
        if done == 2:
            _elsewhere(colleague, [ids[5]], {"color": 7})

    changes = zenoo_frames.diff(original, edited)
    with pytest.raises(ConflictError, match="changed on the server while the write-back ran"):
        await changes.apply(client, deletes=True, rows_per_call=2, concurrency=1, progress=meanwhile)
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [1, 1, 1, 1, 1, 7]
    await colleague.write("res.partner", [ids[5]], {"color": 1})
    result = await changes.apply(client, deletes=True, rows_per_call=2, concurrency=1, progress=meanwhile,
                                 conflicts="skip")  # fmt: skip
    assert result.deleted_ids == [ids[4]] and result.conflicts.rows() == [(ids[5], "color", "1", "7", "(delete)")]
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [2, 2, 2, 2, 7]


async def test_a_small_write_back_of_repeated_values_is_one_request(client: ZenooClient, tag: str) -> None:
    """Twenty rows taking ten values: one load, Odoo's own all or nothing, not ten writes inside a
    zenoo transaction."""
    ids = await _partners(client, tag, 20, color=1)
    original = await client.model("res.partner").filter(id__in=ids).only("color").order_by("id").to_polars(progress=False)
    edited = original.with_columns((2 + pl.int_range(pl.len()) // 2).alias("color"))
    sent = _sent(client)
    result = await zenoo_frames.diff(original, edited).apply(client)
    assert result.requests == 1 and not result.transaction
    assert _sent(client).get("load", 0) - sent.get("load", 0) == 1
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == edited["color"].to_list()


async def test_contacts_given_one_parent_by_a_write_back_all_land(client: ZenooClient, tag: str) -> None:
    """Each contact's new parent is written to the parent too: on real Odoo 19 the four loads in
    flight meet each other's updates of it, and Odoo rolls some of them back (PostgreSQL's
    serialization failure, on every row); those are sent again, alone."""
    parent = await client.create("res.partner", {"name": f"{tag}-company", "is_company": True})
    ids = await _partners(client, tag, 200)
    qs = client.model("res.partner").filter(id__in=ids).only("parent_id", "function").order_by("id")
    original = await qs.to_polars(progress=False)
    edited = original.with_columns(pl.lit(parent).alias("parent_id"), pl.format("role {}", pl.col("id")).alias("function"))
    result = await zenoo_frames.diff(original, edited).apply(client, rows_per_call=50)
    assert result.requests == 4 and result.cells == 400
    rows = await client.read("res.partner", ids, ["parent_id", "function"])
    assert [(r["parent_id"][0], r["function"]) for r in rows] == [(parent, f"role {i}") for i in ids]


async def test_a_request_rolled_back_for_a_concurrent_update_is_checked_again_and_sent_alone(
    target: Any, client: ZenooClient, tag: str
) -> None:
    if not target.embedded:
        pytest.skip("a real Odoo meets concurrent updates when it does (the scenario above), not on demand")
    ids = await _partners(client, tag, 200, color=1)
    original = await client.model("res.partner").filter(id__in=ids).only("color").order_by("id").to_polars(progress=False)
    reads = _sent(client).get("read", 0)
    target.server.faults.set(concurrent_update_rate=1.0, methods=["load"], count=1)
    try:
        edited = original.with_columns(pl.col("color") + pl.int_range(pl.len()))  # distinct: four loads
        result = await zenoo_frames.diff(original, edited).apply(client, rows_per_call=50)
    finally:
        target.server.faults.clear()
    [batch] = result.batches
    assert [call.method for call in batch.calls] == ["load"] * 4 and result.requests == 4
    assert sorted(call.attempts for call in batch.calls) == [1, 1, 1, 2]
    # the check, then a re-check of the request sent again (it left right after the check at first)
    assert _sent(client)["read"] - reads == 2
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == edited["color"].to_list()


async def test_a_write_back_that_keeps_meeting_concurrent_updates_writes_nothing(
    target: Any, client: ZenooClient, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not target.embedded:
        pytest.skip("a real Odoo meets concurrent updates when it does, not on demand")
    monkeypatch.setattr(running, "CONCURRENT_UPDATE_WAIT", 0.01)
    ids = await _partners(client, tag, 3, color=1)
    original = await client.model("res.partner").filter(id__in=ids).only("color").order_by("id").to_polars(progress=False)
    target.server.faults.set(concurrent_update_rate=1.0, methods=["load"])
    try:
        with pytest.raises(BatchError) as info:
            await zenoo_frames.diff(original, original.with_columns(pl.Series("color", [2, 3, 4]))).apply(client)
    finally:
        target.server.faults.clear()
    message = str(info.value)
    assert f"row 1 (id {ids[1]}): could not serialize access due to concurrent update; row 2 (id {ids[2]})" in message
    assert "\n" not in message and message.endswith("Odoo wrote none of it (one request)")
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [1, 1, 1]


async def test_requests_sent_right_after_the_check_are_not_checked_again(client: ZenooClient, tag: str) -> None:
    ids = await _partners(client, tag, 10, color=1)
    qs = client.model("res.partner").filter(id__in=ids).only("color").order_by("id")
    original = await qs.to_polars(progress=False)
    reads = _sent(client).get("read", 0)
    result = await zenoo_frames.diff(original, original.with_columns(pl.col("color") + 1)).apply(
        client, rows_per_call=2, concurrency=2
    )
    assert result.requests == 5 and result.transaction
    # the check (the first two requests' re-check), a re-check before each of the three others,
    # and the transaction's snapshot after each but the last two (its final writes: a rollback
    # would read them)
    assert _sent(client)["read"] - reads == 1 + 3 + 3
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [2] * 10


# --- request sizes -----------------------------------------------------------------------------------


async def _paced(client: ZenooClient, tag: str, count: int, edit: Any = None) -> tuple[list[int], pl.DataFrame, Any]:
    """``count`` partners with their colors changed (distinct values: ``load`` requests), applied
    with the default request sizes; the ids, the edited frame and the result or the error."""
    ids = await _partners(client, tag, count, color=1)
    original = await client.model("res.partner").filter(id__in=ids).only("color", "country_id").order_by("id").to_polars(progress=False)
    edited = original.with_columns((2 + pl.int_range(pl.len()) % 1000).alias("color"))
    edited = edited.with_columns(edit) if edit is not None else edited
    try:
        return ids, edited, await zenoo_frames.diff(original, edited).apply(client)
    except BatchError as exc:
        return ids, edited, exc


def _load_sizes(batch: Any) -> list[int]:
    [operation] = batch.operations
    assert {call.method for call in operation.calls} == {"load"}
    return [len(call.rows) for call in operation.calls]


async def test_a_large_write_back_sizes_its_requests_by_the_time_the_first_ones_take(
    client: ZenooClient, tag: str
) -> None:
    """Above 500 rows, the first four requests carry 100 rows; the others are sized from their time,
    here as large as keeps the four slots busy (600 rows left: at most 150 each)."""
    ids, edited, result = await _paced(client, tag, 1000)
    assert isinstance(result, WriteBackResult) and result.transaction
    sizes = _load_sizes(result.batches[0])
    assert sizes[:4] == [100] * 4 and sum(sizes) == 1000 and result.requests == len(sizes)
    assert all(10 <= size <= 150 for size in sizes[4:-1]) and len(set(sizes[4:-1])) <= 1, sizes
    assert 0 < sizes[-1] <= sizes[-2], sizes
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == edited["color"].to_list()


async def test_a_slow_server_gets_smaller_requests(
    client: ZenooClient, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server slower than the time a request should take (made so by asking 1 ms of each) gets the
    smallest requests, 10 rows, after the first four: none waits long enough to time out."""
    monkeypatch.setattr("zenoo_frames.writeback_send.PACED_SECONDS", 0.001)
    ids, edited, result = await _paced(client, tag, 600)
    assert isinstance(result, WriteBackResult)
    assert _load_sizes(result.batches[0]) == [100] * 4 + [10] * 20
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == edited["color"].to_list()


@pytest.mark.usefixtures("odoo_refuses_missing_records")
async def test_a_failure_among_the_first_requests_leaves_the_others_unsent(client: ZenooClient, tag: str) -> None:
    country = (await client.search("res.country", [], limit=1, order="id"))[0]
    bad = pl.when(pl.int_range(pl.len()) == 30).then(999_999_999).otherwise(country).alias("country_id")
    ids, _edited, caught = await _paced(client, tag, 700, bad)
    assert isinstance(caught, BatchError), caught
    assert f"row 30 (id {ids[30]}), column 'country_id'" in str(caught)
    assert "undid the 3 request(s) already written; 1 request(s) were not sent" in str(caught)
    [operation] = caught.result.operations
    assert [(call.state, len(call.rows)) for call in operation.calls] == [
        ("failed", 100), ("done", 100), ("done", 100), ("done", 100), ("skipped", 300)
    ]
    assert operation.calls[-1].note == "not sent: an earlier request failed"
    assert {r["color"] for r in await client.read("res.partner", ids, ["color", "country_id"])} == {1}


async def test_the_requests_are_planned_while_the_server_runs_the_conflict_check(
    client: ZenooClient, tag: str, target: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's read is written out, then the requests are planned, then its answer is read:
    the client's planning and the server's read overlap. Here its answer is held until the
    planning starts, or 5 s."""
    ids = await _partners(client, tag, 3, color=1)
    original = await client.model("res.partner").filter(id__in=ids).only("color").to_polars(progress=False)
    transport = HoldsAnswer(target.transport or httpx.AsyncHTTPTransport(), "read", seconds=5)
    answered_first: list[bool] = []
    plan = writeback_send._planned_updates

    def planned_updates(*args: Any) -> Any:
        answered_first.append(transport.answered)
        transport.release()
        return plan(*args)

    monkeypatch.setattr(writeback_send, "_planned_updates", planned_updates)
    async with ZenooClient(target.url, transport=transport) as watched:
        await target.log_in(watched, "password")
        await zenoo_frames.diff(original, original.with_columns(pl.col("color") + 1)).apply(watched)
    assert transport.held and answered_first == [False]
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [2, 2, 2]


# --- all or nothing ----------------------------------------------------------------------------------


async def _snapshot(client: ZenooClient, ids: list[int]) -> list[dict[str, Any]]:
    return await client.read("res.partner", ids, ["color", "function", "country_id", "name"])


@pytest.mark.parametrize("rows_per_call", [None, 5000], ids=["paced-in-a-transaction", "one-load"])
@pytest.mark.usefixtures("odoo_refuses_missing_records")
async def test_one_invalid_cell_among_5000_rows_leaves_the_table_unchanged(
    client: ZenooClient, tag: str, rows_per_call: int | None, target: Any
) -> None:
    if rows_per_call == 5000 and not target.embedded:
        pytest.skip(
            "one load of 5,000 rows is Odoo's own all-or-nothing; on real Odoo the chunked path is at stake"
        )
    country = (await client.search("res.country", [], limit=1, order="id"))[0]
    ids = await _partners(client, tag, 5000, color=1, function="Clerk")
    before = await _snapshot(client, ids)
    original = (
        await client.model("res.partner")
        .filter(id__in=ids)
        .only("color", "function", "country_id")
        .to_polars(progress=False)
    )
    bad = 4321
    edited = original.with_columns(
        (2 + pl.int_range(pl.len()) % 1000).alias("color"),
        pl.format("F{}", pl.int_range(pl.len())).alias("function"),
        pl.when(pl.int_range(pl.len()) == bad).then(999_999_999).otherwise(country).alias("country_id"),
    )
    with pytest.raises(BatchError) as caught:
        await zenoo_frames.diff(original, edited).apply(client, rows_per_call=rows_per_call)
    message = str(caught.value)
    assert f"row {bad} (id {edited['id'][bad]}), column 'country_id'" in message
    if rows_per_call == 5000:
        assert "Odoo wrote none of it (one request)" in message
    else:
        assert re.search(r"the write-back's transaction undid the \d+ request\(s\) already written", message)
    assert await _snapshot(client, ids) == before


async def test_changes_are_written_in_the_context_the_frame_was_read_in(
    target: Any, client: ZenooClient, tag: str
) -> None:
    """A frame read in a context (a language, companies) is written back in it: its cells are that
    context's values. A context given to apply wins; qs.write_back takes the QuerySet's."""
    ids = await _partners(client, tag, 2, color=1)
    transport = RecordsCalls(target.transport or httpx.AsyncHTTPTransport())
    async with ZenooClient(target.url, transport=transport) as watched:
        await target.log_in(watched, "password")
        qs = watched.model("res.partner").filter(id__in=ids).only("color").order_by("id")
        qs = qs.with_context(lang="en_US", zenoo_read="marked")
        original = await qs.to_polars(progress=False)
        changes = zenoo_frames.diff(original, original.with_columns(pl.col("color") + 1))
        users = {key: value for key, value in watched.context.items() if key != "uid"}  # lang, tz
        assert changes.context == {**users, "lang": "en_US", "zenoo_read": "marked"}
        await changes.apply(watched)
        await zenoo_frames.diff(original, original.with_columns(pl.col("color") + 2)).apply(
            watched, context={"zenoo_read": "given"}, conflicts="overwrite"
        )
        read = await qs.to_polars(progress=False)
        done: list[int] = []
        await qs.write_back(read, read.with_columns(pl.col("color") + 1), concurrency=1, progress=lambda d, t: done.append(d))
    writes = [context.get("zenoo_read") for method, context in transport.calls if method == "write"]
    assert writes == ["marked", "given", "marked"] and done == [2]
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [4, 4]
    with pytest.raises(InvalidValueError, match=r"apply\(\) needs the client to write with"):
        changes.apply(None)  # type: ignore[call-overload]


async def test_a_frame_read_through_a_client_view_is_written_back_in_the_views_context(
    target: Any, client: ZenooClient, tag: str
) -> None:
    """A view (client.with_context: a language, companies) reads the frame; applied with the client
    itself, its changes are still written in the view's context, also when diffed with fields=."""
    ids = await _partners(client, tag, 2, color=1)
    transport = RecordsCalls(target.transport or httpx.AsyncHTTPTransport())
    async with ZenooClient(target.url, transport=transport) as watched:
        await target.log_in(watched, "password")
        view = watched.with_context(zenoo_read="view")
        readers = [
            lambda: view.model("res.partner").filter(id__in=ids).only("color").to_polars(progress=False),
            lambda: zenoo_frames.to_polars(view, "res.partner", [("id", "in", ids)], ["color"], progress=False),
        ]
        described = await watched.fields_get("res.partner")
        for read in readers:
            original = await read()
            edited = original.with_columns(pl.col("color") + 1)
            changes = zenoo_frames.diff(original, edited, model="res.partner", fields=described)
            assert changes.context is not None and changes.context["zenoo_read"] == "view"
            await changes.apply(watched)
    writes = [context.get("zenoo_read") for method, context in transport.calls if method == "write"]
    assert writes == ["view", "view"]
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [3, 3]


async def test_a_frame_zenoo_did_not_return_needs_a_context_for_its_translated_cells(
    client: ZenooClient, tag: str
) -> None:
    """A copy (or a lazy() frame) does not say which language its translated cells were read in:
    applied in the client's, they could land in the wrong language, so apply asks for a context."""
    [product] = await client.bulk_create("product.template", [{"name": f"{tag}-p"}], progress=False)
    original = await client.model("product.template").filter(id=product).only("name").to_polars(progress=False)
    copy = original.clone()
    described = await client.fields_get("product.template")
    renamed = copy.with_columns(pl.lit(f"{tag}-renamed").alias("name"))
    changes = zenoo_frames.diff(copy, renamed, model="product.template", fields=described)
    assert changes.context is None
    with pytest.raises(ConfigurationError, match=r"the cells of 'name' depend on the language .*context=\{\} for the client's own"):
        await changes.apply(client)
    assert (await client.read("product.template", [product], ["name"]))[0]["name"] == f"{tag}-p"
    assert (await changes.apply(client, context={})).cells == 1
    assert (await client.read("product.template", [product], ["name"]))[0]["name"] == f"{tag}-renamed"
    again = zenoo_frames.diff(original, original.with_columns(pl.lit(f"{tag}-again").alias("name")))
    assert again.context is not None and (await again.apply(client, conflicts="overwrite")).cells == 1


async def test_the_row_odoo_repeats_a_batch_error_on_is_named_last_and_said_to_be_maybe_fine(
    client: ZenooClient, tag: str
) -> None:
    """Odoo's load writes its rows as one batch; when a constraint fails it retries them one by one
    and reports the batch's error on the first row too: the error names the real culprit first."""
    [boss] = await client.bulk_create("res.partner", [{"name": f"{tag}-boss", "is_company": True}], progress=False)
    ids = await _partners(client, tag, 4)
    qs = client.model("res.partner").filter(id__in=ids).only("parent_id", "function").order_by("id")
    original = await qs.to_polars(progress=False)
    before = await _snapshot(client, ids)
    edited = original.with_columns(  # distinct rows: one load; row 2 becomes its own parent
        pl.when(pl.col("id") == ids[2]).then(ids[2]).otherwise(boss).alias("parent_id"),
        pl.format("F{}", pl.int_range(pl.len())).alias("function"),
    )
    with pytest.raises(BatchError) as caught:
        await zenoo_frames.diff(original, edited).apply(client)
    failure = str(caught.value).split("write-back to res.partner failed: ", 1)[1]
    culprit, repeat = failure.split("; ")[:2]
    assert culprit.startswith(f"row 2 (id {ids[2]}): ") and "recursive" in culprit, failure
    assert repeat.startswith(f"row 0 (id {ids[0]}): ") and "this row may be fine" in repeat, failure
    assert await _snapshot(client, ids) == before


@pytest.mark.usefixtures("odoo_refuses_missing_records")
async def test_a_failing_request_stops_the_write_back_before_the_next_is_sent(
    client: ZenooClient, tag: str
) -> None:
    """The first of three requests fails: the other two are not sent (the write-back rolls back
    anyway), and the message says so instead of speaking of requests before it."""
    ids = await _partners(client, tag, 6, color=1)
    qs = client.model("res.partner").filter(id__in=ids).only("color", "country_id").order_by("id")
    original = await qs.to_polars(progress=False)
    before = await _snapshot(client, ids)
    country = (await client.search("res.country", [], limit=1, order="id"))[0]
    edited = original.with_columns(  # every row sets both columns: one request per two rows
        pl.col("color") + 1 + pl.int_range(pl.len()),
        pl.when(pl.col("id") == ids[0]).then(999_999_999).otherwise(country).alias("country_id"),
    )
    loads = _sent(client).get("load", 0)
    with pytest.raises(BatchError) as caught:
        await zenoo_frames.diff(original, edited).apply(client, rows_per_call=2, concurrency=1)
    message = str(caught.value)
    assert f"row 0 (id {ids[0]}), column 'country_id'" in message
    assert "no other request had written anything; 2 request(s) were not sent" in message
    assert "not sent: an earlier request failed" not in message  # counted, not listed one by one
    [operation] = caught.value.result.operations
    assert [call.state for call in operation.calls] == ["failed", "skipped", "skipped"]
    assert _sent(client).get("load", 0) - loads == 1
    assert await _snapshot(client, ids) == before


@pytest.mark.usefixtures("odoo_refuses_missing_records")
async def test_a_failing_last_request_undoes_the_last_ones_that_succeeded(client: ZenooClient, tag: str) -> None:
    """The last two requests are the transaction's final writes, which read what they stored only
    for a rollback: the last one fails, and the other final one is undone like the first."""
    ids = await _partners(client, tag, 6, color=1)
    qs = client.model("res.partner").filter(id__in=ids).only("color", "country_id").order_by("id")
    original = await qs.to_polars(progress=False)
    before = await _snapshot(client, ids)
    country = (await client.search("res.country", [], limit=1, order="id"))[0]
    edited = original.with_columns(
        pl.col("color") + 1 + pl.int_range(pl.len()),
        pl.when(pl.col("id") == ids[5]).then(999_999_999).otherwise(country).alias("country_id"),
    )
    reads = _sent(client).get("read", 0)
    told: list[tuple[int, object]] = []
    with pytest.raises(BatchError) as caught:
        await zenoo_frames.diff(original, edited).apply(
            client, rows_per_call=2, concurrency=2, progress=lambda done, total, request: told.append((done, request))
        )
    [operation] = caught.value.result.operations
    assert [call.state for call in operation.calls] == ["done", "done", "failed"]
    assert "undid the 2 request(s) already written" in str(caught.value)
    undone = [done for done, request in told if request is None]  # then the rollback's records undone
    assert undone[-1] == 4 and all(request is not None for _, request in told[: len(told) - len(undone)])
    # the check, the re-check of the third request, the snapshot after the first only; then the
    # rollback's reads of what the two requests stored
    assert _sent(client)["read"] - reads == 3 + 2
    assert await _snapshot(client, ids) == before


@pytest.mark.usefixtures("odoo_refuses_missing_records")
async def test_what_a_progress_callback_writes_is_not_undone_with_the_write_back(
    client: ZenooClient, tag: str
) -> None:
    """A progress callback that logs to Odoo: its writes are its own, not the write-back's, so a
    failed write-back's rollback leaves them."""
    ids = await _partners(client, tag, 6, color=1)
    [job] = await _partners(client, f"{tag}-job", 1)
    original = await client.model("res.partner").filter(id__in=ids).only("color", "country_id").order_by("id").to_polars(progress=False)
    edited = original.with_columns(
        pl.col("color") + 1,
        pl.when(pl.col("id") == ids[5]).then(999_999_999).otherwise(pl.col("country_id")).alias("country_id"),
    )

    told: list[str] = []

    async def log(done: int, total: int) -> None:
        told.append(f"{done} of {total}")
        await client.write("res.partner", [job], {"function": told[-1]})

    with pytest.raises(BatchError, match=rf"row 5 \(id {ids[5]}\), column 'country_id'"):
        await zenoo_frames.diff(original, edited).apply(client, rows_per_call=2, concurrency=1, progress=log)
    [row] = await client.read("res.partner", [job], ["function"])
    # told after the last request, which failed (it was handled), then of the records the rollback undid
    assert told[told.index("6 of 6") + 1 :] == ["1 of 5", "3 of 5", "5 of 5"] and row["function"] == "5 of 5"
    assert {r["color"] for r in await client.read("res.partner", ids, ["color"])} == {1}


async def test_a_one_request_write_back_that_times_out_says_its_outcome_is_unknown(
    target: Any, client: ZenooClient, tag: str
) -> None:
    """Its answer did not come: Odoo may still write all of it, so the error must not say that
    nothing was written (it lands afterwards here)."""
    ids = await _partners(client, tag, 3, color=1)
    transport = AnswersLate(target.transport or httpx.AsyncHTTPTransport(), "load")
    async with ZenooClient(target.url, transport=transport) as late:
        await target.log_in(late, "password")
        original = await late.model("res.partner").filter(id__in=ids).only("color").to_polars(progress=False)
        edited = original.with_columns(pl.col("color") + pl.int_range(pl.len()))
        with pytest.raises(BatchError) as caught:
            await zenoo_frames.diff(original, edited).apply(late)
        message = str(caught.value)
        assert "its outcome is unknown: Odoo may have written all of it or none" in message, message
        assert "wrote none of it" not in message
        await transport.land()  # what the message warned about
    assert [row["color"] for row in await client.read("res.partner", ids, ["color"])] == [1, 2, 3]


# --- creates and deletes ---------------------------------------------------------------------------------


async def test_creates_get_their_ids_back_in_row_order(client: ZenooClient, tag: str) -> None:
    ids = await _partners(client, tag, 2)
    original = (
        await client.model("res.partner").filter(id__in=ids).only("name", "color").to_polars(progress=False)
    )
    names = [f"{tag}-new-{i:02d}" for i in range(12)]
    random.Random(5).shuffle(names)  # not the server's order (name)
    new = pl.DataFrame({"id": [None] * 12, "name": names, "color": list(range(12))}, schema=original.schema)
    changes = zenoo_frames.diff(original, pl.concat([original, new]))
    assert (changes.created, changes.updated) == (12, 0)
    result = await changes.apply(client, rows_per_call=5)  # three create requests
    assert result.transaction and len(result.created_ids) == 12
    rows = await client.read("res.partner", result.created_ids, ["name", "color"])
    assert [(r["name"], r["color"]) for r in rows] == list(zip(names, range(12), strict=True))
    created = result.written.filter(pl.col("change") == "create")
    assert created.filter(pl.col("field") == "name")["id"].to_list() == result.created_ids


async def test_cells_citing_missing_records_are_refused_before_anything_is_sent(
    client: ZenooClient, tag: str
) -> None:
    """A many2one or many2many cell naming a record that does not exist is found by one search per
    related model, before anything is written (Odoo would refuse its request only after the
    requests before it were written)."""
    ids = await _partners(client, tag, 3, color=1)
    qs = client.model("res.partner").filter(id__in=ids).only("name", "color", "country_id", "category_id").order_by("id")
    original = await qs.to_polars(progress=False)
    before, writes = await _snapshot(client, ids), _writes(client)
    country = (await client.search("res.country", [], limit=1, order="id"))[0]
    new = pl.DataFrame({"id": [None] * 2, "name": [f"{tag}-new-{i}" for i in range(2)], "color": [1] * 2,
                        "country_id": [country, 999_999_999], "country_id.display_name": [None] * 2,
                        "category_id": [[], []]}, schema=original.schema)  # fmt: skip
    edited = pl.concat([original.with_columns(pl.col("color") + 1), new])
    edited = edited.with_columns(pl.when(pl.col("id") == ids[1]).then(pl.lit([888_888_888], dtype=pl.List(pl.Int64)))
                                 .otherwise(pl.col("category_id")).alias("category_id"))  # fmt: skip
    with pytest.raises(InvalidValueError) as caught:
        await zenoo_frames.diff(original, edited).apply(client, rows_per_call=2)
    message = str(caught.value)
    assert f"row 1 (id {ids[1]}), column 'category_id': no res.partner.category record has id 888888888" in message
    assert "row 4 (a new record), column 'country_id': no res.country record has id 999999999" in message
    assert message.endswith("nothing was written")
    assert _writes(client) == writes and await _snapshot(client, ids) == before
    assert await client.search_count("res.partner", [["name", "like", f"{tag}-new-%"]]) == 0


async def test_a_create_citing_a_record_deleted_meanwhile_names_the_cell(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    """The related record is deleted while the write-back runs: Odoo refuses the create, whose error
    names neither row nor field; zenoo names the cell, and the transaction undoes the rest."""
    ids = await _partners(client, tag, 3, color=1)
    parent = (await _partners(client, f"{tag}-parent", 1))[0]
    qs = client.model("res.partner").filter(id__in=ids).only("name", "color", "parent_id").order_by("id")
    original = await qs.to_polars(progress=False)
    before = await _snapshot(client, ids)
    new = pl.DataFrame({"id": [None] * 2, "name": [f"{tag}-new-{i}" for i in range(2)], "color": [1] * 2,
                        "parent_id": [parent] * 2, "parent_id.display_name": [None] * 2}, schema=original.schema)  # fmt: skip
    edited = pl.concat([original.with_columns(pl.col("color") + 1), new])

    def meanwhile(done: int, total: int) -> None:
        if done == 2:  # after the first request: the parent goes
            _elsewhere(colleague, [parent], None)

    with pytest.raises(BatchError) as caught:
        await zenoo_frames.diff(original, edited).apply(client, rows_per_call=2, concurrency=1, progress=meanwhile)
    message = str(caught.value)
    assert f"row 3 (a new record), column 'parent_id': no res.partner record has id {parent}" in message
    assert "the write-back's transaction undid the 2 request(s) already written" in message
    assert await _snapshot(client, ids) == before
    assert await client.search_count("res.partner", [["name", "like", f"{tag}-new-%"]]) == 0


async def test_a_record_to_delete_changed_meanwhile_is_a_conflict(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    ids = await _partners(client, tag, 3)
    original = (
        await client.model("res.partner")
        .filter(id__in=ids)
        .only("name", "color")
        .order_by("id")
        .to_polars(progress=False)
    )
    changes = zenoo_frames.diff(original, original.filter(pl.col("id") == ids[0]))
    await colleague.write("res.partner", [ids[1]], {"color": 5})
    await colleague.unlink("res.partner", [ids[2]])
    with pytest.raises(ConflictError) as caught:
        await changes.apply(client, deletes=True)
    assert caught.value.conflicts.rows() == [(ids[1], "color", "0", "5", "(delete)")]
    result = await changes.apply(client, deletes=True, conflicts="skip")
    assert result.deleted_ids == [] and result.already_deleted == [ids[2]]
    assert await client.search("res.partner", [["id", "in", ids]], order="id") == ids[:2]
    assert [r["color"] for r in await client.read("res.partner", ids[:2], ["color"])] == [0, 5]


async def test_a_write_back_the_user_could_not_undo_or_delete_is_refused_before_sending(
    target: Any, client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    """Deletes, or creates in several requests (a failure would delete them again), need the unlink
    right: without it the write-back is refused before anything is sent, not half-written."""
    ids = await _partners(client, tag, 2)
    read = await colleague.model("res.users").filter(id=colleague.uid).only("login").to_polars(progress=False)
    writes = _writes(colleague)
    with pytest.raises(AccessError, match=r"write-back to res.users not sent: it deletes records, and this user "
                                          r"may not delete res.users records .*nothing was written"):  # fmt: skip
        await zenoo_frames.diff(read, read.head(0)).apply(colleague, deletes=True)
    assert _writes(colleague) == writes
    partners = await client.model("res.partner").filter(id__in=ids).only("name").to_polars(progress=False)
    new = pl.DataFrame({"id": [None, None], "name": [f"{tag}-n1", f"{tag}-n2"]}, schema=partners.schema)
    result = await zenoo_frames.diff(partners, pl.concat([partners, new])).apply(client, rows_per_call=1)
    assert result.transaction and len(result.created_ids) == 2  # admin may: created in two requests


async def test_rows_missing_from_the_edit_are_deleted_only_when_asked(
    client: ZenooClient, tag: str, target: Any
) -> None:
    ids = await _partners(client, tag, 4)
    original = (
        await client.model("res.partner")
        .filter(id__in=ids)
        .only("name")
        .order_by("id")
        .to_polars(progress=False)
    )
    changes = zenoo_frames.diff(original, original.filter(pl.col("id") != ids[1]))
    assert changes.deleted == 1 and "deleted only with apply(..., deletes=True)" in repr(changes)
    deleting = changes.preview().filter(pl.col("change") == "delete")
    assert deleting.select("row", "id").rows() == [(1, ids[1])]  # the row in the original frame
    kept = await changes.apply(client)
    assert kept.deleted_ids == [] and await client.search_count("res.partner", [["id", "in", ids]]) == 4
    done = await changes.apply(client, deletes=True)
    assert done.deleted_ids == [ids[1]] and done.written.select("change", "row").rows() == [("delete", 1)]
    assert await client.search("res.partner", [["id", "in", ids]], order="id") == [ids[0], ids[2], ids[3]]
    only_ids = await client.model("res.partner").filter(id__in=ids).only("id").to_polars(progress=False)
    assert only_ids.columns == ["id"]  # nothing to compare: the check reads the ids alone (not every field)
    result = await zenoo_frames.diff(only_ids, only_ids.filter(pl.col("id") != ids[2])).apply(client, deletes=True)
    assert result.deleted_ids == [ids[2]]
    if target.embedded:
        checks = [r for r in target.server.requests if r.method == "read" and r.model == "res.partner"]
        assert checks[-1].arguments.get("fields") == ["id"], checks[-1].arguments


# --- inputs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["pyarrow", "numpy_nullable"])
async def test_pandas_frames_go_back_too(client: ZenooClient, tag: str, backend: str) -> None:
    ids = await _partners(client, tag, 3, color=1)
    tags = await client.search("res.partner.category", [], limit=1, order="id")
    qs = (
        client.model("res.partner")
        .filter(id__in=ids)
        .only("name", "color", "type", "category_id", "is_company")
        .order_by("id")
    )
    original = await qs.to_pandas(dtype_backend=backend, progress=False)  # type: ignore[arg-type]
    edited = original.copy()
    edited.loc[0, "color"] = 5
    edited.loc[1, "name"] = f"{tag}-renamed"
    edited.loc[2, "type"] = "invoice"
    edited.loc[2, "is_company"] = True
    new = pd.DataFrame({"id": pd.array([None], dtype=original["id"].dtype), "name": [f"{tag}-new"]})
    changes = zenoo_frames.diff(original, pd.concat([edited, new], ignore_index=True))
    assert sorted(changes.preview().select("id", "field", "new").rows(), key=str) == sorted(
        [(ids[0], "color", "5"), (ids[1], "name", f"{tag}-renamed"), (ids[2], "type", "invoice"),
         (ids[2], "is_company", "true"), (None, "name", f"{tag}-new")], key=str)  # fmt: skip
    result = await changes.apply(client)
    rows = await client.read("res.partner", ids + result.created_ids, ["name", "color", "type", "is_company"])
    assert [(r["color"], r["type"], r["is_company"]) for r in rows[:3]] == [
        (5, "contact", False),
        (1, "contact", False),
        (1, "invoice", True),
    ]
    assert rows[1]["name"] == f"{tag}-renamed" and rows[3]["name"] == f"{tag}-new"
    assert tags  # the demo data has tags; unchanged lists of ids compare equal after pandas' conversion


@pytest.mark.parametrize("backend", ["pyarrow", "numpy_nullable"])
async def test_a_pandas_column_of_mixed_objects_names_its_bad_cells(
    client: ZenooClient, tag: str, backend: str
) -> None:
    ids = await _partners(client, tag, 3, color=1)
    qs = client.model("res.partner").filter(id__in=ids).only("name", "color").order_by("id")
    original = await qs.to_pandas(dtype_backend=backend, progress=False)  # type: ignore[arg-type]
    edited = original.copy()
    edited["color"] = edited["color"].astype(object)
    edited.loc[1, "color"] = "seven"  # pandas keeps a column of objects: 1, "seven", 1
    before = _writes(client)
    with pytest.raises(
        InvalidValueError, match=re.escape(f"column 'color': row 1 (id {ids[1]}): 'seven' is not an integer")
    ):
        zenoo_frames.diff(original, edited)
    edited.loc[1, "color"] = np.int64(4)  # objects that are integers (NumPy's too) convert
    edited.loc[2, "color"] = None
    changes = zenoo_frames.diff(original, edited)
    assert changes.preview().select("id", "field", "new").rows() == [
        (ids[1], "color", "4"), (ids[2], "color", None)
    ]
    assert _writes(client) == before


async def test_a_frame_read_with_only_writes_only_its_fields(
    client: ZenooClient, colleague: ZenooClient, tag: str, target: Any
) -> None:
    ids = await _partners(client, tag, 3, color=1, email="old@example.com")
    qs = client.model("res.partner").filter(id__in=ids).only("name", "color").order_by("id")
    original = await qs.to_polars(progress=False)
    assert original.columns == ["id", "name", "color"]
    await colleague.write("res.partner", ids, {"email": "colleague@example.com"})
    result = await qs.write_back(original, original.with_columns(pl.col("color") + 1))
    assert set(result.written["field"]) == {"color"}
    rows = await client.read("res.partner", ids, ["color", "email"])
    assert [(r["color"], r["email"]) for r in rows] == [(2, "colleague@example.com")] * 3
    if target.embedded:
        loads = [
            r for r in target.server.requests if r.method in ("load", "write") and r.model == "res.partner"
        ]
        sent = loads[-1].arguments
        assert ("fields" in sent and sent["fields"] == [".id", "color"]) or sent.get("vals") == {"color": 2}


async def test_a_null_boolean_or_number_is_odoos_false_and_not_a_change(
    client: ZenooClient, colleague: ZenooClient, tag: str
) -> None:
    ids = await _partners(client, tag, 3, color=4)
    await client.write("res.partner", ids[2:], {"color": 0})
    qs = client.model("res.partner").filter(id__in=ids).only("name", "is_company", "color", "credit_limit")
    original = await qs.order_by("id").to_polars(progress=False)
    assert original.select("is_company", "credit_limit").null_count().row(0) == (0, 0)
    blanked = original.with_columns(
        pl.lit(None, pl.Boolean).alias("is_company"), pl.lit(None, pl.Float64).alias("credit_limit")
    )
    assert len(zenoo_frames.diff(original, blanked)) == 0  # False and 0.0 read back from a null
    tagged = await client.model("res.partner").filter(id__in=ids).only("category_id").to_polars(progress=False)
    no_list = tagged.with_columns(pl.lit(None, pl.List(pl.Int64)).alias("category_id"))
    assert len(zenoo_frames.diff(tagged, no_list)) == 0  # a null list of ids is the empty relation
    nulled = original.with_columns(pl.when(pl.col("id") != ids[1]).then(pl.col("color")).alias("color"))
    nulled = nulled.with_columns(pl.lit(None, pl.Int64).alias("color"))  # 4 -> null twice, 0 -> null no change
    changes = zenoo_frames.diff(original, nulled)
    assert changes.preview()["id"].to_list() == ids[:2]
    await colleague.write("res.partner", ids[:1], {"color": 0})  # the colleague did it already: not a conflict
    result = await changes.apply(client)
    assert result.already_done == 1 and result.conflicts.height == 0 and result.cells == 1
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [0, 0, 0]


async def test_a_new_row_that_sets_nothing_is_refused(client: ZenooClient, tag: str) -> None:
    ids = await _partners(client, tag, 1)
    original = await client.model("res.partner").filter(id__in=ids).only("name", "category_id").to_polars(
        progress=False
    )
    blank = pl.DataFrame({"id": [None, None, None], "name": [f"{tag}-new", None, None],
                          "category_id": [[], [], None]}, schema=original.schema)  # fmt: skip
    before = _writes(client)
    with pytest.raises(InvalidValueError, match=r"new rows \(null id\) that set no field: row 2, 3;"):
        zenoo_frames.diff(original, pl.concat([original, blank]))
    many = pl.concat([blank.tail(1)] * 8)
    with pytest.raises(InvalidValueError, match=r"set no field: row 1, 2, 3, 4, 5, and 3 more;"):
        zenoo_frames.diff(original, pl.concat([original, many]))
    assert _writes(client) == before


# --- errors named before anything is sent ------------------------------------------------------------


async def test_unwritable_columns_and_wrong_values_are_refused_before_sending(
    client: ZenooClient, tag: str
) -> None:
    ids = await _partners(client, tag, 3, color=1)
    original = (
        await client.model("res.partner")
        .filter(id__in=ids)
        .only("name", "color", "type", "country_id", "complete_name", "create_date", "is_company")
        .order_by("id")
        .to_polars(progress=False)
    )
    before = _writes(client)
    with pytest.raises(
        FieldError, match=r"'country_id.display_name' \(the display name of country_id: edit 'country_id'"
    ):
        zenoo_frames.diff(original, original.with_columns(pl.lit("Narnia").alias("country_id.display_name")))
    with pytest.raises(FieldError, match=r"'complete_name' \(readonly"):
        zenoo_frames.diff(original, original.with_columns(pl.lit("x").alias("complete_name")))
    with pytest.raises(FieldError, match="columns the original has not: 'nickname'"):
        zenoo_frames.diff(original, original.with_columns(pl.lit("x").alias("nickname")))
    second = f"row 1 (id {ids[1]})"
    with pytest.raises(
        InvalidValueError, match=rf"column 'color': {re.escape(second)}: 'seven' is not an integer"
    ):
        zenoo_frames.diff(original, original.with_columns(pl.Series("color", ["1", "seven", "1"])))
    with pytest.raises(
        InvalidValueError, match=rf"column 'type': {re.escape(second)}: 'bogus' is not a selection key"
    ):
        zenoo_frames.diff(original, original.with_columns(pl.Series("type", ["contact", "bogus", "contact"])))
    with pytest.raises(InvalidValueError, match=rf"column 'is_company': {re.escape(second)}: 2 is not a boolean"):
        zenoo_frames.diff(original, original.with_columns(pl.Series("is_company", [0, 2, 1])))
    with pytest.raises(InvalidValueError, match=rf"column 'name': row 0 \(id {ids[0]}\): \[1, 2\] is not text;"):
        zenoo_frames.diff(original, original.with_columns(pl.Series("name", [[1, 2], [3], [4]])))
    with pytest.raises(InvalidValueError, match=rf"column 'color': {re.escape(second)}: out of the range"):
        zenoo_frames.diff(original, original.with_columns(pl.Series("color", [1, 2**31, 1])))
    with pytest.raises(InvalidValueError, match=rf"several rows with the same id: \[{ids[0]}\]"):
        zenoo_frames.diff(original, pl.concat([original, original.head(1)]))
    with pytest.raises(InvalidValueError, match=r"ids the original has not: \[999999999\]"):
        zenoo_frames.diff(original, original.with_columns(pl.Series("id", [ids[0], ids[1], 999_999_999])))
    with pytest.raises(ConfigurationError, match="does not know the fields"):
        zenoo_frames.diff(original.clone(), original)
    # a copy of the frame works with the model's fields (here with name made required)
    described = dict(await client.fields_get("res.partner"))
    changes = zenoo_frames.diff(
        original.clone(), original.with_columns(pl.col("color") * 2), model="res.partner", fields=described
    )
    assert changes.changed_cells == 3
    many_keys = [[f"k{i}", f"Key {i}"] for i in range(8)] + [[k, k] for k in original["type"].unique().to_list()]
    with pytest.raises(InvalidValueError, match=r"'bogus' is not a selection key \(one of k0, k1, k2, k3, k4, and 4"):
        zenoo_frames.diff(
            original.clone(),
            original.with_columns(pl.Series("type", ["bogus", None, None])),
            model="res.partner",
            fields={**described, "type": {**described["type"], "selection": many_keys}},
        )
    described["name"] = {**described["name"], "required": True}
    # Odoo would store blank text in a required field (pandas' str.strip makes it): refused as empty is
    for name, problem in ((None, "empty"), ("", "blank"), ("   ", "blank")):
        with pytest.raises(
            InvalidValueError, match=rf"column 'name': {re.escape(second)}: {problem}, but the field is required"
        ):
            zenoo_frames.diff(
                original.clone(),
                original.with_columns(pl.Series("name", ["a", name, "c"])),
                model="res.partner",
                fields=described,
            )
    assert _writes(client) == before


async def test_a_column_of_another_type_is_refused_not_made_text_or_numbers(
    client: ZenooClient, tag: str
) -> None:
    """Polars would cast a struct, a boolean or a number to text (and a number to a date): an edit
    that put one in a column is refused by its cells, as an object column's values are."""
    partner = (await _partners(client, tag, 1, color=1))[0]
    order = await client.create("sale.order", {"name": f"{tag}-so", "partner_id": partner})
    partners = await client.model("res.partner").filter(id=partner).only("name", "color").to_polars(progress=False)
    orders = (
        await client.model("sale.order").filter(id=order).only("validity_date", "commitment_date").to_polars(progress=False)
    )
    before = _writes(client)
    where = re.escape(f"row 0 (id {partner})")
    for name, cell, problem in (
        ("name", {"user": "a", "domain": "x.com"}, "{'user': 'a', 'domain': 'x.com'} is not text"),
        ("name", 5, "5 is not text"),
        ("name", True, "True is not text"),
        ("color", True, "True is not an integer"),
    ):
        edited = partners.with_columns(pl.Series(name, [cell]))
        with pytest.raises(InvalidValueError, match=rf"column '{name}': {where}: {re.escape(problem)}"):
            zenoo_frames.diff(partners, edited)
    where = re.escape(f"row 0 (id {order})")
    for name, cell, problem in (
        ("validity_date", 20000, "20000 is not a date"),
        ("commitment_date", 1_700_000_000, "1700000000 is not a datetime"),
        ("commitment_date", dt.date(2031, 5, 6), "datetime.date(2031, 5, 6) is not a datetime"),
    ):
        with pytest.raises(InvalidValueError, match=rf"column '{name}': {where}: {re.escape(problem)}"):
            zenoo_frames.diff(orders, orders.with_columns(pl.Series(name, [cell])))
    # what converts as it did: integers of any width, text for numbers and dates, categoricals for text
    edited = partners.with_columns(
        pl.Series("color", [7], dtype=pl.Int16), pl.Series("name", [f"{tag}-b"], dtype=pl.Categorical)
    )
    assert zenoo_frames.diff(partners, edited).changed_cells == 2
    edited = orders.with_columns(pl.Series("validity_date", ["2031-05-06"]))
    assert zenoo_frames.diff(orders, edited).changed_cells == 1
    assert _writes(client) == before


async def test_a_one2many_column_is_refused_by_diff(client: ZenooClient, tag: str) -> None:
    company, contact = await _partners(client, tag, 2)
    original = (
        await client.model("res.partner")
        .filter(id__in=[company, contact])
        .only("name", "child_ids")
        .order_by("id")
        .to_polars(progress=False)
    )
    assert original.schema["child_ids"] == pl.List(pl.Int64)
    before = _writes(client)
    refused = r"'child_ids' \(a one2many: edit the res.partner records themselves\)"
    with pytest.raises(FieldError, match=refused):
        zenoo_frames.diff(original, original.with_columns(pl.Series("child_ids", [[contact], []])))
    assert _writes(client) == before
    unchanged = zenoo_frames.diff(original, original.with_columns(pl.col("name") + "-x"))
    assert unchanged.fields == ["name"]  # read, left as read: no refusal


@pytest.mark.parametrize(
    ("kind", "read", "edit"),
    [
        ("binary", b"GIF89a", b"PNG"),
        ("json", '{"a": 1}', '{"a": 2}'),
        ("properties", "[]", '[{"name": "x"}]'),
        ("reference", "res.partner,1", "res.partner,2"),
        ("many2one_reference", 1, 2),
    ],
)
def test_binary_json_and_reference_columns_are_refused_by_diff(kind: str, read: Any, edit: Any) -> None:
    """Types zenoo reads but does not write: refused by name when edited or given in a new row."""
    fields = {"name": {"type": "char"}, "blob": {"type": kind}}
    original = pl.DataFrame({"id": [1, 2], "name": ["a", "b"], "blob": [read, None]})
    refused = rf"cannot be written: 'blob' \(a {kind} field, which zenoo does not write from a frame\)"
    with pytest.raises(FieldError, match=refused):
        zenoo_frames.diff(
            original, original.with_columns(pl.Series("blob", [edit, None])), model="x.thing", fields=fields
        )
    new = pl.DataFrame({"id": [None], "name": ["c"], "blob": [edit]}, schema=original.schema)
    with pytest.raises(FieldError, match=refused):
        zenoo_frames.diff(original, pl.concat([original, new]), model="x.thing", fields=fields)
    assert zenoo_frames.diff(
        original, original.with_columns(pl.col("name") + "!"), model="x.thing", fields=fields
    ).fields == ["name"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"rows_per_call": 0}, "rows_per_call must be a positive integer or None (the default), got 0"),
        ({"rows_per_call": "5"}, "rows_per_call must be a positive integer or None (the default), got '5'"),
        ({"concurrency": 0}, "concurrency must be a positive integer or None (the default), got 0"),
        ({"conflicts": "bogus"}, "conflicts must be 'refuse', 'skip' or 'overwrite', got 'bogus'"),
    ],
)
async def test_bad_apply_options_are_refused_under_their_own_names_before_sending(
    client: ZenooClient, tag: str, option: dict[str, Any], message: str
) -> None:
    ids = await _partners(client, tag, 2, color=1)
    qs = client.model("res.partner").filter(id__in=ids).only("color").order_by("id")
    original = await qs.to_polars(progress=False)
    changes = zenoo_frames.diff(original, original.with_columns(pl.col("color") + 1))
    before = _writes(client)
    with pytest.raises(InvalidValueError, match=re.escape(message)):
        await changes.apply(client, **option)
    assert _writes(client) == before
    assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [1, 1]


# --- blocking facade and Jupyter ---------------------------------------------------------------------


def test_the_blocking_client_writes_back_too(target: Any, tag: str) -> None:
    with Client(target.url) as client:
        client.login(target.database, target.login, target.password)
        ids = client.bulk_create(
            "res.partner", [{"name": f"{tag}-{i}", "color": 1} for i in range(3)], progress=False
        )
        try:
            qs = client.model("res.partner").filter(id__in=ids).only("name", "color").order_by("id")
            original = qs.to_polars(progress=False)
            changes = zenoo_frames.diff(original, original.with_columns(pl.col("color") + 1))
            result = changes.apply(client)
            assert isinstance(result, WriteBackResult) and result.cells == 3
            again = qs.to_polars(progress=False)
            result = qs.write_back(again, again.with_columns(pl.col("color") * 10))
            assert [r["color"] for r in client.read("res.partner", ids, ["color"])] == [20, 20, 20]
            assert result.updated == 3 and not result.transaction
        finally:
            client.unlink("res.partner", ids)


def test_ctrl_c_during_a_write_back_undoes_what_it_wrote(target: Any, tag: str) -> None:
    """A blocking write-back interrupted after three of its twenty requests (a real SIGINT, Polars
    imported) stops, waits for its transaction to undo what was sent, then raises KeyboardInterrupt."""
    with Client(target.url) as client:
        client.login(target.database, target.login, target.password)
        ids = client.bulk_create(
            "res.partner", [{"name": f"{tag}-{i:03d}", "color": 1} for i in range(200)], progress=False
        )
        try:
            env = {**os.environ, "ZENOO_INTERRUPT_IDS": ",".join(map(str, ids)),
                   "ZENOO_INTERRUPT_URL": target.url, "ZENOO_INTERRUPT_DB": target.database,
                   "ZENOO_INTERRUPT_LOGIN": target.login, "ZENOO_INTERRUPT_PASSWORD": target.password}  # fmt: skip
            script = Path(__file__).with_name("interrupted_write_back.py")
            run = subprocess.run(
                [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
            )
            assert run.returncode == 0, run.stderr
            outcome = json.loads(run.stdout.splitlines()[-1])
            # the requests in flight (4 at most) may still land before the cancellation does
            assert outcome["interrupted"] and 3 <= outcome["requests_done"] <= 3 + 4, outcome
            assert {r["color"] for r in client.read("res.partner", ids, ["color"])} == {1}
        finally:
            client.unlink("res.partner", ids)


@pytest.mark.usefixtures("odoo_refuses_missing_records")
async def test_an_api_key_client_writes_back_over_json2(target: Any, client: ZenooClient, tag: str) -> None:
    """Logged in with an API key (JSON-2 on Odoo 19): the check, the loads, the creates and the
    transaction's undo go over that protocol too."""
    if not target.api_key:
        pytest.skip(f"{target.name}: no API key configured")
    async with target.client() as keyed:
        await target.log_in(keyed, "api_key")
        assert keyed.api == ("json2" if target.version >= 19 else "jsonrpc")
        ids = await _partners(client, tag, 5, color=1)
        qs = keyed.model("res.partner").filter(id__in=ids).only("name", "color", "country_id").order_by("id")
        original = await qs.to_polars(progress=False)
        new = original.head(1).with_columns(pl.lit(None, pl.Int64).alias("id"), pl.lit(f"{tag}-new").alias("name"))
        edited = pl.concat([original.with_columns(pl.col("color") + pl.int_range(pl.len())), new])
        result = await zenoo_frames.diff(original, edited).apply(keyed, rows_per_call=2)
        assert result.transaction and result.cells == 4 and len(result.created_ids) == 1
        assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [1, 2, 3, 4, 5]
        written = await qs.to_polars(progress=False)
        broken = written.with_columns(  # the last request fails: the earlier ones are undone
            pl.col("color") + 10,
            pl.when(pl.col("id") == ids[4]).then(999_999_999).otherwise(pl.col("country_id")).alias("country_id"),
        )
        undid = rf"row 4 \(id {ids[4]}\), column 'country_id'.*undid the 2 request\(s\) already written"
        with pytest.raises(BatchError, match=undid):
            await zenoo_frames.diff(written, broken).apply(keyed, rows_per_call=2)
        assert_frame_equal(await qs.to_polars(progress=False), written)


async def test_changes_show_as_html_in_jupyter_and_as_text_in_a_terminal(
    client: ZenooClient, tag: str
) -> None:
    ids = await _partners(client, tag, 30, color=1)
    original = (
        await client.model("res.partner")
        .filter(id__in=ids)
        .only("name", "color")
        .order_by("id")
        .to_polars(progress=False)
    )
    changes = zenoo_frames.diff(
        original, original.with_columns(pl.col("color") + 1).filter(pl.col("id") != ids[0])
    )
    page = changes._repr_html_()
    assert (
        "<strong>Changes to res.partner</strong>" in page
        and "29 record(s) to update, 29 cell(s): color ×29" in page
    )
    assert "1 missing from the edited frame (deleted only with deletes=True)" in page and "<table" in page
    assert "… and 20 more change(s)" in page
    text = repr(changes)
    assert text.startswith(
        "Changes to res.partner: 29 record(s) to update (29 cell(s): color ×29), 0 to create"
    )
    assert "│ change ┆ row ┆ id" in text and "… and 20 more change(s)" in text
    result = await changes.apply(client, rows_per_call=1000)  # the one missing row is kept
    page = result._repr_html_()
    assert "<strong>Written to res.partner</strong>" in page and "<li>29 record(s) updated (29 cell(s))</li>" in page
    assert "<li>1 record(s) missing from the edited frame left (deletes=False)</li>" in page
    assert "<table" in page and "… and 19 more cell(s): <code>result.written</code> has them all" in page
    assert "1 record(s) missing from the edited frame left (deletes=False)" in result.summary()


@contextlib.asynccontextmanager
async def _six_partners_in_three_requests(
    odoo_server_factory: Any, version: int, tag: str
) -> AsyncIterator[tuple[Any, ZenooClient, list[int], Changes]]:
    """A private server, a client that retries twice, 6 partners and a diff that writes 5 of them in
    3 requests of ``rows_per_call=2``."""
    server = odoo_server_factory(version=version)
    admin = server.users["admin"]
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.02)
    async with ZenooClient(server.url, retry=retry, circuit_breaker=False) as client:
        await client.login(server.database, admin.login, admin.password)
        ids = await _partners(client, tag, 6, color=1)
        original = await client.model("res.partner").filter(id__in=ids).only("color").order_by("id").to_polars(progress=False)
        yield server, client, ids, zenoo_frames.diff(original, original.with_columns(pl.col("color") + pl.int_range(pl.len())))


def _after_the_first_request(server: Any, **fault: Any) -> Any:
    """A progress callback that injects ``fault`` once the first request is written."""

    def inject(done: int, total: int) -> None:
        if done == 2:
            server.faults.set(**fault)

    return inject


async def _colors(client: ZenooClient, ids: list[int]) -> list[int]:
    return [row["color"] for row in await client.read("res.partner", ids, ["color"])]


async def _apply_with_a_fault_after_the_first_request(
    odoo_server_factory: Any, version: int, tag: str, **fault: Any
) -> tuple[BatchError, list[int]]:
    """The BatchError of the write-back, and the partners' colors afterwards."""
    async with _six_partners_in_three_requests(odoo_server_factory, version, tag) as (server, client, ids, changes):
        with pytest.raises(BatchError) as info:
            await changes.apply(client, rows_per_call=2, concurrency=1, progress=_after_the_first_request(server, **fault))
        server.faults.clear()
        return info.value, await _colors(client, ids)


@pytest.mark.parametrize("version", [17, 19])
async def test_a_request_whose_re_check_read_failed_was_not_sent(odoo_server_factory: Any, version: int, tag: str) -> None:
    """The read that checks a request's cells again fails after it was sent: the request itself never
    left, so it is failed (nothing to look for on the server), not unknown."""
    error, colors = await _apply_with_a_fault_after_the_first_request(
        odoo_server_factory, version, tag, drop_rate=1.0, drop_phase="after", methods=["read"], count=2
    )
    assert [call.state for call in error.result.calls] == ["done", "failed", "skipped"]
    assert colors == [1] * 6


@pytest.mark.parametrize("version", [17, 19])
async def test_a_request_whose_answer_was_lost_is_counted_among_those_undone(
    odoo_server_factory: Any, version: int, tag: str
) -> None:
    error, colors = await _apply_with_a_fault_after_the_first_request(
        odoo_server_factory, version, tag, drop_rate=1.0, drop_phase="after", methods=["load"], count=1
    )
    assert [call.state for call in error.result.calls] == ["done", "unknown", "skipped"]
    assert ("undid the 1 request(s) already written and the 1 request(s) whose answer was lost (they may have "
            "run); 1 request(s) were not sent") in str(error)  # fmt: skip
    assert colors == [1] * 6


@pytest.mark.parametrize("version", [17, 19])
async def test_a_write_back_in_the_callers_transaction_can_retry_its_interrupted_rollback(
    odoo_server_factory: Any, version: int, tag: str
) -> None:
    """The server stops answering in the middle of a write-back and during its rollback: run in
    the caller's transaction, ``tx.rollback()`` undoes what is left once it answers again."""
    async with _six_partners_in_three_requests(odoo_server_factory, version, tag) as (server, client, ids, changes):
        tx = client.transaction()
        with pytest.raises(RollbackError, match="undo_failed"):
            async with tx:
                outage = _after_the_first_request(server, error_503_rate=1.0, retry_after=0)
                await changes.apply(client, rows_per_call=2, concurrency=1, progress=outage)
        server.faults.clear()
        assert await _colors(client, ids) == [1, 2, 3, 1, 1, 1]
        await tx.rollback()
        assert await _colors(client, ids) == [1] * 6


@pytest.mark.parametrize("version", [17, 19])
async def test_a_write_backs_own_interrupted_rollback_is_retried_by_retry_rollback(
    odoo_server_factory: Any, version: int, tag: str
) -> None:
    """The same outage without a transaction of the caller's: the RollbackError says how to retry,
    and ``client.retry_rollback(error)`` undoes what is left once the server answers again."""
    async with _six_partners_in_three_requests(odoo_server_factory, version, tag) as (server, client, ids, changes):
        with pytest.raises(RollbackError, match=r"can be tried again, once the server answers .*client\.retry_rollback\(error\)") as caught:
            outage = _after_the_first_request(server, error_503_rate=1.0, retry_after=0)
            await changes.apply(client, rows_per_call=2, concurrency=1, progress=outage)
        server.faults.clear()
        assert await _colors(client, ids) == [1, 2, 3, 1, 1, 1]
        await client.retry_rollback(caught.value)
        assert await _colors(client, ids) == [1] * 6
        with pytest.raises(TransactionError, match="nothing to retry"):
            await client.retry_rollback(caught.value)


@pytest.mark.parametrize("version", [17, 19])
async def test_retry_rollback_undoes_through_a_new_client_once_the_first_is_closed(
    odoo_server_factory: Any, version: int, tag: str
) -> None:
    """A script's ``with Client(...)`` block closes its client as the RollbackError leaves it: a new
    client of the same user retries the rollback; one of another user may not."""
    async with _six_partners_in_three_requests(odoo_server_factory, version, tag) as (server, client, ids, changes):
        with pytest.raises(RollbackError) as caught:
            outage = _after_the_first_request(server, error_503_rate=1.0, retry_after=0)
            await changes.apply(client, rows_per_call=2, concurrency=1, progress=outage)
        server.faults.clear()
    assert client.closed
    with pytest.raises(TransactionError, match="this client is closed: call retry_rollback"):
        await client.retry_rollback(caught.value)
    for login, retries in (("demo", False), ("admin", True)):
        async with ZenooClient(server.url) as other:
            await other.login(server.database, login, server.users[login].password)
            if not retries:
                with pytest.raises(TransactionError, match="not logged in to the same URL, database and user"):
                    await other.retry_rollback(caught.value)
                assert await _colors(other, ids) == [1, 2, 3, 1, 1, 1]  # nothing was tried
                continue
            await other.retry_rollback(caught.value)
            assert await _colors(other, ids) == [1] * 6
