"""The fetch pipeline against the embedded server (Odoo 17 and 19 imitations) over real HTTP."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal
from users import internal_user

import zenoo_frames
from zenoo.client import ZenooClient
from zenoo.exceptions import AccessError, ConfigurationError, FieldError
from zenoo_frames import MISSING_IDS_METADATA_KEY, MissingRecordsWarning
from zenoo_frames.options import IN_FLIGHT_SHARE, MAX_AUTO_CHUNK, MIN_AUTO_CHUNK, FetchOptions

from .conftest import calls, make_partners, param

FIELDS = ["name", "is_company", "country_id", "category_id", "email", "type", "create_date"]


async def test_to_arrow_types_values_and_display_names(client: ZenooClient, marker: str) -> None:
    ids = await make_partners(client, marker, 7)
    table = await zenoo_frames.to_arrow(client, "res.partner", [("name", "=like", f"{marker}%")], FIELDS)
    assert table.schema.names == [
        "id",
        "name",
        "is_company",
        "country_id",
        "country_id.display_name",
        "category_id",
        "email",
        "type",
        "create_date",
    ]
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("country_id").type == pa.int64()
    assert table.schema.field("category_id").type == pa.list_(pa.int64())
    assert table.schema.field("create_date").type == pa.timestamp("us", tz="UTC")
    assert table.column("id").to_pylist() == sorted(ids)

    expected = await client.read("res.partner", sorted(ids), FIELDS)  # classic load: [id, name] pairs
    for row, odoo in zip(table.to_pylist(), expected, strict=True):
        assert row["name"] == odoo["name"]
        assert row["is_company"] is odoo["is_company"]
        assert row["email"] == (odoo["email"] or None)
        assert row["category_id"] == odoo["category_id"]
        assert row["type"] == odoo["type"]
        if odoo["country_id"]:
            assert [row["country_id"], row["country_id.display_name"]] == list(odoo["country_id"])
        else:
            assert row["country_id"] is None and row["country_id.display_name"] is None
        assert row["create_date"] == dt.datetime.fromisoformat(odoo["create_date"]).replace(tzinfo=dt.UTC)


async def test_wire_one_search_chunked_reads_and_one_name_read_per_relation(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 7)
    server = embedded.server
    server.reset_requests()
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "country_id", "parent_id")
    frame = await qs.to_polars(chunk_size=3, concurrency=2)
    assert frame.height == 7

    searches = calls(server, "search", "res.partner")
    assert len(searches) == 1
    assert param(searches[0], "order") == "id"
    reads = calls(server, "read", "res.partner")
    assert sorted(len(param(r, "ids")) for r in reads) == [1, 3, 3]  # logged as they complete
    assert sorted(i for r in reads for i in param(r, "ids")) == frame["id"].to_list()
    for read in reads:
        assert sorted(param(read, "fields")) == ["country_id", "name", "parent_id"]
        assert _bare_ids(read)  # many2one as bare ids
    assert len(calls(server, "read", "res.country")) == 1  # display names: one call per relation
    assert len(calls(server, "search_read")) == 0


async def test_query_order_is_kept_with_id_tie_breaker(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 6)
    embedded.server.reset_requests()
    qs = client.model("res.partner").filter(name__startswith=marker).order_by("-is_company", "name")
    frame = await qs.to_polars(chunk_size=2)
    search = calls(embedded.server, "search", "res.partner")[0]
    assert param(search, "order").replace(" ", "").endswith(",id")
    expected = await client.search_read(
        "res.partner", [("name", "=like", f"{marker}%")], ["name"], order="is_company desc, name"
    )
    assert frame["id"].to_list() == [row["id"] for row in expected]


async def test_only_selects_and_default_fields_skip_binary(client: ZenooClient, marker: str) -> None:
    await make_partners(client, marker, 2)
    qs = client.model("res.partner").filter(name__startswith=marker)
    narrow = await qs.only("name").to_arrow()
    assert narrow.schema.names == ["id", "name"]
    full = await qs.to_arrow()
    described = await client.fields_get("res.partner", attributes=["type", "store"])
    stored = {
        n for n, a in described.items() if a.get("store", True) and a["type"] not in ("binary", "properties")
    }
    columns = {c for c in full.schema.names if not c.endswith(".display_name")}
    assert columns == stored | {"id"}
    assert not any(described[c]["type"] == "binary" for c in columns if c != "id")


async def test_a_frame_of_ids_only_is_the_search_without_reads(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    ids = await make_partners(client, marker, 5)
    embedded.server.reset_requests()
    qs = client.model("res.partner").filter(name__startswith=marker).only("id")
    frame = await qs.to_polars(chunk_size=2)
    lazy = qs.lazy(chunk_size=2).collect()
    assert frame.schema == pl.Schema({"id": pl.Int64}) and frame["id"].to_list() == sorted(ids)
    assert_frame_equal(lazy, frame)
    assert len(calls(embedded.server, "search", "res.partner")) == 2
    assert calls(embedded.server, "read") == []


async def test_empty_result_keeps_the_full_schema(client: ZenooClient, marker: str) -> None:
    qs = client.model("res.partner").filter(name=f"{marker}-nobody").only(*FIELDS)
    table = await qs.to_arrow()
    frame = await qs.to_polars()
    panda = await qs.to_pandas()
    assert table.num_rows == 0 and frame.height == 0 and len(panda) == 0
    assert isinstance(frame.schema["type"], pl.Enum) and "contact" in frame.schema["type"].categories
    assert frame.schema["country_id"] == pl.Int64
    assert frame.schema["category_id"] == pl.List(pl.Int64)
    assert str(panda["country_id"].dtype) == "int64[pyarrow]"
    assert list(panda.columns) == table.schema.names


async def test_polars_and_pandas_dtypes(client: ZenooClient, marker: str) -> None:
    await make_partners(client, marker, 5)
    qs = client.model("res.partner").filter(name__startswith=marker).only(*FIELDS)
    frame = await qs.to_polars()
    assert isinstance(frame.schema["type"], pl.Enum)
    assert frame.filter(pl.col("type") == "invoice").height == 1
    assert frame.schema["create_date"] == pl.Datetime("us", "UTC")
    assert frame["country_id"].null_count() == 2  # indices 0 and 3 have no country
    arrow_backed = await qs.to_pandas()
    assert str(arrow_backed["country_id"].dtype) == "int64[pyarrow]"
    assert arrow_backed["country_id"].isna().sum() == 2
    nullable = await qs.to_pandas(dtype_backend="numpy_nullable")
    assert str(nullable["country_id"].dtype) == "Int64"
    assert isinstance(nullable["type"].dtype, pd.CategoricalDtype)
    with pytest.raises(ConfigurationError, match="dtype_backend"):
        await qs.to_pandas(dtype_backend="numpy")


class RacingClient(ZenooClient):
    """A real client that deletes one found record right after the search, like a concurrent user."""

    async def call(self, model: str, method: str, **kwargs: Any) -> Any:
        found = await super().call(model, method, **kwargs)
        if model == "res.partner" and method == "search" and len(found) > 2:
            await self.unlink(model, [found[2]])
        return found


async def test_records_deleted_between_search_and_read_are_reported(embedded: Any, marker: str) -> None:
    async with RacingClient(embedded.url) as racer:
        await racer.login(embedded.database, embedded.login, embedded.password)
        ids = sorted(await make_partners(racer, marker, 5))
        with pytest.warns(MissingRecordsWarning) as caught:
            table = await zenoo_frames.to_arrow(
                racer, "res.partner", [("id", "in", ids)], ["name"], chunk_size=2
            )
    assert caught[0].message.missing_ids == [ids[2]]
    assert table.column("id").to_pylist() == [i for i in ids if i != ids[2]]
    assert orjson.loads(table.schema.metadata[MISSING_IDS_METADATA_KEY]) == [ids[2]]


async def test_iter_batches_in_order_and_stopping_cancels_reads(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    ids = sorted(await make_partners(client, marker, 9))
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "country_id")
    seen: list[int] = []
    async for batch in qs.iter_batches(batch_size=2, concurrency=1):
        assert isinstance(batch, pa.RecordBatch) and batch.num_rows <= 2
        assert batch.schema.names == ["id", "name", "country_id", "country_id.display_name"]
        seen.extend(batch.column("id").to_pylist())
    assert seen == ids

    embedded.server.reset_requests()
    async for _batch in qs.iter_batches(batch_size=2, concurrency=1):
        break
    assert len(calls(embedded.server, "read", "res.partner")) == 1  # 5 chunks, only the first read


async def test_to_parquet_streams_row_groups(client: ZenooClient, marker: str, tmp_path: Path) -> None:
    await make_partners(client, marker, 5)
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "type", "country_id")
    path = await qs.to_parquet(tmp_path / "partners.parquet", chunk_size=2)
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_rows == 5 and parquet.metadata.num_row_groups == 3
    assert pl.read_parquet(path).drop("type").equals((await qs.to_polars()).drop("type"))


async def test_bad_input_is_refused_before_sending(client: ZenooClient, embedded: Any) -> None:
    embedded.server.reset_requests()
    with pytest.raises(ConfigurationError, match="chunk_size"):
        await zenoo_frames.to_arrow(client, "res.partner", chunk_size=0)
    with pytest.raises(ConfigurationError, match="model name"):
        await zenoo_frames.to_arrow(client, None)
    with pytest.raises(ConfigurationError, match="fields"):
        await zenoo_frames.to_arrow(client, "res.partner", [], "name")
    assert embedded.server.requests == []
    with pytest.raises(FieldError, match="naem"):
        await zenoo_frames.to_arrow(client, "res.partner", [], ["naem"])
    with pytest.raises(FieldError, match="naem"):  # in the domain of the function form too
        await zenoo_frames.to_polars(client, "res.partner", [("naem", "=", True)], ["name"])
    assert calls(embedded.server, "search") == [] and calls(embedded.server, "read") == []


async def test_progress_false_prints_nothing(
    client: ZenooClient, marker: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_partners(client, marker, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await zenoo_frames.to_arrow(
            client, "res.partner", [("name", "=like", f"{marker}%")], ["name"], progress=False
        )
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


async def test_progress_bar_appears_on_fetches_longer_than_a_second(
    odoo_server_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    server = odoo_server_factory(19)
    admin = server.users["admin"]
    async with ZenooClient(server.url) as slow:
        await slow.login(server.database, admin.login, admin.password)
        ten = await slow.search("res.partner", [], limit=10, order="id")
        server.faults.set(latency=0.7, methods=["read"])  # 2 sequential reads: over a second
        domain = [("id", "in", ten)]
        await zenoo_frames.to_arrow(slow, "res.partner", domain, ["name"], chunk_size=5, concurrency=1)
        shown = capsys.readouterr().err
        assert "res.partner" in shown and "rows" in shown
        await zenoo_frames.to_arrow(
            slow, "res.partner", domain, ["name"], chunk_size=5, concurrency=1, progress=False
        )
        assert capsys.readouterr().err == ""


async def test_json2_gives_the_same_frame(odoo_server_19: Any, marker: str) -> None:
    admin = odoo_server_19.users["admin"]
    async with (
        ZenooClient(odoo_server_19.url) as jsonrpc,
        ZenooClient(odoo_server_19.url, api="json2") as json2,
    ):
        await jsonrpc.login(odoo_server_19.database, admin.login, admin.password)
        await json2.login_with_api_key(odoo_server_19.database, admin.login, admin.api_key)
        await make_partners(jsonrpc, marker, 4)
        odoo_server_19.reset_requests()
        via_json2 = await json2.model("res.partner").filter(name__startswith=marker).only(*FIELDS).to_polars()
        assert {r.protocol for r in odoo_server_19.requests} == {"json2"}
        via_jsonrpc = (
            await jsonrpc.model("res.partner").filter(name__startswith=marker).only(*FIELDS).to_polars()
        )
    assert via_json2.height == 4 and via_json2.equals(via_jsonrpc)


class CountryShyClient(ZenooClient):
    """A real client whose user may not read res.country, as Odoo answers when a model is off-limits."""

    async def call(self, model: str, method: str, **kwargs: Any) -> Any:
        if model == "res.country" and method == "read":
            raise AccessError(
                "You are not allowed to access 'Country' (res.country) records.",
                odoo_name="odoo.exceptions.AccessError",
            )
        return await super().call(model, method, **kwargs)


async def test_display_names_fall_back_to_the_records_own_many2one(embedded: Any, marker: str) -> None:
    async with CountryShyClient(embedded.url) as shy:
        await shy.login(embedded.database, embedded.login, embedded.password)
        await make_partners(shy, marker, 4)
        embedded.server.reset_requests()
        table = await shy.model("res.partner").filter(name__startswith=marker).only("country_id").to_arrow()
        partner_reads = calls(embedded.server, "read", "res.partner")
        classic = await shy.read("res.partner", table.column("id").to_pylist(), ["country_id"])
    assert table.column("country_id.display_name").to_pylist() == [
        row["country_id"][1] if row["country_id"] else None for row in classic
    ]
    with_names = [r for r in partner_reads if not _bare_ids(r)]  # the fallback: [id, name] pairs
    assert len(with_names) == 1 and param(with_names[0], "fields") == ["country_id"]


def _bare_ids(record: Any) -> bool:
    """Whether a read asked for many2one values as bare ids (``load=None`` sent explicitly)."""
    arguments = record.arguments
    return "load" in arguments and arguments["load"] is None


async def test_limit_and_offset_shape_the_search(client: ZenooClient, embedded: Any, marker: str) -> None:
    ids = sorted(await make_partners(client, marker, 6))
    qs = client.model("res.partner").filter(name__startswith=marker).only("name")
    assert (await qs.offset(1).limit(3).to_polars())["id"].to_list() == ids[1:4]
    embedded.server.reset_requests()
    nothing = await qs.limit(0).to_arrow()
    assert nothing.num_rows == 0 and nothing.schema.names == ["id", "name"]
    assert calls(embedded.server, "search") == [] and calls(embedded.server, "read") == []


def test_automatic_chunk_size_keeps_rows_in_flight_a_small_share_within_bounds() -> None:
    options = FetchOptions(concurrency=4)
    assert options.chunk_for(10) == MIN_AUTO_CHUNK  # never tiny: each request costs ~50 ms on Odoo
    assert options.chunk_for(1_000_000) == MAX_AUTO_CHUNK  # never one huge read
    for total in (40_000, 48_507, 100_000):
        size = options.chunk_for(total)
        assert MIN_AUTO_CHUNK < size < MAX_AUTO_CHUNK
        assert size * 4 <= total * IN_FLIGHT_SHARE + 4  # rows in flight: a small share of the result
    assert FetchOptions(concurrency=1).chunk_for(40_000) > options.chunk_for(40_000)
    assert FetchOptions(chunk_size=7).chunk_for(48_507) == 7  # a given size wins
    with pytest.raises(ConfigurationError, match="chunk_size"):
        FetchOptions(chunk_size=True)
    with pytest.raises(ConfigurationError, match="concurrency"):
        FetchOptions(concurrency=0)


async def test_default_chunking_on_the_wire(client: ZenooClient, embedded: Any, marker: str) -> None:
    await make_partners(client, marker, 7)
    embedded.server.reset_requests()
    frame = await client.model("res.partner").filter(name__startswith=marker).only("name").to_polars()
    reads = calls(embedded.server, "read", "res.partner")
    assert frame.height == 7 and [len(param(r, "ids")) for r in reads] == [7]  # 7 < MIN_AUTO_CHUNK


async def test_display_names_are_read_in_chunks_and_all_attached(
    client: ZenooClient, embedded: Any, marker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zenoo_frames.fetch, "NAME_READ_CHUNK", 1)
    ids = await make_partners(client, marker, 7)
    embedded.server.reset_requests()
    table = await zenoo_frames.to_arrow(client, "res.partner", [("id", "in", ids)], ["country_id"])
    name_reads = calls(embedded.server, "read", "res.country")
    distinct = {c for c in table.column("country_id").to_pylist() if c is not None}
    assert len(distinct) >= 2 and len(name_reads) == len(distinct)
    assert all(len(param(r, "ids")) == 1 for r in name_reads)
    expected = {row["id"]: row["country_id"] for row in await client.read("res.partner", ids, ["country_id"])}
    for row in table.to_pylist():
        pair = expected[row["id"]]
        assert [row["country_id"], row["country_id.display_name"]] == (list(pair) if pair else [None, None])


async def test_default_fields_leave_out_relations_the_user_may_not_read(target: Any) -> None:
    """A user who is not an admin may not read res.users.log: Odoo refuses a whole read that asks
    for res.users' log_ids, which fields_get lists. The default fields of records, values(),
    frames and lazy relations leave such relations out; asked for by name, they are refused."""
    async with target.client() as admin:
        await target.log_in(admin, "password")
        async with internal_user(target, admin, ("group_user",)) as client:
            assert "log_ids" in await client.fields_get("res.users")
            assert await client.readable_models(["res.users.log", "res.partner"]) == {"res.partner"}
            me = client.model("res.users").filter(id=client.uid)
            row = (await me.values())[0]
            assert "log_ids" not in row and row["login"] == (await client.read("res.users", [client.uid], ["login"]))[0]["login"]
            record = (await me.all())[0]
            assert "log_ids" not in record.loaded_fields and "login" in record.loaded_fields
            creator = await record.create_uid  # a lazy relation loads its default fields
            assert creator is not None and "log_ids" not in creator.loaded_fields and "login" in creator.loaded_fields
            for frame in (await me.to_polars(progress=False), me.lazy(progress=False).collect(),
                          await zenoo_frames.to_polars(client, "res.users", [("id", "=", client.uid)], progress=False)):
                assert "log_ids" not in frame.columns and frame["id"].to_list() == [client.uid]
            with pytest.raises(AccessError):  # asked for by name: Odoo's answer
                await me.only("log_ids").values()


async def test_default_fields_take_what_a_delegation_inherits(target: Any) -> None:
    """res.users inherits res.partner (Odoo's _inherits) and product.product product.template:
    fields_get describes the parent's fields as non-stored fields of the child, and the default
    fields take those that are default fields of the parent (a user's name and email)."""
    async with target.client() as client:
        await target.log_in(client, "password")
        users = await client.fields_get("res.users")
        assert not users["name"].get("store") and users["name"]["related"] == "partner_id.name"
        me = client.model("res.users").filter(id=client.uid)
        row = (await me.values())[0]
        partner = (await client.read("res.partner", [row["partner_id"]], ["name", "email"]))[0]
        assert (row["name"], row["email"]) == (partner["name"], partner["email"] or None)
        frame = await me.to_polars(progress=False)
        assert {"name", "email", "login"} <= set(frame.columns) and "display_name" not in frame.columns
        assert "name" in (await me.all())[0].loaded_fields
        assert "name" in await client.model("product.product").field_names()
