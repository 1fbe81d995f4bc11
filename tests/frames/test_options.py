"""FetchOptions: one frozen object every frame function takes as ``options=``, the keywords building it.

Scenarios count the requests, so they run on the embedded servers (Odoo 17 and 19 imitations).
"""

from __future__ import annotations

import dataclasses
import inspect
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_type_hints

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

import zenoo_frames
from zenoo.client import ZenooClient
from zenoo.exceptions import ConfigurationError
from zenoo.query import QuerySet
from zenoo.sync import Client
from zenoo_frames import FetchOptions
from zenoo_frames.options import FetchKeywords

from .conftest import calls, make_partners, param

TWO_AT_A_TIME = FetchOptions(chunk_size=2, concurrency=1, display_names=False, progress=False)


def _read_sizes(server: Any) -> list[int]:
    return [len(param(r, "ids")) for r in calls(server, "read", "res.partner")]


def test_fetch_options_is_frozen_keyword_only_and_validated() -> None:
    options = FetchOptions()
    assert (options.chunk_size, options.concurrency, options.display_names, options.progress) == (
        None,
        4,
        True,
        True,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.concurrency = 8  # type: ignore[misc]
    with pytest.raises(TypeError):
        FetchOptions(100)  # type: ignore[misc]
    assert set(get_type_hints(FetchKeywords)) == {field.name for field in dataclasses.fields(FetchOptions)}
    for bad, named in (
        ({"chunk_size": 0}, "chunk_size"),
        ({"concurrency": "4"}, "concurrency"),
        ({"display_names": "no"}, "display_names"),
        ({"progress": None}, "progress"),
    ):
        with pytest.raises(ConfigurationError, match=named):
            FetchOptions(**bad)


def test_merge_replaces_the_given_fields_and_names_what_it_refuses() -> None:
    base = FetchOptions(chunk_size=10, progress=False)
    assert FetchOptions.merge(base, {"concurrency": 2}) == FetchOptions(
        chunk_size=10, concurrency=2, progress=False
    )
    assert FetchOptions.merge(None, {}) == FetchOptions()
    assert FetchOptions.merge(None, {}, default=base) == base
    assert FetchOptions.merge(FetchOptions(), {}, default=base) == FetchOptions()  # given beats default
    with pytest.raises(
        ConfigurationError, match=r"unknown fetch option 'chunksize' \(the options are chunk_size"
    ):
        FetchOptions.merge(None, {"chunksize": 5})
    with pytest.raises(ConfigurationError, match="options must be a zenoo_frames.FetchOptions"):
        FetchOptions.merge({"chunk_size": 5}, {})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    ["to_arrow", "to_polars", "to_pandas", "to_parquet", "iter_batches", "scan_odoo", "arrow_c_stream"],
)
def test_every_frame_function_takes_options_and_the_keywords(name: str) -> None:
    parameters = inspect.signature(getattr(zenoo_frames, name)).parameters
    assert parameters["options"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["options"].default is None
    assert parameters["keywords"].kind is inspect.Parameter.VAR_KEYWORD


@pytest.mark.parametrize("name", ["to_arrow", "to_polars", "to_pandas", "to_parquet", "iter_batches", "lazy"])
def test_every_queryset_frame_method_takes_options_and_the_keywords(name: str) -> None:
    parameters = inspect.signature(getattr(QuerySet, name)).parameters
    assert parameters["options"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["keywords"].annotation == "Unpack[FetchKeywords]"


async def test_options_reach_every_fetch_and_keywords_override_them(
    client: ZenooClient, embedded: Any, marker: str, tmp_path: Path
) -> None:
    ids = sorted(await make_partners(client, marker, 5))
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "country_id")
    columns = ["id", "name", "country_id"]  # display_names=False: no country_id.display_name
    runs: dict[str, Any] = {
        "to_arrow": lambda: qs.to_arrow(options=TWO_AT_A_TIME),
        "to_polars": lambda: qs.to_polars(options=TWO_AT_A_TIME),
        "to_pandas": lambda: qs.to_pandas(options=TWO_AT_A_TIME),
        "to_parquet": lambda: qs.to_parquet(tmp_path / "p.parquet", options=TWO_AT_A_TIME),
        "client": lambda: zenoo_frames.to_arrow(
            client,
            "res.partner",
            [("name", "=like", f"{marker}%")],
            ["name", "country_id"],
            options=TWO_AT_A_TIME,
        ),
    }
    for name, run in runs.items():
        embedded.server.reset_requests()
        result = await run()
        if name == "to_parquet":
            result = pq.read_table(result)
            assert result.num_rows == 5 and pq.ParquetFile(tmp_path / "p.parquet").num_row_groups == 3
        names = list(result.schema.names) if isinstance(result, pa.Table) else list(result.columns)
        assert names == columns, name
        assert _read_sizes(embedded.server) == [2, 2, 1], name

    embedded.server.reset_requests()
    batches = [batch async for batch in qs.iter_batches(options=TWO_AT_A_TIME)]
    assert [b.num_rows for b in batches] == [2, 2, 1] and batches[0].schema.names == columns
    embedded.server.reset_requests()
    scanned = qs.lazy(options=TWO_AT_A_TIME).collect()
    assert scanned.columns == columns and scanned["id"].to_list() == ids
    assert _read_sizes(embedded.server) == [2, 2, 1]

    embedded.server.reset_requests()
    overridden = await qs.to_polars(options=TWO_AT_A_TIME, chunk_size=3, display_names=True)
    assert overridden.columns == [*columns, "country_id.display_name"]
    assert _read_sizes(embedded.server) == [3, 2]


async def test_the_arrow_c_stream_takes_options(client: ZenooClient, embedded: Any, marker: str) -> None:
    await make_partners(client, marker, 5)
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "country_id")

    class Stream:
        def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
            return zenoo_frames.arrow_c_stream(qs, requested_schema, options=TWO_AT_A_TIME)

    embedded.server.reset_requests()
    table = pa.table(Stream())
    assert table.schema.names == ["id", "name", "country_id"] and table.num_rows == 5
    assert _read_sizes(embedded.server) == [2, 2, 1]


