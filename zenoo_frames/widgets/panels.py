"""What the browser's panels show, apart from the browser's state: the first columns, the fields
table, the cells of the records table and of the Record tab (their buttons call the handlers given),
the Record tab's places, and the widget plumbing they share."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from zenoo.fields.lookups import RELATIONAL_TYPES
from zenoo.fields.metadata import ModelFields
from zenoo.models.html import cell_text, html_table

if TYPE_CHECKING:
    import polars as pl

    from zenoo.models.base import OdooModel

#: a widget event handler, as ``Button.on_click`` and ``observe`` call it
Handler = Callable[..., None]

#: columns shown at first: these names when the model has them, then its other simple default fields
FIRST_COLUMNS = ("name", "display_name")
DEFAULT_COLUMN_COUNT = 5
_MIXIN_PREFIXES = ("message_", "activity_", "email_normalized", "phone_sanitized")
_WIDE_TYPES = frozenset({"text", "html", "one2many", "many2many", "binary", "json", "properties"})
SPINNER = (
    '<span style="display:inline-block;width:10px;height:10px;border:2px solid #bbb;'
    'border-top-color:#333;border-radius:50%;animation:zenoo-spin .8s linear infinite"></span>'
    "<style>@keyframes zenoo-spin{to{transform:rotate(360deg)}}</style>"
)
FIELD_COLUMNS = ("name", "label", "type", "relation", "required", "readonly", "stored")


@dataclass(frozen=True)
class Place:
    """What the Record tab shows: one record, or the records of an x2many (``ids``)."""

    model: str
    record_id: int | None = None
    ids: tuple[int, ...] = ()
    title: str = ""


def default_columns(meta: ModelFields) -> tuple[str, ...]:
    """The first columns: ``name`` (or ``display_name``), then the required simple default fields,
    then the others, leaving out the mail mixins' bookkeeping (``message_*``, ``activity_*``)."""
    first = [name for name in FIRST_COLUMNS if name in meta][:1]
    simple = [
        name
        for name in meta.default_names()
        if name not in first
        and meta.type_of(name) not in _WIDE_TYPES
        and not name.startswith(_MIXIN_PREFIXES)
    ]
    required = [name for name in simple if meta.get(name).get("required")]
    others = [name for name in simple if name not in required]
    return tuple([*first, *required, *others][:DEFAULT_COLUMN_COUNT])


def model_options(models: list[tuple[str, str]], search: str, selected: str | None) -> list[tuple[str, str]]:
    """The picker's (text, model) options: the models whose technical name or label contains ``search``,
    and the selected one in any case (first when the search leaves it out, or when it is not listed)."""
    words = search.strip().lower()
    options = [(f"{name} — {label}", name) for name, label in models if words in f"{name} {label}".lower()]
    if selected is not None and selected not in {name for _, name in options}:
        options.insert(0, (selected, selected))
    return options


def model_html(models: list[tuple[str, str]], selected: str | None, count: str | None, note: str) -> str:
    """Under the picker: the selected model, its label and record count, and a ``note`` in orange."""
    info = f"<b>{html.escape(selected)}</b> {html.escape(dict(models).get(selected, ''))}" if selected else ""
    if selected and count:
        info += f"<br>{html.escape(count)}"
    return info + (f'<br><span style="color:#a60">{html.escape(note)}</span>' if note else "")


def column_choices(meta: ModelFields) -> list[str]:
    """The fields the table can show (``id`` is always there; binary fields are not read)."""
    return [name for name in meta.names() if name != "id" and meta.type_of(name) != "binary"]


def fields_html(meta: ModelFields, search: str) -> str:
    """The Fields tab: the fields whose name, label, type or relation contains ``search``."""
    words = search.strip().lower()
    rows = []
    for name, field in sorted(meta.fields.items()):
        row = [
            name,
            field.get("string", ""),
            field.get("type", ""),
            field.get("relation") or None,
            "required" if field.get("required") else "",
            "readonly" if field.get("readonly") else "",
            "stored" if field.get("store", True) else "",
        ]
        if words in " ".join(str(cell) for cell in row[:4]).lower():
            rows.append(row)
    return f"<div>{len(rows)} of {len(meta.fields)} fields</div>{html_table(FIELD_COLUMNS, rows)}"


