"""Python values → the JSON values Odoo expects in domains and in ``create``/``write``.

* ``None`` → ``False`` (Odoo's "empty").
* ``datetime``: an aware value is converted to UTC; a **naive value is taken as UTC already**
  (that is how Odoo stores and sends datetimes). Both become ``"YYYY-MM-DD HH:MM:SS"``.
* ``date`` → ``"YYYY-MM-DD"``; ``Decimal`` → ``float``; ``Enum`` → its value.
* A record (an :class:`~zenoo.models.OdooModel`, or a lazy many2one reference: any
  :class:`RecordReference`) → its id.
* Lists, tuples and sets → lists of converted values; a mapping (the values of an x2many
  ``(0, 0, {...})`` command, a json field) → a dict of converted values with string keys.
* numpy and pandas scalars → their Python equivalents (:func:`python_scalar`): ``np.int64`` → int,
  ``np.bool_`` → bool, ``np.datetime64``/``pd.Timestamp`` → datetime, ``pd.NA``/``pd.NaT`` → empty.
* NaN and ±infinity are refused (:class:`InvalidValueError`): JSON cannot carry them, and the null
  they would become is read by Odoo as empty (``0.0``).

Back from Odoo, :func:`parse_odoo_date` and :func:`parse_odoo_datetime` read Odoo's date texts,
including the unpadded years Odoo writes below 1000 (``"1-01-01"`` for ``date.min``).
"""

from __future__ import annotations

import abc
import datetime as dt
import math
import re
import sys
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from zenoo.exceptions import InvalidValueError, ProtocolError

ODOO_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ODOO_DATE_FORMAT = "%Y-%m-%d"
# Odoo writes dates with strftime("%Y-%m-%d"), which leaves years below 1000 unpadded ("1-01-01")
_ODOO_DATE_RE = re.compile(r"(\d{1,4})-(\d{2})-(\d{2})")
_ODOO_DATETIME_RE = re.compile(r"(\d{1,4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
#: The top-level packages whose scalars :func:`python_scalar` converts.
_FOREIGN_PACKAGES = frozenset({"numpy", "pandas"})


def date_to_odoo(value: dt.date) -> str:
    """A date as Odoo's date string, the year always four digits (``"0001-01-01"``)."""
    return value.isoformat()


def datetime_to_odoo(value: dt.datetime) -> str:
    """An aware datetime in UTC, or a naive one taken as UTC, as Odoo's datetime string."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="seconds")


def parse_odoo_date(text: str) -> dt.date:
    """Odoo's ``"YYYY-MM-DD"`` text as a date; a year below 1000 may come unpadded (``"1-01-01"``)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        match = _ODOO_DATE_RE.match(text)
    try:
        if match is not None:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass
    raise ProtocolError(f"Odoo sent {text!r} for a date: expected YYYY-MM-DD")


def parse_odoo_datetime(text: str) -> dt.datetime:
    """Odoo's ``"YYYY-MM-DD HH:MM:SS"`` text (UTC) as an aware datetime in UTC; a year below 1000
    may come unpadded (``"1-01-01 00:00:00"``)."""
    try:
        return dt.datetime.strptime(text[:19], ODOO_DATETIME_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        match = _ODOO_DATETIME_RE.match(text)
    try:
        if match is not None:
            year, month, day, hour, minute, second = map(int, match.groups())
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        pass
    raise ProtocolError(f"Odoo sent {text!r} for a datetime: expected YYYY-MM-DD HH:MM:SS")


def python_scalar(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value it stands for, anything else unchanged.

    ``np.int64``/``np.int32`` → int, ``np.bool_`` → bool, ``np.float32`` → float,
    ``np.datetime64`` → date (day unit) or naive datetime, ``pd.Timestamp`` → datetime (its time
    zone kept), ``pd.NA``/``pd.NaT``/``np.datetime64("NaT")`` → None. numpy and pandas are optional:
    they are never imported here (a value of theirs means they already are).
    """
    if type(value).__module__.partition(".")[0] not in _FOREIGN_PACKAGES:
        return value
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        kind = value.dtype.kind
        if kind in "biuf":
            return value.item()
        if kind == "U":
            return str(value)
        if kind == "M":
            moment = value.item()  # a date, a datetime, None for NaT, or an int below microseconds
            return value.astype("datetime64[us]").item() if isinstance(moment, int) else moment
        return value
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        if value is pandas.NA or value is pandas.NaT:
            return None
        if isinstance(value, pandas.Timestamp):
            return value.to_pydatetime(warn=False)
    return value


def non_finite_error(value: float | Decimal, where: str | None = None) -> InvalidValueError:
    """The error for a NaN or infinite ``value`` about to be sent (for ``where``, when known)."""
    return InvalidValueError(
        f"cannot send {value!r} to Odoo{_for(where)}: JSON has no NaN or infinity, and Odoo would read "
        "the null sent instead as empty (0.0 or False); give a finite number, or None for empty"
    )


def finite_float(value: float | Decimal, where: str | None = None) -> float:
    """``value`` as a float; NaN and ±infinity raise :class:`InvalidValueError` naming ``where``."""
    if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
        raise non_finite_error(value, where)
    return float(value)


def _for(where: str | None) -> str:
    return f" for {where}" if where else ""


def to_odoo(value: Any, where: str | None = None) -> Any:
    """Convert one Python value (see the module docstring) into a JSON value Odoo accepts;
    ``where`` (the field or lookup the value is for) is named in error messages."""
    if value is None:
        return False
    if isinstance(value, bool | int | float | str):
        if isinstance(value, Enum):
            return to_odoo(value.value, where)
        return finite_float(value, where) if isinstance(value, float) else value
    value = python_scalar(value)
    if value is None or isinstance(value, bool | int | float | str):
        return to_odoo(value, where)
    if isinstance(value, Enum):
        return to_odoo(value.value, where)
    if isinstance(value, dt.datetime):
        return datetime_to_odoo(value)
    if isinstance(value, dt.date):
        return date_to_odoo(value)
    if isinstance(value, Decimal):
        return finite_float(value, where)
    record_id = _record_id(value)
    if record_id is not None:
        return record_id
    if isinstance(value, list | tuple | set | frozenset):
        return [to_odoo(item, where) for item in value]
    if isinstance(value, Mapping):
        return {_key(name, value): to_odoo(item, where) for name, item in value.items()}
    raise InvalidValueError(
        f"cannot send a value of type {type(value).__name__} to Odoo{_for(where)}: {value!r}"
    )


def _key(name: Any, mapping: Mapping[Any, Any]) -> str:
    if not isinstance(name, str):
        raise InvalidValueError(f"keys sent to Odoo must be strings, got {name!r} in {mapping!r}")
    return name


class RecordReference(abc.ABC):
    """What stands for one Odoo record where a value is expected: its ``id`` is sent.

    The model layer registers its record classes and lazy many2one references as virtual
    subclasses, so this layer converts them without importing it.
    """

    id: int | None


def _record_id(value: Any) -> int | None:
    """The id of a record or lazy reference, None when ``value`` is neither."""
    if isinstance(value, RecordReference):
        if value.id is None:
            raise InvalidValueError(f"{value!r} has no id yet: save it before using it as a value")
        return value.id
    return None
