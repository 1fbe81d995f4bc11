"""The ``zenoo`` command line: one argparse subcommand per job.

``zenoo serve --demo [--version 19] [--port 8069] [--scale N] [--tls]`` runs the embedded
Odoo-compatible server; ``zenoo codegen res.partner sale.order -o models.py --url … --db … --user …
--password …|--api-key …`` writes model classes. Subcommands register in ``_SUBCOMMANDS``: each adds its parser and
sets ``handler`` (a function of the parsed arguments returning the exit code).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


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
    from .models import codegen

    parser = subparsers.add_parser(
        "codegen",
        help="generate OdooModel classes from a server's fields_get",
        description="Write Python source of OdooModel classes for the given models, read from a live server.",
    )
    codegen.add_arguments(parser)
    parser.set_defaults(handler=codegen.run)


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
