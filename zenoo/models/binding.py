"""What a record loaded from Odoo remembers about where it came from.

A :class:`Binding` ties records and their lazy relations to the client that loaded them, the
context they were read with, the :class:`RecordStore` that reads and writes them, and — for
records loaded through the blocking :class:`zenoo.Client` — the runner that executes coroutines
on the client's loop thread. With a runner, record methods and relation loads block and return
their result; without one they return awaitables.

The store is handed in where bindings are made (the QuerySet binds :data:`zenoo.models.loading.STORE`),
so records and relations reach the loading functions without importing the module that builds them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from zenoo.exceptions import ConfigurationError
from zenoo.seams import OdooClient, Runner

if TYPE_CHECKING:
    from zenoo.models.base import OdooModel

T = TypeVar("T")


class RecordStore(Protocol):
    """How records and lazy relations are read from and written to Odoo through a binding."""

    async def load(
        self, binding: Binding, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None
    ) -> list[OdooModel]:
        """The records ``ids`` of ``model`` with their default fields (cached reads allowed)."""
        ...

    async def load_visible(
        self, binding: Binding, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None
    ) -> list[OdooModel]:
        """As :meth:`load`, leaving out the ids a record rule hides from the user (and those gone)."""
        ...

    async def read(
        self, binding: Binding, cls: type[OdooModel], ids: Sequence[int], fields: Sequence[str] | None = None
    ) -> list[OdooModel]:
        """The records ``ids`` as records of ``cls``, read from Odoo itself."""
        ...

    async def write(self, binding: Binding, model: str, ids: Sequence[int], values: Mapping[str, Any]) -> bool:
        """Check ``values`` and write them to ``ids``."""
        ...

    async def unlink(self, binding: Binding, model: str, ids: Sequence[int]) -> bool:
        """Delete ``ids``."""
        ...


#: Rows a query's relation cache keeps at most.
RELATION_CACHE_SIZE = 4096


class RelationCache:
    """The rows the relations of one query's records loaded (lazy relations and ``prefetch``), by
    ``(scope, id)``: a bounded LRU, emptied when the client has sent a call that may write since
    the rows were read. A new query starts with an empty one, so it sees the server as it is."""

    def __init__(self, max_rows: int = RELATION_CACHE_SIZE) -> None:
        if max_rows < 1:
            raise ConfigurationError("max_rows must be at least 1")
        self.max_rows = max_rows
        self._rows: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
        self._generation = 0

    def since(self, write_generation: int) -> RelationCache:
        """This cache, emptied first if the client may have written since its rows were read."""
        if write_generation != self._generation:
            self._rows.clear()
            self._generation = write_generation
        return self

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

    def __len__(self) -> int:
        return len(self._rows)


@dataclass(frozen=True)
class Binding:
    client: OdooClient
    store: RecordStore
    context: dict[str, Any] = field(default_factory=dict)
    runner: Runner | None = None
    #: the rows this query's relations loaded, shared by every record it loaded
    relations: RelationCache = field(default_factory=RelationCache, compare=False, repr=False)

    @property
    def write_generation(self) -> int:
        """The client's count of calls that may have written (see :class:`zenoo.state.ClientState`)."""
        return self.client.state.write_generation

    def resolve(self, coro: Coroutine[Any, Any, T]) -> Any:
        """Block on ``coro`` when bound to a runner, otherwise hand the coroutine back to await."""
        if self.runner is None:
            return coro
        return self.runner.run(coro)

    async def load(self, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None) -> list[OdooModel]:
        return await self.store.load(self, model, ids, cls)

    async def load_visible(
        self, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None
    ) -> list[OdooModel]:
        return await self.store.load_visible(self, model, ids, cls)

    async def read(
        self, cls: type[OdooModel], ids: Sequence[int], fields: Sequence[str] | None = None
    ) -> list[OdooModel]:
        return await self.store.read(self, cls, ids, fields)

    async def write(self, model: str, ids: Sequence[int], values: Mapping[str, Any]) -> bool:
        return await self.store.write(self, model, ids, values)

    async def unlink(self, model: str, ids: Sequence[int]) -> bool:
        return await self.store.unlink(self, model, ids)
