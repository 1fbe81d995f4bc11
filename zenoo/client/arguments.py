"""Shaping the helpers' arguments into ORM keyword arguments, refusing bad ones before sending."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zenoo.exceptions import InvalidValueError


def domain_arg(domain: Sequence[Any] | None) -> list[Any]:
    """A domain as a list (None is the empty domain)."""
    if domain is None:
        return []
    if isinstance(domain, (str, bytes, Mapping)) or not isinstance(domain, Sequence):
        raise InvalidValueError(f"a domain is a list of conditions, got {type(domain).__name__}")
    return list(domain)


def names_arg(names: Sequence[str], what: str) -> list[str]:
    """A list of non-empty names (``what`` is named in the error)."""
    if isinstance(names, str) or not isinstance(names, (Sequence, set, frozenset)):
        raise InvalidValueError(f"{what} must be a list of names, got {type(names).__name__} {names!r:.60}")
    result = list(names)
    for name in result:
        if not isinstance(name, str) or not name:
            raise InvalidValueError(f"{what} must hold non-empty strings, got {name!r}")
    return result


def count_arg(value: Any, what: str) -> int:
    """A non-negative int (``offset``, ``limit``)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidValueError(f"{what} must be a non-negative int, got {value!r}")
    return value


def search_kwargs(domain: Sequence[Any] | None, offset: int, limit: int | None, order: str | None) -> dict[str, Any]:
    """The keyword arguments of ``search``/``search_read``: only those that differ from Odoo's defaults."""
    kwargs: dict[str, Any] = {"domain": domain_arg(domain)}
    if offset:
        kwargs["offset"] = count_arg(offset, "offset")
    if limit is not None:
        kwargs["limit"] = count_arg(limit, "limit")
    if order is not None:
        if not isinstance(order, str):
            raise InvalidValueError(f"order must be a string such as 'name desc, id', got {type(order).__name__}")
        kwargs["order"] = order
    return kwargs


def check_context(context: Mapping[str, Any]) -> None:
    """InvalidValueError, before anything is sent, for a value Odoo cannot take under a context key
    it reads itself (Odoo's own error would be a bare TypeError or an access refusal)."""
    companies = context.get("allowed_company_ids")
    if companies is not None and (
        not isinstance(companies, list | tuple) or not all(type(c) is int for c in companies)
    ):
        raise InvalidValueError(f"allowed_company_ids must be a list of company ids, got {companies!r}")
    for key, kind in (("lang", str), ("tz", str), ("active_test", bool)):
        value = context.get(key)
        if value is not None and value is not False and not isinstance(value, kind):
            raise InvalidValueError(f"context {key!r} must be a {kind.__name__}, got {value!r}")
