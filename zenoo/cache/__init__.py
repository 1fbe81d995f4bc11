"""Caching of read-only Odoo calls: memory (TTL/LRU/LFU) and Redis levels, write invalidation.

Set it up on a client with ``await client.setup_cache_manager(backend="memory" | "redis" |
["memory", "redis"], ...)``; see ``docs/caching.md`` for what is cached, how keys are built and
what invalidates them.
"""

from __future__ import annotations

from zenoo.cache.blocking import BlockingCacheManager
from zenoo.cache.decorators import cache_result, cached
from zenoo.cache.invalidation import DEFAULT_DEPENDENTS
from zenoo.cache.keys import CacheKey, validate_ttl
from zenoo.cache.level import CacheLevel
from zenoo.cache.manager import DEFAULT_TTL, CacheManager
from zenoo.cache.memory import MemoryCache
from zenoo.cache.stats import CacheStats, LevelStats

__all__ = [
    "DEFAULT_DEPENDENTS",
    "DEFAULT_TTL",
    "BlockingCacheManager",
    "CacheKey",
    "CacheLevel",
    "CacheManager",
    "CacheStats",
    "LevelStats",
    "MemoryCache",
    "RedisCache",
    "cache_result",
    "cached",
    "validate_ttl",
]


def __getattr__(name: str) -> object:
    # RedisCache needs the optional redis package: import it only when asked for.
    if name == "RedisCache":
        from zenoo.cache.redis_cache import RedisCache

        return RedisCache
    raise AttributeError(f"module 'zenoo.cache' has no attribute {name!r}")
