"""Fixtures of the client tests: logged-in clients for every target, and the suite-wide log capture.

Every log record of the whole test run (all directories, DEBUG level, zenoo, httpx, httpcore,
h2, hpack …) is kept from the moment this conftest is loaded, which is during collection, before
any test runs; ``test_suite_logs.py`` (moved to the end of the run) checks them for secrets.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import pytest

from zenoo import ZenooClient

#: Loggers whose DEBUG output the capture must see (some libraries set their own levels).
CAPTURED_LOGGERS = ("zenoo", "zenoo_frames", "httpx", "httpcore", "h2", "hpack", "h11", "redis", "asyncio")
SUITE_LOG_TEST = "test_suite_logs.py::test_no_secret_in_any_log_record_of_the_suite_run"


class SuiteLogCapture(logging.Handler):
    """Keeps the text of every record: message, arguments and exception text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = f"{record.name} {record.getMessage()}"
        except (TypeError, ValueError):  # arguments that do not fit the format: keep the raw parts
            text = f"{record.name} {record.msg!r} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        self.lines.append(text)


SUITE_LOGS = SuiteLogCapture()


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    if SUITE_LOGS not in root.handlers:
        root.addHandler(SUITE_LOGS)
        root.setLevel(logging.DEBUG)
        for name in CAPTURED_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)


@pytest.fixture
def suite_logs() -> SuiteLogCapture:
    """Every log record of the run so far (see the module docstring)."""
    return SUITE_LOGS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the suite-wide log check last, after every other test of the run."""
    last = [item for item in items if item.nodeid.endswith(SUITE_LOG_TEST)]
    for item in last:
        items.remove(item)
    items.extend(last)


@pytest.fixture
async def client(target) -> AsyncIterator[ZenooClient]:  # type: ignore[no-untyped-def]
    """Admin logged in with the password (JSON-RPC on every version), waiting ``answer_timeout``."""
    async with target.client(timeout=target.answer_timeout) as zc:
        await target.log_in(zc, "password")
        yield zc


@pytest.fixture
async def key_client(target) -> AsyncIterator[ZenooClient]:  # type: ignore[no-untyped-def]
    """Admin logged in with the API key (JSON-2 on Odoo 19+)."""
    if not target.api_key:
        pytest.skip(f"{target.name}: no API key configured")
    async with target.client() as zc:
        await target.log_in(zc, "api_key")
        yield zc


@pytest.fixture(params=["password", "api_key"])
async def any_client(request: pytest.FixtureRequest, target) -> AsyncIterator[ZenooClient]:  # type: ignore[no-untyped-def]
    """Both login paths (so both protocols on Odoo 19)."""
    if request.param == "api_key" and not target.api_key:
        pytest.skip(f"{target.name}: no API key configured")
    async with target.client() as zc:
        await target.log_in(zc, request.param)
        yield zc


@pytest.fixture(params=[17, 19])
def quiet_server(request: pytest.FixtureRequest, odoo_server_factory):  # type: ignore[no-untyped-def]
    """A private embedded server, 17 and 19: faults and exact request counts without other tests' traffic."""
    return odoo_server_factory(version=request.param)


@pytest.fixture
def tag() -> str:
    """A unique name prefix for the records a test creates."""
    return f"zenoo-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def cleanup(client: ZenooClient, tag: str) -> AsyncIterator[None]:
    """Removes, after the test, every partner (archived ones too) whose name starts with ``tag``."""
    yield
    ids = await client.search("res.partner", [["name", "like", f"{tag}%"]], context={"active_test": False})
    if ids:
        await client.unlink("res.partner", ids)
