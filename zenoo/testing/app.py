"""The ASGI application of the embedded server: faults, the request log, and sending answers."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from . import wire
from .faults import FaultDecision, FaultInjector
from .orm.exceptions import MEETS_A_CONCURRENT_UPDATE
from .proxy import TcpRelay
from .records import RequestLog, RequestRecord
from .routes import IncomingRequest, OdooRoutes, Prepared
from .wire import Response

Scope = dict[str, Any]


class NoConnectionToDrop(RuntimeError):
    """A drop fault for a request that came without a relayed TCP connection (in-process ones)."""


class OdooAsgiApp:
    """Serves :class:`OdooRoutes` over ASGI, applying injected faults and recording every request
    in ``log`` (None: in none).

    ``connection_close=True`` answers every HTTP/1.1 request with ``Connection: close`` and closes
    the connection afterwards, as bare Odoo (without a proxy in front) does.
    """

    def __init__(
        self,
        routes: OdooRoutes,
        faults: FaultInjector,
        log: RequestLog | None,
        relay: TcpRelay,
        *,
        connection_close: bool = False,
    ) -> None:
        self.routes = routes
        self.faults = faults
        self.log = log
        self.relay = relay
        self.connection_close = connection_close

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Any, send: Any) -> None:
        request = IncomingRequest(
            method=scope["method"],
            path=scope["path"],
            headers=_headers(scope["headers"]),
            body=await _read_body(receive),
        )
        prepared = self.routes.prepare(request)
        decision = self.faults.decide(request.path, prepared.method)
        peer_port = scope["client"][1] if scope.get("client") else 0
        http_version = scope.get("http_version", "1.1")
        connection_id = self.relay.connection_id(peer_port)

        if decision.latency:
            await asyncio.sleep(decision.latency)
        executed = False
        if decision.answer_503:
            response = wire.service_unavailable(decision.retry_after)
        elif decision.drop_phase == "before":
            response = None
        else:
            meeting = MEETS_A_CONCURRENT_UPDATE.set(decision.concurrent_update)
            try:
                response = prepared.run()
            finally:
                MEETS_A_CONCURRENT_UPDATE.reset(meeting)
            executed = True
            if decision.garbled:
                cut = response.body[: len(response.body) // 2] + b"<"  # never JSON, even if the half is
                response = dataclasses.replace(response, status=200, body=cut)
        if decision.drop_phase is not None:
            self._record(prepared, request, None, 0, http_version, connection_id, decision, executed)
            if not self.relay.drop(peer_port):
                if connection_id:  # relayed, and dropped already by another request on it (HTTP/2)
                    return
                raise NoConnectionToDrop(f"fault injection: no relayed connection for peer port {peer_port} to drop")
            await _wait_for_disconnect(receive)
            return
        assert response is not None
        self._record(
            prepared,
            request,
            response.status,
            len(response.body),
            http_version,
            connection_id,
            decision,
            executed,
        )
        await self._send(send, response, decision, http_version)

    def _record(
        self,
        prepared: Prepared,
        request: IncomingRequest,
        status: int | None,
        response_bytes: int,
        http_version: str,
        connection_id: int,
        decision: FaultDecision,
        executed: bool,
    ) -> None:
        # Recorded before the answer goes out: once a client has its response, the record is there.
        if self.log is None:
            return
        self.log.append(
            RequestRecord(
                protocol=prepared.protocol,
                path=request.path,
                model=prepared.model,
                method=prepared.method,
                params=prepared.params,
                status=status,
                response_bytes=response_bytes,
                http_version=http_version,
                connection_id=connection_id,
                fault=decision.label,
                executed=executed,
            )
        )

    async def _send(self, send: Any, response: Response, decision: FaultDecision, http_version: str) -> None:
        headers = [
            (b"content-type", response.content_type.encode("latin-1")),
            (b"content-length", str(len(response.body)).encode()),
        ]
        headers.extend(
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers
        )
        if self.connection_close and http_version == "1.1":
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if not decision.slow_body or not response.body:
            await send({"type": "http.response.body", "body": response.body})
            return
        chunks = min(decision.slow_body_chunks, len(response.body))
        size = -(-len(response.body) // chunks)
        pause = decision.slow_body / chunks
        for start in range(0, len(response.body), size):
            await asyncio.sleep(pause)
            last = start + size >= len(response.body)
            await send(
                {
                    "type": "http.response.body",
                    "body": response.body[start : start + size],
                    "more_body": not last,
                }
            )


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}; {text}" if key == "cookie" and key in headers else text
    return headers


async def _read_body(receive: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _wait_for_disconnect(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
