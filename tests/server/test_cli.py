"""``zenoo serve --demo`` and ``python -m zenoo.testing``: argument parsing and a real start in a child process."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from zenoo.cli import build_parser
from zenoo.testing.console import describe

from .http_helpers import result, service


def test_serve_parses_its_options() -> None:
    args = build_parser().parse_args(
        ["serve", "--demo", "--version", "17", "--port", "0", "--scale", "500", "--tls"]
    )
    assert (args.version, args.port, args.scale, args.tls, args.http2) == (17, 0, 500, True, False)
    assert build_parser().parse_args(["serve", "--demo"]).scale == "small"


@pytest.mark.parametrize(
    "argv",
    [
        ["serve"],
        ["serve", "--demo", "--version", "18"],
        ["serve", "--demo", "--scale", "huge"],
        ["serve", "--demo", "--scale", "-3"],
        [],
    ],
)
def test_serve_refuses_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_describe_prints_url_database_and_credentials(odoo_server_19: Any) -> None:
    out = io.StringIO()
    describe(odoo_server_19, out)
    text = out.getvalue()
    assert odoo_server_19.url in text and odoo_server_19.database in text
    for user in odoo_server_19.users.values():
        assert user.login in text and user.password in text and user.api_key in text


def test_zenoo_serve_runs_until_terminated() -> None:
    command = [
        sys.executable,
        "-c",
        "from zenoo.cli import main; raise SystemExit(main())",
        "serve",
        "--demo",
        "--version",
        "17",
        "--port",
        "0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith("Embedded Odoo 17 server at http://127.0.0.1:"), lines
        url = lines[0].split(" at ", 1)[1].strip()
        database = lines[1].removeprefix("database: ").strip()
        with httpx.Client(base_url=url) as http:
            assert result(service(http, "db", "list")) == [database]
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_python_m_zenoo_testing_rejects_http2_without_tls() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zenoo.testing", "--http2", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "http2=True needs tls=True" in done.stderr


def test_serve_on_a_busy_port_says_so_in_one_line(odoo_server_19: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zenoo.testing", "--port", str(odoo_server_19.port)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("zenoo serve: the embedded Odoo server failed to start")
    assert "ddress already in use" in done.stderr and "Traceback" not in done.stderr


def test_serve_refuses_an_existing_database_file(tmp_path: Path) -> None:
    existing = tmp_path / "odoo.sqlite"
    existing.write_bytes(b"someone's data")
    done = subprocess.run(
        [sys.executable, "-m", "zenoo.testing", "--port", "0", "--database-path", str(existing)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"database_path {str(existing)!r} already exists" in done.stderr
    assert existing.read_bytes() == b"someone's data"
