"""Transactions that undo what they did: compensation, not ACID.

Odoo runs every RPC call in its own database transaction and has nothing that spans two calls. A
zenoo transaction records each write made through the client inside its block, with what undoing
it needs, and when the block raises (or on ``rollback()``) undoes them in reverse order:

- a ``create`` (also ``name_create``, ``copy``, a ``load`` of new rows): its records, and those
  its x2many ``(0, 0, {...})`` commands created, are unlinked (those already gone are left);
- a ``write`` (also a ``load`` that updates rows by ``.id``): the fields it wrote get back the
  values read just before it, but only where the server still holds what the write stored (read
  just after it); a field someone else changed meanwhile is left as it is and reported;
- an ``unlink`` of records the transaction did not create is refused unless ``allow_unlink=True``;
  then, like any other method (``action_confirm`` …), it is reported as irreversible;
- a call whose outcome is unknown (connection dropped after sending, read timeout) is reported:
  a write is restored only when the server shows exactly the values it sent.

Anything not fully undone makes the rollback raise :class:`RollbackError`, listing every operation
and its state; nothing is skipped silently. Between two calls other users see, and may change,
what the transaction wrote: isolation is Odoo's, per call.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar

import orjson

from zenoo.exceptions import RollbackError, TransactionError, ZenooError
from zenoo.fields.metadata import model_fields
from zenoo.writing.recording import WriteCall, current_recorder, recording, reset_recorder, set_recorder
from zenoo.writing.results import CallState, outcome_of

T = TypeVar("T")

#: ``undone``: restored or deleted; ``nothing_to_undo``: the call applied nothing (it failed, or
#: an unknown write turned out not to have run), or it deleted records this transaction created;
#: ``conflict``: someone else changed a field (or deleted a record) meanwhile, left as it is;
#: ``undo_failed``: the undoing call raised; ``irreversible``: zenoo cannot undo it (an unlink, a
#: business method, link commands on a one2many); ``unknown``: the call may or may not have run
#: and zenoo cannot tell.
UndoState = Literal["undone", "nothing_to_undo", "conflict", "undo_failed", "irreversible", "unknown"]
_CREATING = frozenset({"create", "name_create", "copy"})
_X2MANY = frozenset({"one2many", "many2many"})


@dataclass(eq=False)
class Operation:
    """One write recorded by a transaction, and what became of it."""

    index: int
    method: str
    model: str
    ids: list[int]
    values: Any
    outcome: CallState = "unknown"
    error: BaseException | None = None
    undo: UndoState | None = None
    detail: str = ""
    # what undoing needs
    client: Any = field(default=None, repr=False)
    context: Mapping[str, Any] | None = field(default=None, repr=False)
    kind: Literal["create", "write", "unlink", "other"] = "other"
    fields: list[str] = field(default_factory=list, repr=False)
    before: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    after: dict[int, dict[str, Any]] | None = field(default=None, repr=False)
    #: records created by x2many commands (model, ids), to unlink after the record itself
    children: list[tuple[str, list[int]]] = field(default_factory=list, repr=False)
    #: why part of it cannot be undone (link commands on a one2many …)
    irreversible: str = ""

    @property
    def undone(self) -> bool:
        """True once a rollback left nothing of it behind."""
        return self.undo in ("undone", "nothing_to_undo")

    def describe(self) -> str:
        ids = ", ".join(map(str, self.ids[:10])) + (", …" if len(self.ids) > 10 else "")
        text = f"#{self.index} {self.model}.{self.method}({ids}) {self.outcome}"
        if self.undo is not None:
            text += f" → {self.undo}"
        return text + (f": {self.detail}" if self.detail else "")


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
    inside another one is a savepoint of it (``tx.savepoint()`` does the same).
    """

    def __init__(
        self,
        client: Any,
        transaction_id: str | None = None,
        auto_commit: bool = True,
        *,
        auto_rollback: bool = True,
        allow_unlink: bool = False,
        manager: Any = None,
        parent: Transaction | None = None,
    ) -> None:
        for name, value in (("auto_commit", auto_commit), ("auto_rollback", auto_rollback), ("allow_unlink", allow_unlink)):
            if not isinstance(value, bool):
                raise TransactionError(f"{name} must be True or False, got {value!r}")
        self.client = client
        self.id = transaction_id or uuid.uuid4().hex
        self.auto_commit = auto_commit
        self.auto_rollback = auto_rollback
        self.allow_unlink = allow_unlink
        self.state: Literal["new", "active", "committed", "rolled_back", "failed"] = "new"
        self._manager = manager
        self._parent = parent
        self._log: list[Operation] = []  # the root's log holds every operation of the tree
        self._start = 0
        self._token: Any = None

    # --- scope -----------------------------------------------------------------------------------

    @property
    def parent(self) -> Transaction | None:
        return self._parent

    @property
    def is_nested(self) -> bool:
        return self._parent is not None

    @property
    def is_active(self) -> bool:
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
        """Undo this scope's operations in reverse order; :class:`RollbackError` if not all could be."""
        self._check_active("roll back")
        await self._rollback(cause=None)

    def savepoint(self, name: str | None = None) -> Transaction:
        """A nested scope: ``async with tx.savepoint():`` undoes only what it covers when it raises."""
        self._check_active("open a savepoint of")
        return Transaction(
            self.client, name, auto_rollback=True, allow_unlink=self.allow_unlink, parent=self
        )

    async def create_savepoint(self, name: str | None = None) -> Savepoint:
        """zenoo-rpc's form: mark the current point; :meth:`rollback_to_savepoint` undoes what follows."""
        self._check_active("mark a savepoint in")
        return Savepoint(name or f"sp{len(self._root._log)}", len(self._root._log), self)

    async def rollback_to_savepoint(self, savepoint: Savepoint) -> None:
        self._check_active("roll back")
        if savepoint.transaction._root is not self._root:
            raise TransactionError(f"savepoint {savepoint.name!r} belongs to another transaction")
        await _undo(self._root._log[savepoint.position :], cause=None)

    def _check_active(self, what: str) -> None:
        if self.state != "active":
            raise TransactionError(f"cannot {what} transaction {self.id}: it is {self.state}")

    async def _rollback(self, cause: BaseException | None) -> None:
        try:
            await _undo(self.operations, cause=cause)
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
        root = self._root
        op = Operation(len(root._log), call.method, call.model, list(call.ids or []), None,
                       client=call.client, context=call.context)  # fmt: skip
        if call.method == "unlink":
            self._admit_unlink(op)
        recorder = _RECORDERS.get(call.method, _record_other)
        return await recorder(op, call, send, root)

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
    """Log ``op`` and send its call; the outcome is recorded whatever happens."""
    root._log.append(op)
    try:
        result = await send()
    except ZenooError as exc:
        op.outcome, op.error = outcome_of(exc), exc
        raise
    except BaseException:
        op.outcome = "unknown"  # cancelled in flight
        raise
    op.outcome = "done"
    return result


