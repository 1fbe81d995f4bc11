"""A Griffe extension for the API reference: Sphinx roles in docstrings become Markdown code.

zenoo's docstrings name objects the Sphinx way (``:class:`zenoo.Timeout```, ``:func:`~a.b.f```),
which Markdown would show as written. Each role becomes a code span of its target (``~`` keeps the
last component, as in Sphinx). mkdocs.yml loads this file; nothing imports it.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const):`(~?)([^`]+)`")


def _code(match: re.Match[str]) -> str:
    short, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring Griffe loads."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_code, obj.docstring.value)
