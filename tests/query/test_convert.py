"""Value conversion by field type, without a server (field metadata shaped like ``fields_get``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from zenoo.exceptions import FieldError, InvalidValueError, ProtocolError
from zenoo.fields.metadata import ModelFields
from zenoo.fields.values import date_to_odoo, parse_odoo_date, parse_odoo_datetime, to_odoo
from zenoo.fields.writing import column_writer, to_write_values, value_writer
from zenoo.models.record_values import from_odoo
from zenoo.models.relations import Many2one, X2many

M2O = {"type": "many2one", "relation": "res.partner"}
M2M = {"type": "many2many", "relation": "res.partner.category"}

FIELDS = ModelFields(
    "sale.order",
    {
        "name": {"type": "char", "required": True},
        "partner_id": {"type": "many2one", "relation": "res.partner", "required": True},
        "tag_ids": M2M,
        "state": {"type": "selection", "selection": [["draft", "Quotation"], ["sale", "Sales Order"]]},
        "locked": {"type": "boolean"},
        "qty": {"type": "integer"},
        "amount": {"type": "monetary"},
        "validity_date": {"type": "date"},
        "date_order": {"type": "datetime", "required": True},
        "note": {"type": "html"},
        "file": {"type": "binary"},
        "priority": {"type": "selection", "selection": [[0, "Low"], [1, "High"]]},
        "account_id": {
            "type": "many2one",
            "relation": "account.account",
            "required": True,
            "company_dependent": True,
        },
    },
)


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        (False, {"type": "char"}, None),
        (False, {"type": "date"}, None),
        (False, {"type": "boolean"}, False),
        (False, {"type": "integer"}, None),
        ("2024-02-29", {"type": "date"}, dt.date(2024, 2, 29)),
        ("2024-02-29 13:14:15", {"type": "datetime"}, dt.datetime(2024, 2, 29, 13, 14, 15, tzinfo=dt.UTC)),
        (3, {"type": "float"}, 3.0),
        (False, M2O, None),
    ],
)
def test_scalar_values_from_odoo(value: Any, field: dict[str, Any], expected: Any) -> None:
    converted = from_odoo(value, field)
    assert converted == expected and type(converted) is type(expected)


def test_relations_from_odoo_follow_the_field_type() -> None:
    ref = from_odoo([7, "Azure Interior"], M2O)
    assert isinstance(ref, Many2one) and (ref.model, ref.id, ref.display_name) == (
        "res.partner",
        7,
        "Azure Interior",
    )
    bare = from_odoo(7, M2O)  # read(..., load=None)
    assert isinstance(bare, Many2one) and bare.id == 7 and bare.display_name is None
    # two ids on a many2many look like a many2one pair, but the field type decides
    pair = from_odoo([3, 5], M2M)
    assert isinstance(pair, X2many) and pair == [3, 5] and pair.model == "res.partner.category"
    assert from_odoo(False, M2M) == [] and isinstance(from_odoo([], M2M), X2many)


def test_write_values_are_converted() -> None:
    values = to_write_values(
        FIELDS,
        {
            "name": "SO1",
            "partner_id": Many2one("res.partner", 7),
            "tag_ids": [1, 2],
            "state": "sale",
            "locked": False,
            "qty": 2,
            "amount": Decimal("9.99"),
            "validity_date": dt.date(2024, 1, 31),
            "date_order": dt.datetime(2024, 1, 31, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "note": None,
            "file": b"\x00\x01",
        },
        creating=True,
        defaults=frozenset(),
    )
    assert values == {
        "name": "SO1",
        "partner_id": 7,
        "tag_ids": [(6, 0, [1, 2])],
        "state": "sale",
        "locked": False,
        "qty": 2,
        "amount": 9.99,
        "validity_date": "2024-01-31",
        "date_order": "2024-01-31 09:00:00",
        "note": False,
        "file": "AAE=",
    }
    assert to_write_values(FIELDS, {"priority": 1}, creating=False) == {"priority": 1}  # integer keys
    commands = to_write_values(FIELDS, {"tag_ids": [(4, 3), (3, 1)]}, creating=False)
    assert commands == {"tag_ids": [[4, 3], [3, 1]]}
    assert to_write_values(FIELDS, {"tag_ids": [(5,), (4, 3)]}, creating=False) == {"tag_ids": [[5], [4, 3]]}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"state": "done"}, "'done' is not a valid choice for sale.order.state"),
        ({"state": "Sale"}, "did you mean 'sale'"),
        ({"priority": "1"}, "'1' is not a valid choice for sale.order.priority"),
        ({"priority": True}, "True is not a valid choice"),
        ({"locked": 1}, "sale.order.locked is a boolean field"),
        ({"qty": 1.5}, "sale.order.qty is an integer field"),
        ({"qty": True}, "sale.order.qty is an integer field"),
        ({"amount": "9"}, "sale.order.amount is a monetary field"),
        ({"validity_date": "31/01/2024"}, "not YYYY-MM-DD"),
        ({"validity_date": dt.datetime(2024, 1, 31)}, "got a datetime"),
        ({"amount": float("nan")}, r"cannot send nan to Odoo for sale.order.amount: JSON has no NaN"),
        ({"amount": float("-inf")}, "cannot send -inf to Odoo for sale.order.amount"),
        ({"amount": Decimal("NaN")}, r"cannot send Decimal\('NaN'\) to Odoo for sale.order.amount"),
        ({"date_order": dt.date(2024, 1, 1)}, "dates need a time"),
        ({"partner_id": "Azure"}, "sale.order.partner_id is a many2one field"),
        ({"tag_ids": 3}, "sale.order.tag_ids is an x2many field"),
        ({"tag_ids": ["a"]}, r"sale.order.tag_ids: 'a' is not a record id \(give ids, records or commands\)"),
        ({"tag_ids": [(9, 0, 0)]}, r"sale.order.tag_ids: \(9, 0, 0\) is not an x2many command; commands are"),
        ({"tag_ids": [(4, 3), 5]}, "sale.order.tag_ids: commands mixed with ids"),
        ({"tag_ids": [(4, "x")]}, r"sale.order.tag_ids, command \(4, 'x'\): 'x' is not a record id"),
        ({"tag_ids": [(0, 0, "new tag")]}, r"command \(0, 0, 'new tag'\) needs a dict of values"),
        ({"tag_ids": [(1, 3)]}, r"command \(1, 3\) needs a dict of values"),
        ({"name": None}, "sale.order.name is required"),
        ({"id": 3}, "sale.order.id cannot be written"),
    ],
)
def test_bad_write_values(values: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        to_write_values(FIELDS, values, creating=False)


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("name", ["a", "b", "c"]),  # plain: checked in one pass
        ("qty", [1, -2, 2**31 - 1]),
        ("locked", [True, False]),
        ("amount", [1.5, 0.0]),
        ("qty", [1, None, 3]),  # mixed: value by value
        ("amount", [1, 2.5]),
        ("state", ["draft", "sale"]),
        ("validity_date", [dt.date(2024, 1, 31), None]),
        ("name", []),
    ],
)
def test_a_column_is_written_as_each_of_its_values(name: str, column: list[Any]) -> None:
    write = value_writer(FIELDS, name, creating=False)
    assert column_writer(FIELDS, name, creating=False)(column) == [write(value) for value in column]


@pytest.mark.parametrize(
    ("name", "column", "message"),
    [
        ("name", ["a", "b\x00"], "NUL character"),
        ("name", ["a", None], "sale.order.name is required"),
        ("qty", [1, 2**31], "out of range"),
        ("qty", [1, True], "sale.order.qty is an integer field"),
        ("amount", [1.0, float("inf")], "cannot send inf"),
        ("locked", [True, 1], "sale.order.locked is a boolean field"),
    ],
)
def test_a_column_with_a_bad_value_is_refused(name: str, column: list[Any], message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        column_writer(FIELDS, name, creating=False)(column)


def test_required_fields_on_create_use_known_defaults() -> None:
    with pytest.raises(InvalidValueError, match=r"required field\(s\) date_order, partner_id missing"):
        to_write_values(FIELDS, {"name": "SO"}, creating=True, defaults=frozenset())
    # a required field with a server default may be left out
    assert to_write_values(
        FIELDS, {"partner_id": 1}, creating=True, defaults=frozenset({"name", "date_order"})
    )
    # unknown defaults (no default_get): left to the server
    assert to_write_values(FIELDS, {"qty": 1}, creating=True, defaults=None) == {"qty": 1}
    with pytest.raises(FieldError, match="sale.order has no field 'nmae'"):
        to_write_values(FIELDS, {"nmae": "x"}, creating=True, defaults=None)


LINES = ModelFields(
    "sale.order.line",
    {
        "order_id": {"type": "many2one", "relation": "sale.order", "required": True},
        "name": {"type": "text"},
        "price_unit": {"type": "float"},
        "product_uom_qty": {"type": "float"},
    },
)
ORDERS = ModelFields(
    "sale.order",
    {
        "order_line": {"type": "one2many", "relation": "sale.order.line", "relation_field": "order_id"},
        "meta": {"type": "json"},
    },
)


def test_values_inside_x2many_commands_are_checked_and_converted() -> None:
    related = {"sale.order.line": LINES}
    values = to_write_values(
        ORDERS,
        {
            "order_line": [
                (0, 0, {"name": "line", "price_unit": Decimal("2.5")}),
                (1, 7, {"product_uom_qty": 3}),
            ]
        },
        creating=True,
        defaults=frozenset(),
        related=related,
    )
    # the inverse field (order_id) is required but filled by Odoo: not demanded in a command
    assert values == {
        "order_line": [[0, 0, {"name": "line", "price_unit": 2.5}], [1, 7, {"product_uom_qty": 3.0}]]
    }
    with pytest.raises(InvalidValueError, match="sale.order.line.price_unit is a float field"):
        to_write_values(
            ORDERS, {"order_line": [(0, 0, {"price_unit": "cheap"})]}, creating=False, related=related
        )
    with pytest.raises(FieldError, match="sale.order.line has no field 'prise_unit'"):
        to_write_values(
            ORDERS, {"order_line": [(0, 0, {"prise_unit": 1.0})]}, creating=False, related=related
        )
    # related fields unknown: the command values are still converted for the wire
    day = dt.date(2024, 1, 31)
    assert to_write_values(ORDERS, {"order_line": [(0, 0, {"name": day})]}, creating=False) == {
        "order_line": [[0, 0, {"name": "2024-01-31"}]]
    }
    # a json field takes a dict
    assert to_write_values(ORDERS, {"meta": {"a": [1, day]}}, creating=False) == {
        "meta": {"a": [1, "2024-01-31"]}
    }
    with pytest.raises(InvalidValueError, match="keys sent to Odoo must be strings"):
        to_write_values(ORDERS, {"meta": {1: "x"}}, creating=False)


def test_computed_and_related_required_fields_are_left_to_odoo() -> None:
    lines = ModelFields(
        "sale.order.line",
        {
            "order_id": {"type": "many2one", "relation": "sale.order", "required": True, "depends": []},
            "name": {"type": "text", "required": True, "depends": ["product_id"]},  # computed, writable
            "currency_id": {"type": "many2one", "relation": "res.currency", "required": True,
                            "related": "order_id.currency_id"},
        },
    )  # fmt: skip
    assert to_write_values(lines, {"order_id": 1}, creating=True, defaults=frozenset()) == {"order_id": 1}
    with pytest.raises(InvalidValueError, match=r"required field\(s\) order_id missing"):
        to_write_values(lines, {"name": "x"}, creating=True, defaults=frozenset())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("1-01-01", dt.date(1, 1, 1)),  # date.min as Odoo writes it (strftime leaves the year unpadded)
        ("0001-01-01", dt.date(1, 1, 1)),
        ("999-12-31", dt.date(999, 12, 31)),
    ],
)
def test_odoo_dates_with_unpadded_years_are_read(text: str, expected: dt.date) -> None:
    assert parse_odoo_date(text) == from_odoo(text, {"type": "date"}) == expected
    moment = dt.datetime.combine(expected, dt.time(13, 5, 9), tzinfo=dt.UTC)
    assert parse_odoo_datetime(f"{text} 13:05:09") == from_odoo(f"{text} 13:05:09", {"type": "datetime"}) == moment
    assert date_to_odoo(expected) == expected.isoformat()  # sent back with four digits, as Odoo parses it
    assert to_odoo(moment) == f"{expected.isoformat()} 13:05:09"


@pytest.mark.parametrize("text", ["", "2024-13-01", "31/01/2024", "1-1-1"])
def test_malformed_odoo_dates_are_protocol_errors(text: str) -> None:
    with pytest.raises(ProtocolError, match=f"Odoo sent {text!r} for a date"):
        parse_odoo_date(text)
    with pytest.raises(ProtocolError, match=f"Odoo sent {text + ' 00:00:00'!r} for a datetime"):
        parse_odoo_datetime(text + " 00:00:00")


def test_captured_minimum_dates_are_read(wire_dir: Path) -> None:
    """Real Odoo 17 and 19 send res.company's computed lock dates as "1-01-01" when none is set."""
    seen = 0
    for name in ("writeback17.json", "writeback19.json"):
        exchanges = json.loads((wire_dir / name).read_text())["exchanges"]
        [company] = [e for e in exchanges if e["name"] == "company-min-date"]
        for row in company["response"]["body"]["result"]:
            for field, value in row.items():
                if value == "1-01-01":
                    assert from_odoo(value, {"type": "date"}) == dt.date(1, 1, 1), field
                    seen += 1
    assert seen >= 2


