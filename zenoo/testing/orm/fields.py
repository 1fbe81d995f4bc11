"""Field and model specifications, shaped like ``fields_get`` output plus storage details."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

X2MANY = frozenset({"one2many", "many2many"})
TEXTUAL = frozenset({"char", "text", "html", "selection"})
#: a selection that the database gives when it is asked, as Odoo's selection given by a method
#: (``res.partner.lang``: the active languages)
SelectionOf = Callable[[sqlite3.Connection], list[list[str]]]


@dataclass
class Field:
    """One field: its ``fields_get`` description and how it is stored."""

    type: str
    string: str
    required: bool = False
    readonly: bool = False
    store: bool = True
    search: bool = False  # not stored, but Odoo has a search method for it (fields_get: searchable)
    relation: str | None = None
    selection: list[list[str]] | SelectionOf | None = None
    relation_field: str | None = None  # one2many: the many2one on the comodel
    relation_table: str | None = None  # many2many: the link table, its two columns below
    column1: str | None = None
    column2: str | None = None
    help: str | None = None
    default: Any = None
    ondelete: str = "set null"  # many2one: what deleting the target does ("set null", "cascade", "restrict")
    depends: tuple[str, ...] = ()  # computed fields: what the value is computed from (as fields_get tells)
    translate: bool = False  # stored by Odoo as JSON by language (jsonb): refuses a NUL in its own way
    digits: tuple[int, int] | None = None  # float: (precision, scale); Odoo rounds what it stores to the scale
    currency_field: str | None = None  # monetary: the many2one to res.currency whose rounding a write applies
    # relational: the field's domain; an x2many's read leaves out the related records it excludes
    domain: tuple[tuple[str, str, Any], ...] = ()
    copy: bool | None = None  # whether copy() copies it; None: Odoo's default (see copied)
    aggregator: str | None = None  # a number's function in grouped reads; None: Odoo's default (see aggregate)
    # an inherited field of a delegation (_inherits): "<many2one>.<name>"; Odoo keeps the value on the
    # parent record and describes the field as related and not stored (here it stays in this table)
    inherited_from: str | None = None
    name: str = ""  # filled in by ModelSpec

    @property
    def aggregate(self) -> str | None:
        """The function grouped reads apply to it when none is asked for: ``sum`` for a stored
        number (but ids and sequences), unless the field names another."""
        if self.aggregator is not None:
            return self.aggregator
        numeric = self.store and self.type in ("integer", "float", "monetary")
        return "sum" if numeric and self.name not in ("id", "sequence") else None

    @property
    def copied(self) -> bool:
        """Whether copy() copies the value: by default every stored field but one2many and computed
        (readonly) ones, which the copy computes again."""
        if self.copy is not None:
            return self.copy
        return self.store and self.type != "one2many" and not self.readonly

    def choices(self, db: sqlite3.Connection) -> list[list[str]] | None:
        """The selection's ``[key, label]`` pairs, as they stand in ``db``."""
        return self.selection(db) if callable(self.selection) else self.selection

    @property
    def column(self) -> bool:
        """True when the value lives in a column of the model's own table."""
        return self.store and self.type not in X2MANY

    def describe(self, attributes: list[str] | None, version: int, db: sqlite3.Connection) -> dict[str, Any]:
        """This field as ``fields_get`` of Odoo ``version`` describes it in ``db``, limited to
        ``attributes`` when given."""
        full: dict[str, Any] = {
            "type": self.type,
            "string": self.string,
            "required": self.required,
            "readonly": self.readonly,
            "store": self.store and self.inherited_from is None,
            "sortable": self.store and self.type not in X2MANY,
            "searchable": self.store or self.search,
            "name": self.name,
            "depends": list(self.depends),
        }
        if self.type in ("char", "text", "html"):  # Odoo's text fields say whether they are translated
            full["translate"] = bool(self.translate)
        if version >= 19:
            full["groupable"] = self.store and self.type not in ("text", "html", "one2many")
        if self.aggregate:
            full["aggregator" if version >= 19 else "group_operator"] = self.aggregate
        if self.inherited_from:
            full["related"] = self.inherited_from
            full["depends"] = [self.inherited_from]
        if self.relation:
            full["relation"] = self.relation
            full["domain"] = [list(term) for term in self.domain]
            full["context"] = {}
        selection = self.choices(db)
        if selection is not None:
            full["selection"] = [list(pair) for pair in selection]
        if self.relation_field:
            full["relation_field"] = self.relation_field
        if self.help:
            full["help"] = self.help
        if self.digits:
            full["digits"] = list(self.digits)
        if self.currency_field:
            full["currency_field"] = self.currency_field
        if attributes:
            return {key: full[key] for key in attributes if key in full}
        return full


@dataclass
class ModelSpec:
    """A model: its name, label, table, order and fields."""

    name: str
    description: str
    fields: dict[str, Field]
    order: str = "id"
    rec_name: str = "name"  # column holding the display name
    parent_name: str | None = None  # many2one used by child_of / parent_of
    name_search: tuple[str, ...] = ()  # more fields a name matches (name_search, names in domains)
    table: str = ""

    def __post_init__(self) -> None:
        self.table = self.table or self.name.replace(".", "_")
        for name, spec in self.fields.items():
            spec.name = name

    @property
    def has_active(self) -> bool:
        return "active" in self.fields

    def name_domain(self, operator: str, value: Any) -> list[Any]:
        """The domain matching records by name, as ``name_search`` and names in domains do.

        Positive operators also look at the model's extra name fields (a partner's email, ...).
        """
        fields = [self.rec_name]
        if operator in ("=", "in", "ilike", "=ilike", "like", "=like"):
            fields += [name for name in self.name_search if name != self.rec_name]
        return [*["|"] * (len(fields) - 1), *[(name, operator, value) for name in fields]]

    def columns(self) -> list[str]:
        """Names of the fields stored as columns of the table (id first)."""
        return [name for name, spec in self.fields.items() if spec.column]
