"""Odoo field types to Arrow (and Polars) types: one mapping, used by every frame zenoo builds.

The schema of a frame comes from ``fields_get`` only, never from the data, so an empty result and a
full one have the same columns and types. Many2one fields become two columns: ``<field>`` (Int64,
the related id, what you filter and join on) and ``<field>.display_name`` (String).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from zenoo._deprecation import warn_renamed
from zenoo.exceptions import FieldError
from zenoo.fields.metadata import EXCLUDED_BY_DEFAULT, ModelFields

__all__ = [
    "DISPLAY_NAME_SUFFIX",
    "EXCLUDED_BY_DEFAULT",
    "FieldSpec",
    "FrameSchema",
    "arrow_type",
]

DISPLAY_NAME_SUFFIX = ".display_name"
"""The suffix of the column holding a many2one's display name, next to its id: `partner_id.display_name`."""

_SCALAR_TYPES: dict[str, pa.DataType] = {
    "char": pa.string(),
    "text": pa.string(),
    "html": pa.string(),
    "reference": pa.string(),
    "integer": pa.int64(),
    "many2one": pa.int64(),
    "many2one_reference": pa.int64(),
    "float": pa.float64(),
    "monetary": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "one2many": pa.list_(pa.int64()),
    "many2many": pa.list_(pa.int64()),
    "binary": pa.binary(),
    "image": pa.binary(),
}

#: Types without a natural Arrow type; their values are kept as JSON text.
_JSON_TEXT_TYPES = frozenset({"json", "properties", "properties_definition"})


@dataclass(frozen=True)
class FieldSpec:
    """One Odoo field as ``fields_get`` describes it (the attributes frames need)."""

    name: str
    type: str
    string: str = ""
    relation: str | None = None
    selection: tuple[str, ...] = ()
    store: bool = True
    searchable: bool = True  # whether Odoo can search on it (a domain term on it is refused or ignored)
    readonly: bool = False  # fields_get's readonly: computed without inverse, or not to be written
    required: bool = False
    #: a float's scale (``fields_get``'s ``digits``): Odoo rounds what it stores to it
    scale: int | None = None
    #: a monetary's many2one to res.currency: Odoo rounds what ``write`` stores to that currency
    currency_field: str | None = None
    #: its value depends on the context: translated (per ``lang``) or company-dependent
    contextual: bool = False

    @classmethod
    def from_fields_get(cls, model: ModelFields, name: str) -> FieldSpec:
        """The spec of field ``name`` of ``model`` (``store`` and ``searchable`` as
        :meth:`ModelFields.says` reads them)."""
        attrs = model.get(name)
        selection = attrs.get("selection") or ()
        digits = attrs.get("digits")
        return cls(
            name=name,
            type=str(attrs.get("type", "")),
            string=str(attrs.get("string") or name),
            relation=attrs.get("relation") or None,
            selection=tuple(str(key) for key, _label in selection) if isinstance(selection, list) else (),
            store=model.says(name, "store"),
            searchable=model.says(name, "searchable"),
            readonly=bool(attrs.get("readonly", False)),
            required=bool(attrs.get("required", False)),
            scale=int(digits[1]) if isinstance(digits, list | tuple) and len(digits) == 2 else None,
            currency_field=attrs.get("currency_field") or None,
            contextual=bool(attrs.get("translate") or attrs.get("company_dependent")),
        )

    @property
    def is_many2one(self) -> bool:
        return self.type == "many2one"

    @property
    def is_json_text(self) -> bool:
        return self.type in _JSON_TEXT_TYPES or (self.type not in _SCALAR_TYPES and self.type != "selection")


def arrow_type(spec: FieldSpec) -> pa.DataType:
    """The Arrow type of a field's column (for many2one: the id column)."""
    if spec.type == "selection":
        return pa.dictionary(pa.int32(), pa.string())
    return _SCALAR_TYPES.get(spec.type, pa.string())


