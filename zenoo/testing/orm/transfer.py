"""``load`` (atomic import of text rows) and ``export_data`` (rows of text for export).

load: columns are field names, ``.id`` (database id of a row to update), ``id`` (external id,
created or reused), ``<many2one>`` (a record name), ``<relational>/id`` (external ids) and
``<relational>/.id`` (database ids); x2many name/ids lists are comma-separated. As in Odoo, every
row is converted first (each bad cell gives a message and is left out), then the rows are written
one by one (each failing write gives a message); any error rolls back every row and returns
``ids: False`` with the messages.

Cells are text. Odoo's converters apply Python's text operations to them, so other JSON values fail
where those do (``True`` for a boolean: AttributeError ``'bool' object has no attribute 'lower'``);
any false cell (``""``, ``0``, ``null``, ``false``) leaves the field empty.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm.exceptions import (
    OdooException,
    PyKeyError,
    PyValueError,
    RequiredFieldError,
    frame,
    postgres_error,
)
from zenoo.testing.orm.fields import X2MANY, Field
from zenoo.testing.orm.values import DATE_FORMAT, DATETIME_FORMAT, known_time_zones, local_to_utc

if TYPE_CHECKING:
    from zenoo.testing.orm.model import BaseModel

TRUE_WORDS = frozenset({"1", "true", "yes"})
FALSE_WORDS = frozenset({"0", "false", "no", ""})


class ImportIssue(Exception):
    """One cell that cannot be imported; becomes a load() message."""

    def __init__(self, field: Field, message: str, moreinfo: Any = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.moreinfo = moreinfo

    def row_message(self, index: int) -> dict[str, Any]:
        message = {"rows": {"from": index, "to": index}, "type": "error", "record": index,
                   "field": self.field.name, "message": self.message}
        if self.moreinfo is not None:
            message["moreinfo"] = self.moreinfo
        message["field_name"] = self.field.string
        return message


def _unknown_column(model: BaseModel, name: str) -> OdooException:
    if model.env.version >= 19:
        message = f"Invalid field name {name!r}"
        where = frame("odoo/orm/models.py", 1113, "_extract_records",
                      "raise ValueError(f'Invalid field name {fname!r}')")
        return PyValueError(message, debug=where + f"ValueError: {message}")
    where = ("    if isinstance(model_fields[field_path[0]], odoo.fields.Many2one):\n"
             "                  ~~~~~~~~~~~~^^^^^^^^^^^^^^^\n")
    return PyKeyError(name, debug=where + f"KeyError: {name!r}")


def _possible_values(model: BaseModel, relation: str, by_id: bool) -> dict[str, Any]:
    """The "Possible Values" action of a reference that matches nothing (external and database ids
    are looked up in ir.model.data)."""
    action = {"name": "Possible Values", "type": "ir.actions.act_window", "target": "new",
              "view_mode": "list,form" if model.env.version >= 19 else "tree,form",
              "views": [[False, "list"], [False, "form"]], "context": {"create": False},
              "help": "See all possible values"}
    if by_id:
        return {**action, "res_model": "ir.model.data", "domain": [["model", "=", relation]]}
    return {**action, "res_model": relation}


def _xid_target(model: BaseModel, xid: str, relation: str) -> int | None:
    module, _, name = xid.rpartition(".")
    rows = model._sql("SELECT res_id FROM ir_model_data WHERE module = ? AND name = ? AND model = ?",
                      [module or "__import__", name, relation])
    return rows[0][0] if rows else None


def _input_tz(model: BaseModel) -> str:
    """The time zone imported datetimes are read in: the context's, else the user's, else UTC."""
    for tz in (model.env.context.get("tz"), model.env.registry.user_context(model.env.uid)["tz"]):
        if isinstance(tz, str) and tz in known_time_zones():
            return tz
    return "UTC"


def _reference(model: BaseModel, field: Field, suffix: str, ref: Any) -> int | bool:
    """The record id of one reference: a database id (``.id``), an external id (``id``) or a name."""
    relation = field.relation or ""
    if suffix == ".id":
        if isinstance(ref, str) and ref.lower() in FALSE_WORDS:
            return False
        try:
            target: int | None = int(ref)
        except ValueError:
            raise ImportIssue(field, f"Invalid database id '{ref}' for the field '{field.string}'",
                              _possible_values(model, relation, by_id=True)) from None
        kind = "database id"
    elif suffix == "id":
        if ref.lower() in FALSE_WORDS:
            return False
        target, kind = _xid_target(model, ref, relation), "external id"
    else:
        if ref == "":
            return False
        comodel = model._comodel(field)
        found = comodel._search_ids(comodel.spec.name_domain("=", ref), 0, 1, None)
        target, kind = (found[0] if found else None), "name"
    if target is None or not model._comodel(field)._existing([target]):
        raise ImportIssue(field, f"No matching record found for {kind} '{ref}' in field '{field.string}'",
                          _possible_values(model, relation, by_id=suffix != ""))
    return target


def _convert_cell(model: BaseModel, field: Field, suffix: str, cell: Any) -> Any:
    """The write() value of one imported cell, converted as Odoo's ``ir.fields.converter`` does."""
    kind = field.type
    if kind in X2MANY:
        if not cell:
            return [[5, 0, 0]]
        refs = [ref for ref in cell.split(",") if ref]
        return [[6, 0, [target for ref in refs if (target := _reference(model, field, suffix, ref))]]]
    if not cell:
        return False
    if kind == "many2one":
        return _reference(model, field, suffix, cell if suffix else str(cell))
    if suffix:
        raise ImportIssue(field, f"Field {field.string!r} is not relational")
    if kind == "boolean":
        if cell.lower() in TRUE_WORDS:
            return True
        if cell.lower() in FALSE_WORDS:
            return False
        raise ImportIssue(field, f"Unknown value '{cell}' for boolean field '{field.string}'",
                          "Use '1' for yes and '0' for no")
    if kind == "integer":
        try:
            return int(cell)
        except ValueError:
            raise ImportIssue(field, f"'{cell}' does not seem to be an integer for field '{field.string}'") from None
    if kind in ("float", "monetary"):
        try:
            return float(cell)
        except ValueError:
            raise ImportIssue(field, f"'{cell}' does not seem to be a number for field '{field.string}'") from None
    if kind == "selection":
        choices = field.choices(model.env.registry.connection) or []
        for key, label in choices:
            if cell.lower() in (key.lower(), label.lower()):
                return key
        raise ImportIssue(field, f"Value '{cell}' not found in selection field '{field.string}'",
                          [label for _key, label in choices])
    if kind == "date":
        try:
            return dt.datetime.strptime(cell[:10], DATE_FORMAT).strftime(DATE_FORMAT)
        except ValueError:
            raise ImportIssue(field, f"'{cell}' does not seem to be a valid date for field '{field.string}'",
                              "Use the format '2012-12-31'") from None
    if kind == "datetime":
        try:
            moment = dt.datetime.strptime(cell, DATETIME_FORMAT[:len(cell) - 2])  # a date, minutes, seconds
        except ValueError:
            raise ImportIssue(field, f"'{cell}' does not seem to be a valid datetime for field '{field.string}'",
                              "Use the format '2012-12-31 23:59:59'") from None
        return local_to_utc(moment, _input_tz(model))
    return cell


