"""Odoo ``order`` strings: terms checked as Odoo 17 and 19 take them, and ``id`` as the last key."""

from __future__ import annotations

import re

from zenoo.exceptions import FieldError, InvalidValueError

#: one term of an Odoo order: a field, a direction, where empty values go
_ORDER_TERM = re.compile(r"[\w.]+(\s+(asc|desc))?(\s+nulls\s+(first|last))?", re.IGNORECASE)
#: where a path through a relation continues: "country_id.name", "country_id__name"
_PATH_STEP = re.compile(r"(?<=\w)(?:\.|__)")


def order_term(term: str) -> str:
    """``"-name"`` → ``"name desc"``; ``"name asc"``/``"name desc nulls last"`` are kept.

    Anything else is refused here, before Odoo would refuse it: among others a path through a
    relation, which Odoo 17 and 19 cannot order by (a many2one sorts by its model's own order)."""
    original, term = term, term.strip()
    if not term:
        raise InvalidValueError("empty term in order_by")
    if term[0] in "-+":  # "-name nulls last" -> "name desc nulls last"
        name, _, rest = term[1:].strip().partition(" ")
        term = f"{name} {'desc' if term[0] == '-' else 'asc'} {rest.strip()}".rstrip()
    if not _ORDER_TERM.fullmatch(term):
        raise InvalidValueError(
            f"invalid order_by term {original!r}: use 'field', '-field' or 'field asc|desc' "
            "(optionally followed by 'nulls first|last')"
        )
    field = term.split()[0]
    if _PATH_STEP.search(field):
        relation = _PATH_STEP.split(field, 1)[0]
        raise FieldError(
            f"order_by({original!r}): Odoo cannot order by a path through a relation; order by the "
            f"many2one itself (order_by({relation!r})), which sorts by its related model's own order"
        )
    return term


def ordering_fields(ordering: str) -> list[str]:
    return [part.split()[0] for part in ordering.split(",") if part.strip()]


def with_id_last(ordering: str | None) -> str | None:
    """``ordering`` with ``id`` as its last key, so that records tied on the others come in the same
    order in every request: a slice, a page or a frame holds the same records however it is read.
    None without an ordering (Odoo's default order, the model's own)."""
    terms = [term.strip() for term in (ordering or "").split(",") if term.strip()]
    if not terms:
        return None
    if "id" not in (term.split()[0] for term in terms):
        terms.append("id")
    return ", ".join(terms)
