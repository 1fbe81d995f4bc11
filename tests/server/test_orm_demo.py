"""Demo data of the embedded ORM: deterministic per seed, scalable, consistent."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from zenoo.testing.orm import Registry

ADMIN = 2
FIELDS = [
    "name",
    "email",
    "country_id",
    "category_id",
    "parent_id",
    "is_company",
    "type",
    "create_date",
    "active",
]


def snapshot(reg: Registry) -> list[dict[str, Any]]:
    return reg.execute_kw(
        ADMIN,
        "res.partner",
        "search_read",
        [[]],
        {"fields": FIELDS, "order": "id", "context": {"active_test": False}},
    )


@pytest.mark.parametrize("version", [17, 19])
def test_same_seed_same_data_other_seed_other_data(version: int) -> None:
    first, second, other = Registry(version), Registry(version), Registry(version, seed=7)
    try:
        assert snapshot(first) == snapshot(second)
        assert snapshot(first) != snapshot(other)
        orders = [
            reg.execute_kw(
                ADMIN, "sale.order", "search_read", [[]], {"fields": ["name", "amount_total"], "order": "id"}
            )
            for reg in (first, second)
        ]
        assert orders[0] == orders[1]
    finally:
        for reg in (first, second, other):
            reg.close()


@pytest.mark.parametrize("version", [17, 19])
def test_small_scale_contents(version: int) -> None:
    reg = Registry(version)
    try:

        def count(model: str, domain: list[Any] | None = None, **context: Any) -> int:
            return reg.execute_kw(ADMIN, model, "search_count", [domain or []], {"context": context})

        partners = count("res.partner", active_test=False)
        assert 100 <= partners <= 300
        assert 0 < count("res.partner", [("active", "=", False)]) < partners // 5
        assert count("res.partner", [("is_company", "=", True), ("child_ids", "!=", False)]) > 10
        assert count("res.partner", [("category_id", "!=", False)]) > 5
        assert 24 <= count("sale.order") <= 100 and count("sale.order.line") >= count("sale.order")
        assert count("crm.lead", active_test=False) >= 20 and count("product.product") == count(
            "product.template"
        )
        assert count("res.country") > 20 and count("ir.model.data", [("name", "=", "be")]) == 1
        # order totals are the sums of their lines
        orders = reg.execute_kw(
            ADMIN, "sale.order", "search_read", [[]], {"fields": ["amount_untaxed", "order_line"]}
        )
        lines = reg.execute_kw(
            ADMIN, "sale.order.line", "search_read", [[]], {"fields": ["order_id", "price_subtotal"]}
        )
        totals: dict[int, float] = {}
        for line in lines:
            totals[line["order_id"][0]] = totals.get(line["order_id"][0], 0.0) + line["price_subtotal"]
        assert all(abs(order["amount_untaxed"] - totals[order["id"]]) < 0.01 for order in orders)
        # contacts carry their company in their display name
        contact = reg.execute_kw(
            ADMIN,
            "res.partner",
            "search_read",
            [[("parent_id.is_company", "=", True)]],
            {"fields": ["display_name", "name", "parent_id"], "limit": 1},
        )[0]
        assert contact["display_name"] == f"{contact['parent_id'][1]}, {contact['name']}"
    finally:
        reg.close()


def test_integer_scale_and_invalid_scales() -> None:
    reg = Registry(17, scale=1_000)
    try:
        total = reg.execute_kw(
            ADMIN, "res.partner", "search_count", [[]], {"context": {"active_test": False}}
        )
        assert total == 1_000 + 8  # generated partners, plus 2 companies' and 6 users' own partners on 17
        assert reg.execute_kw(ADMIN, "sale.order", "search_count", [[]], {}) == 200
    finally:
        reg.close()
    for bad in ("huge", 3, True):
        with pytest.raises(ValueError, match="Invalid scale"):
            Registry(19, scale=bad)
    with pytest.raises(ValueError, match="Unsupported Odoo version"):
        Registry(18)


def test_database_file(tmp_path: Any) -> None:
    path = tmp_path / "zenoo.sqlite"
    reg = Registry(17, path=str(path))
    partner = reg.execute_kw(ADMIN, "res.partner", "create", [{"name": "on-disk"}], {})
    reg.close()
    with sqlite3.connect(path) as db:  # committed to the file
        assert db.execute("SELECT name FROM res_partner WHERE id = ?", (partner,)).fetchone() == ("on-disk",)
    with pytest.raises(ValueError, match="already exists"):
        Registry(17, path=str(path))


def test_bulk_read_shape_at_medium_scale() -> None:
    """5,000 rows x 10 fields in one search_read, with a many2one and a many2many (timing lives in bench)."""
    reg = Registry(19, scale=6_000)
    try:
        rows = reg.execute_kw(
            ADMIN,
            "res.partner",
            "search_read",
            [[]],
            {
                "fields": [
                    "name",
                    "email",
                    "phone",
                    "country_id",
                    "category_id",
                    "is_company",
                    "create_date",
                    "type",
                    "city",
                    "parent_id",
                ],
                "limit": 5000,
                "order": "id",
            },
        )
        assert len(rows) == 5000 and len(rows[0]) == 11
        assert any(row["category_id"] for row in rows) and any(row["parent_id"] for row in rows)
        assert all(row["country_id"] is False or isinstance(row["country_id"][1], str) for row in rows)
    finally:
        reg.close()
