"""Cache statistics: counters per level and a summary over all levels."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = ["CacheStats", "LevelStats"]


@dataclass
class LevelStats:
    """Counters of one cache level.

    ``size`` and ``bytes`` are the entries (and their serialised bytes) held; ``None`` where the
    level cannot count them cheaply (Redis: use ``await cache.get_stats()``). ``evictions`` is
    ``None`` for Redis, which evicts by its own ``maxmemory-policy`` without telling clients.
    ``rejected`` counts values found in the cache that were not zenoo JSON entries; ``errors``
    counts failed operations (a Redis outage); ``too_large`` counts values not stored because they
    exceed the level's byte budget.
    """

    name: str
    kind: str
    hits: int = 0
    misses: int = 0
    stores: int = 0
    evictions: int | None = 0
    expirations: int | None = 0
    rejected: int = 0
    errors: int = 0
    too_large: int = 0
    size: int | None = None
    bytes: int | None = None

    def snapshot(self, **overrides: Any) -> LevelStats:
        return replace(self, **overrides)


@dataclass(frozen=True)
class CacheStats:
    """A snapshot of a :class:`~zenoo.cache.CacheManager`'s statistics.

    ``hits``/``misses`` count lookups answered from any level / from none; ``levels`` holds each
    level's own counters (an L2 hit is an L1 miss followed by an L2 hit).
    """

    hits: int
    misses: int
    invalidations: int
    levels: dict[str, LevelStats] = field(default_factory=dict)

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0

    @property
    def evictions(self) -> int:
        return sum(level.evictions or 0 for level in self.levels.values())

    @property
    def size(self) -> int | None:
        """Entries held by the first level (the one answering first), if it can count them."""
        first = next(iter(self.levels.values()), None)
        return None if first is None else first.size

    def as_dict(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hit_rate,
            "invalidations": self.invalidations,
            "evictions": self.evictions,
            "size": self.size,
            "levels": {name: asdict(level) for name, level in self.levels.items()},
        }
