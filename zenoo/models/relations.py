"""Lazy relations: a many2one is a :class:`Many2one` reference, an x2many an :class:`X2many` list of ids.

``partner.company_id.id`` and ``partner.company_id.display_name`` need no request;
``await partner.company_id`` loads the full record. ``partner.child_ids`` *is* the list of ids
Odoo sent (``partner.child_ids == [7, 9]``); ``await partner.child_ids.all()`` loads the records.
Loaded records are kept until the client sends a call that may write: the next load reads again.
On records loaded through the blocking :class:`zenoo.Client`, ``ref.load()`` and
``collection.all()`` block and return the records instead of an awaitable.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pydantic_core import core_schema

from zenoo.exceptions import AccessError, DoesNotExist, InvalidValueError, UnboundRecordError
from zenoo.fields.values import RecordReference
from zenoo.models.binding import Binding

if TYPE_CHECKING:
    from zenoo.models.base import OdooModel

M = TypeVar("M", bound="OdooModel")


def _generation(binding: Binding | None) -> int:
    """The write generation a record loaded now belongs to (0 when not bound: never stale)."""
    return 0 if binding is None else binding.write_generation


def _record_id(item: Any) -> int:
    if isinstance(item, bool) or not isinstance(item, int | RecordReference):
        raise InvalidValueError(f"expected a record id, a record or a reference, got {item!r}")
    if isinstance(item, int):
        return item
    if item.id is None:
        raise InvalidValueError(f"{item!r} has no id yet: save it first")
    return item.id


class Many2one(Generic[M]):
    """A many2one value: ``id`` and ``display_name`` now, the full record on ``await`` / ``load()``."""

    __slots__ = ("_generation", "_record", "binding", "display_name", "id", "model", "related_class")

    def __init__(
        self,
        model: str,
        id: int,
        display_name: str | None = None,
        *,
        binding: Binding | None = None,
        related_class: type[OdooModel] | None = None,
    ) -> None:
        self.model = model
        self.id = id
        self.display_name = display_name
        self.binding = binding
        self.related_class = related_class
        self._record: M | None = None
        self._generation = 0

    @property
    def loaded(self) -> bool:
        """True when the full record is already here (loaded before, or prefetched) and the client
        has sent no call that may write since."""
        return self._record is not None and self._generation == _generation(self.binding)

    def _set_record(self, record: M) -> None:
        self._record = record
        self._generation = _generation(self.binding)

    async def fetch(self) -> M:
        """Load the full record (once; later calls reuse it until the client sends a write)."""
        if self._record is not None and self.loaded:
            return self._record
        if self.binding is None:
            raise UnboundRecordError(f"{self!r} is not bound to a client: it was not loaded from Odoo")
        try:
            records = await self.binding.load(self.model, [self.id], self.related_class)
        except AccessError as exc:  # Odoo's text names the model, not the record
            exc.add_note(f"while loading the related record {self.model} {self.id}")
            raise
        if not records:
            raise DoesNotExist(f"{self.model} record {self.id} does not exist or was deleted")
        record = cast(M, records[0])
        self._set_record(record)
        return record

    def load(self) -> Any:
        """The full record: an awaitable in async code, the record itself on blocking clients."""
        if self.binding is None:
            raise UnboundRecordError(f"{self!r} is not bound to a client: it was not loaded from Odoo")
        return self.binding.resolve(self.fetch())

    def __await__(self) -> Generator[Any, None, M]:
        return self.fetch().__await__()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Many2one):
            return (self.model, self.id) == (other.model, other.id)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.model, self.id))

    def __repr__(self) -> str:
        return f"Many2one({self.model!r}, {self.id}, {self.display_name!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _validate_many2one,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda ref: ref.id),
        )


def _validate_many2one(value: Any) -> Any:
    """Assignments accept a reference, a record, an id, or Odoo's ``[id, name]`` pair."""
    if isinstance(value, Many2one):
        return value
    if isinstance(value, RecordReference):  # a record: OdooModel is registered as one
        record = cast("OdooModel", value)
        ref: Many2one[Any] = Many2one(
            type(record)._name, _record_id(record), getattr(record, "display_name", None)
        )
        ref._set_record(record)
        return ref
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], int):
        return Many2one("", value[0], value[1])
    if isinstance(value, int) and not isinstance(value, bool):
        return Many2one("", value)
    raise InvalidValueError(f"not a many2one value: {value!r}")


class X2many(list[int], Generic[M]):
    """A one2many/many2many value: the list of ids Odoo sent, with the records on ``all()``."""

    __slots__ = ("_generation", "_records", "binding", "model", "related_class")

    def __init__(
        self,
        ids: Iterable[int] = (),
        model: str = "",
        *,
        binding: Binding | None = None,
        related_class: type[OdooModel] | None = None,
    ) -> None:
        super().__init__(ids)
        self.model = model
        self.binding = binding
        self.related_class = related_class
        self._records: list[M] | None = None
        self._generation = 0

    @property
    def ids(self) -> list[int]:
        return list(self)

    @property
    def loaded(self) -> bool:
        """True when the records are already here and the client has sent no call that may write since."""
        return self._records is not None and self._generation == _generation(self.binding)

    def _set_records(self, records: list[M]) -> None:
        self._records = records
        self._generation = _generation(self.binding)

    async def fetch(self) -> list[M]:
        """Load the related records, in the order of the ids (ids deleted meanwhile, or that a record
        rule hides from the user since, are left out, as Odoo leaves them out of the field when it is
        read again); loaded again after the client sends a write."""
        if self._records is not None and self.loaded:
            return self._records
        records: list[M] = []
        if self:
            if self.binding is None:
                raise UnboundRecordError("this collection is not bound to a client: it was not loaded from Odoo")
            records = cast(list[M], await self.binding.load_visible(self.model, list(self), self.related_class))
        self._set_records(records)
        return records

    def all(self) -> Any:
        """The related records: an awaitable in async code, the list itself on blocking clients."""
        if self.binding is None or self.binding.runner is None:
            return self.fetch()
        return self.binding.resolve(self.fetch())

    def __repr__(self) -> str:
        return f"X2many({self.model!r}, {list(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _validate_x2many,
            serialization=core_schema.plain_serializer_function_ser_schema(list),
        )


def _validate_x2many(value: Any) -> Any:
    if isinstance(value, X2many):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return X2many([_record_id(item) for item in value])
    raise InvalidValueError(f"not an x2many value (a list of ids or records): {value!r}")


RecordReference.register(Many2one)  # its id is sent where a value is expected