def replace_children(box: widgets.Box, children: list[widgets.Widget]) -> None:
    """Show ``children`` in ``box`` and close the widgets they replace (their comms are freed)."""
    old = box.children
    box.children = children
    for child in old:
        child.close()


def _button(text: str, css: str, tooltip: str, handler: Handler) -> widgets.Button:
    button = widgets.Button(description=text, tooltip=tooltip, layout=widgets.Layout(width="auto"))
    button.add_class(css)
    button.on_click(handler)
    return button


def table_cells(
    frame: pl.DataFrame,
    columns: tuple[str, ...],
    ordering: tuple[str, bool] | None,
    sort: Callable[[str], Handler],
    open_record: Callable[[int], Handler],
) -> list[widgets.Widget]:
    """The records table, row by row: a header button per column (``sort(name)`` handles its click),
    then per record its id (``open_record(id)``) and its values; a many2one shows its display name."""
    cells: list[widgets.Widget] = []
    for name in ("id", *columns):
        arrow = (" ▼" if ordering[1] else " ▲") if ordering is not None and ordering[0] == name else ""
        cells.append(_button(name + arrow, "zenoo-header", f"sort by {name}", sort(name)))
    shown = {
        name: f"{name}.display_name" if f"{name}.display_name" in frame.columns else name for name in columns
    }
    for row in frame.iter_rows(named=True):
        cells.append(_button(str(row["id"]), "zenoo-record", "open this record", open_record(row["id"])))
        for name in columns:
            value = row.get(shown[name])
            if isinstance(value, list):
                value = f"{len(value)} record{'s' if len(value) != 1 else ''}"
            cells.append(widgets.HTML(html.escape(cell_text(value))))
    return cells


def record_cells(
    record: OdooModel, meta: ModelFields, follow: Callable[[str], Handler], unreadable: Sequence[str] = ()
) -> list[widgets.Widget]:
    """Every field of ``record``: its name, label and type, then its value; a relation with a value is
    a button (``follow(name)``); the ``unreadable`` ones say so."""
    cells: list[widgets.Widget] = []
    for name in sorted(meta.names()):
        if name == "id":
            continue
        field = meta.get(name)
        cells.append(
            widgets.HTML(
                f"<b>{html.escape(name)}</b> <small>{html.escape(str(field.get('string', '')))}"
                f" · {html.escape(str(field.get('type', '')))}</small>"
            )
        )
        if name in unreadable:
            cells.append(widgets.HTML("<i>not read: Odoo refuses this field to you</i>"))
        else:
            cells.append(_value_widget(record, name, field, follow))
    return cells


def _value_widget(
    record: OdooModel, name: str, field: Mapping[str, Any], follow: Callable[[str], Handler]
) -> widgets.Widget:
    if field.get("type") == "binary":
        return widgets.HTML("<i>binary: not read</i>")
    value = getattr(record, name, None) if name in record.loaded_fields else None
    if field.get("type") in RELATIONAL_TYPES and value:
        return _button(cell_text(value) or str(value), "zenoo-relation", f"follow {name}", follow(name))
    return widgets.HTML(html.escape(cell_text(value)))


def related_cells(
    related: list[tuple[int, str]], open_record: Callable[[int], Handler]
) -> list[widgets.Widget]:
    """The records of an x2many: each id (``open_record(id)``) and display name."""
    cells: list[widgets.Widget] = []
    for record_id, name in related:
        cells += [
            _button(str(record_id), "zenoo-record", "open this record", open_record(record_id)),
            widgets.HTML(html.escape(name)),
        ]
    return cells


def update(widget: widgets.Widget, **values: Any) -> None:
    """Set the widget's traits that differ from ``values`` (a long list of options is sent only when
    it changed)."""
    for name, value in values.items():
        if tuple(getattr(widget, name)) != tuple(value):
            setattr(widget, name, value)
