"""httpx transports that make a request's answer go wrong, around a real one (``inner``), for tests on
every target: what a client sees when a server is slow or a connection fails."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import orjson


def _execute_kw_args(request: httpx.Request) -> list[Any]:
    """The ``args`` of a JSON-RPC ``execute_kw`` request: db, uid, password, model, method, args, kwargs."""
    args: list[Any] = orjson.loads(request.content).get("params", {}).get("args", []) if request.content else []
    return args


def method_of(request: httpx.Request) -> str | None:
    """The model method a JSON-RPC ``execute_kw`` request calls."""
    args = _execute_kw_args(request)
    return args[4] if len(args) > 4 else None


class AnswersLate(httpx.AsyncBaseTransport):
    """Times out the first JSON-RPC call of ``method`` before the server has run it, which it does
    later, on :meth:`land`: a request still running on the server when its client gave up."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str) -> None:
        self.inner, self.method, self.held = inner, method, None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if method_of(request) == self.method and self.held is None:
            self.held = request
            raise httpx.ReadTimeout("the answer did not come in time", request=request)
        return await self.inner.handle_async_request(request)

    async def land(self) -> None:
        assert self.held is not None
        response = await self.inner.handle_async_request(self.held)
        await response.aread()
        await response.aclose()

    async def aclose(self) -> None:
        await self.inner.aclose()


class LosesAnswer(httpx.AsyncBaseTransport):
    """Sends every request, then loses the answer of the first JSON-RPC call of ``method``: the
    connection dropped after the call ran."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str) -> None:
        self.inner, self.method, self.sent = inner, method, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if method_of(request) == self.method:
            self.sent += 1
            if self.sent == 1:
                await response.aclose()
                raise httpx.ReadError("connection lost after sending", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class SlowToAnswer(httpx.AsyncBaseTransport):
    """Takes ``seconds`` to pass the first JSON-RPC call of ``method`` on (``in_flight`` is set
    meanwhile): a slow server, still running a request that its caller has given up on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, seconds: float) -> None:
        self.inner, self.method, self.seconds = inner, method, seconds
        self.in_flight = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if method_of(request) == self.method and not self.in_flight.is_set():
            self.in_flight.set()
            await asyncio.sleep(self.seconds)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class HoldsAnswer(httpx.AsyncBaseTransport):
    """Keeps the answer of the first JSON-RPC call of ``method``, which the server has run, until
    :meth:`release` or for ``seconds``; ``answered`` says when it was passed on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, seconds: float) -> None:
        self.inner, self.method, self.seconds = inner, method, seconds
        self.released = asyncio.Event()
        self.held = self.answered = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if method_of(request) == self.method and not self.held:
            self.held = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), self.seconds)
            self.answered = True
        return response

    def release(self) -> None:
        self.released.set()

    async def aclose(self) -> None:
        await self.inner.aclose()


class AnswersWith(httpx.AsyncBaseTransport):
    """Passes every request on, then replaces the result of the first JSON-RPC call of ``method``
    (which the server ran) with ``result``: a proxy or an override answering something else."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, result: Any) -> None:
        self.inner, self.method, self.result, self.done = inner, method, result, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if method_of(request) != self.method or self.done:
            return response
        self.done = True
        envelope = orjson.loads(await response.aread())
        await response.aclose()
        return httpx.Response(response.status_code, headers={"Content-Type": "application/json"},
                              content=orjson.dumps({**envelope, "result": self.result}), request=request)  # fmt: skip

    async def aclose(self) -> None:
        await self.inner.aclose()


class RecordsCalls(httpx.AsyncBaseTransport):
    """Passes every request on, keeping the method and context of each JSON-RPC call in ``calls``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.calls: list[tuple[str | None, dict[str, object]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        args = _execute_kw_args(request)
        kwargs = args[6] if len(args) > 6 and isinstance(args[6], dict) else {}
        self.calls.append((method_of(request), dict(kwargs.get("context") or {})))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
