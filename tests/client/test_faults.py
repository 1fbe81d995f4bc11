"""Retries under injected faults, proven by counting records on a private embedded server.

A create/write/unlink is never sent twice by the library: a 503 (the server says it did not run
the call) is retried for every method; a connection dropped after the request was sent is only
retried for read-only methods.
"""

from __future__ import annotations

import asyncio

import pytest

from zenoo import (
    CircuitBreaker,
    CircuitOpenError,
    ProtocolError,
    RetryPolicy,
    RollbackError,
    ServerUnavailableError,
    Transaction,
    TransactionError,
    ZenooClient,
    ZenooConnectionError,
    ZenooTimeoutError,
)
from zenoo.writing import undo

FAST = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05, max_retry_after=5)


async def _login(server, **options) -> ZenooClient:  # type: ignore[no-untyped-def]
    admin = server.users["admin"]
    client = ZenooClient(server.url, retry=FAST, **options)
    if server.version >= 19:
        await client.login_with_api_key(server.database, admin.login, admin.api_key)
    else:
        await client.login(server.database, admin.login, admin.password)
    return client


def _creates(server, tag: str) -> list:  # type: ignore[no-untyped-def]
    return [r for r in server.requests if r.method == "create" and tag in repr(r.params)]


async def test_503_is_retried_for_a_create_and_runs_once(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server)
    delays: list[float] = []
    client.hooks.on("retry", lambda event: delays.append(event.delay))
    async with client:
        quiet_server.faults.set(error_503_rate=1.0, retry_after=0, methods=["create"], count=2)
        pid = await client.create("res.partner", {"name": tag})
        quiet_server.faults.clear()
        assert await client.search("res.partner", [["name", "=", tag]]) == [pid]  # exactly one record
    attempts = _creates(quiet_server, tag)
    assert [r.status for r in attempts] == [503, 503, 200]
    assert [r.executed for r in attempts] == [False, False, True]
    assert len(delays) == 2 and client.stats.retries == 2


async def test_retry_after_is_waited_for(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server)
    delays: list[float] = []
    client.hooks.on("retry", lambda event: delays.append(event.delay))
    async with client:
        quiet_server.faults.set(error_503_rate=1.0, retry_after=1, methods=["search_count"], count=1)
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0
    assert delays and delays[0] >= 1.0  # the server's Retry-After, not the 10 ms backoff


async def test_503_beyond_the_retry_budget_is_raised(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server, circuit_breaker=False)
    async with client:
        quiet_server.faults.set(error_503_rate=1.0, retry_after=0, methods=["create"])
        with pytest.raises(ServerUnavailableError) as info:
            await client.create("res.partner", {"name": tag})
        quiet_server.faults.clear()
        assert info.value.http_status == 503
        assert info.value.__notes__ == ["res.partner.create was refused by the server (HTTP 503): it did not run"]
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0
    assert len(_creates(quiet_server, tag)) == FAST.max_attempts


async def test_create_dropped_after_running_is_not_repeated(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server)
    async with client:
        quiet_server.faults.set(drop_rate=1.0, drop_phase="after", methods=["create"], count=1)
        with pytest.raises(ZenooConnectionError) as info:
            await client.create("res.partner", {"name": tag})
        assert info.value.request_sent
        quiet_server.faults.clear()
        # the server did create it once; the library did not send it a second time
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 1
    assert len(_creates(quiet_server, tag)) == 1


async def test_write_dropped_before_running_is_not_repeated_either(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    """From the client's side a drop after sending looks the same whether or not the call ran."""
    client = await _login(quiet_server)
    async with client:
        pid = await client.create("res.partner", {"name": tag})
        quiet_server.reset_requests()
        quiet_server.faults.set(drop_rate=1.0, drop_phase="before", methods=["write"], count=1)
        with pytest.raises(ZenooConnectionError):
            await client.write("res.partner", [pid], {"email": "x@example.com"})
        quiet_server.faults.clear()
        assert await client.read("res.partner", [pid], ["email"]) == [{"id": pid, "email": False}]
    assert [r.method for r in quiet_server.requests].count("write") == 1


async def test_dropped_reads_are_retried(quiet_server) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server)
    async with client:
        expected = await client.search_count("res.partner", [])
        quiet_server.reset_requests()
        errors_before = client.stats.errors
        quiet_server.faults.set(drop_rate=1.0, drop_phase="after", methods=["search_count"], count=2)
        assert await client.search_count("res.partner", []) == expected
    counted = [r for r in quiet_server.requests if r.method == "search_count"]
    assert [r.fault for r in counted] == ["drop-after", "drop-after", None]
    assert client.stats.retries == 2 and client.stats.errors - errors_before == 2


