"""Transactions on every target: what a rollback undoes, what it leaves and reports, savepoints,
unlinks, the blocking facade.

"Another user" changes records from a fresh context (``asyncio.create_task(..., context=Context())``):
a transaction records every call made in its own context, whatever the client.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from transports import AnswersLate, AnswersWith, LosesAnswer, SlowToAnswer, method_of
from users import internal_user

from zenoo import (
    BatchError,
    Client,
    InvalidValueError,
    ProtocolError,
    RollbackError,
    Transaction,
    TransactionError,
    ZenooClient,
)
from zenoo.writing.stored import CANNOT_TELL, loaded

T = TypeVar("T")
#: fields Odoo changes on every write: not part of a record's "state"
STAMPS = {"write_date", "write_uid", "__last_update"}
#: the chatter: Odoo logs tracked changes as new messages, which a rollback does not delete (its
#: own writes are undone; the log of them stays, see docs/writing.md)
CHATTER = ("message_", "website_message_ids")


class Boom(Exception):
    pass


async def outside(awaitable: Awaitable[T]) -> T:
    """Run ``awaitable`` as another user would: outside any transaction's context."""
    return await asyncio.create_task(_run(awaitable), context=contextvars.Context())


async def _run(awaitable: Awaitable[T]) -> T:
    return await awaitable


