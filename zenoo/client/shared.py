"""What a client and its ``with_context`` views share: one pool, one login, one cache."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zenoo.client.features import ServerFeatures
from zenoo.client.options import ClientOptions, ssl_verify
from zenoo.protocols.base import Credentials, Protocol
from zenoo.protocols.jsonrpc import JsonRpcProtocol
from zenoo.state import ClientState
from zenoo.stats import ClientStats, Hooks
from zenoo.transport import Transport

if TYPE_CHECKING:
    from zenoo.cache import CacheManager
    from zenoo.writing import BatchManager, TransactionManager


class SharedState:
    """The pool, the login and what was learnt about the server, shared by a client's views."""

    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        self.transport = Transport(
            options.address,
            timeout=options.timeout,
            limits=options.limits,
            verify=ssl_verify(options.verify_ssl),
            http2=options.http2,
            transport=options.transport,
        )
        self.breaker = options.circuit_breaker
        if self.breaker is not None:
            self.breaker.url = options.address.base_url
        self.jsonrpc = JsonRpcProtocol()
        self.protocol: Protocol | None = None
        self.credentials: Credentials | None = None
        self.features: ServerFeatures | None = None
        self.user_context: dict[str, Any] = {}
        self.fields_cache: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.writable_models: set[str] = set()  # models the user was found to have write rights on
        self.readable_models: dict[str, bool] = {}  # whether the user may read a model, asked once
        self.cache_manager: CacheManager | None = None
        self.batch_manager: BatchManager | None = None  # zenoo-rpc's managers (zenoo/writing)
        self.transaction_manager: TransactionManager | None = None
        self.stats = ClientStats()
        self.hooks = Hooks()
        self.state = ClientState()  # runtime model classes, server defaults, write generation
        self.state.count_writes(self.hooks)

    @property
    def url(self) -> str:
        return self.options.address.base_url