async def _record_create(op: Operation, call: WriteCall, send: Callable[[], Awaitable[Any]], root: Transaction) -> Any:
    op.kind = "create"
    if call.method == "create":
        values = call.args[0] if call.args else call.kwargs.get("vals_list")
        op.values = [values] if isinstance(values, Mapping) else list(values or [])
    else:
        op.values = list(call.args) or dict(call.kwargs)
    result = await _sent(op, send, root)
    if call.method == "name_create" and isinstance(result, list | tuple) and result:
        result_ids: Any = result[0]
    else:
        result_ids = result
    op.ids = [result_ids] if isinstance(result_ids, int) else [int(i) for i in result_ids or []]
    if call.method == "create":
        try:
            op.children, op.irreversible = await _created_by_commands(call, call.model, op.ids, op.values)
        except ZenooError as exc:
            op.irreversible = f"the records its x2many commands created could not be found: {exc}"
    return result


async def _created_by_commands(
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
            if meta.get("type") not in _X2MANY or not isinstance(value, list | tuple):
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
        current = await _read(call, model, ids, list(created))
        for name, child_rows in created.items():
            relation = str(fields.fields[name]["relation"])
            child_ids = sorted({i for row in current for i in row[name]} - linked.get(name, set()))
            found.append((relation, child_ids))
            deeper, why = await _created_by_commands(call, relation, child_ids, child_rows)
            found += deeper
            reasons += [why] if why else []
    return found, "; ".join(dict.fromkeys(reasons))


async def _read(call: WriteCall, model: str, ids: list[int], names: list[str]) -> list[dict[str, Any]]:
    """Current values of ``names`` (many2one as ids), bypassing any cache, in the call's context."""
    return await call.client.call(
        model, "read", ids=ids, kwargs={"fields": names, "load": None}, context=call.context, cache_ttl=0
    )


async def _record_write(op: Operation, call: WriteCall, send: Callable[[], Awaitable[Any]], root: Transaction) -> Any:
    values = call.args[0] if call.args else call.kwargs.get("vals")
    if not isinstance(values, Mapping) or not op.ids:
        op.irreversible = "not a write(ids, values) zenoo can snapshot"
        return await _sent(op, send, root)
    op.kind, op.values = "write", dict(values)
    await _snapshot_before(op, call, list(values))
    result = await _sent(op, send, root)
    await _snapshot_after(op, call)
    return result


async def _snapshot_before(op: Operation, call: WriteCall, names: list[str]) -> None:
    """Read the fields about to be written (one2many fields: only their ids, to find new children)."""
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
    op.before = {row["id"]: row for row in await _read(call, op.model, op.ids, names)}


async def _snapshot_after(op: Operation, call: WriteCall) -> None:
    try:
        op.after = {row["id"]: row for row in await _read(call, op.model, op.ids, op.fields)}
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
        op.ids = list(answer.get("ids") or []) if isinstance(answer, Mapping) else []
        if isinstance(answer, Mapping) and answer.get("ids") is False:
            op.outcome = "failed"
        return answer
    if not plain or any(not row[columns.index(".id")] for row in rows):
        op.irreversible = "a load with external ids, sub-fields or new rows among updates"
        return await _sent(op, send, root)
    position = columns.index(".id")
    op.kind, op.ids = "write", [int(row[position]) for row in rows]
    await _snapshot_before(op, call, [c.split("/", 1)[0] for c in columns if c != ".id"])
    answer = await _sent(op, send, root)
    if isinstance(answer, Mapping) and answer.get("ids") is False:
        op.outcome = "failed"  # load wrote none of its rows
        return answer
    await _snapshot_after(op, call)
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


# --- undoing -------------------------------------------------------------------------------------


async def _undo(operations: Sequence[Operation], cause: BaseException | None) -> None:
    """Undo ``operations`` in reverse order (those not undone yet); raise RollbackError if not all are."""
    with recording(None):  # the undoing calls are not recorded
        for op in reversed(operations):
            if op.undo is None:
                await _undo_one(op)
    left = [op for op in operations if not op.undone]
    if left:
        lines = "\n".join(f"  {op.describe()}" for op in left)
        raise RollbackError(
            f"the rollback could not undo {len(left)} of {len(operations)} operation(s):\n{lines}",
            operations=operations,
        ) from cause


async def _undo_one(op: Operation) -> None:
    if op.outcome == "failed":
        op.undo, op.detail = "nothing_to_undo", "the call failed: Odoo applied nothing"
        return
    try:
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
    except ZenooError as exc:
        op.undo, op.detail, op.error = "undo_failed", f"{type(exc).__name__}: {exc}", exc
        return
    if op.irreversible and op.undo in ("undone", "nothing_to_undo"):
        op.undo, op.detail = "irreversible", f"{op.detail}; but {op.irreversible}".lstrip("; ")


async def _existing(op: Operation, model: str, ids: list[int]) -> list[int]:
    if not ids:
        return []
    context = {**(op.context or {}), "active_test": False}
    return await op.client.call(model, "search", kwargs={"domain": [["id", "in", ids]]}, context=context, cache_ttl=0)


async def _undo_create(op: Operation) -> None:
    if op.outcome == "unknown":
        op.undo = "unknown"
        op.detail = (
            f"the create may have run: its records, if any, are not known; look for them by their values "
            f"({_short(op.values)})"
        )
        return
    gone = 0
    for model, ids in [(op.model, op.ids), *op.children]:
        existing = await _existing(op, model, ids)
        gone += len(ids) - len(existing)
        if existing:
            await op.client.call(model, "unlink", ids=existing, context=op.context)
    op.undo = "undone"
    op.detail = "deleted" + (f" ({gone} record(s) were already gone)" if gone else "")


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, list) and isinstance(right, list):
        return sorted(left) == sorted(right)  # x2many ids, in whatever order the server reads them
    return bool(left == right)


