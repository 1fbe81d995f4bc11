"""Grouped reads: ``read_group`` (17 shapes, still callable on 19), ``formatted_read_group`` (19)
and ``web_read_group`` for both versions.

Groups are computed with one ``GROUP BY`` query; they are then ordered and sliced in Python (group
counts are small). Dates and datetimes group by day, week (Sunday first, as en_US starts it, whatever
the context's language), month, quarter or year, in the time zone of the context (``tz``) as Odoo does,
else in UTC; period bounds in ``__domain``/``__range`` are UTC times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from zenoo.testing.orm.exceptions import PyValueError
from zenoo.testing.orm.fields import Field
from zenoo.testing.orm.values import DATETIME_FORMAT, LOCAL_TIME_SQL_FUNCTION, known_time_zones

if TYPE_CHECKING:
    from zenoo.testing.orm.model import BaseModel

GRANULARITIES = ("day", "week", "month", "quarter", "year")
# Odoo aggregate -> SQLite function (count_distinct is written out in Aggregate.sql)
AGGREGATORS = {"sum": "sum", "avg": "avg", "min": "min", "max": "max", "count": "count",
               "count_distinct": "count", "bool_and": "min", "bool_or": "max"}
NUMERIC = ("integer", "float", "monetary")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


@dataclass
class GroupBy:
    spec: str  # as given: "date_order:month"
    field: Field
    granularity: str | None
    tz: str | None = None  # datetimes are grouped by the periods of this (validated) time zone
    version: int = 19  # Odoo 17 labels weeks as the Babel it ships with does

    def sql(self, alias: str) -> str:
        column = f"{alias}.\"{self.field.name}\""
        if self.tz:
            column = f"{LOCAL_TIME_SQL_FUNCTION}({column}, '{self.tz}')"
        granularity = self.granularity
        if granularity is None:
            return column
        if granularity == "day":
            return f"date({column})"
        if granularity == "week":  # the Sunday on or before
            return f"date({column}, '-6 days', 'weekday 0')"
        if granularity == "month":
            return f"strftime('%Y-%m-01', {column})"
        if granularity == "quarter":
            return (f"printf('%s-%02d-01', strftime('%Y', {column}), "
                    f"((CAST(strftime('%m', {column}) AS INTEGER) - 1) / 3) * 3 + 1)")
        return f"strftime('%Y-01-01', {column})"


@dataclass
class Aggregate:
    key: str  # result key
    field: Field | None  # None for __count
    function: str

    def sql(self, alias: str) -> str:
        if self.field is None:
            return "count(*)"
        column = f"{alias}.\"{self.field.name}\""
        if self.function == "count_distinct":
            return f"count(DISTINCT {column})"
        return f"{AGGREGATORS[self.function]}({column})"


def _parse_groupby(model: BaseModel, specs: Any) -> list[GroupBy]:
    if isinstance(specs, str):
        specs = [specs]
    result = []
    for spec in specs or []:
        if not isinstance(spec, str):
            raise PyValueError(f"Invalid groupby {spec!r}")
        name, _, granularity = spec.partition(":")
        field = model.spec.fields.get(name)
        if field is None or not field.store or field.type == "one2many":
            raise PyValueError(f"Invalid field {name!r} on model {model.spec.name!r}")
        if field.type in ("date", "datetime"):
            granularity = granularity or "month"
            if granularity not in GRANULARITIES:
                raise PyValueError(f"Invalid granularity {granularity!r} for field {name!r}")
        elif granularity:
            raise PyValueError(f"Granularity set on a field of type {field.type!r}: {spec!r}")
        tz = model.env.context.get("tz")
        local = tz if field.type == "datetime" and isinstance(tz, str) and tz in known_time_zones() else None
        result.append(GroupBy(spec, field, granularity or None, local, model.env.version))
    return result


def _parse_aggregate(model: BaseModel, spec: str, legacy: bool) -> Aggregate | None:
    if spec == "__count":
        return Aggregate("__count", None, "count")
    name, _, function = spec.partition(":")
    key = name if legacy else spec
    if "(" in function and function.endswith(")"):  # "alias:func(field)"
        function, _, inner = function[:-1].partition("(")
        key, name = name, inner
    field = model.spec.fields.get(name)
    if field is None:
        raise PyValueError(f"Invalid field {name!r} on model {model.spec.name!r}")
    if not function:
        if field.aggregate is None:
            return None  # 17 ignores plain fields without an aggregate in read_group's fields
        function = field.aggregate
    if function not in AGGREGATORS:
        raise PyValueError(f"Invalid aggregation function {function!r}.")
    return Aggregate(key, field, function)


def _period_end(start: dt.date, granularity: str) -> dt.date:
    if granularity == "day":
        return start + dt.timedelta(days=1)
    if granularity == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def _week_label(start: dt.date, version: int) -> str:
    """A week's label from its first day (a Sunday): week 1 holds January 1st. Odoo 19 numbers the
    last days of December in the next year's week 1; Odoo 17, through Babel 2.10, keeps counting
    (W53) and writes the ISO week-year ("W2 2026" for the week of January 3rd, 2027)."""
    def number(year: int) -> int:
        january = dt.date(year, 1, 1)
        first_sunday = january - dt.timedelta(days=(january.weekday() + 1) % 7)
        return (start - first_sunday).days // 7 + 1

    if version < 19:
        return f"W{number(start.year)} {start.isocalendar()[0]}"
    last = start + dt.timedelta(days=6)
    if last.year > start.year:
        return f"W1 {last.year}"
    return f"W{number(start.year)} {start.year}"


def _period_label(start: dt.date, granularity: str, version: int) -> str:
    if granularity == "day":
        return f"{start.day:02d} {_MONTHS[start.month - 1][:3]} {start.year}"
    if granularity == "week":
        return _week_label(start, version)
    if granularity == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def and_domains(domains: list[list[Any]]) -> list[Any]:
    """AND several domains into one normalized prefix domain (empty ones dropped)."""
    parts = [_normalize(d) for d in domains if d]
    if not parts:
        return []
    return ["&"] * (len(parts) - 1) + [item for part in parts for item in part]


def _normalize(domain: list[Any]) -> list[Any]:
    """Make the implicit ANDs of a domain explicit."""
    result: list[Any] = []
    expected = 1
    for item in domain:
        if expected == 0:
            result.insert(0, "&")
            expected = 1
        if isinstance(item, str) and item in ("&", "|"):
            expected += 1
        elif not (isinstance(item, str) and item == "!"):
            expected -= 1
        result.append(list(item) if isinstance(item, tuple) else item)
    return result


class GroupRow:
    """One group: its raw keys, count and aggregate values, and what it shows."""

    def __init__(self, keys: tuple[Any, ...], count: int, values: list[Any]):
        self.keys = keys
        self.count = count
        self.values = values
        self.shown: list[Any] = []
        self.conditions: list[list[Any]] = []
        self.ranges: dict[str, dict[str, str]] = {}
        self.sort_keys: list[Any] = []


def _compute(model: BaseModel, domain: Any, groupbys: list[GroupBy], aggregates: list[Aggregate]) -> list[GroupRow]:
    where, params = model._where(domain or [])
    keys, joins = [], []
    for index, groupby in enumerate(groupbys):
        field = groupby.field
        if field.type == "many2many":  # a record is in the group of each of its related records
            link = f"j{index}"
            joins.append(f"LEFT JOIN \"{field.relation_table}\" {link} ON {link}.\"{field.column1}\" = t0.id")
            keys.append(f"{link}.\"{field.column2}\"")
        else:
            keys.append(groupby.sql("t0"))
    selects = keys + ["count(*)"] + [a.sql("t0") for a in aggregates]
    query = f"SELECT {', '.join(selects)} FROM \"{model.spec.table}\" t0 {' '.join(joins)} WHERE {where}"
    if keys:
        query += f" GROUP BY {', '.join(keys)}"
    rows = [GroupRow(tuple(r[:len(keys)]), r[len(keys)], list(r[len(keys) + 1:])) for r in model._sql(query, params)]
    for position, groupby in enumerate(groupbys):
        field = groupby.field
        names: dict[int, str] = {}
        if field.type in ("many2one", "many2many"):
            targets = {row.keys[position] for row in rows} - {None}
            names = model._comodel(field)._display_names(targets) if targets else {}
        for row in rows:
            raw = row.keys[position]
            _describe(row, groupby, raw, names)
    return rows


def _describe(row: GroupRow, groupby: GroupBy, raw: Any, names: dict[int, str]) -> None:
    field, name = groupby.field, groupby.field.name
    if raw is None:
        row.shown.append(False)
        row.conditions.append([name, "=", False])
        row.sort_keys.append((1, ""))
        return
    if field.type in ("many2one", "many2many"):
        label = names.get(raw, "")
        row.shown.append([raw, label])
        row.conditions.append([name, "=", raw])
        row.sort_keys.append((0, label.lower(), raw))
    elif groupby.granularity:
        start = dt.date.fromisoformat(raw)
        end = _period_end(start, groupby.granularity)
        label = _period_label(start, groupby.granularity, groupby.version)

        def fmt(day: dt.date) -> str:
            """A period bound as the domain needs it: a date, or the UTC time of the local midnight."""
            if field.type != "datetime":
                return day.isoformat()
            midnight = dt.datetime.combine(day, dt.time())
            if groupby.tz:
                midnight = midnight.replace(tzinfo=ZoneInfo(groupby.tz)).astimezone(dt.UTC).replace(tzinfo=None)
            return midnight.strftime(DATETIME_FORMAT)

        row.shown.append((fmt(start), label))
        row.conditions.append(["&", [name, ">=", fmt(start)], [name, "<", fmt(end)]])
        row.ranges[groupby.spec] = {"from": fmt(start), "to": fmt(end)}
        row.sort_keys.append((0, start))
    else:
        value = bool(raw) if field.type == "boolean" else raw
        row.shown.append(value)
        row.conditions.append([name, "=", value])
        row.sort_keys.append((0, value))


def _condition_domain(conditions: list[list[Any]]) -> list[Any]:
    return and_domains([c[1:] if c[0] == "&" else [c] for c in conditions])


def _sort(rows: list[GroupRow], order: str | None, groupbys: list[GroupBy], aggregates: list[Aggregate],
          count_keys: tuple[str, ...]) -> list[GroupRow]:
    terms: list[tuple[str, bool, str]] = []  # (name, descending, the term as given)
    for item in (order or "").split(","):
        words = item.split()
        if words:
            terms.append((words[0], len(words) > 1 and words[1].lower() == "desc", item))
    terms += [(g.spec, False, g.spec) for g in groupbys]
    for name, descending, item in reversed(terms):
        def key(row: GroupRow, name: str = name, item: str = item) -> Any:
            for position, groupby in enumerate(groupbys):
                if name in (groupby.spec, groupby.field.name):
                    return row.sort_keys[position]
            if name in count_keys:
                return (0, row.count)
            for index, aggregate in enumerate(aggregates):
                if name in (aggregate.key, aggregate.field.name if aggregate.field else "__count"):
                    value = row.values[index]
                    return (1, 0) if value is None else (0, value)
            raise PyValueError(f"Order term {item!r} is not a valid aggregate nor valid groupby")
        rows.sort(key=key, reverse=descending)  # (1, ...) marks NULL: last ascending, first descending
    return rows


def _slice(rows: list[GroupRow], offset: Any, limit: Any) -> list[GroupRow]:
    start = int(offset or 0)
    return rows[start:start + int(limit)] if limit else rows[start:]


def _aggregate_value(aggregate: Aggregate, value: Any) -> Any:
    if aggregate.field is None:
        return value
    if aggregate.function in ("bool_and", "bool_or"):
        return bool(value)
    if value is None:
        return {"integer": 0, "float": 0.0, "monetary": 0.0}.get(aggregate.field.type, False)
    if aggregate.field.type in ("float", "monetary") and aggregate.function != "count":
        return round(float(value), 6)
    return value


def read_group(model: BaseModel, domain: Any, fields: Any, groupby: Any, offset: Any, limit: Any,
               orderby: Any, lazy: bool) -> tuple[list[dict[str, Any]], int]:
    """Odoo 17's read_group result (and how many groups exist before offset/limit)."""
    model._check_access("read")
    groupbys = _parse_groupby(model, groupby)
    if lazy and groupbys:
        rest = [g.spec for g in groupbys[1:]]
        groupbys = groupbys[:1]
    else:
        rest = []
    aggregates = []
    grouped_names = {g.field.name for g in groupbys}
    for spec in fields or []:
        if not isinstance(spec, str):
            raise PyValueError(f"Invalid field specification {spec!r}")
        if spec == "__count" or spec.partition(":")[0] in grouped_names:
            continue
        aggregate = _parse_aggregate(model, spec, legacy=True)
        if aggregate is not None:
            aggregates.append(aggregate)
    count_key = f"{groupbys[0].field.name}_count" if lazy and groupbys else "__count"
    rows = _compute(model, domain, groupbys, aggregates)
    total = len(rows)
    rows = _slice(_sort(rows, orderby or None, groupbys, aggregates, (count_key, "__count")), offset, limit)
    result = []
    for row in rows:
        group: dict[str, Any] = {}
        for position, g in enumerate(groupbys):
            shown = row.shown[position]
            group[g.spec] = shown[1] if isinstance(shown, tuple) else shown
        group[count_key] = row.count
        for index, aggregate in enumerate(aggregates):
            group[aggregate.key] = _aggregate_value(aggregate, row.values[index])
        group["__domain"] = and_domains([list(domain or []), _condition_domain(row.conditions)])
        if row.ranges:
            group["__range"] = row.ranges
        if rest:
            group["__context"] = {"group_by": rest}
        result.append(group)
    return result, total


