"""Grouped and shaped reads of the embedded ORM: read_group, formatted_read_group, web_* methods."""

from __future__ import annotations

from typing import Any

import pytest

from zenoo.testing.orm import OdooException, Registry

from .orm_calls import call


@pytest.fixture
def orders(reg: Registry) -> dict[str, Any]:
    """Four orders of two customers of the test's own, over two months, with known totals."""
    product = call(reg, "product.product", "create", {"name": "grp-widget", "lst_price": 100.0})
    alpha, beta = call(reg, "res.partner", "create", [{"name": "grp-alpha"}, {"name": "grp-beta"}])

    def order(partner: int, when: str, qty: float) -> int:
        return call(
            reg,
            "sale.order",
            "create",
            {
                "partner_id": partner,
                "date_order": when,
                "order_line": [(0, 0, {"product_id": product, "product_uom_qty": qty})],
            },
        )

    ids = [
        order(alpha, "2023-03-05 10:00:00", 1),
        order(alpha, "2023-03-20 10:00:00", 2),
        order(beta, "2023-04-02 08:00:00", 4),
        order(beta, "2023-05-30 23:00:00", 1),
    ]
    call(reg, "sale.order", "write", [ids[0]], {"state": "sale"})
    return {"ids": ids, "alpha": alpha, "beta": beta, "domain": [("id", "in", ids)]}


def test_read_group_lazy_by_many2one(reg: Registry, orders: dict[str, Any]) -> None:
    groups = call(reg, "sale.order", "read_group", orders["domain"], ["amount_untaxed:sum"], ["partner_id"])
    domain = [["id", "in", orders["ids"]]]
    assert groups == [
        {
            "partner_id": [orders["alpha"], "grp-alpha"],
            "partner_id_count": 2,
            "amount_untaxed": 300.0,
            "__domain": ["&", *domain, ["partner_id", "=", orders["alpha"]]],
        },
        {
            "partner_id": [orders["beta"], "grp-beta"],
            "partner_id_count": 2,
            "amount_untaxed": 500.0,
            "__domain": ["&", *domain, ["partner_id", "=", orders["beta"]]],
        },
    ]
    ordered = call(
        reg,
        "sale.order",
        "read_group",
        orders["domain"],
        ["amount_untaxed:sum"],
        ["partner_id"],
        orderby="amount_untaxed desc",
        limit=1,
    )
    assert [g["partner_id"][0] for g in ordered] == [orders["beta"]]


def test_read_group_count_and_plain_fields(reg: Registry, orders: dict[str, Any]) -> None:
    groups = call(
        reg,
        "sale.order",
        "read_group",
        orders["domain"],
        ["__count", "partner_id", "amount_untaxed"],
        ["partner_id"],
    )
    assert [set(g) for g in groups] == [{"partner_id", "partner_id_count", "amount_untaxed", "__domain"}] * 2
    # unset many2one values form their own group, last
    lonely = call(reg, "res.partner", "create", {"name": "grp-lonely"})
    rows = call(
        reg,
        "res.partner",
        "read_group",
        [("id", "in", [lonely, orders["alpha"]])],
        ["__count"],
        ["country_id"],
    )
    assert rows == [
        {
            "country_id": False,
            "country_id_count": 2,
            "__domain": ["&", ["id", "in", [lonely, orders["alpha"]]], ["country_id", "=", False]],
        }
    ]


def test_read_group_by_month_and_granularities(reg: Registry, orders: dict[str, Any]) -> None:
    months = call(
        reg, "sale.order", "read_group", orders["domain"], ["amount_untaxed:sum"], ["date_order:month"]
    )
    assert [(g["date_order:month"], g["date_order_count"], g["amount_untaxed"]) for g in months] == [
        ("March 2023", 2, 300.0),
        ("April 2023", 1, 400.0),
        ("May 2023", 1, 100.0),
    ]
    assert months[0]["__range"] == {
        "date_order:month": {"from": "2023-03-01 00:00:00", "to": "2023-04-01 00:00:00"}
    }
    assert months[0]["__domain"][-2:] == [
        ["date_order", ">=", "2023-03-01 00:00:00"],
        ["date_order", "<", "2023-04-01 00:00:00"],
    ]
    labels = {
        "day": ["05 Mar 2023", "20 Mar 2023", "02 Apr 2023", "30 May 2023"],
        "week": ["W10 2023", "W12 2023", "W14 2023", "W22 2023"],  # en_US weeks: from Sunday
        "quarter": ["Q1 2023", "Q2 2023"],
        "year": ["2023"],
    }
    for granularity, expected in labels.items():
        spec = f"date_order:{granularity}"
        rows = call(reg, "sale.order", "read_group", orders["domain"], ["__count"], [spec])
        assert [row[spec] for row in rows] == expected
    week = call(reg, "sale.order", "read_group", orders["domain"], ["__count"], ["date_order:week"])[0]
    assert week["__range"]["date_order:week"] == {"from": "2023-03-05 00:00:00", "to": "2023-03-12 00:00:00"}


