"""Bulk writes and batches on every target: ids in input order, grouping, load ≡ write, atomic mode.

Each scenario creates records named after its ``tag`` and deletes them at the end.
"""

from __future__ import annotations

import datetime as dt
import inspect
import random

import pytest

from zenoo import BatchError, InvalidValueError, OdooServerError, ZenooClient
from zenoo.writing import Batch, BatchResult, CallResult, OperationResult, PendingRecords, bulk


def _sent(client: ZenooClient) -> dict[str, int]:
    return {name: data["requests"] for name, data in client.stats.as_dict()["methods"].items()}


async def test_bulk_create_gives_ids_in_input_order_at_10000_rows(client: ZenooClient, tag: str, cleanup: None) -> None:
    names = [f"{tag}-{i:05d}" for i in range(10_000)]
    random.Random(7).shuffle(names)  # the server's default order (name) must not be what we see
    before = _sent(client).get("create", 0)
    # requests of 1,000 rows: four 2,000-row creates in flight outlasted the read timeout of a real Odoo without workers
    ids = await client.bulk_create("res.partner", [{"name": name} for name in names], chunk_size=1000, progress=False)
    assert len(ids) == len(set(ids)) == 10_000
    assert _sent(client)["create"] - before == 10  # 10,000 rows in 10 requests
    rows = await client.read("res.partner", ids[:50] + ids[-50:], ["name"])
    assert [row["name"] for row in rows] == names[:50] + names[-50:]
    by_name = {row["name"]: row["id"] for row in await client.search_read(
        "res.partner", [["name", "like", f"{tag}-%"]], ["name"])}  # fmt: skip
    assert [by_name[name] for name in names] == ids
    result = await client.bulk_unlink("res.partner", ids, chunk_size=2500, progress=False)
    assert result.ok and len(result.calls) == 4
    assert await client.search_count("res.partner", [["name", "like", f"{tag}-%"]]) == 0


async def test_bulk_create_checks_every_row_before_sending(client: ZenooClient, tag: str, cleanup: None) -> None:
    before = _sent(client).get("create", 0)
    with pytest.raises(InvalidValueError, match="color"):
        await client.bulk_create("res.partner", [{"name": f"{tag}-ok"}] * 5 + [{"name": f"{tag}-bad", "color": "red"}])
    with pytest.raises(InvalidValueError, match="item 1"):
        await client.bulk_create("res.partner", [{"name": f"{tag}-ok"}, ["not", "a", "dict"]])
    with pytest.raises(InvalidValueError, match="chunk_size"):
        await client.bulk_create("res.partner", [{"name": f"{tag}-ok"}], chunk_size=0)
    assert _sent(client).get("create", 0) == before
    assert await client.search_count("res.partner", [["name", "like", f"{tag}%"]]) == 0


async def test_a_failing_chunk_is_reported_and_the_others_are_created(client: ZenooClient, tag: str, cleanup: None) -> None:
    rows = [{"name": f"{tag}-{i}"} for i in range(30)]
    rows[17] = {"name": f"{tag}-17", "country_id": 999_999_999}  # no such country: Odoo refuses that chunk
    with pytest.raises(BatchError) as info:
        await client.bulk_create("res.partner", rows, chunk_size=10, progress=False)
    result: BatchResult = info.value.result
    operation = result.operations[0]
    assert operation.state == "partial" and operation.failed_rows == list(range(10, 20))
    assert operation.unknown_rows == []
    ids = operation.ids
    assert ids[10:20] == [None] * 10 and all(isinstance(i, int) for i in ids[:10] + ids[20:])
    names = {r["id"]: r["name"] for r in await client.read("res.partner", [i for i in ids if i], ["name"])}
    assert [names[i] for i in ids[:10] + ids[20:]] == [r["name"] for r in rows[:10] + rows[20:]]
    assert "rows 10..19 failed" in str(info.value)


