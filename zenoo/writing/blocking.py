"""Blocking twins of transactions and batches, for :class:`zenoo.Client`.

A blocking transaction sets its recorder in the *calling thread's* context: the blocking client
submits each call with that context (``LoopThread.run``), so the calls made in the ``with`` block
are recorded, and the rollback or commit runs on the loop thread when the block ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Self

from zenoo._loop import LoopThread
from zenoo.writing.batch import Batch
from zenoo.writing.pending import PendingRecords, Queued
from zenoo.writing.progress import ProgressOption
from zenoo.writing.results import BatchResult
from zenoo.writing.transaction import Transaction
from zenoo.writing.undo import Operation


class BlockingTransaction:
    """``with client.transaction() as tx:`` on the blocking client (see :class:`Transaction`)."""

    def __init__(self, transaction: Transaction, runner: LoopThread) -> None:
        self._tx = transaction
        self._runner = runner

    @property
    def transaction(self) -> Transaction:
        """The async transaction (await its methods on :attr:`runner`'s loop only)."""
        return self._tx

    @property
    def id(self) -> str:
        """The transaction's id."""
        return self._tx.id

    @property
    def state(self) -> str:
        """``new``, ``active``, ``committed``, ``rolled_back`` or ``failed``."""
        return self._tx.state

    @property
    def is_active(self) -> bool:
        """True between the start of the block and its end."""
        return self._tx.is_active

    @property
    def operations(self) -> list[Operation]:
        """The operations recorded in this scope."""
        return self._tx.operations

    def __enter__(self) -> Self:
        self._tx.begin()
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self._tx.end_scope()
        self._runner.run(self._tx.finish(exc))

    def commit(self) -> None:
        """Keep what was written (see :meth:`Transaction.commit`)."""
        self._runner.run(self._tx.commit())

    def rollback(self) -> None:
        """Undo this scope's operations (see :meth:`Transaction.rollback`)."""
        self._runner.run(self._tx.rollback())

    def savepoint(self, name: str | None = None) -> BlockingTransaction:
        """``with tx.savepoint():`` undoes only what it covers when its block raises."""
        return BlockingTransaction(self._tx.savepoint(name), self._runner)

    def final_writes(self) -> AbstractContextManager[None]:
        """``with tx.final_writes():`` the transaction's last writes (see :meth:`Transaction.final_writes`)."""
        return self._tx.final_writes()

    def __repr__(self) -> str:
        return "<Blocking" + repr(self._tx)[1:]


class BlockingBatch:
    """``with client.batch() as batch:`` on the blocking client (see :class:`Batch`)."""

    def __init__(self, batch: Batch, runner: LoopThread) -> None:
        self._batch = batch
        self._runner = runner

    @property
    def result(self) -> BatchResult | None:
        """What the batch did, once it ran."""
        return self._batch.result

    def create(
        self, model: Any, records: Any, context: Mapping[str, Any] | None = None, priority: int = 0
    ) -> PendingRecords:
        """See :meth:`Batch.create`."""
        return self._batch.create(model, records, context, priority)

    def update(
        self, model: Any, data: Any, record_ids: Any = None, context: Mapping[str, Any] | None = None, priority: int = 0
    ) -> Queued:
        """See :meth:`Batch.update`."""
        return self._batch.update(model, data, record_ids, context, priority)

    def delete(self, model: Any, record_ids: Any, context: Mapping[str, Any] | None = None, priority: int = 0) -> Queued:
        """See :meth:`Batch.delete`."""
        return self._batch.delete(model, record_ids, context, priority)

    def execute(self, progress_callback: ProgressOption | None = None) -> BatchResult:
        """Send the operations and return the BatchResult (see :meth:`Batch.execute`)."""
        return self._runner.run(self._batch.execute(progress_callback))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None and self._batch.result is None:
            self.execute().raise_for_errors()