def test_datetime_groups_follow_the_context_time_zone(reg: Registry, orders: dict[str, Any]) -> None:
    # 2023-05-30 23:00 UTC is already 31 May in Brussels (UTC+2), and 2023-03-31 23:30 UTC is April there
    late = call(
        reg, "sale.order", "create", {"partner_id": orders["alpha"], "date_order": "2023-03-31 23:30:00"}
    )
    domain = [("id", "in", [*orders["ids"], late])]
    utc = call(reg, "sale.order", "read_group", domain, ["__count"], ["date_order:month"])
    local = call(
        reg,
        "sale.order",
        "read_group",
        domain,
        ["__count"],
        ["date_order:month"],
        context={"tz": "Europe/Brussels"},
    )
    assert [(g["date_order:month"], g["date_order_count"]) for g in utc] == [
        ("March 2023", 3),
        ("April 2023", 1),
        ("May 2023", 1),
    ]
    assert [(g["date_order:month"], g["date_order_count"]) for g in local] == [
        ("March 2023", 2),
        ("April 2023", 2),
        ("May 2023", 1),
    ]
    # bounds stay UTC times: local midnight of the period's first day
    assert local[1]["__range"]["date_order:month"] == {
        "from": "2023-03-31 22:00:00",
        "to": "2023-04-30 22:00:00",
    }
    days = call(
        reg,
        "sale.order",
        "read_group",
        domain,
        ["__count"],
        ["date_order:day"],
        context={"tz": "Europe/Brussels"},
    )
    assert days[-1]["date_order:day"] == "31 May 2023"
    unknown = call(
        reg,
        "sale.order",
        "read_group",
        domain,
        ["__count"],
        ["date_order:month"],
        context={"tz": "Not/AZone"},
    )
    assert unknown == utc  # an unknown zone groups in UTC


def test_read_group_non_lazy_and_lazy_context(reg: Registry, orders: dict[str, Any]) -> None:
    rows = call(
        reg,
        "sale.order",
        "read_group",
        orders["domain"],
        ["amount_untaxed:sum"],
        ["state", "partner_id"],
        lazy=False,
    )
    assert [(r["state"], r["partner_id"][0], r["__count"], r["amount_untaxed"]) for r in rows] == [
        ("draft", orders["alpha"], 1, 200.0),
        ("draft", orders["beta"], 2, 500.0),
        ("sale", orders["alpha"], 1, 100.0),
    ]
    assert rows[0]["__domain"] == [
        "&",
        ["id", "in", orders["ids"]],
        "&",
        ["state", "=", "draft"],
        ["partner_id", "=", orders["alpha"]],
    ]
    lazy = call(reg, "sale.order", "read_group", orders["domain"], ["__count"], ["state", "partner_id"])
    assert lazy[0]["state_count"] == 3 and lazy[0]["__context"] == {"group_by": ["partner_id"]}


def test_formatted_read_group_is_19_only(reg: Registry, orders: dict[str, Any]) -> None:
    if reg.version < 19:
        with pytest.raises(OdooException) as caught:
            call(reg, "sale.order", "formatted_read_group", orders["domain"], ["partner_id"], ["__count"])
        assert (
            caught.value.message
            == "The method 'formatted_read_group' does not exist on the model 'sale.order'"
        )
        return
    rows = call(
        reg,
        "sale.order",
        "formatted_read_group",
        domain=orders["domain"],
        groupby=["partner_id"],
        aggregates=["amount_untaxed:sum", "__count"],
        order="amount_untaxed:sum desc",
    )
    assert rows == [
        {
            "partner_id": [orders["beta"], "grp-beta"],
            "__extra_domain": [["partner_id", "=", orders["beta"]]],
            "amount_untaxed:sum": 500.0,
            "__count": 2,
        },
        {
            "partner_id": [orders["alpha"], "grp-alpha"],
            "__extra_domain": [["partner_id", "=", orders["alpha"]]],
            "amount_untaxed:sum": 300.0,
            "__count": 2,
        },
    ]
    months = call(
        reg,
        "sale.order",
        "formatted_read_group",
        orders["domain"],
        ["date_order:month"],
        ["amount_untaxed:max", "amount_untaxed:avg"],
        limit=1,
    )
    assert months == [
        {
            "date_order:month": ["2023-03-01 00:00:00", "March 2023"],
            "__extra_domain": [
                "&",
                ["date_order", ">=", "2023-03-01 00:00:00"],
                ["date_order", "<", "2023-04-01 00:00:00"],
            ],
            "amount_untaxed:max": 200.0,
            "amount_untaxed:avg": 150.0,
        }
    ]


