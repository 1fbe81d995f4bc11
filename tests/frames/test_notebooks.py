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