@dataclass(frozen=True)
class FrameSchema:
    """The columns of a frame over ``model``: ``id`` first, then the selected fields in order."""

    model: str
    fields: tuple[FieldSpec, ...]
    display_fields: frozenset[str] = frozenset()  # many2one fields that get a display-name column
    #: the model's field that hides archived records (Odoo's ``_active_name``), selected or not
    active_name: str | None = None

    @classmethod
    def build(
        cls,
        model: str,
        fields_get: Mapping[str, Mapping[str, Any]],
        selected: Sequence[str] | None = None,
        *,
        display_names: bool = True,
    ) -> FrameSchema:
        """Schema for ``selected`` fields (default: the model's default fields, as records read
        them: :meth:`ModelFields.default_names`); unknown names raise FieldError."""
        described = ModelFields(model, fields_get)
        names = described.default_names() if selected is None else _dedupe(selected)
        described.check(names)  # the first unknown name: FieldError, with close matches
        specs = tuple(FieldSpec.from_fields_get(described, name) for name in names if name != "id")
        display = frozenset(spec.name for spec in specs if spec.is_many2one) if display_names else frozenset()
        return cls(model=model, fields=specs, display_fields=display, active_name=described.active_name)

    @property
    def field_names(self) -> list[str]:
        """The Odoo field names to ``read`` (without ``id``)."""
        return [spec.name for spec in self.fields]

    @property
    def display_specs(self) -> list[FieldSpec]:
        """The many2one fields whose display names are resolved."""
        return [spec for spec in self.fields if spec.name in self.display_fields]

    def columns(self) -> list[tuple[str, FieldSpec | None]]:
        """Column names in frame order, each with the field it comes from (``None`` for ``id``)."""
        columns: list[tuple[str, FieldSpec | None]] = [("id", None)]
        for spec in self.fields:
            columns.append((spec.name, spec))
            if spec.name in self.display_fields:
                columns.append((spec.name + DISPLAY_NAME_SUFFIX, spec))
        return columns

    def arrow(self) -> pa.Schema:
        """The Arrow schema; field metadata keeps the Odoo type (and selection keys)."""
        arrow_fields = [pa.field("id", pa.int64(), nullable=False, metadata={"odoo_type": "id"})]
        for column, spec in self.columns()[1:]:
            assert spec is not None
            if column != spec.name:
                arrow_fields.append(pa.field(column, pa.string(), metadata={"odoo_type": "display_name"}))
                continue
            metadata = {"odoo_type": spec.type}
            if spec.relation:
                metadata["odoo_relation"] = spec.relation
            arrow_fields.append(pa.field(column, arrow_type(spec), metadata=metadata))
        return pa.schema(arrow_fields, metadata={"odoo_model": self.model})

    def polars(self) -> dict[str, Any]:
        """The Polars schema (selection fields as ``pl.Enum`` of their keys)."""
        import polars as pl

        empty = pl.from_arrow(self.arrow().empty_table())
        assert isinstance(empty, pl.DataFrame)
        schema: dict[str, Any] = dict(empty.schema)
        for spec in self.fields:
            if spec.type == "selection":
                schema[spec.name] = pl.Enum(list(spec.selection))
        return schema

    def select(self, columns: Iterable[str]) -> FrameSchema:
        """The narrower schema that still produces ``columns`` (``x.display_name`` needs ``x``)."""
        wanted = set(columns)
        kept = tuple(
            spec for spec in self.fields if spec.name in wanted or (spec.name + DISPLAY_NAME_SUFFIX) in wanted
        )
        display = frozenset(name for name in self.display_fields if name + DISPLAY_NAME_SUFFIX in wanted)
        return replace(self, fields=kept, display_fields=display)


def _dedupe(names: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        if not isinstance(name, str):
            raise FieldError(f"field names must be strings, got {name!r}")
        seen.setdefault(name, None)
    return list(seen)


def _default_fields(fields: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return ModelFields("", fields).default_names()


def __getattr__(name: str) -> Any:
    if name == "default_fields":  # the rule of default fields moved below records and frames
        warn_renamed(__name__, name, "zenoo.fields.metadata.ModelFields(model, fields).default_names()")
        return _default_fields
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