def _write_message(index: int, exc: OdooException) -> dict[str, Any]:
    """The load() message of a row whose write failed, as Odoo words database and other errors."""
    message: dict[str, Any] = {"rows": {"from": index, "to": index}, "record": index, "type": "error"}
    if isinstance(exc, RequiredFieldError):
        return {**message, "message": exc.row_message, "field": exc.field}
    if exc.odoo_name.startswith(("psycopg2.", "odoo.exceptions.")):
        return {**message, "message": exc.message}
    kind = exc.odoo_name.removeprefix("builtins.")
    return {**message, "message": f"Unknown error during import: <class '{kind}'>: {exc.message}",
            "moreinfo": "Resolve other errors first"}


def load(model: BaseModel, fields: Any, data: Any) -> dict[str, Any]:
    """Import ``data`` rows into ``fields`` columns, all or nothing."""
    model._check_access("create")
    model._check_access("write")
    if not isinstance(fields, list) or not isinstance(data, list) or not all(isinstance(r, list) for r in data):
        raise PyValueError("load() expects a list of field names and a list of rows (lists of cells)")
    columns: list[tuple[str, Field | None, str]] = []
    for column in fields:
        if column in ("id", ".id"):
            columns.append((column, None, ""))
            continue
        name, _, suffix = str(column).partition("/")
        field = model.spec.fields.get(name)
        if field is None or suffix not in ("", "id", ".id"):
            raise _unknown_column(model, name if field is None else str(column))
        columns.append((name, field, suffix))
    messages: list[dict[str, Any]] = []
    converted: list[tuple[int, int | None, str | None, dict[str, Any]]] = []
    found = _found_ids(model, columns, data)
    for index, row in enumerate(data):
        cells = {name: (field, suffix, cell) for (name, field, suffix), cell in zip(columns, row, strict=False)}
        xid = str(cells["id"][2]).strip() if "id" in cells else None
        record_id = None
        if ".id" in cells and not str(cells[".id"][2]).strip() and model.env.version < 19:
            # Odoo 17 looks any .id cell up (19 takes an empty one as a new row): '' is no integer
            raise postgres_error("InvalidTextRepresentation", 'invalid input syntax for type integer: ""')
        if ".id" in cells and str(cells[".id"][2]).strip():
            record_id = int(cells[".id"][2])
            if record_id not in found:
                messages.append({"rows": {"from": index, "to": index}, "type": "error", "record": index,
                                 "field": ".id", "message": f"Unknown database identifier '{record_id}'"})
                record_id = None  # Odoo goes on creating the row (rolled back with the rest)
        values: dict[str, Any] = {}
        for name, (field, suffix, cell) in cells.items():
            if field is None:
                continue
            try:
                values[name] = _convert_cell(model, field, suffix, cell)
            except ImportIssue as issue:
                messages.append(issue.row_message(index))
        converted.append((index, record_id, xid, values))
    db = model.env.registry.connection
    db.execute("SAVEPOINT zenoo_load")
    ids: list[int] = []
    batch_error: dict[str, Any] | None = None  # what writing the whole batch at once would have raised
    for index, record_id, xid, values in converted:
        db.execute("SAVEPOINT zenoo_load_row")
        try:
            ids.append(_write_row(model, record_id, xid, values))
        except OdooException as exc:
            db.execute("ROLLBACK TO zenoo_load_row")
            messages.append(_write_message(index, exc))
            user_error = exc.odoo_name.startswith("odoo.exceptions.") and not isinstance(exc, RequiredFieldError)
            if batch_error is None and user_error:  # a NOT NULL violation is PostgreSQL's, not a UserError
                first = converted[0][0]
                batch_error = {"rows": {"from": first, "to": first}, "record": first, "type": "error",
                               "message": exc.message}
        db.execute("RELEASE zenoo_load_row")
    if batch_error is not None and batch_error not in messages:
        # Odoo writes the rows in one batch first; when that raises a UserError it retries them one by
        # one, and reports the batch's error too, on the batch's first row, unless that row's own says it
        messages.insert(0, batch_error)
    if messages:
        db.execute("ROLLBACK TO zenoo_load")
        db.execute("RELEASE zenoo_load")
        return {"ids": False, "messages": messages, "nextrow": 0}
    db.execute("RELEASE zenoo_load")
    return {"ids": ids, "messages": [], "nextrow": 0}


