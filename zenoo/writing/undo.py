"""What a transaction records of each write (:class:`Operation`), and how a rollback undoes it.

Undoing goes backwards through the operations: created records are unlinked (those already gone
are left), written fields get their old values back only where the server still holds what the
write stored, and everything else is reported. :func:`undo` raises :class:`RollbackError` when
something was not fully undone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from zenoo.exceptions import AccessError, CircuitOpenError, RollbackError, ZenooError
from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.seams import OdooClient
from zenoo.writing.bulk import write_requests
from zenoo.writing.load import archived_ids
from zenoo.writing.progress import Progress, ProgressOption
from zenoo.writing.recording import recording
from zenoo.writing.results import CallState, outcome_of
from zenoo.writing.running import Options, execute
from zenoo.writing.stored import as_sent, loaded, restorable, same_as_read
from zenoo.writing.translations import Translations
from zenoo.writing.translations import restore as restore_translations

logger = logging.getLogger("zenoo.writing")
T = TypeVar("T")

#: ``undone``: restored or deleted; ``nothing_to_undo``: the call applied nothing (it failed, or
#: an unknown write turned out not to have run), or it deleted records this transaction created;
#: ``conflict``: someone else changed a field (or deleted a record) meanwhile, left as it is;
#: ``undo_failed``: the undoing call raised; ``irreversible``: zenoo cannot undo it (an unlink, a
#: business method, link commands on a one2many); ``unknown``: the call, or the call that undid it,
#: may or may not have run and zenoo cannot tell.
UndoState = Literal["undone", "nothing_to_undo", "conflict", "undo_failed", "irreversible", "unknown"]


@dataclass(eq=False)
class Operation:
    """One write recorded by a transaction, and what became of it."""

    index: int
    method: str
    model: str
    ids: list[int]
    values: Any = field(repr=False)  # what was sent: it may hold a password
    outcome: CallState = "unknown"
    error: BaseException | None = None
    undo: UndoState | None = None
    detail: str = ""
    # what undoing needs
    client: OdooClient = field(repr=False, kw_only=True)
    context: Mapping[str, Any] | None = field(default=None, repr=False)
    kind: Literal["create", "write", "unlink", "other"] = "other"
    fields: list[str] = field(default_factory=list, repr=False)
    before: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    after: dict[int, dict[str, Any]] | None = field(default=None, repr=False)
    #: what the write stored is read by the rollback, not right after it (a final write)
    after_at_rollback: bool = field(default=False, repr=False)
    #: records created by x2many commands (model, ids), to unlink after the record itself
    children: list[tuple[str, list[int]]] = field(default_factory=list, repr=False)
    #: why part of it cannot be undone (link commands on a one2many …)
    irreversible: str = ""
    #: translated fields before the write, in every active language (:mod:`zenoo.writing.translations`)
    translations: Translations | None = field(default=None, repr=False)
    #: the caller was cancelled while the call was in flight (the transaction waited for its answer)
    interrupted: bool = field(default=False, repr=False)
    #: a rollback may undo it again: its undo failed (``undo_failed``), or its undoing write may not
    #: have run (``unknown``); undoing again checks the server first, so either way is safe
    retryable: bool = field(default=False, repr=False)
    #: an undoing write of it lost its answer: it may have run (a retry that finds nothing to
    #: restore then knows it had)
    undo_lost: bool = field(default=False, repr=False)
    #: its records a later unlink of this transaction deleted: gone, but by the transaction itself
    deleted_later: set[int] = field(default_factory=set, repr=False)

    @property
    def undone(self) -> bool:
        """True once a rollback left nothing of it behind."""
        return self.undo in ("undone", "nothing_to_undo")

    def describe(self) -> str:
        """One line: index, call, outcome and undo state, with the detail."""
        ids = ", ".join(map(str, self.ids[:10])) + (", …" if len(self.ids) > 10 else "")
        text = f"#{self.index} {self.model}.{self.method}({ids}) {self.outcome}"
        if self.undo is not None:
            text += f" → {self.undo}"
        return text + (f": {self.detail}" if self.detail else "")


async def undo(
    operations: Sequence[Operation], cause: BaseException | None, progress: ProgressOption = False
) -> None:
    """Undo ``operations`` in reverse order (those not undone yet), telling ``progress`` of their
    records; raise RollbackError if not all are.

    An undo that failed or may not have run (:attr:`Operation.retryable`) holds back the undo of
    earlier operations on the same records: a write would take what the later one stored for
    someone else's change. Those are ``undo_failed`` ("not tried"), and a retry of the rollback
    (:func:`retry`) takes them all again, in order."""
    # each with the records it changed (none for a failed call: Odoo applied nothing)
    pending = [(op, 0 if op.outcome == "failed" else len(op.ids)) for op in reversed(operations) if op.undo is None]
    shown = Progress(progress, sum(records for _, records in pending), "rolling back")
    held: dict[tuple[str, int], Operation] = {}  # record -> the later operation whose undo failed
    waits = _BreakerWaits()
    deleted: set[tuple[str, int]] = set()  # records deleted by the operations after the current one
    for op in reversed(operations):
        op.deleted_later = {i for i in op.ids if (op.model, i) in deleted}
        if op.kind == "unlink" and op.outcome == "done":
            deleted.update((op.model, i) for i in op.ids)
    try:
        with recording(None):  # the undoing calls are not recorded
            for op, records in pending:
                touched = _records(op)
                later = next((held[record] for record in touched if record in held), None)
                if later is not None:
                    op.undo, op.retryable = "undo_failed", True
                    op.detail = f"not tried: the undo of #{later.index}, a later operation on its records, is not done"
                else:
                    await _undo_one(op, waits)
                if op.retryable:
                    held.update(dict.fromkeys(touched, later or op))
                if records:
                    await shown.advance(records, None)
    finally:
        shown.close()
    left = [op for op in operations if not op.undone]
    if left:
        lines = "\n".join(f"  {op.describe()}" for op in left)
        again = sum(op.retryable for op in left)
        hint = (f"\n{again} of them can be tried again, once the server answers (or once what Odoo refused is "
                "fixed): tx.rollback() on a transaction you hold, else client.retry_rollback(error) (awaited in "
                "async code)"
                ) if again else ""  # fmt: skip
        raise RollbackError(
            f"the rollback could not undo {len(left)} of {len(operations)} operation(s):\n{lines}{hint}",
            operations=operations,
        ) from cause


def _records(op: Operation) -> list[tuple[str, int]]:
    """The records an operation wrote, created or deleted, with the children its commands created."""
    return [(op.model, i) for i in op.ids] + [(model, i) for model, ids in op.children for i in ids]


async def retry(operations: Sequence[Operation], cause: BaseException | None, progress: ProgressOption = False) -> bool:
    """Undo again the ``retryable`` ones of ``operations`` (see :func:`undo`); False when there are none."""
    again = [op for op in operations if op.retryable]
    for op in again:
        op.undo, op.detail, op.error, op.retryable = None, "", None, False
    if again:
        await undo(operations, cause=cause, progress=progress)
    return bool(again)


async def _undo_one(op: Operation, waits: _BreakerWaits) -> None:
    if op.outcome == "failed":
        op.undo, op.detail = "nothing_to_undo", "the call failed: Odoo applied nothing"
        return
    try:
        try:
            await _undo_past_open_breaker(op, waits)
        except AccessError:
            wider = await _every_company(op)
            if wider is None:
                raise
            op.context = wider  # the write may have moved its records out of the call's companies
            await _undo_past_open_breaker(op, waits)
    except _UndoMayHaveRun as lost:
        exc = lost.__cause__
        op.undo, op.error, op.retryable, op.undo_lost = "unknown", exc, True, True
        op.detail = f"the undoing call may have run: {_described(exc)}"
        if op.kind == "write" and op.before:
            op.detail += ("; the values the write replaced (an earlier write of this transaction may have set "
                          f"them), to check against the server: {_short(op.before)}")  # fmt: skip
        return
    except ZenooError as exc:  # a read before the undo, or an undoing call that did not run
        op.undo, op.detail, op.error, op.retryable = "undo_failed", _described(exc), exc, True
        return
    if op.irreversible and op.undo in ("undone", "nothing_to_undo"):
        op.undo, op.detail = "irreversible", f"{op.detail}; but {op.irreversible}".lstrip("; ")


def _described(exc: BaseException | None) -> str:
    """The error, with its notes (which call it was: ``while calling res.partner.read``)."""
    notes = "; ".join(getattr(exc, "__notes__", ()))
    return f"{type(exc).__name__}: {exc}" + (f" ({notes})" if notes else "")


class _UndoMayHaveRun(Exception):
    """An undoing write was sent and its answer lost or garbled: it may have run (the error is the
    cause). A read before it that fails leaves the undo undone, and a rollback may try it again."""


async def _undoing(call: Awaitable[T]) -> T:
    """Await an undoing write, telling a failure after which it may have run from one it did not."""
    try:
        return await call
    except ZenooError as exc:
        if outcome_of(exc) == "unknown":
            raise _UndoMayHaveRun from exc
        raise


#: how many times an undo waits for an open circuit breaker to let a call through again
BREAKER_WAITS = 3


class _BreakerWaits:
    """How many more times one rollback waits for an open circuit breaker (:data:`BREAKER_WAITS`, for
    all its operations: an outage that outlasts them fails the rest at once, to be retried later)."""

    def __init__(self) -> None:
        self.left = BREAKER_WAITS


async def _undo_past_open_breaker(op: Operation, waits: _BreakerWaits) -> None:
    """Undo ``op``; when the circuit breaker is open (the outage that failed the transaction may
    have opened it), wait until it lets a probe through and try again, while ``waits`` allows: a
    call it refused was not sent, so sending the undo again is safe."""
    while True:
        try:
            await _undo_by_kind(op)
            return
        except CircuitOpenError as exc:
            if not waits.left:
                raise
            waits.left -= 1
            logger.warning("rollback of %s waits for the circuit breaker to half-open", op.describe())
            await asyncio.sleep(max(0.0, (exc.retry_at or 0.0) - time.time()))


async def _undo_by_kind(op: Operation) -> None:
    if op.kind == "create":
        await _undo_create(op)
    elif op.kind == "write":
        await _undo_write(op)
    elif op.kind == "unlink" and not op.irreversible:
        op.undo = "nothing_to_undo"
    elif op.outcome == "unknown":
        op.undo, op.detail = "unknown", "the call may or may not have run"
    else:
        op.undo, op.detail = "irreversible", op.irreversible


async def _every_company(op: Operation) -> dict[str, Any] | None:
    """The operation's context with every company the user may work in, when the call named fewer
    (``allowed_company_ids``): a write that moved records to another company hides them from the
    call's own companies. None when that would change nothing."""
    chosen = {**op.client.context, **(op.context or {})}.get("allowed_company_ids")
    if not isinstance(chosen, list | tuple) or op.client.uid is None:
        return None
    # read under none (Odoo then takes every company of the user): the call's own companies may not
    # show the others to a read of company_ids
    rows = await op.client.call("res.users", "read", ids=[op.client.uid], kwargs={"fields": ["company_ids"]},
                                context={"allowed_company_ids": []}, cache_ttl=0)  # fmt: skip
    every = [*chosen, *(c for c in rows[0]["company_ids"] if c not in chosen)] if rows else list(chosen)
    return {**(op.context or {}), "allowed_company_ids": every} if len(every) > len(chosen) else None


