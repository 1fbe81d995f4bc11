"""Python values → the JSON values Odoo expects in domains and in ``create``/``write``.

* ``None`` → ``False`` (Odoo's "empty").
* ``datetime``: an aware value is converted to UTC; a **naive value is taken as UTC already**
  (that is how Odoo stores and sends datetimes). Both become ``"YYYY-MM-DD HH:MM:SS"``.
* ``date`` → ``"YYYY-MM-DD"``; ``Decimal`` → ``float``; ``Enum`` → its value.
* A record (an :class:`~zenoo.models.OdooModel`, or a lazy many2one reference) → its id.
* Lists, tuples and sets → lists of converted values; a mapping (the values of an x2many
  ``(0, 0, {...})`` command, a json field) → a dict of converted values with string keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from zenoo.exceptions import InvalidValueError

ODOO_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ODOO_DATE_FORMAT = "%Y-%m-%d"


def datetime_to_odoo(value: dt.datetime) -> str:
    """An aware datetime in UTC, or a naive one taken as UTC, as Odoo's datetime string."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime(ODOO_DATETIME_FORMAT)


def to_odoo(value: Any) -> Any:
    """Convert one Python value (see the module docstring) into a JSON value Odoo accepts."""
    if value is None:
        return False
    if isinstance(value, bool | int | float | str):
        if isinstance(value, Enum):
            return to_odoo(value.value)
        return value
    if isinstance(value, Enum):
        return to_odoo(value.value)
    if isinstance(value, dt.datetime):
        return datetime_to_odoo(value)
    if isinstance(value, dt.date):
        return value.strftime(ODOO_DATE_FORMAT)
    if isinstance(value, Decimal):
        return float(value)
    record_id = _record_id(value)
    if record_id is not None:
        return record_id
    if isinstance(value, list | tuple | set | frozenset):
        return [to_odoo(item) for item in value]
    if isinstance(value, Mapping):
        return {_key(name, value): to_odoo(item) for name, item in value.items()}
    raise InvalidValueError(f"cannot send a value of type {type(value).__name__} to Odoo: {value!r}")


def _key(name: Any, mapping: Mapping[Any, Any]) -> str:
    if not isinstance(name, str):
        raise InvalidValueError(f"keys sent to Odoo must be strings, got {name!r} in {mapping!r}")
    return name


def _record_id(value: Any) -> int | None:
    """The id of a record or lazy reference, None when ``value`` is neither."""
    from zenoo.models.base import OdooModel
    from zenoo.models.relations import Many2one

    if isinstance(value, OdooModel | Many2one):
        if value.id is None:
            raise InvalidValueError(f"{value!r} has no id yet: save it before using it as a value")
        return value.id
    return None
