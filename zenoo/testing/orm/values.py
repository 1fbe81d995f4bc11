"""Converting field values between the wire (JSON-RPC values) and SQLite columns."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import html
import math
import zoneinfo
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm.exceptions import (
    PyValueError,
    frame,
    integer_out_of_range,
    nul_character_error,
    translated_nul_error,
)
from zenoo.testing.orm.fields import Field

if TYPE_CHECKING:
    import sqlite3

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
INT4 = range(-(2**31), 2**31)  # PostgreSQL's integer columns


def round_to(amount: float, step: float) -> float:
    """``amount`` rounded to a multiple of ``step`` (a float's digits, a currency's rounding factor),
    half away from zero, as Odoo's ``float_round``."""
    if not math.isfinite(amount):
        return amount
    unit = decimal.Decimal(repr(step))
    return float((decimal.Decimal(repr(amount)) / unit).quantize(1, decimal.ROUND_HALF_UP) * unit)


def decimal_places(rounding: float) -> int:
    """res.currency's decimal places for a rounding factor, as Odoo computes them."""
    return math.ceil(math.log10(1 / rounding)) if 0 < rounding < 1 else 0


LOCAL_TIME_SQL_FUNCTION = "zenoo_local_time"  # registered on each connection by the Registry


@functools.cache
def known_time_zones() -> frozenset[str]:
    """Names of the IANA time zones this machine knows."""
    return frozenset(zoneinfo.available_timezones())


def utc_to_local(value: str | None, tz: str) -> str | None:
    """A stored UTC datetime as the wall-clock time of ``tz`` (the SQL function behind tz grouping)."""
    if value is None:
        return None
    moment = dt.datetime.strptime(value[:19], DATETIME_FORMAT).replace(tzinfo=dt.UTC)  # without fractions
    return moment.astimezone(zoneinfo.ZoneInfo(tz)).strftime(DATETIME_FORMAT)


def local_to_utc(moment: dt.datetime, tz: str) -> str:
    """A naive wall-clock time of ``tz`` as the UTC datetime Odoo stores.

    Like pytz's ``localize(is_dst=False)``: an ambiguous or skipped time takes the standard
    (smaller) offset.
    """
    zone = zoneinfo.ZoneInfo(tz)
    offset = min(moment.replace(tzinfo=zone, fold=fold).utcoffset() or dt.timedelta() for fold in (0, 1))
    return (moment - offset).strftime(DATETIME_FORMAT)


def now_string() -> str:
    """The current UTC time as Odoo writes it."""
    return dt.datetime.now(dt.UTC).strftime(DATETIME_FORMAT)


def stamp_string(version: int) -> str:
    """The current UTC time as Odoo stamps ``create_date``/``write_date``: the transaction's time,
    which Odoo 17 stores with its microseconds and Odoo 19 in whole seconds (``read`` shows whole
    seconds on both, so a domain ``('create_date', '=', value_read)`` finds nothing on 17)."""
    now = dt.datetime.now(dt.UTC)
    return now.strftime(f"{DATETIME_FORMAT}.%f") if version < 19 else now.strftime(DATETIME_FORMAT)


def wrong_value(version: int, model: str, field: Field, value: Any) -> PyValueError:
    """Odoo's ``Wrong value for <model>.<field>: <value>`` error (bad selection key, ...)."""
    message = f"Wrong value for {model}.{field.name}: {value!r}"
    where = (frame("odoo/fields.py", 2840, "convert_to_cache", 'raise ValueError("Wrong value for %s: %r" % (self, value))')
             if version < 19 else
             frame("odoo/orm/fields_selection.py", 238, "convert_to_cache",
                   'raise ValueError("Wrong value for %s: %r" % (self, value))'))
    return PyValueError(message, debug=where + f"ValueError: {message}")


def to_column(version: int, model: str, field: Field, value: Any, db: sqlite3.Connection) -> Any:
    """The SQLite value of a scalar field given ``value`` from a client (x2many excluded).

    A selection takes a falsy value as no value and checks others against its keys in ``db``; 19 no
    longer checks one given by a method: ``res.partner.lang`` stores any value as text there.

    Many2one existence is checked by the caller (it needs the database).
    """
    kind = field.type
    if kind == "boolean":
        return 1 if value else 0
    if kind == "integer":
        number = int(value or 0)
        if number not in INT4:
            raise integer_out_of_range()
        return number
    if kind in ("float", "monetary"):
        amount = float(value or 0.0)
        if field.digits:
            amount = round_to(amount, 10.0 ** -field.digits[1])
        return amount
    if value is False or value is None:
        return None
    if kind == "html":
        return sanitize_html(value if isinstance(value, str) else str(value))
    if kind in ("char", "text"):
        text = value if isinstance(value, str) else str(value)
        if "\x00" in text:
            raise translated_nul_error(text) if field.translate else nul_character_error(version)
        return text
    if kind == "selection":
        if not value:  # '' or 0: no value, as Odoo takes any falsy value
            return None
        if version >= 19 and callable(field.selection):
            return str(value)
        keys = {key for key, _label in field.choices(db) or []}
        if value not in keys:
            raise wrong_value(version, model, field, value)
        return value
    if kind == "date":
        return _parse_moment(version, model, field, value, DATE_FORMAT)[:10]
    if kind == "datetime":
        return _parse_moment(version, model, field, value, DATETIME_FORMAT)
    if kind == "many2one":
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if isinstance(value, bool) or not isinstance(value, int):
            # Odoo turns a name (or anything that is not an id) written into a many2one into "unset"
            return None
        return value
    raise wrong_value(version, model, field, value)


def sanitize_html(value: str) -> str:
    """An html value as Odoo stores it, for plain text: ``hello`` -> ``<p>hello</p>``, blank -> ``""``.

    Odoo's sanitizer parses the value as an html fragment: text without markup becomes a paragraph
    (leading blanks dropped, NUL characters turned into spaces). Markup is kept as given here (Odoo
    also cleans and rebalances it).
    """
    value = value.replace("\x00", " ")
    if "<" in value:
        return value
    text = value.lstrip(" \t\n\r\f\v")
    return f"<p>{html.escape(html.unescape(text), quote=False)}</p>" if text else ""


def _parse_moment(version: int, model: str, field: Field, value: Any, fmt: str) -> str:
    if not isinstance(value, str):
        raise wrong_value(version, model, field, value)
    text = value.strip()
    for candidate in (DATETIME_FORMAT, DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"):
        try:
            moment = dt.datetime.strptime(text, candidate)
        except ValueError:
            continue
        return moment.strftime(fmt)
    raise PyValueError(f"time data {value!r} does not match format '{fmt}'")


def column_values(field: Field, stored: list[Any]) -> list[Any]:
    """The wire values of a scalar column's stored values (many2one handled by the reader)."""
    kind = field.type
    if kind == "boolean":
        return [bool(value) for value in stored]
    if kind == "integer":
        return [0 if value is None else int(value) for value in stored]
    if kind in ("float", "monetary"):
        return [0.0 if value is None else float(value) for value in stored]
    if kind == "datetime":  # Odoo reads datetimes without their fractions of a second
        return [False if value is None else value[:19] for value in stored]
    return [False if value is None else value for value in stored]
