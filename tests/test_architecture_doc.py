"""docs/architecture.md is drawn from the code: every module it names exists, and every module is named."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text()
NAMED = set(re.findall(r"`((?:zenoo|zenoo_frames)/[A-Za-z0-9_/]*(?:\.py|/))`", DOC))


def test_every_module_the_architecture_doc_names_exists() -> None:
    assert NAMED, "the doc names no module"
    missing = sorted(path for path in NAMED if not (ROOT / path).exists())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_module_is_placed_in_the_architecture_doc() -> None:
    """A module is placed when the doc names it, or names its package folder."""
    unplaced = []
    for package in ("zenoo", "zenoo_frames"):
        for module in sorted((ROOT / package).rglob("*.py")):
            relative = module.relative_to(ROOT).as_posix()
            if module.name in ("__init__.py", "__main__.py"):
                continue
            folders = {parent.relative_to(ROOT).as_posix() + "/" for parent in module.parents if ROOT in parent.parents}
            if relative not in NAMED and not folders & NAMED - {f"{package}/"}:
                unplaced.append(relative)
    assert not unplaced, f"docs/architecture.md does not say where these modules belong: {unplaced}"


def test_a_long_module_says_why_at_its_top() -> None:
    """Modules stay small; one of more than 500 lines explains why in its docstring."""
    unexplained = []
    for package in ("zenoo", "zenoo_frames"):
        for module in sorted((ROOT / package).rglob("*.py")):
            text = module.read_text()
            if text.count("\n") > 500:
                docstring = text.split('"""', 2)[1] if text.startswith('"""') else ""
                if "Why this module is long:" not in docstring:
                    unexplained.append(module.relative_to(ROOT).as_posix())
    assert unexplained == [], f"modules over 500 lines without 'Why this module is long:' at the top: {unexplained}"
