"""The README's Python examples run as written against the embedded server (Odoo 19)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def _bind(code: str, server: object) -> str:
    """Point the example at the embedded server instead of a local Odoo."""
    return code.replace("http://localhost:8069", server.url).replace('"zenoo19"', repr(server.database))


def test_readme_has_async_and_blocking_examples() -> None:
    blocks = _python_blocks()
    assert any("async with ZenooClient" in b for b in blocks)
    assert any("with Client(" in b for b in blocks)


async def test_readme_async_example_runs(odoo_server_19: object) -> None:
    block = next(b for b in _python_blocks() if "async with ZenooClient" in b)
    namespace: dict[str, object] = {"api_key": odoo_server_19.users["admin"].api_key}
    body = textwrap.indent(_bind(block, odoo_server_19), "    ")
    exec(f"async def example():\n{body}\n    return df\n", namespace)
    df = await namespace["example"]()  # type: ignore[operator]
    assert df.height > 0
    assert {"id", "name", "email", "country_id", "country_id.display_name"} <= set(df.columns)


def test_readme_blocking_example_runs(odoo_server_19: object) -> None:
    block = next(b for b in _python_blocks() if "with Client(" in b)
    namespace: dict[str, object] = {"password": odoo_server_19.users["admin"].password}
    exec(_bind(block, odoo_server_19), namespace)
    big = namespace["big"]
    assert big.columns == ["name", "partner_id", "amount_total"]
    assert big.height > 0 and big["amount_total"].min() > 500
