"""``web_read`` / ``web_search_read``: reads shaped by a web-client field specification.

A specification maps field names to sub-specifications: ``{}`` for a plain value (a many2one
comes back as a bare id), ``{"fields": {...}}`` for related records read recursively (a many2one
as ``{"id", ...}``, an x2many as a list of such dicts), with optional ``limit``/``order`` on x2many
(records past the limit come back as ``{"id": ...}`` only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zenoo.testing.orm.exceptions import PyValueError
from zenoo.testing.orm.fields import X2MANY

if TYPE_CHECKING:
    from zenoo.testing.orm.model import BaseModel


def web_read(model: BaseModel, ids: list[int], specification: Any) -> list[dict[str, Any]]:
    """Records ``ids`` (missing ones dropped) shaped by ``specification``."""
    if not isinstance(specification, dict):
        raise PyValueError(f"Invalid specification {specification!r}: expected a dict of field names")
    names = [name for name in specification if name != "id"]
    rows = model._read(ids, names or ["id"], load=None)
    for name in names:
        sub = specification[name] or {}
        if not isinstance(sub, dict):
            raise PyValueError(f"Invalid specification for field {name!r}: {sub!r}")
        field = model._field(name)
        if "fields" not in sub or field.type not in ("many2one", *X2MANY):
            continue
        comodel = model._comodel(field)
        sub_fields = sub["fields"] or {}
        if field.type == "many2one":
            targets = list({row[name] for row in rows if row[name]})
            related = {r["id"]: r for r in _related_records(comodel, targets, sub_fields)}
            for row in rows:
                row[name] = related.get(row[name], {"id": row[name]}) if row[name] else False
            continue
        for row in rows:
            targets = row[name]
            if sub.get("order"):
                targets = comodel._search_ids([("id", "in", targets)], 0, None, sub["order"])
            limit = sub.get("limit")
            head, tail = (targets[:limit], targets[limit:]) if limit else (targets, [])
            related = {r["id"]: r for r in _related_records(comodel, head, sub_fields)}
            row[name] = [related[i] for i in head if i in related] + [{"id": i} for i in tail]
    return rows


def _related_records(comodel: BaseModel, ids: list[int], sub_fields: dict[str, Any]) -> list[dict[str, Any]]:
    """Related records as dicts: id, the asked fields, display_name last (as Odoo orders them)."""
    if not ids:
        return []
    ordered = [n for n in sub_fields if n != "display_name"] + (["display_name"] if "display_name" in sub_fields
                                                                 else [])
    return web_read(comodel, ids, {name: sub_fields[name] for name in ordered})


def web_search_read(model: BaseModel, domain: Any, specification: Any, offset: Any, limit: Any, order: Any,
                    count_limit: Any) -> dict[str, Any]:
    """``{"length": total matches, "records": [...]}`` for one page of a search."""
    model._check_access("read")
    ids = model._search_ids(domain or [], offset or 0, limit, order)
    records = web_read(model, ids, specification)
    if not limit or len(records) < limit:
        length = len(records) + int(offset or 0)
    else:
        length = model.search_count(domain or [], limit=count_limit)
    return {"length": length, "records": records}