async def test_bad_options_are_refused_before_anything_is_sent(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    qs = client.model("res.partner").filter(name__startswith=marker).only("name")
    embedded.server.reset_requests()
    with pytest.raises(ConfigurationError, match="'chunksize'"):
        await qs.to_polars(chunksize=3)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="concurrency"):
        await zenoo_frames.to_arrow(client, "res.partner", options=FetchOptions(), concurrency=0)
    with pytest.raises(ConfigurationError, match="options must be"):
        qs.lazy(options={"chunk_size": 2})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="batch_size is iter_batches' name for chunk_size"):
        async for _ in qs.iter_batches(batch_size=2, chunk_size=3):
            pass
    assert embedded.server.requests == []


async def test_iter_batches_shows_no_progress_unless_its_options_say_so(
    client: ZenooClient, marker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_partners(client, marker, 3)
    qs = client.model("res.partner").filter(name__startswith=marker).only("name")
    shown: list[bool] = []
    progress = zenoo_frames.fetch._progress

    def recording(enabled: bool, total: int, model: str) -> Any:
        shown.append(enabled)
        return progress(False, total, model)

    monkeypatch.setattr(zenoo_frames.fetch, "_progress", recording)
    assert [b.num_rows async for b in qs.iter_batches(batch_size=2)] == [2, 1]
    assert [b.num_rows async for b in qs.iter_batches(options=FetchOptions(chunk_size=2))] == [2, 1]
    await qs.to_arrow()
    assert shown == [False, True, True]


@pytest.fixture
def blocking(embedded: Any) -> Iterator[Client]:
    with Client(embedded.url) as client:
        client.login(embedded.database, embedded.login, embedded.password)
        yield client


def test_the_blocking_queryset_takes_options(blocking: Client, embedded: Any, marker: str) -> None:
    blocking.create("res.partner", [{"name": f"{marker}-{i}"} for i in range(5)])
    qs = blocking.model("res.partner").filter(name__startswith=marker).only("name", "country_id")
    embedded.server.reset_requests()
    frame = qs.to_polars(options=TWO_AT_A_TIME)
    assert frame.columns == ["id", "name", "country_id"] and _read_sizes(embedded.server) == [2, 2, 1]
    assert [b.num_rows for b in qs.iter_batches(options=TWO_AT_A_TIME)] == [2, 2, 1]
    assert_frame_equal(qs.lazy(options=TWO_AT_A_TIME).collect(), frame)


async def test_lazy_is_a_deprecated_alias_of_scan_odoo(client: ZenooClient, marker: str) -> None:
    await make_partners(client, marker, 3)
    where = [("name", "=like", f"{marker}%")]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        scanned = zenoo_frames.scan_odoo(client, "res.partner", where, ["name"], progress=False).collect()
        from_queryset = client.model("res.partner").filter(name__startswith=marker).only("name").lazy()
        assert_frame_equal(from_queryset.collect(), scanned)  # qs.lazy() is not deprecated
    with pytest.warns(DeprecationWarning, match=r"zenoo_frames\.lazy is deprecated: use scan_odoo"):
        aliased = zenoo_frames.lazy
    assert aliased is zenoo_frames.scan_odoo
    assert_frame_equal(aliased(client, "res.partner", where, ["name"], progress=False).collect(), scanned)
    assert "lazy" not in zenoo_frames.__all__
