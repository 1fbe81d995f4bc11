"""Exact conversion between Odoo's values and Python values, by field type from ``fields_get``.

From Odoo: ``false`` is None for every type except boolean; char/text/html/selection → str;
integer → int; float/monetary → float; date → ``datetime.date``; datetime → an aware
``datetime.datetime`` in UTC; many2one → :class:`Many2one` (``[id, name]`` or a bare id);
one2many/many2many → :class:`X2many` (the list of ids; by field type, never by the value's shape);
binary → the base64 text Odoo sent; anything else unchanged.

The other direction (checked values for ``create``/``write``) is :mod:`zenoo.fields.writing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from zenoo.fields.values import RecordReference, parse_odoo_date, parse_odoo_datetime
from zenoo.fields.writing import id_value, is_command
from zenoo.models.binding import Binding
from zenoo.models.relations import Many2one, X2many

if TYPE_CHECKING:
    from zenoo.models.base import OdooModel

_STRING_TYPES = frozenset({"char", "text", "html", "reference"})


# --- Odoo → Python -----------------------------------------------------------------------------


def from_odoo(
    value: Any,
    field: Mapping[str, Any],
    binding: Binding | None = None,
    related_class: type[OdooModel] | None = None,
) -> Any:
    """One value as Odoo sent it → the Python value (see the module docstring)."""
    kind = field.get("type")
    if kind == "boolean":
        return bool(value)
    if kind in ("one2many", "many2many"):
        ids = value if isinstance(value, list) else []
        return X2many(ids, str(field.get("relation", "")), binding=binding, related_class=related_class)
    if value is False or value is None:
        return None
    if kind == "many2one":
        if isinstance(value, list | tuple):
            ref_id, name = value[0], value[1] if len(value) > 1 else None
        else:
            ref_id, name = value, None
        return Many2one(
            str(field.get("relation", "")), int(ref_id), name, binding=binding, related_class=related_class
        )
    if kind == "date" and isinstance(value, str):
        return parse_odoo_date(value)
    if kind == "datetime" and isinstance(value, str):
        return parse_odoo_datetime(value)
    if kind == "float" or kind == "monetary":
        return float(value)
    return value


def written_to_python(value: Any, field: Mapping[str, Any], binding: Binding) -> Any:
    """A value just written, as a loaded record holds it: ids and records of relational fields
    become lazy :class:`Many2one` / :class:`X2many` values (x2many commands are kept as given)."""
    kind = field.get("type")
    relation = str(field.get("relation", ""))
    if kind == "many2one":
        if value is None or value is False:
            return None
        if isinstance(value, Many2one):
            return value
        if isinstance(value, RecordReference):  # a record: OdooModel is registered as one
            record = cast("OdooModel", value)
            ref: Many2one[Any] = Many2one(relation, id_value("", record), getattr(record, "display_name", None),
                                          binding=binding, related_class=type(record))  # fmt: skip
            ref._set_record(record)
            return ref
        return Many2one(relation, value, binding=binding)
    if kind in ("one2many", "many2many") and isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        if items and all(is_command(item) for item in items):
            return value
        return X2many([id_value("", item) for item in items], relation, binding=binding)
    return value
