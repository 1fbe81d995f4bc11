"""The memory level against a plain reference model of TTL/LRU/LFU, on random operation sequences."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zenoo.cache import MemoryCache

from .conftest import FakeClock

KEYS = "abcdef"
MAX_SIZE = 3

operations = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(KEYS), st.one_of(st.none(), st.integers(1, 20))),
        st.tuples(st.just("get"), st.sampled_from(KEYS)),
        st.tuples(st.just("advance"), st.integers(1, 8)),
    ),
    max_size=60,
)


class Reference:
    """Each entry: value, expires_at, use count, tick of last use, tick of last write."""

    def __init__(self, strategy: str) -> None:
        self.strategy = strategy
        self.now = 0.0
        self.tick = 0
        self.entries: dict[str, dict] = {}

    def _victim(self) -> str:
        if self.strategy == "lru":
            return min(self.entries, key=lambda k: self.entries[k]["used"])
        if self.strategy == "lfu":
            return min(self.entries, key=lambda k: (self.entries[k]["count"], self.entries[k]["used"]))
        return min(
            self.entries,
            key=lambda k: (
                self.entries[k]["expires"] if self.entries[k]["expires"] is not None else float("inf"),
                self.entries[k]["written"],
            ),
        )

    def _expired(self, key: str) -> bool:
        expires = self.entries[key]["expires"]
        return expires is not None and expires <= self.now

    def set(self, key: str, value: bytes, ttl: int | None) -> None:
        self.tick += 1
        expires = None if ttl is None else self.now + ttl
        if key in self.entries:
            entry = self.entries[key]
            entry.update(value=value, expires=expires, used=self.tick, written=self.tick)
            entry["count"] += 1
            return
        if len(self.entries) >= MAX_SIZE:
            for expired in [k for k in self.entries if self._expired(k)]:
                del self.entries[expired]
        if len(self.entries) >= MAX_SIZE:
            del self.entries[self._victim()]
        self.entries[key] = {
            "value": value,
            "expires": expires,
            "count": 1,
            "used": self.tick,
            "written": self.tick,
        }

    def get(self, key: str) -> bytes | None:
        if key not in self.entries:
            return None
        if self._expired(key):
            del self.entries[key]
            return None
        self.tick += 1
        entry = self.entries[key]
        entry["count"] += 1
        entry["used"] = self.tick
        return entry["value"]


def run(strategy: str, ops: list[tuple]) -> None:
    clock = FakeClock()
    clock.now = 0.0
    cache = MemoryCache(strategy=strategy, max_size=MAX_SIZE, max_bytes=None, clock=clock)
    reference = Reference(strategy)
    for step, op in enumerate(ops):
        if op[0] == "set":
            value = f"{op[1]}{step}".encode()
            cache.set_now(op[1], value, op[2])
            reference.set(op[1], value, op[2])
        elif op[0] == "get":
            found = cache.get_now(op[1])
            assert (found[0] if found else None) == reference.get(op[1]), (step, op)
        else:
            clock.advance(op[1])
            reference.now += op[1]
        assert cache.stats().size <= MAX_SIZE
    for key in KEYS:
        found = cache.get_now(key)
        assert (found[0] if found else None) == reference.get(key), key


@settings(max_examples=200, deadline=None)
@given(operations)
def test_lru_matches_the_reference(ops):
    run("lru", ops)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_lfu_matches_the_reference(ops):
    run("lfu", ops)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_ttl_matches_the_reference(ops):
    run("ttl", ops)
