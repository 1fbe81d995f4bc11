"""A dedicated event-loop thread that runs coroutines for blocking callers.

The blocking :class:`zenoo.Client`, Polars IO-plugin threads and notebook code all submit work here,
so the same code runs in a plain script, inside a running loop (Jupyter) and from other threads,
without patching asyncio.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from zenoo.exceptions import BlockingCallError

if TYPE_CHECKING:
    from zenoo.seams import OdooClient, Runner

T = TypeVar("T")


class LoopThread:
    """An asyncio loop running forever in a daemon thread."""

    def __init__(self, name: str = "zenoo-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` on the loop thread and block until it finishes.

        If the wait is interrupted (Ctrl+C, a notebook's "interrupt kernel"), the work on the loop
        thread is cancelled too instead of running on unseen.
        """
        if threading.current_thread() is self._thread:
            raise BlockingCallError("LoopThread.run() called from its own loop thread; await instead")
        future = asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # a no-op when the coroutine itself raised
            raise

    def iterate(self, agen: AsyncIterator[T]) -> Generator[T, None, None]:
        """Iterate an async iterator from a blocking caller; closing the generator closes ``agen``."""
        try:
            while True:
                try:
                    yield self.run(agen.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            aclose = getattr(agen, "aclose", None)
            if aclose is not None and not self._loop.is_closed():
                self.run(aclose())

    def close(self) -> None:
        """Stop the loop and join the thread."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


_shared: LoopThread | None = None
_shared_lock = threading.Lock()


def shared_loop() -> LoopThread:
    """The process-wide loop thread used by blocking facades that were not given one."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LoopThread("zenoo-shared-loop")
        return _shared


@contextmanager
def fork_on_shared_loop(client: OdooClient) -> Iterator[tuple[LoopThread, OdooClient]]:
    """The shared loop thread and a fork of ``client`` living on it, closed at the end.

    For synchronous code serving an async client whose connections belong to a loop it cannot
    block on (the notebook's own running loop): httpx pools belong to the loop that opened them.
    """
    loop = shared_loop()
    fork = loop.run(_fork(client))
    try:
        yield loop, fork
    finally:
        loop.run(fork.close())


async def _fork(client: OdooClient) -> OdooClient:
    return client.fork()  # made on the loop thread: its connection pool belongs there



if TYPE_CHECKING:  # mypy checks here that the loop thread is the Runner the blocking layers expect

    def _is_a_runner(loop: LoopThread) -> Runner:
        return loop
