"""Where the browser's network work runs, so that it never blocks the kernel.

With the blocking :class:`zenoo.Client`, on the client's loop thread (``client.runner``); with the
async :class:`zenoo.ZenooClient`, as a task on the event loop that was running when the browser was
made (the notebook kernel's loop, to which the client's connections belong). A click only starts
the work; the work itself updates the widgets when its answer comes. A click may be handled on
another thread than the loop's (JupyterLab 4.6 with ipykernel 7 sends widget messages to a kernel
subshell, which has a thread and an event loop of its own): the work is then handed to the loop
thread-safely. Only the newest request counts: starting one cancels the one still pending, and a
late answer of a cancelled one is dropped (see :meth:`Requests.current`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine, Generator
from typing import Any

from zenoo.exceptions import BlockingCallError, ConfigurationError
from zenoo.seams import OdooClient
from zenoo_frames.targets import BlockingClient

Work = Callable[[int], Coroutine[Any, Any, None]]
#: What the browser takes: the async client, or the blocking one
AnyClient = OdooClient | BlockingClient


class Pending:
    """One request of the browser. ``await`` it (async client) to wait for it and get its error
    raised; with the blocking client the browser's methods have waited already (:meth:`wait`)."""

    def __init__(self, future: asyncio.Future[BaseException | None] | concurrent.futures.Future[Any]) -> None:
        self._future = future

    def done(self) -> bool:
        return self._future.done()

    def __await__(self) -> Generator[Any, None, None]:
        return self._wait().__await__()

    async def _wait(self) -> None:
        future = self._future
        error = await (future if isinstance(future, asyncio.Future) else asyncio.wrap_future(future))
        if error is not None:
            raise error

    def wait(self, timeout: float | None = None) -> None:
        """Block until the request is done (blocking client only); raise its error."""
        if isinstance(self._future, asyncio.Future):
            raise BlockingCallError("this browser runs on the async client: await the request instead")
        error = self._future.result(timeout)
        if error is not None:
            raise error


class Requests:
    """Runs the browser's coroutines (see the module docstring); one generation per request."""

    def __init__(self, client: AnyClient) -> None:
        self.client: OdooClient
        if isinstance(client, BlockingClient):
            self.client = client.aclient
            self.blocking = True
            self._loop = client.runner.loop
        else:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                raise ConfigurationError(
                    "ModelBrowser with the async ZenooClient must be made where its event loop runs (a "
                    "notebook cell, or async code); in a plain script use the blocking zenoo.Client"
                ) from None
            self.client = client
            self.blocking = False
        self._loop_thread = None if self.blocking else threading.get_ident()
        self.lock = threading.RLock()
        self.generation = 0
        self._pending: Pending | None = None

    def current(self, generation: int) -> bool:
        """Whether ``generation`` is still the newest request (call it holding :attr:`lock`)."""
        return generation == self.generation

    @property
    def busy(self) -> bool:
        return self._pending is not None and not self._pending.done()

    def start(self, work: Work, on_error: Callable[[int, Exception], None]) -> Pending:
        """Cancel the pending request and run ``work(generation)``; its exception goes to ``on_error``."""
        with self.lock:
            self.generation += 1
            generation = self.generation
            if self._pending is not None and not self._pending.done():
                self._pending._future.cancel()

        async def guarded() -> BaseException | None:
            try:
                await work(generation)
            except Exception as exc:  # noqa: BLE001 - shown in the widget, raised to its awaiter
                on_error(generation, exc)
                return exc
            return None

        if threading.get_ident() == self._loop_thread:
            pending = Pending(self._loop.create_task(guarded()))
        else:  # the blocking client's loop thread, or the async client's loop seen from a subshell
            pending = Pending(asyncio.run_coroutine_threadsafe(guarded(), self._loop))
        self._pending = pending
        return pending
