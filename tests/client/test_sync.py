"""The blocking Client: plain code, inside a running event loop (as in Jupyter), other threads."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from zenoo import AuthenticationError, Client, InvalidValueError, MissingError, OdooServerError
from zenoo._loop import LoopThread


@contextmanager
def ctrl_c_after(*delays: float) -> Iterator[None]:
    """Real SIGINTs, as Ctrl+C sends (they wake the main thread up from its wait), ``delays``
    seconds from now; the timers are joined at the end."""
    timers = [threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT)) for delay in delays]
    for timer in timers:
        timer.start()
    try:
        yield
    finally:
        for timer in timers:
            timer.join()


@pytest.fixture
def sync_client(target):  # type: ignore[no-untyped-def]
    with Client(target.url) as client:
        client.login(target.database, target.login, target.password)
        yield client


def test_blocking_crud(sync_client: Client, tag: str) -> None:
    pid = sync_client.create("res.partner", {"name": f"{tag}-sync"})
    try:
        assert sync_client.search("res.partner", [["name", "=", f"{tag}-sync"]]) == [pid]
        assert sync_client.write("res.partner", pid, {"email": "s@example.com"})
        with pytest.raises(InvalidValueError, match="res.partner.color is an integer field"):
            sync_client.write("res.partner", pid, {"color": "red"})
        with pytest.raises(OdooServerError, match="no_such_field"):  # unchecked: Odoo refuses it itself
            sync_client.write("res.partner", pid, {"no_such_field": 1}, None, True, False)
        assert sync_client.read("res.partner", [pid], ["email"]) == [{"id": pid, "email": "s@example.com"}]
        assert sync_client.search_count("res.partner", [["id", "=", pid]]) == 1
        assert sync_client.execute_kw("res.partner", "search_count", [[["id", "=", pid]]]) == 1
        assert sync_client.fields_get("res.partner", ["name"], ["type"]) == {"name": {"type": "char"}}
        assert sync_client.name_search("res.partner", f"{tag}-sync") == [[pid, f"{tag}-sync"]]
        view = sync_client.with_context(active_test=False)
        assert view.context["active_test"] is False and view.uid == sync_client.uid
    finally:
        sync_client.unlink("res.partner", pid)
    with pytest.raises(MissingError):
        sync_client.write("res.partner", [pid], {"name": "gone"})
    assert sync_client.api == "jsonrpc" and repr(sync_client).startswith("Client(url=")


def test_blocking_client_inside_a_running_loop(target) -> None:  # type: ignore[no-untyped-def]
    """What a Jupyter cell does: blocking calls while the kernel's event loop is running."""

    async def notebook_cell() -> int:
        assert asyncio.get_running_loop().is_running()
        with Client(target.url) as client:
            client.login(target.database, target.login, target.password)
            return client.search_count("res.partner", [["id", "=", 1]])

    assert asyncio.run(notebook_cell()) in (0, 1)


def test_blocking_client_from_many_threads(sync_client: Client) -> None:
    # countries, not partners: a shared real server sees other clients' partners come and go
    expected = sync_client.search_count("res.country", [])
    with ThreadPoolExecutor(max_workers=6) as pool:
        counts = list(pool.map(lambda _: sync_client.search_count("res.country", []), range(12)))
    assert counts == [expected] * 12


def test_own_loop_thread_and_errors(target) -> None:  # type: ignore[no-untyped-def]
    loop = LoopThread("zenoo-test-loop")
    try:
        with Client(target.url, loop=loop) as client:
            assert client.runner is loop
            with pytest.raises(AuthenticationError):
                client.login(target.database, target.login, "not-the-password")
            assert client.health_check() is True
            assert client.get_server_version()["server_version_info"][0] >= 17
    finally:
        loop.close()
    assert not any(t.name == "zenoo-test-loop" for t in threading.enumerate())


def test_model_returns_a_sync_queryset(sync_client: Client) -> None:
    from zenoo.query import BlockingQuerySet

    partners = sync_client.model("res.partner")
    assert isinstance(partners, BlockingQuerySet)
    assert repr(partners).startswith("BlockingQuerySet('res.partner'")  # not its old name
    ordered = partners.order_by("id")
    assert ordered[1:3].ids() == ordered.ids()[1:3]
    assert partners.filter(id=1).count() in (0, 1)


def test_an_interrupted_blocking_call_is_cancelled_on_the_loop_thread(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+C (or a notebook's interrupt) while a blocking call waits stops the call itself too."""
    server = odoo_server_factory(version=19)
    admin = server.users["admin"]
    loop = LoopThread("zenoo-interrupt-loop")
    cancelled = threading.Event()
    try:
        with Client(server.url, loop=loop) as client:
            client.login(server.database, admin.login, admin.password)
            server.faults.set(latency=5.0, methods=["search_count"], count=1)

            async def slow_count() -> int:
                try:
                    return await client.aclient.search_count("res.partner", [])
                except asyncio.CancelledError:
                    cancelled.set()
                    raise

            with ctrl_c_after(0.3), pytest.raises(KeyboardInterrupt):
                loop.run(slow_count())
            assert cancelled.wait(5.0)  # the request on the loop thread was cancelled, not left running
            assert client.search_count("res.partner", [["id", "=", 1]]) == 1  # the client still works
    finally:
        loop.close()


def test_an_interrupted_call_is_waited_for_and_its_winding_down_error_raised() -> None:
    """After Ctrl+C, the blocking caller waits for the cancelled work to wind down (as a
    transaction's rollback does) and raises what that raised, caused by the KeyboardInterrupt."""
    loop = LoopThread("zenoo-wind-down-loop")
    wound_down = threading.Event()

    async def work() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            await asyncio.sleep(0.2)  # winding down takes requests
            wound_down.set()
            raise OdooServerError("the rollback failed") from None

    try:
        with ctrl_c_after(0.3), pytest.raises(OdooServerError, match="the rollback failed") as caught:
            loop.run(work())
        assert wound_down.is_set() and isinstance(caught.value.__cause__, KeyboardInterrupt)
    finally:
        loop.close()


def test_a_second_interrupt_stops_waiting_for_the_winding_down() -> None:
    loop = LoopThread("zenoo-second-interrupt-loop")
    release = threading.Event()

    async def work() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            while not release.is_set():  # a rollback that takes long
                await asyncio.sleep(0.05)
            raise

    try:
        started = time.perf_counter()
        with ctrl_c_after(0.3, 1.8), pytest.raises(KeyboardInterrupt) as caught:
            loop.run(work())
        assert time.perf_counter() - started < 5
        assert "zenoo stopped waiting" in " ".join(getattr(caught.value, "__notes__", []))
    finally:
        release.set()
        loop.close()