def _found_ids(model: BaseModel, columns: list[tuple[str, Field | None, str]], data: list[Any]) -> set[int]:
    """The records the rows' ``.id`` cells name that a search finds: Odoo searches each one, so an
    archived record is not found under ``active_test`` (one search here for all of them)."""
    at = next((position for position, (column, _, _) in enumerate(columns) if column == ".id"), None)
    if at is None:
        return set()
    cells = (str(row[at]).strip() for row in data if at < len(row))
    ids = [int(cell) for cell in cells if cell.lstrip("-").isdigit()]
    return model._existing(ids, searchable=True) if ids else set()


def _write_row(model: BaseModel, record_id: int | None, xid: str | None, values: dict[str, Any]) -> int:
    """Update the row's record (by ``.id`` or external id) or create it; its id."""
    if xid and record_id is None:
        record_id = _xid_target(model, xid, model.spec.name)
    if record_id is not None:
        model._update([record_id], values)
        return record_id
    record_id = model._insert(values)
    if xid:
        module, _, name = xid.rpartition(".")
        model.env["ir.model.data"]._insert(
            {"module": module or "__import__", "name": name, "model": model.spec.name, "res_id": record_id})
    return record_id


def _xid_of(model: BaseModel, record_id: int) -> str:
    """The record's external id, creating an ``__export__`` one when it has none (as Odoo does)."""
    rows = model._sql("SELECT module, name FROM ir_model_data WHERE model = ? AND res_id = ? ORDER BY id LIMIT 1",
                      [model.spec.name, record_id])
    if rows:
        return f"{rows[0][0]}.{rows[0][1]}"
    name = f"{model.spec.table}_{record_id}_{secrets.token_hex(4)}"
    model.env["ir.model.data"]._insert({"module": "__export__", "name": name, "model": model.spec.name,
                                        "res_id": record_id, "noupdate": False})
    return f"__export__.{name}"


