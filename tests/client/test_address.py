"""Server address parsing: what a user types becomes one base URL, or a clear error."""

from __future__ import annotations

import pytest

from zenoo import ConfigurationError, Limits, ZenooClient
from zenoo.cache.redis_cache import RedisCache, redact_url
from zenoo.transport import parse_server_address


@pytest.mark.parametrize(
    ("given", "port", "protocol", "expected"),
    [
        ("https://odoo.example.com", None, None, "https://odoo.example.com"),
        ("https://odoo.example.com/", None, None, "https://odoo.example.com"),
        ("http://odoo.example.com", None, None, "http://odoo.example.com"),  # a URL means port 80
        ("http://localhost:8069", None, None, "http://localhost:8069"),
        ("https://example.com/odoo/", None, None, "https://example.com/odoo"),
        ("HTTPS://Example.com:8443", None, None, "https://example.com:8443"),
        ("http://[::1]:8069", None, None, "http://[::1]:8069"),
        ("localhost", None, None, "http://localhost:8069"),  # bare Odoo's port
        ("localhost", 8070, None, "http://localhost:8070"),
        ("localhost:8070", None, None, "http://localhost:8070"),
        ("odoo.example.com", None, "https", "https://odoo.example.com"),
        ("odoo.example.com", 8443, "https", "https://odoo.example.com:8443"),
        ("odoo.example.com", None, "http", "http://odoo.example.com:8069"),
        ("https://odoo.example.com", 443, "https", "https://odoo.example.com"),
        ("10.0.0.5", 80, "http", "http://10.0.0.5"),
        ("odoo.example.com", None, "HTTPS", "https://odoo.example.com"),  # the scheme, in any case
    ],
)
def test_addresses(given: str, port: int | None, protocol: str | None, expected: str) -> None:
    assert parse_server_address(given, port, protocol).base_url == expected


@pytest.mark.parametrize(
    ("given", "port", "protocol", "message"),
    [
        ("", None, None, "empty"),
        ("ftp://odoo.example.com", None, None, "unsupported URL scheme 'ftp'"),
        ("odoo.example.com", None, "gopher", "unknown protocol 'gopher'"),
        ("http://odoo.example.com:8069", 8070, None, "contradicts the port 8069"),
        ("https://odoo.example.com", None, "http", "contradicts the URL's scheme"),
        ("odoo example com", None, None, "malformed server address"),
        ("http://", None, None, "no valid host"),
        ("http://host:99999", None, None, "malformed server URL"),
        ("localhost", 0, None, "invalid port 0"),
        ("https://odoo.example.com/?db=x", None, None, "query string"),
    ],
)
def test_bad_addresses(given: str, port: int | None, protocol: str | None, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace("?", r"\?")):
        parse_server_address(given, port, protocol)


@pytest.mark.parametrize(
    "given",
    [
        "https://admin:s3cr3t-pw@odoo.example.com",
        "admin:s3cr3t-pw@odoo.example.com",  # no scheme
        "http://odoo.example.com/?password=s3cr3t-pw",
        "https://odoo.example.com/odoo?api_key=s3cr3t-pw",
        "https://odoo.example.com/#s3cr3t-pw",
    ],
)
def test_secrets_in_an_address_are_refused_without_echoing_them(given: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_server_address(given)
    assert "s3cr3t-pw" not in str(info.value)
    assert "login()" in str(info.value) or "query string or fragment (not shown here)" in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pa/ss@h:6379/0", "redis://:***@h:6379/0"),  # an unencoded / in the password
        ("redis://:p#ss@h:6379/0", "redis://:***@h:6379/0"),
        ("redis://user:pass@h:6379/1", "redis://user:***@h:6379/1"),
        ("redis://user@h:6379/1", "redis://user@h:6379/1"),
    ],
)
def test_a_redis_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize("url", ["redis://:p@ss/w#rd@127.0.0.1:6392/0", "redis://:pa/ss@h:6379/0", "redis://:a?b@h/0"])
def test_a_redis_url_whose_password_would_be_misread_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="part of its password as the host or path: URL-encode") as info:
        RedisCache(url)
    assert "ss/w" not in str(info.value) and "pa/ss" not in str(info.value) and ":a?b" not in str(info.value)


@pytest.mark.parametrize("url", ["redis://:pa%40ss%2F@h:6379/0", "redis://h:6379/0?password=a@b", "unix:///r.sock"])
def test_a_redis_url_with_an_encoded_password_is_taken(url: str) -> None:
    shown = RedisCache(url).url
    assert "pa%40ss" not in shown and "a@b" not in shown and shown.startswith(url.partition(":")[0])


def test_client_validates_options_before_any_request() -> None:
    with pytest.raises(ConfigurationError, match="unknown api 'xmlrpc'"):
        ZenooClient("localhost", api="xmlrpc")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_concurrency must be at least 1"):
        ZenooClient("localhost", limits=Limits(max_concurrency=0))
    with pytest.raises(ConfigurationError, match="timeout must be a positive number of seconds"):
        ZenooClient("localhost", timeout=0)
    with pytest.raises(ConfigurationError, match="timeout must be a positive number of seconds .* got '30'"):
        ZenooClient("localhost", timeout="30")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="http2 must be True or False, got 'no'"):
        ZenooClient("localhost", http2="no")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_connections must be at least 1, got 2.5"):
        ZenooClient("localhost", limits=Limits(max_connections=2.5))  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_keepalive_connections must be 0 or more"):
        ZenooClient("localhost", limits=Limits(max_keepalive_connections=-1))
    with pytest.raises(ConfigurationError, match="retry must be a RetryPolicy"):
        ZenooClient("localhost", retry=3)  # type: ignore[arg-type]
