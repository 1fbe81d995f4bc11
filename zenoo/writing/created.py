"""What a creating call made, as a transaction records it for a rollback to delete: the ids its
answer names, when they are the records it should have made, and the records its x2many
``(0, 0, {...})`` commands created.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zenoo.exceptions import ProtocolError
from zenoo.fields.lookups import X2MANY_TYPES
from zenoo.fields.metadata import model_fields
from zenoo.writing.recording import WriteCall, read_current

__all__ = ["answered_ids", "created_by_commands", "created_ids"]


def created_ids(method: str, answer: Any, expected: int | None, *, one: bool = False) -> list[int] | None:
    """The ids a creating call answered (``expected`` of them for a ``create``; a bare id only when
    it was sent ``one`` dict), or None when the answer is not that: a proxy or an override answered
    something else, and the records it names may be others'."""
    if method == "name_create":
        answer = answer[0] if isinstance(answer, list | tuple) and answer else None
    elif method == "create" and isinstance(answer, int) and not one:
        return None  # a list of values is answered by a list of ids
    ids = [answer] if isinstance(answer, int) else answer
    if not isinstance(ids, list | tuple) or not all(type(i) is int and i > 0 for i in ids):
        return None
    return list(ids) if expected is None or len(ids) == expected else None


def answered_ids(model: str, answer: Any, count: int) -> list[int]:
    """The ids a ``create`` of a list of ``count`` records answered, or ProtocolError: it ran, but
    which records it made is not known."""
    ids = created_ids("create", answer, count)
    if ids is None:
        raise ProtocolError(f"create on {model} answered {answer!r:.100} for {count} record(s): it ran on the "
                            "server, but which records it made is not known; look for them by their values")  # fmt: skip
    return ids


async def created_by_commands(
    call: WriteCall, model: str, ids: list[int], rows: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[str, list[int]]], str]:
    """Records created by ``(0, 0, {...})`` commands in ``rows`` (recursively), and why part of
    the create cannot be undone (link commands on a one2many change other records)."""
    fields = await model_fields(call.client, model)
    created: dict[str, list[Mapping[str, Any]]] = {}
    linked: dict[str, set[int]] = {}
    reasons = []
    for row in rows:
        for name, value in row.items():
            meta = fields.fields.get(name) or {}
            if meta.get("type") not in X2MANY_TYPES or not isinstance(value, list | tuple):
                continue
            for command in value:
                if isinstance(command, list | tuple) and command and command[0] == 0 and len(command) == 3:
                    created.setdefault(name, []).append(command[2])
                    continue
                if meta["type"] == "one2many":
                    reasons.append(f"{model}.{name} commands other than create change existing records")
                elif isinstance(command, int):
                    linked.setdefault(name, set()).add(command)
                elif isinstance(command, list | tuple) and command and command[0] == 6:
                    linked.setdefault(name, set()).update(command[2] or [])
                elif isinstance(command, list | tuple) and len(command) > 1 and command[0] in (1, 4):
                    linked.setdefault(name, set()).add(command[1])
    found: list[tuple[str, list[int]]] = []
    if created and ids:
        current = await read_current(call, model, ids, list(created))
        for name, child_rows in created.items():
            relation = str(fields.fields[name]["relation"])
            child_ids = sorted({i for row in current for i in row[name]} - linked.get(name, set()))
            found.append((relation, child_ids))
            deeper, why = await created_by_commands(call, relation, child_ids, child_rows)
            found += deeper
            reasons += [why] if why else []
    return found, "; ".join(dict.fromkeys(reasons))
