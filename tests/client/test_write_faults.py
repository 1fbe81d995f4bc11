"""Batches and transactions under injected faults, proven by counting records and requests on a
private embedded server (both versions).

- A fault at every step k of an N-step transaction (an error raised by Odoo, a 503 beyond the
  retry budget, the connection dropped before or after the call ran): after the rollback the
  records the transaction touched equal, field by field, their snapshot taken before; what it
  created is gone, except a create whose outcome is unknown, which the RollbackError names (and
  which the library never sent twice).
- A batch: a 503 on a chunk is retried once; a drop after sending is reported as unknown and the
  chunk is never re-sent; a failing undo call is named.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from zenoo import (
    BatchError,
    ConcurrentUpdateError,
    OdooServerError,
    RetryPolicy,
    RollbackError,
    ServerUnavailableError,
    ZenooClient,
    ZenooConnectionError,
)
from zenoo.writing import running

FAST = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02, max_retry_after=5)
STAMPS = {"write_date", "write_uid", "__last_update", "display_name"}
FAULTS = ["odoo-error", "503", "drop-before", "drop-after"]


@pytest.fixture(params=[17, 19])
def server(request: pytest.FixtureRequest, odoo_server_factory):  # type: ignore[no-untyped-def]
    return odoo_server_factory(version=request.param)


async def _login(server) -> ZenooClient:  # type: ignore[no-untyped-def]
    admin = server.users["admin"]
    client = ZenooClient(server.url, retry=FAST, circuit_breaker=False)
    await client.login(server.database, admin.login, admin.password)
    return client


async def _snapshot(client: ZenooClient, ids: list[int]) -> list[dict[str, Any]]:
    fields = await client.fields_get("res.partner", attributes=["store"])
    names = sorted(name for name, f in fields.items() if f.get("store") and name not in STAMPS)
    return await client.read("res.partner", ids, names)


def _requests(server, method: str, marker: str) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for r in server.requests if r.method == method and marker in repr(r.params))


def _inject(server, fault: str, method: str) -> None:  # type: ignore[no-untyped-def]
    if fault == "503":
        server.faults.set(error_503_rate=1.0, retry_after=0, methods=[method], count=FAST.max_attempts)
    elif fault.startswith("drop"):
        server.faults.set(drop_rate=1.0, drop_phase=fault.removeprefix("drop-"), methods=[method], count=1)


async def test_a_fault_at_every_step_of_a_transaction_is_rolled_back_or_reported(server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(server)
    async with client:
        x, y = await client.bulk_create("res.partner", [
            {"name": f"{tag}-x", "email": "x@x.test", "color": 1},
            {"name": f"{tag}-y", "function": "Y"},
        ], progress=False)  # fmt: skip
        before = await _snapshot(client, [x, y])

        def steps(marker: str, bad: bool) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
            broken = {"country_id": 999_999_999} if bad else {}
            return [
                ("create", lambda: client.create("res.partner", {
                    "name": f"{marker}-a", "child_ids": [(0, 0, {"name": f"{marker}-kid"})], **broken})),
                ("write", lambda: client.write("res.partner", [x], {"email": f"{marker}@x.test", "color": 7, **broken})),
                ("create", lambda: client.create("res.partner", {"name": f"{marker}-b", **broken})),
                ("write", lambda: client.write("res.partner", [x, y], {"function": marker, **broken})),
            ]  # fmt: skip

        for k in range(4):
            for fault in FAULTS:
                marker = f"{tag}-s{k}-{fault}"
                plan = steps(marker, False)
                method = plan[k][0]
                with pytest.raises((RollbackError, OdooServerError, ServerUnavailableError, ZenooConnectionError)) as info:
                    async with client.transaction() as tx:
                        for step, (_method, run) in enumerate(plan):
                            if step == k:
                                if fault == "odoo-error":
                                    run = steps(marker, True)[k][1]
                                _inject(server, fault, method)
                            await run()
                server.faults.clear()
                where = f"step {k} ({method}), {fault}"
                unknown_create = method == "create" and fault.startswith("drop")
                # a write whose answer never came, found not to have run (yet): it may still land
                pending_write = method == "write" and fault == "drop-before"
                if unknown_create or pending_write:
                    assert isinstance(info.value, RollbackError), where
                    [op] = info.value.not_undone
                    assert (op.index, op.outcome, op.undo) == (k, "unknown", "unknown"), where
                    assert isinstance(info.value.__cause__, ZenooConnectionError), where
                if pending_write:
                    assert "may still be running on the server" in str(info.value), where
                elif unknown_create:
                    # never sent twice; created once when the drop came after the call ran
                    assert _requests(server, "create", f"{marker}-{'a' if k == 0 else 'b'}") == 1, where
                    left = await client.search("res.partner", [["name", "like", f"{marker}-%"]])
                    assert len(left) == (1 if fault == "drop-after" else 0) + (k == 0 and fault == "drop-after"), where
                    if left:
                        await client.unlink("res.partner", left)
                else:
                    expected = {"odoo-error": OdooServerError, "503": ServerUnavailableError}.get(fault, ZenooConnectionError)
                    assert isinstance(info.value, expected), (where, info.value)
                    assert tx.state == "rolled_back" and all(op.undone for op in tx.operations), (where, tx.operations)
                    assert [op.index for op in tx.operations] == list(range(k + 1)), where
                    faulty = tx.operations[k]
                    ran = fault == "drop-after"  # the write ran: restored; a failed one: nothing to undo
                    assert (faulty.outcome, faulty.undo) == (
                        "unknown" if fault.startswith("drop") else "failed", "undone" if ran else "nothing_to_undo"
                    ), where
                assert await _snapshot(client, [x, y]) == before, where
                assert await client.search_count("res.partner", [["name", "like", f"{marker}-%"]]) == 0, where


@pytest.mark.parametrize("phase", ["before", "after"])
async def test_a_load_dropped_inside_a_transaction_is_undone_by_what_it_sent(  # type: ignore[no-untyped-def]
    server, tag: str, phase: str
) -> None:
    """A load whose answer was lost: the undo compares the server with the import text it sent.
    When it finds the old values (the load had not run), it cannot call that undone: a request
    whose answer never came may still be running on the server."""
    client = await _login(server)
    async with client:
        rows = [{"name": f"{tag}-{i}", "color": 1} for i in range(3)]
        ids = await client.bulk_create("res.partner", rows, progress=False)
        tags = await client.search("res.partner.category", [], limit=2, order="id")
        before = await _snapshot(client, ids)
        server.faults.set(drop_rate=1.0, drop_phase=phase, methods=["load"], count=1)
        with pytest.raises((BatchError, RollbackError)) as info:
            async with client.transaction() as tx:
                await client.bulk_write("res.partner", {
                    i: {"color": n + 5, "function": f"F{n}", "credit_limit": n + 0.5,
                        "category_id": [(6, 0, tags[: n % 3])]}
                    for n, i in enumerate(ids)}, progress=False)  # fmt: skip
        server.faults.clear()
        [op] = tx.operations
        assert (op.method, op.outcome) == ("load", "unknown")
        if phase == "after":
            assert isinstance(info.value, BatchError) and info.value.result.unknown
            assert op.undo == "undone"
        else:
            assert isinstance(info.value, RollbackError) and isinstance(info.value.__cause__, BatchError)
            assert op.undo == "unknown" and "may still be running on the server" in op.detail
        assert await _snapshot(client, ids) == before


async def test_a_failing_undo_call_is_named(server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(server)
    async with client:
        pid = await client.create("res.partner", {"name": f"{tag}-p", "email": "before@x.test"})
        with pytest.raises(RollbackError) as info:
            async with client.transaction():
                made = await client.create("res.partner", {"name": f"{tag}-made"})
                await client.write("res.partner", [pid], {"email": "after@x.test"})
                server.faults.set(error_503_rate=1.0, retry_after=0, methods=["unlink"])  # the undo of the create
                raise KeyError("boom")
        server.faults.clear()
        assert isinstance(info.value.__cause__, KeyError)
        assert [(op.method, op.undo) for op in info.value.operations] == [("create", "undo_failed"), ("write", "undone")]
        assert isinstance(info.value.not_undone[0].error, ServerUnavailableError)
        assert f"#0 res.partner.create({made}) done → undo_failed: ServerUnavailableError" in str(info.value)
        assert (await client.read("res.partner", [pid], ["email"]))[0]["email"] == "before@x.test"
        assert await client.search_count("res.partner", [["id", "=", made]]) == 1  # left, and said so
        await client.unlink("res.partner", [made, pid])


async def test_a_503_on_a_chunk_is_retried_once(server, tag: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(server)
    async with client:
        server.reset_requests()
        server.faults.set(error_503_rate=1.0, retry_after=0, methods=["create"], count=1)
        ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i:02d}"} for i in range(50)],
                                       chunk_size=10, progress=False)  # fmt: skip
        server.faults.clear()
        assert len(ids) == 50 and await client.search_count("res.partner", [["name", "like", f"{tag}-%"]]) == 50
        creates = [r for r in server.requests if r.method == "create"]
        assert sorted(r.status for r in creates) == [200] * 5 + [503] and client.stats.retries == 1
        names = [r["name"] for r in await client.read("res.partner", ids, ["name"])]
        assert names == [f"{tag}-{i:02d}" for i in range(50)]


async def test_requests_rolled_back_for_a_concurrent_update_are_sent_again_alone(server, tag: str) -> None:  # type: ignore[no-untyped-def]
    """Odoo wrote none of a request that met another transaction's update (a load's per-row
    messages, another method's error): it is sent again once the others in flight are done, and
    the rest go one at a time."""
    client = await _login(server)
    async with client:
        ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i:02d}"} for i in range(40)], progress=False)
        server.reset_requests()
        server.faults.set(concurrent_update_rate=1.0, methods=["load"], count=1)
        values = {record_id: {"color": n} for n, record_id in enumerate(ids)}
        result = await client.bulk_write("res.partner", values, chunk_size=10, concurrency=4, progress=False)
        assert [call.state for call in result.calls] == ["done"] * 4
        assert sorted(call.attempts for call in result.calls) == [1, 1, 1, 2]
        loads = [r for r in server.requests if r.method == "load"]
        assert [r.fault for r in loads].count("concurrent-update") == 1 and len(loads) == 5
        assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == list(range(40))
        server.faults.set(concurrent_update_rate=1.0, methods=["write"], count=1)  # a shared write: Odoo's error
        result = await client.bulk_write("res.partner", {i: {"color": 3} for i in ids}, progress=False)
        assert [(call.method, call.state, call.attempts) for call in result.calls] == [("write", "done", 2)]
        assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [3] * 40


async def test_a_request_that_keeps_meeting_concurrent_updates_fails_after_its_tries(  # type: ignore[no-untyped-def]
    server, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(running, "CONCURRENT_UPDATE_WAIT", 0.01)
    client = await _login(server)
    async with client:
        ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i:02d}"} for i in range(4)], progress=False)
        server.reset_requests()
        server.faults.set(concurrent_update_rate=1.0, methods=["load"])
        with pytest.raises(BatchError, match="could not serialize access due to concurrent update") as info:
            await client.bulk_write("res.partner", {i: {"color": n} for n, i in enumerate(ids)}, progress=False)
        server.faults.clear()
        [call] = info.value.result.calls
        assert (call.state, call.attempts) == ("failed", 1 + running.CONCURRENT_UPDATE_TRIES)
        assert isinstance(call.error, ConcurrentUpdateError)
        assert len([r for r in server.requests if r.method == "load"]) == 1 + running.CONCURRENT_UPDATE_TRIES
        assert [r["color"] for r in await client.read("res.partner", ids, ["color"])] == [0] * 4


@pytest.mark.parametrize("phase", ["before", "after"])
async def test_a_chunk_dropped_after_sending_is_unknown_and_never_resent(server, tag: str, phase: str) -> None:  # type: ignore[no-untyped-def]
    client = await _login(server)
    async with client:
        server.reset_requests()
        server.faults.set(drop_rate=1.0, drop_phase=phase, methods=["create"], count=1)
        with pytest.raises(BatchError) as info:
            await client.bulk_create("res.partner", [{"name": f"{tag}-{i:02d}"} for i in range(50)],
                                     chunk_size=10, concurrency=2, progress=False)  # fmt: skip
        server.faults.clear()
        result = info.value.result
        [unknown] = result.unknown
        operation = result.operations[0]
        assert operation.state == "unknown" and len(operation.unknown_rows) == 10
        assert isinstance(unknown.error, ZenooConnectionError) and unknown.error.request_sent
        assert "unknown state were not re-sent" in str(info.value)
        assert "create res.partner: 50 record(s), " in str(info.value)  # then the records by state
        assert "10 unknown" in str(info.value) and "40 done" in str(info.value)
        assert len([r for r in server.requests if r.method == "create"]) == 5  # never re-sent
        on_server = await client.search_count("res.partner", [["name", "like", f"{tag}-%"]])
        assert on_server == (50 if phase == "after" else 40)
        known = [i for i in operation.ids if i is not None]
        assert len(known) == 40
        ids = await client.search("res.partner", [["name", "like", f"{tag}-%"]])
        await client.bulk_unlink("res.partner", ids, progress=False)


async def test_the_progress_bar_counts_every_record(server, tag: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    tqdm_auto = pytest.importorskip("tqdm.auto")
    bars: list[Any] = []

    class Bar:
        def __init__(self, **options: Any) -> None:
            self.options, self.count, self.closed = options, 0, False
            bars.append(self)

        def update(self, n: int) -> None:
            self.count += n

        def close(self) -> None:
            self.closed = True

    monkeypatch.setattr(tqdm_auto, "tqdm", Bar)
    client = await _login(server)
    async with client:
        ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(30)], chunk_size=7)
        await client.bulk_unlink("res.partner", ids, progress=False)
    [bar] = bars
    assert (bar.options["total"], bar.count, bar.closed) == (30, 30, True)
    assert bar.options["desc"] == "res.partner" and bar.options["delay"] == 1.0
