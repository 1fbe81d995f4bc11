"""Random domains compiled to SQL agree with a plain-Python reading of Odoo's domain semantics."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenoo.testing.orm import Registry

ADMIN = 2
WORDS = ["ab", "Ab", "abc", "b", "Bc", "ca"]
TAG_NAMES = ["prop-red", "prop-blue", "prop-green"]


@pytest.fixture(scope="module", params=[17, 19])
def population(request: pytest.FixtureRequest) -> Any:
    """A registry and a dozen partners of the module's own, with their values as Python sees them."""
    reg = Registry(version=request.param)
    countries = reg.execute_kw(ADMIN, "res.country", "search", [[]], {"limit": 2, "order": "id"})
    codes = {
        row["id"]: row["code"]
        for row in reg.execute_kw(ADMIN, "res.country", "read", [countries, ["code"]], {})
    }
    tags = reg.execute_kw(ADMIN, "res.partner.category", "create", [[{"name": n} for n in TAG_NAMES]], {})
    marker = "prop-population"  # in ref: the module's partners are not contacts of one parent, which
    # would share the parent's address (country) as Odoo syncs it
    records = []
    for index in range(12):
        values = {
            "name": WORDS[index % len(WORDS)] + str(index % 3),
            "email": None if index % 4 == 0 else f"{WORDS[(index * 5) % len(WORDS)]}@x",
            "color": index % 3,
            "is_company": index % 2 == 0,
            "type": ["contact", "invoice", "delivery"][index % 3],
            "country_id": None if index % 3 == 1 else countries[index % 2],
        }
        sent = {key: (False if value is None else value) for key, value in values.items()}
        own_tags = [tags[t] for t in range(len(tags)) if (index >> t) & 1]
        record_id = reg.execute_kw(
            ADMIN,
            "res.partner",
            "create",
            [{**sent, "ref": marker, "category_id": [(6, 0, own_tags)]}],
            {},
        )
        values["country_id.code"] = codes.get(values["country_id"])  # type: ignore[arg-type]
        values["category_id"] = own_tags
        values["category_id.name"] = [TAG_NAMES[tags.index(t)] for t in own_tags]
        records.append((record_id, values))
    yield reg, marker, records, countries, tags, request.param
    reg.close()


def like(pattern: str, text: str, insensitive: bool) -> bool:
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, re.IGNORECASE | re.DOTALL if insensitive else re.DOTALL) is not None


def leaf_matches(field: str, operator: str, value: Any, current: Any, version: int = 17) -> bool:
    """Odoo's meaning of one leaf on one stored value (None: unset; a list: an x2many's values).
    Odoo 19 orders an unset text as '' (its falsy value)."""
    if field == "category_id":  # x2many: "some related record is one of these" / "none is"
        wanted = [v for v in (value if isinstance(value, list) else [value]) if v is not False]
        empty_wanted = value is False or (isinstance(value, list) and False in value)
        hit = bool(set(current) & set(wanted)) or (empty_wanted and not current)
        return hit if operator in ("=", "in") else not hit
    if field == "category_id.name":  # a path through an x2many: some related record matches
        return any(leaf_matches("name", operator, value, name) for name in current)
    if field == "country_id.code":  # a path through a many2one: the related record exists and matches
        return current is not None and leaf_matches("name", operator, value, current)
    if field == "is_company":
        current = bool(current)
        if operator in ("in", "not in"):
            inside = current in {bool(v) for v in value}
            return inside if operator == "in" else not inside
        return (current == bool(value)) if operator == "=" else (current != bool(value))
    if operator in ("in", "not in"):
        concrete = [v for v in value if v is not False]
        hit = current in concrete or (current is None and False in value)
        if operator == "in":
            return hit
        return not hit if False in value else (current is None or current not in concrete)
    if operator == "=":
        return current is None if value is False else current == value
    if operator == "!=":
        return current is not None if value is False else (current is None or current != value)
    if operator in ("<", "<=", ">", ">="):
        if current is None and version >= 19 and isinstance(value, str):
            current = ""
        if current is None:
            return False
        return {"<": current < value, "<=": current <= value, ">": current > value, ">=": current >= value}[
            operator
        ]
    insensitive = "ilike" in operator
    pattern = value if operator.startswith("=") else f"%{value}%"
    if operator.startswith("not "):
        return current is None or not like(pattern, current, insensitive)
    return current is not None and like(pattern, current, insensitive)


