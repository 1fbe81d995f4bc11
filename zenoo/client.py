"""ZenooClient: the async facade over one Odoo server.

Every Odoo call goes through :meth:`ZenooClient.call`, which picks the protocol adapter chosen at
login (JSON-RPC or JSON-2), consults the cache, and sends the request through the retry policy,
the circuit breaker and the pooled transport. The helpers (``search_read``, ``create`` …) are
keyword-first and build on ``call``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Self

from zenoo.cache.keys import validate_ttl
from zenoo.exceptions import (
    AuthenticationError,
    ClientError,
    ConfigurationError,
    InvalidValueError,
    MethodNotFoundError,
    NotAuthenticatedError,
    ProtocolError,
    ProtocolNotSupportedError,
    TransportError,
    ZenooError,
)
from zenoo.fields.metadata import model_fields
from zenoo.fields.writing import checked_create_values, checked_write_values
from zenoo.methods import is_read_only
from zenoo.protocols.base import Credentials, Protocol, WireRequest, check_ids, check_names
from zenoo.protocols.json2 import Json2Protocol
from zenoo.protocols.jsonrpc import JsonRpcProtocol
from zenoo.retry import CircuitBreaker, RetryPolicy, call_with_retries
from zenoo.stats import ClientStats, Hooks, RequestEvent
from zenoo.transport import (
    HttpResponse,
    ServerAddress,
    Transport,
    decode_json,
    encode_json,
    parse_server_address,
)

if TYPE_CHECKING:
    from zenoo.cache import CacheManager
    from zenoo.models import OdooModel
    from zenoo.query import QuerySet

logger = logging.getLogger("zenoo.client")

ApiChoice = Literal["auto", "jsonrpc", "json2"]
_APIS = ("auto", "jsonrpc", "json2")
#: First Odoo series with the JSON-2 API.
JSON2_SINCE = 19
#: The operations of Odoo's model access rights.
ACCESS_OPERATIONS = ("read", "write", "create", "unlink")
_AGGREGATE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:[a-z_]+$")


@dataclass(frozen=True)
class ClientOptions:
    """Everything needed to build an equivalent client (used by :meth:`ZenooClient.fork`)."""

    address: ServerAddress
    timeout: float
    verify_ssl: bool | str | os.PathLike[str] | ssl.SSLContext
    database: str | None
    api: str
    http2: bool
    max_connections: int
    max_keepalive_connections: int | None
    max_concurrency: int
    retry: RetryPolicy
    circuit_breaker: CircuitBreaker | None = field(compare=False)


class _Shared:
    """State shared by a client and its ``with_context`` views: one pool, one login, one cache."""

    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        self.transport = Transport(
            options.address,
            timeout=options.timeout,
            verify=_ssl_verify(options.verify_ssl),
            http2=options.http2,
            max_connections=options.max_connections,
            max_keepalive_connections=options.max_keepalive_connections,
            max_concurrency=options.max_concurrency,
        )
        self.breaker = options.circuit_breaker
        if self.breaker is not None:
            self.breaker.url = options.address.base_url
        self.jsonrpc = JsonRpcProtocol()
        self.protocol: Protocol | None = None
        self.credentials: Credentials | None = None
        self.server_version: tuple[Any, ...] | None = None
        self.user_context: dict[str, Any] = {}
        self.fields_cache: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.writable_models: set[str] = set()  # models the user was found to have write rights on
        self.cache_manager: CacheManager | None = None
        self.stats = ClientStats()
        self.hooks = Hooks()


def _ssl_verify(verify: bool | str | os.PathLike[str] | ssl.SSLContext) -> bool | ssl.SSLContext:
    """``verify_ssl`` may be a bool, an SSLContext or the path of a CA bundle."""
    if isinstance(verify, (str, os.PathLike)):
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(f"cannot load the CA bundle {verify!r}: {exc}") from None
    return verify


class ZenooClient:
    """Async client for one Odoo server.

    ``host_or_url`` is a URL (``https://odoo.example.com``) or a host (``localhost``, with
    ``port``/``protocol``; see :func:`zenoo.transport.parse_server_address` for the defaults).
    ``api`` forces ``"jsonrpc"`` or ``"json2"``; ``"auto"`` uses JSON-2 on Odoo 19+ when logged
    in with an API key, JSON-RPC otherwise. ``max_concurrency`` bounds the requests in flight,
    ``max_connections`` the pool; ``retry`` and ``circuit_breaker`` (``False`` disables it)
    configure resilience. ``verify_ssl`` may also be the path of a CA bundle.
    """

    def __init__(
        self,
        host_or_url: str,
        port: int | None = None,
        protocol: str | None = None,
        timeout: float = 30.0,
        verify_ssl: bool | str | os.PathLike[str] | ssl.SSLContext = True,
        *,
        database: str | None = None,
        api: ApiChoice = "auto",
        http2: bool = True,
        max_connections: int = 20,
        max_keepalive_connections: int | None = None,
        max_concurrency: int = 16,
        retry: RetryPolicy | None = None,
        circuit_breaker: CircuitBreaker | Literal[False] | None = None,
    ) -> None:
        if api not in _APIS:
            raise ConfigurationError(f"unknown api {api!r}: choose 'auto', 'jsonrpc' or 'json2'")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError(f"retry must be a RetryPolicy, got {type(retry).__name__}")
        if circuit_breaker is None:
            breaker: CircuitBreaker | None = CircuitBreaker()
        elif circuit_breaker is False:
            breaker = None
        elif isinstance(circuit_breaker, CircuitBreaker):
            breaker = circuit_breaker
        else:
            raise ConfigurationError("circuit_breaker must be a CircuitBreaker, False or None")
        options = ClientOptions(
            address=parse_server_address(host_or_url, port, protocol),
            timeout=timeout,
            verify_ssl=verify_ssl,
            database=database,
            api=api,
            http2=http2,
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            max_concurrency=max_concurrency,
            retry=retry or RetryPolicy(),
            circuit_breaker=breaker,
        )
        self._shared = _Shared(options)
        self._extra_context: dict[str, Any] = {}
        self._owns_pool = True

    # --- properties ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._shared.options.address.base_url

    @property
    def host(self) -> str:
        """The server's host name (or IP address)."""
        return self._shared.options.address.host

    @property
    def port(self) -> int:
        """The server's TCP port."""
        return self._shared.options.address.port

    @property
    def protocol(self) -> str:
        """The URL scheme, ``"http"`` or ``"https"`` (the Odoo API in use is :attr:`protocol_name`)."""
        return self._shared.options.address.scheme

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
    def server_version(self) -> tuple[Any, ...] | None:
        """Odoo's ``server_version_info``, e.g. ``(19, 0, 0, "final", 0, "")`` (known after login)."""
        return self._shared.server_version

    @property
    def protocol_name(self) -> str | None:
        """``"jsonrpc"`` or ``"json2"`` once logged in."""
        proto = self._shared.protocol
        return proto.name if proto else None

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
            f"protocol={self.protocol_name!r}, server_version={self.server_version!r})"
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
        either client invalidate what both have cached.
        """
        shared = self._shared
        breaker = shared.breaker.fresh_copy() if shared.breaker is not None else None
        twin = object.__new__(ZenooClient)
        twin._shared = _Shared(replace(shared.options, circuit_breaker=breaker))
        twin._shared.protocol = _new_protocol(shared.protocol) if shared.protocol else None
        twin._shared.credentials = shared.credentials
        twin._shared.server_version = shared.server_version
        twin._shared.user_context = dict(shared.user_context)
        twin._shared.fields_cache = dict(shared.fields_cache)
        twin._shared.writable_models = set(shared.writable_models)
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
        return await self._fetch_version()

    async def list_databases(self) -> list[str]:
        """The databases of the server (``db.list``; servers may disable it)."""
        result = await self._service("db", "list")
        return list(result)

    async def health_check(self) -> bool:
        """True when the server answers its version request, False on any transport/protocol failure."""
        try:
            await self._fetch_version(retries=False)
        except (TransportError, ProtocolError):
            return False
        return True

    # --- authentication ----------------------------------------------------------------------

    async def login(self, database: str | None, username: str, password: str) -> int:
        """Log in with a password; returns the uid. Uses JSON-RPC (JSON-2 needs an API key)."""
        return await self._login(database, username, password, secret_kind="password")

    async def login_with_api_key(self, database: str | None, username: str, api_key: str) -> int:
        """Log in with an API key; returns the uid. Uses JSON-2 on Odoo 19+ unless ``api`` says otherwise."""
        return await self._login(database, username, api_key, secret_kind="api_key")

    async def _login(self, database: str | None, username: str, secret: str, *, secret_kind: str) -> int:
        shared = self._shared
        db = database or shared.options.database
        if not db:
            raise ConfigurationError("no database: pass it to login() or to ZenooClient(database=...)")
        what = "API key" if secret_kind == "api_key" else "password"
        if not isinstance(username, str) or not username:
            raise ConfigurationError("the login (user name) is empty")
        if not isinstance(secret, str) or not secret:
            raise ConfigurationError(f"the {what} is empty")
        await self._fetch_version()
        protocol = self._choose_protocol(secret_kind)
        if isinstance(protocol, Json2Protocol):
            uid = await self._json2_uid(protocol, Credentials(db, username, 0, secret, secret_kind))
        else:
            uid = await self._service("common", "authenticate", [db, username, secret, {}])
        if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
            raise AuthenticationError(
                f"login failed for user {username!r} on database {db!r} at {self.url}: "
                f"wrong login or {what}"
            )
        shared.credentials = Credentials(db, username, uid, secret, secret_kind)
        shared.protocol = protocol
        shared.user_context = {}
        shared.fields_cache.clear()
        shared.writable_models.clear()
        shared.user_context = await self._load_user_context()
        key_owner = shared.user_context.get("uid")
        if isinstance(key_owner, int) and key_owner != uid:  # JSON-2 found the uid by login: check it
            shared.credentials = shared.protocol = None
            raise AuthenticationError(
                f"the API key given for {username!r} belongs to another user (uid {key_owner}) on {self.url}"
            )
        logger.debug("logged in to %s db=%s uid=%s via %s", self.url, db, uid, protocol.name)
        return uid

    async def _load_user_context(self) -> dict[str, Any]:
        """The user's context (lang, tz …) from ``res.users.context_get``, sent with every call."""
        try:
            user_context = await self.call("res.users", "context_get")
        except MethodNotFoundError:
            logger.warning("%s has no res.users.context_get: calls are sent without the user's lang/tz", self.url)
            return {}
        if not isinstance(user_context, Mapping):
            raise ProtocolError(f"res.users.context_get answered {user_context!r:.100}, not a dict")
        return dict(user_context)

    def _choose_protocol(self, secret_kind: str) -> Protocol:
        api = self._shared.options.api
        major = self._major_version()
        if api == "json2":
            if major < JSON2_SINCE:
                raise ProtocolNotSupportedError(
                    f"JSON-2 needs Odoo {JSON2_SINCE} or later; {self.url} runs Odoo "
                    f"{'.'.join(str(p) for p in (self.server_version or ())[:2])}: use api='jsonrpc' or 'auto'"
                )
            if secret_kind != "api_key":
                raise ConfigurationError("JSON-2 authenticates with an API key: use login_with_api_key()")
            return Json2Protocol()
        if api == "auto" and major >= JSON2_SINCE and secret_kind == "api_key":
            return Json2Protocol()
        return JsonRpcProtocol()

    async def _json2_uid(self, protocol: Json2Protocol, probe: Credentials) -> int:
        """JSON-2 has no login call: the key is checked by a first call that also finds the uid."""
        wire = protocol.call_request(
            probe, "res.users", "search", None, (), {"domain": [["login", "=", probe.login]], "limit": 1}, {}
        )
        ids = await self._exchange(wire, protocol.parse, model="res.users", method="search", read_only=True)
        if not ids:
            raise AuthenticationError(
                f"the API key was accepted by {self.url} but no active user has the login {probe.login!r}"
            )
        return int(ids[0])

    def _major_version(self) -> int:
        version = self._shared.server_version
        try:
            return int(version[0]) if version else 0
        except (TypeError, ValueError):
            return 0

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

        def send() -> Awaitable[Any]:
            return self._exchange(
                wire, protocol.parse, model=model, method=method, read_only=read_only, body=body
            )

        if cache is not None and read_only and cache_ttl != 0:
            key = cache.make_key(self.cache_scope, model, method, id_list, args, kwargs, merged_context)
            hit, value = await cache.lookup(model, key)
            if hit:
                return value
            value = await send()
            await cache.store(model, key, value, ttl=cache_ttl)
            return value
        if cache is None or read_only:
            return await send()
        try:
            return await send()
        finally:  # also on error: the write may have happened
            await cache.invalidate(model)

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

    # --- helpers -----------------------------------------------------------------------------

    async def search_read(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Records matching ``domain`` as dicts (all readable fields when ``fields`` is None).

        The positional order (``limit`` before ``offset``) is zenoo-rpc's. A name in ``fields``
        that ``model`` does not have raises :class:`FieldError` before the search is sent.
        """
        kwargs = _search_kwargs(domain, offset, limit, order)
        if fields is not None:
            kwargs["fields"] = await self._known_fields(model, fields)
        return await self.call(model, "search_read", kwargs=kwargs, context=context)

    async def search(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        """Ids of the records matching ``domain``."""
        return await self.call(model, "search", kwargs=_search_kwargs(domain, offset, limit, order), context=context)

    async def search_count(
        self, model: str, domain: Sequence[Any] | None = None, context: Mapping[str, Any] | None = None
    ) -> int:
        """Number of records matching ``domain``."""
        return await self.call(model, "search_count", kwargs={"domain": _domain(domain)}, context=context)

    async def read(
        self,
        model: str,
        ids: int | Iterable[int],
        fields: Sequence[str] | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        load: str | None = "_classic_read",
    ) -> list[dict[str, Any]]:
        """Read records by id (missing ids are silently left out, as Odoo does).

        ``load=None`` returns many2one values as bare ids instead of ``[id, name]``. A name in
        ``fields`` that ``model`` does not have raises :class:`FieldError` before the read is sent.
        """
        id_list = check_ids(ids)
        kwargs: dict[str, Any] = {}
        if fields is not None:
            kwargs["fields"] = await self._known_fields(model, fields)
        if load != "_classic_read":
            kwargs["load"] = load
        return await self.call(model, "read", ids=id_list, kwargs=kwargs, context=context)

    async def _known_fields(self, model: str, fields: Sequence[str]) -> list[str]:
        """``fields`` as a list of names, each a field of ``model`` (``fields_get``, cached per client)."""
        names = _names(fields, "fields")
        if names:
            (await model_fields(self, model)).check(names)
        return names

    async def create(
        self,
        model: str,
        values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        context: Mapping[str, Any] | None = None,
        validate_required: bool = True,
    ) -> int | list[int]:
        """Create one record (a dict → its id) or several (a list of dicts → their ids).

        ``validate_required``: before anything is sent, check and convert every value set as the
        models layer does, against the model's cached ``fields_get`` and ``default_get``: a
        required field given empty or neither given nor defaulted by the server, an unknown
        field, a value of the wrong type or an unknown selection key raises a :class:`ClientError`
        (``InvalidValueError``/``FieldError``) and nothing is created; dates, datetimes, Decimals
        and bytes are converted to Odoo's wire forms. ``False`` sends the values as given.
        """
        vals_list: list[Mapping[str, Any]]
        if isinstance(values, Mapping):
            single, vals_list = True, [values]
        elif isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
            single, vals_list = False, list(values)
            for index, item in enumerate(vals_list):
                if not isinstance(item, Mapping):
                    raise InvalidValueError(
                        f"create() needs dicts of field values; item {index} is a {type(item).__name__}"
                    )
        else:
            raise InvalidValueError(f"create() needs a dict or a list of dicts, got {type(values).__name__}")
        if not isinstance(validate_required, bool):
            raise InvalidValueError(f"validate_required must be True or False, got {validate_required!r}")
        if not vals_list:
            return []
        if validate_required:
            vals_list = [await checked_create_values(self, model, vals) for vals in vals_list]
        # Always a list on the wire: JSON-2 answers a list for a dict anyway, so both agree.
        ids = await self.call(model, "create", args=(vals_list,), context=context)
        if not isinstance(ids, list) or len(ids) != len(vals_list):
            raise ProtocolError(f"create on {model} answered {ids!r:.100} for {len(vals_list)} record(s)")
        return ids[0] if single else ids

    async def write(
        self,
        model: str,
        ids: int | Iterable[int],
        values: Mapping[str, Any],
        context: Mapping[str, Any] | None = None,
        check_access: bool = True,
        validate_required: bool = True,
    ) -> bool:
        """Write ``values`` on the records ``ids``.

        ``validate_required``: before anything is sent, check and convert the values as ``create``
        does (against the model's cached ``fields_get``): an unknown field, a value of the wrong
        type, an unknown selection key or a required field given empty raises a
        :class:`ClientError` and nothing is written. ``False`` sends the values as given.
        ``check_access``: first make sure the user has the write access right on ``model``
        (Odoo's ``check_access_rights("write")``, asked once per model and login); without it
        the server's :class:`AccessError` is raised and the write is not sent. Record rules are
        still enforced by the write itself.
        """
        if not isinstance(values, Mapping):
            raise InvalidValueError(f"write() needs a dict of field values, got {type(values).__name__}")
        if not isinstance(check_access, bool):
            raise InvalidValueError(f"check_access must be True or False, got {check_access!r}")
        if not isinstance(validate_required, bool):
            raise InvalidValueError(f"validate_required must be True or False, got {validate_required!r}")
        id_list = check_ids(ids)
        vals = dict(values)
        if validate_required:
            vals = await checked_write_values(self, model, vals)
        if check_access:
            await self._check_write_right(model)
        return await self.call(model, "write", ids=id_list, args=(vals,), context=context)

    async def _check_write_right(self, model: str) -> None:
        """Odoo's AccessError unless the user may write records of ``model`` (remembered per login)."""
        shared = self._shared
        if model in shared.writable_models:
            return
        await self.call(model, "check_access_rights", kwargs={"operation": "write"}, cache_ttl=0)
        shared.writable_models.add(model)

    async def unlink(
        self, model: str, ids: int | Iterable[int], context: Mapping[str, Any] | None = None
    ) -> bool:
        """Delete the records ``ids``."""
        return await self.call(model, "unlink", ids=check_ids(ids), context=context)

    async def fields_get(
        self,
        model: str,
        fields: Sequence[str] | None = None,
        attributes: Sequence[str] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Field definitions of ``model``; cached per client, model, fields, attributes and language."""
        field_names = tuple(_names(fields, "fields")) if fields is not None else None
        attribute_names = tuple(_names(attributes, "attributes")) if attributes is not None else None
        lang = {**self.context, **(context or {})}.get("lang")
        key = (model, field_names, attribute_names, lang)
        cached = self._shared.fields_cache.get(key)
        if cached is None:
            kwargs: dict[str, Any] = {}
            if field_names is not None:
                kwargs["allfields"] = list(field_names)
            if attribute_names is not None:
                kwargs["attributes"] = list(attribute_names)
            cached = await self.call(model, "fields_get", kwargs=kwargs, context=context)
            self._shared.fields_cache[key] = cached
        return dict(cached)

    async def get_model_fields(self, model: str, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Alias of :meth:`fields_get` (zenoo-rpc compatibility)."""
        return await self.fields_get(model, context=context)

    async def get_model_class(self, model: str) -> type[OdooModel]:
        """The Pydantic class of ``model``, built from ``fields_get`` once per client."""
        from zenoo.models import get_model_class

        return await get_model_class(self, model)

    async def get_or_create_model(self, model: str) -> type[OdooModel]:
        """Alias of :meth:`get_model_class` (zenoo-rpc compatibility)."""
        return await self.get_model_class(model)

    async def check_model_access(self, model: str, operation: str = "read") -> bool:
        """Whether the user may ``operation`` (read, write, create, unlink) records of ``model``.

        Odoo's model-level access rights (``check_access_rights``); record rules are not consulted.
        """
        if operation not in ACCESS_OPERATIONS:
            raise InvalidValueError(f"unknown operation {operation!r}: use one of {', '.join(ACCESS_OPERATIONS)}")
        allowed = await self.call(
            model, "check_access_rights", kwargs={"operation": operation, "raise_exception": False}
        )
        return bool(allowed)

    async def get_user_permissions(self, model: str) -> dict[str, bool]:
        """``{"read": …, "write": …, "create": …, "unlink": …}`` for ``model`` (see :meth:`check_model_access`)."""
        results = await asyncio.gather(*(self.check_model_access(model, op) for op in ACCESS_OPERATIONS))
        return dict(zip(ACCESS_OPERATIONS, results))

    async def name_search(
        self,
        model: str,
        name: str = "",
        domain: Sequence[Any] | None = None,
        operator: str = "ilike",
        limit: int = 100,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> list[list[Any]]:
        """``[[id, display_name], …]`` of records whose name matches ``name``."""
        # Positional on purpose: Odoo 17 names the domain parameter ``args``, Odoo 19 ``domain``.
        return await self.call(
            model, "name_search", args=(name, _domain(domain), operator, _count(limit, "limit")), context=context
        )

    async def read_group(
        self,
        model: str,
        domain: Sequence[Any] | None,
        groupby: str | Sequence[str],
        aggregates: Sequence[str] = ("__count",),
        *,
        having: Sequence[Any] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Grouped aggregates, in one shape on every Odoo version.

        ``groupby`` are field names, optionally with a date granularity (``"date_order:month"``);
        ``aggregates`` are ``"<field>:<function>"`` (``"amount_total:sum"``) or ``"__count"``.
        Each group is a dict: every groupby key (many2one as ``[id, name]``, dates as
        ``[range start, label]``), ``"__count"`` and one key per aggregate, named as requested.
        Uses ``formatted_read_group`` on Odoo 19+ and ``read_group(lazy=False)`` before.
        ``having`` (a domain on aggregates) needs Odoo 19+.
        """
        groups = [groupby] if isinstance(groupby, str) else _names(groupby, "groupby")
        wanted = _names(aggregates, "aggregates")
        for spec in wanted:
            if spec != "__count" and not _AGGREGATE_RE.match(spec):
                raise InvalidValueError(
                    f"invalid aggregate {spec!r}: use '<field>:<function>' (e.g. 'amount_total:sum') or '__count'"
                )
        kwargs: dict[str, Any] = {"domain": _domain(domain), "groupby": groups}
        if offset:
            kwargs["offset"] = _count(offset, "offset")
        if limit is not None:
            kwargs["limit"] = _count(limit, "limit")
        if self._major_version() >= JSON2_SINCE:
            kwargs["aggregates"] = wanted if "__count" in wanted else [*wanted, "__count"]
            if having:
                kwargs["having"] = list(having)
            if order:
                kwargs["order"] = order
            rows = await self.call(model, "formatted_read_group", kwargs=kwargs, context=context)
            return [_group_row(row, groups, wanted, legacy=False) for row in rows]
        if having:
            raise ClientError(f"having= needs Odoo 19's formatted_read_group; {self.url} runs Odoo {self._major_version()}")
        fields = [spec for spec in wanted if spec != "__count"]
        if len({spec.split(":", 1)[0] for spec in fields}) != len(fields):
            raise ClientError("Odoo before 19 returns one aggregate per field: ask for each field only once")
        kwargs.update(fields=fields, lazy=False)
        if order:
            kwargs["orderby"] = _legacy_order(order)
        rows = await self.call(model, "read_group", kwargs=kwargs, context=context)
        return [_group_row(row, groups, wanted, legacy=True) for row in rows]

    # --- sending -------------------------------------------------------------------------------

    async def _service(
        self, service: str, method: str, args: Sequence[Any] = (), *, retries: bool = True
    ) -> Any:
        """A JSON-RPC service call (``common.version``, ``common.authenticate``, ``db.list``)."""
        wire = self._shared.jsonrpc.service_request(service, method, args)
        return await self._exchange(
            wire,
            self._shared.jsonrpc.parse,
            model=None,
            method=f"{service}.{method}",
            read_only=True,
            retries=retries,
        )

    async def _fetch_version(self, *, retries: bool = True) -> dict[str, Any]:
        """Version info from ``GET /web/version`` (Odoo 19+), else ``common.version``."""
        info = await self._exchange(
            WireRequest("/web/version", None),
            _parse_web_version,
            model=None,
            method="web.version",
            read_only=True,
            verb="GET",
            retries=retries,
        )
        if info is None:  # Odoo before 19: /web/version is a 404 page
            info = await self._service("common", "version", retries=retries)
        if not isinstance(info, dict) or not isinstance(info.get("server_version_info"), list):
            raise ProtocolError(f"{self.url} answered a version without server_version_info: {info!r:.200}")
        self._shared.server_version = tuple(info["server_version_info"])
        return info

    async def _exchange(
        self,
        wire: WireRequest,
        parse: Callable[[HttpResponse], Any],
        *,
        model: str | None,
        method: str,
        read_only: bool,
        body: bytes | None = None,
        verb: str = "POST",
        retries: bool = True,
    ) -> Any:
        """Send one request through the retry policy and circuit breaker; parse the answer."""
        shared = self._shared
        transport = shared.transport
        if transport.closed:
            raise ClientError(f"this client is closed: cannot call {method} on {self.url}")
        if body is None and wire.body is not None:
            body = encode_json(wire.body, method)
        url = transport.address.url(wire.path)
        protocol = shared.protocol.name if shared.protocol else "jsonrpc"
        if verb == "GET":
            protocol = "http"
        headers = dict(wire.headers)
        sent = len(body or b"")

        def event(name: str, attempt: int, **values: Any) -> RequestEvent:
            return RequestEvent(name, model, method, protocol, url, attempt, **values)

        async def attempt(number: int) -> Any:
            hooks = shared.hooks
            if hooks.has("before_request"):
                await hooks.emit(event("before_request", number, bytes_sent=sent))
            logger.debug("-> %s %s %s (attempt %d)", verb, url, method, number)
            start = time.perf_counter()
            response: HttpResponse | None = None
            try:
                if verb == "GET":
                    response = await transport.get(wire.path)
                else:
                    response = await transport.post(wire.path, body or b"", headers)
                result = parse(response)
            except ZenooError as exc:
                elapsed = time.perf_counter() - start
                received = len(response.content) if response is not None else 0
                status = response.status if response is not None else getattr(exc, "http_status", None)
                shared.stats.record(method, elapsed=elapsed, bytes_sent=sent, bytes_received=received, ok=False)
                logger.debug("<- %s %s failed in %.3fs: %s", url, method, elapsed, type(exc).__name__)
                if hooks.has("error"):
                    await hooks.emit(
                        event("error", number, status=status, elapsed=elapsed, bytes_sent=sent,
                              bytes_received=received, error=exc)
                    )
                raise
            elapsed = time.perf_counter() - start
            received = len(response.content)
            shared.stats.record(method, elapsed=elapsed, bytes_sent=sent, bytes_received=received, ok=True)
            logger.debug("<- %s %s %d in %.3fs (%d bytes)", url, method, response.status, elapsed, received)
            if hooks.has("after_response"):
                await hooks.emit(
                    event("after_response", number, status=response.status, elapsed=elapsed,
                          bytes_sent=sent, bytes_received=received, http_version=response.http_version)
                )
            return result

        async def on_retry(number: int, delay: float, error: ZenooError) -> None:
            shared.stats.record_retry(method)
            logger.info("retrying %s %s in %.2fs after %s", url, method, delay, type(error).__name__)
            if shared.hooks.has("retry"):
                await shared.hooks.emit(event("retry", number, error=error, delay=delay))

        return await call_with_retries(
            attempt,
            read_only=read_only,
            policy=shared.options.retry if retries else RetryPolicy.disabled(),
            breaker=shared.breaker,
            on_retry=on_retry,
        )


# --- helpers ---------------------------------------------------------------------------------------


def _new_protocol(protocol: Protocol) -> Protocol:
    return Json2Protocol() if isinstance(protocol, Json2Protocol) else JsonRpcProtocol()


def _parse_web_version(response: HttpResponse) -> dict[str, Any] | None:
    """``/web/version`` of Odoo 19+ as a ``common.version``-like dict; None when absent."""
    if response.status != 200 or "json" not in response.content_type:
        return None
    data = decode_json(response.content, response.url, response.status)
    if not isinstance(data, dict) or not isinstance(data.get("version_info"), list):
        return None
    return {"server_version": data.get("version"), "server_version_info": data["version_info"]}


def _domain(domain: Sequence[Any] | None) -> list[Any]:
    if domain is None:
        return []
    if isinstance(domain, (str, bytes, Mapping)) or not isinstance(domain, Sequence):
        raise InvalidValueError(f"a domain is a list of conditions, got {type(domain).__name__}")
    return list(domain)


def _names(names: Sequence[str], what: str) -> list[str]:
    if isinstance(names, str) or not isinstance(names, (Sequence, set, frozenset)):
        raise InvalidValueError(f"{what} must be a list of names, got {type(names).__name__} {names!r:.60}")
    result = list(names)
    for name in result:
        if not isinstance(name, str) or not name:
            raise InvalidValueError(f"{what} must hold non-empty strings, got {name!r}")
    return result


def _count(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidValueError(f"{what} must be a non-negative int, got {value!r}")
    return value


def _search_kwargs(domain: Sequence[Any] | None, offset: int, limit: int | None, order: str | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"domain": _domain(domain)}
    if offset:
        kwargs["offset"] = _count(offset, "offset")
    if limit is not None:
        kwargs["limit"] = _count(limit, "limit")
    if order is not None:
        if not isinstance(order, str):
            raise InvalidValueError(f"order must be a string such as 'name desc, id', got {type(order).__name__}")
        kwargs["order"] = order
    return kwargs


def _legacy_order(order: str) -> str:
    """``"amount_total:sum desc"`` (Odoo 19 style) → ``"amount_total desc"`` for read_group."""
    terms = []
    for term in order.split(","):
        words = term.split()
        if words:
            words[0] = words[0].split(":", 1)[0] if words[0] != "__count" else words[0]
            terms.append(" ".join(words))
    return ", ".join(terms)


def _group_row(row: Mapping[str, Any], groups: list[str], aggregates: list[str], *, legacy: bool) -> dict[str, Any]:
    """One group in zenoo's shape, from ``formatted_read_group`` or (``legacy``) ``read_group``."""
    ranges = row.get("__range") if legacy else None
    result: dict[str, Any] = {}
    for group in groups:
        value = row.get(group, False)
        bounds = ranges.get(group) if isinstance(ranges, Mapping) else None
        if isinstance(bounds, Mapping) and value is not False:
            value = [bounds.get("from"), value]  # Odoo 19 gives [range start, label] for date groups
        result[group] = value
    result["__count"] = row.get("__count", 0)
    for spec in aggregates:
        if spec != "__count":
            # read_group names an aggregate after its field; formatted_read_group as requested
            result[spec] = row.get(spec.split(":", 1)[0] if legacy else spec)
    return result