def test_numpy_and_pandas_values_are_written_as_python_values() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    values = to_write_values(
        FIELDS,
        {"name": np.str_("SO"), "partner_id": np.int64(7), "tag_ids": np.array([1, 2]).tolist(), "qty": np.int32(2),
         "amount": np.float32(1.5), "locked": np.bool_(True), "priority": np.int64(1),
         "validity_date": pd.Timestamp("2024-01-31"), "date_order": np.datetime64("2024-01-31T10:00:00"),
         "note": pd.NA},
        creating=False,
    )  # fmt: skip
    assert values == {
        "name": "SO", "partner_id": 7, "tag_ids": [(6, 0, [1, 2])], "qty": 2, "amount": 1.5, "locked": True,
        "priority": 1, "validity_date": "2024-01-31", "date_order": "2024-01-31 10:00:00", "note": False,
    }  # fmt: skip
    assert all(type(value) in (str, int, float, bool, list) for value in values.values())
    assert to_write_values(FIELDS, {"locked": pd.NA, "validity_date": pd.NaT}, creating=False) == {
        "locked": False, "validity_date": False,
    }
    assert to_write_values(FIELDS, {"validity_date": np.datetime64("2024-01-31")}, creating=False) == {
        "validity_date": "2024-01-31"
    }
    with pytest.raises(InvalidValueError, match="got a datetime"):  # a time of day is not a date
        to_write_values(FIELDS, {"validity_date": pd.Timestamp("2024-01-31 10:00")}, creating=False)
    with pytest.raises(InvalidValueError, match="cannot send nan to Odoo for sale.order.amount"):
        to_write_values(FIELDS, {"amount": np.float64("nan")}, creating=False)
    with pytest.raises(InvalidValueError, match="sale.order.qty is an integer field: got 1.5"):
        to_write_values(FIELDS, {"qty": np.float64(1.5)}, creating=False)


