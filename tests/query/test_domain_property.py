"""Property: for random Q expressions, the records the embedded server returns for the compiled
domain are exactly those a pure-Python evaluation of the same expression selects from the rows.

The Python side evaluates each lookup by its *meaning* (``startswith`` is ``str.startswith``,
``icontains`` a case-insensitive substring test …), not by re-deriving Odoo operators, so a wrong
operator or a missing escape in the compiler shows up as a mismatch. Rows are read once per
server version. Facts relied on: ``name``, ``is_company``, ``type`` and ``color`` of res.partner
are never empty, while ``email``, ``country_id`` and ``category_id`` (tags) may be, and some
partners have a country and some have tags; countries have a ``code``; case-insensitive matching
is compared on ASCII letters (the generated values are ASCII).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenoo import Client, Q

FIELDS = ["name", "email", "is_company", "type", "country_id", "color", "category_id"]
Row = dict[str, Any]
Predicate = Callable[[Row], bool]


def lower(text: str) -> str:
    return text.translate(str.maketrans(string.ascii_uppercase, string.ascii_lowercase))


def like(value: str | None, pattern: str, *, insensitive: bool) -> bool:
    """SQL LIKE with backslash escapes, as Odoo's like/ilike use it (pattern already wrapped)."""
    if value is None:
        return False
    regex, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if char == "%" else "." if char == "_" else re.escape(char)
        i += 1
    if insensitive:
        value, regex = lower(value), lower(regex)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def text_leaf(fragments: list[str]) -> st.SearchStrategy[tuple[Q, Predicate]]:
    values = st.one_of(
        st.sampled_from(fragments), st.text(string.ascii_letters + " _%-", min_size=1, max_size=3)
    )

    def build(lookup: str, v: str) -> tuple[Q, Predicate]:
        tests: dict[str, Predicate] = {
            "exact": lambda r: r["name"] == v,
            "iexact": lambda r: lower(r["name"]) == lower(v),
            "contains": lambda r: v in r["name"],
            "icontains": lambda r: lower(v) in lower(r["name"]),
            "startswith": lambda r: r["name"].startswith(v),
            "istartswith": lambda r: lower(r["name"]).startswith(lower(v)),
            "endswith": lambda r: r["name"].endswith(v),
            "iendswith": lambda r: lower(r["name"]).endswith(lower(v)),
            "ilike": lambda r: like(r["name"], f"%{v}%", insensitive=True),
            "like": lambda r: like(r["name"], f"%{v}%", insensitive=False),
        }
        return Q(**{f"name__{lookup}": v}), tests[lookup]

    lookups = ["exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith",
               "iendswith", "ilike", "like"]  # fmt: skip
    return st.builds(build, st.sampled_from(lookups), values)


def other_leaves(countries: list[int], emails: list[str]) -> st.SearchStrategy[tuple[Q, Predicate]]:
    def email_null(flag: bool) -> tuple[Q, Predicate]:
        return Q(email__isnull=flag), lambda r: (r["email"] is None) == flag

    def email_contains(v: str) -> tuple[Q, Predicate]:
        return Q(email__icontains=v), lambda r: r["email"] is not None and lower(v) in lower(r["email"])

    def company(flag: bool) -> tuple[Q, Predicate]:
        return Q(is_company=flag), lambda r: r["is_company"] is flag

    def kind(op: str, keys: list[str]) -> tuple[Q, Predicate]:
        if op == "in":
            return Q(type__in=keys), lambda r: r["type"] in keys
        if op == "ne":
            return Q(type__ne=keys[0]), lambda r: r["type"] != keys[0]
        return Q(type=keys[0]), lambda r: r["type"] == keys[0]

    def country(op: str, ids: list[int]) -> tuple[Q, Predicate]:
        if op == "in":
            return Q(country_id__in=ids), lambda r: r["country_id"] in ids
        if op == "ne":
            return Q(country_id__ne=ids[0]), lambda r: r["country_id"] != ids[0]
        if op == "isnull":
            return Q(country_id__isnull=True), lambda r: r["country_id"] is None
        return Q(country_id=ids[0]), lambda r: r["country_id"] == ids[0]

    def color(op: str, n: int) -> tuple[Q, Predicate]:
        import operator

        compare = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
                   "exact": operator.eq, "ne": operator.ne}[op]  # fmt: skip
        return Q(**{f"color__{op}": n}), lambda r: compare(r["color"], n)

    keys = ["contact", "invoice", "delivery", "other"]
    return st.one_of(
        st.builds(email_null, st.booleans()),
        st.builds(email_contains, st.sampled_from(emails)),
        st.builds(company, st.booleans()),
        st.builds(kind, st.sampled_from(["exact", "in", "ne"]), st.lists(st.sampled_from(keys), min_size=1, max_size=3)),
        st.builds(country, st.sampled_from(["exact", "in", "ne", "isnull"]),
                  st.lists(st.sampled_from(countries), min_size=1, max_size=3)),
        st.builds(color, st.sampled_from(["gt", "gte", "lt", "lte", "exact", "ne"]), st.integers(0, 11)),
    )  # fmt: skip