def leaves(countries: list[int], tags: list[int]) -> st.SearchStrategy[tuple[str, str, Any]]:
    text = st.sampled_from(WORDS + ["a", "C"])
    text_ops = st.sampled_from(["=", "!=", "like", "ilike", "not like", "not ilike", "<", ">="])
    pattern_ops = st.sampled_from(["=like", "=ilike"])
    patterns = st.sampled_from(["a%", "A%", "%c", "_b%", "%", "ab_"])
    country = st.sampled_from([*countries, False])
    return st.one_of(
        st.tuples(st.sampled_from(["name", "email"]), text_ops, text),
        st.tuples(st.sampled_from(["name", "email"]), pattern_ops, patterns),
        st.tuples(st.just("email"), st.sampled_from(["=", "!="]), st.just(False)),
        st.tuples(
            st.sampled_from(["email", "type"]),
            st.sampled_from(["in", "not in"]),
            st.lists(st.sampled_from(["contact", "invoice", "ab@x", False]), max_size=3),
        ),
        st.tuples(st.just("color"), st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), st.integers(0, 2)),
        st.tuples(st.just("is_company"), st.sampled_from(["=", "!="]), st.booleans()),
        st.tuples(
            st.just("is_company"), st.sampled_from(["in", "not in"]), st.lists(st.booleans(), max_size=2)
        ),
        st.tuples(st.just("country_id"), st.sampled_from(["=", "!="]), country),
        st.tuples(st.just("country_id"), st.sampled_from(["in", "not in"]), st.lists(country, max_size=3)),
        st.tuples(
            st.just("country_id.code"),
            st.sampled_from(["=", "!=", "ilike"]),
            st.sampled_from(["BE", "be", "US", "Z"]),
        ),
        st.tuples(
            st.just("category_id"),
            st.sampled_from(["in", "not in"]),
            st.lists(st.sampled_from([*tags, False]), max_size=2),
        ),
        st.tuples(st.just("category_id"), st.sampled_from(["=", "!="]), st.sampled_from([*tags, False])),
        st.tuples(
            st.just("category_id.name"),
            st.sampled_from(["=", "!=", "ilike", "not ilike"]),
            st.sampled_from([*TAG_NAMES, "RED", "prop"]),
        ),
    )


def trees(countries: list[int], tags: list[int]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves(countries, tags),
        lambda children: st.one_of(
            st.tuples(st.just("!"), children),
            st.tuples(st.sampled_from(["&", "|"]), children, children),
        ),
        max_leaves=6,
    )


def to_prefix(tree: Any) -> list[Any]:
    if tree[0] == "!":
        return ["!", *to_prefix(tree[1])]
    if tree[0] in ("&", "|") and len(tree) == 3 and isinstance(tree[1], tuple):
        return [tree[0], *to_prefix(tree[1]), *to_prefix(tree[2])]
    return [list(tree)]


OPPOSITE_17 = {
    "<": ">=",
    ">": "<=",
    "<=": ">",
    ">=": "<",
    "=": "!=",
    "!=": "=",
    "in": "not in",
    "not in": "in",
    "like": "not like",
    "not like": "like",
    "ilike": "not ilike",
    "not ilike": "ilike",
}


def evaluate_negated_17(tree: Any, values: dict[str, Any]) -> bool:
    """Odoo 17's '!': pushed down to the leaves (De Morgan), which take the opposite operator;
    a leaf without one (=like, =ilike) is negated in SQL, where an unset value stays unknown.
    A path became 'any' before, so its negation is 'not any': the complement."""
    if tree[0] == "!":
        return evaluate(tree[1], values, 17)
    if tree[0] in ("&", "|") and len(tree) == 3 and isinstance(tree[1], tuple):
        swapped = "|" if tree[0] == "&" else "&"
        return evaluate((swapped, ("!", tree[1]), ("!", tree[2])), values, 17)
    field, operator, value = tree
    if "." in field:
        return not leaf_matches(field, operator, value, values[field])
    if operator in OPPOSITE_17:
        return leaf_matches(field, OPPOSITE_17[operator], value, values[field])
    return values[field] is not None and not leaf_matches(field, operator, value, values[field])


def evaluate(tree: Any, values: dict[str, Any], version: int) -> bool:
    if tree[0] == "!":
        if version == 17:
            return evaluate_negated_17(tree[1], values)
        return not evaluate(tree[1], values, version)  # Odoo 19: the records the condition leaves out
    if tree[0] == "&" and len(tree) == 3 and isinstance(tree[1], tuple):
        return evaluate(tree[1], values, version) and evaluate(tree[2], values, version)
    if tree[0] == "|" and len(tree) == 3 and isinstance(tree[1], tuple):
        return evaluate(tree[1], values, version) or evaluate(tree[2], values, version)
    field, operator, value = tree
    return leaf_matches(field, operator, value, values[field], version)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_domains_match_the_reference(population: Any, data: st.DataObject) -> None:
    reg, marker, records, countries, tags, version = population
    first = data.draw(trees(countries, tags))
    second = data.draw(trees(countries, tags))
    # two terms side by side: the implicit AND of consecutive terms is part of the grammar
    domain = [["ref", "=", marker], *to_prefix(first), *to_prefix(second)]
    found = set(reg.execute_kw(ADMIN, "res.partner", "search", [domain], {}))
    expected = {
        rid
        for rid, values in records
        if evaluate(first, values, version) and evaluate(second, values, version)
    }
    assert found == expected, domain
