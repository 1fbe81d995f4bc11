"""``@cached`` without a server: keys from bound arguments, invalidation by named models, errors."""

from __future__ import annotations

import pytest

from zenoo.cache import CacheManager, cache_result, cached
from zenoo.exceptions import ConfigurationError, InvalidValueError

ADMIN = ("http://odoo.test", "db", 2)
DEMO = ("http://odoo.test", "db", 6)


class FakeClient:
    """What ``@cached`` reads from a client: its cache scope and its cache."""

    def __init__(self, scope=ADMIN, cache=None):
        self.cache_scope = scope
        self.cache = cache


async def client_with_cache(scope=ADMIN, **options):
    client = FakeClient(scope)
    client.cache = await CacheManager.create(client, **options)
    return client


async def test_bare_decorator_caches_per_bound_arguments():
    calls = []

    @cached
    async def lookup(client, code, *, limit=10):
        calls.append((code, limit))
        return {"code": code, "limit": limit}

    client = await client_with_cache()
    assert await lookup(client, "BE") == {"code": "BE", "limit": 10}
    assert await lookup(client, "BE", limit=10) == {"code": "BE", "limit": 10}  # defaults applied
    assert await lookup(client, code="BE") == {"code": "BE", "limit": 10}
    await lookup(client, "FR")
    await lookup(client, "BE", limit=5)
    assert calls == [("BE", 10), ("FR", 10), ("BE", 5)]
    assert cache_result is cached


def _script_function(body: str):
    """A function ``report`` as a script run with ``python script.py`` defines it (module ``__main__``)."""
    namespace: dict = {"__name__": "__main__"}
    exec(compile(f"async def report(client):\n    return {body}\n", "<script>", "exec"), namespace)  # noqa: S102
    return namespace["report"]


async def test_functions_of_one_name_in_two_scripts_do_not_share_entries():
    first, second = cached(_script_function("'persons'")), cached(_script_function("'companies'"))
    assert first.__module__ == second.__module__ == "__main__" and first.__qualname__ == second.__qualname__
    client = await client_with_cache()
    assert await first(client) == "persons"
    assert await second(client) == "companies"
    assert await cached(_script_function("'persons'"))(client) == "persons"  # the same code: a hit


async def test_closures_do_not_share_entries():
    calls = []

    def report_of(kind: str):
        @cached
        async def report(client):
            calls.append(kind)
            return kind

        return report

    client = await client_with_cache()
    persons = report_of("persons")
    assert [await persons(client), await report_of("companies")(client)] == ["persons", "companies"]
    assert await persons(client) == "persons"
    assert calls == ["persons", "companies"]


async def test_only_writes_on_named_models_invalidate_under_the_model_rule():
    calls = []

    @cached(models=["res.country"])
    async def countries(client):
        calls.append(1)
        return ["BE"]

    @cached()
    async def anything(client):
        calls.append(2)
        return ["x"]

    client = await client_with_cache(invalidation="model")
    await countries(client)
    await anything(client)
    await client.cache.invalidate("res.partner")  # not named by countries(); anything() names nothing
    await countries(client)
    await anything(client)
    assert calls == [1, 2, 2]
    await client.cache.invalidate("res.country")
    await countries(client)
    assert calls == [1, 2, 2, 1]


async def test_users_get_their_own_entries_from_a_shared_manager():
    @cached(ttl=60)
    async def whoami(client):
        return client.cache_scope[2]

    admin = await client_with_cache(ADMIN)
    demo = FakeClient(DEMO, cache=admin.cache)
    assert await whoami(admin) == 2
    assert await whoami(demo) == 6


async def test_without_a_cache_the_function_just_runs():
    calls = []

    @cached(ttl=60)
    async def rows(client):
        calls.append(1)
        return [1]

    client = FakeClient()
    await rows(client)
    await rows(client)
    assert calls == [1, 1]


async def test_explicit_cache_serves_functions_without_a_client_argument():
    manager = await CacheManager.create(FakeClient())
    calls = []

    @cached(cache=manager)
    async def constant(n):
        calls.append(n)
        return n * 2

    assert await constant(2) == await constant(2) == 4
    assert calls == [2]


async def test_bad_uses_are_clear_errors():
    with pytest.raises(ConfigurationError, match="async functions"):

        @cached
        def not_async(client):
            return 1

    with pytest.raises(ConfigurationError, match="not the string 'res.partner'"):
        cached(models="res.partner")
    with pytest.raises(ConfigurationError, match=r"models=\[\] names no model"):
        cached(models=[])
    with pytest.raises(ConfigurationError, match="cache must be a CacheManager"):
        cached(cache={})

    @cached
    async def needs_a_client(code):
        return code

    with pytest.raises(ConfigurationError, match="no client argument and no cache="):
        await needs_a_client("BE")

    @cached
    async def returns_a_set(client):
        return {1, 2}

    with pytest.raises(InvalidValueError, match="returns_a_set returned a value that cannot be cached"):
        await returns_a_set(await client_with_cache())
