"""The ``zenoo`` command line: one argparse subcommand per job.

``zenoo serve --demo [--version 19] [--port 8069] [--scale N] [--tls]`` runs the embedded
Odoo-compatible server. Subcommands register in ``_SUBCOMMANDS``: each adds its parser and
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


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [_add_serve]


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
