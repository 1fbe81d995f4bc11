"""zenoo-rpc's batch and transaction API: :class:`BatchManager`, :class:`TransactionManager`, ``@atomic``.

``await client.setup_batch_manager(...)`` / ``client.batch_manager`` and
``await client.setup_transaction_manager()`` / ``client.transaction_manager`` give these; they
are thin over :class:`~zenoo.writing.batch.Batch` and :class:`~zenoo.writing.transaction.Transaction`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from zenoo.exceptions import InvalidValueError, TransactionError
from zenoo.writing.batch import Batch
from zenoo.writing.bulk import value_rows
from zenoo.writing.progress import ProgressOption
from zenoo.writing.recording import current_recorder
from zenoo.writing.results import BatchResult
from zenoo.writing.running import Options
from zenoo.writing.transaction import Transaction

if TYPE_CHECKING:
    from zenoo.client import ZenooClient

T = TypeVar("T")


class BatchManager:
    """zenoo-rpc's batch manager: ``await client.setup_batch_manager(max_chunk_size=...)``, then
    ``client.batch_manager.bulk_create(...)``, ``create_batch()`` … ``execute()``.

    Its bulk methods raise :class:`BatchError` (with the BatchResult) unless every request is done.
    """

    def __init__(
        self, client: ZenooClient, max_chunk_size: int = 100, max_concurrency: int = 5, timeout: float | None = None
    ) -> None:
        self.client = client
        self.options = Options.of(max_chunk_size, max_concurrency, False, timeout=timeout)
        self.max_chunk_size = self.options.chunk_size
        self.max_concurrency = self.options.concurrency
        self.timeout = timeout
        self.stats = {"total_batches": 0, "completed_batches": 0, "failed_batches": 0}

    def _options(self, chunk_size: int | None) -> Options:
        return Options.of(chunk_size or self.max_chunk_size, self.max_concurrency, False, timeout=self.timeout)

    def create_batch(self, batch_id: str | None = None) -> Batch:
        """A new batch with the manager's options (zenoo-rpc's ``create_batch()``)."""
        return _CountedBatch(self, batch_id=batch_id)

    def batch(self) -> Batch:
        """``async with manager.batch() as batch:`` (zenoo-rpc's batch context)."""
        return _CountedBatch(self)

    async def _one(self, chunk_size: int | None, fill: Callable[[Batch], object]) -> BatchResult:
        batch = _CountedBatch(self, options=self._options(chunk_size))
        fill(batch)
        return (await batch.execute()).raise_for_errors()

    async def bulk_create(
        self, model: Any, records: Any, chunk_size: int | None = None, context: Mapping[str, Any] | None = None
    ) -> list[int]:
        """Create ``records``; their ids in input order (BatchError unless all are created)."""
        result = await self._one(chunk_size, lambda b: b.create(model, records, context))
        return [i for i in result.ids if i is not None]

    async def bulk_update(
        self,
        model: Any,
        data: Any,
        record_ids: Any = None,
        chunk_size: int | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> bool:
        """Write ``data`` on ``record_ids`` (or a list of dicts with ids); True."""
        await self._one(chunk_size, lambda b: b.update(model, data, record_ids, context))
        return True

    async def bulk_write(
        self, model: Any, updates: Any, chunk_size: int | None = None, context: Mapping[str, Any] | None = None
    ) -> bool:
        """``updates``: ``{id: values}``, or zenoo-rpc's ``[{"id": …, "data": {...}}]`` /
        ``[{"ids": [...], "data": {...}}]``."""

        def fill(batch: Batch) -> None:
            if isinstance(updates, Mapping):
                for record_id, values in updates.items():
                    batch.update(model, values, [record_id], context)
                return
            for index, item in enumerate(value_rows(updates, "bulk_write()")):
                ids = item.get("ids", [item["id"]] if "id" in item else None)
                if ids is None or not isinstance(item.get("data"), Mapping):
                    raise InvalidValueError(f"bulk_write(): item {index} needs 'id' or 'ids', and a dict of 'data'")
                batch.update(model, item["data"], ids, context)

        await self._one(chunk_size, fill)
        return True

    async def bulk_delete(
        self, model: Any, record_ids: Iterable[int], chunk_size: int | None = None, context: Mapping[str, Any] | None = None
    ) -> bool:
        """Delete ``record_ids``; True (BatchError unless all are deleted)."""
        await self._one(chunk_size, lambda b: b.delete(model, list(record_ids), context))
        return True

    async def bulk_unlink(
        self, model: Any, record_ids: Iterable[int], chunk_size: int | None = None, context: Mapping[str, Any] | None = None
    ) -> bool:
        """zenoo-rpc's other name for :meth:`bulk_delete`."""
        return await self.bulk_delete(model, record_ids, chunk_size, context)

    def get_stats(self) -> dict[str, int]:
        """Counts of the batches run: total, completed, failed."""
        return dict(self.stats)


class _CountedBatch(Batch):
    """A batch of a BatchManager: its options, and the manager's counters."""

    def __init__(self, manager: BatchManager, *, options: Options | None = None, batch_id: str | None = None) -> None:
        super().__init__(manager.client, options or manager.options, batch_id=batch_id)
        self._manager = manager

    async def execute(self, progress_callback: ProgressOption | None = None) -> BatchResult:
        """Run the batch and count it in the manager's stats."""
        try:
            result = await super().execute(progress_callback)
        except BaseException:
            self._manager.stats["failed_batches"] += 1
            raise
        finally:
            self._manager.stats["total_batches"] += 1
        self._manager.stats["completed_batches" if result.ok else "failed_batches"] += 1
        return result


class TransactionManager:
    """zenoo-rpc's transaction manager: ``client.transaction_manager.transaction()`` and counters."""

    def __init__(self, client: ZenooClient, *, allow_unlink: bool = False) -> None:
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
        progress: ProgressOption = False,
    ) -> Transaction:
        """A new transaction counted by this manager (see :class:`Transaction`)."""
        return Transaction(
            self.client,
            transaction_id,
            auto_commit,
            auto_rollback=auto_rollback,
            allow_unlink=self.allow_unlink if allow_unlink is None else allow_unlink,
            manager=self,
            progress=progress,
        )

    @property
    def current_transaction(self) -> Transaction | None:
        """The innermost transaction active in the current context, if any."""
        found = current_recorder()
        return found if isinstance(found, Transaction) else None

    def ended(self, transaction: Transaction) -> None:
        """Count a transaction that committed or rolled back."""
        if transaction.state == "committed":
            self.successful_transactions += 1
        else:
            self.failed_transactions += 1


def atomic(
    func: Any = None,
    /,
    *,
    client: ZenooClient | None = None,
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
        if inspect.isroutine(func):  # a plain function, not the client of @atomic(client)
            _refuse(func)
        return atomic(client=func, auto_commit=auto_commit, auto_rollback=auto_rollback, allow_unlink=allow_unlink)

    def decorate(function: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        if not inspect.iscoroutinefunction(function):
            _refuse(function)
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


def _refuse(function: Any) -> NoReturn:
    name = getattr(function, "__qualname__", None) or repr(function)
    raise TransactionError(f"@atomic wraps coroutine functions (async def); {name} is not one")


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
