"""lazy(): a Polars LazyFrame whose projection, filters and head() are pushed to Odoo.

Pushdown is proven on the wire (the embedded server's request log), correctness by comparing lazy
results with eager-then-filter results for a suite of queries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from zenoo.client import ZenooClient

from .conftest import calls, make_partners, param


def own(client: ZenooClient, marker: str) -> Any:
    return client.model("res.partner").filter(name__startswith=marker)


async def test_columns_become_the_fields_read(client: ZenooClient, embedded: Any, marker: str) -> None:
    await make_partners(client, marker, 4)
    embedded.server.reset_requests()
    frame = own(client, marker).lazy().select("name", "email").collect()
    assert frame.columns == ["name", "email"] and frame.height == 4
    reads = calls(embedded.server, "read", "res.partner")
    assert reads and all(sorted(param(r, "fields")) == ["email", "name"] for r in reads)
    assert calls(embedded.server, "read", "res.country") == []  # no display names asked for


async def test_display_name_column_reads_its_many2one(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 4)
    embedded.server.reset_requests()
    frame = own(client, marker).lazy().select("country_id.display_name").collect()
    assert frame.columns == ["country_id.display_name"] and frame.height == 4
    reads = calls(embedded.server, "read", "res.partner")
    assert all(param(r, "fields") == ["country_id"] for r in reads)
    assert len(calls(embedded.server, "read", "res.country")) == 1


async def test_filter_is_pushed_into_the_search_domain(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    ids = sorted(await make_partners(client, marker, 8))
    embedded.server.reset_requests()
    frame = (
        own(client, marker)
        .lazy()
        .filter(pl.col("is_company") & (pl.col("id") > ids[1]))
        .select("id", "name")
        .collect()
    )
    assert frame["id"].to_list() == [i for n, i in enumerate(ids) if n % 2 == 0 and i > ids[1]]
    search = calls(embedded.server, "search", "res.partner")[0]
    domain = [list(t) if isinstance(t, list | tuple) else t for t in param(search, "domain")]
    assert ["is_company", "=", True] in domain and ["id", ">", ids[1]] in domain
    read_ids = [i for r in calls(embedded.server, "read", "res.partner") for i in param(r, "ids")]
    assert sorted(read_ids) == frame["id"].to_list()  # only matching rows crossed the wire


async def test_a_scan_logs_what_it_sends(
    client: ZenooClient, marker: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The zenoo.frames logger at DEBUG says what each scan sends: its domain, fields and limit."""
    await make_partners(client, marker, 2)
    with caplog.at_level("DEBUG", logger="zenoo.frames"):
        own(client, marker).lazy().filter(pl.col("is_company")).select("id").collect()
        own(client, marker).lazy().filter(pl.col("name").str.to_lowercase() == "x").select("id").collect()
    pushed, kept = [r.getMessage() for r in caplog.records if r.name == "zenoo.frames"]
    assert pushed.startswith("lazy scan of res.partner: domain [") and "('is_company', '=', True)" in pushed
    assert "fields ['is_company']" in pushed and pushed.endswith("the filter is applied again locally")
    assert "is_company" not in kept and kept.endswith("(none of it was pushed)")


async def test_a_semi_join_on_ids_is_pushed(client: ZenooClient, embedded: Any, marker: str) -> None:
    await make_partners(client, marker, 6)
    companies = own(client, marker).filter(is_company=True).lazy().select("id").collect()["id"]
    embedded.server.reset_requests()
    frame = own(client, marker).lazy().filter(pl.col("id").is_in(companies.implode())).select("id", "name")
    assert frame.collect()["name"].to_list() == [f"{marker}-{i:02d}" for i in (0, 2, 4)]
    search = calls(embedded.server, "search", "res.partner")[0]
    assert ["id", "in", companies.to_list()] in [list(t) for t in param(search, "domain") if len(t) == 3]


async def test_head_limits_the_search(client: ZenooClient, embedded: Any, marker: str) -> None:
    await make_partners(client, marker, 6)
    embedded.server.reset_requests()
    frame = own(client, marker).lazy().head(2).collect()
    assert frame.height == 2
    assert param(calls(embedded.server, "search", "res.partner")[0], "limit") == 2
    assert sum(len(param(r, "ids")) for r in calls(embedded.server, "read", "res.partner")) == 2
    embedded.server.reset_requests()  # a head before a filter: the first rows, filtered here
    own(client, marker).lazy().head(3).filter(pl.col("is_company")).collect()
    search = calls(embedded.server, "search", "res.partner")[0]
    assert param(search, "limit") == 3 and "is_company" not in str(param(search, "domain"))