async def test_circuit_breaker_opens_and_recovers(quiet_server) -> None:  # type: ignore[no-untyped-def]
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout=0.2)
    client = await _login(quiet_server, circuit_breaker=breaker)
    async with client:
        quiet_server.faults.set(error_503_rate=1.0, retry_after=0, methods=["search_count"])
        with pytest.raises(ServerUnavailableError):
            await client.search_count("res.partner", [])  # 3 attempts fail, the 4th is refused
        with pytest.raises(CircuitOpenError) as info:
            await client.search_count("res.partner", [])
        assert quiet_server.url in str(info.value) and "half-opens" in str(info.value)
        sent = len(quiet_server.requests)
        with pytest.raises(CircuitOpenError):
            await client.search_count("res.partner", [])
        assert len(quiet_server.requests) == sent  # failing fast: nothing reached the server
        quiet_server.faults.clear()
        import asyncio

        await asyncio.sleep(0.25)  # the cool-down (a wait, not a timing assertion)
        assert await client.search_count("res.partner", [["id", "=", 0]]) == 0  # the probe succeeds
        assert breaker.state == "closed"


async def test_timeouts_retry_reads_but_not_writes(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server, timeout=0.3)
    async with client:
        quiet_server.faults.set(latency=1.0, methods=["search_count"], count=1)
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0  # 2nd attempt answers
        quiet_server.faults.set(latency=1.0, methods=["create"], count=1)
        with pytest.raises(ZenooTimeoutError) as info:
            await client.create("res.partner", {"name": tag})
        assert info.value.request_sent
        assert info.value.__notes__ == ["res.partner.create was sent and may have run on the server: zenoo does not send it again"]
    # (the server logs a request when it ends, so the client's own counts are the evidence here)
    methods = client.stats.as_dict()["methods"]
    assert methods["search_count"] == {**methods["search_count"], "requests": 2, "errors": 1, "retries": 1}
    assert methods["create"] == {**methods["create"], "requests": 1, "errors": 1, "retries": 0}


async def test_connection_refused_is_retried_then_reported() -> None:
    async with ZenooClient("http://127.0.0.1:9", retry=FAST) as client:
        with pytest.raises(ZenooConnectionError) as info:
            await client.get_server_version()
    assert info.value.request_sent is False and "127.0.0.1:9" in str(info.value)
    assert info.value.__notes__ == ["while calling web.version"]
    assert client.stats.retries == FAST.max_attempts - 1


