"""The client's settings: what the constructor accepts, checked, as one :class:`ClientOptions`.

``timeout`` and ``limits`` take :class:`zenoo.Timeout` and :class:`zenoo.Limits`; the keywords
``max_connections``, ``max_keepalive_connections`` and ``max_concurrency`` that came before
``limits`` still work and warn (:func:`limits_from`).
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from typing import Literal

import httpx

from zenoo._deprecation import warn_deprecated
from zenoo.config import Limits, Timeout
from zenoo.exceptions import ConfigurationError
from zenoo.retry import CircuitBreaker, RetryPolicy
from zenoo.transport import ServerAddress

#: What ``api=`` accepts: the RPC API to use, or ``"auto"`` to let the login choose.
ApiChoice = Literal["auto", "jsonrpc", "json2"]
APIS: tuple[str, ...] = ("auto", "jsonrpc", "json2")

VerifySsl = bool | str | os.PathLike[str] | ssl.SSLContext


@dataclass(frozen=True)
class ClientOptions:
    """Everything needed to build an equivalent client (used by :meth:`ZenooClient.fork`)."""

    address: ServerAddress
    timeout: Timeout
    verify_ssl: VerifySsl
    database: str | None
    api: str
    http2: bool
    limits: Limits
    retry: RetryPolicy
    circuit_breaker: CircuitBreaker | None = field(compare=False)
    transport: httpx.AsyncBaseTransport | None = field(default=None, compare=False)


def check_api(api: str) -> str:
    if api not in APIS:
        raise ConfigurationError(f"unknown api {api!r}: choose 'auto', 'jsonrpc' or 'json2'")
    return api


def check_retry(retry: RetryPolicy | None) -> RetryPolicy:
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise ConfigurationError(f"retry must be a RetryPolicy, got {type(retry).__name__}")
    return retry or RetryPolicy()


def circuit_breaker_of(circuit_breaker: CircuitBreaker | Literal[False] | None) -> CircuitBreaker | None:
    """``None`` → a default breaker, ``False`` → none, a breaker → itself."""
    if circuit_breaker is None:
        return CircuitBreaker()
    if circuit_breaker is False:
        return None
    if isinstance(circuit_breaker, CircuitBreaker):
        return circuit_breaker
    raise ConfigurationError("circuit_breaker must be a CircuitBreaker, False or None")


def limits_from(
    limits: Limits | None,
    max_connections: int | None,
    max_keepalive_connections: int | None,
    max_concurrency: int | None,
    *,
    stacklevel: int,
) -> Limits:
    """The :class:`Limits` to use: ``limits``, or one built from the deprecated keywords (which
    warn, at ``stacklevel`` as :func:`warnings.warn` counts from here); both at once is an error."""
    legacy = {
        name: value
        for name, value in (
            ("max_connections", max_connections),
            ("max_keepalive_connections", max_keepalive_connections),
            ("max_concurrency", max_concurrency),
        )
        if value is not None
    }
    if limits is not None and not isinstance(limits, Limits):
        raise ConfigurationError(f"limits must be a zenoo.Limits, got {type(limits).__name__}")
    if not legacy:
        return limits or Limits()
    given = ", ".join(f"{name}=" for name in legacy)
    if limits is not None:
        raise ConfigurationError(f"pass either limits= or {given}, not both: put them in zenoo.Limits(...)")
    settings = ", ".join(f"{name}={value!r}" for name, value in legacy.items())
    warn_deprecated(given, f"limits=zenoo.Limits({settings})", stacklevel=stacklevel + 1)
    return Limits(**legacy)


def ssl_verify(verify: VerifySsl) -> bool | ssl.SSLContext:
    """``verify_ssl`` may be a bool, an SSLContext or the path of a CA bundle."""
    if isinstance(verify, (str, os.PathLike)):
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(f"cannot load the CA bundle {verify!r}: {exc}") from None
    return verify
