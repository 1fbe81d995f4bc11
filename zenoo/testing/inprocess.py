"""Requests to an embedded server without a socket: an httpx transport for ``ZenooClient(transport=...)``.

Each request is handed to the server's ASGI app (through ``httpx.ASGITransport``) on the server's
own event loop thread, where its TCP requests are served too, so the SQLite ORM is only ever used
from that thread. The client awaits the answer on its own loop, whichever loop that is. A drop
fault ends the request as a closed connection would, without an answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .app import NoConnectionToDrop


class InProcessTransport(httpx.AsyncBaseTransport):
    """Serves a client's requests with the ASGI ``app`` running on ``loop`` (another thread's)."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
        self._loop = loop

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # the body crosses to the server's loop as bytes
        serve = self._asgi.handle_async_request(request)
        try:
            future = asyncio.run_coroutine_threadsafe(serve, self._loop)
        except RuntimeError:  # the server's loop is closed: the server was stopped
            serve.close()
            raise httpx.ConnectError("the embedded server is stopped", request=request) from None
        try:
            return await asyncio.wrap_future(future)
        except NoConnectionToDrop:  # a drop fault: what a client sees when the server closes on it
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request) from None
