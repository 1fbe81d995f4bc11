"""Polars predicates to Odoo domains: what is pushed (exactly, or as a superset the frame
filters again), and what is not."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from zenoo.exceptions import FieldError
from zenoo.fields.metadata import ModelFields, check_searchable
from zenoo_frames.pushdown import keep_active_test, translate_predicate
from zenoo_frames.schema import FieldSpec, FrameSchema

SPECS = {
    "id": None,
    "name": FieldSpec("name", "char"),
    "country_id": FieldSpec("country_id", "many2one", relation="res.country"),
    "is_company": FieldSpec("is_company", "boolean"),
    "type": FieldSpec("type", "selection", selection=("contact", "invoice", "other")),
    "color": FieldSpec("color", "integer"),
    "credit_limit": FieldSpec("credit_limit", "float"),
    "date": FieldSpec("date", "date"),
    "create_date": FieldSpec("create_date", "datetime"),
    "category_id": FieldSpec("category_id", "many2many", relation="res.partner.category"),
    "lock_date": FieldSpec("lock_date", "date", store=False, searchable=False),
    "lock_name": FieldSpec("lock_name", "char", store=False, searchable=False),
    "lock_ids": FieldSpec("lock_ids", "many2many", store=False, searchable=False),
}
MOMENT = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
SECOND = "2026-01-02 03:04:05"
NEXT = "2026-01-02 03:04:06"


def pushed(expr: pl.Expr) -> list:
    return [list(t) if isinstance(t, tuple) else t for t in translate_predicate(expr, SPECS)]


@pytest.mark.parametrize(
    ("expr", "domain"),
    [
        (pl.col("id") > 3, [["id", ">", 3]]),
        (pl.lit(3) < pl.col("id"), [["id", ">", 3]]),
        (pl.col("name") == "Azure", [["name", "=", "Azure"]]),
        (pl.col("country_id").is_in([1, 2]), [["country_id", "in", [1, 2]]]),
        (pl.col("country_id").is_null(), [["country_id", "=", False]]),
        (pl.col("country_id").is_not_null(), [["country_id", "!=", False]]),
        (~pl.col("country_id").is_null(), [["country_id", "!=", False]]),
        (pl.col("country_id") != 5, ["&", ["country_id", "!=", 5], ["country_id", "!=", False]]),
        (pl.col("is_company"), [["is_company", "=", True]]),
        (~pl.col("is_company"), [["is_company", "=", False]]),
        (pl.col("type") == "invoice", [["type", "=", "invoice"]]),
        (pl.col("date") >= dt.date(2026, 1, 2), [["date", ">=", "2026-01-02"]]),
        # a datetime seen in the frame is a whole second; Odoo may store fractions of it
        (pl.col("create_date") < MOMENT, [["create_date", "<", SECOND]]),
        (pl.col("create_date") >= MOMENT, [["create_date", ">=", SECOND]]),
        (pl.col("create_date") <= MOMENT, [["create_date", "<", NEXT]]),
        (pl.col("create_date") > MOMENT, [["create_date", ">=", NEXT]]),
        (~(pl.col("create_date") > MOMENT), [["create_date", "<", NEXT]]),
        (
            pl.col("create_date") == MOMENT,
            ["&", ["create_date", ">=", SECOND], ["create_date", "<", NEXT]],
        ),
        (
            pl.col("create_date").is_in([MOMENT, dt.datetime(2026, 1, 2, 23, 59, 59, tzinfo=dt.UTC)]),
            [
                "|",
                "&", ["create_date", ">=", SECOND], ["create_date", "<", NEXT],
                "&", ["create_date", ">=", "2026-01-02 23:59:59"], ["create_date", "<", "2026-01-03 00:00:00"],
            ],
        ),
        (
            pl.col("create_date").is_between(MOMENT, MOMENT),
            ["&", ["create_date", ">=", SECOND], ["create_date", "<", NEXT]],
        ),
        (pl.col("create_date").is_null(), [["create_date", "=", False]]),
        (pl.col("name").str.starts_with("Az"), [["name", "=like", "Az%"]]),
        (pl.col("name").str.ends_with("or"), [["name", "=like", "%or"]]),
        (pl.col("name").str.contains("zur", literal=True), [["name", "=like", "%zur%"]]),
        (pl.col("name").str.contains("zur"), [["name", "=like", "%zur%"]]),
        (pl.col("name").str.contains("a_b", literal=True), [["name", "=like", "%a_b%"]]),
        (pl.col("color") > 2, [["color", ">", 2]]),
        (pl.col("color") != 2, [["color", "!=", 2]]),
        (pl.col("credit_limit") >= 10.5, [["credit_limit", ">=", 10.5]]),
        (pl.col("category_id").list.contains(5), [["category_id", "in", [5]]]),
        (
            (pl.col("id") > 3) & (pl.col("name") == "x"),
            ["&", ["id", ">", 3], ["name", "=", "x"]],
        ),
        (
            (pl.col("id") > 3) | (pl.col("is_company")),
            ["|", ["id", ">", 3], ["is_company", "=", True]],
        ),
        (~((pl.col("id") > 3) & (pl.col("id") < 9)), ["|", ["id", "<=", 3], ["id", ">=", 9]]),
        (pl.col("id").is_between(3, 9), ["&", ["id", ">=", 3], ["id", "<=", 9]]),
        # half of an AND is not translatable: the other half is still pushed, as a superset
        ((pl.col("id") > 3) & (pl.col("name").str.to_lowercase() == "x"), [["id", ">", 3]]),
    ],
)
def test_translated(expr: pl.Expr, domain: list) -> None:
    assert pushed(expr) == domain


@pytest.mark.parametrize(
    "expr",
    [
        pl.col("color") < 5,  # true for 0, which may be NULL in the database
        pl.col("credit_limit") == 1.5,  # float equality depends on rounding
        pl.col("name").is_null(),  # empty strings and NULL differ
        pl.col("name").str.contains("^Az"),  # a regular expression
        pl.col("name").str.contains("a\\b", literal=True),  # LIKE's escape character
        pl.col("name").str.to_lowercase() == "x",
        pl.col("country_id.display_name") == "Belgium",
        pl.col("type") == "unknown-key",
        pl.col("type") < "invoice",  # an Enum orders by its keys' order, Odoo as text
        pl.col("country_id") != 0,  # Odoo reads an id of 0 as empty
        pl.col("country_id") > 3,  # nor does Odoo order many2one ids
        pl.col("country_id").is_in([0, 4]),
        pl.col("create_date") < dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),  # sub-second
        # != / not in a whole second would leave out values stored a fraction of a second off it
        pl.col("create_date") != MOMENT,
        ~pl.col("create_date").is_in([MOMENT]),
        ~(pl.col("create_date") == MOMENT),
        pl.col("create_date") <= dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),  # no next second
        # fields Odoo cannot search (fields_get: searchable False) are filtered locally only
        pl.col("lock_date") > dt.date(2000, 1, 1),
        pl.col("lock_date").is_null(),
        pl.col("lock_name").str.starts_with("A"),
        pl.col("lock_name") == "A",
        pl.col("lock_ids").list.contains(5),
        (pl.col("id") > 3) | (pl.col("name").str.to_lowercase() == "x"),  # OR needs both sides
        ~pl.col("name").str.starts_with("A"),
    ],
)
def test_not_translated(expr: pl.Expr) -> None:
    assert pushed(expr) == []


@pytest.mark.filterwarnings("ignore:`is_in` with a collection of the same datatype:DeprecationWarning")
def test_a_term_on_a_field_odoo_cannot_search_is_left_out_of_an_and() -> None:
    assert pushed((pl.col("id") > 3) & (pl.col("lock_date") > dt.date(2000, 1, 1))) == [["id", ">", 3]]


def test_searchable_comes_from_fields_get() -> None:
    hidden = ModelFields("m", {"x": {"type": "date", "store": False, "searchable": False}})
    assert not FieldSpec.from_fields_get(hidden, "x").searchable
    assert FieldSpec.from_fields_get(ModelFields("m", {"x": {"type": "date"}}), "x").searchable  # an answer without it: as before


def test_a_field_described_without_store_or_searchable_is_none_of_the_models_own() -> None:
    """Odoo 17's fields_get of res.users adds the group fields (in_group_<id>, sel_groups_<ids>)
    without store or searchable: read computes them, a search fails on them."""
    users = {
        "login": {"type": "char", "store": True, "searchable": True},
        "share": {"type": "boolean", "store": True, "searchable": True},
        "in_group_12": {"type": "boolean", "string": "Sales / User"},
    }
    described = ModelFields("res.users", users)
    assert described.default_names() == ["login", "share"]
    assert not described.says("in_group_12", "searchable") and described.says("share", "searchable")
    with pytest.raises(FieldError, match=r"res.users.in_group_12 is not searchable \(fields_get: no searchable"):
        check_searchable(described, "in_group_12")
    schema = FrameSchema.build("res.users", users, ["login", "in_group_12"])
    assert [(spec.name, spec.store, spec.searchable) for spec in schema.fields] == [
        ("login", True, True), ("in_group_12", False, False)
    ]
    # a description that gives these attributes for no field (made by hand): stored and searchable
    assert ModelFields("x", {"a": {"type": "char"}}).says("a", "store")


def test_is_in_a_series_is_pushed_for_semi_joins() -> None:
    ids = pl.Series("id", [4, 5, None])
    assert pushed(pl.col("id").is_in(ids.implode())) == [["id", "in", [4, 5]]]
    assert pushed(pl.col("id").is_in(ids)) == [["id", "in", [4, 5]]]
    assert pushed(~pl.col("country_id").is_in(ids.implode())) == [
        "&", ["country_id", "not in", [4, 5]], ["country_id", "!=", False]
    ]


def test_is_in_keeping_null_rows_is_not_pushed() -> None:
    """With ``nulls_equal=True`` a null row is kept by ``is_in([.., None])`` and by ``~is_in([..])``:
    the domain would drop it. The other two cases drop it as the domain does."""
    column = pl.col("country_id")
    assert pushed(column.is_in([1, None], nulls_equal=True)) == []
    assert pushed(~column.is_in([1], nulls_equal=True)) == []
    assert pushed(column.is_in([1], nulls_equal=True)) == [["country_id", "in", [1]]]
    assert pushed(~column.is_in([1, None], nulls_equal=True)) == [
        "&", ["country_id", "not in", [1]], ["country_id", "!=", False]
    ]


ARCHIVED = [("active", "=", False)]
XARCHIVED = [("x_active", "=", False)]


@pytest.mark.parametrize(
    ("pushed", "domain", "active_name", "active_test", "kept"),
    [
        # Odoo would stop hiding archived records: the term it adds is pushed too
        (ARCHIVED, [("name", "=", "x")], "active", True, [("active", "=", True), *ARCHIVED]),
        (
            ["|", ("active", "=", False), ("id", ">", 3)],
            [],
            "active",
            True,
            [("active", "=", True), "|", ("active", "=", False), ("id", ">", 3)],
        ),
        (XARCHIVED, [], "x_active", True, [("x_active", "=", True), *XARCHIVED]),
        # the query's own domain already mentions the field: nothing is hidden either way
        (ARCHIVED, [("active", "in", [True, False])], "active", True, ARCHIVED),
        (ARCHIVED, ["!", ["active", "=", True]], "active", True, ARCHIVED),
        # active_test off: nothing is hidden either way
        (ARCHIVED, [], "active", False, ARCHIVED),
        # a pushed domain not on the active field, or a model without one
        ([("id", ">", 3)], [], "active", True, [("id", ">", 3)]),
        ([("x_active", "=", False)], [], "active", True, [("x_active", "=", False)]),
        ([("id", ">", 3)], [], None, True, [("id", ">", 3)]),
    ],
)
def test_keep_active_test(
    pushed: list, domain: list, active_name: str | None, active_test: bool, kept: list
) -> None:
    assert keep_active_test(pushed, domain, active_name, active_test) == kept


@pytest.mark.parametrize(
    ("fields", "active_name"),
    [({"active", "x_active", "name"}, "active"), ({"x_active", "name"}, "x_active"), ({"name"}, None)],
)
def test_schema_knows_the_models_active_field_even_when_not_selected(
    fields: set[str], active_name: str | None
) -> None:
    described = {name: {"type": "boolean" if "active" in name else "char"} for name in fields}
    assert FrameSchema.build("x.model", described, ["name"]).active_name == active_name
    assert FrameSchema.build("x.model", described, ["name"]).select(["name"]).active_name == active_name
