"""Bulk writes, batches and transactions on :class:`ZenooClient` (the code lives in ``zenoo/writing``).

Thin methods over :mod:`zenoo.writing`, reached through :class:`WriteMethods`, the client's base
class; see docs/writing.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

from zenoo.exceptions import RollbackError, TransactionError
from zenoo.writing import Batch, BatchManager, BatchResult, Transaction, TransactionManager, bulk
from zenoo.writing.progress import ProgressOption
from zenoo.writing.running import Options
from zenoo.writing.undo import retry

if TYPE_CHECKING:
    from zenoo.client.core import ZenooClient
    from zenoo.client.shared import SharedState
    from zenoo.seams import OdooClient

    _Client = OdooClient  # for mypy, the methods are written against the client they are part of
else:
    _Client = object


class WriteMethods(_Client):
    """``bulk_*``, ``batch()``, ``transaction()`` and zenoo-rpc's managers; ZenooClient is one."""

    _shared: SharedState

    async def bulk_create(
        self,
        model: str,
        rows: Iterable[Mapping[str, Any]],
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        *,
        context: Mapping[str, Any] | None = None,
        validate: bool = True,
    ) -> list[int]:
        """Create many records in chunked ``create([...])`` requests sent concurrently; their ids in
        input order. Every row is checked first (as :meth:`create` does; ``validate=False`` skips
        it). A request that failed, or whose outcome is unknown, is not re-sent: :class:`BatchError`
        then carries the BatchResult (ids of the rows created, rows failed or unknown).
        """
        options = Options.of(chunk_size, concurrency, progress, validate)
        result = (await bulk.bulk_create(self, model, rows, options, context)).raise_for_errors()
        return result.ids  # type: ignore[return-value]

    async def bulk_write(
        self,
        model: str,
        values_by_id: Mapping[int, Mapping[str, Any]],
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        *,
        context: Mapping[str, Any] | None = None,
        validate: bool = True,
        via: Literal["auto", "write", "load"] = "auto",
    ) -> BatchResult:
        """Write ``{id: values}``: records receiving identical values share one ``write``; the
        others go in ``load`` chunks (``via="auto"``, when every value can go as import text; all
        rows of a chunk or none) or one ``write`` each, sent concurrently. :class:`BatchError` (with
        the BatchResult) unless every request is done.
        """
        options = Options.of(chunk_size, concurrency, progress, validate, via)
        return (await bulk.bulk_write(self, model, values_by_id, options, context)).raise_for_errors()

    async def bulk_unlink(
        self,
        model: str,
        ids: Iterable[int],
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        """Delete ``ids`` in chunked ``unlink`` requests; :class:`BatchError` unless all are done."""
        options = Options.of(chunk_size, concurrency, progress)
        return (await bulk.bulk_unlink(self, model, ids, options, context)).raise_for_errors()

    def batch(
        self,
        *,
        atomic: bool = False,
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        context: Mapping[str, Any] | None = None,
        validate: bool = True,
        timeout: float | None = None,
    ) -> Batch:
        """Collect ``create``/``update``/``delete`` operations, sent when the ``async with`` block
        ends (grouped by model and operation, in dependency order); ``atomic=True`` sends them as
        one request or refuses before sending. See :class:`zenoo.writing.Batch`."""
        options = Options.of(chunk_size, concurrency, progress, validate, timeout=timeout)
        return Batch(self, options, atomic=atomic, context=context)

    def transaction(
        self,
        transaction_id: str | None = None,
        auto_commit: bool = True,
        *,
        auto_rollback: bool = True,
        allow_unlink: bool | None = None,
        progress: ProgressOption = False,
    ) -> Transaction:
        """``async with client.transaction() as tx:`` records the writes made through the client in
        the block and undoes them if it raises (see :class:`zenoo.writing.Transaction`).
        ``allow_unlink`` (default: the transaction manager's, False) accepts unlinks it cannot undo;
        ``progress`` (a tqdm bar, or a callback as bulk calls take) is told of the records a rollback undoes."""
        return self.transaction_manager.transaction(
            transaction_id, auto_commit, auto_rollback=auto_rollback, allow_unlink=allow_unlink, progress=progress
        )

    async def retry_rollback(self, error: RollbackError, *, progress: ProgressOption = False) -> None:
        """Undo again, once the server answers, what the rollback that raised ``error`` left for
        want of an answer (its ``undo_failed`` operations, and undoing writes that may not have run),
        checking the server first: for a rollback whose transaction the caller does not hold, such
        as a write-back's own (with a transaction of your own, ``tx.rollback()`` does the same).
        Operations whose client is closed since are undone through this one, which must be logged
        in to the same server, database and user.
        Raises :class:`RollbackError` again if something is still not undone, and
        :class:`TransactionError` when nothing of it can be tried again."""
        if not isinstance(error, RollbackError):
            raise TransactionError(f"retry_rollback() takes the RollbackError a rollback raised, not {error!r}")
        if self.closed:
            raise TransactionError("this client is closed: call retry_rollback() from an open client logged in "
                                   "to the same URL, database and user")  # fmt: skip
        # the client that made a call may be closed since (a `with` block ended): this one takes over
        orphans = [op for op in error.operations if op.client is not self and op.client.closed]
        for op in orphans:
            if op.client.cache_scope != self.cache_scope:
                raise TransactionError(
                    f"the client that made operation #{op.index} is closed, and this one is not logged in to "
                    f"the same URL, database and user {op.client.cache_scope}: call retry_rollback() from "
                    "a client that is"
                )
        for op in orphans:
            op.client = cast("ZenooClient", self)
        if not await retry(error.operations, cause=None, progress=progress):
            raise TransactionError("nothing to retry: every operation of that rollback was undone, or cannot be")

    @property
    def batch_manager(self) -> BatchManager:
        """zenoo-rpc's batch manager (created with its defaults on first use)."""
        if self._shared.batch_manager is None:
            self._shared.batch_manager = BatchManager(cast("ZenooClient", self))
        return self._shared.batch_manager

    async def setup_batch_manager(
        self, max_chunk_size: int = 100, max_concurrency: int = 5, timeout: float | None = None
    ) -> BatchManager:
        """zenoo-rpc's set-up of :attr:`batch_manager` (its bulk methods, ``create_batch()``)."""
        self._shared.batch_manager = BatchManager(cast("ZenooClient", self), max_chunk_size, max_concurrency, timeout)
        return self._shared.batch_manager

    @property
    def transaction_manager(self) -> TransactionManager:
        """zenoo-rpc's transaction manager (created on first use): ``transaction()`` and counters."""
        if self._shared.transaction_manager is None:
            self._shared.transaction_manager = TransactionManager(cast("ZenooClient", self))
        return self._shared.transaction_manager

    async def setup_transaction_manager(self, *, allow_unlink: bool = False) -> TransactionManager:
        """zenoo-rpc's set-up of :attr:`transaction_manager`; ``allow_unlink`` is its transactions'
        default. (zenoo-rpc's isolation options have no meaning here: each Odoo call is its own
        database transaction.)"""
        self._shared.transaction_manager = TransactionManager(cast("ZenooClient", self), allow_unlink=allow_unlink)
        return self._shared.transaction_manager
