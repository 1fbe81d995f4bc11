"""``Timeout`` and ``Limits``: the client's network settings as objects, as httpx has them.

``ZenooClient(url, timeout=Timeout(30.0, connect=5.0), limits=Limits(max_connections=50))``.
Both check their values when built, so a bad setting fails before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import httpx

from zenoo.exceptions import ConfigurationError


class _Unset:
    def __repr__(self) -> str:
        return "<as timeout>"


#: A phase of :class:`Timeout` not given: it takes the common value.
UNSET: Final = _Unset()


@dataclass(frozen=True, init=False)
class Timeout:
    """Seconds to wait: ``Timeout(30.0)`` for every phase, or one phase differently
    (``Timeout(30.0, connect=5.0)``). The phases are httpx's: ``connect`` (open a connection),
    ``read`` (wait for the answer's bytes), ``write`` (send the request) and ``pool`` (wait for a
    free connection). ``None`` waits forever."""

    connect: float | None
    read: float | None
    write: float | None
    pool: float | None

    def __init__(
        self,
        timeout: float | None = 30.0,
        *,
        connect: float | None | _Unset = UNSET,
        read: float | None | _Unset = UNSET,
        write: float | None | _Unset = UNSET,
        pool: float | None | _Unset = UNSET,
    ) -> None:
        common = _seconds(timeout, "timeout")
        for name, value in (("connect", connect), ("read", read), ("write", write), ("pool", pool)):
            object.__setattr__(self, name, common if value is UNSET else _seconds(value, f"the {name} timeout"))

    @classmethod
    def of(cls, value: Timeout | float | None) -> Timeout:
        """``value`` as a Timeout: a Timeout as it is, a number of seconds (or None) for every phase."""
        if isinstance(value, Timeout):
            return value
        if value is not None and not _is_number(value):
            raise ConfigurationError(
                f"timeout must be a positive number of seconds (or None, or a zenoo.Timeout), got {value!r}"
            )
        return cls(value)

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class Limits:
    """How much the client opens at once: ``max_connections`` in the pool, of which
    ``max_keepalive_connections`` (default: all) are kept open between requests, and
    ``max_concurrency`` requests in flight (more wait their turn)."""

    max_connections: int = 20
    max_keepalive_connections: int | None = None
    max_concurrency: int = 16

    def __post_init__(self) -> None:
        for name in ("max_concurrency", "max_connections"):
            count = getattr(self, name)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ConfigurationError(f"{name} must be at least 1, got {count!r}")
        keepalive = self.max_keepalive_connections
        if keepalive is not None and (not isinstance(keepalive, int) or isinstance(keepalive, bool) or keepalive < 0):
            raise ConfigurationError(f"max_keepalive_connections must be 0 or more, got {keepalive!r}")

    def as_httpx(self) -> httpx.Limits:
        keepalive = self.max_keepalive_connections
        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=keepalive if keepalive is not None else self.max_connections,
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _seconds(value: Any, what: str) -> float | None:
    if value is not None and (not _is_number(value) or not value > 0):
        raise ConfigurationError(f"{what} must be a positive number of seconds (or None), got {value!r}")
    return None if value is None else float(value)


__all__ = ["Limits", "Timeout"]
