"""The write path: bulk writes, batches and transactions (see docs/writing.md).

- :mod:`zenoo.writing.bulk`: ``bulk_create``/``bulk_write``/``bulk_unlink``, chunked and concurrent;
- :mod:`zenoo.writing.batch`: ``client.batch()``, its atomic mode, and zenoo-rpc's ``BatchManager``;
- :mod:`zenoo.writing.transaction`: ``client.transaction()``, savepoints, ``@atomic``, zenoo-rpc's
  ``TransactionManager``;
- :mod:`zenoo.writing.results`: what a batch did (``BatchResult``);
- :mod:`zenoo.writing.recording`: the one hook in ``ZenooClient.call`` that transactions use;
- :mod:`zenoo.writing.blocking`: the blocking twins used by :class:`zenoo.Client`.
"""

from zenoo.writing.batch import Batch, BatchManager, PendingRecords
from zenoo.writing.results import BatchResult, CallResult, OperationResult
from zenoo.writing.transaction import Operation, Savepoint, Transaction, TransactionManager, atomic

__all__ = [
    "Batch",
    "BatchManager",
    "BatchResult",
    "CallResult",
    "Operation",
    "OperationResult",
    "PendingRecords",
    "Savepoint",
    "Transaction",
    "TransactionManager",
    "atomic",
]
