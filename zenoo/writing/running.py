"""Running a bulk operation's requests: how many in flight, what a failure or a deadline leaves
unsent, and a request Odoo rolled back for a concurrent update sent again, alone.

Every request goes through ``client.call`` (its retry policy repeats a request only when the
server said it did not process it: 503/429). A request that fails after it may have reached the
server is ``"unknown"`` in the :class:`BatchResult`; nothing guesses whether it ran. One that Odoo
rolled back because another transaction updated the same rows wrote nothing: that one is sent again.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from zenoo.exceptions import ConcurrentUpdateError, InvalidValueError, ZenooError
from zenoo.writing.progress import Progress, ProgressOption
from zenoo.writing.results import BatchResult, CallResult, OperationResult, outcome_of

#: Rows per request when the caller does not say.
DEFAULT_CHUNK_SIZE = 1000
#: Requests in flight at once when the caller does not say (the client's own limit still applies).
DEFAULT_CONCURRENCY = 4

Via = Literal["auto", "write", "load"]


Send = Callable[[CallResult], Awaitable[None]]
#: requests with what sends each
Requests = Sequence[tuple[CallResult, Send]]
#: an operation and its requests, as planned
Stage = tuple[OperationResult, list[tuple[CallResult, Send]]]
#: the notes of requests left unsent
AFTER_A_FAILURE = "not sent: an earlier request failed"
OUT_OF_TIME = "not sent: the time allowed ran out"


#: how many more times a request Odoo rolled back for a concurrent update is sent, alone, and the
#: seconds waited before the second of them (doubled each time, with jitter): a first retry follows
#: the end of the requests it met, a later one waits out another client's transaction
CONCURRENT_UPDATE_TRIES = 3
CONCURRENT_UPDATE_WAIT = 0.5


async def run_requests(
    requests: Requests, *, concurrency: int, progress: Progress, stop_after_failure: bool = False
) -> None:
    """Send each request (at most ``concurrency`` at once) and record its outcome in its CallResult.

    A request that raises is marked ``failed`` or ``unknown`` (see :func:`outcome_of`), or ``failed``
    when its send had set it so: a send that does work of its own before the request (a read)
    marks it ``failed`` while that work runs, then ``unknown`` again as the request leaves. The others
    go on, unless ``stop_after_failure``: then those not sent yet stay ``skipped``. If the whole run
    is cancelled (a timeout), requests in flight become ``unknown`` (a transaction's wait for their
    answers first: :mod:`zenoo.writing.transaction`) and those not started stay ``skipped``.

    A request that Odoo rolled back because another transaction updated the same rows
    (:class:`ConcurrentUpdateError`: nothing of it was written) is sent again once the requests in
    flight are done, and from then on the requests go one at a time: up to
    ``CONCURRENT_UPDATE_TRIES`` more times each, waiting longer each time, before it fails.
    """
    again = await _run(requests, concurrency, progress, stop_after_failure)
    for attempt in range(CONCURRENT_UPDATE_TRIES):
        if not again:
            return
        if attempt:  # alone and rolled back again: another client is writing the same rows
            await asyncio.sleep(CONCURRENT_UPDATE_WAIT * random.uniform(1.0, 2.0) * 2 ** (attempt - 1))
        again = await _run(again, 1, progress, stop_after_failure)
    for result, _ in again:
        result.state = "failed"
        await progress.advance(len(result.rows), result)


async def _run(
    requests: Requests, concurrency: int, progress: Progress, stop_after_failure: bool
) -> list[tuple[CallResult, Send]]:
    """One round of :func:`run_requests`: the requests to send again, in their order (those rolled
    back for a concurrent update, and, when several were in flight, those not sent after one)."""
    gate = asyncio.Semaphore(concurrency)
    failed: list[CallResult] = []
    again: set[int] = set()

    async def one(position: int, result: CallResult, send: Send) -> None:
        count = len(result.rows)  # a guarded send may narrow the rows it writes: all were handled
        async with gate:
            if failed and stop_after_failure:
                result.note = AFTER_A_FAILURE
                return
            if again and concurrency > 1:  # sent alone in the next round
                again.add(position)
                return
            result.state = "unknown"  # from here on the request may reach the server
            result.attempts += 1
            try:
                await send(result)
            except ConcurrentUpdateError as exc:
                result.state, result.error = "skipped", exc  # Odoo wrote none of it
                again.add(position)
                return
            except ZenooError as exc:
                # a guarded send whose work before the request failed has set it back to failed
                result.state = outcome_of(exc) if result.state == "unknown" else "failed"
                result.error = exc
                failed.append(result)
            except asyncio.CancelledError:
                result.note = "cancelled while in flight"
                raise
            else:
                result.state, result.error = "done", None
        await progress.advance(count, result)

    tasks = [asyncio.ensure_future(one(position, *request)) for position, request in enumerate(requests)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            if not task.cancelling():  # once: a transaction's request in flight waits for its answer
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [requests[position] for position in sorted(again)]


def positive_or_none(name: str, value: int | None) -> int | None:
    """``value`` when it is None (the default) or a positive int, else InvalidValueError naming ``name``."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidValueError(f"{name} must be a positive integer or None (the default), got {value!r}")
    return value


