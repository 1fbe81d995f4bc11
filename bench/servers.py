"""The servers a benchmark runs against: the embedded one (a child process), then a real Odoo when
one is given (``--url/--db/--user/--password`` or the ``ZENOO_TEST_*`` variables)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Server:
    """Where a benchmark logs in, and the title its figures are printed under."""

    title: str
    url: str
    database: str
    user: str
    password: str


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """``--version`` and ``--no-embedded`` for the embedded server; ``--url/--db/--user/--password``
    for a real Odoo (defaults from ``ZENOO_TEST_*``)."""
    parser.add_argument("--version", type=int, default=19, choices=(17, 19), help="embedded server version")
    parser.add_argument("--no-embedded", action="store_true", help="only the real Odoo")
    parser.add_argument(
        "--url", default=os.environ.get("ZENOO_TEST_URL"), help="a real Odoo (or ZENOO_TEST_URL)"
    )
    parser.add_argument("--db", default=os.environ.get("ZENOO_TEST_DB"))
    parser.add_argument("--user", default=os.environ.get("ZENOO_TEST_USER"))
    parser.add_argument("--password", default=os.environ.get("ZENOO_TEST_PASSWORD"))


def servers(args: argparse.Namespace, **embedded: Any) -> Iterator[Server]:
    """The embedded server (unless ``--no-embedded``; running while its turn lasts, started with
    ``embedded`` as OdooTestServer options), then the real Odoo (if ``--url``)."""
    if not args.no_embedded:
        from zenoo.testing import OdooTestServer

        with OdooTestServer(version=args.version, subprocess=True, **embedded) as srv:
            admin = srv.users["admin"]
            yield Server(f"embedded server (Odoo {args.version} imitation)", srv.url, srv.database,
                         admin.login, admin.password)  # fmt: skip
    if args.url:
        yield Server(
            f"real Odoo at {args.url} (database {args.db})", args.url, args.db, args.user, args.password
        )
