"""Executes the notebooks (explore, browse, bulk_edit) with the venv's ipykernel and checks what their
cells printed.

Each notebook starts its own embedded server (Odoo 19 imitation, small scale); explore.ipynb and
browse.ipynb run on a real Odoo instead when ZENOO_URL & co. are set, and their tests run a second
time on the real Odoo of the ZENOO_TEST_* settings.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: the notebooks' connection settings (zenoo's command line reads the same ones), from the real-Odoo
#: test settings
REAL_SETTINGS = {"ZENOO_URL": "ZENOO_TEST_URL", "ZENOO_DB": "ZENOO_TEST_DB", "ZENOO_USER": "ZENOO_TEST_USER",
                 "ZENOO_PASSWORD": "ZENOO_TEST_PASSWORD"}


def cell_output(notebook: nbformat.NotebookNode, tag: str) -> str:
    cell = next(c for c in notebook.cells if tag in c.metadata.get("tags", []))
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


def run(name: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """Execute notebook ``name``: on its embedded server, or (``where="real"``) on the real Odoo of the
    ZENOO_TEST_* settings, handed to the kernel as the ZENOO_* variables the notebooks read."""
    for variable in (*REAL_SETTINGS, "ZENOO_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    if where == "real":
        if not os.environ.get("ZENOO_TEST_URL"):
            pytest.skip("ZENOO_TEST_URL is not set: no real Odoo to run the notebook on")
        for variable, test_variable in REAL_SETTINGS.items():
            monkeypatch.setenv(variable, os.environ[test_variable])  # the kernel inherits the environment
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    return notebook


def value(text: str, label: str) -> str:
    match = re.search(rf"^{re.escape(label)}:? (.*)$", text, re.MULTILINE)
    assert match, f"{label!r} not printed in:\n{text}"
    return match.group(1)


@pytest.mark.parametrize("where", ["embedded", "real"])
def test_explore_notebook_runs_and_shows_real_results(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = run("explore.ipynb", where, tmp_path, monkeypatch)

    version = value(cell_output(notebook, "connect"), "connected to Odoo").split()[0]
    assert version == "19" if where == "embedded" else int(version) >= 17

    partners = cell_output(notebook, "partners")
    rows, columns = ast.literal_eval(value(partners, "shape"))
    assert rows > 20 and columns > 8
    assert value(partners, "first column") == "id"
    assert value(partners, "country_id") == "Int64"
    assert value(partners, "country_id.display_name") == "String"
    assert value(partners, "category_id") == "List(Int64)"
    assert value(partners, "type").startswith("Enum(")

    countries = cell_output(notebook, "countries")
    companies = int(value(countries, "companies"))
    assert 0 < companies < rows and int(value(countries, "counted by country")) == companies

    orders = cell_output(notebook, "orders")
    count, joined = re.match(r"(\d+) \| joined: (\d+)", value(orders, "orders")).groups()
    assert int(count) > 0 and int(joined) == int(count)  # every order's customer is in the frame
    customers, all_partners = re.match(r"(\d+) \| all partners: (\w+)", value(orders, "customers")).groups()
    assert 0 < int(customers) <= int(count) and all_partners == "True"  # grouped by customer, not by order

    lazy = cell_output(notebook, "lazy")
    assert 0 < int(value(lazy, "lazy rows")) <= companies
    assert value(lazy, "lazy equals eager") == "True"
    if where == "embedded":  # the embedded server's request log shows what was sent
        domain = value(lazy, "domain sent")
        assert "'is_company', '=', True" in domain and "'country_id', '!=', False" in domain
        assert ast.literal_eval(value(lazy, "fields read")) == ["country_id", "is_company", "name"]

    assert value(cell_output(notebook, "head"), "head rows") == "3"
    assert "closed" in cell_output(notebook, "stop")


@pytest.mark.parametrize("where", ["embedded", "real"])
def test_browse_notebook_runs_the_model_browser(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = run("browse.ipynb", where, tmp_path, monkeypatch)

    connected = value(cell_output(notebook, "connect"), "connected to Odoo")
    version, uid, api = re.fullmatch(r"(\d+) as uid (\d+) over (\w+)", connected).groups()
    assert int(version) >= 17 and int(uid) > 0 and api in ("jsonrpc", "json2")
    shown = next(c for c in notebook.cells if "browser" in c.metadata.get("tags", []))
    assert any("application/vnd.jupyter.widget-view+json" in out.get("data", {}) for out in shown.outputs)

    driven = cell_output(notebook, "code-api")
    records = int(value(driven, "records"))
    assert value(driven, "model") == "res.partner" and records > 0
    assert int(value(driven, "pages")) == -(-records // 20)
    # id, the four columns chosen and the display name of the many2one country_id
    assert ast.literal_eval(value(driven, "frame")) == (min(records, 20), 6)

    code = cell_output(notebook, "code")
    filtered = "filter(is_company=True, country_id__name__ilike='a')"
    assert f"frame = await client.model('res.partner').{filtered}" in code
    assert ".only('name', 'country_id', 'email', 'is_company').order_by('name', 'id').limit(20)" in code
    assert value(code, "code reproduces the frame") == "True"

    record = cell_output(notebook, "record")
    model, record_id, _ = value(record, "record").split(" ", 2)
    assert model == "res.partner" and value(record, "followed").startswith("res.country ")
    assert value(record, "back to") == f"res.partner {record_id}"

    display = next(c for c in notebook.cells if "display" in c.metadata.get("tags", []))
    table = next(out["data"]["text/html"] for out in display.outputs if out.output_type == "execute_result")
    assert table.count("<tr>") == 6 and "res.country" in table and "<th" in table  # header and five rows


BULK_EDIT = NOTEBOOKS / "bulk_edit.ipynb"


def test_bulk_edit_notebook_previews_refuses_a_conflict_and_writes_back(tmp_path: Path) -> None:
    notebook = nbformat.read(BULK_EDIT, as_version=4)
    NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    assert value(cell_output(notebook, "connect"), "connected to Odoo").startswith("19 as uid ")
    read = cell_output(notebook, "read")
    rows = int(value(read, "rows"))
    assert rows > 6
    assert ast.literal_eval(value(read, "columns")) == [
        "id", "name", "phone", "country_id", "country_id.display_name", "category_id", "type"
    ]
    assert int(value(cell_output(notebook, "edit"), "edited rows")) == rows + 1

    preview = cell_output(notebook, "preview")
    updated, cells = int(value(preview, "updated")), int(value(preview, "cells"))
    assert 3 <= updated <= 6 and cells == updated and value(preview, "created") == "1"
    assert int(value(preview, "preview rows")) == cells + 2  # the new row sets name and type
    shown = next(c for c in notebook.cells if "preview" in c.metadata.get("tags", []))
    html = "".join(out.get("data", {}).get("text/html", "") for out in shown.outputs)
    assert "<strong>Changes to res.partner</strong>" in html and "1 to create" in html

    conflict = cell_output(notebook, "conflict")
    assert value(conflict, "refused") == "ConflictError" and value(conflict, "conflicts") == "1"
    cell = ast.literal_eval(value(conflict, "conflict cell"))
    assert cell[1:4] == ("name", cell[2], "Renamed by a colleague") and cell[4].endswith(" (key account)")
    assert value(conflict, "second company untouched") == "True"

    applied = cell_output(notebook, "apply")
    summary = value(applied, "result")
    assert "1 conflict(s)" in summary and f"{updated - 1} record(s) updated" in summary
    assert len(ast.literal_eval(value(applied, "created ids"))) == 1
    assert value(applied, "first company") == "Renamed by a colleague"
    assert value(applied, "second company").endswith(" (key account)")
    assert value(applied, "new contact") == "zenoo-test-notebook contact"
    assert "server stopped" in cell_output(notebook, "stop")
