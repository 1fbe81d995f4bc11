"""Odoo ``order`` strings (``"name desc, id"``) compiled to SQLite ``ORDER BY`` clauses."""

from __future__ import annotations

from collections.abc import Mapping

from zenoo.testing.orm.exceptions import PyValueError
from zenoo.testing.orm.fields import TEXTUAL, X2MANY, ModelSpec


def invalid_order(order: str) -> PyValueError:
    return PyValueError(
        f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list of '
        "valid field names (optionally followed by asc/desc for the direction)"
    )


def invalid_field(model: str, name: str) -> PyValueError:
    return PyValueError(f"Invalid field {name!r} on model {model!r}")


def parse_order(spec: ModelSpec, order: str) -> list[tuple[str, str, str]]:
    """``[(field, "ASC"|"DESC", nulls SQL), ...]`` for an order string, validated against ``spec``.

    Each term is ``field [asc|desc] [nulls first|last]``; without a nulls clause, NULLs sort as
    PostgreSQL sorts them (last ascending, first descending).
    """
    terms: list[tuple[str, str, str]] = []
    for item in order.split(","):
        words = item.lower().split()
        if not words:
            continue
        name, rest = item.split()[0], words[1:]
        direction = "ASC"
        if rest and rest[0] in ("asc", "desc"):
            direction, rest = rest[0].upper(), rest[1:]
        if rest not in ([], ["nulls", "first"], ["nulls", "last"]):
            raise invalid_order(order)
        nulls = f"NULLS {rest[1].upper()}" if rest else ("NULLS LAST" if direction == "ASC" else "NULLS FIRST")
        field = spec.fields.get(name)
        if field is None or field.type in X2MANY or (not field.store and name != "display_name"):
            raise invalid_field(spec.name, name)
        terms.append((name, direction, nulls))
    return terms


def term_sql(models: Mapping[str, ModelSpec], spec: ModelSpec, name: str, alias: str) -> str:
    """The SQL expression a field sorts by: its column, or the related record's name for a many2one.

    Text compares case-insensitively, as PostgreSQL's usual locale collations (en_US.UTF-8) roughly do.
    """
    if name == "display_name":
        name = spec.rec_name
    field = spec.fields[name]
    if field.type == "many2one":
        comodel = models[field.relation]  # type: ignore[index]
        return (f"(SELECT c.\"{comodel.rec_name}\" FROM \"{comodel.table}\" c "
                f"WHERE c.id = {alias}.\"{name}\") COLLATE NOCASE")
    if field.type in TEXTUAL:
        return f"{alias}.\"{name}\" COLLATE NOCASE"  # closer to PostgreSQL's locale collations than bytes
    return f"{alias}.\"{name}\""


def order_by(models: Mapping[str, ModelSpec], spec: ModelSpec, order: str | None, alias: str) -> str:
    """An ``ORDER BY`` body; ``id`` breaks ties."""
    terms = parse_order(spec, order or spec.order)
    if not terms:
        terms = parse_order(spec, spec.order)
    parts = [f"{term_sql(models, spec, name, alias)} {direction} {nulls}" for name, direction, nulls in terms]
    if all(term[0] != "id" for term in terms):
        parts.append(f"{alias}.id ASC")
    return ", ".join(parts)
