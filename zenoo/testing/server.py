"""``OdooTestServer``: a real HTTP server on loopback that answers like Odoo 17 or Odoo 19.

::

    with OdooTestServer(version=19, scale="small") as srv:
        srv.url, srv.database, srv.users["admin"].api_key
        srv.faults.set(error_503_rate=1.0, count=2)   # the next two requests get 503 + Retry-After
        srv.requests                                   # what was served

Clients connect to a small TCP relay (``proxy.TcpRelay``) that forwards to hypercorn on another
loopback port; it gives each connection an id and lets fault injection close a connection without
any answer. Hypercorn serves HTTP/1.1, and with ``tls=True, http2=True`` HTTPS with ALPN h2 and
http/1.1 using a generated test CA (``srv.ca_cert_path``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import DEVNULL, PIPE, Popen, TimeoutExpired
from typing import Any, Self

from .faults import FaultInjector
from .inprocess import InProcessTransport
from .records import RequestLog, RequestRecord
from .sessions import SessionStore

logger = logging.getLogger("zenoo.testing")

SUPPORTED_VERSIONS = (17, 19)
_START_TIMEOUT = 300.0  # seconds; generating a large demo database takes a while


@dataclass(frozen=True)
class TestUser:
    """A user of the embedded server. Secrets are left out of ``repr``."""

    __test__ = False  # not a pytest test class, despite its name

    login: str
    password: str = field(repr=False)
    api_key: str = field(repr=False)
    uid: int



def _holds_data(path: str) -> bool:
    """Whether a file is at ``path`` and not empty."""
    return os.path.exists(path) and os.path.getsize(path) > 0


def _quiet_cancellations(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The server loop's exception handler: a connection still open when the server stops has its
    task cancelled, which Python 3.11's streams report as an error (from a done callback); that is
    the stop, not a failure. Anything else goes to the default handler."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)

class OdooTestServer:
    """An embedded Odoo-compatible server, started with ``start()`` or ``with``.

    ``version``: 17 or 19 (version strings, error codes and JSON-2 availability follow it).
    ``scale``: demo data size (``"small"``, ``"medium"``, ``"large"`` or a number of partners).
    ``port``: 0 picks a free port. ``connection_close=True`` answers like bare Odoo does, with
    ``Connection: close`` on every HTTP/1.1 response; the default keeps connections alive, as Odoo
    behind a proxy does. ``tls=True`` serves HTTPS with a generated CA; ``http2=True`` (needs TLS)
    offers HTTP/2 through ALPN. ``subprocess=True`` runs the server in a child process (for
    benchmarks: it keeps the server off the client's GIL); such a server cannot be inspected:
    ``requests``, ``reset_requests()``, ``faults`` and ``expire_sessions()`` raise RuntimeError.
    ``record_requests=False`` keeps no log of the requests (``requests`` then raises): what a server
    nobody inspects, such as ``zenoo serve``'s, uses, so that its memory does not grow with every
    request it serves.
    """

    def __init__(
        self,
        version: int = 19,
        scale: str | int = "small",
        *,
        seed: int = 42,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        http2: bool = False,
        connection_close: bool = False,
        subprocess: bool = False,
        database_path: str | Path | None = None,
        record_requests: bool = True,
    ) -> None:
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(f"version must be one of {SUPPORTED_VERSIONS}, got {version!r}")
        if http2 and not tls:
            raise ValueError("http2=True needs tls=True: HTTP/2 is offered through TLS ALPN, as proxies do")
        if http2 and connection_close:
            raise ValueError(
                "connection_close=True imitates bare Odoo over HTTP/1.1; it cannot be combined with http2"
            )
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port!r}")
        from .orm.demo_data import partner_count

        partner_count(scale)  # a bad scale is a ValueError now, not a failed start
        self.version = version
        self.scale = scale
        self.seed = seed
        self.host = host
        self.tls = tls
        self.http2 = http2
        self.connection_close = connection_close
        self.subprocess = subprocess
        self.database_path = None if database_path is None else str(database_path)
        if self.database_path is not None and _holds_data(self.database_path):
            raise ValueError(f"database_path {self.database_path!r} already exists: the server creates a fresh "
                             "database in it; remove the file or choose another path")
        self._requested_port = port
        self._port: int | None = None
        self._database: str | None = None
        self._users: dict[str, TestUser] = {}
        self._log = RequestLog() if record_requests else None
        self._faults = FaultInjector()
        self._sessions = SessionStore()
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._started_once = False
        self._ca_cert_path: Path | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._app: Any = None  # the ASGI app, while serving in a thread
        self._stop_event: asyncio.Event | None = None
        self._startup_error: BaseException | None = None
        self._process: Popen[str] | None = None

    # --- public API ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (or https)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self._require_port()}"

    @property
    def port(self) -> int:
        return self._require_port()

    @property
    def database(self) -> str:
        self._require_port()
        assert self._database is not None
        return self._database

    @property
    def users(self) -> dict[str, TestUser]:
        """Users by login (``"admin"``, ``"demo"``), with their password, API key and uid."""
        self._require_port()
        return dict(self._users)

    @property
    def ca_cert_path(self) -> Path | None:
        """The test CA certificate clients pass as ``verify`` (None without TLS)."""
        return self._ca_cert_path

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the log of requests served so far, oldest first."""
        return self._require_log("requests").snapshot()

    def reset_requests(self) -> None:
        """Empty the request log."""
        self._require_log("reset_requests()").clear()

    @property
    def faults(self) -> FaultInjector:
        """Fault injection: ``srv.faults.set(...)`` / ``srv.faults.clear()``."""
        self._require_inspectable("faults")
        return self._faults

    def expire_sessions(self) -> int:
        """Forget every web session (clients holding a cookie get 'session expired'); returns how many."""
        self._require_inspectable("expire_sessions()")
        return self._sessions.expire_all()

    def in_process_transport(self) -> InProcessTransport:
        """An httpx transport that serves requests without a socket: ``ZenooClient(srv.url,
        transport=srv.in_process_transport())``. Calls skip TCP, the relay and hypercorn, and are
        logged in ``requests`` as usual (HTTP/1.1, connection id 0). A drop fault ends the request
        as a closed connection does; slow bodies arrive whole and timeouts are not applied."""
        self._require_inspectable("in_process_transport()")
        self._require_port()
        assert self._app is not None and self._loop is not None
        return InProcessTransport(self._app, self._loop)

    @property
    def running(self) -> bool:
        return self._port is not None

    def start(self) -> Self:
        """Start serving; returns once the server accepts connections."""
        if self.running:
            raise RuntimeError("this OdooTestServer is already running")
        if self.database_path is not None and self._started_once:  # its own database of the last run:
            Path(self.database_path).unlink(missing_ok=True)  # a restart starts afresh, as without a path
        self._workdir = tempfile.TemporaryDirectory(prefix="zenoo-odoo-")
        try:
            if self.subprocess:
                self._start_process()
            else:
                self._start_thread()
        except BaseException:
            self._workdir.cleanup()
            self._workdir = None
            raise
        self._started_once = True
        return self

    def stop(self) -> None:
        """Stop serving and release everything (idempotent)."""
        if self._process is not None:
            self._stop_process()
        if self._thread is not None:
            self._stop_thread()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
        self._port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"<OdooTestServer odoo{self.version} {where}>"

    # --- helpers ---------------------------------------------------------------------------------

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError("the OdooTestServer is not running: call start() or use it in a with block")
        return self._port

    def _require_log(self, what: str) -> RequestLog:
        self._require_inspectable(what)
        if self._log is None:
            raise RuntimeError(f"{what} is not available: this server keeps no request log (record_requests=False)")
        return self._log

    def _require_inspectable(self, what: str) -> None:
        if self.subprocess:
            raise RuntimeError(
                f"{what} is not available for a subprocess=True server (it runs in another process)"
            )

    # --- in-process server (a thread with its own event loop) ----------------------------------

    def _start_thread(self) -> None:
        ready = threading.Event()
        self._startup_error = None
        self._thread = threading.Thread(
            target=self._thread_main, args=(ready,), name=f"zenoo-odoo{self.version}-server", daemon=True
        )
        self._thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError(f"the embedded Odoo server did not start within {_START_TIMEOUT:.0f} s")
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError(
                f"the embedded Odoo server failed to start: {self._startup_error}"
            ) from self._startup_error

    def _thread_main(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet_cancellations)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as exc:
            if ready.is_set():
                logger.exception("the embedded Odoo server stopped with an error")
            else:
                self._startup_error = exc
        finally:
            ready.set()
            loop.close()

    async def _serve(self, ready: threading.Event) -> None:
        import hypercorn.asyncio

        from .app import OdooAsgiApp
        from .orm import Registry
        from .proxy import TcpRelay
        from .routes import OdooRoutes

        registry = Registry(version=self.version, scale=self.scale, seed=self.seed, path=self.database_path)
        relay: TcpRelay | None = None
        try:
            self._database = registry.database
            self._users = {
                login: TestUser(user.login, user.password, user.api_key, user.uid)
                for login, user in registry.users.items()
            }
            upstream = _listening_socket("127.0.0.1", 0)
            try:
                public = _listening_socket(self.host, self._requested_port)
            except OSError:
                upstream.close()
                raise
            relay = TcpRelay("127.0.0.1", upstream.getsockname()[1])
            try:
                await relay.start(public)  # the relay's server owns `public` from here on
            except OSError:
                upstream.close()
                public.close()
                raise
            config = self._hypercorn_config(upstream.detach())  # hypercorn owns the upstream socket
            app = OdooAsgiApp(
                OdooRoutes(registry, self._sessions),
                self._faults,
                self._log,
                relay,
                connection_close=self.connection_close,
            )
            self._app = app
            self._stop_event = asyncio.Event()
            serving = asyncio.ensure_future(
                hypercorn.asyncio.serve(app, config, shutdown_trigger=self._stop_event.wait)  # type: ignore[arg-type]
            )
            self._port = public.getsockname()[1]
            ready.set()  # connections made before hypercorn accepts wait in the listen backlog
            await serving
        finally:
            if relay is not None:
                await relay.close()
            registry.close()

    def _hypercorn_config(self, upstream_fd: int) -> Any:
        from hypercorn.config import Config

        config = Config()
        config.bind = [f"fd://{upstream_fd}"]
        config.include_server_header = False
        config.graceful_timeout = 1.0
        config.keep_alive_timeout = 75.0  # like nginx in front of Odoo
        config.errorlog = logging.getLogger("zenoo.testing.hypercorn")
        if self.tls:
            assert self._workdir is not None
            from .tls import issue_certificate

            certificate = issue_certificate(Path(self._workdir.name))
            config.certfile = str(certificate.cert_chain_path)
            config.keyfile = str(certificate.key_path)
            config.alpn_protocols = ["h2", "http/1.1"] if self.http2 else ["http/1.1"]
            self._ca_cert_path = certificate.ca_cert_path
        return config

    def _stop_thread(self) -> None:
        assert self._thread is not None
        loop, stop_event = self._loop, self._stop_event
        if loop is not None and stop_event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop_event.set)
        self._thread.join(timeout=30)
        if self._thread.is_alive():
            logger.warning("the embedded Odoo server thread did not stop within 30 s")
        self._thread = None
        self._loop = None
        self._app = None
        self._stop_event = None

    # --- subprocess server -----------------------------------------------------------------------

    def _start_process(self) -> None:
        command = [
            sys.executable,
            "-m",
            "zenoo.testing",
            "--version",
            str(self.version),
            "--scale",
            str(self.scale),
            "--seed",
            str(self.seed),
            "--host",
            self.host,
            "--port",
            str(self._requested_port),
            "--ready-json",
        ]
        if self.tls:
            command.append("--tls")
        if self.http2:
            command.append("--http2")
        if self.connection_close:
            command.append("--connection-close")
        if self.database_path is not None:
            command.extend(["--database-path", self.database_path])
        self._process = Popen(command, stdout=PIPE, stdin=DEVNULL, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            code = self._process.wait()
            self._process = None
            raise RuntimeError(
                f"the embedded Odoo server process exited with code {code} before it was ready"
            )
        info = json.loads(line)
        self._database = info["database"]
        self._users = {login: TestUser(**user) for login, user in info["users"].items()}
        self._ca_cert_path = Path(info["ca_cert_path"]) if info.get("ca_cert_path") else None
        self._port = int(info["port"])

    def _stop_process(self) -> None:
        assert self._process is not None
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
        sock.setblocking(False)
    except OSError:  # a busy port: the socket never served, it is closed here
        sock.close()
        raise
    return sock


def ready_message(server: OdooTestServer) -> dict[str, Any]:
    """What a subprocess server tells its parent once it serves (one JSON line on stdout)."""
    return {
        "port": server.port,
        "database": server.database,
        "users": {
            login: {"login": user.login, "password": user.password, "api_key": user.api_key, "uid": user.uid}
            for login, user in server.users.items()
        },
        "ca_cert_path": str(server.ca_cert_path) if server.ca_cert_path else None,
    }
