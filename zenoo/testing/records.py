"""What the embedded server remembers about each request it served (``srv.requests``)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from zenoo.exceptions import ClientError
from zenoo.protocols.signatures import named

Protocol = Literal["jsonrpc", "json2", "web", "http"]

REDACTED = "<redacted>"


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it.

    ``params`` are the decoded call arguments (``{"args": [...], "kwargs": {...}}`` for JSON-RPC and
    web calls, the JSON object for JSON-2); passwords and API keys in them are replaced by
    ``"<redacted>"``. ``fault`` names the injected fault (``"latency"``, ``"503"``, ``"drop-before"``,
    ``"drop-after"``, ``"slow-body"``) or is None; ``executed`` tells whether the server ran the call
    (False when a fault answered or dropped the request before it reached the ORM).
    ``connection_id`` is the same for every request carried by one TCP connection.
    """

    protocol: Protocol
    path: str
    model: str | None
    method: str | None
    params: Any
    status: int | None  # None when the connection was dropped without an answer
    response_bytes: int
    http_version: str
    connection_id: int
    fault: str | None
    executed: bool

    @property
    def arguments(self) -> dict[str, Any]:
        """The call's parameters by name, however they were sent (positionally on JSON-RPC, named
        on JSON-2): record ids as ``"ids"``, then the method's parameters (Odoo 19's names for the
        ORM methods of :mod:`zenoo.protocols.signatures`); positional arguments of other methods
        under ``"args"``. Empty for a request that is not a model call."""
        params = self.params
        if not isinstance(params, Mapping) or self.model is None or self.method is None:
            return {}
        if self.protocol == "json2":
            return {name: value for name, value in params.items() if name != "context"}
        args, kwargs = list(params.get("args") or ()), dict(params.get("kwargs") or {})
        kwargs.pop("context", None)
        try:
            ids, values = named(self.model, self.method, None, args, kwargs)
        except ClientError:  # a method zenoo has no signature for: keep its positional arguments
            ids, values = None, {"args": args, **kwargs}
        return {"ids": ids, **values} if ids is not None else values


class RequestLog:
    """A thread-safe list of :class:`RequestRecord`: appended by the server, read by tests."""

    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
