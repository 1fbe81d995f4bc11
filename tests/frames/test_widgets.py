"""The notebook ModelBrowser, driven by its code API and by its widgets' values and clicks.

Scenarios touching the wire run on every target (embedded Odoo 17 and 19, and a real Odoo when
configured) on records each test creates (named ``zenoo-test-widgets-*``, removed at the end), so
that counts do not depend on what else the database holds. Tests that count requests or inject
faults use the embedded server only.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import gc
import html
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import polars as pl
import pytest
from users import internal_user

from zenoo import Client, ZenooClient
from zenoo.exceptions import FieldError, InvalidValueError, ZenooError
from zenoo_frames.widgets import ModelBrowser

COUNT = 7  # partners each test creates
PAGE = 3  # rows per page: 3 pages of 3, 3 and 1


async def _make_partners(client: ZenooClient, marker: str) -> list[int]:
    countries = await client.search("res.country", [], limit=2, order="id")
    tags = await client.search("res.partner.category", [], limit=2, order="id")
    values = [
        {
            "name": f"{marker}-{index:02d}",
            "is_company": index % 2 == 0,
            "country_id": countries[index % 2],
            "category_id": [(6, 0, tags)],
            "email": f"{marker}-{index}@example.com",
        }
        for index in range(COUNT)
    ]
    return list(await client.create("res.partner", values))


@pytest.fixture
def marker() -> str:
    return f"zenoo-test-widgets-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["jsonrpc", "json2"])
async def aclient(request: pytest.FixtureRequest, target: Any, marker: str) -> AsyncIterator[ZenooClient]:
    """Admin on JSON-RPC (password) or JSON-2 (API key, Odoo 19), with this test's partners
    (removed afterwards)."""
    if request.param == "json2" and (target.version < 19 or not target.api_key):
        pytest.skip(f"{target.name}: no JSON-2 (Odoo 19 and an API key)")
    async with target.client() as client:
        await target.log_in(client, "password" if request.param == "jsonrpc" else "api_key")
        assert client.api == request.param
        ids = await _make_partners(client, marker)
        try:
            yield client
        finally:
            await client.unlink("res.partner", ids)


@pytest.fixture
def blocking(target: Any, marker: str) -> Iterator[Client]:
    """The blocking Client: on JSON-2 where the target has it (Odoo 19 with an API key), else JSON-RPC."""
    with Client(target.url) as client:
        if target.version >= 19 and target.api_key:
            client.login_with_api_key(target.database, target.login, target.api_key)
            assert client.api == "json2"
        else:
            client.login(target.database, target.login, target.password)
        ids = client.runner.run(_make_partners(client.aclient, marker))
        try:
            yield client
        finally:
            client.unlink("res.partner", ids)


def _mine(marker: str) -> str:
    return f'name__like="{marker}"'


async def _reproduce(browser: ModelBrowser, client: Any) -> pl.DataFrame:
    """Run the code the browser shows, with ``client`` as the client, and return its ``frame``."""
    namespace: dict[str, Any] = {"client": client}
    code = compile(browser.code, "<browser code>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if asyncio.iscoroutine(result):
        await result
    frame = namespace["frame"]
    assert isinstance(frame, pl.DataFrame)
    return frame


def _texts(browser: ModelBrowser) -> list[list[str]]:
    """The table as shown: header and rows, cell by cell."""
    cells = browser._grid.children
    width = len(browser.columns) + 1
    texts = [
        cell.description if hasattr(cell, "description") and cell.description else cell.value
        for cell in cells
    ]
    return [texts[index : index + width] for index in range(0, len(texts), width)]


# --- the code API, async client ---------------------------------------------------------------------


async def test_code_api_pages_sorts_filters_and_its_code_reproduces_the_frame(
    aclient: ZenooClient, marker: str, target: Any
) -> None:
    browser = ModelBrowser(aclient, page_size=PAGE)
    await browser.pending
    assert ("res.partner", "Contact") in (browser.models or [])

    await browser.select_model("res.partner")
    assert browser.model == "res.partner" and browser.page == 1
    if target.embedded:  # other workers create and delete partners in a shared real Odoo meanwhile
        assert browser.count == await aclient.search_count("res.partner", [])
    assert browser.count and browser.count >= COUNT
    assert browser.columns[0] == "name" and len(browser.columns) == 5
    fields_panel = browser._fields_table.value
    assert "country_id" in fields_panel and "res.country" in fields_panel and "many2one" in fields_panel

    await browser.set_filter(_mine(marker))
    assert (browser.count, browser.pages, browser.frame.height) == (COUNT, 3, PAGE)
    assert "7 records (filtered)" in browser._model_info.value
    assert f"records 1–3 of {COUNT}" in browser._page_info.value and " ms" in browser._page_info.value

    await browser.sort_by("name", descending=True)
    assert browser.frame["name"].to_list() == [f"{marker}-{i:02d}" for i in (6, 5, 4)]
    await browser.next_page()
    assert browser.page == 2 and browser.frame["name"].to_list() == [f"{marker}-{i:02d}" for i in (3, 2, 1)]
    assert (await _reproduce(browser, aclient)).equals(browser.frame)
    assert (
        "await client.model('res.partner').filter(" in browser.code and ".offset(3).limit(3)" in browser.code
    )

    await browser.set_columns(["email", "country_id", "category_id"])
    assert browser.page == 2 and browser.columns == ("email", "country_id", "category_id")
    header, *rows = _texts(browser)
    assert header == ["id", "email", "country_id", "category_id"]
    assert rows[0][1] == f"{marker}-3@example.com" and rows[0][3] == "2 records"
    assert rows[0][2] == browser.frame["country_id.display_name"][0]  # a many2one shows its name
    assert (await _reproduce(browser, aclient)).equals(browser.frame)

    await browser.go_to_page(3)
    assert browser.frame.height == 1 and browser._next.disabled and not browser._previous.disabled
    with pytest.raises(InvalidValueError, match="between 1 and 3"):
        browser.next_page()


async def test_a_q_expression_filter_and_its_code(aclient: ZenooClient, marker: str) -> None:
    browser = ModelBrowser(aclient, "res.partner", page_size=PAGE)
    await browser.pending
    await browser.set_filter(f'Q(name__like="{marker}") & ~Q(is_company=True)')
    assert browser.count == COUNT // 2
    assert browser.code.startswith("from zenoo import Q\n")
    assert (await _reproduce(browser, aclient)).equals(browser.frame)
    await browser.set_filter([("name", "like", marker), ("is_company", "=", True)])
    assert browser.count == COUNT - COUNT // 2
    assert (await _reproduce(browser, aclient)).equals(browser.frame)


async def test_dates_given_as_keywords_filter_as_typed_ones(aclient: ZenooClient, marker: str) -> None:
    """``set_filter(**lookups)`` writes its values as the box reads them: a date as date(...), a
    datetime as datetime(...) in UTC."""
    browser = ModelBrowser(aclient, "res.partner", page_size=PAGE)
    await browser.pending
    moment = dt.datetime(2000, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))  # 00:00 UTC
    await browser.set_filter(name__like=marker, create_date__gte=moment)
    assert browser.filter.text == f"name__like={marker!r}, create_date__gte=datetime(2000, 1, 1, 0, 0, 0)"
    assert browser.count == COUNT
    await browser.set_filter(name__like=marker, create_date__lt=dt.date(2000, 1, 1))
    assert browser.count == 0 and "date(2000, 1, 1)" in browser.filter.text
    assert (await _reproduce(browser, aclient)).equals(browser.frame)
    await browser.set_filter([("name", "like", marker), ("create_date", ">=", dt.date(2000, 1, 1))])  # a domain
    assert browser.count == COUNT and "date(2000, 1, 1)" in browser.filter.text


async def test_a_bad_filter_is_refused_with_the_querysets_errors(
    aclient: ZenooClient, marker: str, caplog: pytest.LogCaptureFixture
) -> None:
    browser = ModelBrowser(aclient, "res.partner", page_size=PAGE)
    await browser.pending
    await browser.set_filter(_mine(marker))
    before = browser.frame

    with pytest.raises(FieldError, match="has no field 'nme'.*did you mean 'name'"):
        await browser.set_filter('nme__ilike="x"')
    assert "FieldError" in browser._status.value and "nme" in browser._status.value
    assert (
        browser.frame is before and browser.count == COUNT and browser.filter.text == f"name__like={marker!r}"
    )

    with pytest.raises(InvalidValueError, match="is not valid"):  # refused before anything is sent
        browser.set_filter("name ==")
    with pytest.raises(InvalidValueError, match="is not a value"):
        browser.set_filter('name=open("/etc/passwd")')
    with pytest.raises(InvalidValueError, match="is not a value"):  # a dict with an unhashable key
        browser.set_filter("name={[1]: 2}")
    with pytest.raises(InvalidValueError, match="descending must be True or False, got 'no'"):
        browser.sort_by("name", descending="no")  # type: ignore[arg-type]
    assert browser.ordering is None

    browser._filter.value = 'name__frob="x"'  # typed in the box: shown, never raised into the kernel
    async with asyncio.timeout(30):
        while browser.busy:
            await asyncio.sleep(0.01)
    assert "unknown lookup 'frob'" in html.unescape(browser._status.value) and browser.count == COUNT
    await browser.go_to_page(1)  # the failed request is dropped: a task whose exception nobody
    gc.collect()  # retrieved would be logged by asyncio now, as an error
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


async def test_records_and_relations_followed_back_and_forward(aclient: ZenooClient, marker: str) -> None:
    browser = ModelBrowser(aclient, "res.partner", page_size=PAGE)
    await browser.pending
    await browser.set_filter(_mine(marker))
    first = browser.frame["id"][0]
    await browser.open_record(first)
    assert browser.record is not None and browser.record.id == first and browser._tabs.selected_index == 1
    assert f"{marker}-00" in browser._record_title.value
    shown = " ".join(
        getattr(cell, "value", "") or getattr(cell, "description", "")
        for cell in browser._record_body.children
    )
    assert "email" in shown and f"{marker}-0@example.com" in shown  # every field, with its value
    country = browser.record.country_id

    await browser.follow("country_id")
    assert browser.place.model == "res.country" and browser.record.id == country.id
    await browser.back()
    assert browser.record.id == first and not browser._forward.disabled
    await browser.forward()
    assert browser.place.model == "res.country"
    await browser.back()

    await browser.follow("category_id")
    assert browser.place.model == "res.partner.category" and browser.record is None
    assert len(browser.related) == 2 and all(name for _, name in browser.related)
    assert "2 res.partner.category records" in browser._record_title.value

    with pytest.raises(InvalidValueError, match="needs a record shown"):
        browser.follow("email")
    await browser.back()
    with pytest.raises(InvalidValueError, match="not a relation"):
        browser.follow("email")


async def test_server_errors_are_shown_in_the_widget(aclient: ZenooClient) -> None:
    browser = ModelBrowser(aclient)
    await browser.pending
    with pytest.raises(ZenooError):
        await browser.select_model("zenoo.no.such.model")
    assert browser.error and "zenoo.no.such.model" in browser._status.value
    assert browser.model is None


# --- the widgets, blocking client (JSON-2 on Odoo 19) -----------------------------------------------


def test_clicks_drive_the_browser_on_the_blocking_client(blocking: Client, marker: str) -> None:
    browser = ModelBrowser(blocking, page_size=PAGE)  # waits for the model list
    browser._search.value = "partner"
    assert "res.partner" in [value for _, value in browser._models.options]
    assert all("partner" in label.lower() for label, _ in browser._models.options)

    browser._models.value = "res.partner"  # a click: starts the work, never waits for it
    browser.pending.wait(30)
    assert browser.model == "res.partner" and browser.frame.height == PAGE

    browser._field_filter.value = "country"
    assert "country_id" in browser._fields_table.value and "email" not in browser._fields_table.value

    browser._filter.value = _mine(marker)
    browser.pending.wait(30)
    assert browser.count == COUNT

    browser._columns.value = ("name", "country_id")
    browser.pending.wait(30)
    assert browser.columns == ("name", "country_id")

    header_name = browser._grid.children[1]
    header_name.click()  # sort ascending by name
    browser.pending.wait(30)
    header_name = browser._grid.children[1]
    assert header_name.description == "name ▲"
    header_name.click()  # and descending
    browser.pending.wait(30)
    assert browser.ordering == ("name", True) and browser.frame["name"][0] == f"{marker}-06"

    browser._next.click()
    browser.pending.wait(30)
    assert browser.page == 2 and _texts(browser)[1][1] == f"{marker}-03"
    browser._previous.click()
    browser.pending.wait(30)
    assert browser.page == 1

    row_button = browser._grid.children[3]  # the id of the first row
    row_button.click()
    browser.pending.wait(30)
    assert browser.record is not None and browser.record.id == int(row_button.description)
    relation = next(
        cell for cell in browser._record_body.children if getattr(cell, "tooltip", "") == "follow country_id"
    )
    relation.click()
    browser.pending.wait(30)
    assert browser.place.model == "res.country" and relation.description == browser.record.display_name
    browser._back.click()
    browser.pending.wait(30)
    assert browser.record.id == int(row_button.description)

    frame = browser.frame
    assert html.unescape(browser._code.value) == f"<pre>{browser.code}</pre>"  # the Code tab
    namespace: dict[str, Any] = {"client": blocking}
    exec(browser.code, namespace)  # noqa: S102 - the browser's code, the subject of this test
    assert "await" not in browser.code and namespace["frame"].equals(frame)


# --- embedded only: requests sent, slowness, superseded requests --------------------------------------


async def test_pages_are_fetched_from_the_server_one_at_a_time(embedded: Any) -> None:
    async with ZenooClient(embedded.url) as client:
        await embedded.log_in(client, "password")
        browser = ModelBrowser(client, "res.partner", page_size=10)
        await browser.pending
        embedded.server.reset_requests()
        await browser.next_page()
        searches = [r for r in embedded.server.requests if r.method == "search" and r.model == "res.partner"]
        reads = [  # the page's rows (reads of display_name alone are the names of related partners)
            r
            for r in embedded.server.requests
            if r.method == "read"
            and r.model == "res.partner"
            and r.arguments.get("fields") != ["display_name"]
        ]
        assert [(r.arguments.get("offset"), r.arguments.get("limit")) for r in searches] == [(10, 10)]
        assert sum(len(r.arguments.get("ids") or []) for r in reads) == 10


async def test_a_slow_server_shows_a_spinner_and_a_new_request_supersedes_the_pending_one(
    embedded: Any,
) -> None:
    async with ZenooClient(embedded.url) as client:
        await embedded.log_in(client, "password")
        browser = ModelBrowser(client, "res.partner", page_size=5)
        await browser.pending
        embedded.server.faults.set(latency=1.0, methods={"search_count"}, count=1)
        slow = browser.go_to_page(3)
        await asyncio.sleep(0.2)
        assert browser.busy and "loading" in browser._status.value
        fast = browser.go_to_page(2)  # supersedes the slow one
        await fast
        assert slow.done() and browser.page == 2 and not browser.busy
        await asyncio.sleep(1.2)  # the slow answer, had it not been cancelled, would have come by now
        assert browser.page == 2 and "loading" not in browser._status.value
        embedded.server.faults.clear()


async def test_a_click_handled_on_another_thread_runs_on_the_clients_loop(embedded: Any) -> None:
    """JupyterLab 4.6 with ipykernel 7 sends widget messages to a kernel subshell: a thread with
    its own loop."""
    async with ZenooClient(embedded.url) as client:
        await embedded.log_in(client, "password")
        browser = ModelBrowser(client, "res.country", page_size=5)
        await browser.pending
        row = next(cell for cell in browser._grid.children if "zenoo-record" in cell._dom_classes)
        asyncio.get_running_loop().set_debug(True)  # refuses a task created from another thread
        await asyncio.to_thread(row.click)  # handled on a worker thread while this loop runs
        await asyncio.wait_for(browser.pending, 10)
        assert browser.record is not None and browser.record.id == int(row.description)
        assert "res.country" in browser._status.value


def test_a_user_who_may_not_read_ir_model_opens_models_by_name(embedded: Any) -> None:
    demo = embedded.server.users["demo"]
    with Client(embedded.url) as client:
        client.login(embedded.database, demo.login, demo.password)
        browser = ModelBrowser(client)  # Odoo lets only the "Access Rights" group read ir.model
        assert browser.models is None and "models not listed (AccessError" in browser._model_info.value
        browser.select_model("res.partner")
        assert browser.model == "res.partner" and browser.frame is not None and browser.frame.height > 0
        assert [value for _, value in browser._models.options] == ["res.partner"]


@pytest.fixture
async def restricted(target: Any) -> AsyncIterator[ZenooClient]:
    """A user who is not an admin (the embedded demo user, or a user made for the test on real Odoo)."""
    async with target.client() as admin:
        await target.log_in(admin, "password")
        async with internal_user(target, admin, ("group_user",)) as client:
            yield client


async def test_a_record_with_x2many_the_user_may_not_read_shows_the_rest(restricted: ZenooClient) -> None:
    """Odoo refuses a whole read asking for res.users' log_ids (res.users.log is for admins only)."""
    browser = ModelBrowser(restricted, "res.users")
    await browser.pending
    await browser.open_record(restricted.uid)
    assert browser.error is None and browser.record is not None and browser.record.id == restricted.uid
    assert "log_ids" in browser.unreadable and "login" in browser.record.loaded_fields
    texts = [getattr(cell, "value", "") for cell in browser._record_body.children]
    assert "<i>not read: Odoo refuses this field to you</i>" in texts


