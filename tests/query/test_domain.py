"""Q objects, lookups and raw domains compiled to Odoo domains, without a server.

The field metadata below states the facts the compiler relies on, shaped like ``fields_get``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest

from zenoo import ZenooClient
from zenoo.exceptions import FieldError, InvalidLookupError, InvalidValueError
from zenoo.fields.lookups import escape_like
from zenoo.query import Q, compile_q, parse_domain

FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "res.partner": {
        "id": {"type": "integer"},
        "name": {"type": "char"},
        "email": {"type": "char"},
        "is_company": {"type": "boolean"},
        "active": {"type": "boolean"},
        "type": {"type": "selection", "selection": [["contact", "Contact"], ["invoice", "Invoice"]]},
        "country_id": {"type": "many2one", "relation": "res.country"},
        "parent_id": {"type": "many2one", "relation": "res.partner"},
        "child_ids": {"type": "one2many", "relation": "res.partner"},
        "category_id": {"type": "many2many", "relation": "res.partner.category"},
        "create_date": {"type": "datetime"},
        "date": {"type": "date"},
        "credit_limit": {"type": "float"},
        "image_1920": {"type": "binary"},
    },
    "res.country": {"id": {"type": "integer"}, "code": {"type": "char"}, "name": {"type": "char"}},
    "res.partner.category": {"id": {"type": "integer"}, "name": {"type": "char"}},
}


class FakeFields:
    """Answers ``fields_get`` from FIELDS and counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def fields_get(self, model: str) -> dict[str, dict[str, Any]]:
        self.calls += 1
        return FIELDS[model]


async def compiled(*conditions: Any, model: str = "res.partner", **lookups: Any) -> list[Any]:
    return await compile_q(FakeFields(), model, Q(*conditions, **lookups))


async def test_single_lookup_and_implicit_and() -> None:
    assert await compiled(is_company=True) == [("is_company", "=", True)]
    assert await compiled(is_company=True, name__ilike="acme%") == [
        "&",
        ("is_company", "=", True),
        ("name", "ilike", "acme%"),
    ]


async def test_or_and_not() -> None:
    a, b = Q(name="a"), Q(email="b")
    assert await compiled(a | b) == ["|", ("name", "=", "a"), ("email", "=", "b")]
    assert await compiled(~Q(name="a", email="b")) == ["!", "&", ("name", "=", "a"), ("email", "=", "b")]
    assert await compiled((a | b) & ~a) == [
        "&", "|", ("name", "=", "a"), ("email", "=", "b"), "!", ("name", "=", "a"),
    ]  # fmt: skip
    # three-way OR is flat prefix notation
    assert await compiled(a | b | Q(is_company=True)) == [
        "|", "|", ("name", "=", "a"), ("email", "=", "b"), ("is_company", "=", True),
    ]  # fmt: skip


async def test_empty_q_is_everything_and_its_negation_nothing() -> None:
    assert await compiled() == []
    assert await compiled(Q() & Q(name="x")) == [("name", "=", "x")]
    assert await compiled(Q() | Q(name="x")) == []
    assert await compiled(~Q()) == [(0, "=", 1)]


async def test_dotted_path() -> None:
    assert await compiled(country_id__code="BE") == [("country_id.code", "=", "BE")]
    assert await compiled(parent_id__country_id__code__in=["BE", "FR"]) == [
        ("parent_id.country_id.code", "in", ["BE", "FR"])
    ]


@pytest.mark.parametrize(
    ("lookup", "value", "expected"),
    [
        ("exact", "x", ("=", "x")),
        ("exact", None, ("=", False)),
        ("ne", "x", ("!=", "x")),
        ("iexact", "a_b%", ("=ilike", "a\\_b\\%")),
        ("contains", "50%", ("like", "50\\%")),
        ("icontains", "a_b", ("ilike", "a\\_b")),
        ("startswith", "ac_", ("=like", "ac\\_%")),
        ("istartswith", "ac", ("=ilike", "ac%")),
        ("endswith", "com", ("=like", "%com")),
        ("iendswith", "c\\m", ("=ilike", "%c\\\\m")),
        ("like", "ac%me", ("like", "ac%me")),
        ("ilike", "acme%", ("ilike", "acme%")),
        ("=like", "ac%", ("=like", "ac%")),
        ("=ilike", "ac%", ("=ilike", "ac%")),
        ("not_ilike", "x", ("not ilike", "x")),
        ("in", ("a", "b"), ("in", ["a", "b"])),
        ("not_in", ["a"], ("not in", ["a"])),
        ("isnull", True, ("=", False)),
        ("isnull", False, ("!=", False)),
        ("gt", "m", (">", "m")),
    ],
)
async def test_lookup_operators(lookup: str, value: Any, expected: tuple[str, Any]) -> None:
    assert await compiled(**{f"name__{lookup}": value}) == [("name", *expected)]


