"""Passwords, API keys and session ids never show in logs, reprs, exceptions or statistics."""

from __future__ import annotations

import logging

import httpx
import pytest

from zenoo import AuthenticationError, Client, ProtocolError, ZenooClient, ZenooError
from zenoo.client.sending import hide_secrets


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r}")


@pytest.fixture
def all_logs():  # type: ignore[no-untyped-def]
    handler = _Everything()
    root = logging.getLogger()
    previous = root.level
    names = ["httpx", "httpcore", "hpack", "h2", "zenoo", "asyncio"]
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def _scenario(server, secrets_seen: list[object], **options) -> None:  # type: ignore[no-untyped-def]
    admin = server.users["admin"]
    for login in ("password", "api_key"):
        async with ZenooClient(server.url, **options) as client:
            secrets_seen.append(client)
            if login == "password":
                await client.login(server.database, admin.login, admin.password)
            else:
                await client.login_with_api_key(server.database, admin.login, admin.api_key)
            secrets_seen += [client, client.stats, client.stats.as_dict(), client._shared.credentials]
            pid = await client.create("res.partner", {"name": "zenoo-redaction"})
            await client.search_read("res.partner", [["id", "=", pid]], ["name"])
            await client.unlink("res.partner", [pid])
            for bad in (
                client.call("res.partner", "no_such_method", kwargs={}),
                client.write("res.partner", [99999999], {"name": "x"}),
                client.call("res.partner", "_private", ids=[1]),
            ):
                with pytest.raises(ZenooError) as info:
                    await bad
                secrets_seen += [info.value, str(info.value), repr(info.value), info.value.__dict__]
        with pytest.raises(AuthenticationError) as wrong:
            async with ZenooClient(server.url, **options) as client:
                await client.login(server.database, admin.login, admin.password + "-wrong")
        secrets_seen += [wrong.value, str(wrong.value), repr(wrong.value)]
        with pytest.raises(AuthenticationError) as wrong_key:
            async with ZenooClient(server.url, **options) as client:
                await client.login_with_api_key(server.database, admin.login, admin.api_key[:-4] + "dead")
        secrets_seen += [wrong_key.value, str(wrong_key.value), repr(wrong_key.value)]


def _secrets(server) -> list[str]:  # type: ignore[no-untyped-def]
    admin = server.users["admin"]
    return [admin.password, admin.api_key, admin.password + "-wrong", admin.api_key[:-4] + "dead"]


@pytest.mark.parametrize("version", [17, 19])
async def test_no_secret_in_logs_reprs_errors_or_stats(all_logs, odoo_server_factory, version: int) -> None:  # type: ignore[no-untyped-def]
    # In a child process: the server's own HTTP/2 stack logs the headers it decodes, and only the
    # client's logs are under test here.
    server = odoo_server_factory(version=version, tls=True, http2=True, subprocess=True)
    seen: list[object] = []
    await _scenario(server, seen, verify_ssl=server.ca_cert_path)
    text = "\n".join(all_logs.lines) + "\n".join(repr(obj) + str(obj) for obj in seen)
    assert any(line.startswith("httpx ") for line in all_logs.lines)  # httpx did log at DEBUG
    assert any(line.startswith(("hpack", "h2")) for line in all_logs.lines)  # HTTP/2 ran
    for secret in _secrets(server):
        assert secret not in text
    if version >= 19:  # JSON-2 sent the key in a header: h2 marks it never-indexed, hpack redacts it
        assert "authorization=SENSITIVE_REDACTED" in text.replace("b'", "").replace("'", "")


def test_blocking_client_repr(target) -> None:  # type: ignore[no-untyped-def]
    # A secret equal to the login (real Odoo's admin/admin) cannot be told apart from the login, which
    # reprs show on purpose: such a password is checked on the embedded targets, the API key everywhere.
    logins = [("password", target.password)] if target.password != target.login else []
    if target.api_key:
        logins.append(("api_key", target.api_key))
    assert logins, f"{target.name}: no secret distinct from the login to check"
    for kind, secret in logins:
        with Client(target.url) as client:
            if kind == "password":
                client.login(target.database, target.login, secret)
            else:
                client.login_with_api_key(target.database, target.login, secret)
            assert client.uid
            assert secret not in repr(client) and secret not in repr(client.aclient._shared.__dict__)


