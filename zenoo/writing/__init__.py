"""The write path: bulk writes, batches and transactions (see docs/writing.md).

- :mod:`zenoo.writing.bulk`: ``bulk_create``/``bulk_write``/``bulk_unlink``, chunked and concurrent;
  :mod:`zenoo.writing.running`: how their requests run (in flight at once, after a failure, a
  deadline, a concurrent update);
- :mod:`zenoo.writing.load`: values as ``load``'s import text, and one ``load`` request;
- :mod:`zenoo.writing.batch`: ``client.batch()`` and its atomic mode; :mod:`zenoo.writing.pending`:
  the records a batch will create, as values of its other operations;
- :mod:`zenoo.writing.transaction`: ``client.transaction()``, savepoints, the recording of each
  write; :mod:`zenoo.writing.undo`: what is recorded and how a rollback undoes it;
  :mod:`zenoo.writing.stored`: whether a value on the server is what a write stored;
  :mod:`zenoo.writing.created`: what a creating call made (the ids of its answer, checked);
- :mod:`zenoo.writing.managers`: zenoo-rpc's ``BatchManager``, ``TransactionManager``, ``@atomic``;
- :mod:`zenoo.writing.results`: what a batch did (``BatchResult``);
- :mod:`zenoo.writing.recording`: the one hook in ``ZenooClient.call`` that transactions use;
- :mod:`zenoo.writing.blocking`: the blocking twins used by :class:`zenoo.Client`.
"""

from zenoo.writing.batch import Batch
from zenoo.writing.managers import BatchManager, TransactionManager, atomic
from zenoo.writing.pending import PendingRecords
from zenoo.writing.results import BatchResult, CallResult, OperationResult
from zenoo.writing.transaction import Savepoint, Transaction
from zenoo.writing.undo import Operation

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