async def test_a_head_before_a_filter_filters_the_first_rows(target: Any) -> None:
    """``head(n).filter(p)`` keeps the rows among the first n that match p (Polars hands the scan
    both, n counting the rows before the filter): n is the search limit, and p is not pushed."""
    marker = f"zenoo-test-{uuid.uuid4().hex[:10]}"
    async with target.client() as client:
        await target.log_in(client)
        partners = await make_partners(client, marker, 8)
        try:
            qs = own(client, marker).only("name", "is_company").order_by("name")
            predicate = pl.col("name").str.ends_with("-02") | pl.col("name").str.ends_with("-05")
            eager = (await qs.to_polars()).head(4).filter(predicate)
            assert eager["name"].to_list() == [f"{marker}-02"]
            assert_frame_equal(qs.lazy().head(4).filter(predicate).collect(), eager)
            assert_frame_equal(qs.lazy().head(6).filter(predicate).head(1).collect(), eager)
        finally:
            await client.unlink("res.partner", partners)


async def test_untranslatable_filter_is_applied_locally(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 5)
    lazy = own(client, marker).lazy()
    frame = lazy.filter(pl.col("name").str.to_uppercase().str.ends_with("-03")).collect()
    assert frame["name"].to_list() == [f"{marker}-03"]


async def test_fetching_stops_when_polars_stops_reading(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 10)
    embedded.server.reset_requests()
    # the filter is not exact (a function of the name), so no limit can be pushed: the source
    # must stop reading chunks once Polars has its 1 row
    frame = (
        own(client, marker)
        .lazy(chunk_size=2, concurrency=1)
        .filter(pl.col("name").str.to_uppercase().str.contains("ZF"))
        .head(1)
        .collect()
    )
    assert frame.height == 1
    assert len(calls(embedded.server, "read", "res.partner")) < 5


QUERIES = [
    lambda ids: pl.col("is_company"),
    lambda ids: ~pl.col("is_company"),
    lambda ids: pl.col("country_id").is_null(),
    lambda ids: pl.col("country_id").is_not_null() & (pl.col("type") == "contact"),
    lambda ids: pl.col("country_id") != pl.lit(ids["country"]),
    lambda ids: pl.col("country_id").is_in([ids["country"]]) | pl.col("email").is_null(),
    lambda ids: pl.col("id").is_between(ids["partners"][2], ids["partners"][6]),
    lambda ids: ~((pl.col("id") > ids["partners"][3]) & pl.col("is_company")),
    lambda ids: pl.col("name").str.ends_with("-07"),
    lambda ids: pl.col("name").str.contains("-0", literal=True),
    lambda ids: pl.col("email").str.starts_with("zf-"),
    lambda ids: pl.col("type") != "invoice",
    lambda ids: pl.col("category_id").list.contains(ids["tag"]),
    lambda ids: pl.col("create_date") >= dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    lambda ids: pl.col("country_id.display_name").is_not_null(),
    lambda ids: pl.col("country_id").is_in([ids["country"], None]),
    lambda ids: ~pl.col("country_id").is_in([ids["country"]]),
    lambda ids: ~pl.col("email").is_null(),
    lambda ids: (pl.col("type") == "invoice") | pl.col("name").str.to_uppercase().str.ends_with("-03"),
    lambda ids: pl.col("id") != ids["partners"][0],
    lambda ids: ~pl.col("name").str.ends_with("-03"),
    lambda ids: ~(pl.col("country_id").is_null() | pl.col("is_company")),
    # '_' is a LIKE wildcard: pushed as a superset ('-01'...'-09' match on the server), kept exact here
    lambda ids: pl.col("name").str.contains("-0_", literal=True) | pl.col("name").str.ends_with("-09"),
    lambda ids: pl.col("category_id").list.len() > 0,
    lambda ids: pl.col("country_id") > 0,  # more below, on real Odoo too
    # nulls_equal=True keeps the null rows: not pushed (the domain would drop them)
    lambda ids: pl.col("country_id").is_in([ids["country"], None], nulls_equal=True),
    lambda ids: ~pl.col("country_id").is_in([ids["country"]], nulls_equal=True),
]


