"""Eviction orders of the memory cache: which entry goes when the cache is full.

* ``lru``: the least recently used entry (read or written);
* ``lfu``: the least frequently used entry (ties: the least recently used among them);
* ``ttl``: the entry closest to expiry (entries without expiry go last, oldest first).

Expired entries are removed before any of these choose, whatever the strategy.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from typing import Protocol

from zenoo.exceptions import ConfigurationError

__all__ = ["STRATEGIES", "EvictionPolicy", "make_policy"]

STRATEGIES = ("ttl", "lru", "lfu")


class EvictionPolicy(Protocol):
    def added(self, key: str, expires_at: float | None) -> None: ...
    def used(self, key: str) -> None: ...
    def removed(self, key: str) -> None: ...
    def victim(self) -> str: ...
    def clear(self) -> None: ...


class LruPolicy:
    def __init__(self) -> None:
        self._order: OrderedDict[str, None] = OrderedDict()

    def added(self, key: str, expires_at: float | None) -> None:
        self._order[key] = None
        self._order.move_to_end(key)

    def used(self, key: str) -> None:
        self._order.move_to_end(key)

    def removed(self, key: str) -> None:
        del self._order[key]

    def victim(self) -> str:
        return next(iter(self._order))

    def clear(self) -> None:
        self._order.clear()


class LfuPolicy:
    """Constant-time LFU: keys bucketed by use count, each bucket in recency order."""

    def __init__(self) -> None:
        self._count: dict[str, int] = {}
        self._buckets: dict[int, OrderedDict[str, None]] = {}
        self._min = 0

    def _put(self, key: str, count: int) -> None:
        self._count[key] = count
        self._buckets.setdefault(count, OrderedDict())[key] = None

    def _unlink(self, key: str) -> int:
        count = self._count.pop(key)
        bucket = self._buckets[count]
        del bucket[key]
        if not bucket:
            del self._buckets[count]
        return count

    def added(self, key: str, expires_at: float | None) -> None:
        if key in self._count:
            self.used(key)
            return
        self._put(key, 1)
        self._min = 1

    def used(self, key: str) -> None:
        count = self._unlink(key)
        self._put(key, count + 1)
        if self._min == count and count not in self._buckets:
            self._min = count + 1

    def removed(self, key: str) -> None:
        count = self._unlink(key)
        if self._min == count and count not in self._buckets:
            self._min = min(self._buckets, default=0)

    def victim(self) -> str:
        return next(iter(self._buckets[self._min]))

    def clear(self) -> None:
        self._count.clear()
        self._buckets.clear()
        self._min = 0


class TtlPolicy:
    """Soonest expiry first; entries without expiry in insertion order after all others."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._seq = 0
        self._live: dict[str, int] = {}  # key -> sequence number of its current heap item

    def added(self, key: str, expires_at: float | None) -> None:
        self._seq += 1
        self._live[key] = self._seq
        heapq.heappush(self._heap, (float("inf") if expires_at is None else expires_at, self._seq, key))
        if len(self._heap) > 2 * len(self._live) + 64:
            self._heap = [item for item in self._heap if self._live.get(item[2]) == item[1]]
            heapq.heapify(self._heap)

    def used(self, key: str) -> None:
        return None  # reading an entry does not change when it expires

    def removed(self, key: str) -> None:
        del self._live[key]

    def victim(self) -> str:
        while True:
            _, seq, key = self._heap[0]
            if self._live.get(key) == seq:
                return key
            heapq.heappop(self._heap)

    def clear(self) -> None:
        self._heap.clear()
        self._live.clear()


def make_policy(strategy: str) -> EvictionPolicy:
    if strategy == "lru":
        return LruPolicy()
    if strategy == "lfu":
        return LfuPolicy()
    if strategy == "ttl":
        return TtlPolicy()
    raise ConfigurationError(f"unknown cache strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}")