USERS = ModelFields(
    "res.users",
    {
        "login": {"type": "char", "required": True, "store": True},
        "partner_id": {"type": "many2one", "relation": "res.partner", "required": True, "store": True},
        # inherited from res.partner (_inherits): non-stored, related to partner_id.<same name>, writable
        "name": {"type": "char", "related": "partner_id.name", "store": False, "readonly": False},
        # an ordinary related field: readonly
        "active_partner": {"type": "boolean", "related": "partner_id.active", "store": False, "readonly": True},
        "company_id": {"type": "many2one", "relation": "res.company", "required": True, "store": True},
        "country_id": {"type": "many2one", "related": "company_id.country_id", "store": False, "readonly": True},
        "currency_id": {"type": "many2one", "related": "company_id.currency_id", "store": True, "readonly": False},
    },
)


def test_the_many2one_of_a_delegation_is_left_to_odoo_on_create() -> None:
    assert USERS.delegate_fields == {"partner_id"}
    assert to_write_values(USERS, {"login": "x"}, creating=True, defaults=frozenset({"company_id"})) == {"login": "x"}
    assert to_write_values(USERS, {"login": "x", "partner_id": False}, creating=True, defaults=frozenset({"company_id"}))
    with pytest.raises(InvalidValueError, match=r"required field\(s\) company_id missing"):
        to_write_values(USERS, {"login": "x"}, creating=True, defaults=frozenset())
    with pytest.raises(InvalidValueError, match="res.users.partner_id is required: it cannot be empty"):
        to_write_values(USERS, {"partner_id": False}, creating=False)  # a user keeps its partner
