"""Transactions that undo what they did: compensation, not ACID.

Odoo runs every RPC call in its own database transaction and has nothing that spans two calls. A
zenoo transaction records each write made through the client inside its block, with what undoing
it needs, and when the block raises (or on ``rollback()``) undoes them in reverse order:

- a ``create`` (also ``name_create``, ``copy``, a ``load`` of new rows): its records, and those
  its x2many ``(0, 0, {...})`` commands created, are unlinked (those already gone are left);
- a ``write`` (also a ``load`` that updates rows by ``.id``): the fields it wrote get back the
  values read just before it, but only where the server still holds what the write stored (read
  just after it, or, for the last writes of a transaction, by the rollback: see
  :meth:`Transaction.final_writes`); a field someone else changed meanwhile is left as it is and
  reported;
- an ``unlink`` of records the transaction did not create is refused unless ``allow_unlink=True``;
  then, like any other method (``action_confirm`` …), it is reported as irreversible;
- a call whose outcome is unknown (connection dropped after sending, read timeout) is reported:
  a write is restored only when the server shows exactly the values it sent; where it still shows
  the old ones, the request may still be running there and land later, so that is reported too;
- a call in flight when the block is cancelled (Ctrl+C, a cancelled task) is waited for, so that
  its outcome is known and undone like any other; a second cancellation stops the wait.

Anything not fully undone makes the rollback raise :class:`RollbackError`, listing every operation
and its state; nothing is skipped silently. Between two calls other users see, and may change,
what the transaction wrote: isolation is Odoo's, per call.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, Self

from zenoo.exceptions import InvalidValueError, TransactionError, ZenooError
from zenoo.fields.metadata import model_fields
from zenoo.protocols.signatures import split_ids
from zenoo.seams import OdooClient
from zenoo.writing.created import created_by_commands, created_ids
from zenoo.writing.progress import ProgressOption
from zenoo.writing.recording import (
    Recorder,
    WriteCall,
    current_recorder,
    read_current,
    reset_recorder,
    set_recorder,
)
from zenoo.writing.results import outcome_of
from zenoo.writing.translations import translations_before
from zenoo.writing.undo import Operation, retry, undo

_CREATING = frozenset({"create", "name_create", "copy"})
#: the transaction whose writes in this context are its last (:meth:`Transaction.final_writes`)
_FINAL: ContextVar[Transaction | None] = ContextVar("zenoo_final_writes", default=None)


class Counter(Protocol):
    """What a transaction tells its manager (zenoo-rpc's TransactionManager counts them)."""

    def ended(self, transaction: Transaction) -> None: ...


@dataclass(frozen=True)
class Savepoint:
    """A point to roll back to (zenoo-rpc's ``create_savepoint``)."""

    name: str
    position: int
    transaction: Transaction


class Transaction:
    """Records the writes made inside its block and undoes them when the block raises.

    Use ``async with client.transaction() as tx:``. On leaving the block normally the transaction
    commits (``auto_commit=False``: it rolls back unless ``commit()`` was called); when the block
    raises it rolls back (unless ``auto_rollback=False``) and the exception propagates, or a
    :class:`RollbackError` caused by it when something could not be undone. A transaction opened
    inside another one is a savepoint of it (``tx.savepoint()`` does the same). ``progress`` (a
    bar or a callback, as bulk calls take it) is told of the records a rollback undoes.
    """

    def __init__(
        self,
        client: OdooClient,
        transaction_id: str | None = None,
        auto_commit: bool = True,
        *,
        auto_rollback: bool = True,
        allow_unlink: bool = False,
        manager: Counter | None = None,
        parent: Transaction | None = None,
        progress: ProgressOption = False,
    ) -> None:
        for name, value in (("auto_commit", auto_commit), ("auto_rollback", auto_rollback), ("allow_unlink", allow_unlink)):
            if not isinstance(value, bool):
                raise TransactionError(f"{name} must be True or False, got {value!r}")
        if not (isinstance(progress, bool) or callable(progress)):
            raise InvalidValueError(f"progress must be True, False or a callable, got {progress!r}")
        self.progress = progress  #: a bar or callback told of the records a rollback undoes
        self.client = client
        self.id = transaction_id or uuid.uuid4().hex
        self.auto_commit = auto_commit
        self.auto_rollback = auto_rollback
        self.allow_unlink = allow_unlink
        self.state: Literal["new", "active", "committed", "rolled_back", "failed"] = "new"
        self._manager = manager
        self._parent = parent
        self._log: list[Operation] = []  # the root's log holds every operation of the tree
        self._seeds: dict[tuple[str, int], dict[str, Any]] = {}  # the root's: see seed_before
        self._start = 0
        self._token: Token[Recorder | None] | None = None

    # --- scope -----------------------------------------------------------------------------------

    @property
    def parent(self) -> Transaction | None:
        """The enclosing transaction of a savepoint, else None."""
        return self._parent

    @property
    def is_nested(self) -> bool:
        """True for a savepoint (a transaction inside another)."""
        return self._parent is not None

    @property
    def is_active(self) -> bool:
        """True while the transaction records."""
        return self.state == "active"

    @property
    def _root(self) -> Transaction:
        return self._parent._root if self._parent is not None else self

    @property
    def operations(self) -> list[Operation]:
        """The operations recorded in this transaction's scope (a savepoint's: since it began)."""
        return self._root._log[self._start :]

    def begin(self) -> Self:
        """Start recording in the current context (``__aenter__`` does it; the blocking facade too)."""
        if self.state != "new":
            raise TransactionError(f"transaction {self.id} was already started")
        enclosing = current_recorder()
        if self._parent is None and isinstance(enclosing, Transaction) and enclosing.is_active:
            self._parent = enclosing  # a transaction inside another is a savepoint of it
        self._start = len(self._root._log)
        self.state = "active"
        self._token = set_recorder(self)
        return self

    def end_scope(self) -> None:
        """Stop recording in this context (the context that called :meth:`begin`)."""
        if self._token is not None:
            reset_recorder(self._token)
            self._token = None

    async def finish(self, error: BaseException | None) -> None:
        """Commit or roll back as the block ended (``error``: what it raised, if anything)."""
        if error is not None:
            if self.state == "active":
                if self.auto_rollback:
                    await self._rollback(cause=error)
                else:
                    self._end("failed")
            return
        if self.state == "active":
            if self.auto_commit:
                await self.commit()
            else:
                await self.rollback()

    async def __aenter__(self) -> Self:
        return self.begin()

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self.end_scope()
        await self.finish(exc)

    def _end(self, state: Literal["committed", "rolled_back", "failed"]) -> None:
        self.state = state
        if self._manager is not None and not self.is_nested:
            self._manager.ended(self)

    # --- control ---------------------------------------------------------------------------------

    async def commit(self) -> None:
        """Keep what was written (it is already on the server: each call committed on its own)."""
        self._check_active("commit")
        self._end("committed")

    async def rollback(self) -> None:
        """Undo this scope's operations in reverse order; :class:`RollbackError` if not all could be.

        After a rollback that raised, calling it again undoes again what it could not: the
        ``undo_failed`` operations, and those whose undoing write may not have run (``unknown``),
        checking the server first, once it answers again; :class:`TransactionError` when nothing is
        left to try."""
        if self.state == "rolled_back":
            if await retry(self.operations, cause=None, progress=self.progress):
                return
            raise TransactionError(f"nothing to retry: transaction {self.id} is rolled_back, and every operation "
                                   "of it was undone, or cannot be")  # fmt: skip
        self._check_active("roll back")
        await self._rollback(cause=None)

    def savepoint(self, name: str | None = None) -> Transaction:
        """A nested scope: ``async with tx.savepoint():`` undoes only what it covers when it raises."""
        self._check_active("open a savepoint of")
        return Transaction(
            self.client, name, auto_rollback=True, allow_unlink=self.allow_unlink, parent=self, progress=self.progress
        )

    async def create_savepoint(self, name: str | None = None) -> Savepoint:
        """zenoo-rpc's form: mark the current point; :meth:`rollback_to_savepoint` undoes what follows."""
        self._check_active("mark a savepoint in")
        return Savepoint(name or f"sp{len(self._root._log)}", len(self._root._log), self)

    async def rollback_to_savepoint(self, savepoint: Savepoint) -> None:
        """Undo what was recorded since ``savepoint`` (zenoo-rpc's form); the transaction goes on."""
        self._check_active("roll back")
        if savepoint.transaction._root is not self._root:
            raise TransactionError(f"savepoint {savepoint.name!r} belongs to another transaction")
        await undo(self._root._log[savepoint.position :], cause=None, progress=self.progress)

    def seed_before(self, model: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Values the caller has just read (``read`` with ``load=None``, each row with its ``id``)
        right before writing those records: the next write of them takes its snapshot of the
        values to restore from here instead of reading them again (once; a write of fields the
        rows lack reads as usual)."""
        self._check_active("seed")
        seeds = self._root._seeds
        for row in rows:
            seeds[(model, int(row["id"]))] = row if type(row) is dict else dict(row)

    @contextmanager
    def final_writes(self) -> Iterator[None]:
        """Mark the writes made in this block (and in tasks started in it) as the transaction's
        last: each skips the read of what it stored, made right after a write for a rollback, and
        a rollback reads it instead, just before undoing. When the block succeeds and the
        transaction commits, those reads are saved. A field someone else changes between such a
        write and the rollback is then restored as if the write had stored it: keep the block to
        the last requests, those the rollback would follow closely. In a savepoint it changes
        nothing: the enclosing transaction goes on, and its rollback may come much later."""
        self._check_active("mark the final writes of")
        token = _FINAL.set(None if self.is_nested else self)
        try:
            yield
        finally:
            _FINAL.reset(token)

    def _check_active(self, what: str) -> None:
        if self.state != "active":
            raise TransactionError(f"cannot {what} transaction {self.id}: it is {self.state}")

    async def _rollback(self, cause: BaseException | None) -> None:
        try:
            await undo(self.operations, cause=cause, progress=self.progress)
        finally:
            self._end("rolled_back")

    def __repr__(self) -> str:
        return f"<Transaction {self.id} {self.state}, {len(self.operations)} operation(s)>"

    # --- recording (the Recorder protocol of zenoo.writing.recording) ---------------------------------

    async def around(self, call: WriteCall, send: Callable[[], Awaitable[Any]]) -> Any:
        if self.state != "active":
            raise TransactionError(
                f"{call.model}.{call.method} called after transaction {self.id} ended ({self.state}): "
                "it would not be recorded"
            )
        ids, args = split_ids(call.method, call.ids, call.args)  # execute_kw's form: records in args[0]
        call = replace(call, ids=ids, args=tuple(args))
        root = self._root
        op = Operation(len(root._log), call.method, call.model, list(call.ids or []), None,
                       client=call.client, context=call.context)  # fmt: skip
        if call.method == "unlink":
            self._admit_unlink(op)
        recorder = _RECORDERS.get(call.method, _record_other)
        result = await recorder(op, call, send, root)
        if op.interrupted:  # the call has answered and is recorded: now the cancellation goes on
            raise asyncio.CancelledError
        return result

    def _admit_unlink(self, op: Operation) -> None:
        created = {
            record_id
            for other in self._root._log
            if other.kind == "create" and other.outcome == "done" and other.undo is None
            for model, ids in [(other.model, other.ids), *other.children]
            if model == op.model
            for record_id in ids
        }
        if set(op.ids) <= created:
            op.kind, op.detail = "unlink", "it deleted records this transaction created"
        elif not self.allow_unlink:
            raise TransactionError(
                f"unlink of {op.model} {op.ids} inside transaction {self.id} cannot be undone: pass "
                "allow_unlink=True to accept that (a rollback then reports it), or unlink after the transaction"
            )
        else:
            op.kind, op.irreversible = "unlink", "deleted records cannot be brought back"


# --- recording each kind of call -------------------------------------------------------------------

Record = Callable[[Operation, WriteCall, Callable[[], Awaitable[Any]], Transaction], Awaitable[Any]]


async def _sent(op: Operation, send: Callable[[], Awaitable[Any]], root: Transaction) -> Any:
    """Log ``op`` and send its call; the outcome is recorded whatever happens.

    Cancelled while the call is in flight (Ctrl+C, a cancelled task, ``asyncio.timeout``), it waits for the
    answer: the request may be running on the server already, and the rollback has to know what it
    did. The recorder notes the answer, then :meth:`Transaction.around` goes on with the
    cancellation. A second cancellation stops the wait; the outcome is then unknown.
    """
    root._log.append(op)
    sending = asyncio.ensure_future(send())
    try:
        result = await asyncio.shield(sending)
    except asyncio.CancelledError:
        op.interrupted = True
        try:
            result = await sending
        except ZenooError as exc:
            op.outcome, op.error = outcome_of(exc), exc
            raise asyncio.CancelledError from exc
        except BaseException:
            op.outcome = "unknown"  # cancelled again: the request was abandoned in flight
            raise
    except ZenooError as exc:
        op.outcome, op.error = outcome_of(exc), exc
        raise
    except BaseException:
        op.outcome = "unknown"
        raise
    op.outcome = "done"
    return result


async def _record_create(op: Operation, call: WriteCall, send: Callable[[], Awaitable[Any]], root: Transaction) -> Any:
    op.kind = "create"
    one = False  # a create of one dict, which Odoo answers with one id
    if call.method == "create":
        values = call.args[0] if call.args else call.kwargs.get("vals_list")
        one = isinstance(values, Mapping)
        op.values = [values] if one else list(values or [])
    else:
        op.values = list(call.args) or dict(call.kwargs)
    result = await _sent(op, send, root)
    ids = created_ids(call.method, result, len(op.values) if call.method == "create" else None, one=one)
    if ids is None:  # an answer naming no records zenoo can trust: deleting them could hit others
        op.outcome = "unknown"
        return result
    op.ids = ids
    if call.method == "create":
        try:
            op.children, op.irreversible = await created_by_commands(call, call.model, op.ids, op.values)
        except ZenooError as exc:
            op.irreversible = f"the records its x2many commands created could not be found: {exc}"
    return result


async def _record_write(op: Operation, call: WriteCall, send: Callable[[], Awaitable[Any]], root: Transaction) -> Any:
    values = call.args[0] if call.args else call.kwargs.get("vals")
    if not isinstance(values, Mapping) or call.ids is None:
        op.irreversible = "not a write(ids, values) zenoo can snapshot"
        return await _sent(op, send, root)
    op.kind, op.values = "write", dict(values)
    if not op.ids:  # no record: Odoo writes nothing
        return await _sent(op, send, root)
    await _snapshot_before(op, call, list(values), root)
    result = await _sent(op, send, root)
    await _snapshot_after(op, call, root)
    return result


async def _snapshot_before(op: Operation, call: WriteCall, names: list[str], root: Transaction) -> None:
    """Read the fields about to be written (one2many fields: only their ids, to find new children),
    or take them from what the caller seeded (:meth:`Transaction.seed_before`)."""
    fields = await model_fields(call.client, op.model)
    fields.check(names)
    op.fields = names
    for name in names:
        if fields.type_of(name) == "one2many":
            commands = op.values.get(name) if isinstance(op.values, Mapping) else None
            if not isinstance(commands, list | tuple) or any(
                not (isinstance(c, list | tuple) and c and c[0] == 0) for c in commands
            ):
                op.irreversible = f"{op.model}.{name} commands other than create change existing records"
    op.translations = await translations_before(
        call.client, fields, op.ids, names, call.context, lambda name: _clears(op.values, name)
    )
    seeds, model = root._seeds, op.model
    seeded = [seeds.pop((model, record_id), None) for record_id in op.ids]
    wanted = ["id", *names]
    keys = set(wanted)
    if all(row is not None and keys <= row.keys() for row in seeded):
        op.before = {row["id"]: row if row.keys() == keys else {key: row[key] for key in wanted}
                     for row in seeded if row is not None}  # fmt: skip
        return
    op.before = {row["id"]: row for row in await read_current(call, op.model, op.ids, names)}


def _clears(values: Any, name: str) -> bool:
    """Whether a write of ``values`` (``write``'s dict, or a ``load``'s columns and rows) empties
    ``name`` on some record."""
    if isinstance(values, Mapping):
        return values.get(name) in (False, None)
    columns, rows = values
    return name in columns and any(not row[columns.index(name)] for row in rows)


async def _snapshot_after(op: Operation, call: WriteCall, root: Transaction) -> None:
    if _FINAL.get() is root:  # read by the rollback, if there is one
        op.after_at_rollback = True
        return
    try:
        op.after = {row["id"]: row for row in await read_current(call, op.model, op.ids, op.fields)}
    except ZenooError:
        op.after = None  # the undo then compares with the values sent, as for an unknown outcome


async def _record_load(op: Operation, call: WriteCall, send: Callable[[], Awaitable[Any]], root: Transaction) -> Any:
    columns = list(call.args[0] if call.args else call.kwargs.get("fields") or [])
    rows = list(call.args[1] if len(call.args) > 1 else call.kwargs.get("data") or [])
    op.values = (columns, rows)
    plain = all(c == ".id" or "/" not in c or c.endswith("/.id") for c in columns) and "id" not in columns
    if plain and ".id" not in columns:  # new rows only: a create
        op.kind = "create"
        answer = await _sent(op, send, root)
        created = answer.get("ids") if isinstance(answer, Mapping) else None
        if created is False:
            op.outcome = "failed"  # load wrote none of its rows
            return answer
        ids = created_ids("load", created, len(rows))
        if ids is None:  # not the ids of its rows: unknown, and a rollback deletes nothing
            op.outcome = "unknown"
        else:
            op.ids = ids
        return answer
    position = columns.index(".id") if ".id" in columns else -1
    if not plain or position < 0 or not all(row[position] for row in rows):
        op.irreversible = "a load with external ids, sub-fields or new rows among updates"
        return await _sent(op, send, root)
    op.kind, op.ids = "write", [int(row[position]) for row in rows]
    await _snapshot_before(op, call, [c.split("/", 1)[0] for c in columns if c != ".id"], root)
    answer = await _sent(op, send, root)
    if isinstance(answer, Mapping) and answer.get("ids") is False:
        op.outcome = "failed"  # load wrote none of its rows
        return answer
    await _snapshot_after(op, call, root)
    return answer


async def _record_other(op: Operation, call: WriteCall, send: Callable[[], Awaitable[Any]], root: Transaction) -> Any:
    if op.kind != "unlink":
        op.values = {"args": list(call.args), "kwargs": dict(call.kwargs)}
        op.irreversible = f"zenoo cannot undo what {call.model}.{call.method} did"
    return await _sent(op, send, root)


_RECORDERS: dict[str, Record] = {
    **dict.fromkeys(_CREATING, _record_create),
    "write": _record_write,
    "load": _record_load,
}
