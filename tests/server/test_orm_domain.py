"""Domain evaluation of the embedded ORM: every operator, paths, NULL semantics, active_test, errors."""

from __future__ import annotations

from typing import Any

import pytest

from zenoo.testing.orm import OdooException, Registry

from .orm_calls import call


@pytest.fixture
def family(reg: Registry) -> dict[str, int]:
    """A company with three contacts (one archived) and two tags, all created by the test."""
    be = call(reg, "res.country", "search", [("code", "=", "BE")])[0]
    us = call(reg, "res.country", "search", [("code", "=", "US")])[0]
    tag_root = call(reg, "res.partner.category", "create", {"name": "dom-root"})
    tag_leaf = call(reg, "res.partner.category", "create", {"name": "dom-leaf", "parent_id": tag_root})
    company = call(
        reg, "res.partner", "create", {"name": "Dom Company", "is_company": True, "country_id": be}
    )
    alpha, beta, gamma = call(
        reg,
        "res.partner",
        "create",
        [
            {
                "name": "Alpha 50%",
                "email": "alpha@dom.example.com",
                "parent_id": company,
                "country_id": be,
                "category_id": [(6, 0, [tag_root])],
                "credit_limit": 100.0,
                "ref": "R_1",
            },
            {"name": "beta", "parent_id": company, "type": "invoice"},
            {
                "name": "Gamma",
                "email": "GAMMA@dom.example.com",
                "parent_id": company,
                "country_id": us,
                "category_id": [(6, 0, [tag_root, tag_leaf])],
                "active": False,
                "ref": "Rx1",
            },
        ],
    )
    return {
        "company": company,
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "be": be,
        "us": us,
        "root": tag_root,
        "leaf": tag_leaf,
    }


def names(reg: Registry, family: dict[str, int], *domain: Any, context: dict | None = None) -> list[str]:
    """Names of the family's contacts matching the domain, sorted."""
    full = [("parent_id", "=", family["company"]), *domain]
    rows = call(reg, "res.partner", "search_read", full, fields=["name"], context=context or {})
    return sorted(row["name"] for row in rows)


ALL_ACTIVE = ["Alpha 50%", "beta"]


def test_equality_and_unset_values(reg: Registry, family: dict[str, int]) -> None:
    assert names(reg, family, ("email", "=", "alpha@dom.example.com")) == ["Alpha 50%"]
    assert names(reg, family, ("email", "=", False)) == ["beta"]
    assert names(reg, family, ("email", "!=", False)) == ["Alpha 50%"]
    # != on a nullable column includes the unset rows, as in Odoo
    assert names(reg, family, ("email", "!=", "alpha@dom.example.com")) == ["beta"]
    assert names(reg, family, ("country_id", "=", False)) == ["beta"]
    assert names(reg, family, ("country_id", "!=", family["be"])) == ["beta"]


def test_comparisons_dates_and_numbers(reg: Registry, family: dict[str, int]) -> None:
    leads = call(
        reg,
        "crm.lead",
        "create",
        [{"name": "dom-lead-1", "date_deadline": "2024-01-15"}, {"name": "dom-lead-2"}],
    )
    mine = ("id", "in", leads)
    assert call(reg, "crm.lead", "search", [mine, ("date_deadline", ">=", "2024-01-15")]) == [leads[0]]
    assert call(reg, "crm.lead", "search", [mine, ("date_deadline", "<", "2024-01-15")]) == []
    # a datetime string against a date compares its day
    assert call(reg, "crm.lead", "search", [mine, ("date_deadline", "=", "2024-01-15 10:00:00")]) == [
        leads[0]
    ]
    assert call(reg, "crm.lead", "search", [mine, ("date_deadline", "=", False)]) == [leads[1]]
    assert names(reg, family, ("credit_limit", ">", 50)) == ["Alpha 50%"]
    assert names(reg, family, ("credit_limit", "<=", 0)) == ["beta"]
    # a date-only string against a datetime: "> day" means after that whole day, ">= day" from its start
    today = call(reg, "res.partner", "read", [family["alpha"]], ["create_date"])[0]["create_date"][:10]
    assert names(reg, family, ("create_date", ">=", today)) == ALL_ACTIVE
    assert names(reg, family, ("create_date", ">", today)) == []
    assert names(reg, family, ("create_date", "<=", today)) == ALL_ACTIVE
    assert names(reg, family, ("create_date", ">=", f"{today} 00:00:00")) == ALL_ACTIVE