async def test_a_rollback_waits_for_the_circuit_breaker_the_outage_opened(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    breaker = CircuitBreaker(failure_threshold=FAST.max_attempts, reset_timeout=0.3)
    client = await _login(quiet_server, circuit_breaker=breaker)
    async with client:
        with pytest.raises(ServerUnavailableError):
            async with client.transaction():
                pid = await client.create("res.partner", {"name": tag})
                quiet_server.faults.set(error_503_rate=1.0, retry_after=0, methods=["write"], count=FAST.max_attempts)
                await client.write("res.partner", [pid], {"phone": "1"})  # its failures open the breaker
        assert breaker.state == "closed"  # the undo's call went through once it half-opened
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0


async def test_a_rollback_waits_for_the_breaker_a_few_times_in_all_not_for_each_operation(  # type: ignore[no-untyped-def]
    quiet_server, tag: str, caplog
) -> None:
    """An outage that outlasts the rollback: it waits for the open breaker at most BREAKER_WAITS
    times in all (not for each of its operations), the rest fail at once, and a retry undoes them
    once the server answers."""
    breaker = CircuitBreaker(failure_threshold=FAST.max_attempts, reset_timeout=0.2)
    client = await _login(quiet_server, circuit_breaker=breaker)
    async with client:
        tx = client.transaction()
        with pytest.raises(RollbackError) as info, caplog.at_level("WARNING", logger="zenoo"):
            async with tx:
                for i in range(6):
                    await client.create("res.partner", {"name": f"{tag}-{i}"})
                quiet_server.faults.set(error_503_rate=1.0, retry_after=0, count=1000)
                raise RuntimeError("roll back")
        waited = [r for r in caplog.records if "waits for the circuit breaker" in r.getMessage()]
        assert len(waited) <= undo.BREAKER_WAITS
        assert [op.undo for op in info.value.operations] == ["undo_failed"] * 6
        quiet_server.faults.clear()
        await asyncio.sleep(0.25)  # the breaker half-opens
        await tx.rollback()
        assert await client.search_count("res.partner", [["name", "like", f"{tag}-%"]]) == 0


async def test_a_garbled_answer_to_a_write_says_it_may_have_run(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server)
    async with client:
        quiet_server.faults.set(garble_rate=1.0, methods=["create"], count=1)
        with pytest.raises(ProtocolError) as info:
            await client.create("res.partner", {"name": tag})
        may_have_run = "may have run on the server (its answer could not be read): zenoo does not send it again"
        assert info.value.__notes__ == [f"res.partner.create was sent and {may_have_run}"]
        created = await client.search("res.partner", [["name", "=", tag]])
        assert len(created) == 1  # it ran, once
        quiet_server.faults.set(garble_rate=1.0, methods=["search_count"], count=1)
        with pytest.raises(ProtocolError) as info:
            await client.search_count("res.partner", [])
        assert info.value.__notes__ == ["while calling res.partner.search_count"]
        await client.unlink("res.partner", created)
    assert len(_creates(quiet_server, tag)) == 1


async def test_an_undo_whose_answer_is_garbled_is_unknown_not_failed(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server)
    async with client:
        tx = client.transaction()
        with pytest.raises(RollbackError) as info:
            async with tx:
                await client.create("res.partner", {"name": tag})
                quiet_server.faults.set(garble_rate=1.0, methods=["unlink"], count=1)
                raise RuntimeError("roll back")
        [op] = info.value.operations
        assert (op.undo, op.detail.split(":")[0]) == ("unknown", "the undoing call may have run")
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0  # it had run
        await tx.rollback()  # the retry finds the record gone: the lost unlink had run
        assert (op.undo, op.detail) == ("undone", "already deleted: the undoing unlink whose answer was lost had run")
        pid = await client.create("res.partner", {"name": tag, "phone": "111"})
        with pytest.raises(RollbackError) as info:
            async with client.transaction():
                await client.write("res.partner", [pid], {"phone": "999"})
                quiet_server.faults.set(garble_rate=1.0, methods=["write"], count=1)
                raise RuntimeError("roll back")
        [op] = info.value.operations
        assert op.undo == "unknown"
        assert op.detail.endswith("the values the write replaced (an earlier write of this transaction may have set "
                                  f"them), to check against the server: {{{pid}: {{'id': {pid}, 'phone': '111'}}}}")  # fmt: skip
        await client.unlink("res.partner", [pid])


async def test_a_rollback_that_failed_can_be_tried_again(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(quiet_server, circuit_breaker=False)
    async with client:
        tx = client.transaction()
        with pytest.raises(RollbackError, match="undo_failed"):
            async with tx:
                await client.create("res.partner", {"name": tag})
                quiet_server.faults.set(error_503_rate=1.0, retry_after=0, methods=["unlink"], count=FAST.max_attempts)
                raise RuntimeError("roll back")
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 1  # the undo was refused
        await tx.rollback()  # the server answers again: the failed undo is tried again
        assert [op.undo for op in tx.operations] == ["undone"]
        assert await client.search_count("res.partner", [["name", "=", tag]]) == 0
        with pytest.raises(TransactionError, match="nothing to retry: transaction .* is rolled_back"):
            await tx.rollback()  # nothing left to try


async def _rolled_back_with_the_undo_reads_dropped(  # type: ignore[no-untyped-def]
    server, client: ZenooClient, pid: int, phones: list[str], *, match: str
) -> Transaction:
    """A transaction that writes ``phones`` to ``pid`` in turn, rolled back while every read of its
    undo is dropped after the server answered it: the RollbackError matches ``match``."""
    tx = client.transaction()
    with pytest.raises(RollbackError, match=match):
        async with tx:
            for phone in phones:
                await client.write("res.partner", [pid], {"phone": phone})
            server.faults.set(drop_rate=1.0, drop_phase="after", methods=["read"], count=FAST.max_attempts)
            raise RuntimeError("roll back")
    return tx


async def test_an_undo_whose_read_failed_is_not_unknown_and_can_be_tried_again(quiet_server, tag: str) -> None:  # type: ignore[no-untyped-def]
    """The undo of a write first reads the record; that read dropped after the server answered it
    is no sign that the undo ran: it did not, and the rollback may be tried again."""
    client = await _login(quiet_server, circuit_breaker=False)
    async with client:
        pid = await client.create("res.partner", {"name": tag, "phone": "111"})
        tx = await _rolled_back_with_the_undo_reads_dropped(quiet_server, client, pid, ["999"], match="undo_failed")
        assert [op.undo for op in tx.operations] == ["undo_failed"]
        assert tx.operations[0].detail.endswith("(while calling res.partner.read)")  # not the undoing write
        await tx.rollback()
        assert [op.undo for op in tx.operations] == ["undone"]
        assert await client.read("res.partner", [pid], ["phone"]) == [{"id": pid, "phone": "111"}]
        await client.unlink("res.partner", [pid])


async def test_a_failed_undo_stops_the_rollback_so_an_earlier_write_of_the_field_is_not_a_conflict(  # type: ignore[no-untyped-def]
    quiet_server, tag: str
) -> None:
    """Two writes of one field: the undo of the second fails, so the first is not tried (it would take
    the second's value for someone else's change); the retry undoes both, in order."""
    client = await _login(quiet_server, circuit_breaker=False)
    async with client:
        pid = await client.create("res.partner", {"name": tag, "phone": "111"})
        held_back = "not tried: the undo of #1, a later operation on its records, is not done"
        tx = await _rolled_back_with_the_undo_reads_dropped(quiet_server, client, pid, ["999", "555"], match=held_back)
        assert [op.undo for op in tx.operations] == ["undo_failed", "undo_failed"]
        await tx.rollback()
        assert [op.undo for op in tx.operations] == ["undone", "undone"]
        assert await client.read("res.partner", [pid], ["phone"]) == [{"id": pid, "phone": "111"}]
        await client.unlink("res.partner", [pid])


@pytest.mark.parametrize("phase", ["before", "after"])
async def test_an_undoing_write_that_may_not_have_run_holds_back_the_earlier_one_and_is_tried_again(  # type: ignore[no-untyped-def]
    quiet_server, tag: str, phase: str
) -> None:
    """Two writes of one field; the undoing write of the second loses its connection, before the
    server ran it or after: either way the retry checks the server and restores the first value."""
    client = await _login(quiet_server, circuit_breaker=False)
    async with client:
        pid = await client.create("res.partner", {"name": tag, "phone": "111"})
        tx = client.transaction()
        with pytest.raises(RollbackError, match="may have run"):
            async with tx:
                await client.write("res.partner", [pid], {"phone": "999"})
                await client.write("res.partner", [pid], {"phone": "555"})
                quiet_server.faults.set(drop_rate=1.0, drop_phase=phase, methods=["write"], count=1)
                raise RuntimeError("roll back")
        assert [op.undo for op in tx.operations] == ["undo_failed", "unknown"]
        await tx.rollback()
        assert [op.undo for op in tx.operations] == ["undone", "undone"]
        ran = phase == "after"  # the lost undoing write had restored 999 already: nothing left for it
        assert tx.operations[1].detail == (
            "already undone: the undoing write whose answer was lost had run" if ran else "restored 1 field value(s)"
        )
        assert await client.read("res.partner", [pid], ["phone"]) == [{"id": pid, "phone": "111"}]
        await client.unlink("res.partner", [pid])


@pytest.mark.parametrize("child", [False, True], ids=["record", "child of its command"])
async def test_a_created_record_is_deleted_only_after_the_undo_of_its_later_write(  # type: ignore[no-untyped-def]
    quiet_server, tag: str, child: bool
) -> None:
    """The create's undo would delete the record (or the child its command made) that a later write
    changed: it waits until that write is undone."""
    client = await _login(quiet_server, circuit_breaker=False)
    async with client:
        tx = client.transaction()
        with pytest.raises(RollbackError, match="not tried"):
            async with tx:
                commands = {"child_ids": [(0, 0, {"name": f"{tag} child"})]} if child else {}
                made = [await client.create("res.partner", {"name": tag, **commands})]
                if child:
                    made += (await client.read("res.partner", made, ["child_ids"]))[0]["child_ids"]
                await client.write("res.partner", made[-1:], {"phone": "999"})
                quiet_server.faults.set(drop_rate=1.0, drop_phase="after", methods=["read"], count=FAST.max_attempts)
                raise RuntimeError("roll back")
        assert await client.search_count("res.partner", [["id", "in", made]]) == len(made)  # held back
        await tx.rollback()
        assert [op.undo for op in tx.operations] == ["undone", "undone"]
        assert await client.search_count("res.partner", [["id", "in", made]]) == 0
