"""Odoo ``order`` strings (``"name desc, id"``) compiled to SQLite ``ORDER BY`` clauses."""

from __future__ import annotations

from collections.abc import Mapping

from zenoo.testing.orm.exceptions import PyValueError
from zenoo.testing.orm.fields import X2MANY, ModelSpec


def invalid_order(order: str) -> PyValueError:
    return PyValueError(
        f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list of '
        "valid field names (optionally followed by asc/desc for the direction)"
    )


def invalid_field(model: str, name: str) -> PyValueError:
    return PyValueError(f"Invalid field {name!r} on model {model!r}")


def parse_order(spec: ModelSpec, order: str) -> list[tuple[str, str]]:
    """``[(field name, "ASC"|"DESC"), ...]`` for an order string, validated against ``spec``."""
    terms: list[tuple[str, str]] = []
    for item in order.split(","):
        words = item.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise invalid_order(order)
        name = words[0]
        field = spec.fields.get(name)
        if field is None or field.type in X2MANY or (not field.store and name != "display_name"):
            raise invalid_field(spec.name, name)
        terms.append((name, words[1].upper() if len(words) == 2 else "ASC"))
    return terms


def term_sql(models: Mapping[str, ModelSpec], spec: ModelSpec, name: str, alias: str) -> str:
    """The SQL expression a field sorts by: its column, or the related record's name for a many2one."""
    if name == "display_name":
        name = spec.rec_name
    field = spec.fields[name]
    if field.type == "many2one":
        comodel = models[field.relation]  # type: ignore[index]
        return (f"(SELECT c.\"{comodel.rec_name}\" FROM \"{comodel.table}\" c "
                f"WHERE c.id = {alias}.\"{name}\")")
    return f"{alias}.\"{name}\""


def order_by(models: Mapping[str, ModelSpec], spec: ModelSpec, order: str | None, alias: str) -> str:
    """An ``ORDER BY`` body; NULLs sort as PostgreSQL sorts them, ``id`` breaks ties."""
    terms = parse_order(spec, order or spec.order)
    if not terms:
        terms = parse_order(spec, spec.order)
    parts = []
    for name, direction in terms:
        nulls = "NULLS LAST" if direction == "ASC" else "NULLS FIRST"
        parts.append(f"{term_sql(models, spec, name, alias)} {direction} {nulls}")
    if all(name != "id" for name, _ in terms):
        parts.append(f"{alias}.id ASC")
    return ", ".join(parts)
