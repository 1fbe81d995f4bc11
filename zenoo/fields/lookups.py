"""Lookups (``name__ilike``) and Odoo operators: what each means and which field types accept it.

Odoo's ``like``/``ilike`` wrap the value in ``%…%`` and treat ``%`` and ``_`` in it as wildcards;
``=like``/``=ilike`` use the pattern exactly as given. Lookups that promise a literal match
(``iexact``, ``contains``, ``startswith``…) therefore escape ``\\``, ``%`` and ``_`` in the value
(backslash is the escape character of SQL ``LIKE``), while ``like``/``ilike``/``=like``/``=ilike``
pass the value through unchanged, with Odoo's semantics: ``name__ilike="acme%"`` matches names
*containing* ``acme`` followed by anything.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import datetime, time
from typing import Any

from zenoo.exceptions import InvalidLookupError, InvalidValueError
from zenoo.fields.values import ODOO_DATE_FORMAT, ODOO_DATETIME_FORMAT, python_scalar, to_odoo

#: lookup name → Odoo operator
LOOKUP_OPERATORS: dict[str, str] = {
    "exact": "=",
    "iexact": "=ilike",
    "ne": "!=",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "in": "in",
    "not_in": "not in",
    "like": "like",
    "ilike": "ilike",
    "not_like": "not like",
    "not_ilike": "not ilike",
    "=like": "=like",
    "=ilike": "=ilike",
    "contains": "like",
    "icontains": "ilike",
    "startswith": "=like",
    "istartswith": "=ilike",
    "endswith": "=like",
    "iendswith": "=ilike",
    "isnull": "=",
    "child_of": "child_of",
    "parent_of": "parent_of",
    "any": "any",
    "not_any": "not any",
}

ODOO_OPERATORS: frozenset[str] = frozenset(
    {
        "=", "!=", "<>", "<", "<=", ">", ">=", "=?", "like", "ilike", "not like", "not ilike",
        "=like", "=ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
        "any!", "not any!",
    }
)  # fmt: skip

_COMPARISON = frozenset({"<", "<=", ">", ">="})
_PATTERN = frozenset({"like", "ilike", "not like", "not ilike", "=like", "=ilike"})
_HIERARCHY = frozenset({"child_of", "parent_of"})
_SUBQUERY = frozenset({"any", "not any", "any!", "not any!"})
_EQUALITY = frozenset({"=", "!=", "<>", "=?", "in", "not in"})

RELATIONAL_TYPES = frozenset({"many2one", "one2many", "many2many"})
X2MANY_TYPES = frozenset({"one2many", "many2many"})
_TEXT_TYPES = frozenset({"char", "text", "html", "selection", "reference"})
_ORDERED_TYPES = frozenset({"integer", "float", "monetary", "date", "datetime", "many2one"}) | _TEXT_TYPES


def operators_for(field_type: str, *, is_id: bool = False) -> frozenset[str]:
    """The Odoo operators a field of ``field_type`` accepts (``is_id`` for the ``id`` field)."""
    allowed = set(_EQUALITY)
    if field_type in _ORDERED_TYPES:
        allowed |= _COMPARISON
    if field_type in _TEXT_TYPES or field_type in RELATIONAL_TYPES:
        allowed |= _PATTERN
    if field_type in RELATIONAL_TYPES or is_id:
        allowed |= _HIERARCHY
    if field_type in RELATIONAL_TYPES:
        allowed |= _SUBQUERY
    return frozenset(allowed)


def suggest(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidates, or an empty string."""
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def check_operator(model: str, path: str, field_type: str, operator: str) -> None:
    """Raise InvalidLookupError when ``operator`` is unknown or not valid for this field."""
    if operator not in ODOO_OPERATORS:
        raise InvalidLookupError(
            f"unknown Odoo operator {operator!r} on {model}.{path}{suggest(operator, ODOO_OPERATORS)}"
        )
    last = path.rsplit(".", 1)[-1]
    if operator not in operators_for(field_type, is_id=last == "id"):
        raise InvalidLookupError(
            f"operator {operator!r} is not valid for {model}.{path} (a {field_type} field); "
            f"valid operators: {', '.join(sorted(operators_for(field_type, is_id=last == 'id')))}"
        )


_NUMERIC_TYPES = frozenset({"integer", "float", "monetary"})
_FREE_TEXT_TYPES = frozenset({"char", "text", "html"})  # a value of any text (not a selection key)


