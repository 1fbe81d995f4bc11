"""load() and export_data() of the embedded ORM: atomicity, external ids, messages, export lines."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from zenoo.testing.orm import OdooException, Registry

from .orm_calls import call


def count_loaded(reg: Registry) -> int:
    return call(
        reg, "res.partner", "search_count", [("name", "=like", "load-%")], context={"active_test": False}
    )


def test_load_creates_and_updates(reg: Registry) -> None:
    created = call(
        reg,
        "res.partner",
        "load",
        ["name", "email", "is_company"],
        [["load-1", "load1@example.com", "1"], ["load-2", "load2@example.com", "0"], ["load-3", "", "true"]],
    )
    assert created["messages"] == [] and created["nextrow"] == 0 and len(created["ids"]) == 3
    rows = call(reg, "res.partner", "read", created["ids"], ["name", "email", "is_company"])
    assert [(r["email"], r["is_company"]) for r in rows] == [
        ("load1@example.com", True),
        ("load2@example.com", False),
        (False, True),
    ]
    first, second, _ = created["ids"]
    updated = call(
        reg,
        "res.partner",
        "load",
        [".id", "name", "email"],
        [[str(first), "load-1-updated", "new@example.com"], [str(second), "load-2-updated", ""]],
    )
    assert updated == {"ids": [first, second], "messages": [], "nextrow": 0}
    assert call(reg, "res.partner", "read", [first, second], ["name", "email"]) == [
        {"id": first, "name": "load-1-updated", "email": "new@example.com"},
        {"id": second, "name": "load-2-updated", "email": False},
    ]


def test_load_is_atomic_on_bad_selection(reg: Registry) -> None:
    before = count_loaded(reg)
    result = call(
        reg, "res.partner", "load", ["name", "type"], [["load-good", "contact"], ["load-bad", "not-a-type"]]
    )
    labels = (
        ["Contact", "Invoice", "Delivery", "Other"]
        if reg.version >= 19
        else ["Contact", "Invoice Address", "Delivery Address", "Other Address"]
    )
    assert result == {
        "ids": False,
        "messages": [
            {
                "rows": {"from": 1, "to": 1},
                "type": "error",
                "record": 1,
                "field": "type",
                "message": "Value 'not-a-type' not found in selection field 'Address Type'",
                "moreinfo": labels,
                "field_name": "Address Type",
            }
        ],
        "nextrow": 0,
    }
    assert count_loaded(reg) == before


def test_load_many2one_by_name_and_unknown_name(reg: Registry) -> None:
    before = count_loaded(reg)
    result = call(
        reg,
        "res.partner",
        "load",
        ["name", "country_id"],
        [["load-good-2", "Belgium"], ["load-bad-2", "Nowhere Land"]],
    )
    message = result["messages"][0]
    assert result["ids"] is False and message["field"] == "country_id"
    assert message["message"] == "No matching record found for name 'Nowhere Land' in field 'Country'"
    assert message["moreinfo"]["res_model"] == "res.country"
    assert message["moreinfo"]["view_mode"] == ("list,form" if reg.version >= 19 else "tree,form")
    assert count_loaded(reg) == before
    ok = call(
        reg, "res.partner", "load", ["name", "country_id", "category_id"], [["load-be", "Belgium", "Gold"]]
    )
    row = call(reg, "res.partner", "read", ok["ids"], ["country_id", "category_id"])[0]
    assert row["country_id"][1] == "Belgium" and len(row["category_id"]) == 1


def test_load_external_ids(reg: Registry) -> None:
    result = call(
        reg,
        "res.partner",
        "load",
        ["id", "name", "country_id/id"],
        [["__import__.load_ext_1", "load-ext-1", "base.be"], ["load_ext_2", "load-ext-2", "base.us"]],
    )
    assert result["messages"] == []
    xids = call(
        reg,
        "ir.model.data",
        "search_read",
        [("name", "=like", "load_ext_%")],
        ["module", "name", "model", "res_id"],
        order="name",
    )
    assert [(x["module"], x["name"], x["model"], x["res_id"]) for x in xids] == [
        ("__import__", "load_ext_1", "res.partner", result["ids"][0]),
        ("__import__", "load_ext_2", "res.partner", result["ids"][1]),
    ]
    again = call(reg, "res.partner", "load", ["id", "email"], [["__import__.load_ext_1", "ext1@example.com"]])
    assert again["ids"] == result["ids"][:1]
    assert (
        call(reg, "res.partner", "read", again["ids"], ["email", "country_id"])[0]["country_id"][1]
        == "Belgium"
    )
    missing = call(reg, "res.partner", "load", ["name", "country_id/id"], [["load-x", "base.nowhere"]])
    assert missing["ids"] is False and "base.nowhere" in missing["messages"][0]["message"]


def test_load_unknown_column(reg: Registry) -> None:
    with pytest.raises(OdooException) as caught:
        call(reg, "res.partner", "load", ["name", "no_such_field"], [["load-x", "1"]])
    if reg.version >= 19:
        assert (caught.value.odoo_name, caught.value.message) == (
            "builtins.ValueError",
            "Invalid field name 'no_such_field'",
        )
    else:
        assert (caught.value.odoo_name, caught.value.message) == ("builtins.KeyError", "no_such_field")


def test_load_reports_record_errors(reg: Registry) -> None:
    result = call(
        reg, "product.template", "load", ["name", "list_price"], [["load-product", "12.5"], ["", "3"]]
    )
    assert result["ids"] is False and result["messages"][0]["record"] == 1
    assert (
        "mandatory" in result["messages"][0]["message"]
        or "Missing required" in result["messages"][0]["message"]
    )
    bad_number = call(reg, "product.template", "load", ["name", "list_price"], [["load-product", "cheap"]])
    assert (
        bad_number["messages"][0]["message"] == "'cheap' does not seem to be a number for field 'Sales Price'"
    )


def _sqlite_steps(reg: Registry, run: Callable[[], object]) -> int:
    """Thousands of SQLite virtual-machine instructions ``run`` takes: a measure of work, not of time."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    reg.connection.set_progress_handler(count, 1000)
    try:
        run()
    finally:
        reg.connection.set_progress_handler(None, 0)
    return steps


