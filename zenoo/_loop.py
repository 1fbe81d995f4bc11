"""A dedicated event-loop thread that runs coroutines for blocking callers.

The blocking :class:`zenoo.Client`, Polars IO-plugin threads and notebook code all submit work here,
so the same code runs in a plain script, inside a running loop (Jupyter) and from other threads,
without patching asyncio.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Generic, TypeVar

from zenoo.exceptions import BlockingCallError

if TYPE_CHECKING:
    from zenoo.seams import OdooClient, Runner

T = TypeVar("T")

logger = logging.getLogger("zenoo")

#: How often a blocked caller wakes up to notice Ctrl+C. A plain wait is not enough: once a library
#: such as Polars has taken over SIGINT, the signal no longer wakes a thread waiting on a lock.
POLL_SECONDS = 0.1


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
        thread is cancelled and this waits for it to wind down (a transaction rolls back) before
        raising the KeyboardInterrupt, or what the winding down raised; a second Ctrl+C stops waiting.
        """
        if threading.current_thread() is self._thread:
            raise BlockingCallError("LoopThread.run() called from its own loop thread; await instead")
        call = _Call(awaitable)
        self._loop.call_soon_threadsafe(call.start, self._loop)
        try:
            call.wait()
        except BaseException as interrupt:  # Ctrl+C, or what another signal handler raised
            self._loop.call_soon_threadsafe(call.cancel)
            call.wind_down(interrupt)
            raise
        return call.outcome()

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


class _Call(Generic[T]):
    """One awaitable run as a task on a loop thread for a blocking caller on another thread."""

    def __init__(self, awaitable: Awaitable[T]) -> None:
        self._awaitable = awaitable
        self._task: asyncio.Task[T] | None = None
        self._done = threading.Event()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Create the task (on the loop thread)."""
        self._task = loop.create_task(_as_coroutine(self._awaitable))
        self._task.add_done_callback(lambda _task: self._done.set())

    def cancel(self) -> None:
        """Cancel the task (on the loop thread, after :meth:`start`)."""
        if self._task is not None:
            self._task.cancel()

    def wait(self) -> None:
        """Block until the task is done, waking up regularly so that Ctrl+C is noticed."""
        while not self._done.wait(POLL_SECONDS):
            pass

    def wind_down(self, interrupt: BaseException) -> None:
        """After ``interrupt``, wait for the cancelled task to finish, and raise what it raised
        instead of being cancelled, if anything (a rollback that failed, say)."""
        try:
            if not self._done.wait(1.0):
                logger.warning("interrupted: waiting for the cancelled call to wind down (a transaction "
                               "waits for its requests in flight, then rolls back); press Ctrl+C again "
                               "to stop waiting")  # fmt: skip
                self.wait()
        except KeyboardInterrupt as again:
            again.add_note("zenoo stopped waiting: the cancelled call may still be running "
                           "on its loop thread (a transaction's rollback, say)")  # fmt: skip
            raise
        assert self._task is not None
        if self._task.cancelled():
            return
        error = self._task.exception()
        if error is not None:
            raise error from interrupt
        interrupt.add_note("zenoo: the interrupted call had finished before it could be cancelled")

    def outcome(self) -> T:
        """The task's result, or what it raised."""
        assert self._task is not None
        return self._task.result()


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
