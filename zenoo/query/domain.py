"""Q objects and raw Odoo domains → validated Odoo domains in prefix (Polish) notation.

``Q(a=1) & Q(b=2)`` → ``['&', A, B]``; ``Q(a=1) | Q(b=2)`` → ``['|', A, B]``;
``~Q(a=1, b=2)`` negates the whole conjunction: ``['!', '&', A, B]``. Keyword lookups in one
``Q`` (or one ``filter`` call) are ANDed in the order given. A raw Odoo domain (a list such as
``['|', ('a', '=', 1), ('b', '=', 2)]``) can be used wherever a ``Q`` can; it is parsed and
validated the same way. An empty ``Q()`` means "everything"; ``~Q()`` means "nothing".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union

from zenoo.exceptions import InvalidLookupError, InvalidValueError
from zenoo.fields.lookups import check_operator, check_value, lookup_leaf, refuse_datetimes
from zenoo.fields.metadata import FieldsSource, ResolvedPath, resolve_path, split_lookup
from zenoo.fields.values import to_odoo

Domain = list[Any]
#: Odoo's constant leaves.
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
#: Operators whose value is a domain on the related model.
SUBDOMAIN_OPERATORS = frozenset({"any", "not any", "any!", "not any!"})


@dataclass(frozen=True)
class Lookup:
    """A Django-style lookup such as ``name__ilike="acme"``."""

    key: str
    value: Any


@dataclass(frozen=True)
class Leaf:
    """A raw Odoo leaf ``(path, operator, value)`` taken from a domain list."""

    path: str | int
    operator: str
    value: Any


Node = Union["Q", Lookup, Leaf]


class Q:
    """A boolean expression over lookups: combine with ``&``, ``|`` and ``~``."""

    __slots__ = ("children", "connector", "negated")

    AND = "&"
    OR = "|"

    def __init__(self, *args: Q | Sequence[Any], **lookups: Any) -> None:
        children: list[Node] = []
        for arg in args:
            children.append(arg if isinstance(arg, Q) else parse_domain(arg))
        children.extend(Lookup(key, value) for key, value in lookups.items())
        self.children: tuple[Node, ...] = tuple(children)
        self.connector = Q.AND
        self.negated = False

    @classmethod
    def _combine(cls, children: Sequence[Node], connector: str, negated: bool = False) -> Q:
        q = cls()
        q.children = tuple(children)
        q.connector = connector
        q.negated = negated
        return q

    def _merge(self, other: Q, connector: str) -> Q:
        parts: list[Node] = []
        for q in (self, other):
            if connector == Q.AND and not q.children and not q.negated:
                continue  # TRUE & a is a (a QuerySet's filter() starts from Q())
            # flatten (a & b) & c into one conjunction: the domain stays short and flat
            if q.connector == connector and not q.negated and q.children:
                parts.extend(q.children)
            elif len(q.children) == 1 and not q.negated:
                parts.append(q.children[0])
            else:
                parts.append(q)
        return Q._combine(parts, connector)

    def __and__(self, other: object) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return self._merge(other, Q.AND)

    def __or__(self, other: object) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return self._merge(other, Q.OR)

    def __invert__(self) -> Q:
        return Q._combine(self.children, self.connector, not self.negated)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Q) and (self.children, self.connector, self.negated) == (
            other.children,
            other.connector,
            other.negated,
        )

    def __hash__(self) -> int:
        return hash((self.children, self.connector, self.negated))

    def __repr__(self) -> str:
        return f"Q({_expression_repr(self)})"


def _expression_repr(node: Node) -> str:
    if isinstance(node, Lookup):
        return f"{node.key}={node.value!r}"
    if isinstance(node, Leaf):
        return repr((node.path, node.operator, node.value))
    inner = f" {node.connector} ".join(_nested_repr(child) for child in node.children) or "TRUE"
    if len(node.children) > 1 and node.negated:
        inner = f"({inner})"
    return f"~{inner}" if node.negated else inner


def _nested_repr(node: Node) -> str:
    text = _expression_repr(node)
    if isinstance(node, Q) and len(node.children) > 1 and not node.negated:
        return f"({text})"
    return text


# --- raw domains -------------------------------------------------------------------------------


def parse_domain(domain: Any) -> Q:
    """Parse a raw Odoo domain (prefix notation, implicit AND at the top) into a ``Q``.

    Raises InvalidLookupError on a malformed domain (bad leaf, missing operand, stray token).
    """
    if isinstance(domain, Q):
        return domain
    if isinstance(domain, tuple) and len(domain) == 3 and isinstance(domain[1], str) and _is_leaf(domain):
        domain = [domain]  # a single leaf given on its own
    if not isinstance(domain, list | tuple):
        raise InvalidLookupError(f"a domain must be a list of leaves and operators, got {domain!r}")
    tokens = list(domain)
    position = 0
    expressions: list[Node] = []

    def parse() -> Node:
        nonlocal position
        if position >= len(tokens):
            raise InvalidLookupError(f"malformed domain {domain!r}: an operator is missing an operand")
        token = tokens[position]
        position += 1
        if token in ("&", "|"):
            left, right = parse(), parse()
            return Q._combine([left, right], token)
        if token == "!":
            return Q._combine([parse()], Q.AND, negated=True)
        if _is_leaf(token):
            path, operator, value = token
            return Leaf(path, operator, value)
        raise InvalidLookupError(f"malformed domain {domain!r}: {token!r} is neither an operator nor a leaf")

    while position < len(tokens):
        expressions.append(parse())
    return Q._combine(expressions, Q.AND)


def _is_leaf(token: Any) -> bool:
    if not isinstance(token, list | tuple) or len(token) != 3:
        return False
    path, operator = token[0], token[1]
    if not isinstance(operator, str):
        return False
    if isinstance(path, str):
        return bool(path)
    return tuple(token) in (TRUE_LEAF, FALSE_LEAF)


# --- compilation -------------------------------------------------------------------------------


async def compile_q(client: FieldsSource, model: str, q: Q) -> Domain:
    """Validate ``q`` against ``model``'s fields and return the Odoo domain (``[]`` for everything)."""
    expression = await _compile_node(client, model, q)
    return [] if expression is None else expression