def _as_sent(meta: Mapping[str, Any], now: Any, sent: Any) -> bool | None:
    """Whether ``now`` (as read) is what writing ``sent`` stores; None when zenoo cannot tell."""
    kind = meta.get("type")
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


def _restorable(meta: Mapping[str, Any], value: Any) -> Any:
    """A value as read (``load=None``) in the form ``write`` takes."""
    if meta.get("type") == "many2many" and isinstance(value, list):
        return [(6, 0, value)]
    return value


async def _undo_write(op: Operation) -> None:
    fields = await model_fields(op.client, op.model)
    names = [name for name in op.fields if fields.type_of(name) != "one2many"]
    current = {row["id"]: row for row in await _read_op(op, op.fields)}
    restore: dict[int, dict[str, Any]] = {}
    conflicts, gone, unknown = [], [], []
    for record_id, before in op.before.items():
        now = current.get(record_id)
        if now is None:
            gone.append(record_id)
            continue
        after = op.after.get(record_id) if op.after is not None else None
        for name in names:
            if _same(now[name], before[name]):
                continue
            if after is not None:
                ours = _same(now[name], after[name])
            else:
                ours = _as_sent(fields.get(name), now[name], op.values.get(name))
            if ours is None:
                unknown.append(f"{record_id}.{name}")
            elif ours:
                restore.setdefault(record_id, {})[name] = _restorable(fields.get(name), before[name])
            else:
                conflicts.append(f"{record_id}.{name}")
    groups: dict[bytes, list[int]] = {}
    for record_id, values in restore.items():
        groups.setdefault(orjson.dumps(values, option=orjson.OPT_SORT_KEYS), []).append(record_id)
    for ids in groups.values():
        await op.client.call(op.model, "write", ids=ids, args=(restore[ids[0]],), context=op.context)
    children = 0
    for name in op.fields:
        if fields.type_of(name) != "one2many":
            continue
        new = {
            i for record_id, before in op.before.items() if record_id in current
            for i in set(current[record_id][name]) - set(before[name])
        }  # fmt: skip
        relation = str(fields.get(name)["relation"])
        existing = await _existing(op, relation, sorted(new))
        if existing:
            await op.client.call(relation, "unlink", ids=existing, context=op.context)
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
    if unknown:
        notes.append(f"cannot tell whether the write ran: {', '.join(unknown[:20])}")
    if conflicts or gone:
        op.undo = "conflict"
    elif unknown:
        op.undo = "unknown"
    else:
        op.undo = "undone" if restore or children else "nothing_to_undo"
    op.detail = "; ".join(notes) or "nothing had changed"


