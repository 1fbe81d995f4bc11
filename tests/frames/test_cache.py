"""Frames and the client's cache: bulk fetches bypass it unless the QuerySet asked with cache()."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
import pytest

import zenoo_frames
from zenoo import ConfigurationError
from zenoo.client import ZenooClient

from .conftest import calls, make_partners


async def _cached_schema(client: ZenooClient) -> None:
    """The fields_get frames and QuerySets read, done once (a per-model answer the client keeps anyway)."""
    await client.fields_get("res.partner")


async def _cache_size(client: ZenooClient) -> int:
    stats = await client.cache.get_stats()
    return sum(level.size for level in stats.levels.values())


async def test_frames_bypass_the_cache_by_default(client: ZenooClient, embedded: Any, marker: str) -> None:
    await make_partners(client, marker, 5)
    await client.setup_cache_manager(backend="memory")
    await _cached_schema(client)
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "country_id")
    before = await _cache_size(client)
    embedded.server.reset_requests()

    first = await qs.to_polars(progress=False)
    second = await qs.to_polars(progress=False)
    await zenoo_frames.to_arrow(client, "res.partner", [("name", "=like", f"{marker}%")], ["name"])
    lazily = qs.lazy(progress=False).collect()

    assert first.equals(second) and first.height == 5
    assert lazily.height == 5
    # every fetch went to the server: 4 searches, and none of them left an entry in the cache
    assert len(calls(embedded.server, "search", "res.partner")) == 4
    assert len(calls(embedded.server, "read", "res.partner")) == 4
    assert len(calls(embedded.server, "read", "res.country")) == 3  # to_arrow above read no many2one
    assert await _cache_size(client) == before


async def test_frames_use_the_cache_when_the_queryset_asks(
    client: ZenooClient, embedded: Any, marker: str
) -> None:
    await make_partners(client, marker, 5)
    await client.setup_cache_manager(backend="memory")
    await _cached_schema(client)
    qs = client.model("res.partner").filter(name__startswith=marker).only("name", "country_id").cache()
    before = await _cache_size(client)

    first = await qs.to_polars(progress=False)
    assert await _cache_size(client) > before  # the search, the read and the names read were stored
    embedded.server.reset_requests()
    second = await qs.to_polars(progress=False)
    lazily = qs.lazy(progress=False).collect()  # a fork on another loop shares the cache manager

    assert first.equals(second) and first.height == 5
    assert lazily.sort("id").equals(first.select(lazily.columns).sort("id"))
    assert calls(embedded.server, "search") == []
    assert calls(embedded.server, "read") == []


async def test_explicit_ttl_zero_still_bypasses(client: ZenooClient, embedded: Any, marker: str) -> None:
    await make_partners(client, marker, 3)
    await client.setup_cache_manager(backend="memory")
    await _cached_schema(client)
    qs = client.model("res.partner").filter(name__startswith=marker).only("name").cache(ttl=0)
    before = await _cache_size(client)
    embedded.server.reset_requests()
    frames = [await qs.to_polars(progress=False) for _ in range(2)]
    assert all(isinstance(frame, pl.DataFrame) and frame.height == 3 for frame in frames)
    assert len(calls(embedded.server, "read", "res.partner")) == 2
    assert await _cache_size(client) == before


async def test_a_frame_of_a_query_asking_a_cache_the_client_lacks_is_refused(client: ZenooClient, marker: str) -> None:
    """``cache()`` on a client without a cache is a ConfigurationError for frames as for records,
    with or without a ttl; ``cache(ttl=0)`` needs no cache."""
    qs = client.model("res.partner").filter(name__startswith=marker).only("name")
    for asked, shown in ((qs.cache(), "cache()"), (qs.cache(ttl=60), "cache(ttl=60)")):
        with pytest.raises(ConfigurationError, match=rf"^{re.escape(shown)} asks for caching, but this client has no cache"):
            await asked.to_polars(progress=False)
    assert (await qs.cache(ttl=0).to_polars(progress=False)).height == 0
