"""Cache keys and cached values.

A key is a digest of the normalised call (orjson with sorted keys, hashed with BLAKE2b): the
server, database, user id, model, method, ids, arguments and the whole merged context all go into
it, so one user never sees what was cached for another, and no credential or argument value
appears in the key. The model name stays readable in the stored key, and the generations
observed when the key was looked up become part of it (see :mod:`zenoo.cache.manager`).

Values are stored as orjson bytes behind a short marker; anything else found under a key (a
pickle payload, garbage) is rejected by :func:`decode_value` and never executed.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from zenoo.exceptions import InvalidValueError
from zenoo.transport import _odoo_default as _as_sent

__all__ = [
    "CacheKey",
    "PoisonedValueError",
    "database_id",
    "decode_value",
    "encode_value",
    "make_call_key",
    "make_function_key",
    "validate_ttl",
]

#: Every stored value starts with this marker; it names the format so it can change later.
VALUE_MARKER = b"zenoo-json-1\n"

# Arguments are serialised as the request body sends them (datetimes as Odoo's UTC strings):
# two calls share a key only when Odoo receives the same values.
_KEY_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
# Values must come back as they went in: no silent datetime/dataclass/subclass conversion.
_VALUE_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
)


@dataclass(slots=True)
class CacheKey:
    """One cacheable call: where it belongs, a readable label and the digest of the call.

    ``generations`` is filled by :meth:`CacheManager.lookup` with the invalidation generations it
    observed, and :meth:`CacheManager.store` stores under those same generations: a result fetched
    while a write happened is stored under the old generation and never served afterwards.
    """

    database: str
    label: str
    digest: str
    generations: tuple[int, ...] | None = None

    def storage_key(self, generations: Sequence[int]) -> str:
        """The key under which the value is stored for these generations."""
        gens = ".".join(map(str, generations))
        return f"v:{self.database}:{self.label}:{gens}:{self.digest}"


class PoisonedValueError(ValueError):
    """A value found in the cache is not a zenoo JSON entry (e.g. a pickle payload)."""


_PLAIN_TYPES = frozenset({list, tuple, dict})


def _plain(value: Any) -> Any:
    """``value`` as a type orjson serialises (lists and dicts pass unchanged; tuples serialise as lists)."""
    if type(value) in _PLAIN_TYPES:
        return value
    return dict(value) if isinstance(value, Mapping) else list(value)


def _dumps_for_key(what: str, payload: Any) -> bytes:
    try:
        return orjson.dumps(payload, default=_as_sent, option=_KEY_OPTIONS)
    except TypeError as exc:
        raise InvalidValueError(f"cannot build a cache key for {what}: {exc}") from None


def _digest(data: bytes, size: int) -> str:
    return hashlib.blake2b(data, digest_size=size).hexdigest()


@functools.lru_cache(maxsize=256)
def database_id(server: str, database: str | None) -> str:
    """A short, secret-free id of one database on one server: the scope of invalidation."""
    return _digest(orjson.dumps([server, database or ""]), 8)


def make_call_key(
    scope: Sequence[Any],
    model: str,
    method: str,
    ids: Sequence[int] | None,
    args: Sequence[Any],
    kwargs: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None,
) -> CacheKey:
    """The key of ``model.method(ids, *args, **kwargs)`` called with ``context`` in ``scope``.

    ``scope`` is ``(server_url, database, uid)``. The whole context is part of the key: lang, tz,
    allowed_company_ids, active_test and others all change what Odoo returns.
    """
    server, database, uid = scope
    payload = (
        server,
        database,
        uid,
        model,
        method,
        None if ids is None else _plain(ids),
        _plain(args),
        _plain(kwargs or {}),
        _plain(context or {}),
    )
    data = _dumps_for_key(f"{model}.{method}", payload)
    return CacheKey(database_id(server, database), model, _digest(data, 16))


def make_function_key(
    scope: Sequence[Any], qualname: str, arguments: Mapping[str, Any], context: Mapping[str, Any] | None = None
) -> CacheKey:
    """The key of a call to the decorated function ``qualname`` with bound ``arguments``, made
    through a client with ``context`` (its language, companies… change what the function reads)."""
    server, database, uid = scope
    data = _dumps_for_key(qualname, [server, database, uid, qualname, dict(arguments), _plain(context or {})])
    return CacheKey(database_id(server, database), f"fn:{qualname}", _digest(data, 16))


def encode_value(value: Any) -> bytes:
    """Serialise a value for the cache; only JSON types are accepted (tuples come back as lists)."""
    try:
        return VALUE_MARKER + orjson.dumps(value, option=_VALUE_OPTIONS)
    except TypeError as exc:
        raise InvalidValueError(f"only JSON values can be cached: {exc}") from None


def decode_value(raw: bytes) -> Any:
    """Parse a stored value; raise :class:`PoisonedValueError` for anything zenoo did not write."""
    if not raw.startswith(VALUE_MARKER):
        raise PoisonedValueError(f"value of {len(raw)} bytes does not start with zenoo's marker")
    try:
        return orjson.loads(memoryview(raw)[len(VALUE_MARKER) :])
    except orjson.JSONDecodeError as exc:
        raise PoisonedValueError(f"value is not valid JSON: {exc}") from None


def validate_ttl(ttl: float | None, *, what: str = "ttl") -> float | None:
    """Check a time-to-live in seconds: ``None`` (use the default) or a finite number >= 0."""
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl < 0:
        raise InvalidValueError(f"{what} must be a number of seconds >= 0 (or None), got {ttl!r}")
    return float(ttl)