def _export_values(model: BaseModel, record_id: int, path: list[str],
                   row: dict[str, Any] | None = None) -> list[Any]:
    """The cells of one column for one record: several when the path goes through an x2many.

    ``row`` holds the record's first-level values when they were read in bulk already.
    """
    head = path[0]
    if head == "id":
        return [_xid_of(model, record_id)]
    if head == ".id":
        return [record_id]
    field = model._field(head)
    value = row[head] if row is not None else model._read([record_id], [head])[0][head]
    rest = path[1:]
    if field.type == "many2one":
        if not value:
            return [""]
        if not rest:
            return [value[1]]
        return _export_values(model._comodel(field), value[0], rest)[:1]
    if field.type in X2MANY:
        comodel = model._comodel(field)
        if not rest:
            names = comodel._display_names(value)
            return [",".join(names[i] for i in value)] if value else [""]
        if rest == ["id"]:
            return [",".join(_xid_of(comodel, i) for i in value)] if value else [""]
        cells = [cell for target in value for cell in _export_values(comodel, target, rest)]
        return cells or [""]
    if rest:
        raise PyValueError(f"Invalid export path {'/'.join(path)!r}: {head!r} is not relational")
    if value is False and field.type != "boolean":
        return [""]
    if field.type == "selection":  # exported as its label, as Odoo does (a key it does not list: as is)
        choices = field.choices(model.env.registry.connection) or []
        return [next((label for key, label in choices if key == value), value)]
    return [value]


def export_data(model: BaseModel, ids: list[int], fields_to_export: Any) -> dict[str, Any]:
    """``{"datas": rows}``: one line per record, plus lines for further x2many values."""
    model._check_access("read")
    if not isinstance(fields_to_export, list):
        raise PyValueError("export_data() expects a list of field paths")
    paths = [str(f).split("/") for f in fields_to_export]
    for path in paths:
        if path[0] not in ("id", ".id"):
            model._field(path[0])
    first_level = sorted({path[0] for path in paths} - {"id", ".id"})
    rows = {row["id"]: row for row in model._read(ids, first_level or ["id"])}  # one bulk read
    lines: list[list[Any]] = []
    for record_id in ids:
        if record_id not in rows:
            continue
        columns = [_export_values(model, record_id, path, rows[record_id]) for path in paths]
        height = max(len(cells) for cells in columns) if columns else 1
        for line in range(height):
            lines.append([cells[line] if line < len(cells) else "" for cells in columns])
    return {"datas": lines}
