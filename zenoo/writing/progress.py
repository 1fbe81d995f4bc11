"""Progress of bulk requests: a tqdm bar, or a callback told of the records done."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from zenoo.exceptions import InvalidValueError
from zenoo.writing.recording import recording
from zenoo.writing.results import CallResult

__all__ = ["Progress", "ProgressOption"]

logger = logging.getLogger("zenoo.writing")

#: ``progress``: True for a tqdm bar (when tqdm is installed; it appears after a second), False
#: for none, or a callable taking ``(done, total)`` records, ``(done, total, request)``, or one
#: dict ``{"completed", "total", "percentage"}`` (zenoo-rpc's form), told apart by the positional
#: parameters it requires (``(done, total)`` when its signature cannot be read); it may be a
#: coroutine function.
ProgressOption = bool | Callable[..., Any]


class Progress:
    """Reports records done to a tqdm bar or a callback."""

    def __init__(self, option: ProgressOption | None, total: int, what: str) -> None:
        self.total = total
        self.done = 0
        self._bar: Any = None
        self._callback: Callable[..., Any] | None = None
        self._arity = 0
        if callable(option):
            self._callback = option
            self._arity = _required_positionals(option)
        elif option is True and total:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # the bar is optional: zenoo[frames] or zenoo[jupyter] bring tqdm
                return
            self._bar = tqdm(total=total, desc=what, unit="records", delay=1.0, leave=False)
        elif option not in (True, False, None):
            raise InvalidValueError(f"progress must be True, False or a callable, got {option!r}")

    async def advance(self, count: int, call: CallResult | None) -> None:
        """Count ``count`` more records done (by the request ``call``, if one) and report them."""
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
        if self._callback is None:
            return
        try:
            with recording(None):  # what the callback calls is its own, not part of a transaction it reports on
                if self._arity == 1:
                    outcome = self._callback(
                        {"completed": self.done, "total": self.total, "percentage": 100.0 * self.done / (self.total or 1)}
                    )
                elif self._arity >= 3:
                    outcome = self._callback(self.done, self.total, call)
                else:
                    outcome = self._callback(self.done, self.total)
                if inspect.isawaitable(outcome):
                    await outcome
        except Exception:  # the records are written all the same: the result must say so
            logger.exception("zenoo progress callback %r failed; it is not called again for this operation", self._callback)
            self._callback = None

    def close(self) -> None:
        """Close the bar, if one is shown."""
        if self._bar is not None:
            self._bar.close()


def _required_positionals(callback: Callable[..., Any]) -> int:
    """How many positional arguments ``callback`` requires; 2 (``done, total``) when its signature
    cannot be read (some builtins, such as ``print``)."""
    try:
        signature = inspect.signature(callback)
    except (ValueError, TypeError):
        return 2
    return sum(
        1 for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )  # fmt: skip
