"""Per-client state of the layers above the client: runtime model classes, the relation cache,
the fields that get a default on the server.

Runtime classes are built once per client. A relation field of one is typed to the related
runtime class as soon as that class exists; until then it waits in ``waiting_relations``.

The state belongs to the client (views made with ``with_context`` share it) and lives only as
long as the client does. The relation cache holds rows loaded through lazy relations and
``prefetch``; it is bounded (least recently used rows are dropped first) and is cleared by every
write the client sends (create, write, unlink, any business method), because a write can change
computed values and names anywhere.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from zenoo.exceptions import ConfigurationError
from zenoo.methods import is_read_only

RELATION_CACHE_SIZE = 4096


class RelationCache:
    """A bounded LRU map from ``(model, id, fields, context)`` to the row Odoo sent."""

    def __init__(self, max_rows: int = RELATION_CACHE_SIZE) -> None:
        if max_rows < 1:
            raise ConfigurationError("max_rows must be at least 1")
        self.max_rows = max_rows
        self._rows: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()

    def get(self, key: Hashable) -> dict[str, Any] | None:
        row = self._rows.get(key)
        if row is not None:
            self._rows.move_to_end(key)
        return row

    def put(self, key: Hashable, row: dict[str, Any]) -> None:
        self._rows[key] = row
        self._rows.move_to_end(key)
        while len(self._rows) > self.max_rows:
            self._rows.popitem(last=False)

    def clear(self) -> None:
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)


@dataclass
class ClientState:
    classes: dict[str, type] = field(default_factory=dict)
    #: related model → the (runtime class, field name) relations waiting for that model's class
    waiting_relations: dict[str, list[tuple[type, str]]] = field(default_factory=dict)
    relation_cache: RelationCache = field(default_factory=RelationCache)
    #: model → names of fields that have a default value on the server (from ``default_get``)
    defaults: dict[str, frozenset[str] | None] = field(default_factory=dict)


_states: weakref.WeakKeyDictionary[Any, ClientState] = weakref.WeakKeyDictionary()


def _owner(client: Any) -> Any:
    """What identifies a client's shared state: its hooks registry, which ``with_context`` views
    share with their parent and ``fork()`` does not (other client-likes: the object itself)."""
    return getattr(client, "hooks", None) or client


def client_state(client: Any) -> ClientState:
    """The model-layer state of ``client`` (created on first use).

    On creation a hook is registered so that every write the client sends — through the model
    layer or not, successful or failed (it may have happened) — clears the relation cache.
    """
    owner = _owner(client)
    state = _states.get(owner)
    if state is None:
        state = _states[owner] = ClientState()
        if owner is not client:
            cache = state.relation_cache

            def forget_on_write(event: Any) -> None:
                if not is_read_only(event.method):
                    cache.clear()

            owner.on("after_response", forget_on_write)
            owner.on("error", forget_on_write)
    return state


def context_key(context: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A hashable, order-independent form of a context for cache keys."""
    return tuple(sorted((str(k), repr(v)) for k, v in context.items()))
