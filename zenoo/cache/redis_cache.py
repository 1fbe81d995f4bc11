"""The Redis cache level (redis-py's asyncio client), shared by every process using the server.

Entries are ``SET … PX ttl`` under ``<namespace>:v:<database>:<model>:<generations>:<digest>``;
generations are counters under ``<namespace>:g:<database>:<name>``, read and incremented by small
Lua scripts so that all processes see each other's invalidations. A missing generation (never
set, or evicted by Redis) is seeded with a random number, never 0, so that entries written under
an evicted generation cannot become visible again.

Any Redis failure (connection refused, timeout, OOM …) degrades to "no cache": lookups miss,
stores are dropped, the first failure of an outage is logged once (URL without its password), and
Redis is not tried again for ``retry_interval`` seconds. Invalidations that could not be written
are kept, tried again every ``retry_interval`` seconds in the background, and written before Redis
answers anything else.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from zenoo.cache.keys import validate_ttl
from zenoo.cache.stats import LevelStats
from zenoo.exceptions import ConfigurationError

__all__ = ["RedisCache", "redact_url"]

log = logging.getLogger("zenoo.cache")
T = TypeVar("T")

_READ_GENERATIONS = """
local out = {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value then
    redis.call('SET', key, ARGV[1])
    value = ARGV[1]
  end
  out[i] = value
end
return out
"""

_BUMP_GENERATIONS = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then
    redis.call('SET', key, ARGV[1])
  end
  redis.call('INCR', key)
end
return #KEYS
"""

_SCHEMES = ("redis", "rediss", "unix")


def redact_url(url: str) -> str:
    """``url`` with its password (in the user-info or a ``password=`` parameter) replaced by ***.

    The user-info ends at the last ``@``: a password holding an unencoded ``/`` or ``#`` (which
    would end a URL's authority early) is hidden too."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        userinfo, _, after = rest.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        url = f"{scheme}://{user}{':***' if colon else ''}@{after}"
    parts = urlsplit(url)
    netloc = parts.netloc
    query = parts.query
    if "password" in query:
        query = urlencode(
            [(k, "***" if k == "password" else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _misread_password(url: str) -> bool:
    """Whether ``url``'s user-info holds an unencoded ``@``, ``/``, ``#`` or ``?``, which would end
    its authority early: the Redis client would then take part of the password for the host."""
    scheme, _, rest = url.partition("://")
    if scheme == "unix" or "@" not in rest:
        return False
    userinfo = rest.rpartition("@")[0]
    if "?" in userinfo and "=" in userinfo.partition("?")[2]:  # the @ is in a query (?password=...)
        return False
    return any(ch in userinfo for ch in "@/#?")


def _seed() -> str:
    return str(random.getrandbits(48) + 1)


@dataclass
class _Connection:
    """A redis-py client of one event loop, with the generation scripts registered on it."""

    client: aioredis.Redis
    read_generations: AsyncScript
    bump_generations: AsyncScript


class _Unavailable(Exception):
    """Redis is in its back-off period after a failure."""


class RedisCache:
    """A cache level in Redis, shared across processes.

    ``url`` is a redis-py URL (``redis://[:password@]host:port/db``, ``rediss://``, ``unix://``);
    ``namespace`` prefixes every key zenoo writes. ``default_ttl`` is used when a call gives no TTL
    (``None``: the manager's default). Eviction when Redis is full is Redis's own
    ``maxmemory-policy``. ``socket_timeout`` bounds each Redis operation, so a hung Redis costs at
    most that much per call before the cache is bypassed for ``retry_interval`` seconds.
    """

    kind = "redis"

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        name: str = "redis",
        namespace: str = "zenoo",
        default_ttl: float | None = None,
        socket_timeout: float = 1.0,
        retry_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(url, str) or urlsplit(url).scheme not in _SCHEMES:
            raise ConfigurationError(
                f"Redis URL must start with one of {', '.join(s + '://' for s in _SCHEMES)}; "
                f"got {redact_url(url) if isinstance(url, str) else url!r}"
            )
        if _misread_password(url):
            raise ConfigurationError(
                f"Redis URL {redact_url(url)} would be read with part of its password as the host or path: "
                "URL-encode the password's @ / # ? (%40 %2F %23 %3F)"
            )
        if not namespace or any(ch.isspace() for ch in namespace):
            raise ConfigurationError(f"Redis namespace must be a non-empty word, got {namespace!r}")
        for what, value in (("socket_timeout", socket_timeout), ("retry_interval", retry_interval)):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigurationError(f"{what} must be a number of seconds >= 0, got {value!r}")
        self.name = name
        self.url = redact_url(url)
        self.namespace = namespace
        self.default_ttl = validate_ttl(default_ttl, what="default_ttl")
        self._url = url
        self._socket_timeout = float(socket_timeout)
        self._retry_interval = float(retry_interval)
        self._clock = clock
        # redis-py's asyncio connections belong to the loop that opened them: one client per loop.
        self._connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Connection] = (
            weakref.WeakKeyDictionary()
        )
        self._down_until: float | None = None
        self._pending_bumps: set[str] = set()
        self._flusher: asyncio.Task[None] | None = None  # writes the pending bumps once Redis is back
        self._stats = LevelStats(name=name, kind=self.kind, evictions=None, expirations=None)

    def __repr__(self) -> str:
        return f"RedisCache(name={self.name!r}, url={self.url!r}, namespace={self.namespace!r})"

    def _connection(self) -> _Connection:
        loop = asyncio.get_running_loop()
        connection = self._connections.get(loop)
        if connection is None:
            client = aioredis.Redis.from_url(
                self._url,
                socket_timeout=self._socket_timeout,
                socket_connect_timeout=self._socket_timeout,
                retry=Retry(NoBackoff(), 0),  # a cache fails fast: a failed operation is a miss
            )
            connection = _Connection(
                client, client.register_script(_READ_GENERATIONS), client.register_script(_BUMP_GENERATIONS)
            )
            self._connections[loop] = connection
        return connection

    async def _run(self, operation: Callable[[_Connection], Awaitable[T]]) -> T:
        """Run one Redis operation; on failure log (once per outage), back off and raise _Unavailable."""
        if self._down_until is not None and self._clock() < self._down_until:
            raise _Unavailable
        try:
            connection = self._connection()
            if self._pending_bumps:
                keys = sorted(self._pending_bumps)
                await connection.bump_generations(keys=keys, args=[_seed()])
                self._pending_bumps.difference_update(keys)
            result = await operation(connection)
        except (RedisError, OSError) as exc:
            self._stats.errors += 1
            if self._down_until is None:
                log.warning(
                    "Redis cache %s is unavailable (%s: %s); caching through it is off, retrying every %gs",
                    self.url,
                    type(exc).__name__,
                    exc,
                    self._retry_interval,
                )
            self._down_until = self._clock() + self._retry_interval
            raise _Unavailable from None
        if self._down_until is not None:
            log.warning("Redis cache %s is reachable again", self.url)
            self._down_until = None
        return result

    def _generation_key(self, database: str, name: str) -> str:
        return f"{self.namespace}:g:{database}:{name}"

    # --- generations ---------------------------------------------------------------------------

    async def generations(self, database: str, names: Sequence[str]) -> tuple[int, ...] | None:
        keys = [self._generation_key(database, name) for name in names]
        try:
            values = await self._run(lambda c: c.read_generations(keys=keys, args=[_seed()]))
        except _Unavailable:
            return None
        return tuple(int(v) for v in values)

    async def bump(self, database: str, names: Sequence[str]) -> None:
        keys = [self._generation_key(database, name) for name in names]
        try:
            await self._run(lambda c: c.bump_generations(keys=keys, args=[_seed()]))
        except _Unavailable:
            # Written before Redis answers anything again, so no stale entry is served afterwards.
            self._pending_bumps.update(keys)
            self._flush_later()

    def _flush_later(self) -> None:
        """Try the pending invalidations again every ``retry_interval`` seconds until Redis takes
        them: other processes must not wait for this one's next use of the cache."""
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_pending())

    async def _flush_pending(self) -> None:
        while self._pending_bumps:
            await asyncio.sleep(max(self._retry_interval, 0.1))
            try:
                await self._run(lambda c: c.client.ping())  # the pending bumps are written first
            except _Unavailable:
                continue

    # --- entries -------------------------------------------------------------------------------

    async def get(self, key: str, *, with_ttl: bool = False) -> tuple[bytes, float | None] | None:
        full_key = f"{self.namespace}:{key}"

        async def fetch(connection: _Connection) -> tuple[Any, Any]:
            if not with_ttl:
                return await connection.client.get(full_key), None
            async with connection.client.pipeline(transaction=False) as pipe:
                pipe.get(full_key)
                pipe.pttl(full_key)
                raw, pttl = await pipe.execute()
            return raw, pttl

        try:
            raw, pttl = await self._run(fetch)
        except _Unavailable:
            self._stats.misses += 1
            return None
        if raw is None:
            self._stats.misses += 1
            return None
        self._stats.hits += 1
        remaining = pttl / 1000 if isinstance(pttl, int) and pttl > 0 else None
        return raw, remaining

    async def set(self, key: str, raw: bytes, ttl: float | None) -> None:
        full_key = f"{self.namespace}:{key}"
        px = None if ttl is None else max(1, int(ttl * 1000))
        try:
            await self._run(lambda c: c.client.set(full_key, raw, px=px))
        except _Unavailable:
            return
        self._stats.stores += 1

    async def _scan_entries(self, connection: _Connection) -> list[bytes]:
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.namespace)  # the namespace's own *?[]\ are not wildcards
        return [k async for k in connection.client.scan_iter(match=f"{pattern}:v:*", count=1000)]

    async def clear(self) -> None:
        async def delete_all(connection: _Connection) -> None:
            keys = await self._scan_entries(connection)
            for start in range(0, len(keys), 1000):
                await connection.client.delete(*keys[start : start + 1000])

        try:
            await self._run(delete_all)
        except _Unavailable:
            return

    async def count(self) -> int | None:
        """Entries under this namespace (a SCAN over the keyspace: for occasional use)."""
        try:
            keys = await self._run(self._scan_entries)
        except _Unavailable:
            return None
        return len(keys)

    def note_rejected(self) -> None:
        # the get() that found it counted a hit; the caller got nothing
        self._stats.hits -= 1
        self._stats.misses += 1
        self._stats.rejected += 1

    def stats(self) -> LevelStats:
        return self._stats.snapshot()

    async def close(self) -> None:
        """Close the running loop's connections; other loops' clients close on their own loops.

        (A connection belongs to the loop that opened it: it cannot be closed from another one.)
        """
        connection = self._connections.pop(asyncio.get_running_loop(), None)
        if connection is not None:
            await connection.client.aclose()