async def test_bulk_write_groups_identical_values_and_loads_distinct_ones(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(40)], progress=False)
    before = _sent(client)
    same = await client.bulk_write("res.partner", {i: {"function": "Buyer", "color": 3} for i in ids[:30]})
    assert [call.method for call in same.calls] == ["write"] and same.calls[0].ids == ids[:30]
    distinct = await client.bulk_write("res.partner", {i: {"function": f"F{n}", "color": n % 7} for n, i in enumerate(ids)})
    assert [call.method for call in distinct.calls] == ["load"]
    after = _sent(client)
    assert after["write"] - before.get("write", 0) == 1 and after["load"] - before.get("load", 0) == 1
    rows = await client.read("res.partner", ids, ["function", "color"])
    assert [(r["function"], r["color"]) for r in rows] == [(f"F{n}", n % 7) for n in range(40)]
    by_write = await client.bulk_write("res.partner", {i: {"function": f"W{n}"} for n, i in enumerate(ids[:3])}, via="write")
    assert [call.method for call in by_write.calls] == ["write"] * 3


async def test_only_ten_or_more_identical_values_share_a_write_and_what_fits_one_request_is_one(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    """A write of its own costs a request: pairs of identical values go by load with the rest, and
    rows that fit in one request go as one (Odoo's own transaction)."""
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(40)], progress=False)
    pairs = {i: {"color": n // 2} for n, i in enumerate(ids[:20])}
    result = await client.bulk_write("res.partner", pairs, progress=False)
    assert [(call.method, len(call.rows)) for call in result.calls] == [("load", 20)]
    # above one request: twelve records of one value share a write, the pair and the rest load
    values = {i: {"color": 9} if n < 12 else {"color": 8} if n < 14 else {"color": n} for n, i in enumerate(ids)}
    result = await client.bulk_write("res.partner", values, chunk_size=30, progress=False)
    assert sorted((call.method, len(call.rows)) for call in result.calls) == [("load", 28), ("write", 12)]
    rows = await client.read("res.partner", ids, ["color"])
    assert [r["color"] for r in rows] == [values[i]["color"] for i in ids]
    # values load cannot take still share a write: thirty empty strings and one other value
    empty = {i: {"function": ""} for i in ids[:30]} | {ids[30]: {"function": "Solo"}}
    result = await client.bulk_write("res.partner", empty, progress=False)
    assert sorted((call.method, len(call.rows)) for call in result.calls) == [("load", 1), ("write", 30)]
    rows = await client.read("res.partner", ids[:31], ["function"])
    assert [r["function"] for r in rows] == [""] * 30 + ["Solo"]


async def test_only_the_values_load_cannot_take_go_by_write(client: ZenooClient, tag: str, cleanup: None) -> None:
    """An empty string (``write`` stores "", ``load`` empty) sent the whole chunk as one write per record."""
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(6)], progress=False)
    values = {i: {"function": f"F{n}" if n != 2 else "", "color": n} for n, i in enumerate(ids)}
    before = _sent(client)
    result = await client.bulk_write("res.partner", values, progress=False)
    assert sorted(call.method for call in result.calls) == ["load", "write"]
    assert [call.rows for call in result.calls if call.method == "write"] == [range(2, 3)]
    after = _sent(client)
    assert after["write"] - before.get("write", 0) == 1 and after["load"] - before.get("load", 0) == 1
    rows = await client.read("res.partner", ids, ["function", "color"])
    assert [(r["function"], r["color"]) for r in rows] == [(f"F{n}" if n != 2 else "", n) for n in range(6)]


