"""HTTP transport: server address parsing, one pooled httpx.AsyncClient, JSON encoding.

Everything that touches the network goes through :class:`Transport`: one ``httpx.AsyncClient``
(HTTP/2 when the server offers it over TLS, keep-alive pool with limits, timeouts; or an injected
httpx transport, such as an ``httpx.ASGITransport`` serving an app in-process; with HTTP/2 on, a
second, HTTP/1.1 one for bodies over :data:`HTTP2_MAX_BODY`), a semaphore
bounding the number of requests in flight, and the mapping of httpx failures to zenoo's transport
errors. It never sees passwords or API keys except inside request bodies/headers it is handed,
and it keeps no cookies (Odoo's session cookie is not needed by the RPC protocols).

Why this module is long: it is the whole HTTP layer (addresses, the JSON body codec, the redaction
of the HTTP stack's logs, the pool and its error mapping), each part small and used by the others'
callers through this one module.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import http.cookiejar
import logging
import math
import re
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from zenoo.config import Limits, Timeout
from zenoo.exceptions import (
    ClientError,
    ConfigurationError,
    InvalidValueError,
    ProtocolError,
    RequestTooLargeError,
    ServerUnavailableError,
    ZenooConnectionError,
    ZenooTimeoutError,
)
from zenoo.fields.values import date_to_odoo, datetime_to_odoo, non_finite_error, python_scalar

logger = logging.getLogger("zenoo.transport")

#: Port of a bare Odoo server (used when only a host name is given).
ODOO_DEFAULT_PORT = 8069
_SCHEME_PORTS = {"http": 80, "https": 443}
_HOST_RE = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?$")
#: Statuses that mean "the server or a proxy did not serve this request".
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})
#: A larger request body goes over HTTP/1.1 even when HTTP/2 is on: over HTTP/2, httpcore waits for
#: flow-control room to send the rest of a body the server already answered (a proxy's 413, then
#: RST_STREAM) until the read timeout. 65,535 bytes is HTTP/2's initial stream window.
HTTP2_MAX_BODY = 65_535

_ON_SENT: ContextVar[Callable[[], None] | None] = ContextVar("zenoo_on_sent", default=None)


@contextmanager
def notify_when_sent(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` each time a request made in this block (or in a task created in it) has
    been written out, so that the caller can work while the server answers."""
    token = _ON_SENT.set(callback)
    try:
        yield
    finally:
        _ON_SENT.reset(token)


def _trace(callback: Callable[[], None]) -> Callable[[str, dict[str, Any]], Any]:
    """httpcore's ``trace`` extension, calling ``callback`` once a request's body is written."""

    async def trace(event: str, _info: dict[str, Any]) -> None:
        if event.endswith(".send_request_body.complete"):
            callback()

    return trace


# --- library logs ------------------------------------------------------------------------------

#: The loggers of the HTTP stack whose DEBUG records show header values (httpcore's response
#: headers, hpack's decoded headers and header table).
SECRET_BEARING_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack.hpack",
    "hpack.table",
)
_SECRET_HEADER_RE = re.compile(
    r"""(b?['"](?:set-cookie|cookie|authorization|proxy-authorization|x-openerp-session-id)['"](?:,\s*|=)b?)(['"])(.*?)\2""",
    re.IGNORECASE,
)


class RedactHeaderSecrets(logging.Filter):
    """Blanks the values of cookie and authorization headers in a record's message.

    Odoo hands out a ``session_id`` cookie with its answers and JSON-2 sends the API key as a
    bearer token; httpcore and hpack log header values at DEBUG level.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_HEADER_RE.sub(_redact_value, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _redact_value(match: re.Match[str]) -> str:
    if match.group(3) == "SENSITIVE_REDACTED":  # hpack's own mark for a never-indexed header
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}<redacted>{match.group(2)}"


def _redact_library_logs() -> None:
    """Attach :class:`RedactHeaderSecrets` to the HTTP stack's loggers (once per process)."""
    for name in SECRET_BEARING_LOGGERS:
        library_logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactHeaderSecrets) for existing in library_logger.filters):
            library_logger.addFilter(RedactHeaderSecrets())


_redact_library_logs()


# --- addresses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerAddress:
    """Where the Odoo server is: scheme, host, port and an optional path prefix (behind a proxy)."""

    scheme: str
    host: str
    port: int
    path: str = ""

    @property
    def base_url(self) -> str:
        default = _SCHEME_PORTS[self.scheme]
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}{self.path}"

    def url(self, path: str) -> str:
        return self.base_url + path