def relational_leaves(codes: dict[int, str], tags: list[int]) -> st.SearchStrategy[tuple[Q, Predicate]]:
    """Dotted paths through a many2one, and conditions on a many2many's related records."""

    def country_code(picked: list[str]) -> tuple[Q, Predicate]:
        return Q(country_id__code__in=picked), lambda r: codes.get(r["country_id"]) in picked

    def tagged(lookup: str, ids: list[int]) -> tuple[Q, Predicate]:
        if lookup == "any":
            return Q(category_id__any=Q(id__in=ids)), lambda r: bool(set(r["category_id"]) & set(ids))
        if lookup == "not_any":
            return Q(category_id__not_any=Q(id__in=ids)), lambda r: not set(r["category_id"]) & set(ids)
        return Q(category_id__isnull=True), lambda r: not r["category_id"]

    return st.one_of(
        st.builds(country_code, st.lists(st.sampled_from(sorted(set(codes.values()))), min_size=1, max_size=3)),
        st.builds(tagged, st.sampled_from(["any", "not_any", "isnull"]),
                  st.lists(st.sampled_from(tags), min_size=1, max_size=3)),
    )  # fmt: skip


def expressions(leaf: st.SearchStrategy[tuple[Q, Predicate]]) -> st.SearchStrategy[tuple[Q, Predicate]]:
    def extend(children: st.SearchStrategy[tuple[Q, Predicate]]) -> st.SearchStrategy[tuple[Q, Predicate]]:
        def both(a: tuple[Q, Predicate], b: tuple[Q, Predicate]) -> tuple[Q, Predicate]:
            return a[0] & b[0], lambda r: a[1](r) and b[1](r)

        def either(a: tuple[Q, Predicate], b: tuple[Q, Predicate]) -> tuple[Q, Predicate]:
            return a[0] | b[0], lambda r: a[1](r) or b[1](r)

        def negate(a: tuple[Q, Predicate]) -> tuple[Q, Predicate]:
            return ~a[0], lambda r: not a[1](r)

        return st.one_of(st.builds(both, children, children), st.builds(either, children, children),
                         st.builds(negate, children))  # fmt: skip

    return st.recursive(leaf, extend, max_leaves=5)


@pytest.fixture
def blocking(embedded: Any) -> Iterator[Client]:
    with Client(embedded.url) as client:
        client.login(embedded.database, embedded.login, embedded.password)
        yield client


def test_compiled_domains_select_what_python_selects(blocking: Client) -> None:
    rows = [
        {
            **row,
            "email": row["email"] or None,
            "country_id": row["country_id"][0] if row["country_id"] else None,
        }
        for row in blocking.search_read("res.partner", [], FIELDS)
    ]
    assert rows and all(row["name"] and row["type"] for row in rows)
    fragments = sorted({word[:3] for row in rows for word in row["name"].split() if word.isascii()})
    emails = sorted({row["email"].split("@")[0][:4] for row in rows if row["email"]}) or ["x"]
    countries = sorted({row["country_id"] for row in rows if row["country_id"]})
    codes = {
        row["id"]: row["code"]
        for row in blocking.search_read("res.country", [("id", "in", countries)], ["code"])
    }
    tags = sorted({tag for row in rows for tag in row["category_id"]})
    assert codes and tags
    partners = blocking.model("res.partner")
    strategy = expressions(
        st.one_of(text_leaf(fragments), other_leaves(countries, emails), relational_leaves(codes, tags))
    )

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy)
    def check(example: tuple[Q, Predicate]) -> None:
        q, predicate = example
        expected = {row["id"] for row in rows if predicate(row)}
        domain = partners.filter(q).compiled_domain()
        assert set(partners.filter(q).ids()) == expected, (q, domain)
        assert partners.filter(domain).compiled_domain() == domain  # the raw domain reads back the same

    check()