async def test_load_writes_exactly_what_write_writes(client: ZenooClient, tag: str, cleanup: None) -> None:
    """The load path of bulk_write stores, for every type it takes, the value write would store."""
    country = (await client.search("res.country", [["code", "=", "BE"]]))[0]
    tags = await client.search("res.partner.category", [], limit=2, order="id")
    values = [
        {"function": "Head of Ops", "color": 5, "credit_limit": 1234.5, "is_company": True, "type": "invoice",
         "country_id": country, "email": "a@b.test", "category_id": tags},
        {"function": False, "color": 0, "credit_limit": 0.0, "is_company": False, "type": "contact",
         "country_id": False, "email": False, "category_id": []},
        {"function": "Ünïcode, quotes \" and commas", "color": -3, "credit_limit": 0.1, "is_company": True,
         "type": "delivery", "country_id": country, "email": "x@y.test", "category_id": tags[:1]},
    ]  # fmt: skip
    names = list(values[0])
    by_load = await client.bulk_create("res.partner", [{"name": f"{tag}-l{i}"} for i in range(3)], progress=False)
    by_write = await client.bulk_create("res.partner", [{"name": f"{tag}-w{i}"} for i in range(3)], progress=False)
    loaded = await client.bulk_write("res.partner", dict(zip(by_load, values, strict=True)), via="load")
    assert [call.method for call in loaded.calls] == ["load"]
    written = await client.bulk_write("res.partner", dict(zip(by_write, values, strict=True)), via="write")
    assert {call.method for call in written.calls} == {"write"}
    left = await client.read("res.partner", by_load, names)
    right = await client.read("res.partner", by_write, names)
    assert [{k: v for k, v in r.items() if k != "id"} for r in left] == [
        {k: v for k, v in r.items() if k != "id"} for r in right
    ]
    with pytest.raises(InvalidValueError, match="via='load'"):
        await client.bulk_write("res.partner", {by_load[0]: {"function": ""}}, via="load")


async def test_archived_records_are_written_and_restored_like_any_other(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    """``load`` looks each ``.id`` up with a search that leaves archived records out under
    ``active_test``: zenoo sends archived records by ``write``, which takes them (bulk writes,
    batches, a transaction's undo)."""
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}", "active": False} for i in range(3)], progress=False)
    written = await client.bulk_write("res.partner", {i: {"function": f"F{n}"} for n, i in enumerate(ids)}, progress=False)
    assert [call.method for call in written.calls] == ["write"] * 3
    async with client.batch(progress=False) as batch:
        batch.update("res.partner", [{"id": ids[0], "function": "Batched"}])
    assert [r["function"] for r in await client.read("res.partner", ids, ["function"])] == ["Batched", "F1", "F2"]
    with pytest.raises(RuntimeError, match="undo"):
        async with client.transaction():
            await client.write("res.partner", ids[:1], {"function": "Undone"})
            await client.write("res.partner", ids[1:2], {"active": True})
            raise RuntimeError("undo")
    rows = await client.read("res.partner", ids, ["function", "active"])
    assert [(r["function"], r["active"]) for r in rows] == [("Batched", False), ("F1", False), ("F2", False)]


async def test_a_many2many_set_by_load_keeps_its_archived_links_as_write_does(
    client: ZenooClient, tag: str, cleanup: None
) -> None:
    """Odoo's SET changes the links the context shows: write keeps the links to archived tags.
    zenoo's loads leave archived records to write rather than show them to the whole load, which
    would unlink those tags (bulk writes, batches, a transaction's undo)."""
    hidden = await client.create("res.partner.category", {"name": f"{tag}-archived"})
    await client.write("res.partner.category", [hidden], {"active": False})
    t1, t2 = await client.create("res.partner.category", [{"name": f"{tag}-t1"}, {"name": f"{tag}-t2"}])
    try:
        ids = await client.bulk_create("res.partner", [
            {"name": f"{tag}-{i}", "active": i != 0, "category_id": [(6, 0, [hidden, t1])]} for i in range(4)
        ], progress=False)  # fmt: skip
        every = {"active_test": False}

        async def links() -> list[list[int]]:
            rows = await client.read("res.partner", ids, ["category_id"], context=every)
            return [sorted(row["category_id"]) for row in rows]

        sets = [[t2], [t1, t2], [t2], [t1, t2]]
        result = await client.bulk_write("res.partner", {i: {"category_id": [(6, 0, s)]} for i, s in zip(ids, sets)}, progress=False)
        assert {call.method for call in result.calls} == {"load", "write"}  # the archived partner by write
        assert await links() == [sorted([hidden, *s]) for s in sets]
        with pytest.raises(RuntimeError, match="undo"):
            async with client.transaction():
                await client.write("res.partner", ids, {"category_id": [(5, 0, 0)]})
                raise RuntimeError("undo")
        assert await links() == [sorted([hidden, *s]) for s in sets]
    finally:
        await client.unlink("res.partner", await client.search("res.partner", [["name", "like", f"{tag}%"]], context={"active_test": False}))
        await client.unlink("res.partner.category", [hidden, t1, t2])


