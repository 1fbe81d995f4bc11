"""Odoo ``order`` strings (``"name desc, id"``) compiled to SQLite ``ORDER BY`` clauses, as Odoo 17 and 19 do.

A term is ``field [asc|desc] [nulls first|last]``. A many2one sorts by its comodel's own order
(reversed for ``desc``), as Odoo does by joining the comodel. Paths (``country_id.name``) are refused,
in each version's words; only Odoo 19 accepts ``<many2one>.id``, the raw id. Fields without a column
(x2many, ``display_name``) are skipped by Odoo 17 and refused by Odoo 19.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from zenoo.testing.orm.exceptions import OdooException, PyIndexError, PyValueError, UserError, frame
from zenoo.testing.orm.fields import TEXTUAL, Field, ModelSpec

_TERM = r"""
    \s*(?P<field>[a-z0-9_]+{quoted})(\.(?P<property>[a-z0-9_]+))?(:(?P<func>[a-z_]+))?
    (\s+(?P<direction>desc|asc))?
    (\s+(?P<nulls>nulls\ first|nulls\ last))?
    \s*
"""
# Odoo's regex_order, one comma-separated term at a time (17 also accepts a quoted field name)
TERM_PATTERNS = {
    17: re.compile(_TERM.format(quoted='|"[a-z0-9_]+"'), re.IGNORECASE | re.VERBOSE),
    19: re.compile(_TERM.format(quoted=""), re.IGNORECASE | re.VERBOSE),
}


@dataclass(frozen=True)
class Term:
    """One sort term: a field, ``ASC``/``DESC``, ``NULLS FIRST``/``NULLS LAST`` or "" (the default)."""

    field: Field
    direction: str
    nulls: str
    raw: bool = False  # <many2one>.id (Odoo 19): the id itself rather than the comodel's order

    def reversed(self) -> Term:
        flipped = {"": "", "NULLS FIRST": "NULLS LAST", "NULLS LAST": "NULLS FIRST"}
        return replace(self, direction="DESC" if self.direction == "ASC" else "ASC", nulls=flipped[self.nulls])


def invalid_order(version: int, order: str) -> UserError:
    message = (f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list of '
               "valid field names (optionally followed by asc/desc for the direction)")
    where = frame("odoo/models.py" if version < 19 else "odoo/orm/models.py", 5152 if version < 19 else 5215,
                  "_check_qorder", "raise UserError(_(")
    return UserError(message, debug=where + f"odoo.exceptions.UserError: {message}")


def invalid_field(model: str, name: str) -> PyValueError:
    return PyValueError(f"Invalid field {name!r} on model {model!r}")


def _blank_term() -> PyIndexError:
    """Odoo 17 splits each term of the order before checking it: an empty term is an IndexError."""
    message = "list index out of range"
    where = "    order_field = order_part.split()[0]\n                  ~~~~~~~~~~~~~~~~~~^^^\n"
    return PyIndexError(message, debug=where + f"IndexError: {message}")


def _path_error(version: int, spec: ModelSpec, field: Field, prop: str) -> OdooException:
    """Ordering by ``field.prop``: Odoo 17 only orders by properties of a properties field, Odoo 19
    sees a field property it does not know (or a field without a column)."""
    if version < 19:
        message = f"Order a property ({prop!r}) on a non-properties field ({field.name!r})"
        where = frame("odoo/models.py", 5231, "_order_field_to_sql",
                      "raise ValueError(f'Order a property ({property_name!r}) on a non-properties field "
                      "({field_name!r})')")
    elif not field.column:
        return _not_stored(spec, field)
    else:
        message = f"Invalid field property {prop!r} on {spec.name}.{field.name}"
        where = frame("odoo/orm/fields.py", 1249, "property_to_sql",
                      'raise ValueError(f"Invalid field property {property_name!r} on {self}")')
    return PyValueError(message, debug=where + f"ValueError: {message}")


def _not_stored(spec: ModelSpec, field: Field) -> PyValueError:
    message = f"Cannot convert {spec.name}.{field.name} to SQL because it is not stored"
    where = frame("odoo/orm/fields.py", 1218, "to_sql",
                  'raise ValueError(f"Cannot convert {self} to SQL because it is not stored")')
    return PyValueError(message, debug=where + f"ValueError: {message}")


def parse_order(version: int, spec: ModelSpec, order: str) -> list[Term]:
    """The sort terms of an order string, validated against ``spec`` as Odoo ``version`` does."""
    parts = order.split(",")
    if version < 19 and any(not part.split() for part in parts):
        raise _blank_term()
    pattern = TERM_PATTERNS[17 if version < 19 else 19]
    matches = [pattern.fullmatch(part) for part in parts]
    if not all(matches):
        raise invalid_order(version, order)
    terms = []
    for match in matches:
        assert match is not None
        field = spec.fields.get(match["field"])
        if field is None:
            raise invalid_field(spec.name, match["field"])
        raw = False
        if match["property"]:
            if version < 19 or not field.column or field.type != "many2one" or match["property"] != "id":
                raise _path_error(version, spec, field, match["property"])
            raw = True
        elif not field.column:
            if version < 19:
                continue  # Odoo 17 leaves out what it cannot sort on (and logs a warning)
            raise _not_stored(spec, field)
        nulls = (match["nulls"] or "").upper()
        terms.append(Term(field, (match["direction"] or "asc").upper(), nulls, raw))
    return terms


def _sort_keys(models: Mapping[str, ModelSpec], spec: ModelSpec, term: Term, alias: str, version: int,
               seen: frozenset[tuple[str, str]]) -> list[tuple[str, bool, Term | None]]:
    """``(SQL expression, textual, term)`` per sort key of ``term`` (``term`` None: a plain ascending key).

    A many2one sorts by its comodel's order, through correlated subqueries on the comodel; a
    many2one met again on the way is left out, as Odoo does.
    """
    field = term.field
    column = f'{alias}."{field.name}"'
    if field.type != "many2one" or term.raw:
        expression = f"COALESCE({column}, 0)" if field.type == "boolean" else column
        return [(expression, field.type in TEXTUAL, term)]
    if (spec.name, field.name) in seen:
        return []
    keys: list[tuple[str, bool, Term | None]] = []
    if term.nulls:
        keys.append((f"{column} IS {'NOT ' if term.nulls == 'NULLS FIRST' else ''}NULL", False, None))
    comodel = models[field.relation]  # type: ignore[index]
    inner = f"{alias}_{field.name}"
    for coterm in parse_order(version, comodel, comodel.order):
        coterm = coterm.reversed() if term.direction == "DESC" else coterm
        for expression, textual, key_term in _sort_keys(models, comodel, coterm, inner, version,
                                                        seen | {(spec.name, field.name)}):
            subquery = f'(SELECT {expression} FROM "{comodel.table}" {inner} WHERE {inner}.id = {column})'
            keys.append((subquery, textual, key_term))
    return keys


def order_by(models: Mapping[str, ModelSpec], spec: ModelSpec, order: str | None, alias: str, version: int) -> str:
    """An ``ORDER BY`` body for ``order`` (the model's own order when empty); ``id`` breaks ties.

    Text compares by its UTF-8 bytes, as in the databases Odoo creates (``LC_COLLATE 'C'``: uppercase
    before lowercase); NULLs come last ascending and first descending, as in PostgreSQL.
    """
    terms = parse_order(version, spec, order or spec.order)
    parts = []
    for term in terms:
        for expression, textual, key_term in _sort_keys(models, spec, term, alias, version, frozenset()):
            direction = key_term.direction if key_term else "ASC"
            nulls = (key_term.nulls if key_term else "") or ("NULLS LAST" if direction == "ASC" else "NULLS FIRST")
            parts.append(f"{expression} {direction} {nulls}")
    if all(term.field.name != "id" for term in terms):
        parts.append(f"{alias}.id ASC")
    return ", ".join(parts)