@pytest.mark.parametrize("query", range(len(QUERIES)))
async def test_lazy_equals_eager_then_filter(client: ZenooClient, marker: str, query: int) -> None:
    partners = sorted(await make_partners(client, marker, 10))
    rows = await client.read("res.partner", partners, ["country_id", "category_id"], load=None)
    ids = {
        "partners": partners,
        "country": next(r["country_id"] for r in rows if r["country_id"]),
        "tag": next(r["category_id"][0] for r in rows if r["category_id"]),
    }
    predicate = QUERIES[query](ids)
    qs = own(client, marker).only(
        "name", "is_company", "country_id", "category_id", "email", "type", "create_date"
    )
    eager = (await qs.to_polars()).filter(predicate)
    lazy = qs.lazy().filter(predicate).collect()
    assert eager.height > 0
    assert_frame_equal(lazy, eager)


ACTIVE_QUERIES = [
    ~pl.col("active"),
    pl.col("active"),
    pl.col("active") == False,
    ~pl.col("active") | pl.col("is_company"),
    ~(pl.col("active") & pl.col("is_company")),
    # half pushed (a superset): the pushed half is on active
    ~pl.col("active") & pl.col("name").str.to_uppercase().str.ends_with("-01"),
]

#: Where archived records are hidden (Odoo's implicit active filter) and where not.
ACTIVE_SCOPES = {
    "archived hidden": lambda client: client.model("res.partner"),
    "active_test off on the query": lambda client: client.model("res.partner").with_context(
        active_test=False
    ),
    "active_test off on the client": lambda client: client.with_context(active_test=False).model(
        "res.partner"
    ),
    "the query mentions active": lambda client: client.model("res.partner").filter(active__in=[True, False]),
}


@pytest.mark.parametrize("scope", list(ACTIVE_SCOPES))
@pytest.mark.parametrize("query", range(len(ACTIVE_QUERIES)))
async def test_lazy_equals_eager_then_filter_on_active(
    client: ZenooClient, marker: str, scope: str, query: int
) -> None:
    partners = sorted(await make_partners(client, marker, 6))
    await client.write("res.partner", partners[:3], {"active": False})
    qs = ACTIVE_SCOPES[scope](client).filter(name__startswith=marker).only("name", "is_company", "active")
    everything = await qs.to_polars()
    assert everything["active"].all() == (scope == "archived hidden")  # the scope hides archived rows or not
    predicate = ACTIVE_QUERIES[query]
    assert_frame_equal(qs.lazy().filter(predicate).collect(), everything.filter(predicate))


async def test_sink_parquet_streams_a_lazy_scan(client: ZenooClient, marker: str, tmp_path: Any) -> None:
    await make_partners(client, marker, 7)
    path = tmp_path / "companies.parquet"
    own(client, marker).lazy(chunk_size=2).filter(pl.col("is_company")).select("id", "name").sink_parquet(
        path
    )
    written = pl.read_parquet(path)
    assert written["name"].to_list() == [f"{marker}-{i:02d}" for i in (0, 2, 4, 6)]


async def test_filter_on_a_limited_query_is_not_pushed(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 8)
    qs = own(client, marker).order_by("name").only("name", "is_company").offset(1).limit(4)
    embedded.server.reset_requests()
    lazy = qs.lazy().filter(~pl.col("is_company")).collect()
    assert lazy["name"].to_list() == [f"{marker}-{i:02d}" for i in (1, 3)]  # rows 1-4, then filtered
    search = calls(embedded.server, "search", "res.partner")[0]
    assert ["is_company", "=", False] not in [list(t) for t in param(search, "domain") if len(t) == 3]
    assert_frame_equal(lazy, (await qs.to_polars()).filter(~pl.col("is_company")))


async def test_a_scan_works_out_its_query_once(embedded: Any, marker: str) -> None:
    """The domain and the default fields are resolved when the scan is made, not at each collect
    (an async client's scans run on forks, which start without the answers it did not cache)."""
    async with ZenooClient(embedded.url) as fresh:
        await embedded.log_in(fresh, "password")
        embedded.server.reset_requests()
        scan = fresh.model("res.partner").filter(name__startswith=marker, is_company=True).lazy()
        assert len(calls(embedded.server, "fields_get", "res.partner")) == 1  # QuerySet and frame share it
        for _ in range(2):
            assert scan.collect().height == 0
        assert len(calls(embedded.server, "fields_get", "res.partner")) == 1
        assert len(calls(embedded.server, "search", "res.partner")) == 2