async def test_load_datetimes_are_sent_in_utc(client: ZenooClient, tag: str, cleanup: None) -> None:
    """load reads datetimes in the context's time zone: bulk_write sends them in UTC and says so."""
    partners = await client.bulk_create("res.partner", [{"name": f"{tag}-dt"}], progress=False)
    orders = await client.bulk_create(
        "sale.order", [{"partner_id": partners[0]}, {"partner_id": partners[0]}], progress=False
    )
    try:
        when = [dt.datetime(2031, 5, 6, 10, 20, 30), dt.datetime(2031, 12, 24, 23, 59, 1)]
        tz_client = client.with_context(tz="Europe/Brussels")
        result = await tz_client.bulk_write("sale.order", {o: {"commitment_date": w} for o, w in zip(orders, when)})
        assert [call.method for call in result.calls] == ["load"]
        rows = await client.read("sale.order", orders, ["commitment_date"])
        assert [r["commitment_date"] for r in rows] == ["2031-05-06 10:20:30", "2031-12-24 23:59:01"]
    finally:
        await client.unlink("sale.order", orders)


async def test_batch_runs_creates_before_what_refers_to_them(client: ZenooClient, tag: str, cleanup: None) -> None:
    existing = await client.bulk_create("res.partner", [{"name": f"{tag}-old{i}"} for i in range(3)], progress=False)
    before = _sent(client)
    async with client.batch(progress=False) as batch:
        contacts = batch.create("res.partner", [{"name": f"{tag}-c1"}, {"name": f"{tag}-c2"}])
        company = batch.create("res.partner", {"name": f"{tag}-co", "is_company": True})
        batch.update("res.partner", {"parent_id": company}, contacts)
        grandchild = batch.create("res.partner", {"name": f"{tag}-gc", "parent_id": company})
        batch.update("res.partner", {"function": "Old"}, existing[:2])
        batch.update("res.partner", [{"id": existing[2], "function": "Other"}])
        batch.delete("res.partner", [existing[0]])
        assert batch.get_operation_count() == 7 and batch.get_record_count() == 10
    result = batch.result
    assert result is not None and result.ok
    after = _sent(client)
    # one create for the 3 independent rows, one for the dependent row; one write of identical
    # values (the contacts' parent), one load for the two distinct updates; one unlink
    assert after["create"] - before.get("create", 0) == 2
    assert [op.kind for op in result.operations] == ["create", "create", "write", "unlink"]
    rows = {r["id"]: r for r in await client.read("res.partner", [*contacts.ids, grandchild.id], ["parent_id"])}
    assert {rows[i]["parent_id"][0] for i in rows} == {company.id}
    assert await client.search_count("res.partner", [["id", "=", existing[0]]]) == 0
    functions = [r["function"] for r in await client.read("res.partner", existing[1:], ["function"])]
    assert functions == ["Old", "Other"]


async def test_a_batch_create_of_no_records_blocks_nothing(client: ZenooClient, tag: str, cleanup: None) -> None:
    pid = await client.create("res.partner", {"name": f"{tag}-p"})
    async with client.batch(progress=False) as batch:
        none = batch.create("res.partner", [])
        batch.create("res.partner", {"name": f"{tag}-child", "child_ids": none})
        batch.update("res.partner", {"function": "Kept"}, [pid])
    assert none.state == "done" and none.ids == [] and batch.result is not None and batch.result.ok
    assert await client.search_count("res.partner", [["name", "=", f"{tag}-child"]]) == 1


async def test_batch_skips_what_refers_to_a_failed_create(client: ZenooClient, tag: str, cleanup: None) -> None:
    with pytest.raises(BatchError) as info:
        async with client.batch(progress=False) as batch:
            bad = batch.create("res.partner", {"name": f"{tag}-bad", "country_id": 999_999_999})
            child = batch.create("res.partner", {"name": f"{tag}-child", "parent_id": bad})
            batch.create("res.partner", {"name": f"{tag}-fine"})
    states = [op.state for op in info.value.result.operations]
    assert states == ["failed", "skipped"]  # one request held "bad" and "fine": Odoo refused both
    assert bad.state == "failed" and child.state == "skipped"
    assert "not sent" in info.value.result.operations[1].calls[0].note
    assert await client.search_count("res.partner", [["name", "like", f"{tag}-%"]]) == 0
    with pytest.raises(Exception, match="did not succeed"):
        _ = child.ids


