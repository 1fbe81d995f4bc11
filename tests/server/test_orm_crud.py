"""CRUD on the embedded ORM: result shapes, x2many commands, computed values, validation errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zenoo.testing.orm import OdooException, Registry

from .orm_calls import ADMIN, call

STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def error_of(reg: Registry, model: str, method: str, *args: Any, **kwargs: Any) -> OdooException:
    with pytest.raises(OdooException) as caught:
        call(reg, model, method, *args, **kwargs)
    return caught.value


def country(reg: Registry, code: str) -> int:
    return call(reg, "res.country", "search", [("code", "=", code)])[0]


def test_create_returns_an_id_for_a_dict_and_a_list_for_a_list(reg: Registry) -> None:
    single = call(reg, "res.partner", "create", {"name": "crud-single"})
    many = call(reg, "res.partner", "create", [{"name": "crud-a"}, {"name": "crud-b"}])
    assert isinstance(single, int) and many == [many[0], many[0] + 1] and many[0] > single
    # JSON-2 always answers a list, even for one dict
    assert reg.execute_json2(ADMIN, "res.partner", "create", {"vals_list": {"name": "crud-j"}}) == [
        many[1] + 1
    ]


def test_read_shapes(reg: Registry) -> None:
    be = country(reg, "BE")
    parent = call(
        reg,
        "res.partner",
        "create",
        {
            "name": "crud-parent",
            "is_company": True,
            "country_id": be,
            "comment": "<p>hi</p>",
            "type": "contact",
        },
    )
    child = call(reg, "res.partner", "create", {"name": "crud-child", "parent_id": parent, "type": "invoice"})
    rows = call(
        reg,
        "res.partner",
        "read",
        [parent, child],
        [
            "name",
            "email",
            "is_company",
            "country_id",
            "comment",
            "type",
            "parent_id",
            "child_ids",
            "display_name",
            "create_date",
            "color",
        ],
    )
    assert rows[0] == {
        "id": parent,
        "name": "crud-parent",
        "email": False,
        "is_company": True,
        "country_id": [be, "Belgium"],
        "comment": "<p>hi</p>",
        "type": "contact",
        "parent_id": False,
        "child_ids": [child],
        "display_name": "crud-parent",
        "create_date": rows[0]["create_date"],
        "color": 0,
    }
    assert STAMP.match(rows[0]["create_date"])
    assert rows[1]["parent_id"] == [parent, "crud-parent"]
    assert rows[1]["display_name"] == "crud-parent, crud-child"
    # load=None gives many2one values as bare ids
    assert call(reg, "res.partner", "read", [child], ["parent_id"], load=None) == [
        {"id": child, "parent_id": parent}
    ]
    # no fields: every field, id first
    everything = call(reg, "res.partner", "read", [child])[0]
    assert next(iter(everything)) == "id" and {"name", "write_uid", "category_id"} <= set(everything)


def test_read_drops_missing_ids_and_keeps_order(reg: Registry) -> None:
    a, b = call(reg, "res.partner", "create", [{"name": "crud-order-a"}, {"name": "crud-order-b"}])
    assert call(reg, "res.partner", "read", [b, 99999999, a], ["name"]) == [
        {"id": b, "name": "crud-order-b"},
        {"id": a, "name": "crud-order-a"},
    ]
    assert call(reg, "res.partner", "read", [99999999], ["name"]) == []


def test_search_read_offset_limit_order(reg: Registry) -> None:
    ids = call(reg, "res.partner", "create", [{"name": f"crud-page-{i}"} for i in range(5)])
    rows = call(
        reg,
        "res.partner",
        "search_read",
        [("name", "=like", "crud-page-%")],
        ["name"],
        offset=1,
        limit=2,
        order="name desc",
    )
    assert [r["name"] for r in rows] == ["crud-page-3", "crud-page-2"]
    # positional form: domain, fields, offset, limit, order
    rows = call(reg, "res.partner", "search_read", [("id", "in", ids)], ["name"], 0, 2, "id desc")
    assert [r["id"] for r in rows] == [ids[4], ids[3]]
    assert call(reg, "res.partner", "search_count", [("id", "in", ids)]) == 5


def test_negative_limit_or_offset_is_refused_as_postgresql_does(reg: Registry) -> None:
    cases = [
        (
            lambda: call(reg, "res.partner", "search", [], offset=-1, limit=2),
            "psycopg2.errors.InvalidRowCountInResultOffsetClause",
            "OFFSET must not be negative\n",
        ),
        (
            lambda: call(reg, "res.partner", "search_read", [], ["name"], limit=-5),
            "psycopg2.errors.InvalidRowCountInLimitClause",
            "LIMIT must not be negative\n",
        ),
        (
            lambda: call(reg, "res.partner", "search_count", [], limit=-1),
            "psycopg2.errors.InvalidRowCountInLimitClause",
            "LIMIT must not be negative\n",
        ),
    ]
    for run, name, message in cases:
        with pytest.raises(OdooException) as caught:
            run()
        assert (caught.value.odoo_name, caught.value.message) == (name, message)


def test_write_values(reg: Registry) -> None:
    partner = call(reg, "res.partner", "create", {"name": "crud-write", "country_id": country(reg, "US")})
    before = call(reg, "res.partner", "read", [partner], ["write_date"])[0]["write_date"]
    assert call(reg, "res.partner", "write", [partner], {"email": "w@example.com", "phone": "+1 555"}) is True
    assert call(reg, "res.partner", "write", [partner], {"phone": False, "country_id": False}) is True
    row = call(
        reg, "res.partner", "read", [partner], ["email", "phone", "country_id", "write_date", "write_uid"]
    )[0]
    assert (row["email"], row["phone"], row["country_id"]) == ("w@example.com", False, False)
    assert row["write_date"] >= before and row["write_uid"][0] == ADMIN
    # a name written into a many2one leaves it unset, as Odoo does
    call(reg, "res.partner", "write", [partner], {"country_id": "Belgium"})
    assert call(reg, "res.partner", "read", [partner], ["country_id"])[0]["country_id"] is False


def test_write_and_unlink_missing_records(reg: Registry) -> None:
    error = error_of(reg, "res.partner", "write", [99999999], {"name": "ghost"})
    assert error.odoo_name == "odoo.exceptions.MissingError" and error.json2_status == 404
    assert error.message == (
        "Record does not exist or has been deleted.\n(Record: res.partner(99999999,), User: 2)"
    )
    partner = call(reg, "res.partner", "create", {"name": "crud-unlink"})
    assert call(reg, "res.partner", "unlink", [partner]) is True
    assert error_of(reg, "res.partner", "unlink", [partner]).odoo_name == "odoo.exceptions.MissingError"
    assert call(reg, "res.partner", "read", [partner], ["name"]) == []


def test_bad_values(reg: Registry) -> None:
    partner = call(reg, "res.partner", "create", {"name": "crud-bad"})
    bad_selection = error_of(reg, "res.partner", "write", [partner], {"type": "no-such-type"})
    assert (bad_selection.odoo_name, bad_selection.message) == (
        "builtins.ValueError",
        "Wrong value for res.partner.type: 'no-such-type'",
    )
    bad_target = error_of(reg, "res.partner", "write", [partner], {"country_id": 99999999})
    assert bad_target.message.endswith("(Record: res.country(99999999,), User: 2)")
    unknown = error_of(reg, "res.partner", "write", [partner], {"no_such_field": 1})
    assert (unknown.odoo_name, unknown.message) == (
        ("builtins.KeyError", "no_such_field")  # 19's res.partner.write() reads the given fields first
        if reg.version >= 19
        else ("builtins.ValueError", "Invalid field 'no_such_field' on model 'res.partner'")
    )
    # nothing of a failed call is written
    assert call(reg, "res.partner", "read", [partner], ["type", "country_id"])[0] == {
        "id": partner,
        "type": "contact",
        "country_id": False,
    }


def test_required_fields(reg: Registry) -> None:
    missing = error_of(reg, "product.template", "create", {"list_price": 1.5})
    assert missing.odoo_name == "odoo.exceptions.ValidationError" and missing.json2_status == 422
    if reg.version >= 19:
        assert missing.message.startswith(
            "The operation cannot be completed: Missing required value for the field 'Name' (name).\n"
            "Model: 'Product' (product.template)\n"
        )
    else:
        assert missing.message.startswith("The operation cannot be completed:\n- Create/update: a mandatory")
        assert missing.message.endswith("Model: Product (product.template)\nField: Name (name)\n")
    unset = error_of(reg, "sale.order", "create", {"partner_id": False})
    assert "(partner_id)" in unset.message and "Sales Order" in unset.message


def test_recursion_and_unique_login(reg: Registry) -> None:
    parent = call(
        reg,
        "res.partner",
        "create",
        {"name": "crud-top", "is_company": True, "child_ids": [(0, 0, {"name": "crud-below"})]},
    )
    child = call(reg, "res.partner", "read", [parent], ["child_ids"])[0]["child_ids"][0]
    error = error_of(reg, "res.partner", "write", [parent], {"parent_id": child})
    assert (error.odoo_name, error.message) == (
        "odoo.exceptions.ValidationError",
        "You cannot create recursive Partner hierarchies.",
    )
    duplicate = error_of(reg, "res.users", "create", {"name": "crud-dup", "login": "demo"})
    assert duplicate.message == (
        "The operation cannot be completed: You can not have two users with the same login!"
    )
    assert call(reg, "res.users", "search_count", [("name", "=", "crud-dup")]) == 0


def test_x2many_commands(reg: Registry) -> None:
    parent = call(
        reg,
        "res.partner",
        "create",
        {
            "name": "crud-x2m",
            "is_company": True,
            "category_id": [(0, 0, {"name": "crud-cat-a"}), (0, 0, {"name": "crud-cat-b"})],
            "child_ids": [(0, 0, {"name": "crud-child-1"}), (0, 0, {"name": "crud-child-2"})],
        },
    )

    def relations() -> tuple[list[int], list[int]]:
        row = call(reg, "res.partner", "read", [parent], ["category_id", "child_ids"])[0]
        return row["category_id"], row["child_ids"]

    (cat_a, cat_b), (child_1, child_2) = relations()
    # 1: update the related record
    call(
        reg,
        "res.partner",
        "write",
        [parent],
        {
            "category_id": [(1, cat_a, {"name": "crud-cat-a2"})],
            "child_ids": [(1, child_1, {"email": "c1@example.com"})],
        },
    )
    assert call(reg, "res.partner.category", "read", [cat_a], ["name"])[0]["name"] == "crud-cat-a2"
    assert call(reg, "res.partner", "read", [child_1], ["email", "parent_id"])[0] == {
        "id": child_1,
        "email": "c1@example.com",
        "parent_id": [parent, "crud-x2m"],
    }
    # 3: unlink the relation only
    call(
        reg,
        "res.partner",
        "write",
        [parent],
        {"category_id": [(3, cat_a, 0)], "child_ids": [(3, child_2, 0)]},
    )
    assert relations() == ([cat_b], [child_1])
    assert call(reg, "res.partner", "read", [child_2], ["parent_id"])[0]["parent_id"] is False
    # 4: link existing records
    call(
        reg,
        "res.partner",
        "write",
        [parent],
        {"category_id": [(4, cat_a, 0)], "child_ids": [(4, child_2, 0)]},
    )
    assert relations() == ([cat_a, cat_b], [child_1, child_2])
    # 2: delete the related record itself
    call(
        reg,
        "res.partner",
        "write",
        [parent],
        {"category_id": [(2, cat_b, 0)], "child_ids": [(2, child_1, 0)]},
    )
    assert relations() == ([cat_a], [child_2])
    assert call(reg, "res.partner.category", "search_count", [("id", "=", cat_b)]) == 0
    assert call(reg, "res.partner", "read", [child_1], ["name"]) == []
    # 5: clear
    call(reg, "res.partner", "write", [parent], {"category_id": [(5, 0, 0)], "child_ids": [(5, 0, 0)]})
    assert relations() == ([], [])
    # 6: set exactly
    call(
        reg,
        "res.partner",
        "write",
        [parent],
        {"category_id": [(6, 0, [cat_a])], "child_ids": [(6, 0, [child_2])]},
    )
    assert relations() == ([cat_a], [child_2])
    # an empty command list changes nothing; a bare list of ids replaces the relation
    call(reg, "res.partner", "write", [parent], {"category_id": []})
    assert relations() == ([cat_a], [child_2])
    call(reg, "res.partner", "write", [parent], {"category_id": [(6, 0, [])]})
    assert relations() == ([], [child_2])
    call(reg, "res.partner", "write", [parent], {"category_id": [cat_a]})
    assert relations() == ([cat_a], [child_2])
    with pytest.raises(OdooException, match="res.partner.category"):
        call(reg, "res.partner", "write", [parent], {"category_id": [(4, 99999999, 0)]})


def test_display_names_follow_renames(reg: Registry) -> None:
    company = call(
        reg,
        "res.partner",
        "create",
        {"name": "crud-old", "is_company": True, "child_ids": [(0, 0, {"name": "crud-person"})]},
    )
    person = call(reg, "res.partner", "read", [company], ["child_ids"])[0]["child_ids"][0]
    call(reg, "res.partner", "write", [company], {"name": "crud-new"})
    assert (
        call(reg, "res.partner", "read", [person], ["display_name"])[0]["display_name"]
        == "crud-new, crud-person"
    )
    # a contact of a contact shows the company at the top, and follows its renames
    nested = call(reg, "res.partner", "create", {"name": "crud-assistant", "parent_id": person})
    assert (
        call(reg, "res.partner", "read", [nested], ["display_name"])[0]["display_name"]
        == "crud-new, crud-assistant"
    )
    call(reg, "res.partner", "write", [company], {"name": "crud-newer"})
    assert (
        call(reg, "res.partner", "read", [nested], ["display_name"])[0]["display_name"]
        == "crud-newer, crud-assistant"
    )
    call(reg, "res.partner", "write", [person], {"parent_id": False})  # no company above any more
    assert (
        call(reg, "res.partner", "read", [nested], ["display_name"])[0]["display_name"]
        == "crud-person, crud-assistant"
    )
    call(reg, "res.partner", "write", [person], {"parent_id": company})
    call(reg, "res.partner", "unlink", [company])  # the contact loses its parent, and its prefix
    assert call(reg, "res.partner", "read", [person], ["display_name", "parent_id"])[0] == {
        "id": person,
        "display_name": "crud-person",
        "parent_id": False,
    }
    root = call(
        reg,
        "res.partner.category",
        "create",
        {"name": "crud-root", "child_ids": [(0, 0, {"name": "crud-leaf"})]},
    )
    leaf = call(reg, "res.partner.category", "search", [("name", "=", "crud-leaf")])[0]
    assert (
        call(reg, "res.partner.category", "read", [leaf], ["display_name"])[0]["display_name"]
        == "crud-root / crud-leaf"
    )
    assert call(reg, "res.partner.category", "read", [root], ["child_ids"])[0]["child_ids"] == [leaf]


def test_sale_order_amounts_are_computed_and_rolled_up(reg: Registry) -> None:
    product = call(reg, "product.product", "create", {"name": "crud-widget", "lst_price": 10.0})
    customer = call(reg, "res.partner", "create", {"name": "crud-customer"})
    order = call(
        reg,
        "sale.order",
        "create",
        {
            "partner_id": customer,
            "order_line": [
                (0, 0, {"product_id": product, "product_uom_qty": 3}),
                (0, 0, {"product_id": product, "product_uom_qty": 1, "price_unit": 20.0, "discount": 50.0}),
            ],
        },
    )
    row = call(
        reg,
        "sale.order",
        "read",
        [order],
        ["name", "state", "amount_untaxed", "amount_total", "order_line", "date_order", "partner_id"],
    )[0]
    assert row["state"] == "draft" and re.match(r"^S\d{5}$", row["name"]) and STAMP.match(row["date_order"])
    assert row["amount_untaxed"] == 40.0 and row["amount_total"] == 46.0 and len(row["order_line"]) == 2
    lines = call(reg, "sale.order.line", "read", row["order_line"], ["name", "price_unit", "price_subtotal"])
    assert [(line["name"], line["price_unit"], line["price_subtotal"]) for line in lines] == [
        ("crud-widget", 10.0, 30.0),
        ("crud-widget", 20.0, 10.0),
    ]
    call(reg, "sale.order.line", "write", [row["order_line"][0]], {"product_uom_qty": 1})
    call(reg, "sale.order.line", "unlink", [row["order_line"][1]])
    assert call(reg, "sale.order", "read", [order], ["amount_untaxed"])[0]["amount_untaxed"] == 10.0
    # a customer with orders cannot be deleted (17 first deletes its draft orders, as its sale module
    # does: the order is confirmed here); deleting the order deletes its lines
    call(reg, "sale.order", "write", [order], {"state": "sale"})
    assert error_of(reg, "res.partner", "unlink", [customer]).odoo_name == "odoo.exceptions.ValidationError"
    assert error_of(reg, "sale.order", "unlink", [order]).odoo_name == "odoo.exceptions.UserError"
    call(reg, "sale.order", "write", [order], {"state": "cancel"})
    call(reg, "sale.order", "unlink", [order])
    assert call(reg, "sale.order.line", "search_count", [("order_id", "=", order)]) == 0
    # a new template gets its variant
    template = call(reg, "product.template", "create", {"name": "crud-template", "list_price": 5.0})
    variants = call(reg, "product.template", "read", [template], ["product_variant_ids"])[0][
        "product_variant_ids"
    ]
    assert call(reg, "product.product", "read", variants, ["name", "lst_price"]) == [
        {"id": variants[0], "name": "crud-template", "lst_price": 5.0}
    ]


def test_fields_get(reg: Registry) -> None:
    described = call(
        reg,
        "res.partner",
        "fields_get",
        ["name", "country_id", "child_ids", "type"],
        attributes=["type", "string", "required", "readonly", "relation", "selection", "store"],
    )
    assert described["country_id"] == {
        "type": "many2one",
        "string": "Country",
        "required": False,
        "readonly": False,
        "store": True,
        "relation": "res.country",
    }
    assert (
        described["child_ids"]["relation"] == "res.partner" and "relation_field" not in described["child_ids"]
    )
    assert ["invoice", "Invoice" if reg.version >= 19 else "Invoice Address"] in described["type"][
        "selection"
    ]
    everything = call(reg, "sale.order", "fields_get")
    assert everything["amount_total"]["type"] == "monetary" and everything["partner_id"]["required"] is True
    assert everything["order_line"]["relation_field"] == "order_id"
    assert set(call(reg, "res.partner", "fields_get", attributes=["type"])["name"]) == {"type"}


def test_name_search_default_get_and_search_fetch(reg: Registry) -> None:
    call(reg, "res.partner", "create", [{"name": "crudname alpha"}, {"name": "crudname beta"}])
    found = call(reg, "res.partner", "name_search", "crudname", limit=1)
    assert found == [[found[0][0], "crudname alpha"]]
    by_email = call(
        reg, "res.partner", "create", {"name": "crudname gamma", "email": "unique-crud@example.com"}
    )
    assert call(reg, "res.partner", "name_search", "unique-crud@") == [[by_email, "crudname gamma"]]
    assert call(reg, "res.users", "name_search", "demo", operator="=") == [
        [reg.users["demo"].uid, "Dana Demo"]
    ]
    keyword = "domain" if reg.version >= 19 else "args"
    narrowed = call(reg, "res.partner", "name_search", "crudname", **{keyword: [("name", "ilike", "beta")]})
    assert [name for _id, name in narrowed] == ["crudname beta"]
    assert (
        call(reg, "res.partner", "name_search", "", limit=3)
        and len(call(reg, "res.partner", "name_search", "", limit=3)) == 3
    )
    created = call(reg, "res.partner.category", "name_create", "crud-named")
    assert (
        created == [created[0], "crud-named"]
        and call(reg, "res.partner.category", "read", [created[0]], ["name"])[0]["name"] == "crud-named"
    )
    defaults = call(reg, "sale.order", "default_get", ["state", "partner_id", "user_id"])
    assert defaults == {"state": "draft", "user_id": ADMIN}
    assert call(reg, "res.partner", "default_get", ["type"], context={"default_type": "invoice"}) == {
        "type": "invoice"
    }
    made = call(
        reg,
        "res.partner",
        "create",
        [{"name": "crud-ctx-a"}, {"name": "crud-ctx-b", "type": "other"}],
        context={"default_type": "invoice", "default_no_such_field": 1},
    )
    assert [r["type"] for r in call(reg, "res.partner", "read", made, ["type"])] == ["invoice", "other"]
    if reg.version < 19:
        assert call(
            reg, "res.partner", "search_fetch", [("name", "=like", "crudname%")], ["name"], order="id"
        ) == call(reg, "res.partner", "search", [("name", "=like", "crudname%")], order="id")


def test_failed_call_rolls_back(reg: Registry) -> None:
    before = call(reg, "res.partner", "search_count", [])
    with pytest.raises(OdooException):
        call(
            reg,
            "res.partner",
            "create",
            [{"name": "crud-rollback-ok"}, {"name": "crud-rollback", "type": "zz"}],
        )
    assert call(reg, "res.partner", "search_count", []) == before


def test_stamps_keep_fractions_of_a_second_on_17_only(reg: Registry) -> None:
    """Odoo 17 stores create/write dates with the transaction's microseconds, 19 whole seconds;
    read shows whole seconds on both, so searching for the value read finds nothing on 17."""
    partner = call(reg, "res.partner", "create", {"name": "crud-stamp"})
    seen = call(reg, "res.partner", "read", [partner], ["create_date"])[0]["create_date"]
    assert STAMP.match(seen)
    stored = reg.connection.execute("SELECT create_date FROM res_partner WHERE id = ?", (partner,)).fetchone()[0]
    assert stored.startswith(seen) and (len(stored) > len(seen)) == (reg.version < 19)
    found = call(reg, "res.partner", "search", [("id", "=", partner), ("create_date", "=", seen)])
    assert found == ([] if reg.version < 19 and stored != f"{seen}.000000" else [partner])
