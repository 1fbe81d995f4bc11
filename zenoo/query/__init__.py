"""Queries: ``Q`` expressions and lookups compiled to Odoo domains, and the lazy ``QuerySet``."""

from zenoo.query.domain import Q, compile_q, parse_domain
from zenoo.query.queryset import QuerySet
from zenoo.query.sync import SyncQuerySet

__all__ = ["Q", "QuerySet", "SyncQuerySet", "compile_q", "parse_domain"]