async def test_comparisons_and_values() -> None:
    class Kind(Enum):
        CONTACT = "contact"

    aware = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert await compiled(create_date__gte=aware) == [("create_date", ">=", "2024-05-01 10:00:00")]
    naive = dt.datetime(2024, 5, 1, 12, 0)  # naive datetimes are taken as UTC
    assert await compiled(create_date__lt=naive) == [("create_date", "<", "2024-05-01 12:00:00")]
    assert await compiled(date__lte=dt.date(2024, 1, 31)) == [("date", "<=", "2024-01-31")]
    assert await compiled(credit_limit__gt=Decimal("10.5")) == [("credit_limit", ">", 10.5)]
    assert await compiled(type=Kind.CONTACT) == [("type", "=", "contact")]


async def test_hierarchy_and_any() -> None:
    assert await compiled(parent_id__child_of=3) == [("parent_id", "child_of", 3)]
    assert await compiled(id__parent_of=[3, 4]) == [("id", "parent_of", [3, 4])]
    assert await compiled(category_id__any=Q(name__ilike="vip")) == [
        ("category_id", "any", [("name", "ilike", "vip")])
    ]
    assert await compiled(child_ids__not_any={"email__isnull": True, "is_company": False}) == [
        ("child_ids", "not any", ["&", ("email", "=", False), ("is_company", "=", False)])
    ]


async def test_raw_domains_are_parsed_validated_and_combined() -> None:
    raw = ["|", ("country_id.code", "=", "BE"), "!", ["is_company", "=", True]]
    assert await compiled(raw) == ["|", ("country_id.code", "=", "BE"), "!", ("is_company", "=", True)]
    # implicit AND between top-level expressions, and with keyword lookups
    assert await compiled([("name", "=", "a"), ("email", "=", "b")], is_company=True) == [
        "&", "&", ("name", "=", "a"), ("email", "=", "b"), ("is_company", "=", True),
    ]  # fmt: skip
    assert await compiled(("name", "=", "a")) == [("name", "=", "a")]
    assert await compiled([(1, "=", 1)]) == [(1, "=", 1)]
    with pytest.raises(InvalidLookupError, match="missing an operand"):
        parse_domain(["|", ("name", "=", "a")])
    with pytest.raises(InvalidLookupError, match="neither an operator nor a leaf"):
        parse_domain(["name", "=", "a"])
    with pytest.raises(InvalidLookupError, match="likeish"):
        await compiled([("name", "likeish", "x")])
    with pytest.raises(FieldError, match="no_such_field"):
        await compiled([("no_such_field", "=", 1)])


async def test_unknown_field_suggests_close_match() -> None:
    with pytest.raises(FieldError) as info:
        await compiled(naem__ilike="a")
    assert "res.partner has no field 'naem'" in str(info.value)
    assert "'name'" in str(info.value)
    with pytest.raises(FieldError, match="res.country has no field 'cod'.*'code'"):
        await compiled(country_id__cod="BE")


async def test_unknown_lookup_and_bad_traversal() -> None:
    with pytest.raises(InvalidLookupError, match="unknown lookup 'icontain'.*'icontains'"):
        await compiled(name__icontain="a")
    with pytest.raises(FieldError, match="res.partner.name is a char field: cannot follow it"):
        await compiled(name__code__exact="a")


@pytest.mark.parametrize(
    "lookups",
    [
        {"is_company__gt": True},
        {"is_company__ilike": "x"},
        {"credit_limit__contains": "1"},
        {"name__child_of": 1},
        {"name__any": Q(name="x")},
        {"child_ids__gt": 3},
        {"image_1920__ilike": "x"},
    ],
)
async def test_operator_not_valid_for_field_type(lookups: dict[str, Any]) -> None:
    with pytest.raises(InvalidLookupError, match="not valid for res.partner"):
        await compiled(**lookups)


