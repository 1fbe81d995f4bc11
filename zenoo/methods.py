"""Which Odoo methods only read.

One list serves three decisions: a read-only call may be retried after a timeout, may be served
from the cache, and does not invalidate cached data. Every other method (``create``, ``write``,
``unlink``, ``load``, any business method) is treated as a write.
"""

from __future__ import annotations

READ_ONLY_METHODS: frozenset[str] = frozenset(
    {
        "search",
        "search_read",
        "search_count",
        "search_fetch",
        "read",
        "fields_get",
        "name_search",
        "name_get",
        "read_group",
        "formatted_read_group",
        "web_read_group",
        "web_search_read",
        "web_read",
        "default_get",
        "check_access_rights",
        "context_get",
        "has_access",
        "export_data",
    }
)


def is_read_only(method: str) -> bool:
    """True when calling ``method`` cannot change data on the server."""
    return method in READ_ONLY_METHODS
