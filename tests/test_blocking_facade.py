"""The blocking facade cannot drift: every public method of the async classes has a blocking twin
with the same parameters (names, kinds, defaults and annotations); only the return types differ
(a blocking twin returns the value, or the blocking twin of an async object)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import zenoo
import zenoo.query.sync
from zenoo import Client, ZenooClient
from zenoo.cache import CacheManager
from zenoo.cache.blocking import BlockingCacheManager
from zenoo.query import BlockingQuerySet, QuerySet

#: Public names of an async class that its blocking twin leaves out on purpose, with the reason.
NOT_MIRRORED: dict[type, dict[str, str]] = {
    ZenooClient: {
        "fork": "a blocking Client always runs on one loop thread: there is no other loop to fork for",
        "cache_scope": "an internal key part of the cache, reached through client.aclient",
        "batch_manager": "zenoo-rpc's async manager; the blocking client has batch() and bulk_* itself",
        "setup_batch_manager": "zenoo-rpc's async manager; the blocking client has batch() and bulk_* itself",
        "transaction_manager": "zenoo-rpc's async manager; the blocking client has transaction() itself",
        "setup_transaction_manager": "zenoo-rpc's async manager; the blocking client has transaction() itself",
    },
    QuerySet: {
        "iterate": "async iteration in chunks; the blocking QuerySet iterates with a plain for loop",
        "using": "rebinds to another async client (a fork on another loop); use client.model(...) there",
        "runner": "which loop thread a QuerySet built by a blocking client runs on; the blocking one is that",
    },
    CacheManager: {
        "create": "the async constructor; Client.setup_cache_manager() returns the blocking view",
        "add_level": "takes a level object built for the async manager: reach it through .manager",
        "lookup": "the client's cache hook, called inside call(); not a user operation",
        "store": "the client's cache hook, called inside call(); not a user operation",
        "make_key": "the client's cache hook, called inside call(); not a user operation",
        "make_function_key": "used by @cached on async functions",
        "invalidate_later": "the client's cache hook after a write whose answer was lost; not a user operation",
        "scope": "an internal key part, reached through .manager",
    },
}
PAIRS = [(ZenooClient, Client), (QuerySet, BlockingQuerySet), (CacheManager, BlockingCacheManager)]


def _public(cls: type) -> dict[str, Any]:
    return {name: value for name, value in inspect.getmembers(cls) if not name.startswith("_")}


def _parameters(function: Any) -> list[tuple[str, Any, Any, Any]]:
    return [
        (p.name, p.kind, p.default, p.annotation)
        for p in inspect.signature(function, eval_str=False).parameters.values()
    ]


@pytest.mark.parametrize(("async_cls", "blocking_cls"), PAIRS, ids=lambda cls: cls.__name__)
def test_every_async_method_has_a_blocking_twin_with_the_same_parameters(async_cls: type, blocking_cls: type) -> None:
    left_out = NOT_MIRRORED[async_cls]
    mirrored = _public(blocking_cls)
    missing, different = [], []
    for name, member in _public(async_cls).items():
        if name in left_out:
            assert name not in mirrored, f"{blocking_cls.__name__}.{name} exists: drop it from NOT_MIRRORED"
            continue
        if name not in mirrored:
            missing.append(name)
        elif inspect.isfunction(member):
            if _parameters(member) != _parameters(mirrored[name]):
                different.append(
                    f"{name}{inspect.signature(member)} vs {name}{inspect.signature(mirrored[name])}"
                )
    assert missing == [], f"{blocking_cls.__name__} lacks {missing}"
    assert different == [], f"{blocking_cls.__name__} differs from {async_cls.__name__}: " + "; ".join(different)


def test_the_blocking_twins_of_coroutines_are_not_coroutines() -> None:
    for async_cls, blocking_cls in PAIRS:
        for name, member in _public(async_cls).items():
            twin = getattr(blocking_cls, name, None)
            if inspect.iscoroutinefunction(member) and twin is not None:
                assert not inspect.iscoroutinefunction(twin), f"{blocking_cls.__name__}.{name} is async"


@pytest.mark.parametrize("module", [zenoo, zenoo.query, zenoo.query.sync], ids=lambda module: module.__name__)
def test_the_old_name_of_the_blocking_queryset_still_works_and_warns(module: Any) -> None:
    deprecated = rf"{module.__name__}\.SyncQuerySet is deprecated: use BlockingQuerySet"
    with pytest.warns(DeprecationWarning, match=deprecated):
        assert module.SyncQuerySet is BlockingQuerySet
    assert "SyncQuerySet" not in getattr(module, "__all__", ())


def test_the_blocking_client_takes_the_async_clients_arguments() -> None:
    """``Client(...)`` takes what ``ZenooClient(...)`` takes, plus ``loop`` (the thread it runs on)."""
    blocking = _parameters(Client.__init__)
    assert [p for p in blocking if p[0] != "loop"] == _parameters(ZenooClient.__init__)
    assert blocking[-1][0] == "loop"