def test_web_read_group(reg: Registry, orders: dict[str, Any]) -> None:
    if reg.version >= 19:
        result = call(
            reg, "sale.order", "web_read_group", orders["domain"], ["partner_id"], ["__count"], limit=1
        )
        assert result == {
            "groups": [
                {
                    "partner_id": [orders["alpha"], "grp-alpha"],
                    "__extra_domain": [["partner_id", "=", orders["alpha"]]],
                    "__count": 2,
                }
            ],
            "length": 2,
        }
    else:
        result = call(
            reg, "sale.order", "web_read_group", orders["domain"], ["__count"], ["partner_id"], limit=1
        )
        assert result["length"] == 2 and result["groups"][0]["partner_id_count"] == 2
    unfold = {"auto_unfold": True} if reg.version >= 19 else {"expand": True}
    with pytest.raises(OdooException, match="not supported by the embedded server"):
        call(reg, "sale.order", "web_read_group", orders["domain"], ["partner_id"], ["__count"], **unfold)


def test_group_by_many2many(reg: Registry) -> None:
    red, blue = call(reg, "res.partner.category", "create", [{"name": "grp-red"}, {"name": "grp-blue"}])
    both, only_red, neither = call(
        reg,
        "res.partner",
        "create",
        [
            {"name": "grp-both", "category_id": [(6, 0, [red, blue])]},
            {"name": "grp-red-only", "category_id": [(6, 0, [red])]},
            {"name": "grp-none"},
        ],
    )
    rows = call(
        reg,
        "res.partner",
        "read_group",
        [("id", "in", [both, only_red, neither])],
        ["__count"],
        ["category_id"],
        orderby="category_id",
    )
    assert [(r["category_id"], r["category_id_count"]) for r in rows] == [
        ([blue, "grp-blue"], 1),
        ([red, "grp-red"], 2),
        (False, 1),
    ]
    assert rows[1]["__domain"][-1] == ["category_id", "=", red]
    assert sorted(call(reg, "res.partner", "search", rows[1]["__domain"])) == sorted([both, only_red])
    with pytest.raises(OdooException, match="Invalid field 'child_ids'"):
        call(reg, "res.partner", "read_group", [], ["__count"], ["child_ids"])


def test_read_group_errors(reg: Registry) -> None:
    with pytest.raises(OdooException, match="Invalid field 'nope' on model 'sale.order'"):
        call(reg, "sale.order", "read_group", [], ["__count"], ["nope"])
    with pytest.raises(OdooException, match="private|Private"):
        call(reg, "sale.order", "_read_group", [], ["partner_id"], ["__count"])


@pytest.fixture
def company(reg: Registry) -> dict[str, int]:
    be = call(reg, "res.country", "search", [("code", "=", "BE")])[0]
    tag = call(reg, "res.partner.category", "create", {"name": "web-tag"})
    parent = call(
        reg,
        "res.partner",
        "create",
        {
            "name": "web-co",
            "is_company": True,
            "country_id": be,
            "category_id": [(6, 0, [tag])],
            "child_ids": [
                (0, 0, {"name": "web-c"}),
                (0, 0, {"name": "web-a", "email": "a@web.example.com"}),
                (0, 0, {"name": "web-b"}),
            ],
        },
    )
    return {"parent": parent, "be": be, "tag": tag}


SPEC = {
    "name": {},
    "country_id": {"fields": {"display_name": {}, "code": {}}},
    "category_id": {"fields": {"name": {}}},
    "child_ids": {"fields": {"name": {}, "email": {}}, "limit": 2, "order": "name"},
}


def test_web_read(reg: Registry, company: dict[str, int]) -> None:
    row = call(reg, "res.partner", "web_read", [company["parent"]], SPEC)[0]
    children = call(reg, "res.partner", "search", [("parent_id", "=", company["parent"])], order="name")
    assert row == {
        "id": company["parent"],
        "name": "web-co",
        "country_id": {"id": company["be"], "code": "BE", "display_name": "Belgium"},
        "category_id": [{"id": company["tag"], "name": "web-tag"}],
        "child_ids": [
            {"id": children[0], "name": "web-a", "email": "a@web.example.com"},
            {"id": children[1], "name": "web-b", "email": False},
            {"id": children[2]},
        ],
    }
    plain = call(
        reg, "res.partner", "web_read", [children[0]], {"parent_id": {}, "country_id": {}, "category_id": {}}
    )
    assert plain == [  # a contact has its company's address, country included
        {"id": children[0], "parent_id": company["parent"], "country_id": company["be"], "category_id": []}
    ]
    assert call(reg, "res.partner", "web_read", [99999999], {"name": {}}) == []


def test_web_search_read(reg: Registry, company: dict[str, int]) -> None:
    domain = [("parent_id", "=", company["parent"])]
    page = call(reg, "res.partner", "web_search_read", domain, {"name": {}}, limit=2, order="name")
    assert page["length"] == 3 and [r["name"] for r in page["records"]] == ["web-a", "web-b"]
    rest = call(
        reg,
        "res.partner",
        "web_search_read",
        domain=domain,
        specification={"name": {}},
        offset=2,
        limit=2,
        order="name",
    )
    assert rest == {"length": 3, "records": [{"id": rest["records"][0]["id"], "name": "web-c"}]}
