"""Python values → the values of ``create``/``write``, checked against ``fields_get`` before sending.

Values are checked against the field's type, selection keys and (on create) required fields, and a
clear :class:`InvalidValueError` (or :class:`FieldError` for an unknown field) is raised before
anything is sent. Records and lazy references (:class:`RecordReference`) become their ids; a list of
ids or records for an x2many replaces the relation (command 6); x2many commands are checked against
the related model. The client's ``create``/``write`` and the model layer's ``save`` all go through
:func:`checked_create_values` and :func:`checked_write_values`.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from zenoo.exceptions import FieldError, InvalidValueError, MethodNotFoundError
from zenoo.fields.lookups import suggest
from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.fields.values import (
    ODOO_DATE_FORMAT,
    ODOO_DATETIME_FORMAT,
    RecordReference,
    date_to_odoo,
    datetime_to_odoo,
    finite_float,
    python_scalar,
    to_odoo,
)
from zenoo.seams import OdooClient

_STRING_TYPES = frozenset({"char", "text", "html", "reference"})
#: text fields: required, a blank value counts as empty (Odoo's web client refuses it)
_TEXT_TYPES = frozenset({"char", "text", "html"})
#: Odoo's integer fields are PostgreSQL ``integer`` columns: 32 bits.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


async def known_defaults(client: OdooClient, fields: ModelFields) -> frozenset[str] | None:
    """Required fields of the model that get a default on the server (``default_get``, once per model).

    None when the server cannot tell (no ``default_get``): required fields are then left to Odoo.
    """
    state = client.state
    if fields.model not in state.defaults:
        required = [name for name, field in fields.fields.items() if field.get("required")]
        if not required:
            state.defaults[fields.model] = frozenset()
        else:
            try:
                # positional: the parameter's name differs between versions and models
                found = await client.call(fields.model, "default_get", args=(required,))
            except MethodNotFoundError:
                state.defaults[fields.model] = None
            else:
                state.defaults[fields.model] = frozenset(found)
    return state.defaults[fields.model]


async def checked_write_values(client: OdooClient, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
    fields = await model_fields(client, model)
    return to_write_values(
        fields, values, creating=False, related=await _command_models(client, fields, values)
    )


async def checked_create_values(client: OdooClient, model: str, values: Mapping[str, Any]) -> dict[str, Any]:
    fields = await model_fields(client, model)
    return to_write_values(
        fields,
        values,
        creating=True,
        defaults=await known_defaults(client, fields),
        related=await _command_models(client, fields, values),
    )


async def _command_models(
    client: OdooClient, fields: ModelFields, values: Mapping[str, Any]
) -> dict[str, ModelFields]:
    """The fields of the models whose records x2many commands in ``values`` create or update
    (``(0, 0, {...})``, ``(1, id, {...})``), so that their values are checked too."""
    related: dict[str, ModelFields] = {}
    for name, value in values.items():
        field = fields.fields.get(name) or {}
        if field.get("type") not in ("one2many", "many2many") or not isinstance(value, list | tuple):
            continue
        if any(
            isinstance(item, list | tuple) and len(item) == 3 and isinstance(item[2], Mapping)
            for item in value
        ):
            relation = str(field["relation"])
            related[relation] = await model_fields(client, relation)
    return related


def to_write_values(
    fields: ModelFields,
    values: Mapping[str, Any],
    *,
    creating: bool,
    defaults: frozenset[str] | None = None,
    related: Mapping[str, ModelFields] | None = None,
) -> dict[str, Any]:
    """Check ``values`` against ``fields`` and convert them for ``create``/``write``.

    ``defaults`` names the fields that get a default on the server (when known): on create, a
    required field that is neither given nor defaulted is an error. Fields Odoo fills itself are
    not asked for: readonly, non-stored, computed (``depends``), related and company-dependent ones,
    and the many2one of a delegation (``_inherits``: :attr:`ModelFields.delegate_fields`), which
    may also be given empty on create. ``related`` holds the fields
    of related models: the values inside x2many ``(0, 0, {...})``/``(1, id, {...})`` commands on
    those models are checked against them too (their required fields are left to Odoo, which
    fills the inverse field itself).
    """
    out = {
        name: write_value(fields, name, value, creating=creating, related=related)
        for name, value in values.items()
    }
    if creating and defaults is not None:
        missing = [
            name
            for name, field in fields.fields.items()
            if _enforced_required(field) and name not in out and name not in defaults and name != "id"
            and field.get("store", True) and not field.get("readonly") and not field.get("company_dependent")
            and not field.get("depends") and not field.get("related") and name not in fields.delegate_fields
        ]  # fmt: skip
        if missing:
            raise InvalidValueError(
                f"cannot create {fields.model}: required field(s) {', '.join(sorted(missing))} missing"
            )
    return out


def write_value(
    fields: ModelFields,
    name: str,
    value: Any,
    *,
    creating: bool,
    related: Mapping[str, ModelFields] | None = None,
) -> Any:
    """One value of field ``name``, checked and converted as :func:`to_write_values` does."""
    return value_writer(fields, name, creating=creating, related=related)(value)


def value_writer(
    fields: ModelFields, name: str, *, creating: bool, related: Mapping[str, ModelFields] | None = None
) -> Callable[[Any], Any]:
    """:func:`write_value` for many values of field ``name`` (a frame's column): the field is looked
    up and checked once, each value as it comes."""
    if name == "id":
        raise InvalidValueError(f"{fields.model}.id cannot be written")
    field = fields.get(name)
    if field.get("store") is False and field.get("readonly"):
        raise FieldError(
            f"{fields.model}.{name} is computed and not stored, without an inverse (readonly): Odoo would "
            "ignore what is written to it"
        )
    model, kind, others = fields.model, str(field.get("type")), related or {}
    required = _refuses_empty(fields, name, creating)
    blank_is_empty = required and kind in _TEXT_TYPES

    def write(value: Any) -> Any:
        out = _field_value(model, name, field, kind, value, others)
        if out is False and required:
            raise InvalidValueError(f"{model}.{name} is required: it cannot be empty")
        if blank_is_empty and isinstance(out, str) and not out.strip():
            raise InvalidValueError(f"{model}.{name} is required: blank text {out!r} counts as empty (Odoo "
                                    "would store it, where its web client refuses it)")  # fmt: skip
        return out

    return write


def _refuses_empty(fields: ModelFields, name: str, creating: bool) -> bool:
    """Whether an empty value of ``name`` is refused: a required field (not a boolean, whose False
    is a value), but the many2one of a delegation on create, for which Odoo creates the parent."""
    field = fields.get(name)
    return (
        _enforced_required(field) and field.get("type") != "boolean"
        and not (creating and name in fields.delegate_fields)
    )  # fmt: skip


def column_writer(
    fields: ModelFields, name: str, *, creating: bool
) -> Callable[[Sequence[Any]], list[Any]]:
    """:func:`value_writer` for a whole column of values at once: a column of one plain type that
    the field takes as it is (text without NUL, integers in 32 bits, booleans, finite floats) is
    checked in one pass in C; any other goes value by value."""
    write = value_writer(fields, name, creating=creating)
    kind = str(fields.get(name).get("type"))
    blank_is_empty = kind in _TEXT_TYPES and _refuses_empty(fields, name, creating)

    def write_all(values: Sequence[Any]) -> list[Any]:
        kinds = set(map(type, values))
        if len(kinds) == 1 and (
            (str in kinds and kind in _STRING_TYPES and "\x00" not in "".join(values)
             and not (blank_is_empty and not all(map(str.strip, values))))
            or (int in kinds and kind == "integer" and INT32_MIN <= min(values) and max(values) <= INT32_MAX)
            or (bool in kinds and kind == "boolean")
            or (float in kinds and kind in ("float", "monetary") and all(map(math.isfinite, values)))
        ):
            return list(values)
        return [write(value) for value in values]

    return write_all


def _enforced_required(field: Mapping[str, Any]) -> bool:
    """Whether Odoo refuses a record without this field: it enforces ``required`` through NOT NULL
    columns, and an x2many has none (product.template's required product_variant_ids is filled by
    Odoo itself)."""
    return bool(field.get("required")) and field.get("type") not in ("one2many", "many2many")


def _field_value(
    model: str, name: str, field: Mapping[str, Any], kind: str, value: Any, related: Mapping[str, ModelFields]
) -> Any:
    cls = type(value)  # the common cases first: a plain str, int, bool or float of the field's type
    if (
        (cls is str and kind in _STRING_TYPES and "\x00" not in value)
        or (cls is int and kind == "integer" and INT32_MIN <= value <= INT32_MAX)
        or (cls is bool and kind == "boolean")
        or (cls is float and kind in ("float", "monetary") and math.isfinite(value))
    ):
        return value
    where = f"{model}.{name}"
    if isinstance(value, Enum):
        value = value.value
    scalar = python_scalar(value)
    if kind == "date" and scalar is not value and isinstance(scalar, dt.datetime) and _is_midnight(scalar):
        scalar = scalar.date()  # pandas and numpy hold dates as naive timestamps at midnight
    value = scalar
    if value is None or value is False:  # None (pandas' NA included) is Odoo's empty, False for a boolean
        return [(5, 0, 0)] if kind in ("one2many", "many2many") else False
    if kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidValueError(f"{where} is a boolean field: got {value!r}")
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValueError(f"{where} is an integer field: got {value!r}")
        if not INT32_MIN <= value <= INT32_MAX:
            raise InvalidValueError(f"{where} is an integer field, stored in 32 bits: {value} is out of range")
        return value
    if kind in ("float", "monetary"):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise InvalidValueError(f"{where} is a {kind} field: got {value!r}")
        return finite_float(value, where)
    if kind == "selection":
        return _selection_value(where, field, value)
    if kind in _STRING_TYPES:
        if not isinstance(value, str):
            raise InvalidValueError(f"{where} is a {kind} field: got {value!r}")
        if "\x00" in value:
            raise InvalidValueError(f"{where}: text cannot hold a NUL character (\\x00), which PostgreSQL refuses")
        return value
    if kind == "date":
        return _date_value(where, value)
    if kind == "datetime":
        return _datetime_value(where, value)
    if kind == "many2one":
        return id_value(where, value)
    if kind in ("one2many", "many2many"):
        return _x2many_value(where, value, related.get(str(field.get("relation", ""))), related)
    if kind == "binary":
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        if not isinstance(value, str):
            raise InvalidValueError(f"{where} is a binary field: give bytes or base64 text, got {value!r}")
        return value
    return to_odoo(value, where)


def _selection_value(where: str, field: Mapping[str, Any], value: Any) -> Any:
    """One of the selection's keys (usually strings; a selection may also have integer keys)."""
    keys = [key for key, _label in field.get("selection") or []]
    if not keys:  # no choices known (a dynamic selection): the server decides
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise InvalidValueError(f"{where} is a selection field: got {value!r}")
        return value
    if value not in keys or isinstance(value, bool):
        labels = [str(key) for key in keys]
        hint = suggest(value, labels) if isinstance(value, str) else ""
        raise InvalidValueError(
            f"{value!r} is not a valid choice for {where}{hint}; choices: {', '.join(labels)}"
        )
    return value


def _is_midnight(value: dt.datetime) -> bool:
    return value.tzinfo is None and value.time() == dt.time()


def _date_value(where: str, value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise InvalidValueError(f"{where} is a date field: got a datetime {value!r}; pass value.date()")
    if isinstance(value, dt.date):
        return date_to_odoo(value)
    if isinstance(value, str):
        try:
            dt.datetime.strptime(value, ODOO_DATE_FORMAT)
        except ValueError:
            raise InvalidValueError(f"{where} is a date field: {value!r} is not YYYY-MM-DD") from None
        return value
    raise InvalidValueError(f"{where} is a date field: got {value!r}")


def _datetime_value(where: str, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return datetime_to_odoo(value)
    if isinstance(value, str):
        try:
            dt.datetime.strptime(value, ODOO_DATETIME_FORMAT)
        except ValueError:
            raise InvalidValueError(
                f"{where} is a datetime field: {value!r} is not YYYY-MM-DD HH:MM:SS"
            ) from None
        return value
    raise InvalidValueError(f"{where} is a datetime field: got {value!r} (dates need a time: use a datetime)")


def id_value(where: str, value: Any) -> int:
    """The record id of a many2one value: an id, a record or a lazy reference."""
    value = python_scalar(value)
    if isinstance(value, RecordReference) and value.id is not None:
        value = value.id
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise InvalidValueError(f"{where}: {value} is not a record id (ids start at 1; False clears)")
        return value
    raise InvalidValueError(f"{where} is a many2one field: give an id or a record, got {value!r}")


def _x2many_value(
    where: str, value: Any, target: ModelFields | None, related: Mapping[str, ModelFields]
) -> list[Any]:
    """A list of ids/records replaces the relation (command 6); a list of commands is sent as is,
    the values of create/update commands checked against ``target`` (the related model) when known."""
    if not isinstance(value, list | tuple | set | frozenset):
        raise InvalidValueError(f"{where} is an x2many field: give a list of ids, records or commands")
    items = list(value)
    if items and all(is_command(item) for item in items):
        return [_command(where, item, target, related) for item in items]
    for item in items:
        if isinstance(item, list | tuple):
            problem = "commands mixed with ids" if is_command(item) else f"{tuple(item)!r} is not an x2many command"
            raise InvalidValueError(f"{where}: {problem}; {_COMMANDS}")
    return [(6, 0, [_related_id(where, item) for item in items])]


#: the x2many commands Odoo takes, as error messages list them
_COMMANDS = (
    "commands are (0, 0, values) create, (1, id, values) update, (2, id) delete, (3, id) unlink, "
    "(4, id) link, (5,) clear, (6, 0, ids) replace"
)


def _related_id(where: str, value: Any) -> int:
    """A record id in an x2many value or command."""
    try:
        return id_value(where, value)
    except InvalidValueError:
        raise InvalidValueError(f"{where}: {value!r} is not a record id (give ids, records or commands)") from None


def _command(
    where: str, item: Sequence[Any], target: ModelFields | None, related: Mapping[str, ModelFields]
) -> list[Any]:
    code = item[0]
    if code in (1, 2, 3, 4):  # update, delete, unlink, link: the second place holds a record id
        _related_id(f"{where}, command {tuple(item)!r}", item[1])
    if code in (0, 1) and (len(item) != 3 or not isinstance(item[2], Mapping)):
        raise InvalidValueError(f"{where}: command {tuple(item)!r} needs a dict of values in third place")
    if code == 6:
        ids = item[2] if len(item) == 3 else None
        if not isinstance(ids, list | tuple):
            raise InvalidValueError(f"{where}: command (6, 0, ids) needs a list of ids, got {tuple(item)!r}")
        return [6, 0, [_related_id(f"{where}, command 6", i) for i in ids]]
    if code in (0, 1) and target is not None:
        return [item[0], to_odoo(item[1], where), to_write_values(target, item[2], creating=False, related=related)]
    command: list[Any] = to_odoo(list(item), where)
    return command


def is_command(item: Any) -> bool:
    """Whether ``item`` is an x2many command tuple such as ``(4, id)``, ``(5,)`` or ``(0, 0, {...})``."""
    return (
        isinstance(item, list | tuple)
        and (len(item) in (2, 3) or tuple(item) == (5,))
        and isinstance(item[0], int)
        and not isinstance(item[0], bool)
        and 0 <= item[0] <= 6
    )
