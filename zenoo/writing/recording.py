"""The one interception point of :meth:`ZenooClient.call`: a recorder of writes, scoped by a context variable.

``call`` hands every call that may write (anything :func:`zenoo.methods.is_read_only` does not
list) to the recorder active in the current context, if there is one; a transaction is such a
recorder. Asyncio tasks copy the context when they are created, so calls made in tasks started
inside a transaction's block are seen too (tasks started before it are not). The blocking
:class:`zenoo.Client` submits each call with the calling thread's context, so the same holds there.
:func:`read_current` is how a recorder reads a call's records as they are now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any, Protocol

from zenoo.seams import OdooClient


@dataclass(frozen=True)
class WriteCall:
    """A call that may write, as ``call`` received it (its arguments already checked)."""

    client: OdooClient  # the client, or with_context view, that makes the call
    model: str
    method: str
    ids: list[int] | None
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    context: Mapping[str, Any] | None


class Recorder(Protocol):
    """What :meth:`ZenooClient.call` hands each call that may write to (a transaction)."""
    async def around(self, call: WriteCall, send: Callable[[], Awaitable[Any]]) -> Any:
        """Send the call (``await send()``), recording what is needed to undo it; return its result."""
        ...


_RECORDER: ContextVar[Recorder | None] = ContextVar("zenoo_write_recorder", default=None)


def current_recorder() -> Recorder | None:
    """The recorder of the current context, or None."""
    return _RECORDER.get()


def set_recorder(recorder: Recorder | None) -> Token[Recorder | None]:
    """Make ``recorder`` the current one (None: none); give the token to :func:`reset_recorder`."""
    return _RECORDER.set(recorder)


def reset_recorder(token: Token[Recorder | None]) -> None:
    """Restore the recorder that was current before :func:`set_recorder` gave ``token``."""
    _RECORDER.reset(token)


@contextmanager
def recording(recorder: Recorder | None) -> Iterator[None]:
    """``recorder`` is the current recorder inside the block (None: calls are not recorded)."""
    token = set_recorder(recorder)
    try:
        yield
    finally:
        reset_recorder(token)


async def read_current(call: WriteCall, model: str, ids: list[int], names: list[str]) -> list[dict[str, Any]]:
    """Current values of ``names`` (many2one as ids), bypassing any cache, in the call's context."""
    rows: list[dict[str, Any]] = await call.client.call(
        model, "read", ids=ids, kwargs={"fields": names, "load": None}, context=call.context, cache_ttl=0
    )
    return rows
