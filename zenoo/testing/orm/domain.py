"""Odoo domains compiled to SQLite ``WHERE`` clauses, with Odoo's semantics and error messages.

Grammar: a list of leaves ``(path, operator, value)`` and prefix operators ``&``, ``|``, ``!``;
consecutive terms are AND-ed. Paths may go through many2one and x2many fields (``child_ids.email``):
a path leaf means "some related record matches". Semantics follow Odoo's: ``!=``/``not in``/``not
like`` include unset (NULL) values, ``= False`` matches unset values, ``in`` may contain False,
x2many ``=``/``in`` mean "any related record matches", ``active_test`` hides archived records unless
the domain mentions ``active``.

Negation differs between the versions imitated. Odoo 19 negates at the record level: ``!`` of a
condition keeps exactly the records the condition does not select (unset values included), whether
it inverts the operator or wraps the condition in ``NOT``. Odoo 17 turns paths into ``any`` (so a
negated path is ``not any``, a complement too), then pushes every ``!`` down to the leaves and
replaces the operator by its opposite: ``!(x > v)`` becomes ``x <= v``, which leaves out unset
values; a leaf whose operator has no opposite (``=like``, ``child_of``...) gets SQL ``NOT``, which
leaves out the rows where the condition is unknown (NULL).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from zenoo.testing.orm import languages
from zenoo.testing.orm.exceptions import (
    OdooException,
    PyAssertionError,
    PyTypeError,
    PyValueError,
    frame,
    nul_character_error,
)
from zenoo.testing.orm.fields import X2MANY, Field, ModelSpec

OPERATORS = frozenset({
    "=", "!=", "<>", "<", "<=", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike",
    "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
})
OPERATORS_19 = OPERATORS | {"==", "not =like", "not =ilike"}
NEGATIVE = frozenset({"!=", "<>", "not in", "not like", "not ilike", "not any", "not =like", "not =ilike"})
#: Odoo 19 compares a number or a text with its field's "falsy" value (0, '') as with no value
_FALSY_19 = {"integer": 0, "float": 0.0, "monetary": 0.0, "char": "", "text": "", "html": ""}
_NEGATION = {"!=": "=", "<>": "=", "not in": "in", "not like": "like", "not ilike": "ilike", "not any": "any"}
# Odoo 17's opposite operators, used when it pushes '!' down to a leaf
_OPPOSITE_17 = {
    "<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=", "in": "not in", "not in": "in",
    "like": "not like", "not like": "like", "ilike": "not ilike", "not ilike": "ilike",
    "any": "not any", "not any": "any",
}
_LOGIC = ("&", "|", "!")

SQL = tuple[str, list[Any]]
TRUE_SQL: SQL = ("1=1", [])
FALSE_SQL: SQL = ("0=1", [])


class DomainCompiler:
    """Compiles domains on one registry's models; one instance per search call."""

    def __init__(self, models: Mapping[str, ModelSpec], version: int, active_test: bool = True,
                 language: Callable[[], str | None] = lambda: None):
        self.models = models
        self.version = version
        self.active_test = active_test
        self.language = language  # of translated fields (asked only when one is searched)
        self._aliases = itertools.count(1)

    # --- errors, in each version's words -------------------------------------------------------

    def _invalid_item(self, item: Any) -> OdooException:
        if self.version >= 19:
            message = f"Domain() invalid item in domain: {item!r}"
            where = frame("odoo/orm/domains.py", 269, "__new__",
                          'raise ValueError(f"Domain() invalid item in domain: {item!r}")')
            return PyValueError(message, debug=where + f"ValueError: {message}")
        size = len(item) if hasattr(item, "__len__") else 1
        message = (f"not enough values to unpack (expected 3, got {size})" if size < 3
                   else "too many values to unpack (expected 3)")
        where = "    left, operator, right = item = tuple(item)\n    ^^^^^^^^^^^^^^^^^^^^^\n"
        return PyValueError(message, debug=where + f"ValueError: {message}")

    def _leaf_error(self, kind: str, leaf: tuple[Any, ...], model: ModelSpec) -> OdooException:
        if self.version >= 19:
            message = (f"Invalid field {model.name}.{leaf[0]} in condition {leaf!r}" if kind == "field"
                       else f"Invalid operator in condition {leaf!r}" if kind == "operator"
                       else f"Invalid condition {leaf!r}")
            where = frame("odoo/orm/domains.py", 901, "_raise",
                          "raise error(message % (*args, self.field_expr, self.operator, self.value))")
        elif kind == "field":
            message = f"Invalid field {model.name}.{leaf[0]} in leaf {leaf}"
            where = frame("odoo/osv/expression.py", 379, "_anyfy_leaves",
                          'raise ValueError(f"Invalid field {model._name}.{path[0]} in leaf {item}")')
        else:
            message = f"Invalid leaf {leaf}"
            where = frame("odoo/osv/expression.py", 741, "check_leaf",
                          'raise ValueError("Invalid leaf %s" % str(element))')
        return PyValueError(message, debug=where + f"ValueError: {message}")

    def _bad_domain(self, domain: Any) -> OdooException:
        message = (f"Domain() invalid domain: {domain!r}" if self.version >= 19
                   else f"Invalid domain: {domain!r}")
        return PyValueError(message)

    # --- parsing -------------------------------------------------------------------------------

    def _not_a_domain(self, domain: Any) -> OdooException:
        """The error of a domain that is not a list (``None`` included)."""
        if self.version >= 19:
            return PyTypeError(f"Domain() invalid argument type for domain: {domain!r}")
        return PyAssertionError(
            "Domains to normalize must have a 'domain' form: a list or tuple of domain components")

    def parse(self, domain: Any) -> Any:
        """The domain as a tree: ("&"|"|", [nodes]), ("!", node) or a leaf tuple."""
        if domain is False:
            domain = []
        if not isinstance(domain, (list, tuple)):
            raise self._not_a_domain(domain)
        items = list(domain)
        position = 0

        def node() -> Any:
            nonlocal position
            if position >= len(items):
                raise self._bad_domain(domain)
            item = items[position]
            position += 1
            if isinstance(item, str) and item in _LOGIC:
                if item == "!":
                    return ("!", node())
                return (item, [node(), node()])
            if isinstance(item, (list, tuple)) and len(item) == 3:
                return tuple(item)
            if item is True or item is False:
                return item
            raise self._invalid_item(item)

        terms = []
        while position < len(items):
            terms.append(node())
        if not terms:
            return True
        return terms[0] if len(terms) == 1 else ("&", terms)

    @staticmethod
    def mentions_active(tree: Any) -> bool:
        if isinstance(tree, tuple) and len(tree) == 3 and isinstance(tree[0], str) and tree[0] not in _LOGIC:
            return tree[0].split(".", 1)[0] == "active"
        if isinstance(tree, tuple) and tree and tree[0] in ("&", "|"):
            return any(DomainCompiler.mentions_active(t) for t in tree[1])
        if isinstance(tree, tuple) and tree and tree[0] == "!":
            return DomainCompiler.mentions_active(tree[1])
        return False

    # --- compiling -----------------------------------------------------------------------------

    def alias(self) -> str:
        return f"t{next(self._aliases)}"

    def where(self, model: ModelSpec, domain: Any, alias: str, active_test: bool | None = None) -> SQL:
        """The SQL condition (on ``alias``) selecting the records of ``model`` matching ``domain``."""
        tree = self.parse(domain)
        sql, params = self._node(model, tree, alias)
        use_active = self.active_test if active_test is None else active_test
        if use_active and model.has_active and not self.mentions_active(tree):
            sql = f"({sql}) AND {alias}.active = 1"
        if any(isinstance(param, str) and "\x00" in param for param in params):
            raise nul_character_error(self.version)  # PostgreSQL refuses the query, as it refuses such values
        return sql, list(params)  # a fresh list: callers append LIMIT/OFFSET values to it

    def ids_query(self, model: ModelSpec, domain: Any, active_test: bool | None = None) -> SQL:
        """``SELECT id FROM <model> WHERE <domain>`` as SQL with parameters."""
        alias = self.alias()
        sql, params = self.where(model, domain, alias, active_test)
        return f"SELECT {alias}.id FROM \"{model.table}\" {alias} WHERE {sql}", params

    def _node(self, model: ModelSpec, tree: Any, alias: str) -> SQL:
        if tree is True:
            return TRUE_SQL
        if tree is False:
            return FALSE_SQL
        head = tree[0]
        if head == "!" and len(tree) == 2:
            if self.version < 19:
                return self._negated_17(model, tree[1], alias)
            sql, params = self._node(model, tree[1], alias)
            # Odoo 19: a record-level complement (unset values match '!' of a condition)
            return f"({sql}) IS NOT 1", params
        if head in ("&", "|") and len(tree) == 2 and isinstance(tree[1], list):
            parts = [self._node(model, t, alias) for t in tree[1]]
            joiner = " AND " if head == "&" else " OR "
            return joiner.join(f"({p[0]})" for p in parts), [x for p in parts for x in p[1]]
        return self._leaf(model, tree, alias)

    def _negated_17(self, model: ModelSpec, tree: Any, alias: str) -> SQL:
        """``!`` as Odoo 17 reads it: pushed down to the leaves, which take the opposite operator."""
        if tree is True or tree is False:
            return FALSE_SQL if tree else TRUE_SQL
        head = tree[0]
        if head == "!" and len(tree) == 2:
            return self._node(model, tree[1], alias)
        if head in ("&", "|") and len(tree) == 2 and isinstance(tree[1], list):
            return self._node(model, ("|" if head == "&" else "&", [("!", t) for t in tree[1]]), alias)
        path, operator, value = tree
        if tree in ((1, "=", 1), (0, "=", 1)):
            return FALSE_SQL if path == 1 else TRUE_SQL
        sql, params = self._leaf(model, tree, alias)  # Odoo 17 checks the fields before negating
        if isinstance(path, str) and "." in path:
            # Odoo 17 turns a path into "any" before negating: '!' makes it "not any", a complement
            return f"({sql}) IS NOT 1", params
        opposite = _OPPOSITE_17.get(operator) if isinstance(operator, str) else None  # Odoo 17 does not lower() here
        if opposite is not None:
            return self._leaf(model, (path, opposite, value), alias)
        return f"NOT ({sql})", params  # three-valued: rows where the condition is NULL stay out

    def _leaf(self, model: ModelSpec, leaf: tuple[Any, ...], alias: str) -> SQL:
        path, operator, value = leaf
        if leaf in ((1, "=", 1), (0, "=", 1)):  # Odoo's TRUE_LEAF / FALSE_LEAF
            return TRUE_SQL if path == 1 else FALSE_SQL
        if not isinstance(operator, str) or operator.lower() not in (
                OPERATORS_19 if self.version >= 19 else OPERATORS):
            raise self._leaf_error("operator", leaf, model)
        operator = "=" if operator == "==" else operator.lower()
        if operator in ("=", "!=") and isinstance(value, (list, tuple)):  # Odoo reads a list as in
            operator = "in" if operator == "=" else "not in"
        if not isinstance(path, str) or not path:
            raise self._leaf_error("field", leaf, model)
        name, _, rest = path.partition(".")
        field = model.fields.get(name)
        if field is None:
            raise self._leaf_error("field", leaf, model)
        if not field.store and self.version < 19:
            return TRUE_SQL  # Odoo 17 ignores a condition on a field it cannot search (and logs an error)
        if name == "display_name":  # 19 searches it by name
            field = model.fields.get(model.rec_name, field)
            name = model.rec_name
        elif not field.store:
            raise PyValueError(f"Cannot convert {model.name}.{name} to SQL because it is not stored")
        if rest:
            if field.type not in ("many2one", *X2MANY):
                raise self._leaf_error("field", leaf, model)
            return self._relational(model, field, alias, "any", [(rest, operator, value)])
        if operator in ("any", "not any"):
            if field.type not in ("many2one", *X2MANY):
                raise self._leaf_error("operator", leaf, model)
            return self._relational(model, field, alias, operator, value)
        if operator in ("child_of", "parent_of"):
            return self._hierarchy(model, field, alias, operator, value)
        if field.type in X2MANY or field.type == "many2one":
            return self._relational_value(model, field, alias, operator, value)
        column = f"{alias}.\"{name}\""
        lang = self.language() if field.translate else None
        if lang is not None:
            column = languages.column_sql(model.table, name, column, lang)
        return self._column(field, column, operator, value)

    # --- relational fields ---------------------------------------------------------------------

    def _owners(self, model: ModelSpec, field: Field, related: SQL) -> SQL:
        """SQL selecting ids of ``model`` whose x2many ``field`` holds one of the ``related`` ids."""
        comodel = self.models[field.relation]  # type: ignore[index]
        if field.type == "one2many":
            inverse = f"\"{field.relation_field}\""
            sql = f"SELECT {inverse} FROM \"{comodel.table}\" WHERE id IN ({related[0]}) AND {inverse} IS NOT NULL"
            return sql, related[1]
        sql = (f"SELECT \"{field.column1}\" FROM \"{field.relation_table}\" "
               f"WHERE \"{field.column2}\" IN ({related[0]})")
        return sql, related[1]

    def _relational(self, model: ModelSpec, field: Field, alias: str, operator: str, subdomain: Any) -> SQL:
        comodel = self.models[field.relation]  # type: ignore[index]
        negate = operator == "not any"
        if field.type == "many2one":
            sub_sql, sub_params = self.ids_query(comodel, subdomain, active_test=False)
            column = f"{alias}.\"{field.name}\""
            if negate:
                return f"({column} IS NULL OR {column} NOT IN ({sub_sql}))", sub_params
            return f"{column} IN ({sub_sql})", sub_params
        owners_sql, owners_params = self._owners(model, field, self.ids_query(comodel, subdomain))
        return f"{alias}.id {'NOT IN' if negate else 'IN'} ({owners_sql})", owners_params

    def _relational_value(self, model: ModelSpec, field: Field, alias: str, operator: str, value: Any) -> SQL:
        """A many2one or x2many compared with ids, names or False."""
        comodel = self.models[field.relation]  # type: ignore[index]
        values = value if isinstance(value, (list, tuple)) else [value]
        by_name = any(isinstance(v, str) for v in values)
        positive = _NEGATION.get(operator, operator)
        negate = operator in NEGATIVE
        if by_name:
            if positive in ("=", "in"):
                subdomain = comodel.name_domain("in", [v for v in values if isinstance(v, str)])
            else:
                subdomain = comodel.name_domain(positive, value)
            return self._relational(model, field, alias, "not any" if negate else "any", subdomain)
        if field.type == "many2one":
            return self._column(field, f"{alias}.\"{field.name}\"", operator, value)
        # x2many with ids or False: "some related record is (one of) these"
        ids = [v for v in values if v not in (False, None)]
        wants_empty = any(v in (False, None) for v in values) or values == []
        if positive not in ("=", "in") and not (positive in ("like", "ilike", "=like", "=ilike")):
            raise self._leaf_error("operator", (field.name, operator, value), model)
        parts: list[SQL] = []
        if ids:
            placeholders = ",".join("?" * len(ids))
            owners = self._owners(model, field, (f"SELECT id FROM \"{comodel.table}\" WHERE id IN ({placeholders})",
                                                 list(ids)))
            parts.append((f"{alias}.id IN ({owners[0]})", owners[1]))
        if wants_empty and (operator in ("=", "!=", "<>") or values != []):
            owners = self._owners(model, field, self.ids_query(comodel, []))
            parts.append((f"{alias}.id NOT IN ({owners[0]})", owners[1]))
        if not parts:
            sql, params = FALSE_SQL
        else:
            sql = " OR ".join(f"({p[0]})" for p in parts)
            params = [x for p in parts for x in p[1]]
        return (f"NOT ({sql})", params) if negate else (sql, params)

    def _hierarchy(self, model: ModelSpec, field: Field, alias: str, operator: str, value: Any) -> SQL:
        # a many2one to the model itself (parent_id): Odoo walks the tree through that field and
        # matches the records in it, the given ones included
        on_itself = field.type == "many2one" and field.relation == model.name
        target = model if field.name == "id" or on_itself else self.models[field.relation or model.name]
        parent_name = field.name if on_itself else target.parent_name
        values = value if isinstance(value, (list, tuple)) else [value]
        ids = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        names = [v for v in values if isinstance(v, str)]
        start_params: list[Any] = list(ids)
        start = f"id IN ({','.join('?' * len(ids))})" if ids else "0=1"
        if names:
            start = f"({start}) OR \"{target.rec_name}\" IN ({','.join('?' * len(names))})"
            start_params += names
        table = f"\"{target.table}\""
        if parent_name is None:
            tree_sql = f"SELECT id FROM {table} WHERE {start}"
        elif operator == "child_of":
            parent = f"\"{parent_name}\""
            tree_sql = (f"WITH RECURSIVE tree(id) AS (SELECT id FROM {table} WHERE {start} UNION "
                        f"SELECT c.id FROM {table} c JOIN tree ON c.{parent} = tree.id) SELECT id FROM tree")
        else:
            parent = f"\"{parent_name}\""
            tree_sql = (f"WITH RECURSIVE tree(id, up) AS (SELECT id, {parent} FROM {table} WHERE {start} UNION "
                        f"SELECT p.id, p.{parent} FROM {table} p JOIN tree ON p.id = tree.up) SELECT id FROM tree")
        if field.type in X2MANY:
            owners = self._owners(model, field, (tree_sql, start_params))
            return f"{alias}.id IN ({owners[0]})", owners[1]
        return f"{alias}.\"{'id' if on_itself else field.name}\" IN ({tree_sql})", start_params

    # --- plain columns -------------------------------------------------------------------------

    def _column(self, field: Field, column: str, operator: str, value: Any) -> SQL:
        if operator == "=?":
            if value in (False, None) or (self.version >= 19 and not value):
                return TRUE_SQL
            operator = "="
        if operator == "<>":
            operator = "!="
        if field.type == "boolean":
            if self.version < 19 and value is None and operator in ("=", "!="):  # 17: None is NULL, not False
                return (f"{column} IS NULL", []) if operator == "=" else (f"{column} IS NOT NULL", [])
            return self._boolean(column, operator, value)
        if operator.endswith("like") and value in (False, None, ""):
            empty = self._like_nothing(field, column, operator)
            if empty is not None:
                return empty
            value = ""
        falsy = _FALSY_19.get(field.type) if self.version >= 19 else None
        if falsy is not None:
            if operator in ("=", "!="):
                operator, value = ("in" if operator == "=" else "not in"), [value]
            if operator in ("<", "<=", ">", ">="):
                value = value or falsy  # 19: no value compares as the falsy one, and NULL as it does
                sql = f"{column} {operator} ?"
                if _holds(falsy, operator, value):
                    sql = f"({sql} OR {column} IS NULL)"
                return sql, [self._coerce(field, operator, value)]
            if operator in ("in", "not in"):
                values = list(value) if isinstance(value, (list, tuple, set)) else [value]
                if any(v is False or v is None or v == falsy for v in values):  # then both NULL and falsy
                    values = [v for v in values if v is not False and v is not None and v != falsy] + [falsy, False]
                return self._in(field, column, operator, values)
        if operator in ("in", "not in"):
            return self._in(field, column, operator, value)
        if operator in ("=", "!="):
            if value is False or value is None:
                return (f"{column} IS NULL", []) if operator == "=" else (f"{column} IS NOT NULL", [])
            value = self._coerce(field, operator, value)
            if operator == "=":
                return f"{column} = ?", [value]
            return f"({column} != ? OR {column} IS NULL)", [value]
        if operator in ("<", "<=", ">", ">="):
            if value is False or value is None:  # 17 converts it as a column value: 0 for a number
                if field.type not in ("integer", "float", "monetary"):
                    return FALSE_SQL
                value = 0
            return f"{column} {operator} ?", [self._coerce(field, operator, value)]
        # like family
        text = column if field.type in ("char", "text", "html", "selection") else f"CAST({column} AS TEXT)"
        if value is False or value is None:
            value = ""
        pattern = str(value)
        if operator in ("like", "ilike", "not like", "not ilike"):
            pattern = f"%{pattern}%"  # Odoo: % and _ in the value stay wildcards
        insensitive = "ilike" in operator
        lhs, rhs = (f"lower({text})", "lower(?)") if insensitive else (text, "?")
        match = f"{lhs} LIKE {rhs} ESCAPE '\\'"
        if operator.startswith("not "):
            return f"(NOT ({match}) OR {column} IS NULL)", [pattern]
        return match, [pattern]

    def _like_nothing(self, field: Field, column: str, operator: str) -> SQL | None:
        """A like family operator with no pattern ('' or False): like and ilike match every record
        (NULL included); on 19 their negations match none and =like is "no value", as Odoo 19
        rewrites them. None: compare with the empty pattern."""
        if operator in ("like", "ilike"):
            return TRUE_SQL
        if self.version < 19:
            return None
        if "=" not in operator:
            return FALSE_SQL
        negative = operator.startswith("not ")  # not =like '': has a value; =like '': has none
        return self._column(field, column, "!=" if negative else "=", False)

    @staticmethod
    def _boolean(column: str, operator: str, value: Any) -> SQL:
        if operator in ("in", "not in"):
            values = value if isinstance(value, (list, tuple)) else [value]
            truthy = {bool(v) for v in values}
            if truthy == {True, False}:
                return TRUE_SQL if operator == "in" else FALSE_SQL
            if not truthy:
                return FALSE_SQL if operator == "in" else TRUE_SQL
            value, operator = truthy.pop(), ("=" if operator == "in" else "!=")
        if operator not in ("=", "!="):
            return f"{column} {operator} ?", [1 if value else 0]
        want = bool(value) if operator == "=" else not bool(value)
        return (f"{column} = 1", []) if want else (f"({column} IS NULL OR {column} = 0)", [])

    def _in(self, field: Field, column: str, operator: str, value: Any) -> SQL:
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        has_null = any(v is False or v is None for v in values)
        concrete = [self._coerce(field, "=", v) for v in values if v is not False and v is not None]
        parts: list[str] = []
        if concrete:
            parts.append(f"{column} IN ({','.join('?' * len(concrete))})")
        if has_null:
            parts.append(f"{column} IS NULL")
        if operator == "in":
            return (" OR ".join(parts) or "0=1"), concrete
        if not parts:
            return TRUE_SQL
        if has_null:
            return f"NOT ({' OR '.join(parts)})", concrete
        return f"({column} NOT IN ({','.join('?' * len(concrete))}) OR {column} IS NULL)", concrete

    @staticmethod
    def _coerce(field: Field, operator: str, value: Any) -> Any:
        """Date-only strings on datetimes become day bounds, datetimes on dates become days."""
        if field.type == "datetime" and isinstance(value, str) and len(value) == 10:
            return value + (" 23:59:59" if operator in (">", "<=") else " 00:00:00")
        if field.type == "date" and isinstance(value, str) and len(value) > 10:
            return value[:10]
        if field.type == "many2one" and isinstance(value, bool):
            return int(value)
        return value


def _holds(left: Any, operator: str, right: Any) -> bool:
    """Whether ``left <operator> right`` (False when the two do not compare)."""
    try:
        return bool({"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[operator])
    except TypeError:
        return False