def test_the_async_client_needs_its_running_loop(odoo_server_19: Any) -> None:
    with pytest.raises(ZenooError, match="event loop"):
        ModelBrowser(ZenooClient(odoo_server_19.url))
    with pytest.raises(InvalidValueError, match="page_size"):
        ModelBrowser(ZenooClient(odoo_server_19.url), page_size=0)


# --- rich display of QuerySets and records -------------------------------------------------------------


async def test_a_queryset_displays_its_first_rows_in_one_request(embedded: Any) -> None:
    async with ZenooClient(embedded.url) as client:
        await embedded.log_in(client, "password")
        embedded.server.reset_requests()
        shown = client.model("res.partner")._repr_html_()  # from inside a running loop, fields unknown yet
        assert [r.method for r in embedded.server.requests] == ["search_read"]
        assert embedded.server.requests[0].arguments["limit"] == 11 and "first 10 rows" in shown
        assert "<table" in shown and "display_name" in shown

        query = client.model("res.partner").filter(is_company=True).only("name", "country_id").limit(3)
        await query.field_names()  # the fields are known (cached): the display sends one request
        embedded.server.reset_requests()
        shown = query._repr_html_()
        assert [r.method for r in embedded.server.requests] == ["search_read"] and "3 rows" in shown
        record = (await query.all())[0]
        embedded.server.reset_requests()
        shown = record._repr_html_()
        assert embedded.server.requests == [] and record.name in shown and "country_id" in shown


def test_a_blocking_queryset_displays_on_its_loop_thread(odoo_server_19: Any) -> None:
    admin = odoo_server_19.users["admin"]
    with Client(odoo_server_19.url) as client:
        client.login(odoo_server_19.database, admin.login, admin.password)
        shown = client.model("res.country").only("name", "code")._repr_html_()
        assert "Belgium" in shown and "<th" in shown
        broken = client.model("res.country").filter(nme="x")._repr_html_()
        assert "has no field" in broken  # shown, not raised from a display
