"""The records a write-back's many2one and many2many cells name: looked for before anything is
written (one ``search`` per related model), and named when a ``create`` fails for one of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zenoo.exceptions import InvalidValueError, ZenooError
from zenoo.fields.metadata import ModelFields
from zenoo.seams import OdooClient
from zenoo.writing.load import replaced_ids
from zenoo.writing.results import CallResult
from zenoo_frames.writeback_frames import first_few, where

if TYPE_CHECKING:
    from zenoo_frames.writeback import Changes

__all__ = ["check_cited", "missing_in_create"]

#: field types whose values name records of another model
_CITING = ("many2one", "many2many")


async def missing_in_create(
    client: OdooClient, fields: ModelFields, call: CallResult, describe: Any
) -> list[str]:
    """The cells of a failed ``create`` request naming a related record that does not exist: Odoo's
    own error for them names neither the row nor the field (and speaks of a deleted record)."""
    cells = {name: {position: values[name] for position, values in enumerate(call.values) if name in values}
             for name in {name for values in call.values for name in values}}  # fmt: skip
    return await _missing(client, fields, cells, lambda position: describe(call.rows[position]))


async def check_cited(
    client: OdooClient,
    fields: ModelFields,
    changes: Changes,
    values: Mapping[str, Mapping[int, Any]],
    row_of: Mapping[int, int],
    creates: Sequence[Mapping[str, Any]],
    create_rows: Sequence[int],
) -> None:
    """InvalidValueError naming each cell that names a related record the user cannot find (one
    ``search`` per related model), before anything is written: Odoo would refuse its request only
    after the requests before it were written, and a large write-back then undoes them."""
    citing = {name for name in [*values, *(name for row in creates for name in row)] if fields.type_of(name) in _CITING}
    cells = {name: {row_of[record_id]: value for record_id, value in values[name].items()}
             for name in citing if name in values}  # fmt: skip
    for row, row_values in zip(create_rows, creates, strict=True):
        for name in citing & row_values.keys():
            cells.setdefault(name, {})[row] = row_values[name]
    missing = await _missing(client, fields, cells, lambda row: where(changes.edited, row))
    if missing:
        raise InvalidValueError(f"write-back to {fields.model} not sent: {first_few(missing)} (or this user "
                                "may not see it); nothing was written")  # fmt: skip


async def _missing(
    client: OdooClient, fields: ModelFields, cells: Mapping[str, Mapping[int, Any]], describe: Callable[[int], str]
) -> list[str]:
    """``<described>, column 'f': no <model> record has id N`` for the many2one and many2many values
    of ``cells`` (field -> place -> write value) that a ``search`` of their model does not find. A
    model this user may not search is left to Odoo."""
    lines = []
    for name, by_place in cells.items():
        kind = fields.type_of(name)
        if kind not in _CITING:
            continue
        cited: dict[int, list[int]] = {}  # related id -> the places citing it
        for place, value in by_place.items():
            if kind == "many2one":
                related = [value] if isinstance(value, int) and not isinstance(value, bool) and value else []
            else:
                related = replaced_ids(value) or []
            for related_id in related:
                cited.setdefault(related_id, []).append(place)
        if not cited:
            continue
        relation = str(fields.get(name)["relation"])
        try:
            found = await client.call(relation, "search", args=([("id", "in", list(cited))],),
                                      context={"active_test": False}, cache_ttl=0)  # fmt: skip
        except ZenooError:  # not readable by this user: Odoo's message has to do
            continue
        lines += [
            f"{describe(place)}, column {name!r}: no {relation} record has id {related_id}"
            for related_id in sorted(set(cited) - set(found))
            for place in cited[related_id]
        ]
    return lines
