"""A QuerySet's rich display in Jupyter (``_repr_html_``): its first rows in a compact HTML table.

One ``search_read`` of at most :data:`PREVIEW_ROWS` rows is sent, with the fields chosen by
``only()`` or else ``display_name`` alone (the domain and ordering are validated against the cached
``fields_get``, which a filtered query needs anyway). A display is synchronous: a blocking client's
QuerySet runs it on its loop thread; an async client's, whose connections belong to the notebook's
own (running) event loop, on a fork of the client on zenoo's shared loop thread, closed at once.
An error is shown in the table's place, never raised from a display.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from zenoo._loop import fork_on_shared_loop
from zenoo.exceptions import ZenooError
from zenoo.models.html import html_table

if TYPE_CHECKING:
    from zenoo.query.queryset import QuerySet

#: rows a QuerySet's display shows
PREVIEW_ROWS = 10


def queryset_html(queryset: QuerySet) -> str:
    """The HTML display of ``queryset``: what it is, and its first rows."""
    title = html.escape(repr(queryset))
    client = queryset.client
    if client.closed or client.uid is None:
        return f"<code>{title}</code> <i>(not connected: no rows shown)</i>"
    try:
        columns, rows, more = _fetch(queryset)
    except ZenooError as exc:
        return f'<code>{title}</code><pre style="color:#b00">{html.escape(str(exc))}</pre>'
    shown = f"first {len(rows)} rows" if more else f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
    return html_table(columns, rows, caption=f"{queryset!r} · {shown}")


def _fetch(queryset: QuerySet) -> tuple[list[str], list[list[Any]], bool]:
    if queryset.runner is not None:
        return queryset.runner.run(_rows(queryset))
    with fork_on_shared_loop(queryset.client) as (loop, fork):
        return loop.run(_rows(queryset.using(fork)))


async def _rows(queryset: QuerySet) -> tuple[list[str], list[list[Any]], bool]:
    if queryset.selected_fields is None:
        fields, types = ["display_name"], {"display_name": "char"}
    else:
        fields = await queryset.field_names()  # validated against fields_get
        meta = await queryset.fields_meta()
        types = {name: meta.type_of(name) for name in fields}
    capped = queryset.row_limit is not None and queryset.row_limit <= PREVIEW_ROWS
    limit = queryset.row_limit if capped and queryset.row_limit is not None else PREVIEW_ROWS
    found = (
        await queryset._search_read(
            fields,
            offset=queryset.row_offset,
            limit=limit + (0 if capped else 1),
            ordering=await queryset.validated_ordering(),
        )
        if limit
        else []
    )
    columns = ["id", *fields]
    rows = [
        [
            None if row.get(name) is False and types.get(name) != "boolean" else row.get(name)
            for name in columns
        ]
        for row in found[:limit]
    ]
    return columns, rows, len(found) > limit
