"""Queries: ``Q`` expressions and lookups compiled to Odoo domains, and the lazy ``QuerySet``.

``QuerySet`` and ``SyncQuerySet`` are imported on first use: they build on :mod:`zenoo.models`,
which itself uses this package's field and lookup helpers.
"""

from typing import Any

from zenoo.query.domain import Q, compile_q, parse_domain

__all__ = ["Q", "QuerySet", "SyncQuerySet", "compile_q", "parse_domain"]


def __getattr__(name: str) -> Any:
    if name == "QuerySet":
        from zenoo.query.queryset import QuerySet

        return QuerySet
    if name == "SyncQuerySet":
        from zenoo.query.sync import SyncQuerySet

        return SyncQuerySet
    raise AttributeError(f"module 'zenoo.query' has no attribute {name!r}")