@dataclass(frozen=True)
class Options:
    """How a bulk operation or a batch sends its requests (``timeout``: seconds for all of them)."""

    chunk_size: int = DEFAULT_CHUNK_SIZE
    concurrency: int = DEFAULT_CONCURRENCY
    progress: ProgressOption = True
    validate: bool = True
    via: Via = "auto"
    timeout: float | None = None
    #: leave the requests not sent yet once one failed (a write-back, which then rolls back)
    stop_after_failure: bool = False

    @classmethod
    def of(
        cls,
        chunk_size: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = True,
        validate: bool = True,
        via: str = "auto",
        timeout: float | None = None,
    ) -> Options:
        """Options from the public arguments, each checked (InvalidValueError) before anything is sent."""
        positive_or_none("chunk_size", chunk_size)
        positive_or_none("concurrency", concurrency)
        if not isinstance(validate, bool):
            raise InvalidValueError(f"validate must be True or False, got {validate!r}")
        if via not in ("auto", "write", "load"):
            raise InvalidValueError(f"via must be 'auto', 'write' or 'load', got {via!r}")
        if not (isinstance(progress, bool) or callable(progress)):
            raise InvalidValueError(f"progress must be True, False or a callable, got {progress!r}")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0):
            raise InvalidValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
        chunk_size, concurrency = chunk_size or DEFAULT_CHUNK_SIZE, concurrency or DEFAULT_CONCURRENCY
        return cls(chunk_size, concurrency, progress, validate, via, timeout)  # type: ignore[arg-type]


async def run_stage(
    requests: Requests, options: Options, progress: Progress, deadline: float | None
) -> bool:
    """Run ``requests``; False when the deadline (loop time) passed, leaving later ones ``skipped``."""
    try:
        async with asyncio.timeout_at(deadline):
            await run_requests(requests, concurrency=options.concurrency, progress=progress,
                               stop_after_failure=options.stop_after_failure)  # fmt: skip
    except TimeoutError:
        for call, _ in requests:
            if call.state == "skipped":
                call.note = OUT_OF_TIME
        return False
    return True


def deadline_of(options: Options) -> float | None:
    """The loop time by which every request must be done, or None."""
    return None if options.timeout is None else asyncio.get_running_loop().time() + options.timeout


#: ``resize(seconds, first, rest)``: the requests to send after the ``first`` ones took ``seconds``
Resize = Callable[[float, Requests, Requests], Requests]


async def execute(
    operations: Sequence[OperationResult],
    requests: Requests,
    options: Options,
    what: str,
    resize: Resize | None = None,
) -> BatchResult:
    """Run the requests of ``operations`` and return what they did. With ``resize``, the first
    ``options.concurrency`` requests go first; once they are all done, ``resize`` replans the
    others from the time they took (and updates the operations' calls), and they go one at a time
    if the first ones had to be sent again after a concurrent update."""
    start = time.perf_counter()
    progress = Progress(options.progress, sum(len(result.rows) for result, _ in requests), what)
    deadline = deadline_of(options)
    try:
        if resize is None or len(requests) <= options.concurrency:
            await run_stage(requests, options, progress, deadline)
        else:
            first, rest = requests[: options.concurrency], requests[options.concurrency :]
            in_time = await run_stage(first, options, progress, deadline)
            failed = any(call.state != "done" for call, _ in first)
            if not in_time or (failed and options.stop_after_failure):
                for call, _ in rest:
                    call.note = AFTER_A_FAILURE if in_time else OUT_OF_TIME
            else:
                if any(call.attempts > 1 for call, _ in first):  # they met each other's updates
                    options = replace(options, concurrency=1)
                await run_stage(rest if failed else resize(time.perf_counter() - start, first, rest),
                                options, progress, deadline)  # fmt: skip
    finally:
        progress.close()
    return BatchResult(list(operations), time.perf_counter() - start)