async def test_atomic_batch_is_one_request_and_all_or_nothing(client: ZenooClient, tag: str, target, cleanup: None) -> None:  # type: ignore[no-untyped-def]
    existing = await client.bulk_create("res.partner", [{"name": f"{tag}-e{i}"} for i in range(2)], progress=False)
    before = _sent(client)

    def fill(batch: Batch) -> PendingRecords:
        made = batch.create("res.partner", [{"name": f"{tag}-a1", "function": "A"}, {"name": f"{tag}-a2", "function": "B"}])
        batch.update("res.partner", [{"id": existing[0], "name": f"{tag}-e0x", "function": "C"}])
        return made

    if target.version and target.version < 19:  # Odoo 17's load takes an empty .id as an error
        with pytest.raises(InvalidValueError, match="before Odoo 19"):
            async with client.batch(atomic=True, progress=False) as batch:
                fill(batch)
        with pytest.raises(OdooServerError, match="invalid input syntax for type integer"):
            await client.call("res.partner", "load", args=([".id", "name"], [["", f"{tag}-raw"]]))
    else:
        async with client.batch(atomic=True, progress=False) as batch:
            made = fill(batch)
        sent = {method: count - before.get(method, 0) for method, count in _sent(client).items()}
        assert {method: count for method, count in sent.items() if count} == {"load": 1, "search": 1}  # + which are archived
        rows = await client.read("res.partner", [*made.ids, existing[0]], ["name", "function"])
        assert [(r["name"], r["function"]) for r in rows] == [(f"{tag}-a1", "A"), (f"{tag}-a2", "B"), (f"{tag}-e0x", "C")]
        # without datetimes the load runs in the caller's context: new records default as create's do
        by_create = await client.create("res.partner", {"name": f"{tag}-c"})
        zones = await client.read("res.partner", [*made.ids, by_create], ["tz"])
        assert len({row["tz"] for row in zones}) == 1, zones
    # creates only: one create request, all or nothing
    async with client.batch(atomic=True, progress=False) as batch:
        three = batch.create("res.partner", [{"name": f"{tag}-c{i}"} for i in range(3)])
    assert len(three.ids) == 3
    # one bad row: the server keeps nothing of the request
    with pytest.raises(BatchError) as info:
        async with client.batch(atomic=True, progress=False) as batch:
            batch.create("res.partner", [{"name": f"{tag}-b1"}, {"name": f"{tag}-b2", "country_id": 999_999_999}])
    assert info.value.result.operations[0].state == "failed"
    with pytest.raises(BatchError) as info:
        async with client.batch(atomic=True, progress=False) as batch:
            batch.update("res.partner", [{"id": existing[1], "name": f"{tag}-b3", "function": "x"}])
            batch.update("res.partner", [{"id": 999_999_999, "name": f"{tag}-b4", "function": "y"}])
    assert [call.method for call in info.value.result.calls] == ["load"]
    assert info.value.result.calls[0].messages  # load's per-row messages
    assert (await client.read("res.partner", [existing[1]], ["name"]))[0]["name"] == f"{tag}-e1"  # untouched
    assert await client.search_count("res.partner", [["name", "like", f"{tag}-b%"]]) == 0
    # children go as x2many commands in the parent's create: one request
    async with client.batch(atomic=True, progress=False) as batch:
        parent = batch.create("res.partner", {"name": f"{tag}-p", "child_ids": [(0, 0, {"name": f"{tag}-pc"})]})
    assert len((await client.read("res.partner", [parent.id], ["child_ids"]))[0]["child_ids"]) == 1


def _writes(client: ZenooClient) -> dict[str, int]:
    return {method: n for method, n in _sent(client).items() if method in ("create", "write", "load", "unlink")}