def test_in_and_not_in_with_false(reg: Registry, family: dict[str, int]) -> None:
    assert names(reg, family, ("country_id", "in", [family["be"], family["us"]])) == ["Alpha 50%"]
    assert names(reg, family, ("country_id", "in", [family["be"], False])) == ALL_ACTIVE
    assert names(reg, family, ("country_id", "in", [])) == []
    # not in keeps unset rows unless False is in the list
    assert names(reg, family, ("country_id", "not in", [family["be"]])) == ["beta"]
    assert names(reg, family, ("country_id", "not in", [family["be"], False])) == []
    assert names(reg, family, ("country_id", "not in", [])) == ALL_ACTIVE
    assert names(reg, family, ("type", "in", ["invoice", "delivery"])) == ["beta"]


def test_like_family(reg: Registry, family: dict[str, int]) -> None:
    assert names(reg, family, ("name", "like", "alpha")) == []  # like is case-sensitive
    assert names(reg, family, ("name", "like", "Alpha")) == ["Alpha 50%"]
    assert names(reg, family, ("name", "ilike", "ALPHA")) == ["Alpha 50%"]
    # as in Odoo (on PostgreSQL), % and _ in the value stay wildcards; a backslash escapes them
    assert names(reg, family, ("name", "ilike", "5_%")) == ["Alpha 50%"]
    assert names(reg, family, ("name", "ilike", "50\\%")) == ["Alpha 50%"]
    assert names(reg, family, ("name", "ilike", "5\\_")) == []
    assert names(reg, family, ("ref", "ilike", "R_1")) == ["Alpha 50%"]
    # =like / =ilike use the value as the pattern
    assert names(reg, family, ("name", "=like", "Al%")) == ["Alpha 50%"]
    assert names(reg, family, ("name", "=like", "al%")) == []
    assert names(reg, family, ("name", "=ilike", "al%")) == ["Alpha 50%"]
    assert names(reg, family, ("name", "=ilike", "b_ta")) == ["beta"]
    # negative like operators include unset values
    assert names(reg, family, ("email", "not ilike", "ALPHA")) == ["beta"]
    assert names(reg, family, ("email", "not like", "alpha")) == ["beta"]


def test_prefix_operators_and_implicit_and(reg: Registry, family: dict[str, int]) -> None:
    assert names(reg, family, "|", ("name", "=", "beta"), ("email", "ilike", "alpha")) == ALL_ACTIVE
    assert names(reg, family, "!", ("name", "=", "beta")) == ["Alpha 50%"]
    assert names(reg, family, "&", ("name", "ilike", "a"), ("email", "=", False)) == ["beta"]
    assert names(reg, family, "!", "|", ("name", "=", "beta"), ("name", "=", "Alpha 50%")) == []
    assert names(reg, family, ("name", "ilike", "a"), ("email", "=", False)) == ["beta"]


def test_negation_follows_the_imitated_version(reg: Registry, family: dict[str, int]) -> None:
    """Odoo 17 pushes '!' into the leaves (opposite operators, SQL NOT for =like...) after turning
    paths into 'any'; Odoo 19 keeps exactly the records the condition leaves out. beta has no email
    and no country."""
    negated_gt = names(reg, family, "!", ("email", ">", "b"))
    negated_path = names(reg, family, "!", ("country_id.code", "=", "BE"))
    negated_pattern = names(reg, family, "!", ("email", "=like", "alpha%"))
    negated_or = names(reg, family, "!", "|", ("email", ">", "b"), ("name", "=", "nobody"))
    if reg.version == 17:
        assert negated_gt == ["Alpha 50%"]  # email <= 'b': an unset email is not <= anything
        assert negated_pattern == []  # NOT (email LIKE ...) is unknown for an unset email
        assert negated_or == ["Alpha 50%"]  # email <= 'b' AND name != 'nobody'
    else:
        assert negated_gt == ALL_ACTIVE
        assert negated_pattern == ["beta"]
        assert negated_or == ALL_ACTIVE
    # a negated path is "not any" in both versions; double negation and negated '=' agree too
    assert negated_path == ["beta"]
    assert names(reg, family, "!", "!", ("email", ">", "b")) == []
    assert names(reg, family, "!", ("email", "=", "alpha@dom.example.com")) == ["beta"]


