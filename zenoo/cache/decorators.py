"""``@cached``: cache what an async function returns, invalidated by writes on the models it names.

::

    @cached(ttl=60, models=["res.partner"])
    async def company_names(client, country_code):
        rows = await client.search_read("res.partner", [("country_id.code", "=", country_code)], ["name"])
        return sorted(r["name"] for r in rows)

The cache is the ``cache`` of the client passed as an argument (or the ``cache=`` given to the
decorator); when that client has no cache, the function simply runs. The key is the function's
qualified name and a digest of its compiled code (two scripts' ``__main__.report`` differ; a
closure's entries are its own), its bound arguments (defaults applied) serialised as JSON, plus
the client's server, database, user and context: two users never share an entry. Arguments other
than the client must be JSON values; so must the result (tuples come back as lists).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import marshal
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from zenoo.cache.invalidation import ANY_WRITE
from zenoo.cache.keys import validate_ttl
from zenoo.cache.manager import CacheManager
from zenoo.exceptions import ConfigurationError, InvalidValueError

__all__ = ["cache_result", "cached"]

R = TypeVar("R")
AsyncFn = Callable[..., Awaitable[R]]


def _is_client(value: Any) -> bool:
    return hasattr(value, "cache_scope") and hasattr(value, "cache")


#: tells this process's closures from other processes' (see :func:`_identity`)
_PROCESS = secrets.token_hex(8)
_closures = itertools.count(1)


def _identity(fn: Callable[..., Any], qualname: str) -> str:
    """What keys a decorated function's entries: its name and a digest of its compiled code, so
    that two scripts' ``__main__.report`` differ and changed code does not get old results. A
    closure's results depend on what it captures, so each decorated closure, in each process, has
    entries of its own."""
    identity = f"{qualname}:{hashlib.blake2b(marshal.dumps(fn.__code__), digest_size=8).hexdigest()}"
    return f"{identity}:{_PROCESS}:{next(_closures)}" if fn.__closure__ else identity


def cached(
    ttl: float | None | AsyncFn[Any] = None,
    *,
    models: Iterable[str] | None = None,
    cache: CacheManager | None = None,
) -> Any:
    """Cache an async function's results (``@cached`` or ``@cached(ttl=…, models=[…], cache=…)``).

    ``models`` are the Odoo models whose writes invalidate the results; without it, any write
    through a client sharing the cache does. ``ttl`` defaults to the manager's.
    """
    if callable(ttl):  # used bare: @cached
        return cached()(ttl)
    ttl = validate_ttl(ttl)
    if models is not None and isinstance(models, str):
        raise ConfigurationError(f"models must be a list of model names, not the string {models!r}")
    guards = tuple(models) if models is not None else (ANY_WRITE,)
    if not guards:
        raise ConfigurationError(
            "models=[] names no model, so no write would invalidate; leave models out instead"
        )
    if not all(isinstance(m, str) and m for m in guards):
        raise ConfigurationError(f"models must be model names, got {guards!r}")
    if cache is not None and not isinstance(cache, CacheManager):
        raise ConfigurationError(f"cache must be a CacheManager, got {type(cache).__name__}")

    def decorate(fn: AsyncFn[R]) -> AsyncFn[R]:
        if not inspect.iscoroutinefunction(fn):
            raise ConfigurationError(f"@cached decorates async functions; {fn.__qualname__} is not one")
        signature = inspect.signature(fn)
        qualname = f"{fn.__module__}.{fn.__qualname__}"
        identity = _identity(fn, qualname)

        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> R:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            client_param = next((n for n, v in bound.arguments.items() if _is_client(v)), None)
            client = bound.arguments[client_param] if client_param else None
            manager = cache if cache is not None else (client.cache if client is not None else None)
            if manager is None:
                if client is None:
                    raise ConfigurationError(
                        f"{qualname} is @cached but got no client argument and no cache=: "
                        "pass the client, or give the decorator cache=<CacheManager>"
                    )
                return await fn(*args, **kwargs)
            scope = client.cache_scope if client is not None else manager.scope
            key_args = {n: v for n, v in bound.arguments.items() if n != client_param}
            context = getattr(client, "context", None)  # a view's lang, companies…: entries of its own
            key = manager.make_function_key(scope, identity, key_args, context)
            hit, value = await manager.lookup(guards, key)
            if hit:
                return value  # type: ignore[no-any-return]
            result = await fn(*args, **kwargs)
            try:
                await manager.store(guards, key, result, ttl=ttl)
            except InvalidValueError as exc:
                raise InvalidValueError(f"{qualname} returned a value that cannot be cached: {exc}") from None
            return result

        return wrapper

    return decorate


#: The same decorator under the name used by zenoo-rpc.
cache_result = cached
