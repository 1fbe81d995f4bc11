"""No password, API key or session id in any log record of the whole test run.

``conftest.py`` captures every record from collection on (DEBUG, every logger) and moves this
test to the end of the run, so it checks what all the other tests logged: the client, httpx,
httpcore, h2/hpack, the cache, the frames layer and the embedded server. The secrets are those of
the shared embedded servers (which most tests use) and of the real Odoo when configured; the
private servers of the fault and TLS tests are checked by ``test_redaction.py``.
"""

from __future__ import annotations

import os
import re

_SESSION_ID = re.compile(r"session_id=([A-Za-z0-9_\-]{16,})")


def test_no_secret_in_any_log_record_of_the_suite_run(suite_logs, odoo_server_17, odoo_server_19) -> None:  # type: ignore[no-untyped-def]
    secrets = [
        secret
        for server in (odoo_server_17, odoo_server_19)
        for user in server.users.values()
        for secret in (user.password, user.api_key)
    ]
    assert all(len(secret) >= 8 for secret in secrets)
    # a real Odoo's secrets; a password equal to the login (admin/admin) cannot be told apart from
    # the login, which logs show on purpose: there the API key is checked
    real_login = os.environ.get("ZENOO_TEST_USER")
    secrets += [
        os.environ[name]
        for name in ("ZENOO_TEST_PASSWORD", "ZENOO_TEST_API_KEY")
        if os.environ.get(name) and os.environ[name] != real_login
    ]
    lines = suite_logs.lines
    # the capture really saw the run: the client's and httpx's DEBUG records are there
    assert any(line.startswith("zenoo.client ") for line in lines)
    assert any(line.startswith("httpx ") for line in lines)
    leaks = [line for line in lines if any(secret in line for secret in secrets)]
    assert leaks == [], f"{len(leaks)} log record(s) hold a password or API key, e.g. {leaks[0]:.300}"
    sessions = [line for line in lines if _SESSION_ID.search(line)]
    assert sessions == [], f"log record(s) hold a session id, e.g. {sessions[0]:.300}"