async def _existing(op: Operation, model: str, ids: list[int]) -> list[int]:
    if not ids:
        return []
    context = {**(op.context or {}), "active_test": False}
    found: list[int] = await op.client.call(
        model, "search", kwargs={"domain": [["id", "in", ids]]}, context=context, cache_ttl=0
    )
    return found


async def _undo_create(op: Operation) -> None:
    if op.outcome == "unknown":
        op.undo = "unknown"
        op.detail = (
            f"the create may have run: its records, if any, are not known; look for them by their values "
            f"({_short(op.values)})"
        )
        return
    groups = [(op.model, op.ids), *op.children]
    found = [await _existing(op, model, ids) for model, ids in groups]  # before anything is deleted
    gone = sum(len(ids) - len(existing) for (_, ids), existing in zip(groups, found, strict=True))
    deleted = 0
    for (model, _), existing in zip(groups, found, strict=True):
        if deleted and existing:  # the records deleted before may have taken these (ondelete cascade)
            existing = await _existing(op, model, existing)
        if existing:
            await _undoing(op.client.call(model, "unlink", ids=existing, context=op.context))
            deleted += len(existing)
    op.undo = "undone"
    op.detail = "deleted" + (f" ({gone} record(s) were already gone)" if gone else "")
    if op.undo_lost and not deleted:
        op.detail = "already deleted: the undoing unlink whose answer was lost had run"