def formatted_read_group(model: BaseModel, domain: Any, groupby: Any, aggregates: Any, having: Any,
                         offset: Any, limit: Any, order: Any) -> tuple[list[dict[str, Any]], int]:
    """Odoo 19's formatted_read_group result (and the number of groups before offset/limit)."""
    model._check_access("read")
    if having:
        raise PyValueError("having is not supported by the embedded server")
    groupbys = _parse_groupby(model, groupby)
    specs = list(aggregates or [])
    parsed: list[Aggregate] = []
    for spec in specs:
        if not isinstance(spec, str) or (spec != "__count" and ":" not in spec):
            raise PyValueError(f"Invalid aggregate specification {spec!r}")
        aggregate = _parse_aggregate(model, spec, legacy=False)
        if aggregate is not None:
            parsed.append(aggregate)
    value_aggregates = [a for a in parsed if a.field is not None]
    rows = _compute(model, domain, groupbys, value_aggregates)
    total = len(rows)
    rows = _slice(_sort(rows, order, groupbys, value_aggregates, ("__count",)), offset, limit)
    result = []
    for row in rows:
        group: dict[str, Any] = {}
        for position, g in enumerate(groupbys):
            shown = row.shown[position]
            group[g.spec] = list(shown) if isinstance(shown, tuple) else shown
        group["__extra_domain"] = _condition_domain(row.conditions)
        values = iter(row.values)
        for aggregate in parsed:
            group[aggregate.key] = row.count if aggregate.field is None else _aggregate_value(aggregate, next(values))
        result.append(group)
    return result, total