async def test_atomic_batch_refuses_what_one_request_cannot_do(client: ZenooClient, tag: str) -> None:
    before = _writes(client)
    cases = [
        (lambda b: (b.create("res.partner", {"name": tag}), b.create("res.partner.category", {"name": tag})), "writes on"),
        (lambda b: b.create("res.partner", {"name": tag, "parent_id": b.create("res.partner", {"name": tag})}), "refers"),
        (lambda b: (b.create("res.partner", {"name": tag}), b.delete("res.partner", [1])), "mixes deletes"),
        (lambda b: b.update("res.partner", [{"id": 1, "email": "x"}, {"id": 2, "phone": "y"}]), "different fields"),
    ]  # fmt: skip
    for fill, message in cases:
        with pytest.raises(InvalidValueError, match=message):
            async with client.batch(atomic=True, progress=False) as batch:
                fill(batch)
    assert _writes(client) == before  # refused before anything was sent
    assert await client.search_count("res.partner", [["name", "=", tag]]) == 0


async def test_values_that_only_share_a_hash_are_not_written_together(
    client: ZenooClient, tag: str, cleanup: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(6)], progress=False)
    monkeypatch.setattr(bulk, "hash", lambda _key: 0, raising=False)  # every key collides
    values = [{"function": "A"}, {"function": "B"}, {"function": "A"}, {"function": "C"}, {"function": "A"}, {"function": "B"}]
    result = await client.bulk_write("res.partner", dict(zip(ids, values, strict=True)), progress=False, via="write")
    shared = [call for call in result.calls if len(call.rows) > 1]
    assert [list(call.rows) for call in shared] == [[0, 2, 4]]  # only rows equal to the first one share
    rows = await client.read("res.partner", ids, ["function"])
    assert [r["function"] for r in rows] == [v["function"] for v in values]


async def test_progress_reports_every_record(client: ZenooClient, tag: str, cleanup: None) -> None:
    seen: list[tuple[int, int]] = []
    dicts: list[dict] = []

    async def as_dict(progress: dict) -> None:
        dicts.append(progress)

    await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(25)], chunk_size=10,
                             concurrency=1, progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen == [(10, 25), (20, 25), (25, 25)]
    ids = await client.search("res.partner", [["name", "like", f"{tag}-%"]])
    await client.bulk_unlink("res.partner", ids, chunk_size=20, concurrency=1, progress=as_dict)
    assert [d["completed"] for d in dicts] == [20, 25] and dicts[-1]["percentage"] == 100.0
    with pytest.raises(InvalidValueError, match="progress"):
        await client.bulk_unlink("res.partner", ids, progress="yes")  # type: ignore[arg-type]
    printed: list[tuple[int, int]] = []

    class Uninspectable:  # like print: Python cannot read its signature; it gets (done, total)
        __signature__ = "not a signature"

        def __call__(self, *args: int) -> None:
            printed.append(args)  # type: ignore[arg-type]

    with pytest.raises((ValueError, TypeError)):
        inspect.signature(Uninspectable())
    again = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(25)], progress=False)
    await client.bulk_unlink("res.partner", again, chunk_size=20, concurrency=1, progress=Uninspectable())
    assert printed == [(20, 25), (25, 25)]


async def test_a_failing_progress_callback_is_logged_and_the_ids_come_back(
    client: ZenooClient, tag: str, cleanup: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The records are created whatever the callback does: its error must not take their ids away."""
    told: list[int] = []

    def broken(done: int, total: int) -> None:
        told.append(done)
        raise ValueError("a bug in the callback")

    ids = await client.bulk_create("res.partner", [{"name": f"{tag}-{i}"} for i in range(25)], chunk_size=10,
                                   concurrency=1, progress=broken)  # fmt: skip
    assert len(ids) == 25 and sorted(ids) == sorted(await client.search("res.partner", [["name", "like", f"{tag}-%"]]))
    assert told == [10]  # not called again for this operation
    assert any("progress callback" in r.getMessage() and r.exc_info for r in caplog.records)


def test_an_operation_with_nothing_done_is_not_partial() -> None:
    operation = OperationResult("create", "res.partner", 4, calls=[
        CallResult("create", "res.partner", range(0, 2), state="failed"),
        CallResult("create", "res.partner", range(2, 4), state="skipped", note="not sent: the time allowed ran out"),
    ])  # fmt: skip
    assert operation.state == "failed" and operation.ids == [None] * 4
    operation.calls[1].state = "done"
    assert operation.state == "partial"
