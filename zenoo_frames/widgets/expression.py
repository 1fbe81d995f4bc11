"""The browser's filter box: a domain or QuerySet-style arguments, read without running any code.

``name__ilike="acme", is_company=True``, ``Q(country_id=None) | Q(city="Paris")`` and
``[("name", "ilike", "acme")]`` are what ``QuerySet.filter(...)`` takes; the text is parsed with
:mod:`ast` and only literals, ``Q(...)`` with ``&``, ``|`` and ``~``, and ``date(...)`` /
``datetime(...)`` are accepted (anything else is an :class:`InvalidValueError` naming it). The
QuerySet then validates the fields and lookups with its own errors. The same arguments, written
back out, are the ``filter(...)`` of the code the browser shows.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zenoo import Q
from zenoo.exceptions import InvalidValueError

_DATES = {"date": dt.date, "datetime": dt.datetime}


@dataclass(frozen=True)
class FilterArguments:
    """The positional conditions and keyword lookups of one ``filter(...)`` call, and their source."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.args and not self.kwargs

    @property
    def names(self) -> set[str]:
        """The names the code needs imported (``Q``, ``date``, ``datetime``)."""
        tree = ast.parse(f"filter({self.text})", mode="eval")
        return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def parse_filter(text: str) -> FilterArguments:
    """The arguments of ``filter(...)`` written in ``text`` (empty text: no filter)."""
    text = text.strip()
    if not text:
        return FilterArguments()
    try:
        call = ast.parse(f"filter({text})", mode="eval").body
    except SyntaxError as exc:
        raise InvalidValueError(
            f'filter {text!r} is not valid: {exc.msg}; write lookups such as name__ilike="acme", '
            'Q(...) expressions, or a domain such as [("name", "ilike", "acme")]'
        ) from None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise InvalidValueError(f"filter {text!r} is not valid: give the arguments of one filter(...) call")
    if any(keyword.arg is None for keyword in call.keywords) or any(
        isinstance(arg, ast.Starred) for arg in call.args
    ):
        raise InvalidValueError(f"filter {text!r}: * and ** unpacking are not accepted")
    args = tuple(_value(arg, text) for arg in call.args)
    kwargs = {str(keyword.arg): _value(keyword.value, text) for keyword in call.keywords}
    canonical = ", ".join(
        [
            *(ast.unparse(arg) for arg in call.args),
            *(f"{k.arg}={ast.unparse(k.value)}" for k in call.keywords),
        ]
    )
    return FilterArguments(args, kwargs, canonical)


def filter_arguments(domain_or_text: str | Sequence[Any], lookups: Mapping[str, Any]) -> FilterArguments:
    """The filter given to ``ModelBrowser.set_filter``: a text as typed in the box, a domain list, and/or
    lookups as keywords; written out as text and parsed back, so that the box and the code show it."""
    if isinstance(domain_or_text, str):
        parts = [domain_or_text.strip()] if domain_or_text.strip() else []
    elif isinstance(domain_or_text, list | tuple):
        parts = [_as_text(list(domain_or_text))] if domain_or_text else []
    else:
        raise InvalidValueError(f"set_filter takes a text, a domain list or lookups, got {domain_or_text!r}")
    return parse_filter(", ".join([*parts, *(f"{key}={_as_text(value)}" for key, value in lookups.items())]))


def _as_text(value: Any) -> str:
    """``value`` (a keyword's value, or a domain list) written as the filter box reads it: dates as
    ``date(...)``, datetimes as ``datetime(...)`` in UTC (how zenoo reads a naive one)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        parts = [value.year, value.month, value.day, value.hour, value.minute, value.second]
        return f"datetime({', '.join(map(str, parts + ([value.microsecond] if value.microsecond else [])))})"
    if isinstance(value, dt.date):
        return f"date({value.year}, {value.month}, {value.day})"
    if isinstance(value, list):
        return f"[{', '.join(map(_as_text, value))}]"
    if isinstance(value, tuple):
        return f"({', '.join(map(_as_text, value))}{',' if len(value) == 1 else ''})"
    return repr(value)


def _value(node: ast.expr, text: str) -> Any:
    """The value of one argument: a literal, a Q expression or a date."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        left, right = _q(node.left, text), _q(node.right, text)
        return left & right if isinstance(node.op, ast.BitAnd) else left | right
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return ~_q(node.operand, text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Q", *_DATES):
        if any(keyword.arg is None for keyword in node.keywords):
            raise InvalidValueError(f"filter {text!r}: ** unpacking is not accepted")
        args = [_value(arg, text) for arg in node.args]
        kwargs = {str(keyword.arg): _value(keyword.value, text) for keyword in node.keywords}
        if node.func.id == "Q":
            return Q(*args, **kwargs)
        try:
            return _DATES[node.func.id](*args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise InvalidValueError(
                f"filter {text!r}: {ast.unparse(node)} is not a valid date: {exc}"
            ) from None
    if isinstance(node, ast.List | ast.Tuple):
        items = [_value(item, text) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError):  # TypeError: a dict or set literal with an unhashable key
        raise InvalidValueError(
            f"filter {text!r}: {ast.unparse(node)!r} is not a value; use literals (strings, numbers, True, "
            "False, None, lists), Q(...) with & | ~, date(...) or datetime(...)"
        ) from None


def _q(node: ast.expr, text: str) -> Q:
    value = _value(node, text)
    if not isinstance(value, Q):
        raise InvalidValueError(
            f"filter {text!r}: &, | and ~ combine Q(...) expressions, not {ast.unparse(node)}"
        )
    return value


def queryset_code(
    model: str,
    arguments: FilterArguments,
    columns: tuple[str, ...],
    ordering: tuple[str, bool] | None,
    offset: int,
    limit: int,
) -> str:
    """The QuerySet expression of one page (``client`` stands for the client); ordered by a field,
    then by id, so that pages do not overlap."""
    code = f"client.model({model!r})"
    if not arguments.empty:
        code += f".filter({arguments.text})"
    code += f".only({', '.join(repr(name) for name in columns)})"
    if ordering is not None:
        name, descending = ordering
        code += f".order_by({('-' if descending else '') + name!r}" + (", 'id')" if name != "id" else ")")
    if offset:
        code += f".offset({offset})"
    return code + f".limit({limit})"


def frame_code(queryset: str, arguments: FilterArguments, *, awaited: bool) -> str:
    """The lines fetching ``queryset`` as a Polars frame, with the imports its filter needs."""
    names = arguments.names
    lines = ["from zenoo import Q"] if "Q" in names else []
    dates = sorted(names & set(_DATES))
    if dates:
        lines.append(f"from datetime import {', '.join(dates)}")
    lines.append(f"frame = {'await ' if awaited else ''}{queryset}.to_polars(progress=False)")
    return "\n".join(lines)