def _sent_values(op: Operation, fields: ModelFields) -> dict[int, Mapping[str, Any]]:
    """What the write sent to each record, in ``write``'s form: a load's import cells are read back
    as Odoo converts them where that is certain, else :data:`~zenoo.writing.stored.CANNOT_TELL`."""
    if isinstance(op.values, Mapping):
        return dict.fromkeys(op.before, op.values)
    columns, rows = op.values
    position = columns.index(".id")
    in_utc = (op.context or {}).get("tz") == "UTC"  # load reads datetimes in the context's time zone
    sent: dict[int, Mapping[str, Any]] = {}
    for row in rows:
        sent[int(row[position])] = {
            column.split("/", 1)[0]: loaded(fields.get(column.split("/", 1)[0]), column, cell, in_utc)
            for column, cell in zip(columns, row, strict=False)
            if column != ".id"
        }
    return sent


async def _undo_write(op: Operation) -> None:
    if not op.ids:
        op.undo, op.detail = "nothing_to_undo", "it wrote no record"
        return
    fields = await model_fields(op.client, op.model)
    names = [name for name in op.fields if fields.type_of(name) != "one2many"]
    current = {row["id"]: row for row in await _read_op(op, op.fields)}
    if op.after_at_rollback:
        op.after = current
    sent = _sent_values(op, fields)
    restore: dict[int, dict[str, Any]] = {}
    conflicts: list[str] = []
    gone: list[int] = []
    deleted_here: list[int] = []  # deleted afterwards by this transaction itself: not a conflict
    unknown: list[str] = []
    hidden: list[str] = []
    untold: list[str] = []  # one2many fields whose created records zenoo cannot tell apart
    pending: list[str] = []  # unknown outcome, old value still there: the write may yet land
    for record_id, before in op.before.items():
        now = current.get(record_id)
        if now is None:
            (deleted_here if record_id in op.deleted_later else gone).append(record_id)
            continue
        after = op.after.get(record_id) if op.after is not None else None
        for name in names:
            meta = fields.get(name)
            if same_as_read(now[name], before[name]):
                if op.outcome == "unknown" and not as_sent(meta, before[name], sent[record_id].get(name)):
                    pending.append(f"{record_id}.{name}")
                    continue
                shown = after[name] if after is not None else now[name]
                if meta.get("store", True) is False and as_sent(meta, shown, sent[record_id].get(name)) is False:
                    hidden.append(f"{record_id}.{name}")  # a write-only field (a password): reads hide the write
                continue
            ours: bool | None
            if after is not None:
                ours = same_as_read(now[name], after[name])
            else:
                ours = as_sent(meta, now[name], sent[record_id].get(name))
            if ours is None:
                unknown.append(f"{record_id}.{name}")
            elif ours:
                restore.setdefault(record_id, {})[name] = restorable(fields.get(name), before[name])
            else:
                conflicts.append(f"{record_id}.{name}")
    if restore:
        await _restore(op, fields, restore)
    children = 0
    for name in op.fields:
        if fields.type_of(name) != "one2many":
            continue
        relation = str(fields.get(name)["relation"])
        created = await _created_children(op, relation, name)
        if created is None:
            untold.append(name)
            continue
        existing = await _existing(op, relation, created)
        if existing:
            await _undoing(op.client.call(relation, "unlink", ids=existing, context=op.context))
            children += len(existing)
    notes = []
    if restore:
        notes.append(f"restored {sum(len(v) for v in restore.values())} field value(s)")
    if children:
        notes.append(f"deleted {children} record(s) its one2many commands created")
    if conflicts:
        notes.append(f"changed meanwhile by someone else, left as they are: {', '.join(conflicts[:20])}")
    if gone:
        notes.append(f"records deleted meanwhile: {gone[:20]}")
    if deleted_here:
        notes.append(f"records this transaction deleted afterwards: {deleted_here[:20]}")
    if unknown:
        notes.append(f"cannot tell whether the write ran: {', '.join(unknown[:20])}")
    if pending:
        notes.append(f"Odoo's answer never came and these still hold their old values, but the request may "
                     f"still be running on the server and land later: {', '.join(pending[:20])}")
    if untold:
        notes.append(f"cannot tell which records its {', '.join(untold)} commands created from those someone "
                     "else added meanwhile, left as they are")  # fmt: skip
    if hidden:
        notes.append(f"not stored, and read back without what was written, so zenoo can neither check nor "
                     f"restore it: {', '.join(hidden[:20])}")  # fmt: skip
    if conflicts or gone:
        op.undo = "conflict"
    elif unknown or untold or pending:
        op.undo = "unknown"
    elif hidden:
        op.undo = "irreversible"
    elif restore or children or op.undo_lost:  # nothing left after a lost undoing write: it had run
        op.undo = "undone"
    else:
        op.undo = "nothing_to_undo"
    op.detail = "; ".join(notes) or (
        "already undone: the undoing write whose answer was lost had run" if op.undo_lost else "nothing had changed"
    )


