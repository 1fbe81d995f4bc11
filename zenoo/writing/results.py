"""What a batch or bulk write did: per request, the ids written, the error, or "unknown".

A request whose outcome zenoo cannot know (the connection dropped after it was sent, a read
timeout, a 502/504 from a proxy) is ``"unknown"``: it is never sent again, and its rows are listed
so that the caller can check them (by a marker field or an external id) instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from zenoo.exceptions import (
    BatchError,
    ClientError,
    ConflictError,
    OdooServerError,
    RequestTooLargeError,
    ServerUnavailableError,
    TransportError,
)
from zenoo.retry import NOT_PROCESSED_STATUSES

#: ``done``: the server answered with success; ``failed``: the server did not apply it (Odoo
#: answered an error and rolled the call back, or the request never reached it); ``unknown``: it
#: may or may not have run; ``skipped``: not sent (it refers to records whose create did not
#: succeed, or the batch was cancelled before its turn).
CallState = Literal["done", "failed", "unknown", "skipped"]


def outcome_of(error: BaseException) -> CallState:
    """Whether a call that raised ``error`` was certainly not applied (``failed``) or may have been."""
    if isinstance(error, OdooServerError | ClientError | RequestTooLargeError | ConflictError):
        return "failed"  # Odoo rolls a failing call back; a ClientError or a write-back's
        # ConflictError is raised before sending; a body refused as too large never reached Odoo
    if isinstance(error, ServerUnavailableError):
        return "failed" if error.http_status in NOT_PROCESSED_STATUSES else "unknown"
    if isinstance(error, TransportError):
        return "unknown" if error.request_sent else "failed"
    return "unknown"  # a malformed answer, a cancellation in flight: the server may have run it


@dataclass
class CallResult:
    """One request of a batch: ``create``, ``write``, ``unlink`` or ``load``.

    ``rows`` are the positions, in the operation's input, of the records this request carries;
    ``ids`` the ids it created (in row order) or the records it wrote or deleted; ``values`` what
    was sent (the list of values for a create, the values for a write, ``(fields, rows)`` for a
    load); ``messages`` the per-row messages of a load; ``attempts`` how many times it was sent
    (more than once after Odoo rolled it back for a concurrent update).
    """

    method: str
    model: str
    rows: Sequence[int]  # a range, or a tuple when the rows are not contiguous
    values: Any = None
    ids: list[int] = field(default_factory=list)
    state: CallState = "skipped"
    error: BaseException | None = None
    note: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0

    def __repr__(self) -> str:
        what = f"{self.method} {self.model} {_rows(self.rows)}"
        detail = f": {self.error!r}" if self.error is not None else (f": {self.note}" if self.note else "")
        return f"<{what} {self.state}{detail}>"


_Kind = Literal["create", "write", "unlink", "load"]


@dataclass
class OperationResult:
    """One operation of a batch (records of one model and context, one kind) and its requests."""

    kind: _Kind
    model: str
    size: int
    calls: list[CallResult] = field(default_factory=list)
    #: write/unlink: the record id of each row
    targets: list[int] = field(default_factory=list)

    @property
    def state(self) -> str:
        """``done``, ``failed``, ``unknown`` (some request's outcome is unknown), ``skipped`` or
        ``partial`` (some requests done, others failed or skipped); ``failed`` also when some
        failed and the others were skipped."""
        states = {call.state for call in self.calls}
        if not states or states == {"done"}:
            return "done"
        if "unknown" in states:
            return "unknown"
        if len(states) == 1:
            return states.pop()
        return "partial" if "done" in states else "failed"

    @property
    def ok(self) -> bool:
        """True when every request is done."""
        return self.state == "done"

    @property
    def ids(self) -> list[int | None]:
        """create (and an atomic load): the id of each row in input order (None where not
        created or unknown); write/unlink: the ids of the records written or deleted."""
        if self.kind not in ("create", "load"):
            return [self.targets[row] for call in self.calls if call.state == "done" for row in call.rows]
        ids: list[int | None] = [None] * self.size
        for call in self.calls:
            if call.state == "done":
                for row, record_id in zip(call.rows, call.ids, strict=True):
                    ids[row] = record_id
        return ids

    def rows_in(self, state: CallState) -> list[int]:
        """Rows whose request is in ``state``."""
        return [row for call in self.calls if call.state == state for row in call.rows]

    @property
    def unknown_rows(self) -> list[int]:
        """Rows whose request may or may not have run: check them before sending them again."""
        return self.rows_in("unknown")

    @property
    def failed_rows(self) -> list[int]:
        """Rows whose request was certainly not applied."""
        return self.rows_in("failed")

    @property
    def errors(self) -> list[BaseException]:
        """The error of each request that raised one."""
        return [call.error for call in self.calls if call.error is not None]

    def __repr__(self) -> str:
        return f"<{self.kind} {self.model}: {self.size} record(s), {len(self.calls)} request(s), {self.state}>"


@dataclass
class BatchResult:
    """What a batch or bulk write did: its operations, each with its requests."""

    operations: list[OperationResult] = field(default_factory=list)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every request of every operation is done."""
        return all(op.ok for op in self.operations)

    @property
    def calls(self) -> list[CallResult]:
        """Every request, operation by operation."""
        return [call for op in self.operations for call in op.calls]

    @property
    def ids(self) -> list[int | None]:
        """The ids of every create operation, in order (None for rows not created)."""
        return [record_id for op in self.operations if op.kind in ("create", "load") for record_id in op.ids]

    @property
    def failed(self) -> list[CallResult]:
        """Requests certainly not applied."""
        return [call for call in self.calls if call.state == "failed"]

    @property
    def unknown(self) -> list[CallResult]:
        """Requests that may or may not have run: never re-sent; check their rows."""
        return [call for call in self.calls if call.state == "unknown"]

    @property
    def skipped(self) -> list[CallResult]:
        """Requests not sent."""
        return [call for call in self.calls if call.state == "skipped"]

    @property
    def stats(self) -> dict[str, int]:
        """Counts of requests and records (zenoo-rpc's ``results["stats"]`` names)."""
        calls = self.calls
        return {
            "total_operations": len(calls),
            "completed_operations": sum(call.state == "done" for call in calls),
            "failed_operations": sum(call.state in ("failed", "skipped") for call in calls),
            "unknown_operations": sum(call.state == "unknown" for call in calls),
            "total_records": sum(len(call.rows) for call in calls),
            "processed_records": sum(len(call.rows) for call in calls if call.state == "done"),
        }

    def __getitem__(self, key: str) -> Any:
        """zenoo-rpc's dict form: ``result["stats"]``, ``result["results"]``, ``result["duration"]``."""
        if key == "stats":
            return self.stats
        if key == "results":
            return self.calls
        if key == "duration":
            return self.duration
        raise KeyError(key)

    def summary(self) -> str:
        """One line per operation: its records by state, and the requests not done with their errors."""
        parts = []
        for op in self.operations:
            by_state: dict[str, int] = {}
            for call in op.calls:
                by_state[call.state] = by_state.get(call.state, 0) + len(call.rows)
            states = ", ".join(f"{count} {state}" for state, count in by_state.items())
            line = f"{op.kind} {op.model}: {op.size} record(s), {states or op.state}"
            bad = [call for call in op.calls if call.state != "done"]
            for call in bad[:5]:
                line += f"; {_rows(call.rows)} {call.state}"
                if call.error is not None:
                    line += f" ({type(call.error).__name__}: {call.error})"
                elif call.note:
                    line += f" ({call.note})"
            if len(bad) > 5:
                line += f"; and {len(bad) - 5} more request(s) not done"
            parts.append(line)
        return "; ".join(parts) or "nothing to do"

    def raise_for_errors(self) -> BatchResult:
        """Raise :class:`BatchError` (carrying this result) unless every request is done."""
        if not self.ok:
            unknown = [row for op in self.operations for row in op.unknown_rows]
            hint = (
                f"; {len(unknown)} record(s) in an unknown state were not re-sent: check them before retrying"
                if unknown
                else ""
            )
            raise BatchError(f"the batch did not complete: {self.summary()}{hint}", result=self)
        return self


def _rows(rows: Sequence[int]) -> str:
    if not rows:
        return "no rows"
    if isinstance(rows, range) and len(rows) > 1:
        return f"rows {rows[0]}..{rows[-1]}"
    return "row " + ", ".join(map(str, rows[:10])) + (", …" if len(rows) > 10 else "")
