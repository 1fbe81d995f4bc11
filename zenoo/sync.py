"""Client: the blocking facade over :class:`~zenoo.client.ZenooClient`.

The async client runs on a :class:`zenoo._loop.LoopThread`; each blocking method submits a
coroutine there and waits. So the same code works in a plain script, inside a running event loop
(a Jupyter kernel) and from other threads, without patching asyncio. Do not call it from
coroutines running on that loop thread itself (hooks, for example): await the async client there.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import httpx

from zenoo._deprecation import warn_deprecated
from zenoo._loop import LoopThread, shared_loop
from zenoo.cache.blocking import BlockingCacheManager
from zenoo.client import ApiChoice, ZenooClient
from zenoo.client.options import limits_from
from zenoo.config import Limits, Timeout

if TYPE_CHECKING:
    from zenoo.client import ServerFeatures
    from zenoo.exceptions import RollbackError
    from zenoo.models import OdooModel
    from zenoo.query import BlockingQuerySet
    from zenoo.retry import CircuitBreaker, RetryPolicy
    from zenoo.state import ClientState
    from zenoo.stats import ClientStats, Hooks
    from zenoo.writing import BatchResult
    from zenoo.writing.blocking import BlockingBatch, BlockingTransaction
    from zenoo.writing.progress import ProgressOption

T = TypeVar("T")


class Client:
    """Blocking Odoo client with the same methods as :class:`ZenooClient`.

    Takes the same arguments, plus ``loop``: the :class:`LoopThread` to run on (default: the
    process-wide one). Use it as a context manager or call :meth:`close`.
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
        loop: LoopThread | None = None,
    ) -> None:
        # the deprecated keywords warn here, so that the warning points at the caller's line
        limits = limits_from(limits, max_connections, max_keepalive_connections, max_concurrency, stacklevel=2)
        self._async = ZenooClient(
            host_or_url, port, protocol, timeout, verify_ssl, database=database, api=api, http2=http2,
            limits=limits, retry=retry, circuit_breaker=circuit_breaker, transport=transport,
        )
        self._runner = loop or shared_loop()

    @classmethod
    def _wrap(cls, aclient: ZenooClient, runner: LoopThread) -> Client:
        view = object.__new__(cls)
        view._runner = runner
        view._async = aclient
        return view

    def _run(self, awaitable: Awaitable[T]) -> T:
        return self._runner.run(awaitable)

    # --- properties ------------------------------------------------------------------------

    @property
    def aclient(self) -> ZenooClient:
        """The underlying async client (await its methods on :attr:`runner`'s loop only)."""
        return self._async

    @property
    def runner(self) -> LoopThread:
        return self._runner

    @property
    def url(self) -> str:
        return self._async.url

    @property
    def host(self) -> str:
        return self._async.host

    @property
    def port(self) -> int:
        return self._async.port

    @property
    def scheme(self) -> str:
        """The URL scheme, ``"http"`` or ``"https"``."""
        return self._async.scheme

    @property
    def protocol(self) -> str:
        """Deprecated alias of :attr:`scheme`."""
        warn_deprecated("client.protocol", "client.scheme (the URL scheme) or client.api (the RPC API)")
        return self._async.scheme

    @property
    def api(self) -> str | None:
        """The RPC API in use, ``"jsonrpc"`` or ``"json2"``, once logged in."""
        return self._async.api

    @property
    def uid(self) -> int | None:
        return self._async.uid

    @property
    def database(self) -> str | None:
        return self._async.database

    @property
    def username(self) -> str | None:
        return self._async.username

    @property
    def is_authenticated(self) -> bool:
        return self._async.is_authenticated

    @property
    def closed(self) -> bool:
        return self._async.closed

    @property
    def features(self) -> ServerFeatures | None:
        return self._async.features

    @property
    def server_version(self) -> tuple[Any, ...] | None:
        return self._async.server_version

    @property
    def protocol_name(self) -> str | None:
        """Deprecated alias of :attr:`api`."""
        warn_deprecated("client.protocol_name", "client.api")
        return self._async.api

    @property
    def context(self) -> dict[str, Any]:
        return self._async.context

    @property
    def stats(self) -> ClientStats:
        return self._async.stats

    @property
    def hooks(self) -> Hooks:
        return self._async.hooks

    @property
    def state(self) -> ClientState:
        """The async client's :attr:`ZenooClient.state`."""
        return self._async.state

    @property
    def cache(self) -> BlockingCacheManager | None:
        """The cache manager with blocking methods (``invalidate``, ``clear`` …), or None."""
        manager = self._async.cache
        return None if manager is None else BlockingCacheManager(manager, self._runner)

    @property
    def cache_manager(self) -> BlockingCacheManager:
        """The cache manager, created empty on first use (see :attr:`ZenooClient.cache_manager`),
        with blocking methods: ``client.cache_manager.setup_memory_cache()``."""
        return BlockingCacheManager(self._async.cache_manager, self._runner)

    @property
    def circuit_breaker(self) -> CircuitBreaker | None:
        return self._async.circuit_breaker

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._async.retry_policy

    def __repr__(self) -> str:
        return "Client" + repr(self._async)[len("ZenooClient") :]

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (the loop thread stays, it may be shared)."""
        self._run(self._async.close())

    def with_context(self, **context: Any) -> Client:
        """A view adding ``context`` to every call, sharing this client's pool and login."""
        return Client._wrap(self._async.with_context(**context), self._runner)

    def model(self, model: Any) -> BlockingQuerySet:
        """A blocking :class:`zenoo.query.BlockingQuerySet` over ``model``."""
        from zenoo.query import BlockingQuerySet

        return BlockingQuerySet(self._async.model(model), self._runner)

    def setup_cache_manager(self, **options: Any) -> BlockingCacheManager:
        """Create the cache (``backend="memory"|"redis"``, …) used by read-only calls."""
        return BlockingCacheManager(self._run(self._async.setup_cache_manager(**options)), self._runner)

    # --- server and login ----------------------------------------------------------------------

    def get_server_version(self) -> dict[str, Any]:
        return self._run(self._async.get_server_version())

    def list_databases(self) -> list[str]:
        return self._run(self._async.list_databases())

    def health_check(self) -> bool:
        return self._run(self._async.health_check())

    def login(self, database: str | None, username: str, password: str) -> int:
        return self._run(self._async.login(database, username, password))

    def login_with_api_key(self, database: str | None, username: str, api_key: str) -> int:
        return self._run(self._async.login_with_api_key(database, username, api_key))

    # --- calls -----------------------------------------------------------------------------------

    def call(
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
        return self._run(
            self._async.call(model, method, ids=ids, args=args, kwargs=kwargs, context=context, cache_ttl=cache_ttl)
        )

    def execute_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Any:
        return self._run(self._async.execute_kw(model, method, args, kwargs, context))

    def execute(self, model: str, method: str, *args: Any, context: Mapping[str, Any] | None = None) -> Any:
        return self._run(self._async.execute(model, method, *args, context=context))

    def search_read(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        return self._run(
            self._async.search_read(model, domain, fields, offset=offset, limit=limit, order=order, context=context)
        )

    def search(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        return self._run(self._async.search(model, domain, offset=offset, limit=limit, order=order, context=context))

    def search_count(
        self, model: str, domain: Sequence[Any] | None = None, context: Mapping[str, Any] | None = None
    ) -> int:
        return self._run(self._async.search_count(model, domain, context=context))

    def read(
        self,
        model: str,
        ids: int | Iterable[int],
        fields: Sequence[str] | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        load: str | None = "_classic_read",
    ) -> list[dict[str, Any]]:
        return self._run(self._async.read(model, ids, fields, load=load, context=context))

    def create(
        self,
        model: str,
        values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        context: Mapping[str, Any] | None = None,
        validate_required: bool = True,
    ) -> int | list[int]:
        return self._run(self._async.create(model, values, context=context, validate_required=validate_required))

    def write(
        self,
        model: str,
        ids: int | Iterable[int],
        values: Mapping[str, Any],
        context: Mapping[str, Any] | None = None,
        check_access: bool = True,
        validate_required: bool = True,
    ) -> bool:
        return self._run(
            self._async.write(
                model, ids, values, context=context, check_access=check_access, validate_required=validate_required
            )
        )

    def unlink(self, model: str, ids: int | Iterable[int], context: Mapping[str, Any] | None = None) -> bool:
        return self._run(self._async.unlink(model, ids, context=context))

    def fields_get(
        self,
        model: str,
        fields: Sequence[str] | None = None,
        attributes: Sequence[str] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self._run(self._async.fields_get(model, fields, attributes, context=context))

    def get_model_fields(self, model: str, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._run(self._async.get_model_fields(model, context))

    def get_model_class(self, model: str) -> type[OdooModel]:
        """The Pydantic class of ``model``, built from ``fields_get`` once per client."""
        return self._run(self._async.get_model_class(model))

    def get_or_create_model(self, model: str) -> type[OdooModel]:
        return self._run(self._async.get_or_create_model(model))

    def check_model_access(self, model: str, operation: str = "read") -> bool:
        return self._run(self._async.check_model_access(model, operation))

    def get_user_permissions(self, model: str) -> dict[str, bool]:
        return self._run(self._async.get_user_permissions(model))

    def readable_models(self, models: Iterable[str]) -> frozenset[str]:
        return self._run(self._async.readable_models(models))

    def require_write_access(self, model: str) -> None:
        self._run(self._async.require_write_access(model))

    def visible_ids(self, model: str, ids: Iterable[int], *, context: Mapping[str, Any] | None = None) -> list[int]:
        return self._run(self._async.visible_ids(model, ids, context=context))

    def name_search(
        self,
        model: str,
        name: str = "",
        domain: Sequence[Any] | None = None,
        operator: str = "ilike",
        limit: int = 100,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> list[list[Any]]:
        return self._run(self._async.name_search(model, name, domain, operator, limit, context=context))

    def read_group(
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
        return self._run(
            self._async.read_group(
                model, domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order,
                context=context,
            )
        )

    # --- bulk writes, batches, transactions -----------------------------------------------------------

    def bulk_create(
        self,
        model: str,
        rows: Iterable[Mapping[str, Any]],
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        *,
        context: Mapping[str, Any] | None = None,
        validate: bool = True,
    ) -> list[int]:
        return self._run(
            self._async.bulk_create(model, rows, chunk_size, concurrency, progress, context=context, validate=validate)
        )

    def bulk_write(
        self,
        model: str,
        values_by_id: Mapping[int, Mapping[str, Any]],
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        *,
        context: Mapping[str, Any] | None = None,
        validate: bool = True,
        via: Literal["auto", "write", "load"] = "auto",
    ) -> BatchResult:
        return self._run(
            self._async.bulk_write(
                model, values_by_id, chunk_size, concurrency, progress, context=context, validate=validate, via=via
            )
        )

    def bulk_unlink(
        self,
        model: str,
        ids: Iterable[int],
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        return self._run(self._async.bulk_unlink(model, ids, chunk_size, concurrency, progress, context=context))

    def batch(
        self,
        *,
        atomic: bool = False,
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        context: Mapping[str, Any] | None = None,
        validate: bool = True,
        timeout: float | None = None,
    ) -> BlockingBatch:
        """``with client.batch() as batch:`` runs the collected operations when the block ends."""
        from zenoo.writing.blocking import BlockingBatch

        batch = self._async.batch(
            atomic=atomic, chunk_size=chunk_size, concurrency=concurrency, progress=progress, context=context,
            validate=validate, timeout=timeout,
        )  # fmt: skip
        return BlockingBatch(batch, self._runner)

    def retry_rollback(self, error: RollbackError, *, progress: ProgressOption = False) -> None:
        """Undo again what the rollback that raised ``error`` left for want of an answer (see
        :meth:`ZenooClient.retry_rollback`)."""
        self._run(self._async.retry_rollback(error, progress=progress))

    def transaction(
        self,
        transaction_id: str | None = None,
        auto_commit: bool = True,
        *,
        auto_rollback: bool = True,
        allow_unlink: bool | None = None,
        progress: ProgressOption = False,
    ) -> BlockingTransaction:
        """``with client.transaction() as tx:`` records the writes made in the block (from this
        thread) and undoes them if it raises."""
        from zenoo.writing.blocking import BlockingTransaction

        transaction = self._async.transaction(
            transaction_id, auto_commit, auto_rollback=auto_rollback, allow_unlink=allow_unlink, progress=progress
        )
        return BlockingTransaction(transaction, self._runner)
