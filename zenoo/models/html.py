"""Compact HTML tables for Jupyter: a record's ``_repr_html_``, a QuerySet's preview, the widgets' panels.

Values are shown as Odoo users read them: a many2one as its display name, an x2many as its number
of records, empty values as an empty cell. Every text is escaped; long ones are cut.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from zenoo.models.relations import Many2one, X2many

if TYPE_CHECKING:
    from zenoo.models.base import OdooModel

#: characters of a cell shown before it is cut with an ellipsis
CELL_WIDTH = 80
_STYLE = "border-collapse:collapse;font-size:12px"
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"


def cell_text(value: Any, width: int = CELL_WIDTH) -> str:
    """A field value as short plain text (not escaped)."""
    if value is None:
        return ""
    if isinstance(value, Many2one):
        text = value.display_name if value.display_name is not None else f"{value.model or 'id'} {value.id}"
    elif isinstance(value, X2many):
        text = f"{len(value)} record{'s' if len(value) != 1 else ''}"
    elif (
        isinstance(value, list | tuple)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        text = value[1]  # Odoo's [id, display name] pair
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def html_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None) -> str:
    """An HTML table of ``rows`` (values as :func:`cell_text` shows them) under ``columns``."""
    head = "".join(f'<th style="{_CELL}">{html.escape(name)}</th>' for name in columns)
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{_CELL}">{html.escape(cell_text(value))}</td>' for value in row)
        + "</tr>"
        for row in rows
    )
    title = f'<caption style="text-align:left">{html.escape(caption)}</caption>' if caption else ""
    return f'<table style="{_STYLE}">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def record_html(record: OdooModel) -> str:
    """The loaded fields of one record as a two-column table (no request is sent)."""
    rows = [("id", record.id), *((name, getattr(record, name)) for name in record.loaded_fields)]
    caption = f"{record._name or type(record).__name__} {record.id}"
    return html_table(["field", "value"], rows, caption=caption)