def test_cookie_and_authorization_values_are_blanked_in_http_library_logs(all_logs) -> None:  # type: ignore[no-untyped-def]
    import zenoo.transport

    assert zenoo.transport.SECRET_BEARING_LOGGERS  # the filters are attached when zenoo is imported
    logging.getLogger("httpcore.http11").debug(
        "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', [(b'Set-Cookie', "
        "b'session_id=s3ss10n-1d; Path=/'), (b'content-type', b'application/json')])"
    )
    logging.getLogger("hpack.hpack").debug("Decoded %s, consumed %d", (b"authorization", b"Bearer k3y-v4lue"), 9)
    logging.getLogger("hpack.table").debug("Adding %s=%s to the header table", b"cookie", b"session_id=s3ss10n-1d")
    logging.getLogger("hpack.hpack").debug("Adding %s=%s to ...", b"authorization", b"SENSITIVE_REDACTED")
    text = "\n".join(all_logs.lines)
    assert "s3ss10n-1d" not in text and "k3y-v4lue" not in text
    assert text.count("<redacted>") == 3 and "b'application/json'" in text
    assert "b'authorization'=b'SENSITIVE_REDACTED'" in text  # hpack's own mark is kept as evidence


class _EchoesRequest(httpx.AsyncBaseTransport):
    """Once armed, a proxy's error page for each request carrying ``secret``, quoting the request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, secret: str) -> None:
        self.inner, self.secret, self.armed = inner, secret, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        quoted = f"{request.content.decode()} {request.headers.get('authorization', '')}"
        if not self.armed or self.secret not in quoted:
            return await self.inner.handle_async_request(request)
        page = f"<html>400 Bad Request: {quoted}</html>"
        return httpx.Response(400, text=page, headers={"Content-Type": "text/html"}, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("login", ["password", "api_key"])
async def test_an_answer_quoting_the_request_shows_no_secret(target, login: str) -> None:  # type: ignore[no-untyped-def]
    """Password or API key, in the body (JSON-RPC) or a header (JSON-2): the error, its repr and
    what the error hook receives mask it, for a call and for the login itself."""
    secret = target.password if login == "password" else target.api_key
    if not secret or secret == target.login:
        pytest.skip(f"{target.name}: no {login} distinct from the login to look for")
    transport = _EchoesRequest(target.transport or httpx.AsyncHTTPTransport(), secret)
    hooked: list[str] = []
    async with ZenooClient(target.url, transport=transport) as client:
        client.hooks.on("error", lambda event: hooked.append(str(event.error)))
        await target.log_in(client, login)
        transport.armed = True
        with pytest.raises(ProtocolError) as call:
            await client.search_count("res.partner", [["id", "=", 1]])
        with pytest.raises(ProtocolError) as log_in:
            await target.log_in(client, login)
    for error in (call.value, log_in.value):
        text = f"{error} {error!r} {error.__dict__!r}"
        assert "HTTP 400" in text and "<hidden>" in text and secret not in text
    assert hooked and not any(secret in line for line in hooked)


def test_a_short_secret_is_masked_as_a_word_a_long_one_anywhere() -> None:
    key = "0123456789abcdef0123456789abcdef01234567"
    error = ZenooError(f"The method 'res.partner.administrate_all' does not exist; sent [\"admin\"], pw=admin&k=x{key}y")
    error.add_note("werkzeug.exceptions.Unauthorized for admin")
    hide_secrets(error, ["admin", key, "x"])
    assert str(error) == "The method 'res.partner.administrate_all' does not exist; sent [\"<hidden>\"], pw=<hidden>&k=x<hidden>y"
    assert error.__notes__ == ["werkzeug.exceptions.Unauthorized for <hidden>"]
    punctuated = ZenooError("sent x-pw! and -pw!x")
    hide_secrets(punctuated, ["-pw!"])  # its ends are not word characters: no boundary to ask for
    assert str(punctuated) == "sent x<hidden> and <hidden>x"
