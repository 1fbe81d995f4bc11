"""``ModelBrowser``: find a model, see its fields, page through its records, follow relations, get the code.

Panels: the model picker (``ir.model``, searched by technical name and label, with the record count
of the selected model), and four tabs: *Records* (columns, filter, sorting by a column header,
pages fetched from the server one at a time, with timing and count), *Record* (every field of one
record; a many2one opens the related record, an x2many lists its records; back and forward),
*Fields* (name, label, type, relation, required/readonly, stored; filterable) and *Code* (the
QuerySet and the ``to_polars()`` call that reproduce the page, which :attr:`ModelBrowser.frame` holds).

Everything a click does can be done by code (``select_model``, ``set_filter``, ``set_columns``,
``sort_by``, ``next_page``, ``previous_page``, ``go_to_page``, ``open_record``, ``follow``,
``back``, ``forward``). With the blocking :class:`zenoo.Client` these methods wait for the answer
and raise its error; with the async :class:`zenoo.ZenooClient` they return a :class:`Pending` to
await. Clicks never wait: see :mod:`zenoo_frames.widgets.requests` for where the work runs.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from zenoo.exceptions import InvalidValueError, ZenooError
from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.models.html import cell_text
from zenoo.models.relations import Many2one, X2many
from zenoo.query import QuerySet
from zenoo_frames.widgets import panels
from zenoo_frames.widgets.expression import FilterArguments, filter_arguments, frame_code, queryset_code
from zenoo_frames.widgets.panels import Place
from zenoo_frames.widgets.reading import read_record, read_related
from zenoo_frames.widgets.requests import AnyClient, Pending, Requests

if TYPE_CHECKING:
    import polars as pl

    from zenoo.models.base import OdooModel


class ModelBrowser:
    """Browse an Odoo database's models and records in a notebook; see the module docstring.

    ``client`` is a logged-in :class:`zenoo.ZenooClient` (made in the notebook, whose event loop
    the browser's work then runs on) or :class:`zenoo.Client`; ``model`` the model to open;
    ``page_size`` the records per page. Display the browser (last expression of a cell) to see it.
    """

    def __init__(self, client: AnyClient, model: str | None = None, page_size: int = 50) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise InvalidValueError(f"page_size must be a positive integer, got {page_size!r}")
        self._requests = Requests(client)
        self._client = self._requests.client
        self.page_size = page_size
        #: the model shown, its fields (``fields_get``) and its record count (with the filter)
        self.model: str | None = None
        self.fields: ModelFields | None = None
        self.count: int | None = None
        #: the page shown (from 1), its columns, its ordering (field, descending) and its filter
        self.page = 1
        self.columns: tuple[str, ...] = ()
        self.ordering: tuple[str, bool] | None = None
        self.filter = FilterArguments()
        #: the page as a Polars frame, and the seconds its fetch (count and rows) took
        self.frame: pl.DataFrame | None = None
        self.elapsed: float | None = None
        #: the record shown in the Record tab (or the related records listed there: ``related``)
        self.record: OdooModel | None = None
        self.related: list[tuple[int, str]] = []
        self.unreadable: tuple[str, ...] = ()  #: fields of ``record`` Odoo refuses to the user
        self.error: str | None = None
        self.models: list[tuple[str, str]] | None = None  # (technical name, label) from ir.model
        self._history: list[Place] = []
        self._position = -1
        self._silent, self._clicks = 0, threading.local()  # ._clicks.active: a widget event runs
        self._build()
        self.pending = self._start(self._open_model_work(model) if model else self._models_work())
        self._finish(self.pending)

    # --- the code API ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a request is under way (the spinner shows)."""
        return self._requests.busy

    @property
    def pages(self) -> int:
        """How many pages the filtered records fill (at least 1)."""
        return max(1, -(-(self.count or 0) // self.page_size))

    @property
    def place(self) -> Place | None:
        """What the Record tab shows (None before a record is opened)."""
        return self._history[self._position] if self._history else None

    @property
    def widget(self) -> widgets.Widget:
        """The browser's top widget (displayed for the browser)."""
        return self._root

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self._root._repr_mimebundle_(**kwargs)

    def select_model(self, name: str) -> Pending:
        """Show model ``name`` (a technical name such as ``"res.partner"``): its fields and first page."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidValueError(f"select_model takes a model's technical name, got {name!r}")
        return self._finish(self._start(self._open_model_work(name.strip())))

    def set_filter(self, domain_or_text: str | Sequence[Any] = "", **lookups: Any) -> Pending:
        """Filter the records: the text of ``filter(...)``'s arguments (``'name__ilike="a"'``), a
        domain list, or lookups as keywords; nothing clears the filter. Back to page 1."""
        arguments = filter_arguments(domain_or_text, lookups)
        self._require_model()
        return self._finish(self._start(self._page_work(filter=arguments, page=1)))

    def set_columns(self, names: Sequence[str]) -> Pending:
        """Show these fields as the table's columns (``id`` always comes first)."""
        meta = self._require_model()
        if isinstance(names, str):
            raise InvalidValueError(f"set_columns takes a list of field names, not the string {names!r}")
        columns = tuple(dict.fromkeys(name for name in names if name != "id"))
        meta.check(columns)
        return self._finish(self._start(self._page_work(columns=columns)))

    def sort_by(self, field: str | None, descending: bool = False) -> Pending:
        """Order the records by ``field`` (then by id); None: the model's own order. Back to page 1."""
        meta = self._require_model()
        if field is not None and (meta.get(field) and not meta.says(field, "sortable")):
            raise InvalidValueError(f"{self.model}.{field} cannot be sorted on: Odoo does not store it")
        if not isinstance(descending, bool):
            raise InvalidValueError(f"descending must be True or False, got {descending!r}")
        ordering = None if field is None else (field, descending)
        return self._finish(self._start(self._page_work(ordering=ordering, page=1)))

    def go_to_page(self, page: int) -> Pending:
        """Show page ``page`` (from 1), fetched from the server."""
        self._require_model()
        if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= self.pages:
            raise InvalidValueError(f"page must be between 1 and {self.pages}, got {page!r}")
        return self._finish(self._start(self._page_work(page=page)))

    def next_page(self) -> Pending:
        return self.go_to_page(self.page + 1)

    def previous_page(self) -> Pending:
        return self.go_to_page(self.page - 1)

    def open_record(self, record_id: int, model: str | None = None) -> Pending:
        """Show every field of one record (of ``model``, by default the selected one)."""
        model = model or self._require_model().model
        if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
            raise InvalidValueError(f"open_record takes a record id, got {record_id!r}")
        return self._finish(self._start(self._visit_work(Place(model, record_id))))

    def follow(self, field: str) -> Pending:
        """Follow a relation of the record shown: a many2one opens the related record, an x2many
        lists its records."""
        if self.record is None:
            raise InvalidValueError("follow() needs a record shown: open_record(...) first")
        model = self._history[self._position].model
        value = getattr(self.record, field, None) if field in self.record.loaded_fields else None
        if isinstance(value, Many2one):
            return self._finish(self._start(self._visit_work(Place(value.model, value.id))))
        if isinstance(value, X2many):
            title = f"{model}({self.record.id}).{field}"
            place = Place(value.model, ids=tuple(value), title=title)
            return self._finish(self._start(self._visit_work(place)))
        raise InvalidValueError(f"{model}.{field} is not a relation with a value on record {self.record.id}")

    def back(self) -> Pending:
        if self._position < 1:
            raise InvalidValueError("nothing to go back to")
        return self._finish(self._start(self._visit_work(None, self._position - 1)))

    def forward(self) -> Pending:
        if self._position >= len(self._history) - 1:
            raise InvalidValueError("nothing to go forward to")
        return self._finish(self._start(self._visit_work(None, self._position + 1)))

    @property
    def queryset_code(self) -> str:
        """The QuerySet expression of the page shown (``client`` stands for the browser's client)."""
        if self.model is None:
            return ""
        offset = (self.page - 1) * self.page_size
        return queryset_code(self.model, self.filter, self.columns, self.ordering, offset, self.page_size)

    @property
    def code(self) -> str:
        """Python that reproduces :attr:`frame` (with ``client`` the browser's client)."""
        if self.model is None:
            return ""
        return frame_code(self.queryset_code, self.filter, awaited=not self._requests.blocking)

    # --- requests -------------------------------------------------------------------------------------

    def _start(self, work: Callable[[int], Any]) -> Pending:
        self._show_status(f"{panels.SPINNER} loading…")
        self.pending = self._requests.start(work, self._fail)
        return self.pending

    def _finish(self, pending: Pending) -> Pending:
        """With the blocking client, wait (and raise the request's error) unless a click started the
        request; else leave it to await."""
        if self._requests.blocking and not getattr(self._clicks, "active", False):
            pending.wait()
        return pending

    def _fail(self, generation: int, error: Exception) -> None:
        with self._applying(generation) as current:
            if current:
                self.error = f"{type(error).__name__}: {error}"
                self._show_status(f'<span style="color:#b00">{html.escape(self.error)}</span>')

    @contextmanager
    def _applying(self, generation: int) -> Iterator[bool]:
        """Apply the answer of request ``generation`` if it is the newest, the widgets' events silenced."""
        with self._quiet():
            yield self._requests.current(generation)

    def _handler(self, action: Callable[[], Any]) -> Callable[..., None]:
        """A widget event handler running ``action`` (unless the browser is updating the widgets); its
        error, raised before anything is sent, is shown, never raised into the kernel's log."""

        def handle(*_: Any) -> None:
            with self._requests.lock:
                if self._silent:
                    return
            self._clicks.active = True
            try:
                action()
            except Exception as error:  # noqa: BLE001 - shown in the widget, never raised into the kernel
                self.error = f"{type(error).__name__}: {error}"
                self._show_status(f'<span style="color:#b00">{html.escape(self.error)}</span>')
            finally:
                self._clicks.active = False

        return handle

    def _require_model(self) -> ModelFields:
        if self.fields is None:
            raise InvalidValueError("no model selected: select_model(...) first")
        return self.fields

    # --- the work, run where Requests puts it ---------------------------------------------------------

    async def _load_models(self) -> str:
        """Read ``ir.model`` once, or say why not (only "Access Rights" may: others open models by name)."""
        if self.models is None:
            try:
                rows = await QuerySet(self._client, "ir.model").order_by("model").values("model", "name")
            except ZenooError as error:
                return f"models not listed ({type(error).__name__}: {error})"
            self.models = [(row["model"], row["name"]) for row in rows]
        return ""

    def _models_work(self) -> Callable[[int], Any]:
        async def work(generation: int) -> None:
            note = await self._load_models()
            with self._applying(generation) as current:
                if current:
                    self._show_models(note)
                    self._show_status("")

        return work

    def _open_model_work(self, name: str) -> Callable[[int], Any]:
        async def work(generation: int) -> None:
            note = await self._load_models()
            meta = await model_fields(self._client, name)
            with self._applying(generation) as current:
                if not current:
                    return
                self.model, self.fields, self.ordering, self.filter = name, meta, None, FilterArguments()
                self.columns, self.page, self.count, self.frame = panels.default_columns(meta), 1, None, None
                panels.replace_children(self._grid, [])  # should the page fail, no other model's rows stay
                self._show_models(note)
                self._show_fields()
                self._tabs.selected_index = 0
            await self._page_work()(generation)

        return work

    def _page_work(self, **changes: Any) -> Callable[[int], Any]:
        async def work(generation: int) -> None:
            now: dict[str, Any] = {"columns": self.columns, "ordering": self.ordering, "filter": self.filter}
            now.update({"page": self.page, **changes})
            query = self._query(now["filter"], now["columns"], now["ordering"])
            started = time.perf_counter()
            count = await query.count()  # validates the filter (the QuerySet's own errors)
            page = min(now["page"], max(1, -(-count // self.page_size)))
            window = query.offset((page - 1) * self.page_size).limit(self.page_size)
            frame = await window.to_polars(progress=False)
            elapsed = time.perf_counter() - started
            with self._applying(generation) as current:
                if not current:
                    return
                self.columns, self.ordering, self.filter = now["columns"], now["ordering"], now["filter"]
                self.page, self.count, self.frame, self.elapsed = page, count, frame, elapsed
                self.error = None
                self._show_page()

        return work

    def _query(
        self, arguments: FilterArguments, columns: tuple[str, ...], ordering: tuple[str, bool] | None
    ) -> QuerySet:
        query = QuerySet(self._client, self._require_model().model)
        if not arguments.empty:
            query = query.filter(*arguments.args, **arguments.kwargs)
        query = query.only(*columns)
        if ordering is not None:
            name, descending = ordering
            query = query.order_by(("-" if descending else "") + name, *(("id",) if name != "id" else ()))
        return query

    def _visit_work(self, place: Place | None, position: int | None = None) -> Callable[[int], Any]:
        """Show ``place`` (pushed onto the history) or the history's entry at ``position``."""

        async def work(generation: int) -> None:
            target = place if place is not None else self._history[position or 0]
            started = time.perf_counter()
            record: OdooModel | None = None
            related: list[tuple[int, str]] = []
            meta = await model_fields(self._client, target.model)
            unreadable: tuple[str, ...] = ()
            if target.record_id is not None:
                record, unreadable = await read_record(self._client, meta, target.record_id)
            elif target.ids:
                related = await read_related(self._client, target.model, target.ids[: self.page_size])
            with self._applying(generation) as current:
                if not current:
                    return
                if place is not None:
                    del self._history[self._position + 1 :]
                    self._history.append(place)
                    self._position = len(self._history) - 1
                else:
                    self._position = position or 0
                self.record, self.related, self.unreadable, self.error = record, related, unreadable, None
                self._show_place(meta)
                what = f"{target.model} {target.record_id}" if record is not None else target.title
                self._show_status(f"{html.escape(what)} · {(time.perf_counter() - started) * 1000:.0f} ms")

        return work

    # --- widgets --------------------------------------------------------------------------------------

    def _build(self) -> None:
        self._status = widgets.HTML(layout=widgets.Layout(min_height="22px"))
        self._search = widgets.Text(placeholder="search models (name or label)", continuous_update=True,
                                    layout=widgets.Layout(width="280px"))
        self._models = widgets.Select(options=[], rows=12, layout=widgets.Layout(width="280px"))
        self._model_info = widgets.HTML()
        picker = widgets.VBox(
            [widgets.HTML("<b>Models</b>"), self._search, self._models, self._model_info],
            layout=widgets.Layout(width="300px"),
        )
        self._filter = widgets.Text(
            placeholder='name__ilike="acme", is_company=True   or   [("name", "ilike", "acme")]',
            continuous_update=False,
            layout=widgets.Layout(width="520px"),
        )
        self._apply = widgets.Button(description="Filter", icon="filter")
        self._columns = widgets.SelectMultiple(options=[], rows=5, description="Columns")
        self._previous = widgets.Button(description="◀ Previous", disabled=True)
        self._next = widgets.Button(description="Next ▶", disabled=True)
        self._page_info = widgets.HTML()
        self._grid = widgets.GridBox([])
        records = widgets.VBox([
            widgets.HBox([self._filter, self._apply]),
            self._columns,
            widgets.HBox([self._previous, self._page_info, self._next]),
            self._grid,
        ])
        self._back = widgets.Button(description="◀ Back", disabled=True)
        self._forward = widgets.Button(description="Forward ▶", disabled=True)
        self._record_title = widgets.HTML()
        self._record_body = widgets.GridBox([])
        history = widgets.HBox([self._back, self._forward, self._record_title])
        record = widgets.VBox([history, self._record_body])
        self._field_filter = widgets.Text(placeholder="filter fields", continuous_update=True)
        self._fields_table = widgets.HTML()
        fields = widgets.VBox([self._field_filter, self._fields_table])
        self._code = widgets.HTML()
        titles = ("Records", "Record", "Fields", "Code")
        self._tabs = widgets.Tab([records, record, fields, self._code], titles=titles)
        self._root = widgets.VBox([self._status, widgets.HBox([picker, self._tabs])])
        for name in ("root", "status", "models", "page_info", "grid", "record_body", "record_title"):
            getattr(self, f"_{name}").add_class(f"zenoo-{name.replace('_', '-')}")  # for stylesheets, tests

        self._search.observe(self._handler(self._show_models), names="value")
        self._on_value(self._models, lambda: self.model, self.select_model)
        self._on_value(self._filter, lambda: self.filter.text, self.set_filter)
        self._apply.on_click(self._handler(lambda: self.set_filter(self._filter.value)))
        self._on_value(self._columns, lambda: self.columns, self.set_columns)
        self._previous.on_click(self._handler(self.previous_page))
        self._next.on_click(self._handler(self.next_page))
        self._back.on_click(self._handler(self.back))
        self._forward.on_click(self._handler(self.forward))
        self._field_filter.observe(self._handler(self._show_fields), names="value")

    def _on_value(self, widget: Any, current: Callable[[], Any], act: Callable[[Any], Any]) -> None:
        """``act(value)`` when ``widget`` takes a value that is not the browser's ``current()`` one."""
        widget.observe(self._handler(lambda: widget.value in (None, current()) or act(widget.value)), "value")

    def _show_status(self, text: str) -> None:
        self._status.value = text

    def _show_models(self, note: str = "") -> None:
        """The picker: the models whose name or label contains the search text; the selected one."""
        with self._quiet():
            options = panels.model_options(self.models or [], self._search.value, self.model)
            panels.update(self._models, options=options)
            self._models.value = self.model
        count = None if self.count is None else f"{self.count:,} records"
        count = count if count is None or self.filter.empty else f"{count} (filtered)"
        self._model_info.value = panels.model_html(self.models or [], self.model, count, note)

    def _show_fields(self) -> None:
        """The Fields tab: the fields whose name, label or type contains the filter text."""
        if self.fields is None:
            return
        self._fields_table.value = panels.fields_html(self.fields, self._field_filter.value)

    def _show_page(self) -> None:
        assert self.fields is not None and self.frame is not None
        with self._quiet():
            panels.update(self._columns, options=panels.column_choices(self.fields))
            self._columns.value = self.columns
            self._filter.value = self.filter.text
        panels.replace_children(self._grid, self._table_cells())  # before the line announcing them
        self._grid.layout = widgets.Layout(
            grid_template_columns=f"auto repeat({len(self.columns)}, minmax(60px, auto))", grid_gap="0px 6px"
        )
        first = (self.page - 1) * self.page_size + 1 if self.frame.height else 0
        last = (self.page - 1) * self.page_size + self.frame.height
        timing = f"{self.elapsed * 1000:.0f} ms" if self.elapsed is not None else ""
        self._page_info.value = (
            f"&nbsp;records {first:,}–{last:,} of {self.count or 0:,} · page {self.page} of {self.pages}"
            f" · {timing}&nbsp;"
        )
        self._previous.disabled = self.page <= 1
        self._next.disabled = self.page >= self.pages
        self._show_status(f"{html.escape(self.model or '')}: {self.count or 0:,} records · {timing}")
        self._show_models()
        self._code.value = f"<pre>{html.escape(self.code)}</pre>"

    def _table_cells(self) -> list[widgets.Widget]:
        assert self.fields is not None and self.frame is not None
        model = self.fields.model

        def sort(name: str) -> Callable[..., None]:
            descending = self.ordering is not None and self.ordering[0] == name and not self.ordering[1]
            return self._handler(lambda: self.sort_by(name, descending))

        opener = self._opener
        return panels.table_cells(self.frame, self.columns, self.ordering, sort, lambda i: opener(model, i))

    def _opener(self, model: str, record_id: int) -> Callable[..., None]:
        return self._handler(lambda: self.open_record(record_id, model))

    def _show_place(self, meta: ModelFields) -> None:
        place = self.place
        assert place is not None
        self._back.disabled = self._position < 1
        self._forward.disabled = self._position >= len(self._history) - 1
        if self.record is not None:
            record = self.record
            label = cell_text(record.__dict__.get("display_name") or getattr(record, "display_name", ""))
            title = f"<b>{html.escape(place.model)}</b> {place.record_id} · {html.escape(label)}"
            cells = panels.record_cells(
                record, meta, lambda name: self._handler(lambda: self.follow(name)), self.unreadable
            )
        else:
            listed = f" (first {len(self.related)} listed)" if len(self.related) < len(place.ids) else ""
            title = f"<b>{html.escape(place.title)}</b>: {len(place.ids)} {html.escape(place.model)}"
            title += f" records{listed}"
            cells = panels.related_cells(self.related, lambda i: self._opener(place.model, i))
        self._record_title.value = f"&nbsp;{title}"
        panels.replace_children(self._record_body, cells)
        self._record_body.layout = widgets.Layout(
            grid_template_columns="minmax(200px, auto) auto", grid_gap="0 12px"
        )
        self._tabs.selected_index = 1

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        with self._requests.lock:
            self._silent += 1
            try:
                yield
            finally:
                self._silent -= 1
