"""ZenooClient: the async facade over one Odoo server.

Every Odoo call goes through :meth:`ZenooClient.call`, which picks the RPC API chosen at login
(JSON-RPC or JSON-2), consults the cache, and sends the request through the retry policy, the
circuit breaker and the pooled transport (:mod:`zenoo.client.sending`). The ORM helpers
(``search_read``, ``create`` …) come from :class:`zenoo.client.orm.OrmMethods`.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, Self

import httpx

from zenoo._deprecation import warn_deprecated
from zenoo.cache.keys import validate_ttl
from zenoo.client.arguments import check_context
from zenoo.client.features import ServerFeatures
from zenoo.client.options import (
    ApiChoice,
    ClientOptions,
    check_api,
    check_retry,
    circuit_breaker_of,
    limits_from,
)
from zenoo.client.orm import OrmMethods
from zenoo.client.sending import exchange, service
from zenoo.client.session import fetch_version, log_in, new_protocol
from zenoo.client.shared import SharedState
from zenoo.client.writes import WriteMethods
from zenoo.config import Limits, Timeout
from zenoo.exceptions import (
    ConfigurationError,
    InvalidValueError,
    NotAuthenticatedError,
    ProtocolError,
    TransportError,
    ZenooError,
)
from zenoo.methods import is_read_only
from zenoo.protocols.base import check_ids, check_names, uniform_answer
from zenoo.retry import CircuitBreaker, RetryPolicy
from zenoo.stats import ClientStats, Hooks
from zenoo.transport import encode_json, parse_server_address
from zenoo.writing.recording import WriteCall, current_recorder
from zenoo.writing.results import outcome_of

if TYPE_CHECKING:
    from zenoo.cache import CacheManager
    from zenoo.query import QuerySet
    from zenoo.seams import OdooClient
    from zenoo.state import ClientState


class ZenooClient(OrmMethods, WriteMethods):
    """Async client for one Odoo server.

    ``host_or_url`` is a URL (``https://odoo.example.com``) or a host (``localhost``, with
    ``port`` and the URL scheme ``protocol``, zenoo-rpc's name; see
    :func:`zenoo.transport.parse_server_address` for the defaults). ``timeout`` is a
    :class:`zenoo.Timeout` or a number of seconds, ``limits`` a :class:`zenoo.Limits` (the pool
    and the requests in flight; the keywords ``max_connections``, ``max_keepalive_connections``
    and ``max_concurrency`` still work and are deprecated). ``api`` chooses the RPC API:
    ``"jsonrpc"``, ``"json2"``, or ``"auto"``: JSON-2 where the server has it and the login uses
    an API key, JSON-RPC otherwise. ``retry`` and ``circuit_breaker`` (``False`` disables it)
    configure resilience. ``verify_ssl`` may also be the path of a CA bundle. ``transport`` sends
    through an httpx transport instead of the network (``httpx.ASGITransport(app)`` serves an
    ASGI app in-process); its owner closes it.
    """

    def __init__(
        self,
        host_or_url: str,
        port: int | None = None,
        protocol: str | None = None,
        timeout: Timeout | float | None = 30.0,
        verify_ssl: bool | str | os.PathLike[str] | ssl.SSLContext = True,
        *,
        database: str | None = None,
        api: ApiChoice = "auto",
        http2: bool = True,
        limits: Limits | None = None,
        max_connections: int | None = None,
        max_keepalive_connections: int | None = None,
        max_concurrency: int | None = None,
        retry: RetryPolicy | None = None,
        circuit_breaker: CircuitBreaker | Literal[False] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        options = ClientOptions(
            address=parse_server_address(host_or_url, port, protocol),
            timeout=Timeout.of(timeout),
            verify_ssl=verify_ssl,
            database=database,
            api=check_api(api),
            http2=http2,
            limits=limits_from(limits, max_connections, max_keepalive_connections, max_concurrency, stacklevel=2),
            retry=check_retry(retry),
            circuit_breaker=circuit_breaker_of(circuit_breaker),
            transport=transport,
        )
        self._shared = SharedState(options)
        self._extra_context: dict[str, Any] = {}
        self._owns_pool = True

    # --- properties ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._shared.url

    @property
    def host(self) -> str:
        """The server's host name (or IP address)."""
        return self._shared.options.address.host

    @property
    def port(self) -> int:
        """The server's TCP port."""
        return self._shared.options.address.port

    @property
    def scheme(self) -> str:
        """The URL scheme, ``"http"`` or ``"https"``."""
        return self._shared.options.address.scheme

    @property
    def protocol(self) -> str:
        """Deprecated alias of :attr:`scheme` (zenoo-rpc's name for the URL scheme)."""
        warn_deprecated("client.protocol", "client.scheme (the URL scheme) or client.api (the RPC API)")
        return self.scheme

    @property
    def api(self) -> str | None:
        """The RPC API in use, ``"jsonrpc"`` or ``"json2"``, once logged in (``api=`` chooses it)."""
        proto = self._shared.protocol
        return proto.name if proto else None

    @property
    def protocol_name(self) -> str | None:
        """Deprecated alias of :attr:`api`."""
        warn_deprecated("client.protocol_name", "client.api")
        return self.api

    @property
    def uid(self) -> int | None:
        creds = self._shared.credentials
        return creds.uid if creds else None

    @property
    def database(self) -> str | None:
        creds = self._shared.credentials
        return creds.database if creds else self._shared.options.database

    @property
    def username(self) -> str | None:
        creds = self._shared.credentials
        return creds.login if creds else None

    @property
    def is_authenticated(self) -> bool:
        return self._shared.credentials is not None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` closed the connection pool (calls then raise :class:`ClientError`)."""
        return self._shared.transport.closed

    @property
    def features(self) -> ServerFeatures | None:
        """What the server supports (:class:`zenoo.client.ServerFeatures`), known after login."""
        return self._shared.features

    @property
    def server_version(self) -> tuple[Any, ...] | None:
        """Odoo's ``server_version_info``, e.g. ``(19, 0, 0, "final", 0, "")`` (known after login)."""
        features = self._shared.features
        return features.version if features else None

    @property
    def context(self) -> dict[str, Any]:
        """The context sent with every call: the user's (lang, tz …) plus ``with_context`` values."""
        return {**self._shared.user_context, **self._extra_context}

    @property
    def cache_scope(self) -> tuple[str, str | None, int | None]:
        """What separates one user's cached data from another's: (base URL, database, uid)."""
        return (self.url, self.database, self.uid)

    @property
    def cache(self) -> CacheManager | None:
        """The :class:`zenoo.cache.CacheManager` in use, or None while no cache level is set up."""
        manager = self._shared.cache_manager
        return manager if manager is not None and manager.levels else None

    @property
    def cache_manager(self) -> CacheManager:
        """The cache manager, created empty on first use (zenoo-rpc style).

        Calls are cached once a level is added: ``await client.cache_manager.setup_memory_cache()``
        or ``setup_redis_cache(url=...)``; :meth:`setup_cache_manager` does it in one step.
        """
        if self._shared.cache_manager is None:
            from zenoo.cache import CacheManager

            self._shared.cache_manager = CacheManager(client=self)
        return self._shared.cache_manager

    @property
    def stats(self) -> ClientStats:
        return self._shared.stats

    @property
    def state(self) -> ClientState:
        """What the model, query and frame layers keep for this connection (runtime classes, the
        fields the server defaults, the count of writes); shared with ``with_context`` views."""
        return self._shared.state

    @property
    def hooks(self) -> Hooks:
        """Event hooks: ``client.hooks.on("retry", fn)``; see :class:`zenoo.stats.Hooks`."""
        return self._shared.hooks

    @property
    def circuit_breaker(self) -> CircuitBreaker | None:
        return self._shared.breaker

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._shared.options.retry

    def __repr__(self) -> str:
        return (
            f"ZenooClient(url={self.url!r}, database={self.database!r}, uid={self.uid!r}, "
            f"api={self.api!r}, server_version={self.server_version!r})"
        )

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool and the cache's connections.

        A ``with_context`` view leaves its parent's pool open.
        """
        if self._owns_pool:
            await self._shared.transport.aclose()
            if self._shared.cache_manager is not None:
                await self._shared.cache_manager.close()

    def with_context(self, **context: Any) -> ZenooClient:
        """A view of this client that adds ``context`` to every call; it shares pool and login."""
        view = object.__new__(ZenooClient)
        view._shared = self._shared
        view._extra_context = {**self._extra_context, **context}
        view._owns_pool = False
        return view

    def fork(self) -> ZenooClient:
        """A new client with the same server, credentials and context but its own pool.

        Use it on another event loop (httpx pools belong to the loop that created them).
        Statistics and hooks are not carried over; the cache manager is shared, so writes through
        either client invalidate what both have cached. An injected ``transport`` is shared too.
        """
        shared = self._shared
        breaker = shared.breaker.fresh_copy() if shared.breaker is not None else None
        twin = object.__new__(ZenooClient)
        twin._shared = SharedState(replace(shared.options, circuit_breaker=breaker))
        twin._shared.protocol = new_protocol(shared.protocol) if shared.protocol else None
        twin._shared.credentials = shared.credentials
        twin._shared.features = shared.features
        twin._shared.user_context = dict(shared.user_context)
        twin._shared.fields_cache = dict(shared.fields_cache)
        twin._shared.writable_models = set(shared.writable_models)
        twin._shared.readable_models = dict(shared.readable_models)
        twin._shared.cache_manager = shared.cache_manager
        twin._extra_context = dict(self._extra_context)
        twin._owns_pool = True
        return twin

    async def setup_cache_manager(self, **options: Any) -> CacheManager:
        """Create the cache (``backend="memory"|"redis"``, …) used by read-only calls."""
        from zenoo.cache import CacheManager

        self._shared.cache_manager = await CacheManager.create(self, **options)
        return self._shared.cache_manager

    def model(self, model: Any) -> QuerySet:
        """A lazy :class:`zenoo.query.QuerySet` over ``model`` (a name or a model class)."""
        from zenoo.query import QuerySet

        return QuerySet(self, model)

    # --- server information ------------------------------------------------------------------

    async def get_server_version(self) -> dict[str, Any]:
        """The server's version information (``server_version``, ``server_version_info`` …)."""
        return await fetch_version(self._shared, probe=False)

    async def list_databases(self) -> list[str]:
        """The databases of the server (``db.list``; servers may disable it)."""
        result = await service(self._shared, "db", "list")
        return list(result)

    async def health_check(self) -> bool:
        """True when the server answers its version request, False on any transport/protocol failure."""
        try:
            await fetch_version(self._shared, retries=False, probe=False)
        except (TransportError, ProtocolError):
            return False
        return True

    # --- authentication ----------------------------------------------------------------------

    async def login(self, database: str | None, username: str, password: str) -> int:
        """Log in with a password; returns the uid. Uses JSON-RPC (JSON-2 needs an API key)."""
        return await log_in(self, database, username, password, secret_kind="password")

    async def login_with_api_key(self, database: str | None, username: str, api_key: str) -> int:
        """Log in with an API key; returns the uid. Uses JSON-2 on Odoo 19+ unless ``api`` says otherwise."""
        return await log_in(self, database, username, api_key, secret_kind="api_key")

    # --- the single entry point ----------------------------------------------------------------

    async def call(
        self,
        model: str,
        method: str,
        *,
        ids: int | Iterable[int] | None = None,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        cache_ttl: float | None = None,
    ) -> Any:
        """Call ``model.method`` on the server; every Odoo call of zenoo goes through here.

        ``ids`` are the records a record-method works on; ``args`` further positional arguments
        (bound to names on JSON-2 for the well-known methods); ``kwargs`` named parameters;
        ``context`` is merged over the user's and the client's context. Read-only calls are
        served from the cache when one is set up (``cache_ttl=0`` bypasses it); a positive
        ``cache_ttl`` without a cache, or on a method that may write, is an error.
        """
        shared = self._shared
        credentials = shared.credentials
        protocol = shared.protocol
        if credentials is None or protocol is None:
            raise NotAuthenticatedError(
                f"cannot call {model}.{method}: not logged in; call login() or login_with_api_key() first"
            )
        check_names(model, method)
        id_list = check_ids(ids) if ids is not None else None
        if isinstance(args, (str, bytes, Mapping)) or not isinstance(args, Sequence):
            raise InvalidValueError(f"args must be a list or tuple, got {type(args).__name__}")
        if kwargs is not None and not isinstance(kwargs, Mapping):
            raise InvalidValueError(f"kwargs must be a dict, got {type(kwargs).__name__}")
        if context is not None and not isinstance(context, Mapping):
            raise InvalidValueError(f"context must be a dict, got {type(context).__name__}")
        validate_ttl(cache_ttl, what="cache_ttl")
        merged_context = {**self.context, **(context or {})}
        check_context(merged_context)
        wire = protocol.call_request(credentials, model, method, id_list, args, kwargs or {}, merged_context)
        # a value JSON cannot carry (or NaN/infinity) fails here, before anything is sent
        body = encode_json(wire.body, f"{model}.{method}")
        read_only = is_read_only(method)
        cache = self.cache
        if cache_ttl and not read_only:
            raise InvalidValueError(
                f"cache_ttl={cache_ttl!r} given for {model}.{method}, which may write: only read-only "
                "methods (zenoo.methods) are cached"
            )
        if cache_ttl and cache is None:
            raise ConfigurationError(
                f"cache_ttl={cache_ttl!r} asks for caching, but this client has no cache: "
                "call setup_cache_manager() first"
            )

        async def send() -> Any:
            answer = await exchange(
                shared, wire, protocol.parse, model=model, method=method, read_only=read_only, body=body
            )
            return uniform_answer(method, args, kwargs or {}, answer)

        if cache is not None and read_only and cache_ttl != 0:
            key = cache.make_key(self.cache_scope, model, method, id_list, args, kwargs, merged_context)
            hit, value = await cache.lookup(model, key)
            if hit:
                return value
            value = await send()
            await cache.store(model, key, value, ttl=cache_ttl)
            return value
        if read_only:
            return await send()

        async def write() -> Any:
            if cache is None:
                return await send()
            try:
                return await send()
            except ZenooError as exc:
                if outcome_of(exc) == "unknown":  # it may still be running, and land later
                    cache.invalidate_later(model)
                raise
            finally:  # also on error: the write may have happened
                await cache.invalidate(model)

        recorder = current_recorder()  # a transaction records what it needs to undo the call
        if recorder is None:
            return await write()
        return await recorder.around(
            WriteCall(self, model, method, id_list, tuple(args), dict(kwargs or {}), context), write
        )

    async def execute_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Any:
        """Odoo's ``execute_kw``: positional ``args`` (ids first for record methods) and ``kwargs``.

        As with Odoo, a ``"context"`` inside ``kwargs`` is accepted; ``context=`` wins over it.
        """
        if kwargs is not None and isinstance(kwargs, Mapping) and "context" in kwargs:
            kwargs = dict(kwargs)
            inner = kwargs.pop("context") or {}
            if not isinstance(inner, Mapping):
                raise InvalidValueError(f"kwargs['context'] must be a dict, got {type(inner).__name__}")
            context = {**inner, **(context or {})}
        return await self.call(model, method, args=args, kwargs=kwargs, context=context)

    async def execute(self, model: str, method: str, *args: Any, context: Mapping[str, Any] | None = None) -> Any:
        """``execute_kw`` with positional arguments only."""
        return await self.call(model, method, args=args, context=context)


if TYPE_CHECKING:  # mypy checks here that the client is what the layers above it are written against

    def _is_an_odoo_client(client: ZenooClient) -> OdooClient:
        return client
