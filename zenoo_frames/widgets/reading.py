"""How the browser's Record tab reads a record (every field but binaries, even for a user who may not
read some of them) or the records of an x2many (their display names).

Odoo refuses a whole ``read`` when one of the fields asked is refused to the user: an x2many whose
records the user may not read (Odoo 19: "Failed to read field res.partner.rtc_session_ids"; 17 names
the related model), or a computed field that reads such records (res.users' invoicing totals for a
user without Invoicing rights). Those fields are found by halving the fields (a few requests, only
after such a refusal and once the model itself is known readable), left out, and named, so that the
tab shows the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zenoo.exceptions import AccessError
from zenoo.fields.metadata import ModelFields
from zenoo.query import QuerySet
from zenoo.seams import OdooClient

if TYPE_CHECKING:
    from zenoo.models.base import OdooModel

__all__ = ["read_record", "read_related"]


async def read_record(client: OdooClient, meta: ModelFields, record_id: int) -> tuple[OdooModel, tuple[str, ...]]:
    """Record ``record_id`` of ``meta.model`` with every field but binaries, and the fields left out
    because Odoo refuses them to the user."""
    names = [name for name in meta.names() if meta.type_of(name) != "binary" and name != "id"]
    query = QuerySet(client, meta.model)
    try:
        return await query.only(*names).get(record_id), ()
    except AccessError:
        await read_related(client, meta.model, [record_id])  # the model itself: its error is the answer
        readable = await _readable(client, meta.model, record_id, names)
    return await query.only(*readable).get(record_id), tuple(name for name in names if name not in readable)


async def _readable(client: OdooClient, model: str, record_id: int, names: list[str]) -> list[str]:
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


async def read_related(client: OdooClient, model: str, ids: Sequence[int]) -> list[tuple[int, str]]:
    """The id and display name of each of ``ids``."""
    rows = await client.call(model, "read", ids=list(ids), kwargs={"fields": ["display_name"]})
    return [(row["id"], row["display_name"] or "") for row in rows]