def parse_server_address(
    host_or_url: str, port: int | None = None, protocol: str | None = None
) -> ServerAddress:
    """Turn what the user typed into a :class:`ServerAddress`.

    - a full URL (``https://odoo.example.com``, ``http://localhost:8069``, ``https://h/odoo``): its
      scheme and port; without a port the scheme's default (80/443), as for any URL;
    - a host, optionally with ``:port`` (``odoo.local``, ``odoo.local:8070``): ``protocol``
      (default ``"http"``); without a port, 8069 for http (a bare Odoo) and 443 for https (TLS
      means a proxy in front of Odoo).

    ``port``/``protocol`` may complete the input but not contradict it.
    """
    if not isinstance(host_or_url, str) or not host_or_url.strip():
        raise ConfigurationError("the server address is empty: give a URL such as 'https://odoo.example.com'")
    if isinstance(protocol, str):
        protocol = protocol.lower()
    if protocol is not None and protocol not in _SCHEME_PORTS:
        raise ConfigurationError(f"unknown protocol {protocol!r}: use 'http' or 'https'")
    if port is not None and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536):
        raise ConfigurationError(f"invalid port {port!r}: expected an integer between 1 and 65535")
    text = host_or_url.strip()
    if "://" in text:
        return _parse_url(text, port, protocol)
    if "@" in text:  # the message must not repeat it: it contains a secret
        raise ConfigurationError("credentials in the server address are not supported: pass them to login() instead")
    match = _HOST_RE.match(text)
    if match is None:
        raise ConfigurationError(
            f"malformed server address {_shown(text)!r}: expected a URL ('https://odoo.example.com') "
            "or a host name with an optional ':port'"
        )
    host, host_port = match.group(1), match.group(2)
    scheme = protocol or "http"
    resolved = _merge_port(int(host_port) if host_port else None, port, text)
    if resolved is None:
        resolved = ODOO_DEFAULT_PORT if scheme == "http" else _SCHEME_PORTS["https"]
    return ServerAddress(scheme, host, _check_port(resolved, text))


def _parse_url(text: str, port: int | None, protocol: str | None) -> ServerAddress:
    try:
        parts = urlsplit(text)
        url_port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"malformed server URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEME_PORTS:
        raise ConfigurationError(f"unsupported URL scheme {parts.scheme!r}: use http:// or https://")
    if protocol is not None and protocol != scheme:
        raise ConfigurationError(f"protocol={protocol!r} contradicts the URL's scheme {scheme!r}")
    if parts.username is not None or parts.password is not None:
        # The message must not repeat the URL: it contains a secret.
        raise ConfigurationError(
            "credentials in the server URL are not supported: pass them to login() instead"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"the server URL {_shown(text)!r} must not have a query string or fragment (not shown here)"
        )
    host = parts.hostname
    if not host or not _HOST_RE.match(host if ":" not in host else f"[{host}]"):
        raise ConfigurationError(f"malformed server URL {_shown(text)!r}: no valid host name")
    if ":" in host:
        host = f"[{host}]"
    resolved = _merge_port(url_port, port, text)
    path = parts.path.rstrip("/")
    return ServerAddress(scheme, host, _check_port(resolved or _SCHEME_PORTS[scheme], text), path)


def _certificate_refused(error: BaseException) -> bool:
    """Whether a connection failed because the server's TLS certificate could not be verified."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _shown(text: str) -> str:
    """``text`` as a message may repeat it: without the user info, query string and fragment, where
    a password or an API key could be."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    authority, slash, path = rest.partition("/")
    return f"{scheme}{sep}{authority.rpartition('@')[2]}{slash}{path}"


def _merge_port(from_text: int | None, given: int | None, text: str) -> int | None:
    if from_text is not None and given is not None and from_text != given:
        raise ConfigurationError(f"port={given} contradicts the port {from_text} in {_shown(text)!r}")
    return from_text if from_text is not None else given


def _check_port(port: int, text: str) -> int:
    if not 0 < port < 65536:
        raise ConfigurationError(f"invalid port {port} in {_shown(text)!r}")
    return port


# --- JSON ----------------------------------------------------------------------------------------


