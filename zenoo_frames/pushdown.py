"""Translate a Polars predicate into an Odoo domain that the server can apply before sending rows.

The translation only has to be a *superset*: the full predicate is always re-applied locally, so a
term that cannot be translated is simply not pushed.

Care is needed where Odoo and the frame disagree about "empty":

* integer/float/monetary: Odoo reads NULL as ``0``, while a domain such as ``('n', '<', 5)`` skips
  NULL rows. Numeric comparisons are pushed only when they exclude 0 (then NULL rows are excluded on
  both sides), float equality never (rounding).
* many2one, selection, date, datetime: ``false`` is null in the frame; ``!=`` and ``not in`` get an
  extra ``!= False`` term because Odoo's ``!=`` also matches empty values. Many2one and selection
  columns push only equality and ``in`` (Odoo does not order ids or keys as the frame does), and a
  many2one only with ids above 0 (Odoo reads 0 as empty).
* char/text/html: equality, ``in`` and ``starts_with``/``ends_with``/``contains`` (as ``=like``,
  case-sensitive) are pushed; ``%`` and ``_`` in the text are wildcards for LIKE, so such terms are
  pushed as supersets, text with a backslash not at all. Null tests and ordering comparisons on text
  are not pushed (empty-string and collation semantics differ).
* datetime: Odoo may store fractions of a second (Odoo 17 does, in ``create_date``, ``write_date``
  and the like) while ``read`` cuts them off, so a value seen in the frame stands for a whole second
  on the server: ``== v`` is pushed as ``>= v`` and ``< v + 1s``, ``<= v`` as ``< v + 1s``, ``> v``
  as ``>= v + 1s``, ``in`` as an OR of such one-second ranges; ``!=`` and ``not in`` are not pushed.
* A field ``fields_get`` marks ``searchable: False`` (not stored, no search method) is never pushed:
  Odoo refuses the term (19) or ignores it (17).
* Negation is pushed through ``&``, ``|`` and comparisons (De Morgan, flipped operators).

The predicate arrives as a ``polars.Expr``; its JSON serialisation (``expr.meta.serialize``) is
walked, and any node of an unknown shape is treated as untranslatable.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from zenoo_frames.schema import FieldSpec

__all__ = ["keep_active_test", "translate_predicate"]

Domain = list[Any]  # in prefix notation


_FLIP = {"Eq": "=", "NotEq": "!=", "Lt": "<", "LtEq": "<=", "Gt": ">", "GtEq": ">="}
_MIRROR = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEGATE = {
    "=": "!=",
    "!=": "=",
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
    "in": "not in",
    "not in": "in",
    "is_null": "not_null",
    "not_null": "is_null",
}
_NULLABLE_KINDS = frozenset({"many2one", "selection", "date", "datetime", "many2one_reference"})
_NUMERIC_KINDS = frozenset({"integer", "float", "monetary"})
_TEXT_KINDS = frozenset({"char", "text", "html"})
_REGEX_META = re.compile(r"[.^$*+?{}\[\]\\|()]")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIT_MICROS = {"Nanoseconds": 0.001, "Microseconds": 1, "Milliseconds": 1000}
_MISSING = object()
_ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"


def translate_predicate(predicate: Any, columns: Mapping[str, FieldSpec | None]) -> Domain:
    """The Odoo domain of the translatable parts of a ``polars.Expr`` over frame ``columns`` (name
    -> field, ``None`` for ``id``): a superset of the rows it keeps (``[]``: nothing pushed)."""
    try:
        tree = json.loads(predicate.meta.serialize(format="json"))
    except Exception:  # noqa: BLE001 - an expression polars cannot serialise is simply not pushed
        return []
    return _Translator(columns).node(tree, negate=False) or []


def keep_active_test(
    pushed: Domain, domain: Sequence[Any], active_name: str | None, active_test: bool
) -> Domain:
    """``pushed`` with the ``(active_name, '=', True)`` term that Odoo would have added itself.

    Odoo hides archived records (context ``active_test``, on by default) only when the search
    domain does not mention the model's active field. A pushed term on that field would switch the
    hiding off, and the lazy frame would hold archived rows that the eager one lacks: the term Odoo
    adds is then pushed with it. When the query's own ``domain`` already mentions the field, or
    ``active_test`` is off, nothing is hidden either way and ``pushed`` is kept as it is.
    """
    if active_name and active_test and _mentions(pushed, active_name) and not _mentions(domain, active_name):
        return [(active_name, "=", True), *pushed]
    return pushed


def _mentions(domain: Sequence[Any], name: str) -> bool:
    """Whether a term of ``domain`` is on the field ``name`` (Odoo's test for ``active_test``)."""
    return any(isinstance(term, list | tuple) and term and term[0] == name for term in domain)


class _Translator:
    def __init__(self, columns: Mapping[str, FieldSpec | None]) -> None:
        self._columns = columns

    def node(self, node: Any, *, negate: bool) -> Domain | None:
        if not isinstance(node, dict) or len(node) != 1:
            return None
        ((kind, body),) = node.items()
        if kind == "BinaryExpr":
            return self._binary(body, negate)
        if kind == "Function":
            return self._function(body, negate)
        if kind == "Column":
            return self._leaf(body, "=", not negate)  # a boolean column used as the predicate
        return None

    # -- boolean structure ---------------------------------------------------------------------

    def _binary(self, body: dict[str, Any], negate: bool) -> Domain | None:
        op = body.get("op")
        if op in ("And", "LogicalAnd", "Or", "LogicalOr"):
            conjunction = op in ("And", "LogicalAnd")
            if negate:
                conjunction = not conjunction
            left = self.node(body["left"], negate=negate)
            right = self.node(body["right"], negate=negate)
            return _and(left, right) if conjunction else _or(left, right)
        if op in _FLIP:
            return self._comparison(body["left"], _FLIP[op], body["right"], negate)
        return None

    def _function(self, body: dict[str, Any], negate: bool) -> Domain | None:
        function = body.get("function")
        inputs = body.get("input") or []
        if function == {"Boolean": "Not"} and len(inputs) == 1:
            return self.node(inputs[0], negate=not negate)
        column = _column_name(inputs[0]) if inputs else None
        if column is None:
            return None
        if function == {"Boolean": "IsNull"}:
            return self._leaf(column, "not_null" if negate else "is_null", None)
        if function == {"Boolean": "IsNotNull"}:
            return self._leaf(column, "is_null" if negate else "not_null", None)
        if isinstance(function, dict) and "Boolean" in function and isinstance(function["Boolean"], dict):
            boolean = function["Boolean"]
            if "IsIn" in boolean and len(inputs) == 2:
                values = _literal(inputs[1])
                if not isinstance(values, list):
                    return None
                if len(values) == 1 and isinstance(values[0], list):  # an imploded Series: one list
                    values = values[0]
                options = boolean["IsIn"]
                if isinstance(options, dict) and options.get("nulls_equal") and (None in values) != negate:
                    return None  # nulls_equal=True: the null rows are kept, which the domain would drop
                values = [v for v in values if v is not None]  # else is_in never keeps a null row
                return self._leaf(column, "not in" if negate else "in", values)
            if "IsBetween" in boolean and len(inputs) == 3:
                closed = boolean["IsBetween"].get("closed", "Both")
                low_op = ">=" if closed in ("Both", "Left") else ">"
                high_op = "<=" if closed in ("Both", "Right") else "<"
                low = self._comparison(inputs[0], low_op, inputs[1], negate)
                high = self._comparison(inputs[0], high_op, inputs[2], negate)
                return _or(low, high) if negate else _and(low, high)
        if negate:
            return None  # negated text matching or list membership: not pushed
        if isinstance(function, dict) and "StringExpr" in function and len(inputs) == 2:
            return self._text_match(column, function["StringExpr"], _literal(inputs[1]))
        if isinstance(function, dict) and "ListExpr" in function and len(inputs) == 2:
            listexpr = function["ListExpr"]
            if isinstance(listexpr, dict) and "Contains" in listexpr:
                spec = self._columns.get(column, _MISSING)
                value = _literal(inputs[1])
                if (
                    isinstance(spec, FieldSpec)
                    and spec.searchable
                    and spec.type in ("one2many", "many2many")
                    and _is_int(value)
                ):
                    return [(column, "in", [value])]
        return None

    # -- leaves --------------------------------------------------------------------------------

    def _comparison(self, left: Any, op: str, right: Any, negate: bool) -> Domain | None:
        column, other = _column_name(left), right
        if column is None:
            column, other, op = _column_name(right), left, _MIRROR[op]
        if column is None:
            return None
        value = _literal(other)
        if value is _MISSING or value is None or isinstance(value, list):
            return None
        return self._leaf(column, _NEGATE[op] if negate else op, value)

    def _leaf(self, column: str, op: str, value: Any) -> Domain | None:
        spec = self._columns.get(column, _MISSING)
        if spec is _MISSING:
            return None  # a display-name column or an unknown one
        if spec is None:  # the id column: never null
            return _id_leaf(op, value)
        assert isinstance(spec, FieldSpec)
        if not spec.searchable:
            return None
        value = _coerce(spec, value)
        if value is _MISSING:
            return None
        if spec.type == "boolean":
            return _boolean_leaf(column, op, value)
        if spec.type == "datetime":
            return _datetime_leaf(column, op, value)
        if spec.type in _NULLABLE_KINDS:
            return _nullable_leaf(column, op, value, spec.type)
        if spec.type in _NUMERIC_KINDS:
            return _numeric_leaf(column, op, value, spec.type != "integer")
        if spec.type in _TEXT_KINDS:
            return _text_leaf(column, op, value)
        return None

    def _text_match(self, column: str, string_expr: Any, value: Any) -> Domain | None:
        spec = self._columns.get(column, _MISSING)
        if not isinstance(spec, FieldSpec) or not spec.searchable:
            return None
        if spec.type not in _TEXT_KINDS or not isinstance(value, str):
            return None
        if string_expr == "StartsWith":
            return _like(column, value, "", "%")
        if string_expr == "EndsWith":
            return _like(column, value, "%", "")
        if isinstance(string_expr, dict) and "Contains" in string_expr:
            if not string_expr["Contains"].get("literal") and _REGEX_META.search(value):
                return None
            return _like(column, value, "%", "%")
        return None


def _id_leaf(op: str, value: Any) -> Domain | None:
    if op in ("is_null", "not_null"):
        return None
    if op in ("in", "not in"):
        return [("id", op, value)] if all(_is_int(v) for v in value) else None
    return [("id", op, value)] if _is_int(value) else None


def _boolean_leaf(column: str, op: str, value: Any) -> Domain | None:
    if op in ("=", "!=") and isinstance(value, bool):
        return [(column, "=", value if op == "=" else not value)]
    return None


def _nullable_leaf(column: str, op: str, value: Any, kind: str) -> Domain | None:
    if op == "is_null":
        return [(column, "=", False)]
    if op == "not_null":
        return [(column, "!=", False)]
    if kind in ("many2one", "selection") and op not in ("=", "!=", "in", "not in"):
        return None  # ids and selection keys: the frame's order (an Enum's is its keys') is not Odoo's
    if kind == "many2one" and not all(v > 0 for v in (value if isinstance(value, list) else [value])):
        return None  # Odoo takes an id of 0 (or below) for "empty", the frame for an id nothing has
    if op in ("!=", "not in"):  # Odoo's != / not in also match empty values; the frame's do not
        return ["&", (column, op, value), (column, "!=", False)]
    return [(column, op, value)]


def _datetime_leaf(column: str, op: str, value: Any) -> Domain | None:
    """A datetime term that keeps every stored value ``read`` shows as the frame's (whole) second."""
    if op in ("is_null", "not_null"):
        return _nullable_leaf(column, op, value, "datetime")
    if op in ("!=", "not in"):
        return None  # would leave out stored values a fraction of a second off ``value``
    if op == "in":
        if not value:
            return [(column, "in", [])]
        domain: Domain = ["|"] * (len(value) - 1)
        for item in value:
            second = _second(column, item)
            if second is None:
                return None
            domain += second
        return domain
    if op == "=":
        return _second(column, value)
    if op in ("<=", ">"):
        following = _next_second(value)
        if following is None:
            return None
        return [(column, "<" if op == "<=" else ">=", following)]
    return [(column, op, value)]  # < and >= on a whole second need no widening


def _second(column: str, value: str) -> Domain | None:
    """The domain of the one-second range starting at ``value`` (None at the end of time)."""
    following = _next_second(value)
    if following is None:
        return None
    return ["&", (column, ">=", value), (column, "<", following)]


def _next_second(value: str) -> str | None:
    """``value`` (Odoo's datetime text) one second later, None when that is past year 9999."""
    try:
        moment = datetime.strptime(value, _ODOO_DATETIME) + timedelta(seconds=1)
    except OverflowError:
        return None
    return moment.strftime(_ODOO_DATETIME)


def _numeric_leaf(column: str, op: str, value: Any, is_float: bool) -> Domain | None:
    if op in ("is_null", "not_null"):
        return None
    if is_float and op in ("=", "!=", "in", "not in"):
        return None  # float equality depends on rounding
    if _holds_for_zero(op, value):
        # 0 in the frame may be NULL in the database, which Odoo's comparison skips …
        if op in ("!=", "not in"):
            return [(column, op, value)]  # … but Odoo's != / not in do match NULL
        return None
    return [(column, op, value)]


def _holds_for_zero(op: str, value: Any) -> bool:
    if op in ("in", "not in"):
        return (0 in value) == (op == "in")
    return bool({
        "=": 0 == value,
        "!=": 0 != value,
        "<": 0 < value,
        "<=": 0 <= value,
        ">": 0 > value,
        ">=": 0 >= value,
    }[op])


def _text_leaf(column: str, op: str, value: Any) -> Domain | None:
    if op == "=" and value != "":
        return [(column, "=", value)]
    if op == "in" and "" not in value:
        return [(column, "in", value)]
    if op in ("!=", "not in"):
        return [(column, op, value)]  # also matches empty values: a superset
    return None


def _like(column: str, text: str, prefix: str, suffix: str) -> Domain | None:
    if "\\" in text:
        return None  # LIKE's escape character: the pattern would mean something else
    return [(column, "=like", f"{prefix}{text}{suffix}")]  # % and _ in text: wildcards, a superset


def _coerce(spec: FieldSpec, value: Any) -> Any:
    """The literal as Odoo expects it for this field, or _MISSING when it does not fit exactly."""
    if isinstance(value, list):
        items = [_coerce(spec, v) for v in value]
        return _MISSING if any(v is _MISSING for v in items) else items
    if value is None:
        return None
    kind = spec.type
    if kind == "boolean":
        return value if isinstance(value, bool) else _MISSING
    if kind in ("integer", "many2one", "many2one_reference"):
        return value if _is_int(value) else _MISSING
    if kind in ("float", "monetary"):
        return value if isinstance(value, int | float) and not isinstance(value, bool) else _MISSING
    if kind == "date":
        return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else _MISSING
    if kind == "datetime":
        if not isinstance(value, datetime) or value.microsecond:
            return _MISSING
        return value.astimezone(UTC).strftime(_ODOO_DATETIME)
    if kind == "selection":
        return value if isinstance(value, str) and value in spec.selection else _MISSING
    if kind in _TEXT_KINDS:
        return value if isinstance(value, str) else _MISSING
    return _MISSING


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _and(left: Domain | None, right: Domain | None) -> Domain | None:
    if left is None and right is None:
        return None
    if left is None or right is None:
        kept = left or right
        assert kept is not None
        return kept  # one side not pushed: a superset
    return ["&", *left, *right]


def _or(left: Domain | None, right: Domain | None) -> Domain | None:
    if left is None or right is None:
        return None
    return ["|", *left, *right]


def _column_name(node: Any) -> str | None:
    column = node.get("Column") if isinstance(node, dict) else None
    return column if isinstance(column, str) else None


def _literal(node: Any) -> Any:
    """The Python value of a literal node (lists and Series decoded from Arrow IPC), or _MISSING."""
    if not isinstance(node, dict) or "Literal" not in node:
        return _MISSING
    literal = node["Literal"]
    if not isinstance(literal, dict) or len(literal) != 1:
        return _MISSING
    ((family, scalar),) = literal.items()
    if family == "Dyn" and isinstance(scalar, dict) and len(scalar) == 1:
        ((kind, value),) = scalar.items()
        return value if kind in ("Int", "Float") else _MISSING
    if family == "Series" and isinstance(scalar, list):  # a Series given to is_in (a semi-join)
        return _ipc_values(bytes(scalar))
    if family != "Scalar":
        return _MISSING
    if scalar == "Null" or scalar is None:
        return None
    if not isinstance(scalar, dict) or len(scalar) != 1:
        return _MISSING
    ((kind, value),) = scalar.items()
    if kind == "Boolean" or kind == "String":
        return value
    if kind.startswith(("Int", "UInt")) and _is_int(value):
        return value
    if kind.startswith("Float") and isinstance(value, int | float):
        return float(value)
    if kind == "Date" and _is_int(value):
        return date(1970, 1, 1) + timedelta(days=value)
    if kind == "Datetime" and isinstance(value, list) and len(value) == 3:
        micros = _UNIT_MICROS.get(value[1])
        if micros is None or not _is_int(value[0]) or (value[1] == "Nanoseconds" and value[0] % 1000):
            return _MISSING
        return _EPOCH + timedelta(microseconds=value[0] * micros)
    if kind == "List" and isinstance(value, list):
        return _ipc_values(bytes(value))
    return _MISSING


def _ipc_values(payload: bytes) -> Any:
    import pyarrow as pa

    try:
        table = pa.ipc.open_stream(io.BytesIO(payload)).read_all()
    except (pa.ArrowInvalid, OSError):
        return _MISSING
    if table.num_columns != 1:
        return _MISSING
    return table.column(0).to_pylist()
