"""Zenoo: an async Python client for Odoo built for data work.

``ZenooClient`` is the async client, ``Client`` its blocking facade; every exception zenoo raises
derives from ``ZenooError``. See docs/connecting.md, docs/errors.md, docs/retries.md
and docs/writing.md (bulk writes, batches, transactions).
"""

from typing import Any

from zenoo._deprecation import warn_renamed
from zenoo.client import ServerFeatures, ZenooClient
from zenoo.config import Limits, Timeout
from zenoo.exceptions import (
    AccessError,
    AuthenticationError,
    BatchError,
    BlockingCallError,
    CircuitOpenError,
    ClientError,
    ConcurrentUpdateError,
    ConfigurationError,
    ConflictError,
    DoesNotExist,
    FieldError,
    InvalidLookupError,
    InvalidValueError,
    MethodNotFoundError,
    MissingError,
    MultipleObjectsReturned,
    NotAuthenticatedError,
    OdooServerError,
    ProtocolError,
    ProtocolNotSupportedError,
    RequestTimeoutError,
    RequestTooLargeError,
    RollbackError,
    ServerUnavailableError,
    SessionExpiredError,
    TransactionError,
    TransportError,
    UnboundRecordError,
    UserError,
    ValidationError,
    ZenooConnectionError,
    ZenooError,
    ZenooTimeoutError,
)
from zenoo.models import OdooModel
from zenoo.query import BlockingQuerySet, Q, QuerySet
from zenoo.retry import CircuitBreaker, RetryPolicy
from zenoo.stats import ClientStats, Hooks, RequestEvent
from zenoo.sync import Client
from zenoo.writing import Batch, BatchManager, BatchResult, Transaction, TransactionManager, atomic

__version__ = "0.1.0"

__all__ = [
    # clients
    "Client",
    "ZenooClient",
    # settings and what the server supports
    "Limits",
    "ServerFeatures",
    "Timeout",
    # queries and models
    "BlockingQuerySet",
    "OdooModel",
    "Q",
    "QuerySet",
    # resilience and observability
    "CircuitBreaker",
    "ClientStats",
    "Hooks",
    "RequestEvent",
    "RetryPolicy",
    # batches and transactions
    "Batch",
    "BatchManager",
    "BatchResult",
    "Transaction",
    "TransactionManager",
    "atomic",
    # exceptions
    "AccessError",
    "AuthenticationError",
    "BatchError",
    "BlockingCallError",
    "CircuitOpenError",
    "ClientError",
    "ConcurrentUpdateError",
    "ConfigurationError",
    "ConflictError",
    "DoesNotExist",
    "FieldError",
    "InvalidLookupError",
    "InvalidValueError",
    "MethodNotFoundError",
    "MissingError",
    "MultipleObjectsReturned",
    "NotAuthenticatedError",
    "OdooServerError",
    "ProtocolError",
    "ProtocolNotSupportedError",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "RollbackError",
    "ServerUnavailableError",
    "SessionExpiredError",
    "TransactionError",
    "TransportError",
    "UnboundRecordError",
    "UserError",
    "ValidationError",
    "ZenooConnectionError",
    "ZenooError",
    "ZenooTimeoutError",
]

_RENAMED = {"MultipleResultsError": "MultipleObjectsReturned", "SyncQuerySet": "BlockingQuerySet"}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        warn_renamed(__name__, name, _RENAMED[name])
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
