"""Sending one request: the retry policy, the circuit breaker, statistics, hooks and debug logs."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from zenoo.client.shared import SharedState
from zenoo.exceptions import (
    ClientError,
    ProtocolError,
    ProtocolNotSupportedError,
    ServerUnavailableError,
    TransportError,
    ZenooError,
)
from zenoo.protocols.base import WireRequest
from zenoo.retry import NOT_PROCESSED_STATUSES, RetryPolicy, call_with_retries
from zenoo.stats import RequestEvent
from zenoo.transport import HttpResponse, encode_json
from zenoo.writing.results import outcome_of

logger = logging.getLogger("zenoo.client")


async def exchange(
    shared: SharedState,
    wire: WireRequest,
    parse: Callable[[HttpResponse], Any],
    *,
    model: str | None,
    method: str,
    read_only: bool,
    body: bytes | None = None,
    verb: str = "POST",
    retries: bool = True,
) -> Any:
    """Send one request through the retry policy and circuit breaker; parse the answer."""
    transport = shared.transport
    if transport.closed:
        raise ClientError(f"this client is closed: cannot call {method} on {shared.url}")
    if body is None and wire.body is not None:
        body = encode_json(wire.body, method)
    url = transport.address.url(wire.path)
    protocol = shared.protocol.name if shared.protocol else "jsonrpc"
    if verb == "GET":
        protocol = "http"
    headers = dict(wire.headers)
    sent = len(body or b"")

    def event(name: str, attempt: int, **values: Any) -> RequestEvent:
        return RequestEvent(name, model, method, protocol, url, attempt, **values)

    async def attempt(number: int) -> Any:
        hooks = shared.hooks
        if hooks.has("before_request"):
            await hooks.emit(event("before_request", number, bytes_sent=sent))
        logger.debug("-> %s %s %s (attempt %d)", verb, url, method, number)
        start = time.perf_counter()
        response: HttpResponse | None = None
        try:
            if verb == "GET":
                response = await transport.get(wire.path)
            else:
                response = await transport.post(wire.path, body or b"", headers)
            result = parse(response)
        except ZenooError as exc:
            hide_secrets(exc, wire.secrets)
            elapsed = time.perf_counter() - start
            received = len(response.content) if response is not None else 0
            status = response.status if response is not None else getattr(exc, "http_status", None)
            shared.stats.record(method, elapsed=elapsed, bytes_sent=sent, bytes_received=received, ok=False)
            logger.debug("<- %s %s failed in %.3fs: %s", url, method, elapsed, type(exc).__name__)
            if hooks.has("error"):
                await hooks.emit(
                    event("error", number, status=status, elapsed=elapsed, bytes_sent=sent,
                          bytes_received=received, error=exc)
                )
            raise
        elapsed = time.perf_counter() - start
        received = len(response.content)
        shared.stats.record(method, elapsed=elapsed, bytes_sent=sent, bytes_received=received, ok=True)
        logger.debug("<- %s %s %d in %.3fs (%d bytes)", url, method, response.status, elapsed, received)
        if hooks.has("after_response"):
            await hooks.emit(
                event("after_response", number, status=response.status, elapsed=elapsed,
                      bytes_sent=sent, bytes_received=received, http_version=response.http_version)
            )
        return result

    async def on_retry(number: int, delay: float, error: ZenooError) -> None:
        shared.stats.record_retry(method)
        logger.info("retrying %s %s after %s (waited %.2fs)", url, method, type(error).__name__, delay)
        if shared.hooks.has("retry"):
            await shared.hooks.emit(event("retry", number, error=error, delay=delay))

    try:
        return await call_with_retries(
            attempt,
            read_only=read_only,
            policy=shared.options.retry if retries else RetryPolicy.disabled(),
            breaker=shared.breaker,
            on_retry=on_retry,
        )
    except (TransportError, ProtocolError) as exc:  # the URL alone does not say which call it was
        exc.add_note(_outcome_note(exc, f"{model}.{method}" if model else method, read_only))
        raise


def _outcome_note(exc: TransportError | ProtocolError, call_name: str, read_only: bool) -> str:
    """The call a failure was, and whether it may have run (:func:`outcome_of`; a write is never
    sent again)."""
    if isinstance(exc, ServerUnavailableError) and exc.http_status in NOT_PROCESSED_STATUSES:
        return f"{call_name} was refused by the server (HTTP {exc.http_status}): it did not run"
    if read_only or isinstance(exc, ProtocolNotSupportedError) or outcome_of(exc) != "unknown":
        return f"while calling {call_name}"
    unreadable = " (its answer could not be read)" if isinstance(exc, ProtocolError) else ""
    return f"{call_name} was sent and may have run on the server{unreadable}: zenoo does not send it again"


#: a secret this long is masked wherever it appears; a shorter one only where no letter, digit or
#: underscore touches it, so that a password such as "admin" leaves "administrator" readable
#: (an answer quoting a request shows it between quotes, or after "=" or ":")
MASKED_ANYWHERE = 12


def _secrets_pattern(secrets: Sequence[str]) -> re.Pattern[str]:
    """One pattern for every secret, longest first, matched in one pass: masking one secret must
    not change where another one starts or ends."""
    return re.compile("|".join(map(_secret_alternative, sorted(set(secrets), key=len, reverse=True))))


def _secret_alternative(secret: str) -> str:
    if len(secret) >= MASKED_ANYWHERE:
        return re.escape(secret)
    before = r"(?<!\w)" if re.match(r"\w", secret) else ""  # only a word character can be glued to a word
    after = r"(?!\w)" if re.search(r"\w$", secret) else ""
    return f"{before}{re.escape(secret)}{after}"


def hide_secrets(exc: ZenooError, secrets: Sequence[str]) -> None:
    """Mask ``secrets`` wherever ``exc`` quotes them (its message, text attributes and notes): an
    answer such as a proxy's error page may repeat the request that carried them."""
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        return
    pattern = _secrets_pattern(secrets)

    def masked(value: Any) -> Any:
        if isinstance(value, str):
            value = pattern.sub("<hidden>", value)
        elif isinstance(value, tuple):
            value = tuple(masked(item) for item in value)
        return value

    exc.args = masked(exc.args)
    for name, value in vars(exc).items():
        if name != "__notes__":
            setattr(exc, name, masked(value))
    if hasattr(exc, "__notes__"):
        exc.__notes__ = [masked(note) for note in exc.__notes__]


async def service(
    shared: SharedState,
    service_name: str,
    method: str,
    args: Sequence[Any] = (),
    *,
    retries: bool = True,
    secrets: tuple[str, ...] = (),
) -> Any:
    """A JSON-RPC service call (``common.version``, ``common.authenticate``, ``db.list``);
    ``secrets``: the password or API key among ``args``."""
    wire = shared.jsonrpc.service_request(service_name, method, args, secrets)
    return await exchange(
        shared,
        wire,
        shared.jsonrpc.parse,
        model=None,
        method=f"{service_name}.{method}",
        read_only=True,
        retries=retries,
    )
