"""A loopback TCP relay in front of hypercorn: it names connections and can really drop them.

An ASGI app cannot close its TCP connection without an HTTP answer (hypercorn turns an exception
into a 500 response), so clients connect to this relay, which forwards bytes to hypercorn
unchanged (TLS included: it never decrypts). The app finds the relay link of a request by the
peer port hypercorn reports (the relay's upstream socket) and can ``drop`` it: both sockets are
aborted and the client sees the connection close with no response at all.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from dataclasses import dataclass, field


class _Side(asyncio.Protocol):
    """One socket of a relayed connection; forwards what it receives to the other side."""

    def __init__(self, link: _Link) -> None:
        self.link = link
        self.transport: asyncio.Transport | None = None
        self.peer: _Side | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.write(data)

    def eof_received(self) -> bool:
        return False  # close this side; connection_lost closes the other one

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()  # flushes what is buffered, then closes
        self.link.closed()

    def pause_writing(self) -> None:  # our outgoing buffer is full: stop reading the other side
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()


class _ClientSide(_Side):
    """The accepted client socket: holds reading until the upstream connection is open."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        assert self.transport is not None
        self.transport.pause_reading()
        asyncio.get_running_loop().create_task(self.link.relay.connect_upstream(self.link))


@dataclass(eq=False)
class _Link:
    """A client connection and its upstream connection to hypercorn."""

    connection_id: int
    relay: TcpRelay
    client: _Side = field(init=False)
    upstream: _Side = field(init=False)
    upstream_port: int | None = None

    def __post_init__(self) -> None:
        self.client = _ClientSide(self)
        self.upstream = _Side(self)

    def abort(self) -> None:
        for side in (self.client, self.upstream):
            if side.transport is not None:
                side.transport.abort()

    def closed(self) -> None:
        self.relay.forget(self)


class TcpRelay:
    """Accepts clients on ``sock`` and relays each connection to ``upstream_port`` on loopback."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._ids = itertools.count(1)
        self._by_upstream_port: dict[int, _Link] = {}
        self._links: set[_Link] = set()
        self._server: asyncio.AbstractServer | None = None

    async def start(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._accept, sock=sock)

    def _accept(self) -> _Side:
        link = _Link(next(self._ids), self)
        self._links.add(link)
        return link.client

    async def connect_upstream(self, link: _Link) -> None:
        """Open the link's connection to hypercorn, then let the client's bytes flow."""
        client_transport = link.client.transport
        assert client_transport is not None
        loop = asyncio.get_running_loop()
        try:
            await loop.create_connection(lambda: link.upstream, *self._upstream)
        except OSError:
            client_transport.abort()
            return
        assert link.upstream.transport is not None
        link.upstream_port = link.upstream.transport.get_extra_info("sockname")[1]
        self._by_upstream_port[link.upstream_port] = link
        link.client.peer, link.upstream.peer = link.upstream, link.client
        if client_transport.is_closing():
            link.upstream.transport.close()
        else:
            client_transport.resume_reading()

    def connection_id(self, upstream_port: int) -> int:
        """The id of the client connection whose relay socket has this local port (0 if unknown)."""
        link = self._by_upstream_port.get(upstream_port)
        return link.connection_id if link is not None else 0

    def drop(self, upstream_port: int) -> bool:
        """Close the client connection behind ``upstream_port`` without any answer."""
        link = self._by_upstream_port.get(upstream_port)
        if link is None:
            return False
        link.abort()
        return True

    def forget(self, link: _Link) -> None:
        self._links.discard(link)
        if link.upstream_port is not None and self._by_upstream_port.get(link.upstream_port) is link:
            del self._by_upstream_port[link.upstream_port]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.abort()
        if self._server is not None:
            await self._server.wait_closed()
