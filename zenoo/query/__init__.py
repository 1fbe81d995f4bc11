"""Queries: ``Q`` expressions and lookups compiled to Odoo domains, and the lazy ``QuerySet``."""

from typing import Any

from zenoo._deprecation import warn_renamed
from zenoo.query.domain import Q, compile_q, parse_domain
from zenoo.query.queryset import QuerySet
from zenoo.query.sync import BlockingQuerySet

__all__ = ["BlockingQuerySet", "Q", "QuerySet", "compile_q", "parse_domain"]


def __getattr__(name: str) -> Any:
    if name == "SyncQuerySet":
        warn_renamed(__name__, name, "BlockingQuerySet")
        return BlockingQuerySet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