def _datetime_queries(seen: dt.datetime) -> list[pl.Expr]:
    """Filters on a datetime as ``read`` showed it (whole seconds; Odoo 17 stores fractions)."""
    return [
        pl.col("create_date") == seen,
        pl.col("create_date") <= seen,
        pl.col("create_date") > seen,
        pl.col("create_date") >= seen,
        pl.col("create_date") < seen,
        pl.col("create_date").is_in([seen]),
        pl.col("create_date") != seen,
        ~(pl.col("create_date") < seen),
        pl.col("create_date").is_between(seen, seen),
    ]


async def test_lazy_equals_eager_then_filter_on_a_datetime_read_back(target: Any) -> None:
    """A datetime filter built from a value the frame shows keeps the rows the eager frame keeps."""
    marker = f"zenoo-test-{uuid.uuid4().hex[:10]}"
    async with target.client() as client:
        await target.log_in(client)
        partners = await make_partners(client, marker, 3)
        try:
            qs = own(client, marker).only("name", "create_date")
            everything = await qs.to_polars()
            seen = everything.sort("id")["create_date"][0]
            for predicate in _datetime_queries(seen):
                eager = everything.filter(predicate)
                assert_frame_equal(qs.lazy().filter(predicate).collect(), eager)
            assert everything.filter(pl.col("create_date") == seen).height >= 1  # the test can fail
        finally:
            await client.unlink("res.partner", partners)


async def test_a_many2one_compared_with_0_and_a_selection_order_are_kept_exact(target: Any) -> None:
    """Odoo reads a many2one id of 0 as empty (19 answers ``!= 0`` with the records that have none)
    and orders selection keys as text, not as the frame's Enum: such terms are filtered locally."""
    marker = f"zenoo-test-{uuid.uuid4().hex[:10]}"
    async with target.client() as client:
        await target.log_in(client)
        partners = await make_partners(client, marker, 10)
        try:
            qs = own(client, marker).only("name", "country_id", "type")
            everything = await qs.to_polars()
            for predicate in (
                pl.col("country_id") != 0,
                pl.col("country_id") > 0,
                pl.col("country_id") >= 0,
                ~pl.col("country_id").is_in([0]),
                pl.col("type") < "delivery",  # the Enum's order: contact, invoice, delivery, other
            ):
                eager = everything.filter(predicate)
                assert eager.height > 0
                assert_frame_equal(qs.lazy().filter(predicate).collect(), eager)
        finally:
            await client.unlink("res.partner", partners)


async def test_a_datetime_equality_is_pushed_as_its_whole_second(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 2)
    seen = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    embedded.server.reset_requests()
    own(client, marker).lazy().filter(pl.col("create_date") == seen).collect()
    search = calls(embedded.server, "search", "res.partner")[0]
    domain = [list(t) if isinstance(t, list | tuple) else t for t in param(search, "domain")]
    assert domain[-3:] == [
        "&",
        ["create_date", ">=", "2026-01-02 03:04:05"],
        ["create_date", "<", "2026-01-02 03:04:06"],
    ]


NON_SEARCHABLE_LOCK_DATES = ("user_fiscalyear_lock_date", "max_tax_lock_date")


async def test_a_filter_on_a_field_odoo_cannot_search_is_applied_locally(target: Any) -> None:
    """Odoo 19 refuses a domain term on a non-searchable field, Odoo 17 ignores it: never pushed."""
    async with target.client() as client:
        await target.log_in(client)
        described = await client.fields_get("res.company")
        field = next(name for name in NON_SEARCHABLE_LOCK_DATES if name in described)
        assert described[field]["searchable"] is False  # as real Odoo's fields_get says
        qs = client.model("res.company").only("name", field)
        everything = await qs.to_polars()
        for predicate in (
            pl.col(field) > dt.date(2000, 1, 1),
            pl.col(field) <= dt.date(2000, 1, 1),
            pl.col(field).is_null() | (pl.col("id") > 0),
        ):
            assert_frame_equal(qs.lazy().filter(predicate).collect(), everything.filter(predicate))
        assert everything.height > 0
