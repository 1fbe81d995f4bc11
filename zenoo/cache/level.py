"""What a cache level (memory or Redis) offers the :class:`~zenoo.cache.CacheManager`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from zenoo.cache.stats import LevelStats

__all__ = ["CacheLevel"]


@runtime_checkable
class CacheLevel(Protocol):
    """One level of the cache. Stored values are opaque bytes; keys are strings.

    Generations (see :mod:`zenoo.cache.manager`) are counters named per database; the last level
    of a manager is their authority. A level never raises for an unavailable store: it answers
    ``None`` (no generations, no value) and counts the error.
    """

    name: str
    kind: str
    default_ttl: float | None

    async def generations(self, database: str, names: Sequence[str]) -> tuple[int, ...] | None:
        """Current values of the named generations, or ``None`` when they cannot be read."""

    async def bump(self, database: str, names: Sequence[str]) -> None:
        """Increment the named generations (a level that cannot must retry before its next answer)."""

    async def get(self, key: str, *, with_ttl: bool = False) -> tuple[bytes, float | None] | None:
        """The stored bytes and, if asked, the seconds they have left (``None``: no expiry)."""

    async def set(self, key: str, raw: bytes, ttl: float | None) -> None:
        """Store ``raw`` under ``key`` for ``ttl`` seconds (``None``: no expiry)."""

    async def clear(self) -> None:
        """Drop every entry this level holds for zenoo."""

    async def count(self) -> int | None:
        """How many entries the level holds, or ``None`` when it cannot tell."""

    def note_rejected(self) -> None:
        """Count a stored value that was not a zenoo JSON entry (the manager decodes values)."""

    def stats(self) -> LevelStats:
        """A snapshot of the level's counters."""

    async def close(self) -> None:
        """Release connections."""
