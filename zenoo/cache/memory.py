"""The in-process cache level: bounded by entries and bytes, evicting by TTL, LRU or LFU."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Sequence

from zenoo.cache.eviction import STRATEGIES, make_policy
from zenoo.cache.keys import validate_ttl
from zenoo.cache.stats import LevelStats
from zenoo.exceptions import ConfigurationError

__all__ = ["MemoryCache"]

DEFAULT_MAX_SIZE = 1000
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class _Entry:
    __slots__ = ("expires_at", "raw")

    def __init__(self, raw: bytes, expires_at: float | None) -> None:
        self.raw = raw
        self.expires_at = expires_at


class MemoryCache:
    """An in-process cache level.

    ``max_size`` bounds the number of entries and ``max_bytes`` their total serialised size; when
    either is exceeded, expired entries go first, then entries chosen by ``strategy`` ("ttl":
    soonest expiry, "lru": least recently used, "lfu": least frequently used). A value larger
    than ``max_bytes`` is not stored. ``default_ttl`` is used when a call gives no TTL (``None``:
    the manager's default). One instance may be shared by several managers (e.g. two clients of
    different users): keys hold the user, so sharing is safe. Thread-safe.
    """

    kind = "memory"

    def __init__(
        self,
        *,
        name: str = "memory",
        max_size: int = DEFAULT_MAX_SIZE,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        strategy: str = "ttl",
        default_ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise ConfigurationError(f"max_size must be a positive number of entries, got {max_size!r}")
        if max_bytes is not None and (
            isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1
        ):
            raise ConfigurationError(
                f"max_bytes must be a positive number of bytes or None, got {max_bytes!r}"
            )
        if strategy not in STRATEGIES:
            raise ConfigurationError(
                f"unknown cache strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}"
            )
        self.name = name
        self.max_size = max_size
        self.max_bytes = max_bytes
        self.strategy = strategy
        self.default_ttl = validate_ttl(default_ttl, what="default_ttl")
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._policy = make_policy(strategy)
        self._expiry: list[tuple[float, str]] = []  # (expires_at, key); stale items skipped lazily
        self._bytes = 0
        self._generations: dict[str, dict[str, int]] = {}  # database -> generation name -> counter
        self._lock = threading.Lock()
        self._stats = LevelStats(name=name, kind=self.kind)

    def __repr__(self) -> str:
        return (
            f"MemoryCache(name={self.name!r}, strategy={self.strategy!r}, max_size={self.max_size}, "
            f"size={len(self._entries)})"
        )

    # --- generations ---------------------------------------------------------------------------

    async def generations(self, database: str, names: Sequence[str]) -> tuple[int, ...]:
        gens = self._generations.get(database)
        if gens is None:
            return (0,) * len(names)
        return tuple([gens.get(name, 0) for name in names])

    async def bump(self, database: str, names: Sequence[str]) -> None:
        with self._lock:
            gens = self._generations.setdefault(database, {})
            for name in names:
                gens[name] = gens.get(name, 0) + 1

    # --- entries -------------------------------------------------------------------------------

    async def get(self, key: str, *, with_ttl: bool = False) -> tuple[bytes, float | None] | None:
        """The entry and its remaining seconds (known here without cost, so always given)."""
        return self.get_now(key)

    def get_now(self, key: str) -> tuple[bytes, float | None] | None:
        """Synchronous :meth:`get` (the memory level never waits)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._stats.misses += 1
                return None
            if entry.expires_at is None:
                remaining = None
            else:
                remaining = entry.expires_at - self._clock()
                if remaining <= 0:
                    self._remove(key)
                    self._stats.expirations = (self._stats.expirations or 0) + 1
                    self._stats.misses += 1
                    return None
            self._policy.used(key)
            self._stats.hits += 1
            return entry.raw, remaining

    async def set(self, key: str, raw: bytes, ttl: float | None) -> None:
        self.set_now(key, raw, ttl)

    def set_now(self, key: str, raw: bytes, ttl: float | None) -> None:
        """Synchronous :meth:`set`."""
        size = len(raw)
        with self._lock:
            if self.max_bytes is not None and size > self.max_bytes:
                self._stats.too_large += 1
                return
            expires_at = None if ttl is None else self._clock() + ttl
            entry = self._entries.get(key)
            if entry is not None:  # overwrite: the entry keeps its place in LRU/LFU order
                self._bytes += size - len(entry.raw)
                entry.raw, entry.expires_at = raw, expires_at
            else:
                # room is made before inserting, so the newcomer is never its own victim
                self._make_room(extra_entries=1, extra_bytes=size)
                self._entries[key] = _Entry(raw, expires_at)
                self._bytes += size
            self._policy.added(key, expires_at)
            if expires_at is not None:
                heapq.heappush(self._expiry, (expires_at, key))
            self._stats.stores += 1
            if entry is not None:
                self._make_room(extra_entries=0, extra_bytes=0)

    def _over_budget(self, extra_entries: int, extra_bytes: int) -> bool:
        return len(self._entries) + extra_entries > self.max_size or (
            self.max_bytes is not None and self._bytes + extra_bytes > self.max_bytes
        )

    def _make_room(self, *, extra_entries: int, extra_bytes: int) -> None:
        if not self._over_budget(extra_entries, extra_bytes):
            return
        self._drop_expired()
        while self._entries and self._over_budget(extra_entries, extra_bytes):
            self._remove(self._policy.victim())
            self._stats.evictions = (self._stats.evictions or 0) + 1

    def _drop_expired(self) -> None:
        now = self._clock()
        heap = self._expiry
        while heap and heap[0][0] <= now:
            expires_at, key = heapq.heappop(heap)
            entry = self._entries.get(key)
            if entry is not None and entry.expires_at == expires_at:
                self._remove(key)
                self._stats.expirations = (self._stats.expirations or 0) + 1
        if len(heap) > 2 * len(self._entries) + 64:
            self._expiry = [(e.expires_at, k) for k, e in self._entries.items() if e.expires_at is not None]
            heapq.heapify(self._expiry)

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.raw)
        self._policy.removed(key)

    async def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._expiry.clear()
            self._policy.clear()
            self._bytes = 0

    async def count(self) -> int:
        return len(self._entries)

    def note_rejected(self) -> None:
        # the get() that found it counted a hit; the caller got nothing
        self._stats.hits -= 1
        self._stats.misses += 1
        self._stats.rejected += 1

    def stats(self) -> LevelStats:
        return self._stats.snapshot(size=len(self._entries), bytes=self._bytes)

    async def close(self) -> None:
        return None