def test_load_by_id_costs_the_same_whatever_the_table_size(reg: Registry) -> None:
    """Each row's ``.id`` is looked up by primary key: the statistics SQLite took of the small demo
    table once made it scan an index of the whole table per row (0.4 ms a row at 10,000 rows)."""
    ids = call(reg, "res.partner", "create", [{"name": f"load-{i}"} for i in range(200)])
    rows = [[str(i), f"role {n}"] for n, i in enumerate(ids)]

    def load() -> object:
        return call(reg, "res.partner", "load", [".id", "function"], rows)

    small = _sqlite_steps(reg, load)
    call(reg, "res.partner", "create", [{"name": f"load-more-{i}"} for i in range(5000)])
    large = _sqlite_steps(reg, load)
    assert large < 2 * small, (small, large)
    assert call(reg, "res.partner", "read", ids[-1:], ["function"])[0]["function"] == "role 199"


def test_export_data(reg: Registry) -> None:
    be = call(reg, "res.country", "search", [("code", "=", "BE")])[0]
    tag = call(reg, "res.partner.category", "create", {"name": "exp-tag"})
    company = call(
        reg,
        "res.partner",
        "create",
        {
            "name": "exp-co",
            "is_company": True,
            "country_id": be,
            "category_id": [(6, 0, [tag])],
            "child_ids": [(0, 0, {"name": "exp-a"}), (0, 0, {"name": "exp-b"})],
        },
    )
    loose = call(reg, "res.partner", "create", {"name": "exp-loose"})
    data = call(
        reg,
        "res.partner",
        "export_data",
        [company, loose],
        ["id", "name", "email", "is_company", "country_id", "country_id/id", "category_id/name"],
    )["datas"]
    assert re.match(rf"^__export__\.res_partner_{company}_[0-9a-f]{{8}}$", data[0][0])
    assert data[0][1:] == ["exp-co", "", True, "Belgium", "base.be", "exp-tag"]
    assert data[1][1:] == ["exp-loose", "", False, "", "", ""]
    labels = call(reg, "res.partner", "export_data", [company, loose], ["type", "color", "credit_limit"])[
        "datas"
    ]
    assert labels == [["Contact", 0, 0.0], ["Contact", 0, 0.0]]  # selections as labels, numbers as numbers
    # the export id is created once and reused
    again = call(reg, "res.partner", "export_data", [company], ["id"])["datas"]
    assert again == [[data[0][0]]]
    lines = call(
        reg,
        "res.partner",
        "export_data",
        [company, loose],
        ["name", "country_id", "child_ids/name", "category_id"],
    )["datas"]
    assert lines == [
        ["exp-co", "Belgium", "exp-a", "exp-tag"],
        ["", "", "exp-b", ""],
        ["exp-loose", "", "", ""],
    ]