def encode_json(value: Any, what: str | None = None) -> bytes:
    """Serialise a request body with orjson (``what``, e.g. ``"res.partner.create"``, is named in errors).

    Dates and datetimes are sent the way Odoo stores them (``YYYY-MM-DD`` and
    ``YYYY-MM-DD HH:MM:SS`` in UTC; naive datetimes are taken as UTC); numpy and pandas scalars as
    their Python equivalents (:func:`zenoo.fields.values.python_scalar`). Any other value JSON cannot
    represent raises :class:`InvalidValueError` naming its type, and so does a NaN or infinite float
    (orjson would write null, which Odoo reads as empty), before anything is sent.
    """
    try:
        body = orjson.dumps(value, default=_odoo_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except orjson.JSONEncodeError as exc:
        raise InvalidValueError(f"cannot send this value to Odoo{_in(what)}: {exc}") from None
    if b"null" in body and _holds_non_finite(value):  # orjson writes NaN and ±infinity as null
        path, number = _non_finite_path(value)
        raise non_finite_error(number, f"{what or 'a request'} (at {path} in the request body)")
    return body


def _in(what: str | None) -> str:
    return f" in {what}" if what else ""


_LEAF_TYPES = frozenset({str, int, bool, type(None)})


def _holds_non_finite(value: Any) -> bool:
    """Whether a NaN or infinite float (numpy's included) is anywhere in ``value``."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind in _LEAF_TYPES:
            continue
        if kind is float:
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            if kind is not list or not _LEAF_TYPES.issuperset(map(type, item)):  # a list of ids: done
                pending.extend(item)
        else:
            number = python_scalar(item)
            if isinstance(number, float) and not math.isfinite(number):
                return True
    return False


def _non_finite_path(value: Any) -> tuple[str, float]:
    """The path (``params.args[5][0].credit_limit``) to the first NaN or infinite float of
    ``value``, which holds one, and that float."""
    path = ""
    while isinstance(value, dict | list | tuple):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        key, value = next((key, inner) for key, inner in items if _holds_non_finite(inner))
        path += f"[{key}]" if isinstance(key, int) else f".{key}" if path else key
    return path, python_scalar(value)


def _odoo_default(value: Any) -> Any:
    scalar = python_scalar(value)
    if scalar is not value:
        return scalar  # orjson serialises it (a datetime comes back here)
    if isinstance(value, dt.datetime):
        return datetime_to_odoo(value)
    if isinstance(value, dt.date):
        return date_to_odoo(value)
    raise TypeError  # orjson then names the type: "Type is not JSON serializable: decimal.Decimal"


def decode_json(content: bytes, url: str, status: int) -> Any:
    """Parse a response body (once); a body that is not JSON is a :class:`ProtocolError`."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        raise ProtocolError(f"HTTP {status} from {url} is not JSON: {_snippet(content)!r}", url=url) from None


def _snippet(content: bytes, size: int = 200) -> str:
    return content[:size].decode("utf-8", "replace")


# --- transport -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpResponse:
    """What a protocol adapter needs from an HTTP answer."""

    url: str
    status: int
    content: bytes
    content_type: str
    http_version: str
    bytes_sent: int
    location: str | None = None  # the Location header of a redirect

    def snippet(self) -> str:
        return _snippet(self.content)

    def unexpected(self) -> ProtocolError:
        """The error for an answer the protocol does not expect (redirects named as such)."""
        if 300 <= self.status < 400:
            return ProtocolError(
                f"HTTP {self.status} from {self.url}: the server redirects to {self.location!r}; "
                "give the client that address (often https://)",
                url=self.url,
            )
        return ProtocolError(f"HTTP {self.status} from {self.url}: {self.snippet()!r}", url=self.url)


class _NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that stores nothing: Odoo's session cookie must not be kept around."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


class _Borrowed(httpx.AsyncBaseTransport):
    """An injected transport: requests go through it, and closing the client leaves it open (it
    belongs to whoever made it, and forks of the client share it)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)


class Transport:
    """One pooled ``httpx.AsyncClient`` for one server, with bounded concurrency."""

    def __init__(
        self,
        address: ServerAddress,
        *,
        timeout: Timeout,
        limits: Limits,
        verify: bool | ssl.SSLContext,
        http2: bool,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``transport``: send through this httpx transport instead of opening connections (an
        ``httpx.ASGITransport`` serves an ASGI app in-process). Its owner closes it, not this pool."""
        if not isinstance(http2, bool):
            raise ConfigurationError(f"http2 must be True or False, got {http2!r}")
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise ConfigurationError(
                f"transport must be an httpx.AsyncBaseTransport (such as httpx.ASGITransport), "
                f"got {type(transport).__name__}"
            )
        self.address = address
        self._max_concurrency = limits.max_concurrency
        # path -> its absolute URL, as text (for messages) and parsed by httpx: parsing is a good part
        # of httpx's work per request, and a client uses few paths (JSON-2: one per model and method)
        self._urls: dict[str, tuple[str, httpx.URL]] = {}
        self._client_options: dict[str, Any] = {
            "timeout": timeout.as_httpx(),
            "verify": verify,
            "http2": http2,
            "limits": limits.as_httpx(),
            "follow_redirects": False,
            "headers": {"User-Agent": "zenoo"},
        }
        if transport is not None:
            self._client_options["transport"] = _Borrowed(transport)
        self._client = self._new_client()
        self._http1_client: httpx.AsyncClient | None = None  # large bodies, when HTTP/2 is on
        self._semaphore = asyncio.Semaphore(self._max_concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the pool's connections belong to

    def _new_client(self, **overrides: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(cookies=_NoCookies(), **{**self._client_options, **overrides})

    def _client_for(self, body: bytes | None) -> httpx.AsyncClient:
        """The pool for a request: an HTTP/1.1 one for a body over :data:`HTTP2_MAX_BODY` when HTTP/2
        is on (opened on first use), the main one otherwise."""
        options = self._client_options
        if body is None or len(body) <= HTTP2_MAX_BODY or not options["http2"] or "transport" in options:
            return self._client
        if self._http1_client is None:
            self._http1_client = self._new_client(http2=False)
        return self._http1_client

    def _bind_to_running_loop(self) -> None:
        """Connections belong to the event loop that opened them. After that loop closed (a second
        ``asyncio.run()``), start a fresh pool on the running loop; while it still runs, refuse."""
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        if self._loop is not None:
            if not self._loop.is_closed():
                raise ClientError(
                    f"this client's connections to {self.address.base_url} belong to another event loop "
                    "that is still running: use client.fork() for a client on this loop"
                )
            logger.debug("event loop changed: new connection pool for %s", self.address.base_url)
            self._client = self._new_client()  # the old pool's sockets died with their loop
            self._http1_client = None
            self._semaphore = asyncio.Semaphore(self._max_concurrency)
        self._loop = loop

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> HttpResponse:
        """POST a JSON body; returns the answer, or raises a :class:`TransportError`."""
        all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if headers:
            all_headers.update(headers)
        return await self._send("POST", path, body, all_headers)

    async def get(self, path: str) -> HttpResponse:
        return await self._send("GET", path, None, {"Accept": "application/json"})

    async def _send(
        self, verb: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> HttpResponse:
        url, parsed_url = self._url(path)
        self._bind_to_running_loop()
        async with self._semaphore:
            client = self._client_for(body)
            on_sent = _ON_SENT.get()
            extensions = {"trace": _trace(on_sent)} if on_sent is not None else None
            try:
                response = await client.request(
                    verb, parsed_url, content=body, headers=headers, extensions=extensions
                )
            except httpx.TimeoutException as exc:
                not_sent = isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
                raise ZenooTimeoutError(
                    f"{type(exc).__name__} calling {url}", url=url, request_sent=not not_sent
                ) from None
            except httpx.ConnectError as exc:
                if _certificate_refused(exc):  # the same every time: not a failure to retry
                    raise ConfigurationError(
                        f"the TLS certificate of {self.address.base_url} is not trusted ({exc}): give its "
                        "CA bundle as verify_ssl=<path>"
                    ) from None
                raise ZenooConnectionError(
                    f"cannot connect to {url}: {exc}", url=url, request_sent=False
                ) from None
            except httpx.TransportError as exc:
                raise ZenooConnectionError(
                    f"connection to {url} failed after the request was sent ({type(exc).__name__}: {exc})",
                    url=url,
                    request_sent=True,
                ) from None
        result = HttpResponse(
            url=url,
            status=response.status_code,
            content=response.content,
            content_type=response.headers.get("content-type", ""),
            http_version=response.http_version,
            bytes_sent=len(body or b""),
            location=response.headers.get("location"),
        )
        if result.status == 413:
            raise RequestTooLargeError(url=url, bytes_sent=result.bytes_sent)
        if result.status in UNAVAILABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise ServerUnavailableError(
                f"HTTP {result.status} from {url}"
                + (f" (Retry-After: {retry_after:g}s)" if retry_after is not None else "")
                + f": {result.snippet()!r}",
                url=url,
                http_status=result.status,
                retry_after=retry_after,
            )
        return result

    def _url(self, path: str) -> tuple[str, httpx.URL]:
        known = self._urls.get(path)
        if known is None:
            text = self.address.url(path)
            known = self._urls[path] = (text, httpx.URL(text))
        return known

    async def aclose(self) -> None:
        """Close the pool. A pool whose event loop has closed cannot be shut down politely any more:
        it is marked closed and its sockets are left to the garbage collector."""
        if self._loop is not None and self._loop.is_closed() and self._loop is not asyncio.get_running_loop():
            self._client = self._new_client()  # fresh and never used: closing it needs no old loop
            self._http1_client = None
        await self._client.aclose()
        if self._http1_client is not None:
            await self._http1_client.aclose()


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())


__all__ = [
    "HttpResponse",
    "ServerAddress",
    "Transport",
    "decode_json",
    "encode_json",
    "parse_retry_after",
    "parse_server_address",
]
