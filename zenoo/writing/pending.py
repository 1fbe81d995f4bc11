"""The records a batch will create (:class:`PendingRecords`), and the values that refer to them.

A batch's ``create`` returns a PendingRecords: used as a value (a many2one, in an x2many list or
command) or as the ids of an update or delete of the same batch, it is replaced by the real ids
once its create ran (:func:`resolved`); :func:`references` finds them in values.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, Self

from zenoo.exceptions import ClientError, InvalidValueError
from zenoo.writing.results import OperationResult

PLACEHOLDER_ID = 1  # stands for a pending record while values are checked before sending


def model_name(model: Any) -> str:
    """A model name, or the ``_name`` of an OdooModel class."""
    if isinstance(model, str) and model:
        return model
    name = getattr(model, "_name", None) if isinstance(model, type) else None
    if isinstance(name, str) and name:
        return name
    raise InvalidValueError(f"a model is a name such as 'res.partner' or an OdooModel class, got {model!r}")


class Queued:
    """An operation queued in a batch. ``await`` gives it back, for zenoo-rpc's ``await batch.…``."""

    def __init__(self, kind: str, model: str) -> None:
        self.kind = kind
        self.model = model

    def __await__(self) -> Generator[Any, None, Self]:
        return self._itself().__await__()

    async def _itself(self) -> Self:
        return self

    def __repr__(self) -> str:
        return f"<queued {self.kind} {self.model}>"


class PendingRecords(Queued):
    """The records a batch's create makes: use it as a value (a many2one, inside an x2many list or
    command) or as the ids of an update or delete of the same batch; ``ids``/``id`` once it ran.
    """

    def __init__(self, model: str, size: int, single: bool) -> None:
        super().__init__("create", model)
        self.size = size
        self.single = single
        self._operation: OperationResult | None = None
        self._rows: range = range(0)

    def _bind(self, operation: OperationResult, rows: range) -> None:
        self._operation, self._rows = operation, rows

    @property
    def state(self) -> str:
        """``pending`` before the batch ran, then the state of its rows' requests."""
        if self._operation is None:
            return "pending"
        states = {call.state for call in self._operation.calls if set(call.rows) & set(self._rows)}
        if states <= {"done"}:  # no request at all: a create of no records
            return "done"
        return "unknown" if "unknown" in states else ("skipped" if states == {"skipped"} else "failed")

    @property
    def ids(self) -> list[int]:
        """The ids of the created records, in the order given."""
        if self._operation is None:
            raise ClientError(f"the records of this {self.model} create are not created yet: the batch has not run")
        ids = self._operation.ids[self._rows.start : self._rows.stop]
        if any(record_id is None for record_id in ids):
            raise ClientError(f"this {self.model} create did not succeed ({self.state}): no ids")
        return ids  # type: ignore[return-value]

    @property
    def id(self) -> int:
        """The id of the one record created (a create of one dict)."""
        ids = self.ids
        if len(ids) != 1:
            raise ClientError(f"this {self.model} create made {len(ids)} records: use .ids")
        return ids[0]

    def __repr__(self) -> str:
        return f"<PendingRecords {self.model} x{self.size} {self.state}>"


def references(value: Any) -> list[PendingRecords]:
    """Every PendingRecords inside ``value`` (dicts, lists and tuples searched)."""
    if isinstance(value, PendingRecords):
        return [value]
    if isinstance(value, Mapping):
        return [ref for item in value.values() for ref in references(item)]
    if isinstance(value, list | tuple):
        return [ref for item in value for ref in references(item)]
    return []


def resolved(value: Any, placeholder: bool = False) -> Any:
    """``value`` with every PendingRecords replaced by its id (ids, spread, inside a list)."""
    if isinstance(value, PendingRecords):
        if placeholder:
            return PLACEHOLDER_ID if value.single else [PLACEHOLDER_ID]
        return value.id if value.single else value.ids
    if isinstance(value, Mapping):
        return {key: resolved(item, placeholder) for key, item in value.items()}
    if isinstance(value, list | tuple):
        out: list[Any] = []
        for item in value:
            if isinstance(item, PendingRecords):
                out += [PLACEHOLDER_ID] if placeholder else item.ids
            else:
                out.append(resolved(item, placeholder))
        return type(value)(out) if isinstance(value, tuple) else out
    return value


def count_records(ids: Any) -> int:
    """How many records ``ids`` stands for (a PendingRecords counts its size)."""
    if isinstance(ids, PendingRecords):
        return ids.size
    if isinstance(ids, list | tuple):
        return sum(count_records(item) for item in ids)
    return 1
