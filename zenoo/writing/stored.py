"""What a write stores, told from what the server shows: the rollback's test of whether a value
on the server is the write's own (:mod:`zenoo.writing.undo`) and the write-back's test of a cell
that has not moved. A ``load``'s import cells are read back as Odoo converts them where that is
certain, else as :data:`CANNOT_TELL`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CANNOT_TELL", "as_sent", "loaded", "restorable", "same_as_read"]


def same_as_read(left: Any, right: Any) -> bool:
    """Whether two values read (``load=None``) are the same (x2many ids in any order)."""
    if isinstance(left, list) and isinstance(right, list):
        return sorted(left) == sorted(right)  # x2many ids, in whatever order the server reads them
    return bool(left == right)


class _CannotTell:
    """Stands for a value sent in a form whose stored result zenoo cannot predict."""


CANNOT_TELL = _CannotTell()
_TRUE_WORDS, _FALSE_WORDS = frozenset({"1", "true", "yes"}), frozenset({"0", "false", "no"})


def loaded(meta: Mapping[str, Any], column: str, cell: Any, in_utc: bool) -> Any:
    """The value ``load`` stores for one import ``cell``, as ``write`` would take it, or CANNOT_TELL."""
    kind = meta.get("type")
    if not cell:
        return [(6, 0, [])] if kind == "many2many" else False  # an empty cell clears the field
    if not isinstance(cell, str):
        return CANNOT_TELL
    if column.endswith("/.id"):  # database ids
        ids = cell.split(",")
        if not all(part.isdigit() for part in ids):
            return CANNOT_TELL
        if kind == "many2one" and len(ids) == 1:
            return int(cell)
        return [(6, 0, [int(part) for part in ids])] if kind == "many2many" else CANNOT_TELL
    if kind == "boolean":
        word = cell.lower()
        return True if word in _TRUE_WORDS else (False if word in _FALSE_WORDS else CANNOT_TELL)
    if kind in ("integer", "float", "monetary"):
        try:
            return int(cell) if kind == "integer" else float(cell)
        except ValueError:
            return CANNOT_TELL
    keys = [str(key) for key, _label in meta.get("selection") or []]
    if kind in ("char", "text") or (kind == "selection" and cell in keys):
        return cell
    if (kind == "date" and len(cell) == 10) or (kind == "datetime" and in_utc and len(cell) == 19):
        return cell
    return CANNOT_TELL  # a name to look up, a selection label, a local datetime…


def as_sent(meta: Mapping[str, Any], now: Any, sent: Any) -> bool | None:
    """Whether ``now`` (as read) is what writing ``sent`` stores; None when zenoo cannot tell."""
    kind = meta.get("type")
    if sent is CANNOT_TELL:
        return None
    if kind == "many2many":
        if isinstance(sent, list | tuple) and len(sent) == 1 and isinstance(sent[0], list | tuple) and sent[0][0] == 6:
            return sorted(now) == sorted(sent[0][2])
        return None
    if kind in ("one2many", "binary", "html", "properties", "json"):
        return None
    if sent is None:
        sent = False
    if kind == "float" or kind == "monetary":
        return isinstance(now, int | float) and isinstance(sent, int | float) and abs(now - sent) < 1e-9
    return bool(now == sent)


def restorable(meta: Mapping[str, Any], value: Any) -> Any:
    """A value as read (``load=None``) in the form ``write`` takes."""
    if meta.get("type") == "many2many" and isinstance(value, list):
        return [(6, 0, value)]
    return value
