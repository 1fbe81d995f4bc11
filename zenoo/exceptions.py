"""The one exception hierarchy of zenoo, rooted at :class:`ZenooError`.

::

    ZenooError
    ├── TransportError                 the request did not get a usable HTTP answer
    │   ├── ZenooConnectionError       could not connect / connection dropped (also a builtin ConnectionError)
    │   ├── ZenooTimeoutError          connect, read or pool timeout (also a builtin TimeoutError;
    │   │                              alias RequestTimeoutError)
    │   ├── ServerUnavailableError     HTTP 429/502/503/504 (usually from a proxy)
    │   ├── RequestTooLargeError       HTTP 413: a request body over the server's or proxy's limit
    │   └── CircuitOpenError           the circuit breaker is open: failing fast
    ├── ProtocolError                  the answer was not what the protocol promises
    │   └── ProtocolNotSupportedError  e.g. JSON-2 forced against a server without it
    ├── OdooServerError                an error raised by Odoo, mapped by its exception name
    │   ├── AuthenticationError        odoo.exceptions.AccessDenied, bad login, HTTP 401
    │   ├── SessionExpiredError        odoo.http.SessionExpiredException (code 100)
    │   ├── MethodNotFoundError        unknown model or method (HTTP 404 on JSON-2)
    │   └── UserError                  odoo.exceptions.UserError
    │       ├── AccessError            odoo.exceptions.AccessError
    │       ├── MissingError           odoo.exceptions.MissingError
    │       └── ValidationError        odoo.exceptions.ValidationError
    ├── BatchError                     a batch or bulk write did not complete everywhere: ``.result``
    │                                  (a BatchResult) says per call what was written, failed or is
    │                                  unknown (alias BatchExecutionError)
    ├── RollbackError                  a transaction's rollback left something not undone:
    │                                  ``.operations`` lists each operation and its state
    │                                  (alias TransactionRollbackError)
    ├── ConflictError                  a frame write-back found records changed on the server since
    │                                  the frame was read: ``.conflicts`` (id, field, original,
    │                                  server, yours); nothing was written
    └── ClientError                    raised by zenoo itself, not by Odoo (also a builtin ValueError)
        ├── ConfigurationError         bad URL, unknown protocol, bad option (also a builtin TypeError)
        ├── NotAuthenticatedError      a call before login
        ├── FieldError                 unknown field or path segment (with suggestions)
        ├── InvalidLookupError         unknown lookup/operator, or one not valid for the field
        ├── InvalidValueError          a value of the wrong type, unknown selection key, …
        │                              (also a builtin TypeError)
        ├── UnboundRecordError         a record not loaded through a client, or never saved (no id)
        │                              (also a builtin RuntimeError)
        ├── BlockingCallError          a blocking call from the loop thread that would run it
        │                              (also a builtin RuntimeError)
        ├── DoesNotExist               get() or a reload found no record (also a MissingError)
        ├── TransactionError           a transaction used wrongly: closed, or an unlink it cannot undo
        └── MultipleObjectsReturned    get() matched more than one record
                                       (deprecated alias MultipleResultsError)

Where zenoo used to raise a builtin, the class that replaced it also derives from that builtin, so
``except TypeError`` (or ``ValueError``, ``RuntimeError``, ``MissingError``) keeps working. The one
builtin zenoo still raises is :class:`AttributeError` from attribute lookup (a record field that was
not loaded, an unknown module attribute), as ``hasattr`` and ``getattr(obj, name, default)`` need.

A private method (``_compute_…``) is refused by Odoo with an AccessError and stays an
:class:`AccessError`. Server-side ``ValueError``/``TypeError``/``KeyError`` (bad domain, bad
arguments, JSON-2's 422 UnprocessableEntity) stay a plain :class:`OdooServerError`.

Server errors keep what Odoo sent: ``odoo_name`` (e.g. ``"odoo.exceptions.AccessError"``),
``message``, ``arguments``, ``debug`` (the server's traceback text), ``code`` (JSON-RPC error
code) and ``http_status`` (JSON-2). No exception ever carries a password, API key or session id.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from typing import Any

from zenoo._deprecation import warn_renamed

__all__ = [
    "AccessError",
    "AuthenticationError",
    "BatchError",
    "BlockingCallError",
    "CircuitOpenError",
    "ClientError",
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
    "server_error_from_odoo",
]


class ZenooError(Exception):
    """Root of every error zenoo raises."""


# --- transport ---------------------------------------------------------------------------------


class TransportError(ZenooError):
    """The request did not get a usable HTTP answer.

    ``url`` is the address called (never with credentials). ``request_sent`` is False only when
    zenoo knows the request never reached the server (connection refused, pool timeout); the
    retry policy relies on it.
    """

    def __init__(self, message: str, *, url: str | None = None, request_sent: bool = True) -> None:
        super().__init__(message)
        self.url = url
        self.request_sent = request_sent


class ZenooConnectionError(TransportError, builtins.ConnectionError):
    """Could not connect to the server, or the connection was dropped.

    Also a built-in :class:`ConnectionError`, so ``except ConnectionError`` catches it whether or
    not the name was imported from here (zenoo-rpc code imports it from its exceptions module).
    """


class ZenooTimeoutError(TransportError, builtins.TimeoutError):
    """The server did not answer in time (also a built-in :class:`TimeoutError`)."""


class ServerUnavailableError(TransportError):
    """HTTP 429, 502, 503 or 504: the server or a proxy in front of it refused or failed the request.

    ``http_status`` is the status; ``retry_after`` the delay in seconds the server asked for, if any.
    """

    def __init__(
        self, message: str, *, url: str | None = None, http_status: int, retry_after: float | None = None
    ) -> None:
        super().__init__(message, url=url, request_sent=True)
        self.http_status = http_status
        self.retry_after = retry_after


class RequestTooLargeError(TransportError):
    """HTTP 413: the server or a proxy in front of it refused the request body as too large.

    The call was not run and is never retried (the same body would be refused again).
    ``bytes_sent`` is the size of the refused body; ``http_status`` is 413.
    """

    def __init__(self, message: str | None = None, *, url: str | None = None, bytes_sent: int) -> None:
        if message is None:
            message = (
                f"HTTP 413 from {url}: the request body ({bytes_sent:,} bytes) is larger than the server, "
                "or a proxy in front of it, accepts (nginx: client_max_body_size); the call was not run: "
                "send fewer records per call (bulk writes: a smaller chunk_size) or raise the limit"
            )
        super().__init__(message, url=url, request_sent=True)
        self.http_status = 413
        self.bytes_sent = bytes_sent


class CircuitOpenError(TransportError):
    """The circuit breaker is open after repeated failures; calls fail fast until it half-opens.

    ``retry_at`` is the wall-clock time (``time.time()``) when the next probe is allowed.
    """

    def __init__(self, message: str, *, url: str | None = None, retry_at: float | None = None) -> None:
        super().__init__(message, url=url, request_sent=False)
        self.retry_at = retry_at


# --- protocol ----------------------------------------------------------------------------------


class ProtocolError(ZenooError):
    """The server's answer does not follow the protocol (not JSON, wrong envelope, …).

    ``url`` is the address that answered, when the error is about an HTTP answer (never with
    credentials); None for an answer whose value zenoo could not use (a date it cannot read …).
    """

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class ProtocolNotSupportedError(ProtocolError):
    """The requested protocol is not available on this server (e.g. JSON-2 before Odoo 19)."""


# --- server ------------------------------------------------------------------------------------


class OdooServerError(ZenooError):
    """An error raised by the Odoo server.

    ``odoo_name`` is Odoo's exception name (``"odoo.exceptions.AccessError"``,
    ``"builtins.ValueError"`` …); ``message``, ``arguments`` and ``debug`` are as Odoo sent them.
    """

    def __init__(
        self,
        message: str,
        *,
        odoo_name: str | None = None,
        arguments: Sequence[Any] = (),
        debug: str | None = None,
        code: int | None = None,
        http_status: int | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.odoo_name = odoo_name
        self.arguments = tuple(arguments)
        self.debug = debug
        self.code = code
        self.http_status = http_status
        self.context = context or {}

    def __str__(self) -> str:
        return f"{self.odoo_name}: {self.message}" if self.odoo_name else self.message


class ConcurrentUpdateError(OdooServerError):
    """Odoo rolled the request back because another transaction updated the same rows at the same
    time (PostgreSQL's serialization failure, deadlock or lock timeout, after Odoo's own retries):
    nothing of it was written, and it can be sent again. Bulk writes and write-backs do so, alone
    (see docs/writing.md)."""


class AuthenticationError(OdooServerError):
    """Login failed or the credentials were refused (Odoo's AccessDenied, HTTP 401)."""


class SessionExpiredError(OdooServerError):
    """The web session expired or was destroyed (JSON-RPC error code 100)."""


class MethodNotFoundError(OdooServerError):
    """The model or method does not exist."""


class UserError(OdooServerError):
    """Odoo's UserError: a business rule refused the operation."""


class AccessError(UserError):
    """Odoo's AccessError: the user lacks the rights for this operation."""


class MissingError(UserError):
    """Odoo's MissingError: the record does not exist or was deleted."""


class ValidationError(UserError):
    """Odoo's ValidationError: a constraint refused the values."""


_BY_ODOO_NAME: dict[str, type[OdooServerError]] = {
    "odoo.exceptions.AccessDenied": AuthenticationError,
    "werkzeug.exceptions.Unauthorized": AuthenticationError,
    "odoo.http.SessionExpiredException": SessionExpiredError,
    "odoo.exceptions.AccessError": AccessError,
    "odoo.exceptions.MissingError": MissingError,
    "odoo.exceptions.ValidationError": ValidationError,
    "odoo.exceptions.UserError": UserError,
    "odoo.exceptions.RedirectWarning": UserError,
    "werkzeug.exceptions.NotFound": MethodNotFoundError,
    "werkzeug.exceptions.Forbidden": AccessError,
    "psycopg2.errors.SerializationFailure": ConcurrentUpdateError,
    "psycopg2.errors.DeadlockDetected": ConcurrentUpdateError,
    "psycopg2.errors.LockNotAvailable": ConcurrentUpdateError,
    "odoo.exceptions.ConcurrencyError": ConcurrentUpdateError,
}


def _is_not_found(odoo_name: str | None, message: str, http_status: int | None) -> bool:
    """Unknown model or method, in the words Odoo 17 and 19 use.

    - ``builtins.AttributeError`` "The method '…' does not exist …" (unknown method, JSON-RPC)
    - ``odoo.exceptions.UserError`` "Object no.such.model doesn't exist" (unknown model, JSON-RPC)
    - ``builtins.Exception`` "Method not found: …" (unknown method of a service such as ``common``)
    - any other HTTP 404 on JSON-2 that is not a known Odoo exception (MissingError is 404 too)
    """
    if odoo_name == "builtins.AttributeError" and "does not exist" in message:
        return True
    if odoo_name == "odoo.exceptions.UserError" and _UNKNOWN_MODEL.match(message):
        return True
    if odoo_name == "builtins.Exception" and message.startswith("Method not found"):
        return True
    return http_status == 404 and odoo_name not in _BY_ODOO_NAME


_UNKNOWN_MODEL = re.compile(r"^Object \S+ doesn't exist$")


def server_error_from_odoo(
    message: str,
    *,
    odoo_name: str | None = None,
    arguments: Sequence[Any] = (),
    debug: str | None = None,
    code: int | None = None,
    http_status: int | None = None,
    context: dict[str, Any] | None = None,
) -> OdooServerError:
    """Build the exception class that matches Odoo's exception name (and HTTP status on JSON-2)."""
    cls: type[OdooServerError] | None
    if _is_not_found(odoo_name, message, http_status):
        cls = MethodNotFoundError
    else:
        cls = _BY_ODOO_NAME.get(odoo_name or "")
    if cls is None:
        if code == 100:
            cls = SessionExpiredError
        elif http_status == 401:
            cls = AuthenticationError
        elif http_status == 403:
            cls = AccessError
        else:
            cls = OdooServerError
    return cls(
        message,
        odoo_name=odoo_name,
        arguments=arguments,
        debug=debug,
        code=code,
        http_status=http_status,
        context=context,
    )


# --- writes: batches and transactions -----------------------------------------------------------


class BatchError(ZenooError):
    """A batch or bulk write did not complete on every record.

    ``result`` is the :class:`zenoo.writing.BatchResult`: per call, the ids written, the error, or
    ``"unknown"`` when the request may have reached the server (nothing is re-sent then: check
    those rows by a marker field or an external id).
    """

    def __init__(self, message: str, *, result: Any) -> None:
        super().__init__(message)
        self.result = result


class RollbackError(ZenooError):
    """A transaction's rollback could not undo everything it recorded.

    ``operations`` lists every operation of the rolled-back scope with its state (undone, changed
    meanwhile by someone else and left, irreversible, unknown, undo failed …); ``not_undone``
    only those that were not fully undone. The exception that caused the rollback, if any, is the
    ``__cause__``.
    """

    def __init__(self, message: str, *, operations: Sequence[Any]) -> None:
        super().__init__(message)
        self.operations = list(operations)

    @property
    def not_undone(self) -> list[Any]:
        return [op for op in self.operations if not op.undone]


class ConflictError(ZenooError):
    """A frame write-back refused to write: records changed on the server since the frame was read.

    ``conflicts`` is a Polars frame with one row per cell: ``id, field, original`` (the value the
    frame was read with), ``server`` (the value now) and ``yours`` (the edited value), as text; a
    record deleted meanwhile shows ``server`` as ``(deleted)``. Nothing was written, or, when a
    write-back of several requests found the conflict while it ran, what it had sent was undone.
    """

    def __init__(self, message: str, *, conflicts: Any) -> None:
        super().__init__(message)
        self.conflicts = conflicts


# --- client-side -------------------------------------------------------------------------------


class ClientError(ZenooError, ValueError):
    """Raised by zenoo itself, not by Odoo: mostly bad input, refused before anything is sent."""


class ConfigurationError(ClientError, TypeError):
    """Bad configuration: malformed URL, unknown protocol, an option of the wrong type or value.

    Also a built-in :class:`TypeError`, as the options of ``@cached`` were before.
    """


class NotAuthenticatedError(ClientError):
    """A call that needs a user was made before ``login``."""


class FieldError(ClientError):
    """An unknown field or path segment; the message names the model and suggests close matches."""


class InvalidLookupError(ClientError):
    """An unknown lookup/operator, or one that is not valid for the field's type."""


class InvalidValueError(ClientError, TypeError):
    """A value that does not fit: wrong type, unknown selection key, missing required value, a
    result that cannot be cached. Also a built-in :class:`TypeError`."""


class UnboundRecordError(ClientError, RuntimeError):
    """A record (or relation) used as if it came from Odoo when it did not: not bound to a client,
    or never saved (no id). Also a built-in :class:`RuntimeError`."""


class BlockingCallError(ClientError, RuntimeError):
    """A blocking call made from the event-loop thread that would have to run it (it would wait on
    itself forever): ``await`` the async API there. Also a built-in :class:`RuntimeError`."""


class DoesNotExist(ClientError, MissingError):
    """``get()`` matched no record, or a record being reloaded is gone.

    Also a :class:`MissingError`, which these cases raised before: ``except MissingError`` keeps
    working, but is deprecated for them (it also catches Odoo's own MissingError); catch
    ``DoesNotExist``.
    """


class MultipleObjectsReturned(ClientError):
    """``get()`` matched more than one record (formerly ``MultipleResultsError``, still an alias)."""


class TransactionError(ClientError):
    """A transaction used wrongly, refused before anything is sent: a call after it ended, a
    savepoint of another transaction, an unlink it could not undo (``allow_unlink=False``)."""


# --- deprecated and zenoo-rpc names ---------------------------------------------------------------

_RENAMED = {"MultipleResultsError": "MultipleObjectsReturned"}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        warn_renamed(__name__, name, _RENAMED[name])
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: zenoo-rpc's names for :class:`BatchError` and :class:`RollbackError`.
BatchExecutionError = BatchError
TransactionRollbackError = RollbackError
RequestTimeoutError = ZenooTimeoutError
"""zenoo-rpc's name for `ZenooTimeoutError`."""
#: zenoo-rpc's name for :class:`ZenooConnectionError`, for ``from zenoo.exceptions import
#: ConnectionError``. Deliberately left out of ``__all__``: a star import must not shadow the
#: built-in, which catches zenoo's connection errors anyway (ZenooConnectionError derives from it).
ConnectionError = ZenooConnectionError