async def _read_op(op: Operation, names: list[str]) -> list[dict[str, Any]]:
    return await op.client.call(
        op.model, "read", ids=list(op.before), kwargs={"fields": names, "load": None}, context=op.context, cache_ttl=0
    )


def _short(values: Any) -> str:
    text = repr(values)
    return text if len(text) <= 200 else text[:200] + "…"


# --- zenoo-rpc's managers ----------------------------------------------------------------------------


class TransactionManager:
    """zenoo-rpc's transaction manager: ``client.transaction_manager.transaction()`` and counters."""

    def __init__(self, client: Any, *, allow_unlink: bool = False) -> None:
        self.client = client
        self.allow_unlink = allow_unlink
        self.successful_transactions = 0
        self.failed_transactions = 0

    def transaction(
        self,
        transaction_id: str | None = None,
        auto_commit: bool = True,
        *,
        auto_rollback: bool = True,
        allow_unlink: bool | None = None,
    ) -> Transaction:
        return Transaction(
            self.client,
            transaction_id,
            auto_commit,
            auto_rollback=auto_rollback,
            allow_unlink=self.allow_unlink if allow_unlink is None else allow_unlink,
            manager=self,
        )

    @property
    def current_transaction(self) -> Transaction | None:
        """The innermost transaction active in the current context, if any."""
        found = current_recorder()
        return found if isinstance(found, Transaction) else None

    def ended(self, transaction: Transaction) -> None:
        if transaction.state == "committed":
            self.successful_transactions += 1
        else:
            self.failed_transactions += 1


def atomic(
    func: Any = None,
    /,
    *,
    client: Any = None,
    auto_commit: bool = True,
    auto_rollback: bool = True,
    allow_unlink: bool = False,
) -> Any:
    """Run a coroutine function inside a transaction (zenoo-rpc's ``@atomic``).

    ``@atomic`` finds the client among the call's arguments (a ``client`` argument, the first
    argument that is a client, or ``self.client``); ``@atomic(client)`` or ``@atomic(client=...)``
    names it. A ``_transaction`` parameter of the function receives the transaction.
    """
    if func is not None and not inspect.iscoroutinefunction(func):
        return atomic(client=func, auto_commit=auto_commit, auto_rollback=auto_rollback, allow_unlink=allow_unlink)

    def decorate(function: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        if not inspect.iscoroutinefunction(function):
            raise TransactionError(f"@atomic wraps coroutine functions; {function!r} is not one")
        wants_transaction = "_transaction" in inspect.signature(function).parameters

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> T:
            owner = client or _client_among(args, kwargs)
            if owner is None:
                raise TransactionError(
                    f"@atomic cannot find the client of {function.__qualname__}: pass it as an argument "
                    "or write @atomic(client)"
                )
            async with owner.transaction(
                auto_commit=auto_commit, auto_rollback=auto_rollback, allow_unlink=allow_unlink
            ) as tx:
                if wants_transaction:
                    kwargs["_transaction"] = tx
                return await function(*args, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


def _client_among(args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    def is_client(value: Any) -> bool:
        return callable(getattr(value, "transaction", None)) and callable(getattr(value, "call", None))

    if is_client(kwargs.get("client")):
        return kwargs["client"]
    for value in args:
        if is_client(value):
            return value
    if args and is_client(getattr(args[0], "client", None)):
        return args[0].client
    return None