def check_value(where: str, field: Mapping[str, Any], operator: str, value: Any) -> None:
    """Raise InvalidValueError when a compared value cannot match ``field`` (``where`` names it):
    a number field compared with a non-number, a text field with a non-text, a boolean with a
    non-boolean, a many2one with ``True``, a selection with a key it does not have (a typo there
    would silently match nothing). ``False`` (empty) always fits."""
    if operator in ("in", "not in"):
        values = value if isinstance(value, list) else [value]
    elif operator in _EQUALITY or operator in _COMPARISON:
        values = [value]
    else:
        return
    kind = field.get("type")
    for item in values:
        if item is False:
            if operator in _COMPARISON:
                raise InvalidValueError(
                    f"{where} cannot be compared with {operator!r} to an empty value (None/False); "
                    "use __isnull to test for one"
                )
            continue
        if kind == "many2one" and isinstance(item, int) and not isinstance(item, bool) and item < 1:
            raise InvalidValueError(
                f"{where} (many2one) cannot be compared with id {item}: ids start at 1, and Odoo reads "
                "0 as empty; use __isnull to test for an empty many2one"
            )
        if kind == "many2one" and isinstance(item, bool):  # True: Odoo 17 and 19 fail on it in SQL
            raise InvalidValueError(
                f"{where} (many2one) cannot be compared with {item!r}: compare it with an id or a name, or "
                "use __isnull=False for a many2one that is set"
            )
        if kind in _FREE_TEXT_TYPES and not isinstance(item, str):  # a number matches no text
            raise InvalidValueError(f"{where} ({kind} field) cannot be compared with {item!r}: give text")
        if kind in _NUMERIC_TYPES and (isinstance(item, bool) or not isinstance(item, int | float)):
            raise InvalidValueError(f"{where} ({kind} field) cannot be compared with {item!r}")
        if kind == "boolean" and not isinstance(item, bool):
            raise InvalidValueError(
                f"{where} is a boolean field: compare it with True or False, not {item!r}"
            )
        if kind in ("date", "datetime") and not _is_odoo_date(item):
            raise InvalidValueError(
                f"{where} ({kind} field) cannot be compared with {item!r}: give a date, a datetime "
                "or Odoo's 'YYYY-MM-DD' / 'YYYY-MM-DD HH:MM:SS' text"
            )
        if kind == "selection":
            keys = [key for key, _label in field.get("selection") or []]
            if keys and item not in keys:
                labels = [str(key) for key in keys]
                hint = suggest(item, labels) if isinstance(item, str) else ""
                raise InvalidValueError(
                    f"{item!r} is not a valid choice for {where}{hint}; choices: {', '.join(labels)}"
                )


def refuse_datetimes(where: str, value: Any) -> None:
    """Raise InvalidValueError for a datetime compared with the date field ``where``: sent as UTC
    text, its day could shift (a naive midnight, pandas' way of holding a date, passes)."""
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    for item in map(python_scalar, items):
        if isinstance(item, datetime) and (item.tzinfo is not None or item.time() != time()):
            raise InvalidValueError(
                f"{where} is a date field: got a datetime {item!r}; pass the date you mean (value.date())"
            )


def _is_odoo_date(value: Any) -> bool:
    """``value`` is Odoo's date or datetime text (the database compares either with both kinds)."""
    if not isinstance(value, str):
        return False
    for fmt in (ODOO_DATE_FORMAT, ODOO_DATETIME_FORMAT):
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            continue
        return True
    return False


def escape_like(value: str) -> str:
    """Escape SQL LIKE wildcards so that ``value`` matches literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _require_str(lookup: str, value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(f"lookup {lookup!r} on {where} needs a string, got {value!r}")
    return value


def _as_list(lookup: str, value: Any, where: str) -> list[Any]:
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise InvalidValueError(f"lookup {lookup!r} on {where} needs a list of values, got {value!r}")
    values: list[Any] = to_odoo(list(value), where)
    return values


def lookup_leaf(lookup: str, value: Any, where: str) -> tuple[str, Any]:
    """Translate a lookup and its Python value into ``(odoo_operator, odoo_value)``.

    ``any``/``not_any`` values (sub-domains) are compiled by the caller; here they pass through.
    """
    if lookup not in LOOKUP_OPERATORS:
        raise InvalidLookupError(f"unknown lookup {lookup!r} on {where}{suggest(lookup, LOOKUP_OPERATORS)}")
    operator = LOOKUP_OPERATORS[lookup]
    value = python_scalar(value)
    if lookup == "isnull":
        if not isinstance(value, bool):
            raise InvalidValueError(f"lookup 'isnull' on {where} needs True or False, got {value!r}")
        return ("=" if value else "!="), False
    if lookup in ("in", "not_in"):
        return operator, _as_list(lookup, value, where)
    if lookup in ("child_of", "parent_of"):
        if isinstance(value, list | tuple | set | frozenset):
            return operator, _as_list(lookup, value, where)
        return operator, to_odoo(value, where)
    if lookup in ("any", "not_any"):
        return operator, value
    if lookup == "iexact":
        return operator, escape_like(_require_str(lookup, value, where))
    if lookup in ("contains", "icontains"):
        return operator, escape_like(_require_str(lookup, value, where))
    if lookup in ("startswith", "istartswith"):
        return operator, escape_like(_require_str(lookup, value, where)) + "%"
    if lookup in ("endswith", "iendswith"):
        return operator, "%" + escape_like(_require_str(lookup, value, where))
    if operator in _PATTERN:
        return operator, _require_str(lookup, value, where)
    if isinstance(value, list | tuple | set | frozenset | dict):
        raise InvalidValueError(
            f"lookup {lookup!r} on {where} compares with one value, got a collection {value!r}; "
            "use __in for a list"
        )
    return operator, to_odoo(value, where)
