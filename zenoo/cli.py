"""The ``zenoo`` command line: one argparse subcommand per job.

``zenoo serve --demo [--version 19] [--port 8069] [--scale N] [--tls]`` runs the embedded
Odoo-compatible server; ``zenoo codegen res.partner sale.order -o models.py --url … --db … --user …
--password …|--api-key …`` writes model classes. Subcommands register in ``_SUBCOMMANDS``: each adds its parser and
sets ``handler`` (a function of the parsed arguments returning the exit code).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable

from zenoo.client import ZenooClient
from zenoo.models.codegen import generate_source


def _add_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .testing.console import add_serve_arguments, run_serve

    parser = subparsers.add_parser(
        "serve",
        help="run the embedded Odoo-compatible server with generated demo data",
        description="Run the embedded Odoo-compatible server (a local test server) and print how to log in.",
    )
    parser.add_argument("--demo", action="store_true", required=True, help="serve the generated demo database")
    add_serve_arguments(parser)
    parser.set_defaults(handler=run_serve)


def _add_codegen(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "codegen",
        help="generate OdooModel classes from a server's fields_get",
        description="Write Python source of OdooModel classes for the given models, read from a live server.",
    )
    _codegen_arguments(parser)
    parser.set_defaults(handler=_run_codegen)


#: The environment variable each connection option of ``zenoo codegen`` falls back to.
ENV_VARS = {
    "url": "ZENOO_URL",
    "db": "ZENOO_DB",
    "user": "ZENOO_USER",
    "password": "ZENOO_PASSWORD",
    "api_key": "ZENOO_API_KEY",
}


def _codegen_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``zenoo codegen`` (each connection option falls back to its ZENOO_* variable)."""
    parser.add_argument("models", nargs="+", help="Odoo model names, e.g. res.partner sale.order")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    parser.add_argument("--url", help=f"server URL (env {ENV_VARS['url']})")
    parser.add_argument("--db", help=f"database (env {ENV_VARS['db']})")
    parser.add_argument("--user", help=f"login (env {ENV_VARS['user']})")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--password", help=f"password (env {ENV_VARS['password']})")
    secret.add_argument("--api-key", dest="api_key", help=f"API key (env {ENV_VARS['api_key']})")


def _option(args: argparse.Namespace, name: str) -> str | None:
    return getattr(args, name, None) or os.environ.get(ENV_VARS[name]) or None


async def _generate(args: argparse.Namespace) -> str:
    url, user = _option(args, "url"), _option(args, "user")
    password, api_key = _option(args, "password"), _option(args, "api_key")
    missing = [flag for flag, value in (("--url", url), ("--user", user)) if not value]
    if not (password or api_key):
        missing.append("--password or --api-key")
    if missing:
        raise SystemExit(f"zenoo codegen: missing {', '.join(missing)} (or their ZENOO_* variables)")
    async with ZenooClient(str(url)) as client:
        if api_key:
            await client.login_with_api_key(_option(args, "db"), str(user), api_key)
        else:
            await client.login(_option(args, "db"), str(user), str(password))
        return await generate_source(client, args.models)


def _run_codegen(args: argparse.Namespace) -> int:
    """``zenoo codegen``: returns the exit status."""
    source = asyncio.run(_generate(args))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(source)
        print(f"wrote {len(args.models)} model(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(source)
    return 0


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [_add_serve, _add_codegen]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zenoo", description="Zenoo: an Odoo client for data work.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
