"""How the browser's Record tab reads a record (every field but binaries, even for a user who may not
read the records of some of its x2many fields) or the records of an x2many (their display names).

Odoo refuses a whole ``read`` when one of the fields asked is an x2many whose records the user may
not read (Odoo 19: "Failed to read field res.partner.rtc_session_ids"; 17 names the related model).
Those fields are found by halving the x2many fields (a few requests, only after such a refusal),
left out, and named, so that the tab shows the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from zenoo.exceptions import AccessError
from zenoo.fields.metadata import ModelFields
from zenoo.query import QuerySet

if TYPE_CHECKING:
    from zenoo.models.base import OdooModel

__all__ = ["read_record", "read_related"]


async def read_record(client: Any, meta: ModelFields, record_id: int) -> tuple[OdooModel, tuple[str, ...]]:
    """Record ``record_id`` of ``meta.model`` with every field but binaries, and the x2many fields
    left out because the user may not read their records."""
    names = [name for name in meta.names() if meta.type_of(name) != "binary" and name != "id"]
    query = QuerySet(client, meta.model)
    try:
        return await query.only(*names).get(record_id), ()
    except AccessError:
        lists = [name for name in names if meta.type_of(name) in ("one2many", "many2many")]
        if not lists:
            raise
        await query.only(*[name for name in names if name not in lists]).get(record_id)  # the model's own
        readable = await _readable(client, meta.model, record_id, lists)
    kept = [name for name in names if name not in lists or name in readable]
    return await query.only(*kept).get(record_id), tuple(name for name in lists if name not in readable)


async def _readable(client: Any, model: str, record_id: int, names: list[str]) -> list[str]:
    """Those of ``names`` whose ``read`` Odoo does not refuse."""
    try:
        await client.call(model, "read", ids=[record_id], kwargs={"fields": names})
        return names
    except AccessError:
        if len(names) == 1:
            return []
        half = len(names) // 2
        first, second = await asyncio.gather(
            _readable(client, model, record_id, names[:half]),
            _readable(client, model, record_id, names[half:]),
        )
        return [*first, *second]


async def read_related(client: Any, model: str, ids: Sequence[int]) -> list[tuple[int, str]]:
    """The id and display name of each of ``ids``."""
    rows = await client.call(model, "read", ids=list(ids), kwargs={"fields": ["display_name"]})
    return [(row["id"], row["display_name"] or "") for row in rows]