async def _restore(op: Operation, fields: ModelFields, restore: dict[int, dict[str, Any]]) -> None:
    """Write the old values back as ``bulk_write`` sends values: identical ones by a shared
    ``write``, distinct ones by ``load`` (one request for what one request wrote, not one ``write``
    per record), translated fields language by language; raise the first failing request's error."""

    async def write(values: dict[int, dict[str, Any]], context: Mapping[str, Any] | None) -> None:
        options = Options.of(chunk_size=len(values), progress=False, validate=False)
        archived = await archived_ids(op.client, fields, list(values), context)
        operation, requests = write_requests(op.client, fields, values, options, context, archived)
        result = await execute([operation], requests, options, op.model)
        failed = next((call for call in result.calls if call.state != "done"), None)
        if failed is not None:
            error = failed.error if isinstance(failed.error, ZenooError) else ZenooError(f"restoring: {failed!r}")
            if failed.state == "unknown":
                raise _UndoMayHaveRun from error
            raise error

    if op.translations is not None:  # writes only: each may have run if its answer is lost
        restoring = restore_translations(op.client, op.model, op.translations, restore, op.context, write)
        restore = await _undoing(restoring)
    if restore:
        await write(restore, op.context)


async def _created_children(op: Operation, relation: str, name: str) -> list[int] | None:
    """The records the write's create commands on the one2many ``name`` made: those that appeared
    between the reads just before and just after it, when they are as many as the commands and
    were created together (one ``create_date``, the write's). None when zenoo cannot tell them from
    records someone else added or moved there meanwhile (or the write's outcome is unknown)."""
    if op.after is None:
        return None
    commands = op.values.get(name) if isinstance(op.values, Mapping) else None
    creates = sum(1 for c in commands or () if isinstance(c, list | tuple) and c and c[0] == 0)
    appeared: list[int] = []
    for record_id, before in op.before.items():
        after = op.after.get(record_id)
        if after is None:
            continue
        new = sorted(set(after[name]) - set(before[name]))
        if len(new) != creates:
            return None
        appeared += new
    if not appeared:
        return []
    try:
        rows = await op.client.call(relation, "read", ids=appeared, kwargs={"fields": ["create_date"]},
                                    context={**(op.context or {}), "active_test": False}, cache_ttl=0)  # fmt: skip
    except ZenooError:
        return None
    stamps = {row.get("create_date") for row in rows}
    return appeared if len(stamps) == 1 and None not in stamps else None


async def _read_op(op: Operation, names: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await op.client.call(
        op.model, "read", ids=list(op.before), kwargs={"fields": names, "load": None}, context=op.context, cache_ttl=0
    )
    return rows


def _short(values: Any) -> str:
    text = repr(values)
    return text if len(text) <= 200 else text[:200] + "…"