@pytest.mark.parametrize(
    "lookups",
    [
        {"name__in": "abc"},
        {"name__isnull": "yes"},
        {"name__contains": 5},
        {"name": ["a", "b"]},
        {"name": object()},
    ],
)
async def test_bad_values(lookups: dict[str, Any]) -> None:
    with pytest.raises(InvalidValueError):
        await compiled(**lookups)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            Q(type="contcat"),
            "'contcat' is not a valid choice for res.partner.type \\(did you mean 'contact'\\?\\)",
        ),
        (Q(type__in=["contact", "bogus"]), "'bogus' is not a valid choice for res.partner.type"),
        ([("type", "!=", "Contact")], "'Contact' is not a valid choice"),
        (
            Q(credit_limit__gt="lots"),
            "res.partner.credit_limit \\(float field\\) cannot be compared with 'lots'",
        ),
        (Q(id__in=[1, "2"]), "res.partner.id \\(integer field\\) cannot be compared with '2'"),
        (Q(is_company="yes"), "res.partner.is_company is a boolean field"),
        (Q(name=5), "res.partner.name \\(char field\\) cannot be compared with 5: give text"),
        (Q(email__in=["a@b.test", 7]), "res.partner.email \\(char field\\) cannot be compared with 7"),
        (Q(country_id=True), "res.partner.country_id \\(many2one\\) cannot be compared with True"),
        ([("parent_id", "!=", True)], "res.partner.parent_id \\(many2one\\) cannot be compared with True"),
        (Q(date__gte="31/01/2024"), "res.partner.date \\(date field\\) cannot be compared with '31/01/2024'"),
        (Q(date=20240131), "res.partner.date \\(date field\\)"),
        ([("create_date", ">", 20240131)], "res.partner.create_date \\(datetime field\\)"),
        (Q(parent_id__country_id__in=[1]) & Q(child_ids__any=Q(type="x")), "'x' is not a valid choice"),
    ],
)
async def test_compared_values_must_fit_the_field(condition: Any, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        await compiled(condition)


async def test_values_that_fit_the_field() -> None:
    assert await compiled(type=None, credit_limit__lte=Decimal("2.5"), id__in=[1, 2], is_company=False) == [
        "&", "&", "&",
        ("type", "=", False), ("credit_limit", "<=", 2.5), ("id", "in", [1, 2]), ("is_company", "=", False),
    ]  # fmt: skip
    assert await compiled([("type", "not in", ["contact", False])]) == [
        ("type", "not in", ["contact", False])
    ]
    assert await compiled(create_date__gte="2024-01-31", date__in=["2024-01-31", dt.date(2024, 2, 1)]) == [
        "&", ("create_date", ">=", "2024-01-31"), ("date", "in", ["2024-01-31", "2024-02-01"]),
    ]  # fmt: skip
    # a selection matches patterns on its keys, as Odoo lets it (not only char, text and html)
    assert await compiled(type__ilike="inv") == [("type", "ilike", "inv")]


@pytest.mark.parametrize(
    "condition",
    [Q(credit_limit__gt=float("nan")), Q(credit_limit__in=[1.0, float("inf")]), [("credit_limit", "<", float("-inf"))],
     Q(credit_limit=Decimal("NaN"))],
)  # fmt: skip
async def test_nan_and_infinity_are_refused_in_filters(condition: Any) -> None:
    """JSON has no NaN: orjson would send null, and Odoo would compare with empty."""
    with pytest.raises(InvalidValueError, match=r"cannot send .* to Odoo for res.partner.credit_limit: JSON has no NaN"):
        await compiled(condition)


async def test_numpy_and_pandas_scalars_in_filters() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    domain = await compiled(
        Q(id=np.int64(3), credit_limit__gte=np.float32(0.5), is_company=np.bool_(True), email__isnull=np.bool_(True),
          id__in=np.array([1, 2]), create_date__lt=pd.Timestamp("2024-01-31 10:00", tz="UTC"), date=pd.NaT),
        [("parent_id", "=", np.int32(4))],
    )  # fmt: skip
    assert domain[-8:] == [
        ("id", "=", 3), ("credit_limit", ">=", 0.5), ("is_company", "=", True), ("email", "=", False),
        ("id", "in", [1, 2]), ("create_date", "<", "2024-01-31 10:00:00"), ("date", "=", False), ("parent_id", "=", 4),
    ]  # fmt: skip
    assert all(type(leaf[2]) in (int, float, bool, str, list) for leaf in domain[-8:])


def test_escape_like() -> None:
    assert escape_like("100%_\\") == "100\\%\\_\\\\"


def test_q_equality_and_repr() -> None:
    assert Q(name="a") & Q(email="b") == Q(name="a", email="b")
    assert repr(~Q(name="a", email="b")) == "Q(~(name='a' & email='b'))"
    assert (
        repr((Q(name="a") | Q(email="b")) & Q(is_company=True))
        == "Q((name='a' | email='b') & is_company=True)"
    )
    assert Q() & Q(name="a") == Q(name="a") == Q(name="a") & Q()  # TRUE & a is a
    assert repr(Q() & Q()) == "Q(TRUE)" and repr(Q() | Q(name="a")) == "Q(TRUE | name='a')"


def test_a_querysets_repr_shows_its_filters_only() -> None:
    """What a notebook shows of a QuerySet (its repr, the caption of its HTML table)."""
    partners = ZenooClient("http://localhost:8069").model("res.partner")
    shown = repr(partners.filter(name="x").exclude(ref="y"))
    assert shown == "QuerySet('res.partner', where=Q(name='x' & ~ref='y'))"