def test_booleans(reg: Registry, family: dict[str, int]) -> None:
    company = family["company"]
    assert call(reg, "res.partner", "search", [("id", "=", company), ("is_company", "=", True)]) == [company]
    assert call(reg, "res.partner", "search", [("id", "=", company), ("is_company", "!=", True)]) == []
    assert names(reg, family, ("is_company", "=", False)) == ALL_ACTIVE
    assert names(reg, family, ("is_company", "in", [True, False])) == ALL_ACTIVE


def test_active_test(reg: Registry, family: dict[str, int]) -> None:
    assert names(reg, family) == ALL_ACTIVE
    assert names(reg, family, context={"active_test": False}) == ["Alpha 50%", "Gamma", "beta"]
    # mentioning active in the domain turns the implicit filter off
    assert names(reg, family, ("active", "=", False)) == ["Gamma"]
    assert names(reg, family, ("active", "in", [True, False])) == ["Alpha 50%", "Gamma", "beta"]
    # read() by id works on archived records
    assert call(reg, "res.partner", "read", [family["gamma"]], ["active"]) == [
        {"id": family["gamma"], "active": False}
    ]
    # archived children are hidden from x2many values too
    child_ids = call(reg, "res.partner", "read", [family["company"]], ["child_ids"])[0]["child_ids"]
    assert sorted(child_ids) == sorted([family["alpha"], family["beta"]])


def test_dotted_paths(reg: Registry, family: dict[str, int]) -> None:
    assert names(reg, family, ("country_id.code", "=", "BE")) == ["Alpha 50%"]
    assert names(reg, family, ("category_id.name", "=", "dom-root")) == ["Alpha 50%"]
    assert names(reg, family, ("parent_id.name", "=", "Dom Company")) == ALL_ACTIVE
    companies = call(reg, "res.partner", "search", [("child_ids.email", "=", "alpha@dom.example.com")])
    assert companies == [family["company"]]
    # an archived child does not count under active_test
    assert call(reg, "res.partner", "search", [("child_ids.name", "=", "Gamma")]) == []
    found = call(
        reg, "res.partner", "search", [("child_ids.name", "=", "Gamma")], context={"active_test": False}
    )
    assert found == [family["company"]]


def test_x2many_values(reg: Registry, family: dict[str, int]) -> None:
    context = {"active_test": False}
    assert names(reg, family, ("category_id", "in", [family["leaf"]]), context=context) == ["Gamma"]
    assert names(reg, family, ("category_id", "=", family["root"]), context=context) == ["Alpha 50%", "Gamma"]
    assert names(reg, family, ("category_id", "=", False), context=context) == ["beta"]
    assert names(reg, family, ("category_id", "!=", False), context=context) == ["Alpha 50%", "Gamma"]
    assert names(reg, family, ("category_id", "not in", [family["leaf"]]), context=context) == [
        "Alpha 50%",
        "beta",
    ]
    # a name instead of ids matches on the related records' names (a tag's own or its full path)
    assert names(reg, family, ("category_id", "ilike", "leaf"), context=context) == ["Gamma"]
    assert names(reg, family, ("category_id", "=", "dom-leaf"), context=context) == ["Gamma"]
    assert names(reg, family, ("category_id", "=", "dom-root / dom-leaf"), context=context) == ["Gamma"]
    assert names(reg, family, ("category_id", "in", ["dom-leaf", "nothing"]), context=context) == ["Gamma"]
    assert names(reg, family, ("country_id", "ilike", "belg")) == ["Alpha 50%"]
    assert call(
        reg, "res.partner", "search", [("id", "=", family["company"]), ("child_ids", "!=", False)]
    ) == [family["company"]]


def test_any_and_not_any(reg: Registry, family: dict[str, int]) -> None:
    assert names(reg, family, ("country_id", "any", [("code", "=", "BE")])) == ["Alpha 50%"]
    assert names(reg, family, ("country_id", "not any", [("code", "=", "BE")])) == ["beta"]
    assert names(reg, family, ("category_id", "any", [("name", "=", "dom-root")])) == ["Alpha 50%"]
    assert names(reg, family, ("category_id", "not any", [("name", "=", "dom-root")])) == ["beta"]


