"""``zenoo serve --demo`` / ``python -m zenoo.testing``: run the embedded server in a terminal.

It prints the URL, the database and each user's login, password and API key: the server is a local
test server and showing its generated credentials to the person who started it is the point.
They go to stdout only, never through ``logging``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import TextIO

from .server import OdooTestServer, ready_message

SCALES = ("small", "medium", "large")


def scale_argument(text: str) -> str | int:
    """``small``/``medium``/``large`` or a number of partners."""
    if text in SCALES:
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"scale must be one of {', '.join(SCALES)} or a number, got {text!r}"
        )
    if value <= 0:
        raise argparse.ArgumentTypeError(f"scale must be a positive number of partners, got {value}")
    return value


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the serve command (shared by ``zenoo serve`` and ``python -m zenoo.testing``)."""
    parser.add_argument("--version", type=int, choices=(17, 19), default=19, help="Odoo version to imitate")
    parser.add_argument(
        "--scale", type=scale_argument, default="small", help="demo data: small, medium, large or N partners"
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the generated demo data")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    parser.add_argument("--port", type=int, default=8069, help="port to listen on; 0 picks a free one")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated test CA")
    parser.add_argument("--http2", action="store_true", help="offer HTTP/2 (needs --tls)")
    parser.add_argument(
        "--connection-close", action="store_true", help="answer with 'Connection: close' like bare Odoo"
    )
    parser.add_argument("--database-path", help="SQLite file to keep the data in (default: a temporary one)")
    parser.add_argument(
        "--ready-json", action="store_true", help=argparse.SUPPRESS
    )  # subprocess=True servers


def describe(server: OdooTestServer, out: TextIO) -> None:
    """Print where the server listens and how to log in."""
    print(f"Embedded Odoo {server.version} server at {server.url}", file=out)
    print(f"database: {server.database}", file=out)
    if server.ca_cert_path is not None:
        print(f"test CA certificate (pass as verify=): {server.ca_cert_path}", file=out)
    for user in server.users.values():
        print(
            f"user {user.login!r}: uid {user.uid}, password {user.password!r}, API key {user.api_key!r}",
            file=out,
        )
    print("Press Ctrl+C to stop.", file=out, flush=True)


def run_serve(args: argparse.Namespace) -> int:
    """Start the server from parsed arguments and serve until interrupted or terminated."""
    try:
        server = OdooTestServer(
            version=args.version,
            scale=args.scale,
            seed=args.seed,
            host=args.host,
            port=args.port,
            tls=args.tls,
            http2=args.http2,
            connection_close=args.connection_close,
            database_path=args.database_path,
            record_requests=False,  # nobody can read the log of a served process
        )
    except ValueError as exc:
        print(f"zenoo serve: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        server.start()
    except RuntimeError as exc:  # a busy port, a failed start
        print(f"zenoo serve: {exc}", file=sys.stderr)
        return 2
    try:
        if args.ready_json:
            print(json.dumps(ready_message(server)), flush=True)
        else:
            describe(server, sys.stdout)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m zenoo.testing [options]``: the same as ``zenoo serve --demo [options]``."""
    parser = argparse.ArgumentParser(
        prog="python -m zenoo.testing", description="Run the embedded Odoo-compatible server with demo data."
    )
    add_serve_arguments(parser)
    return run_serve(parser.parse_args(argv))
