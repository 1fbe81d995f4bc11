"""The Arrow C stream protocol (pa.table(qs), pl.DataFrame(qs), duckdb) and the blocking Client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pytest

import zenoo_frames
from zenoo.client import ZenooClient
from zenoo.exceptions import ConfigurationError, FieldError
from zenoo.sync import Client

from .conftest import calls, make_partners


@pytest.fixture
def blocking(embedded: Any) -> Iterator[Client]:
    with Client(embedded.url) as client:
        client.login(embedded.database, embedded.login, embedded.password)
        yield client


async def test_async_queryset_speaks_the_arrow_c_stream(client: ZenooClient, marker: str) -> None:
    ids = sorted(await make_partners(client, marker, 5))
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "country_id", "type")
    table = pa.table(qs)
    assert table.column("id").to_pylist() == ids
    assert table.schema.names == ["id", "name", "country_id", "country_id.display_name", "type"]
    frame = pl.DataFrame(qs)
    assert frame["name"].to_list() == [f"{marker}-{i:02d}" for i in range(5)]
    counted = duckdb.sql("select count(*), min(id) from qs where country_id is not null").fetchall()[0]
    assert counted == (3, ids[1])


def test_blocking_client_queryset_frames(blocking: Client, embedded: Any, marker: str) -> None:
    created = blocking.create(
        "res.partner", [{"name": f"{marker}-{i}", "is_company": i % 2 == 0} for i in range(6)]
    )
    qs = blocking.model("res.partner").filter(name__startswith=marker).only("name", "is_company")
    frame = qs.to_polars(progress=False)
    assert frame["id"].to_list() == sorted(created)
    assert qs.to_arrow().num_rows == 6 and len(qs.to_pandas()) == 6
    batches = list(qs.iter_batches(batch_size=4))
    assert [b.num_rows for b in batches] == [4, 2]

    embedded.server.reset_requests()
    companies = qs.lazy().filter(pl.col("is_company")).select("name").collect()
    assert companies["name"].to_list() == [f"{marker}-{i}" for i in (0, 2, 4)]
    assert len(calls(embedded.server, "search", "res.partner")) == 1
    assert pl.DataFrame(qs).height == 6
    assert duckdb.sql("select count(*) from qs where is_company").fetchall() == [(3,)]


def test_the_frame_functions_block_for_a_blocking_client_and_its_queryset(
    blocking: Client, marker: str, tmp_path: Path
) -> None:
    created = sorted(blocking.create("res.partner", [{"name": f"{marker}-{i}"} for i in range(3)]))
    domain = [("name", "=like", f"{marker}%")]
    frame = zenoo_frames.to_polars(blocking, "res.partner", domain, ["name"], progress=False)
    assert isinstance(frame, pl.DataFrame) and frame["id"].to_list() == created
    qs = blocking.model("res.partner").filter(name__startswith=marker).only("name")
    assert zenoo_frames.to_arrow(qs, progress=False).column("id").to_pylist() == created
    assert zenoo_frames.to_pandas(qs, progress=False)["name"].tolist() == [f"{marker}-{i}" for i in range(3)]
    written = zenoo_frames.to_parquet(blocking, tmp_path / "p.parquet", "res.partner", domain, ["name"])
    assert pl.read_parquet(written)["id"].to_list() == created


def test_iter_batches_refuses_a_blocking_client_and_names_the_queryset_method(blocking: Client) -> None:
    import asyncio

    async def consume() -> None:
        async for _batch in zenoo_frames.iter_batches(blocking, "res.partner"):
            pass

    with pytest.raises(ConfigurationError, match="blocking Client"):
        asyncio.run(consume())


def test_lazy_from_a_blocking_queryset(blocking: Client, marker: str) -> None:
    blocking.create("res.partner", [{"name": f"{marker}-{i}"} for i in range(3)])
    qs = blocking.model("res.partner").filter(name__startswith=marker).only("name")
    frame = zenoo_frames.scan_odoo(qs).sort("name").collect()
    assert frame["name"].to_list() == [f"{marker}-{i}" for i in range(3)]


def test_lazy_from_a_blocking_client_and_model_name(blocking: Client, marker: str) -> None:
    blocking.create("res.partner", [{"name": f"{marker}-{i}"} for i in range(3)])
    frame = (
        zenoo_frames.scan_odoo(blocking, "res.partner", [("name", "=like", f"{marker}%")], ["name"])
        .sort("name")
        .collect()
    )
    assert frame["name"].to_list() == [f"{marker}-{i}" for i in range(3)]


def test_lazy_refuses_an_unknown_field_at_once(blocking: Client, embedded: Any) -> None:
    embedded.server.reset_requests()
    with pytest.raises(FieldError, match="'naem'"):
        blocking.model("res.partner").only("naem").lazy()
    assert calls(embedded.server, "search") == [] and calls(embedded.server, "read") == []