def test_child_of_and_parent_of(reg: Registry, family: dict[str, int]) -> None:
    company, alpha = family["company"], family["alpha"]
    below = call(reg, "res.partner", "search", [("id", "child_of", company)], order="id")
    assert below == sorted([company, alpha, family["beta"]])
    above = call(reg, "res.partner", "search", [("id", "parent_of", [alpha])], order="id")
    assert above == [company, alpha]
    tagged = call(
        reg,
        "res.partner",
        "search",
        [("category_id", "child_of", family["root"])],
        context={"active_test": False},
        order="id",
    )
    assert tagged == [alpha, family["gamma"]]
    leaf_parents = call(
        reg, "res.partner.category", "search", [("id", "parent_of", family["leaf"])], order="id"
    )
    assert leaf_parents == [family["root"], family["leaf"]]


def test_display_name_and_true_leaf(reg: Registry, family: dict[str, int]) -> None:
    """19 searches display_name by name; 17 cannot search it and ignores the condition."""
    expected = ["Alpha 50%"] if reg.version >= 19 else ALL_ACTIVE
    assert names(reg, family, ("display_name", "ilike", "Dom Company, Alpha")) == expected
    assert names(reg, family, (1, "=", 1)) == ALL_ACTIVE
    assert names(reg, family, (0, "=", 1)) == []


def odoo_error(reg: Registry, domain: Any) -> OdooException:
    with pytest.raises(OdooException) as caught:
        call(reg, "res.partner", "search", domain)
    return caught.value


def test_unknown_field_error(reg: Registry) -> None:
    error = odoo_error(reg, [("no_such_field", "=", 1)])
    assert error.odoo_name == "builtins.ValueError"
    word = "condition" if reg.version >= 19 else "leaf"
    assert error.message == f"Invalid field res.partner.no_such_field in {word} ('no_such_field', '=', 1)"
    assert error.arguments == [error.message]
    assert error.json2_status == 500
    dotted = odoo_error(reg, [("country_id.nope", "=", 1)])
    assert "res.country.nope" in dotted.message


def test_unknown_operator_error(reg: Registry) -> None:
    error = odoo_error(reg, [("name", "likeish", "x")])
    expected = (
        "Invalid operator in condition ('name', 'likeish', 'x')"
        if reg.version >= 19
        else "Invalid leaf ('name', 'likeish', 'x')"
    )
    assert (error.odoo_name, error.message) == ("builtins.ValueError", expected)


def test_malformed_leaf_error(reg: Registry) -> None:
    error = odoo_error(reg, [["name", "="]])
    expected = (
        "Domain() invalid item in domain: ['name', '=']"
        if reg.version >= 19
        else "not enough values to unpack (expected 3, got 2)"
    )
    assert (error.odoo_name, error.message) == ("builtins.ValueError", expected)
    assert error.debug.endswith(f"ValueError: {expected}")


def test_ordering(reg: Registry, family: dict[str, int]) -> None:
    ids = [family["alpha"], family["beta"]]
    by_name_desc = call(reg, "res.partner", "search", [("id", "in", ids)], order="name desc, id")
    assert by_name_desc == [family["beta"], family["alpha"]]
    # unset values sort last ascending and first descending (PostgreSQL's rule)
    asc = call(reg, "res.partner", "search", [("id", "in", ids)], order="email asc")
    desc = call(reg, "res.partner", "search", [("id", "in", ids)], order="email desc")
    assert asc == [family["alpha"], family["beta"]] and desc == [family["beta"], family["alpha"]]
    assert call(reg, "res.partner", "search", [("id", "in", ids)], order="email asc nulls first") == desc
    assert sorted(call(reg, "res.partner", "search", [("id", "in", ids)], limit=0)) == sorted(
        ids
    )  # 0: no limit
    # text sorts by bytes, as in the databases Odoo creates (LC_COLLATE 'C'): uppercase first
    words = call(reg, "res.partner", "create", [{"name": "Banana"}, {"name": "apple"}, {"name": "cherry"}])
    assert call(reg, "res.partner", "search", [("id", "in", words)], order="name") == words
    with pytest.raises(OdooException, match='Invalid "order" specified'):
        call(reg, "res.partner", "search", [], order="name sideways")
    with pytest.raises(OdooException, match="Invalid field 'nope' on model 'res.partner'"):
        call(reg, "res.partner", "search", [], order="nope")
