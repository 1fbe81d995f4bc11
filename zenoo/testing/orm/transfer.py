"""``load`` (atomic import of text rows) and ``export_data`` (rows of text for export).

load: columns are field names, ``.id`` (database id of a row to update), ``id`` (external id,
created or reused), ``<many2one>`` (a record name), ``<relational>/id`` (external ids) and
``<relational>/.id`` (database ids); x2many name/ids lists are comma-separated. Any error rolls
back every row and returns ``ids: False`` with Odoo's messages.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm.exceptions import OdooException, PyKeyError, PyValueError, frame
from zenoo.testing.orm.fields import X2MANY, Field

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


def _unknown_column(model: BaseModel, name: str) -> OdooException:
    if model.env.version >= 19:
        message = f"Invalid field name {name!r}"
        where = frame("odoo/orm/models.py", 1113, "_extract_records",
                      "raise ValueError(f'Invalid field name {fname!r}')")
        return PyValueError(message, debug=where + f"ValueError: {message}")
    where = ("    if isinstance(model_fields[field_path[0]], odoo.fields.Many2one):\n"
             "                  ~~~~~~~~~~~~^^^^^^^^^^^^^^^\n")
    return PyKeyError(name, debug=where + f"KeyError: {name!r}")


def _possible_values(model: BaseModel, relation: str) -> dict[str, Any]:
    return {"name": "Possible Values", "type": "ir.actions.act_window", "target": "new",
            "view_mode": "list,form" if model.env.version >= 19 else "tree,form",
            "views": [[False, "list"], [False, "form"]], "context": {"create": False},
            "help": "See all possible values", "res_model": relation}


def _xid_target(model: BaseModel, xid: str, relation: str) -> int | None:
    module, _, name = xid.rpartition(".")
    rows = model._sql("SELECT res_id FROM ir_model_data WHERE module = ? AND name = ? AND model = ?",
                      [module or "__import__", name, relation])
    return rows[0][0] if rows else None


def _convert_cell(model: BaseModel, field: Field, suffix: str, text: Any) -> Any:
    """The write() value of one imported cell."""
    text = "" if text is None or text is False else str(text)
    kind = field.type
    if suffix in ("id", ".id"):
        if kind not in ("many2one", *X2MANY):
            raise ImportIssue(field, f"Field {field.string!r} is not relational")
        refs = [t.strip() for t in text.split(",") if t.strip()] if kind in X2MANY else ([text] if text else [])
        ids = []
        for ref in refs:
            target = (int(ref) if ref.isdigit() else None) if suffix == ".id" else _xid_target(
                model, ref, field.relation)  # type: ignore[arg-type]
            if target is None or not model._comodel(field)._existing([target]):
                kind_word = "database id" if suffix == ".id" else "external id"
                raise ImportIssue(field, f"No matching record found for {kind_word} '{ref}' in field "
                                         f"'{field.string}'", _possible_values(model, field.relation or ""))
            ids.append(target)
        return [[6, 0, ids]] if kind in X2MANY else (ids[0] if ids else False)
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ImportIssue(field, f"Unknown value '{text}' for boolean field '{field.string}'")
    if text == "":
        return [[5, 0, 0]] if kind in X2MANY else False
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ImportIssue(field, f"'{text}' does not seem to be an integer for field '{field.string}'") from None
    if kind in ("float", "monetary"):
        try:
            return float(text)
        except ValueError:
            raise ImportIssue(field, f"'{text}' does not seem to be a number for field '{field.string}'") from None
    if kind == "selection":
        for key, label in field.selection or []:
            if text in (key, label) or text.lower() == label.lower():
                return key
        raise ImportIssue(field, f"Value '{text}' not found in selection field '{field.string}'",
                          [label for _key, label in field.selection or []])
    if kind in ("many2one", *X2MANY):
        comodel = model._comodel(field)
        names = [t.strip() for t in text.split(",")] if kind in X2MANY else [text]
        ids = []
        for name in names:
            found = comodel._search_ids(comodel.spec.name_domain("=", name), 0, 1, None)
            if not found:
                raise ImportIssue(field, f"No matching record found for name '{name}' in field '{field.string}'",
                                  _possible_values(model, field.relation or ""))
            ids.append(found[0])
        return [[6, 0, ids]] if kind in X2MANY else ids[0]
    return text


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
    db = model.env.registry.connection
    db.execute("SAVEPOINT zenoo_load")
    ids: list[int] = []
    messages: list[dict[str, Any]] = []
    for index, row in enumerate(data):
        values: dict[str, Any] = {}
        xid = record_id = None
        try:
            for (name, field, suffix), cell in zip(columns, row, strict=False):
                if name == ".id":
                    record_id = int(cell) if str(cell).strip() else None
                elif name == "id":
                    xid = str(cell).strip() or None
                elif field is not None:
                    values[name] = _convert_cell(model, field, suffix, cell)
            if xid and record_id is None:
                record_id = _xid_target(model, xid, model.spec.name)
            if record_id is not None:
                model._ensure_exist([record_id])
                model._update([record_id], values)
            else:
                record_id = model._insert(values)
                if xid:
                    module, _, xname = xid.rpartition(".")
                    model.env["ir.model.data"]._insert(
                        {"module": module or "__import__", "name": xname, "model": model.spec.name,
                         "res_id": record_id})
            ids.append(record_id)
        except ImportIssue as issue:
            message = {"rows": {"from": index, "to": index}, "type": "error", "record": index,
                       "field": issue.field.name, "message": issue.message}
            if issue.moreinfo is not None:
                message["moreinfo"] = issue.moreinfo
            message["field_name"] = issue.field.string
            messages.append(message)
        except OdooException as exc:
            messages.append({"rows": {"from": index, "to": index}, "type": "error", "record": index,
                             "message": exc.message})
    if messages:
        db.execute("ROLLBACK TO zenoo_load")
        db.execute("RELEASE zenoo_load")
        return {"ids": False, "messages": messages, "nextrow": 0}
    db.execute("RELEASE zenoo_load")
    return {"ids": ids, "messages": [], "nextrow": 0}


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
    if field.type == "selection":  # exported as its label, as Odoo does
        return [next((label for key, label in field.selection or [] if key == value), "")]
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
