"""Debian's nginx in front of a server, on loopback with TLS and HTTP/2, as production Odoo runs.

::

    with NginxProxy("http://127.0.0.1:8069") as proxy:
        client = ZenooClient(proxy.url, verify_ssl=proxy.ca_cert_path)
        proxy.access_log()          # one AccessLogEntry per request nginx answered

The configuration is ``nginx.conf`` next to this module (docs/deploying.md quotes it); ``@NAME@``
placeholders are filled in here. nginx runs in the foreground as a child process, with its own
prefix, temporary directories and logs under a temporary directory, and is stopped by ``stop()``.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, Popen, TimeoutExpired
from typing import Self
from urllib.parse import urlsplit

from .tls import issue_certificate

#: The configuration the tests run (and docs/deploying.md quotes).
CONFIG_TEMPLATE = Path(__file__).with_name("nginx.conf")
_START_TIMEOUT = 15.0
_PORT_ATTEMPTS = 5
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


@dataclass(frozen=True)
class AccessLogEntry:
    """One line of nginx's access log (the ``zenoo`` log format of nginx.conf).

    ``connection`` is nginx's serial number of the client connection; ``connection_requests`` how
    many requests that connection had carried, this one included. ``msec`` is when the answer
    ended (seconds since the epoch), ``request_time`` how long the request took.
    """

    connection: int
    connection_requests: int
    protocol: str
    method: str
    uri: str
    status: int
    request_length: int
    msec: float
    request_time: float
    upstream_status: str

    @property
    def started(self) -> float:
        """When nginx read the request's first bytes (seconds since the epoch)."""
        return self.msec - self.request_time


class NginxProxy:
    """nginx proxying ``https://127.0.0.1:PORT`` (HTTP/2 and HTTP/1.1) to ``upstream``.

    ``upstream``: the server's ``http://host:port``. ``read_timeout``: nginx's
    ``proxy_read_timeout`` in seconds (a longer call gets 504). ``max_body_size``:
    ``client_max_body_size`` (a larger request body gets 413), in nginx's notation (``"64m"``).
    ``executable``: the nginx binary (default: ``nginx`` on the PATH, or Debian's /usr/sbin/nginx).
    """

    def __init__(
        self,
        upstream: str,
        *,
        read_timeout: float = 720.0,
        max_body_size: str = "64m",
        executable: str | None = None,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise ValueError(f"upstream must be an http://host:port address, got {upstream!r}")
        if read_timeout <= 0:
            raise ValueError(f"read_timeout must be > 0 seconds, got {read_timeout!r}")
        self.upstream = f"{parts.hostname}:{parts.port}"
        self.read_timeout = read_timeout
        self.max_body_size = max_body_size
        self.executable = executable or shutil.which("nginx") or "/usr/sbin/nginx"
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._process: Popen[bytes] | None = None
        self._port: int | None = None
        self._ca_cert_path: Path | None = None

    # --- public API ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        if self._port is None:
            raise RuntimeError("the NginxProxy is not running: call start() or use it in a with block")
        return f"https://127.0.0.1:{self._port}"

    @property
    def ca_cert_path(self) -> Path:
        """The test CA certificate clients pass as ``verify_ssl``."""
        if self._ca_cert_path is None:
            raise RuntimeError("the NginxProxy is not running: call start() or use it in a with block")
        return self._ca_cert_path

    @property
    def prefix(self) -> Path:
        """nginx's prefix directory: configuration, logs and temporary files."""
        if self._workdir is None:
            raise RuntimeError("the NginxProxy is not running: call start() or use it in a with block")
        return Path(self._workdir.name)

    def access_log(self, at_least: int = 0, timeout: float = 5.0) -> list[AccessLogEntry]:
        """Every request nginx has answered so far, oldest first.

        nginx writes a request's line just after sending its answer, so a client can hold the answer
        before the line is there: ``at_least`` waits (up to ``timeout`` seconds) for that many lines.
        """
        path = self.prefix / "access.log"
        deadline = time.monotonic() + timeout
        while True:
            lines = path.read_text().splitlines() if path.exists() else []
            if len(lines) >= at_least or time.monotonic() > deadline:
                return [AccessLogEntry(**json.loads(line)) for line in lines if line]
            time.sleep(0.01)

    def error_log(self) -> str:
        """nginx's error log so far."""
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""

    def start(self) -> Self:
        """Start nginx; returns once it accepts connections."""
        if self._process is not None:
            raise RuntimeError("this NginxProxy is already running")
        if shutil.which(self.executable) is None:
            raise RuntimeError(
                f"nginx is not installed ({self.executable} not found): apt-get install nginx "
                "(`make test` installs it)"
            )
        self._workdir = tempfile.TemporaryDirectory(prefix="zenoo-nginx-")
        prefix = Path(self._workdir.name)
        prefix.chmod(0o755)  # nginx's workers may run as another user when the tests run as root
        certificate = issue_certificate(prefix)
        self._ca_cert_path = certificate.ca_cert_path
        try:
            for _ in range(_PORT_ATTEMPTS):  # a free port may be taken before nginx binds it
                port = _free_port()
                values = {
                    "PREFIX": str(prefix),
                    "PORT": str(port),
                    "UPSTREAM": self.upstream,
                    "CERTIFICATE": str(certificate.cert_chain_path),
                    "CERTIFICATE_KEY": str(certificate.key_path),
                    "MAX_BODY_SIZE": self.max_body_size,
                    "READ_TIMEOUT": f"{round(self.read_timeout * 1000)}ms",
                }
                (prefix / "nginx.conf").write_text(render_config(values))
                if self._launch(prefix, port):
                    self._port = port
                    return self
            raise RuntimeError(f"nginx found no free port in {_PORT_ATTEMPTS} attempts:\n{self.error_log()}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop nginx (fast shutdown) and remove its directory (idempotent)."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
        self._port = None
        self._ca_cert_path = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "stopped"
        return f"<NginxProxy {where} -> {self.upstream}>"

    # --- helpers ---------------------------------------------------------------------------------

    def _launch(self, prefix: Path, port: int) -> bool:
        """Start nginx on ``port``: True once it listens, False if the port was taken meanwhile."""
        (prefix / "error.log").unlink(missing_ok=True)  # only this attempt's messages
        command = [self.executable, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf")]
        command += ["-e", str(prefix / "error.log")]  # nginx's own error log from its first message
        process = Popen(command, stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL)
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                if "Address already in use" in self.error_log():
                    return False
                raise RuntimeError(f"nginx exited with code {process.returncode}:\n{self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                time.sleep(0.02)
                continue
            self._process = process
            return True
        process.kill()
        process.wait()
        raise RuntimeError(
            f"nginx did not accept connections within {_START_TIMEOUT:.0f} s:\n{self.error_log()}"
        )


def render_config(values: dict[str, str]) -> str:
    """nginx.conf with every ``@NAME@`` replaced by ``values[NAME]``; a name left over is an error."""
    text = CONFIG_TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = sorted(set(_PLACEHOLDER.findall(text)))
    if left:
        raise ValueError(f"nginx.conf placeholders without a value: {left}")
    return text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