class MeddlesAfter(httpx.AsyncBaseTransport):
    """Runs ``meddle`` (another user's change) once, right after the first JSON-RPC call of
    ``method`` answered: before anything the caller does next."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, meddle: Any) -> None:
        self.inner, self.method, self.meddle = inner, method, meddle

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if method_of(request) == self.method and self.meddle is not None:
            meddle, self.meddle = self.meddle, None
            await outside(meddle())
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def snapshot(client: ZenooClient, model: str, ids: list[int]) -> list[dict[str, Any]]:
    """Every stored field of the records, as read."""
    fields = await client.fields_get(model, attributes=["store", "type"])
    names = sorted(
        n for n, f in fields.items()
        if f.get("store") and n not in STAMPS and not n.startswith(CHATTER) and f["type"] != "binary"
    )  # fmt: skip
    return await client.read(model, ids, names)


async def test_a_failing_block_undoes_creates_and_writes_field_by_field(client: ZenooClient, tag: str, cleanup: None) -> None:
    existing = await client.bulk_create("res.partner", [
        {"name": f"{tag}-a", "email": "a@x.test", "color": 1, "function": "Old"},
        {"name": f"{tag}-b", "email": "b@x.test", "color": 2},
    ], progress=False)  # fmt: skip
    before = await snapshot(client, "res.partner", existing)
    with pytest.raises(Boom):
        async with client.transaction() as tx:
            company = await client.create("res.partner", {
                "name": f"{tag}-co", "is_company": True,
                "child_ids": [(0, 0, {"name": f"{tag}-kid1"}), (0, 0, {"name": f"{tag}-kid2"})],
            })  # fmt: skip
            await client.write("res.partner", existing, {"parent_id": company, "function": "New"})
            await client.write("res.partner", [existing[0]], {"email": "changed@x.test", "color": 9})
            await client.bulk_create("res.partner", [{"name": f"{tag}-bulk{i}"} for i in range(5)], chunk_size=2, progress=False)
            await client.bulk_write("res.partner", {existing[0]: {"function": "Bulk"}, existing[1]: {"function": "Other"}})
            raise Boom
    assert tx.state == "rolled_back"
    assert [op.undo for op in tx.operations] and all(op.undone for op in tx.operations)
    assert await snapshot(client, "res.partner", existing) == before
    assert await client.search_count("res.partner", [["name", "like", f"{tag}-%"]], {"active_test": False}) == 2


async def test_undoing_a_create_tells_records_deleted_by_someone_else_from_those_its_unlink_took(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    """An order created with a line goes with that line (ondelete cascade): the undo does not call the
    line "already gone". A record someone else deleted meanwhile is."""
    [product] = await client.search("product.product", [], limit=1)
    customer = await client.create("res.partner", {"name": f"{tag}-customer"})
    try:
        with pytest.raises(Boom):
            async with client.transaction() as tx:
                order = await client.create("sale.order", {"partner_id": customer, "order_line": [
                    (0, 0, {"product_id": product, "product_uom_qty": 2})]})  # fmt: skip
                partners = await client.create("res.partner", [{"name": f"{tag}-{i}"} for i in range(2)])
                await outside(client.unlink("res.partner", partners[:1]))
                raise Boom
        created_order, created_partners = tx.operations
        assert (created_order.undo, created_order.detail) == ("undone", "deleted")
        assert (created_partners.undo, created_partners.detail) == ("undone", "deleted (1 record(s) were already gone)")
        assert await client.search("sale.order", [["id", "=", order]]) == []
        assert await client.search("sale.order.line", [["order_id", "=", order]]) == []
        assert await client.search("res.partner", [["id", "in", partners]], context={"active_test": False}) == []
    finally:
        await client.unlink("res.partner", [customer])


async def test_a_rollback_tells_its_progress_of_the_records_it_undoes(client: ZenooClient, tag: str, cleanup: None) -> None:
    """A large rollback takes as long as the writes: ``progress`` hears of it, operation by operation."""
    told: list[tuple[int, int, object]] = []
    with pytest.raises(InvalidValueError, match="progress"):
        client.transaction(progress="yes")  # type: ignore[arg-type]
    with pytest.raises(Boom):
        async with client.transaction(progress=lambda done, total, request: told.append((done, total, request))):
            ids = await client.create("res.partner", [{"name": f"{tag}-{i}"} for i in range(3)])
            await client.write("res.partner", ids[:1], {"function": "Undone"})
            raise Boom
    assert told == [(1, 4, None), (4, 4, None)]  # the write's record, then the three created
    assert await client.search_count("res.partner", [["name", "like", f"{tag}-%"]], {"active_test": False}) == 0


async def test_a_record_changed_by_someone_else_is_left_and_reported(client: ZenooClient, tag: str, cleanup: None) -> None:
    pid = await client.create("res.partner", {"name": f"{tag}-p", "email": "old@x.test", "phone": "1"})
    with pytest.raises(RollbackError) as info:
        async with client.transaction():
            await client.write("res.partner", [pid], {"email": "ours@x.test", "phone": "2"})
            await outside(client.write("res.partner", [pid], {"email": "theirs@x.test"}))
            raise Boom
    assert isinstance(info.value.__cause__, Boom)
    [op] = info.value.not_undone
    assert op.undo == "conflict" and f"{pid}.email" in op.detail
    assert f"{pid}.email" in str(info.value)
    row = (await client.read("res.partner", [pid], ["email", "phone"]))[0]
    assert row == {"id": pid, "email": "theirs@x.test", "phone": "1"}  # theirs kept, ours undone


async def test_a_rollback_deletes_only_the_children_its_own_commands_created(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    """A contact someone else moved under the company after the transaction's ``(0, 0, ...)``
    write is theirs: the rollback deletes the child the write created, not that contact."""
    older = await client.create("res.partner", {"name": f"{tag}-older"})
    company = await client.create("res.partner", {"name": f"{tag}-co", "is_company": True})
    with pytest.raises(Boom):
        async with client.transaction() as tx:
            await client.write("res.partner", [company], {"child_ids": [(0, 0, {"name": f"{tag}-kid"})]})
            await outside(client.write("res.partner", [older], {"parent_id": company}))
            raise Boom
    assert [op.undo for op in tx.operations] == ["undone"]
    assert (await client.read("res.partner", [company], ["child_ids"]))[0]["child_ids"] == [older]
    assert not await client.search("res.partner", [["name", "=", f"{tag}-kid"]], context={"active_test": False})


async def test_children_added_by_someone_else_during_the_write_are_left_and_reported(
    target, client: ZenooClient, tag: str, cleanup: None  # type: ignore[no-untyped-def]
) -> None:
    """Someone adds a contact to the company between the transaction's write and its read right
    after: zenoo cannot tell which new child is its own, so it deletes neither and says so."""
    company = await client.create("res.partner", {"name": f"{tag}-co", "is_company": True})

    async def add_theirs() -> None:
        await client.create("res.partner", {"name": f"{tag}-theirs", "parent_id": company})

    transport = MeddlesAfter(target.transport or httpx.AsyncHTTPTransport(), "write", add_theirs)
    async with ZenooClient(target.url, transport=transport) as meddled:
        await target.log_in(meddled, "password")
        with pytest.raises(RollbackError) as info:
            async with meddled.transaction():
                await meddled.write("res.partner", [company], {"child_ids": [(0, 0, {"name": f"{tag}-kid"})]})
                raise Boom
    [op] = info.value.not_undone
    assert op.undo == "unknown" and "child_ids" in op.detail
    children = await client.read("res.partner", (await client.read("res.partner", [company], ["child_ids"]))[0]["child_ids"], ["name"])
    assert sorted(row["name"] for row in children) == [f"{tag}-kid", f"{tag}-theirs"]


@pytest.mark.parametrize("case", ["create", "create, one bare id", "load"])
async def test_a_create_answered_with_other_records_ids_does_not_delete_them(  # type: ignore[no-untyped-def]
    target, client: ZenooClient, tag: str, cleanup: None, case: str
) -> None:
    """A create (or a load of a new row) whose answer names other partners (a proxy or an override
    answering something else: two ids, or a bare id where a list of one was due): the rollback must
    not delete them; the create is reported as one that may have run."""
    others = [await client.create("res.partner", {"name": f"{tag}-other-{i}"}) for i in range(2)]
    method = case.split(",")[0]
    answer = {"create": others, "create, one bare id": others[0], "load": {"ids": others, "messages": []}}[case]
    transport = AnswersWith(target.transport or httpx.AsyncHTTPTransport(), method, answer)
    async with ZenooClient(target.url, transport=transport) as odd:
        await target.log_in(odd, "password")
        with pytest.raises(RollbackError, match="look for them by their values") as info:
            async with odd.transaction():
                if method == "create":
                    await odd.create("res.partner", {"name": f"{tag}-new"})
                await odd.call("res.partner", "load", args=(["name"], [[f"{tag}-new"]]))
                raise Boom
    if method == "create":  # create() itself refused the answer
        assert isinstance(info.value.__cause__, ProtocolError)
        assert "for 1 record(s): it ran on the server, but which records it made is not known" in str(info.value.__cause__)
    [op] = info.value.operations
    assert (op.outcome, op.undo, op.ids) == ("unknown", "unknown", [])
    assert sorted(await client.search("res.partner", [["id", "in", others]])) == sorted(others)
    assert await client.search_count("res.partner", [["name", "=", f"{tag}-new"]]) == 1  # it ran: left, and said


async def test_a_load_whose_answer_was_lost_is_undone(target, client: ZenooClient, tag: str, cleanup: None) -> None:  # type: ignore[no-untyped-def]
    """bulk_write's distinct values go by load; when its answer is lost the load may have run: the
    rollback reads the records and restores the fields that hold what the load sent."""
    user = (await client.search("res.users", [["login", "=", target.login]]))[0]
    ids = await client.bulk_create("res.partner", [
        {"name": f"{tag}-a", "function": "Old", "color": 1},
        {"name": f"{tag}-b", "function": "Older", "color": 2, "type": "invoice"},
    ], progress=False)  # fmt: skip
    before = await snapshot(client, "res.partner", ids)
    transport = LosesAnswer(target.transport or httpx.AsyncHTTPTransport(), "load")
    async with ZenooClient(target.url, transport=transport) as lossy:
        await target.log_in(lossy, "password")
        with pytest.raises(BatchError) as info:
            async with lossy.transaction() as tx:
                await lossy.bulk_write("res.partner", {
                    ids[0]: {"function": "New", "color": 5, "user_id": user, "type": "delivery"},
                    ids[1]: {"function": "Newer", "color": 6, "user_id": False, "type": "contact"},
                }, progress=False)  # fmt: skip
    # the load once (never sent again), then the rollback's restoring loads: one per set of fields
    # restored (b's user_id was already empty)
    assert info.value.result.unknown and transport.sent == 1 + 2
    [op] = tx.operations
    assert (op.method, op.outcome, op.undo) == ("load", "unknown", "undone"), op.detail
    assert tx.state == "rolled_back"
    after = await snapshot(client, "res.partner", ids)
    assert after == before, [{k: (b[k], a[k]) for k in b if a[k] != b[k]} for a, b in zip(after, before, strict=True)]


async def test_a_rollback_writes_distinct_old_values_back_in_one_request(client: ZenooClient, tag: str, cleanup: None) -> None:
    """Thirty records with distinct old values, written by one load: the rollback sends them back
    by one load too, not by one write per record."""
    ids = await client.bulk_create("res.partner", [
        {"name": f"{tag}-{i:02d}", "function": f"old {i}", "color": i % 7} for i in range(30)
    ], progress=False)  # fmt: skip
    before = await snapshot(client, "res.partner", ids)

    def sent() -> dict[str, int]:
        return {m: d["requests"] for m, d in client.stats.as_dict()["methods"].items() if m in ("load", "write")}

    with pytest.raises(RuntimeError, match="stop"):
        async with client.transaction() as tx:
            await client.bulk_write("res.partner", {i: {"function": f"new {n}"} for n, i in enumerate(ids)}, progress=False)
            during = sent()
            raise RuntimeError("stop")
    [op] = tx.operations
    assert op.undo == "undone", op.detail
    after = sent()
    assert (after.get("load", 0) - during.get("load", 0), after.get("write", 0) - during.get("write", 0)) == (1, 0)
    assert await snapshot(client, "res.partner", ids) == before


async def test_a_timed_out_write_that_may_still_land_is_reported_not_called_undone(  # type: ignore[no-untyped-def]
    target, client: ZenooClient, tag: str, cleanup: None
) -> None:
    """A write whose answer did not come in time may still be running on the server. When the
    rollback finds the old values, it cannot call that undone: the request may land after it."""
    [record] = await client.bulk_create("res.partner", [{"name": f"{tag}-a", "function": "Old"}], progress=False)
    transport = AnswersLate(target.transport or httpx.AsyncHTTPTransport(), "write")
    async with ZenooClient(target.url, transport=transport) as late:
        await target.log_in(late, "password")
        with pytest.raises(RollbackError) as info:
            async with late.transaction() as tx:
                await late.write("res.partner", [record], {"function": "New"})
        [op] = tx.operations
        assert (op.method, op.outcome, op.undo) == ("write", "unknown", "unknown"), op.detail
        assert f"{record}.function" in op.detail and "may still be running" in op.detail
        assert "not undo 1 of 1" in str(info.value)
        await transport.land()  # what the rollback warned about: the write lands after it
    assert (await client.read("res.partner", [record], ["function"]))[0]["function"] == "New"


async def _cancelled_in_flight(target: Any, method: str, write: Callable[[ZenooClient], Awaitable[None]]) -> Transaction:
    """Run ``write`` inside a transaction, on a client whose first ``method`` call takes 0.5 s to
    reach the server, and cancel it while that call is in flight; the transaction, rolled back."""
    transport = SlowToAnswer(target.transport or httpx.AsyncHTTPTransport(), method, seconds=0.5)
    async with ZenooClient(target.url, transport=transport) as slow:
        await target.log_in(slow, "password")
        tx = slow.transaction()

        async def write_in_the_transaction() -> None:
            async with tx:
                await write(slow)
                raise AssertionError("not reached: the task is cancelled during the call")

        task = asyncio.create_task(write_in_the_transaction())
        await transport.in_flight.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert tx.state == "rolled_back"
    return tx


async def test_a_transaction_cancelled_mid_write_waits_for_the_answer_then_undoes_it(  # type: ignore[no-untyped-def]
    target, client: ZenooClient, tag: str, cleanup: None
) -> None:
    """Cancelled (Ctrl+C, a cancelled task) while a write is in flight, the transaction waits for
    its answer, since the request may be running on the server already: it then knows what the
    write did and undoes it, instead of reporting a write that could land after the rollback."""
    [record] = await client.bulk_create("res.partner", [{"name": f"{tag}-a", "function": "Old"}], progress=False)

    async def write(slow: ZenooClient) -> None:
        await slow.write("res.partner", [record], {"function": "New"})

    [op] = (await _cancelled_in_flight(target, "write", write)).operations
    assert (op.method, op.outcome, op.undo) == ("write", "done", "undone"), op.detail
    assert (await client.read("res.partner", [record], ["function"]))[0]["function"] == "Old"


async def test_bulk_writes_cancelled_in_flight_are_waited_for_then_undone(  # type: ignore[no-untyped-def]
    target, client: ZenooClient, tag: str, cleanup: None
) -> None:
    """A chunked bulk write (a frame write-back's path) cancelled while its loads are in flight:
    each request already sent is waited for once, then all are undone."""
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}", "color": 1} for i in range(8)], progress=False)

    async def write(slow: ZenooClient) -> None:
        colors = {record: {"color": 2 + n} for n, record in enumerate(ids)}
        await slow.bulk_write("res.partner", colors, chunk_size=2, concurrency=4, progress=False)

    tx = await _cancelled_in_flight(target, "load", write)
    # the held load, and any sent before the cancellation (the others were still reading their snapshots)
    ops = [(op.method, op.outcome, op.undo) for op in tx.operations]
    assert ops and set(ops) == {("load", "done", "undone")}, ops
    assert {row["color"] for row in await client.read("res.partner", ids, ["color"])} == {1}


async def test_a_write_reads_cannot_show_is_reported_not_called_undone(client: ZenooClient, tag: str, cleanup: None) -> None:
    """A password reads back empty before and after it is changed: the rollback cannot restore it,
    and says so instead of counting the write as undone."""
    user = await client.create("res.users", {"name": f"{tag}-user", "login": f"{tag}-user"})
    try:
        with pytest.raises(RollbackError) as info:
            async with client.transaction():
                await client.write("res.users", [user], {"password": f"{tag}-Secret-1", "name": f"{tag}-user2"})
                raise Boom
        [op] = info.value.not_undone
        assert op.undo == "irreversible" and f"{user}.password" in op.detail and "restored 1 field value" in op.detail
        assert f"{tag}-Secret-1" not in f"{info.value} {info.value.operations!r} {op!r}"  # the new password
        assert (await client.read("res.users", [user], ["name"]))[0]["name"] == f"{tag}-user"
    finally:
        await client.unlink("res.users", [user])


async def test_savepoints_undo_only_what_they_cover(client: ZenooClient, tag: str, cleanup: None) -> None:
    async with client.transaction() as tx:
        a = await client.create("res.partner", {"name": f"{tag}-a"})
        async with tx.savepoint():
            await client.write("res.partner", [a], {"function": "kept"})
            with pytest.raises(Boom):
                async with tx.savepoint() as inner:
                    await client.create("res.partner", {"name": f"{tag}-b"})
                    await client.write("res.partner", [a], {"function": "undone"})
                    raise Boom
            assert inner.state == "rolled_back" and len(inner.operations) == 2
            with pytest.raises(Boom):
                async with client.transaction() as nested:  # a transaction inside another: a savepoint
                    assert nested.is_nested
                    await client.create("res.partner", {"name": f"{tag}-c"})
                    raise Boom
    assert tx.state == "committed"
    names = {r["name"]: r["function"] for r in await client.search_read("res.partner", [["name", "like", f"{tag}-%"]], ["name", "function"])}
    assert names == {f"{tag}-a": "kept"}
    # the zenoo-rpc form
    async with client.transaction() as tx:
        mark = await tx.create_savepoint("before")
        await client.write("res.partner", [a], {"function": "again"})
        await tx.rollback_to_savepoint(mark)
        await client.write("res.partner", [a], {"phone": "+32"})
    assert (await client.read("res.partner", [a], ["function", "phone"]))[0] == {"id": a, "function": "kept", "phone": "+32"}


async def test_unlinks_are_refused_unless_accepted_and_then_reported(client: ZenooClient, tag: str, cleanup: None) -> None:
    keep = await client.create("res.partner", {"name": f"{tag}-keep"})
    async with client.transaction():
        with pytest.raises(TransactionError, match="allow_unlink"):
            await client.unlink("res.partner", [keep])
        mine = await client.create("res.partner", {"name": f"{tag}-mine"})
        assert await client.unlink("res.partner", [mine]) is True  # its own records: nothing lost
    assert await client.search_count("res.partner", [["id", "=", keep]]) == 1
    gone = await client.create("res.partner", {"name": f"{tag}-gone"})
    with pytest.raises(RollbackError) as info:
        async with client.transaction(allow_unlink=True):
            made = await client.create("res.partner", {"name": f"{tag}-made"})
            await client.unlink("res.partner", [gone])
            raise Boom
    states = [(op.method, op.undo) for op in info.value.operations]
    assert states == [("create", "undone"), ("unlink", "irreversible")]
    assert await client.search_count("res.partner", [["id", "in", [made, gone]]]) == 0


async def test_calls_in_execute_kw_form_are_recorded_as_the_others(client: ZenooClient, tag: str, cleanup: None) -> None:
    """``execute_kw(model, "unlink", [[id]])`` passes its records as the first argument: the unlink
    went through unrefused (and a rollback said nothing of it), the write was left irreversible."""
    keep = await client.create("res.partner", {"name": f"{tag}-keep", "function": "Old"})
    with pytest.raises(Boom):
        async with client.transaction() as tx:
            with pytest.raises(TransactionError, match="allow_unlink"):
                await client.execute_kw("res.partner", "unlink", [[keep]])
            await client.execute_kw("res.partner", "write", [[keep], {"function": "New"}])
            await client.execute("res.partner", "write", [keep], {"function": "Newer"})
            raise Boom
    assert [(op.ids, op.undo) for op in tx.operations] == [([keep], "undone"), ([keep], "undone")]
    assert await client.read("res.partner", [keep], ["function"]) == [{"id": keep, "function": "Old"}]


async def test_a_write_on_no_record_needs_no_undo(client: ZenooClient, tag: str) -> None:
    """``write([], values)`` changes nothing (Odoo answers True): the rollback has nothing to undo,
    where it called the write irreversible and raised RollbackError."""
    async with client.transaction() as tx:
        assert await client.write("res.partner", [], {"function": f"{tag}-nobody"}) is True
        await tx.rollback()
    [op] = tx.operations
    assert (op.method, op.outcome, op.undo) == ("write", "done", "nothing_to_undo")


async def test_a_business_method_is_reported_as_irreversible(client: ZenooClient, tag: str, cleanup: None) -> None:
    """A method other than create/write/unlink (here Odoo's action_archive) has effects zenoo cannot
    know: a rollback undoes the rest and names that call, leaving what it did as it is."""
    kept = await client.create("res.partner", {"name": f"{tag}-kept"})
    with pytest.raises(RollbackError) as info:
        async with client.transaction():
            made = await client.create("res.partner", {"name": f"{tag}-made"})
            await client.call("res.partner", "action_archive", ids=[kept])
            raise Boom
    states = [(op.method, op.undo) for op in info.value.operations]
    assert states == [("create", "undone"), ("action_archive", "irreversible")]
    assert "action_archive" in str(info.value)
    assert await client.search_count("res.partner", [["id", "=", made]], context={"active_test": False}) == 0
    [row] = await client.read("res.partner", [kept], ["active"])
    assert row["active"] is False  # left as the method made it: zenoo does not guess an undo
    await client.call("res.partner", "action_unarchive", ids=[kept])
    assert (await client.read("res.partner", [kept], ["active"]))[0]["active"] is True


async def test_a_record_created_written_and_deleted_in_the_block_rolls_back_cleanly(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    """The write's record is gone when the rollback reaches it, deleted by the block itself: not a
    change by someone else."""
    with pytest.raises(Boom):
        async with client.transaction() as tx:  # unlinking what it created needs no allow_unlink
            made = await client.create("res.partner", {"name": f"{tag}-made"})
            await client.write("res.partner", [made], {"phone": "1"})
            await client.unlink("res.partner", [made])
            raise Boom
    assert [op.undo for op in tx.operations] == ["undone", "nothing_to_undo", "nothing_to_undo"]
    assert "records this transaction deleted afterwards" in tx.operations[1].detail
    assert await client.search_count("res.partner", [["id", "=", made]]) == 0


async def test_an_undo_that_fails_is_named(client: ZenooClient, tag: str, cleanup: None) -> None:
    """The company a contact belonged to is deleted by someone else meanwhile: restoring the
    contact's parent fails, and the RollbackError names that write."""
    old, new, contact = await client.bulk_create(
        "res.partner", [{"name": f"{tag}-old"}, {"name": f"{tag}-new"}, {"name": f"{tag}-contact"}], progress=False
    )
    await client.write("res.partner", [contact], {"parent_id": old})
    with pytest.raises(RollbackError) as info:
        async with client.transaction():
            made = await client.create("res.partner", {"name": f"{tag}-made"})
            await client.write("res.partner", [contact], {"parent_id": new})
            await outside(client.unlink("res.partner", [old]))
            raise Boom
    assert isinstance(info.value.__cause__, Boom)
    assert [op.undo for op in info.value.operations] == ["undone", "undo_failed"]
    [failed] = info.value.not_undone
    assert failed.method == "write" and failed.error is not None
    assert f"#1 res.partner.write({contact})" in str(info.value) and "undo_failed" in str(info.value)
    assert await client.search_count("res.partner", [["id", "=", made]]) == 0


async def test_commit_keeps_and_rollback_on_demand(client: ZenooClient, tag: str, cleanup: None) -> None:
    manager = await client.setup_transaction_manager()
    async with client.transaction() as tx:
        kept = await client.create("res.partner", {"name": f"{tag}-kept"})
    assert tx.state == "committed" and manager.successful_transactions == 1
    async with client.transaction() as tx:
        await client.create("res.partner", {"name": f"{tag}-dropped"})
        await tx.rollback()
    async with client.transaction(auto_commit=False):
        await client.create("res.partner", {"name": f"{tag}-not-committed"})
    assert manager.failed_transactions == 2
    names = [r["name"] for r in await client.search_read("res.partner", [["name", "like", f"{tag}-%"]], ["name"])]
    assert names == [f"{tag}-kept"] and kept
    with pytest.raises(TransactionError, match="nothing to retry: transaction .* is rolled_back"):
        await tx.rollback()


async def test_values_seeded_just_before_a_write_spare_its_read(client: ZenooClient, tag: str, cleanup: None) -> None:
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}", "color": 1} for i in range(3)], progress=False)

    def reads() -> int:
        return int(client.stats.as_dict()["methods"].get("read", {}).get("requests", 0))

    async with client.transaction() as tx:
        tx.seed_before("res.partner", await client.read("res.partner", ids, ["color"]))
        before = reads()
        await client.write("res.partner", ids, {"color": 5})
        assert reads() - before == 1  # only the read after the write
        await client.write("res.partner", ids, {"color": 6})  # a seed serves one write
        await client.write("res.partner", ids, {"function": "F"})
        tx.seed_before("res.partner", await client.read("res.partner", ids, ["color"]))
        await client.write("res.partner", ids, {"color": 7, "function": "G"})  # the seed lacks function: read
        assert reads() - before == 1 + 2 + 2 + 1 + 2
        await tx.rollback()
    rows = await client.read("res.partner", ids, ["color", "function"])
    assert [(r["color"], r["function"]) for r in rows] == [(1, False)] * 3


async def test_final_writes_leave_the_read_of_what_they_stored_to_a_rollback(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}", "color": 1} for i in range(3)], progress=False)

    def reads() -> int:
        return int(client.stats.as_dict()["methods"].get("read", {}).get("requests", 0))

    async with client.transaction() as tx:
        start = reads()
        with tx.final_writes():
            await client.write("res.partner", ids, {"color": 5})
        assert reads() - start == 1  # the snapshot before it, none after
    assert tx.state == "committed"
    website = f"{tag}.example.com"
    async with client.transaction() as tx:
        await client.write("res.partner", ids[:1], {"function": "F"})  # read after, as usual
        with tx.final_writes():
            await client.write("res.partner", ids, {"color": 6, "website": website})
        # Odoo stores the website with a scheme: no use comparing with what was sent
        assert {r["website"] for r in await client.read("res.partner", ids, ["website"])} == {f"http://{website}"}
        start = reads()
        await tx.rollback()  # raises RollbackError if it cannot tell the write stored the website
        assert reads() - start == 2  # each write's current values, which stand for the final one's after
    rows = await client.read("res.partner", ids, ["color", "function", "website"])
    assert [(r["color"], r["function"], r["website"]) for r in rows] == [(5, False, False)] * 3
    with pytest.raises(TransactionError, match="it is rolled_back"), tx.final_writes():
        pass
    async with client.transaction() as outer, outer.savepoint() as savepoint:
        start = reads()
        with savepoint.final_writes():  # the outer transaction may roll back much later
            await client.write("res.partner", ids, {"color": 7})
        assert reads() - start == 2  # before and after, as usual


def test_the_blocking_client_records_and_undoes_too(target, tag: str) -> None:  # type: ignore[no-untyped-def]
    with Client(target.url) as client:
        client.login(target.database, target.login, target.password)
        pid = client.create("res.partner", {"name": f"{tag}-sync", "email": "before@x.test"})
        try:
            with pytest.raises(Boom), client.transaction() as tx:
                client.write("res.partner", [pid], {"email": "after@x.test"})
                client.bulk_create("res.partner", [{"name": f"{tag}-sync-new"}], progress=False)
                with pytest.raises(Boom), tx.savepoint():
                    client.write("res.partner", [pid], {"phone": "9"})
                    raise Boom
                with tx.final_writes():
                    client.write("res.partner", [pid], {"website": f"{tag}.example.com"})
                assert not tx.operations[-1].after  # read by the rollback instead
                raise Boom
            assert tx.state == "rolled_back" and len(tx.operations) == 4
            assert client.read("res.partner", [pid], ["email", "phone", "website"]) == [
                {"id": pid, "email": "before@x.test", "phone": False, "website": False}
            ]
            assert client.search_count("res.partner", [["name", "=", f"{tag}-sync-new"]]) == 0
            with client.batch(progress=False) as batch:
                made = batch.create("res.partner", [{"name": f"{tag}-sync-b{i}"} for i in range(3)])
                batch.update("res.partner", {"function": "B"}, [pid])
            assert batch.result is not None and batch.result.ok and len(made.ids) == 3
        finally:
            ids = client.search("res.partner", [["name", "like", f"{tag}-sync%"]])
            client.unlink("res.partner", ids)


@pytest.mark.parametrize(("meta", "column", "cell", "in_utc", "expected"), [
    ({"type": "char"}, "function", "Chef", True, "Chef"),
    ({"type": "integer"}, "color", "", True, False),
    ({"type": "float"}, "credit_limit", "2.5", True, 2.5),
    ({"type": "boolean"}, "is_company", "Yes", True, True),
    ({"type": "boolean"}, "is_company", "maybe", True, CANNOT_TELL),
    ({"type": "selection", "selection": [["invoice", "Invoice Address"]]}, "type", "invoice", True, "invoice"),
    ({"type": "selection", "selection": [["invoice", "Invoice Address"]]}, "type", "Invoice Address", True, CANNOT_TELL),
    ({"type": "datetime"}, "date_order", "2024-03-01 10:00:00", True, "2024-03-01 10:00:00"),
    ({"type": "datetime"}, "date_order", "2024-03-01 10:00:00", False, CANNOT_TELL),  # the user's time zone
    ({"type": "many2one"}, "country_id/.id", "21", True, 21),
    ({"type": "many2one"}, "country_id", "Belgium", True, CANNOT_TELL),  # a name Odoo looks up
    ({"type": "many2many"}, "category_id/.id", "3,4", True, [(6, 0, [3, 4])]),
    ({"type": "many2many"}, "category_id/.id", "", True, [(6, 0, [])]),
    ({"type": "html"}, "comment", "<p>x</p>", True, CANNOT_TELL),
])  # fmt: skip
def test_a_load_cell_is_read_back_only_where_odoo_s_conversion_is_certain(
    meta: dict[str, Any], column: str, cell: str, in_utc: bool, expected: Any
) -> None:
    assert loaded(meta, column, cell, in_utc) == expected


async def test_a_write_that_moved_a_record_out_of_the_calls_companies_is_undone(target, client, tag):
    """A user of two companies, in a view naming one, moves a partner to the other: Odoo's
    multi-company rule then hides it from that view, so the rollback undoes it with every company
    of the user (which it reads under no company restriction: the view's hides the other)."""
    me = (await client.read("res.users", [client.uid], ["company_id", "company_ids"]))[0]
    home = me["company_id"][0]
    other = next(company for company in me["company_ids"] if company != home)
    async with internal_user(target, client, ("group_user", "group_partner_manager")) as user:
        was = (await client.read("res.users", [user.uid], ["company_id", "company_ids"]))[0]
        await client.write("res.users", [user.uid], {"company_ids": [(6, 0, [home, other])], "company_id": home})
        partner = await client.create("res.partner", {"name": tag, "company_id": home})
        try:
            view = user.with_context(allowed_company_ids=[home])
            with pytest.raises(RuntimeError, match="roll back"):
                async with view.transaction():
                    await view.write("res.partner", [partner], {"company_id": other})
                    raise RuntimeError("roll back")
            assert (await client.read("res.partner", [partner], ["company_id"]))[0]["company_id"][0] == home
        finally:
            await client.unlink("res.partner", [partner])
            await client.write("res.users", [user.uid], {"company_id": was["company_id"][0],
                                                          "company_ids": [(6, 0, was["company_ids"])]})
