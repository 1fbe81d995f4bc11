"""Schema mapping and row conversion, on rows and fields_get answers shaped like real Odoo's.

Facts relied on (seen on Odoo 17 and 19): ``fields_get`` gives ``type``, ``relation``,
``selection`` as ``[[key, label], …]`` and ``store``; ``read`` sends ``false`` for empty values of
every type, many2one as ``[id, name]`` (or a bare id with ``load=None``), x2many as id lists,
dates as ``"YYYY-MM-DD"`` and datetimes as UTC ``"YYYY-MM-DD HH:MM:SS"``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

import zenoo_frames.schema
from zenoo.exceptions import FieldError, ProtocolError
from zenoo.fields.metadata import ModelFields
from zenoo_frames.api import arrow_to_pandas, arrow_to_polars
from zenoo_frames.rows import (
    NameIndex,
    UnknownSelectionWarning,
    attach_display_names,
    raw_schema,
    rows_to_batch,
)
from zenoo_frames.schema import EXCLUDED_BY_DEFAULT, FrameSchema

PARTNER_FIELDS = {
    "name": {"type": "char", "string": "Name", "store": True},
    "display_name": {"type": "char", "string": "Display Name", "store": False},
    "country_id": {"type": "many2one", "string": "Country", "relation": "res.country", "store": True},
    "category_id": {"type": "many2many", "string": "Tags", "relation": "res.partner.category", "store": True},
    "child_ids": {"type": "one2many", "string": "Contact", "relation": "res.partner", "store": True},
    "is_company": {"type": "boolean", "string": "Is a Company", "store": True},
    "type": {
        "type": "selection",
        "string": "Address Type",
        "selection": [
            ["contact", "Contact"],
            ["invoice", "Invoice"],
            ["delivery", "Delivery"],
            ["other", "Other"],
        ],
        "store": True,
    },
    "comment": {"type": "html", "string": "Notes", "store": True},
    "create_date": {"type": "datetime", "string": "Created on", "store": True},
    "date": {"type": "date", "string": "Date", "store": True},
    "color": {"type": "integer", "string": "Color", "store": True},
    "credit_limit": {"type": "float", "string": "Credit Limit", "store": True},
    "image_128": {"type": "binary", "string": "Image", "store": True},
    "properties": {"type": "properties", "string": "Properties", "store": True},
    "ref_model": {"type": "reference", "string": "Reference", "store": True},
}

ROWS = [
    {
        "id": 15,
        "name": "Azure Interior",
        "display_name": "Azure Interior",
        "country_id": 233,
        "category_id": [5],
        "child_ids": [27, 34, 28],
        "is_company": True,
        "type": "contact",
        "comment": False,
        "create_date": "2026-11-27 21:05:30",
        "date": "2026-12-27",
        "color": 3,
        "credit_limit": 0.0,
        "image_128": base64.b64encode(b"\x89PNG").decode(),
        "properties": [{"name": "x", "value": 1}],
        "ref_model": "res.country,233",
    },
    {
        "id": 10,
        "name": False,
        "display_name": "",
        "country_id": False,
        "category_id": [],
        "child_ids": [],
        "is_company": False,
        "type": False,
        "comment": "<p>hi</p>",
        "create_date": False,
        "date": False,
        "color": 0,
        "credit_limit": 12,
        "image_128": False,
        "properties": False,
        "ref_model": False,
    },
]
ALL = [name for name in PARTNER_FIELDS if name != "display_name"]


def test_default_fields_are_stored_and_not_heavy() -> None:
    meta = ModelFields("res.partner", PARTNER_FIELDS)
    names = meta.default_names()
    assert "display_name" not in names  # not stored
    assert "image_128" not in names and "properties" not in names
    assert {"binary", "properties", "image"} <= EXCLUDED_BY_DEFAULT
    assert names[:3] == ["name", "country_id", "category_id"]
    assert FrameSchema.build("res.partner", PARTNER_FIELDS).field_names == names
    # a declared class reads its fields the model has, non-stored ones too, never the heavy ones
    declared = ["id", "display_name", "image_128", "nickname", "name"]
    assert meta.default_names(declared) == ["display_name", "name"]


def test_the_former_frames_default_fields_is_a_deprecated_alias() -> None:
    with pytest.warns(DeprecationWarning, match=r"default_fields is deprecated: use .*default_names\(\)"):
        default_fields = zenoo_frames.schema.default_fields
    assert default_fields(PARTNER_FIELDS) == ModelFields("res.partner", PARTNER_FIELDS).default_names()
    assert "default_fields" not in zenoo_frames.schema.__all__


def test_arrow_schema_types_and_order() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ALL).arrow()
    types = {field.name: field.type for field in schema}
    assert schema.names[0] == "id" and types["id"] == pa.int64()
    assert schema.names[1:4] == ["name", "country_id", "country_id.display_name"]
    assert types["name"] == pa.string() and types["comment"] == pa.string()
    assert types["country_id"] == pa.int64() and types["country_id.display_name"] == pa.string()
    assert types["category_id"] == pa.list_(pa.int64()) and types["child_ids"] == pa.list_(pa.int64())
    assert types["is_company"] == pa.bool_()
    assert types["type"] == pa.dictionary(pa.int32(), pa.string())
    assert types["create_date"] == pa.timestamp("us", tz="UTC")
    assert types["date"] == pa.date32()
    assert types["color"] == pa.int64() and types["credit_limit"] == pa.float64()
    assert types["image_128"] == pa.binary()
    assert types["ref_model"] == pa.string() and types["properties"] == pa.string()
    assert schema.field("country_id").metadata[b"odoo_relation"] == b"res.country"
    assert schema.metadata[b"odoo_model"] == b"res.partner"


def test_unknown_field_is_refused_with_its_name() -> None:
    with pytest.raises(FieldError, match="'naem'"):
        FrameSchema.build("res.partner", PARTNER_FIELDS, ["name", "naem"])


def test_rows_convert_false_to_null_except_booleans() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ALL)
    batch = rows_to_batch(schema, ROWS)
    assert batch.schema == raw_schema(schema)
    first, second = batch.to_pylist()
    assert first["country_id"] == 233 and second["country_id"] is None
    assert first["is_company"] is True and second["is_company"] is False
    assert second["name"] is None and second["comment"] == "<p>hi</p>" and first["comment"] is None
    assert first["type"] == "contact" and second["type"] is None
    assert first["create_date"] == dt.datetime(2026, 11, 27, 21, 5, 30, tzinfo=dt.UTC)
    assert second["create_date"] is None and second["date"] is None
    assert first["date"] == dt.date(2026, 12, 27)
    assert first["category_id"] == [5] and second["child_ids"] == []
    assert second["credit_limit"] == 12.0 and first["color"] == 3
    assert first["image_128"] == b"\x89PNG" and second["image_128"] is None
    assert first["properties"] == '[{"name":"x","value":1}]' and first["ref_model"] == "res.country,233"


def test_classic_many2one_pairs_are_accepted() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ["country_id"])
    batch = rows_to_batch(
        schema, [{"id": 1, "country_id": [233, "United States"]}, {"id": 2, "country_id": False}]
    )
    assert batch.column("country_id").to_pylist() == [233, None]


def test_display_names_attach_by_lookup() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ["name", "country_id"])
    raw = rows_to_batch(schema, [ROWS[0], ROWS[1], {**ROWS[0], "id": 16, "country_id": 20}])
    full = attach_display_names(raw, schema, {"country_id": NameIndex.of({233: "United States"})})
    assert full.schema == schema.arrow()
    assert full.column("country_id.display_name").to_pylist() == ["United States", None, None]


def test_without_display_names_there_is_no_name_column() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ["country_id"], display_names=False)
    assert schema.arrow().names == ["id", "country_id"]


def test_empty_result_has_the_full_typed_schema() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ALL)
    batch = attach_display_names(rows_to_batch(schema, []), schema, {})
    assert batch.num_rows == 0 and batch.schema == schema.arrow()
    frame = arrow_to_polars(pa.Table.from_batches([batch]), schema)
    assert frame.schema["type"] == pl.Enum(["contact", "invoice", "delivery", "other"])
    assert frame.schema["create_date"] == pl.Datetime("us", "UTC")
    assert frame.schema["category_id"] == pl.List(pl.Int64)
    assert dict(frame.schema) == schema.polars()


def test_unknown_selection_key_becomes_null_with_a_warning() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ["type"])
    with pytest.warns(UnknownSelectionWarning, match="'private'"):
        batch = rows_to_batch(schema, [{"id": 1, "type": "private"}, {"id": 2, "type": "other"}])
    assert batch.column("type").to_pylist() == [None, "other"]


def test_rows_of_ids_only_convert() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ["id"])
    batch = rows_to_batch(schema, [{"id": 15}, {"id": 16}])
    assert batch.schema == raw_schema(schema) and batch.column("id").to_pylist() == [15, 16]


def test_odoos_minimum_date_with_an_unpadded_year_is_date_min() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ["date", "create_date"])
    rows = [
        {"id": 1, "date": "1-01-01", "create_date": "1-01-01 00:00:00"},
        {"id": 2, "date": "0999-12-31", "create_date": False},
    ]
    batch = rows_to_batch(schema, rows)
    assert batch.column("date").to_pylist() == [dt.date.min, dt.date(999, 12, 31)]
    assert batch.column("create_date").to_pylist() == [dt.datetime.min.replace(tzinfo=dt.UTC), None]


@pytest.mark.parametrize("version", [17, 19])
def test_captured_company_lock_dates_convert(wire_dir: Path, version: int) -> None:
    """Real Odoo sends date.min as '1-01-01' for res.company lock dates (account)."""
    capture = wire_dir / f"writeback{version}.json"
    if not capture.exists():
        pytest.skip(f"{capture} is absent")
    exchange = next(
        e for e in json.loads(capture.read_text())["exchanges"] if e["name"] == "company-min-date"
    )
    rows = exchange["response"]["body"]["result"]
    dates = [name for name in rows[0] if name != "id"]
    schema = FrameSchema.build("res.company", {name: {"type": "date"} for name in dates}, dates)
    converted = rows_to_batch(schema, rows).to_pylist()
    assert any(value == "1-01-01" for row in rows for value in row.values())
    for row, odoo in zip(converted, rows, strict=True):
        for name in dates:
            value = odoo[name]
            assert row[name] == (dt.date(*map(int, value.split("-"))) if value else None)


def test_row_without_a_selected_field_is_a_protocol_error() -> None:
    schema = FrameSchema.build("res.partner", PARTNER_FIELDS, ["name"])
    with pytest.raises(ProtocolError, match="'name'"):
        rows_to_batch(schema, [{"id": 1}])


def test_pandas_backends_keep_types() -> None:
    schema = FrameSchema.build(
        "res.partner", PARTNER_FIELDS, ["name", "country_id", "type", "date", "category_id"]
    )
    table = pa.Table.from_batches(
        [
            attach_display_names(
                rows_to_batch(schema, ROWS), schema, {"country_id": NameIndex.of({233: "United States"})}
            )
        ]
    )
    arrow_backed = arrow_to_pandas(table, "pyarrow")
    assert str(arrow_backed["country_id"].dtype) == "int64[pyarrow]"
    assert arrow_backed["country_id"].isna().tolist() == [False, True]
    assert str(arrow_backed["date"].dtype) == "date32[day][pyarrow]"
    assert str(arrow_backed["category_id"].dtype).startswith("list<")
    nullable = arrow_to_pandas(table, "numpy_nullable")
    assert str(nullable["country_id"].dtype) == "Int64"
    assert list(nullable["type"].cat.categories) == ["contact", "invoice", "delivery", "other"]
    assert str(nullable["date"].dtype).startswith("datetime64")
