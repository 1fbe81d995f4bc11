"""The documentation site builds with ``mkdocs build --strict``, references every public name, and
needs nothing from the network to be read.

``--strict`` fails the build on a broken link or anchor, a reference mkdocstrings cannot resolve, a
docstring griffe cannot parse, and (mkdocs-jupyter, ``allow_errors: false``) a notebook cell that
raises. ``make docs`` runs the same build into site/; ``make test`` installs the ``docs`` extra so
that this module runs (it is skipped where mkdocs is not installed, as in ``make test-min``).
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import zenoo
import zenoo_frames

ROOT = Path(__file__).resolve().parents[1]

#: a tag that makes the browser fetch an absolute or protocol-relative URL while showing the page
REMOTE_FETCH = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.I
)
REMOTE_CSS = re.compile(r"(?:url\(|@import)\s*[\"']?(?:https?:)?//", re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for the module exactly as ``make docs`` builds it."""
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (make test installs it)")
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stderr[-6000:]}"
    return out


def _public_members(cls: type) -> list[str]:
    """The public attributes zenoo's code gives the class (its own and its zenoo bases')."""
    members = []
    for name in dir(cls):
        owner = next((base for base in cls.__mro__ if name in vars(base)), None)
        if name.startswith("_") or owner is None:
            continue
        module = getattr(vars(owner)[name], "__module__", None) or owner.__module__
        if module.startswith(("zenoo.", "zenoo_frames.")):
            members.append(name)
    return members


@pytest.mark.parametrize("package", [zenoo, zenoo_frames], ids=lambda package: package.__name__)
def test_every_public_name_is_in_the_api_reference(site: Path, package: Any) -> None:
    """Every name of ``__all__``, and every public member of its classes (mixins' included)."""
    reference = "".join(page.read_text() for page in (site / "reference").rglob("*.html"))
    anchors = set(re.findall(r'id="([\w.]+)"', reference))
    missing = [name for name in package.__all__ if f"{package.__name__}.{name}" not in anchors]
    assert not missing, f"not in docs/reference/: {missing}"
    members = [
        f"{name}.{member}"
        for name in package.__all__
        if inspect.isclass(getattr(package, name))
        for member in _public_members(getattr(package, name))
    ]
    assert members, "no class members found: the check would pass vacuously"
    missing = [member for member in members if f"{package.__name__}.{member}" not in anchors]
    assert not missing, f"members not in docs/reference/: {missing}"


def test_the_notebooks_are_rendered_with_their_outputs(site: Path) -> None:
    page = (site / "notebooks" / "explore" / "index.html").read_text()
    assert "connected to Odoo 19 as uid" in page  # printed by the first code cell when it ran
    assert "lazy equals eager: True" in page


def test_the_guides_are_pages_of_the_site(site: Path) -> None:
    for guide in (ROOT / "docs").glob("*.md"):
        if guide.stem != "index":
            assert (site / guide.stem / "index.html").is_file(), guide.name
    assert (site / "index.html").is_file() and (site / "search" / "search_index.json").is_file()


def test_the_site_fetches_nothing_from_the_network(site: Path) -> None:
    """Fonts, scripts, styles and images are the site's own files: it reads the same offline."""
    remote = [
        str(path.relative_to(site))
        for path in site.rglob("*")
        if (path.suffix == ".html" and REMOTE_FETCH.search(path.read_text()))
        or (path.suffix == ".css" and REMOTE_CSS.search(path.read_text()))
    ]
    assert not remote, f"pages that load something from another host: {remote}"