async def _compile_node(client: FieldsSource, model: str, node: Node) -> Domain | None:
    """One expression in prefix notation; None stands for TRUE (no condition)."""
    if isinstance(node, Lookup):
        return [await _compile_lookup(client, model, node)]
    if isinstance(node, Leaf):
        return [await _compile_leaf(client, model, node)]
    terms = [await _compile_node(client, model, child) for child in node.children]
    expression: Domain | None
    if node.connector == Q.AND:
        kept = [term for term in terms if term is not None]
        expression = _join(Q.AND, kept) if kept else None
    else:
        expression = None if (not terms or any(t is None for t in terms)) else _join(Q.OR, terms)  # type: ignore[arg-type]
    if node.negated:
        return [FALSE_LEAF] if expression is None else ["!", *expression]
    return expression


def _join(connector: str, terms: list[Domain]) -> Domain:
    out: Domain = [connector] * (len(terms) - 1)
    for term in terms:
        out.extend(term)
    return out


async def _compile_lookup(client: FieldsSource, model: str, lookup: Lookup) -> tuple[str, str, Any]:
    segments, name = split_lookup(lookup.key)
    resolved = await resolve_path(client, model, segments, last_may_be_lookup=name is None, searching=True)
    where = f"{model}.{resolved.path}"
    if resolved.type == "date":
        refuse_datetimes(where, lookup.value)
    operator, value = lookup_leaf(name or "exact", lookup.value, where)
    check_operator(model, resolved.path, resolved.type, operator)
    if operator in ("any", "not any"):
        value = await _subdomain(client, str(resolved.field["relation"]), value, where)
    check_value(where, resolved.field, operator, value)
    return resolved.path, operator, value


async def _leaf_field(client: FieldsSource, model: str, path: str, operator: str) -> ResolvedPath:
    """The field a raw leaf compares: its path searchable on ``model``, its operator valid for it."""
    resolved = await resolve_path(client, model, path.split("."), searching=True)
    check_operator(model, resolved.path, resolved.type, operator)
    return resolved


async def _compile_leaf(client: FieldsSource, model: str, leaf: Leaf) -> tuple[Any, str, Any]:
    if not isinstance(leaf.path, str):  # TRUE_LEAF / FALSE_LEAF
        return (leaf.path, leaf.operator, leaf.value)
    resolved = await _leaf_field(client, model, leaf.path, leaf.operator)
    value, where = leaf.value, f"{model}.{resolved.path}"
    if leaf.operator in SUBDOMAIN_OPERATORS:
        value = await _subdomain(client, str(resolved.field["relation"]), value, where)
    else:
        value = to_odoo(value, where)
    check_value(where, resolved.field, leaf.operator, value)
    return resolved.path, leaf.operator, value


async def _subdomain(client: FieldsSource, relation: str, value: Any, where: str) -> Domain:
    if isinstance(value, dict):
        value = Q(**value)
    if not isinstance(value, Q | list | tuple):
        raise InvalidValueError(f"'any' on {where} needs a Q, a dict of lookups or a domain, got {value!r}")
    return await compile_q(client, relation, parse_domain(value))


async def check_domain(client: FieldsSource, model: str, domain: Any) -> None:
    """Refuse a raw domain whose structure, field paths or operators are wrong for ``model``
    (FieldError / InvalidLookupError), at the cost of the cached ``fields_get`` only; values are
    left to the server. For the helpers that send a domain as given (``search_read``, ...)."""
    await _check_node(client, model, parse_domain(domain))


async def _check_node(client: FieldsSource, model: str, node: Node) -> None:
    if isinstance(node, Q):
        for child in node.children:
            await _check_node(client, model, child)
    elif isinstance(node, Leaf) and isinstance(node.path, str):
        resolved = await _leaf_field(client, model, node.path, node.operator)
        if node.operator in SUBDOMAIN_OPERATORS and isinstance(node.value, list | tuple):
            await check_domain(client, str(resolved.field["relation"]), node.value)
