"""Executes notebooks/explore.ipynb with the venv's ipykernel and checks what its cells printed.

The notebook starts its own embedded server (Odoo 19 imitation, small scale).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"


def cell_output(notebook: nbformat.NotebookNode, tag: str) -> str:
    cell = next(c for c in notebook.cells if tag in c.metadata.get("tags", []))
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


def value(text: str, label: str) -> str:
    match = re.search(rf"^{re.escape(label)}:? (.*)$", text, re.MULTILINE)
    assert match, f"{label!r} not printed in:\n{text}"
    return match.group(1)


def test_explore_notebook_runs_and_shows_real_results(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    assert value(cell_output(notebook, "connect"), "connected to Odoo").startswith("19 as uid ")

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

    lazy = cell_output(notebook, "lazy")
    assert 0 < int(value(lazy, "lazy rows")) <= companies
    domain = value(lazy, "domain sent")
    assert "'is_company', '=', True" in domain and "'country_id', '!=', False" in domain
    assert ast.literal_eval(value(lazy, "fields read")) == ["country_id", "is_company", "name"]
    assert value(lazy, "lazy equals eager") == "True"

    assert value(cell_output(notebook, "head"), "head rows") == "3"
    assert "server stopped" in cell_output(notebook, "stop")


BULK_EDIT = NOTEBOOK.parent / "bulk_edit.ipynb"


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
