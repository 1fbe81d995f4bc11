"""Per-client state of the layers above the client: runtime model classes, the fields that get a
default on the server, and the count of calls that may have written.

Runtime classes are built once per client. A relation field of one is typed to the related
runtime class as soon as that class exists; until then it waits in ``waiting_relations``.

The state belongs to the client's connection (views made with ``with_context`` share it; it is
held with the pool and the login in :class:`zenoo.client.shared.SharedState`) and lives as long as
the client does. ``write_generation`` counts every call the client sends that may write (create,
write, unlink, any business method): rows a query's relations loaded before such a call are read
again (see :class:`zenoo.models.binding.RelationCache`), because a write can change computed values
and names anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zenoo.methods import is_read_only

if TYPE_CHECKING:
    from zenoo.stats import Hooks, RequestEvent


@dataclass
class ClientState:
    """What the layers above the client keep per connection; a client and its ``with_context``
    views share one, a ``fork()`` starts its own (see :attr:`zenoo.ZenooClient.state`)."""

    classes: dict[str, type] = field(default_factory=dict)
    #: related model → the (runtime class, field name) relations waiting for that model's class
    waiting_relations: dict[str, list[tuple[type, str]]] = field(default_factory=dict)
    #: model → names of fields that have a default value on the server (from ``default_get``)
    defaults: dict[str, frozenset[str] | None] = field(default_factory=dict)
    #: how many calls that may write the client has sent: a lazy relation holding a record loaded
    #: under an older generation loads it again
    write_generation: int = 0

    def count_writes(self, hooks: Hooks) -> None:
        """Count a new write generation after every call that may write — through the model layer
        or not, successful or failed (it may have happened)."""

        def count(event: RequestEvent) -> None:
            if not is_read_only(event.method):
                self.write_generation += 1

        hooks.on("after_response", count)
        hooks.on("error", count)


def context_key(context: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A hashable, order-independent form of a context for cache keys."""
    return tuple(sorted((str(k), repr(v)) for k, v in context.items()))
