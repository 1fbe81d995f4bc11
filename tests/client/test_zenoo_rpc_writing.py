"""zenoo-rpc 0.2.4's batch and transaction examples, as its README and API reference write them
(``from zenoo_rpc…`` becomes ``from zenoo…``), checked against what the server holds afterwards.

Where zenoo-rpc only logged, these must do what they say: a rolled-back transaction leaves
nothing, bulk ids come back in input order.
"""

from __future__ import annotations

from typing import Any

import pytest

from zenoo import ZenooClient, atomic
from zenoo.exceptions import BatchExecutionError, TransactionError, TransactionRollbackError
from zenoo.models.common import ResPartner
from zenoo.writing import BatchManager, TransactionManager


async def _names(client: ZenooClient, tag: str) -> list[str]:
    rows = await client.search_read("res.partner", [["name", "like", f"{tag}%"]], ["name"], order="name")
    return [row["name"] for row in rows]


async def test_readme_batch_and_transaction(client: ZenooClient, tag: str, cleanup: None) -> None:
    # Setup batch manager
    await client.setup_batch_manager(max_chunk_size=100)
    # Efficient bulk operations
    async with client.batch() as batch:
        partners_data = [
            {"name": f"{tag} Company 1", "email": "c1@example.com"},
            {"name": f"{tag} Company 2", "email": "c2@example.com"},
        ]
        partners = await batch.create_many(ResPartner, partners_data)
    assert len(partners.ids) == 2
    # Setup transaction manager
    await client.setup_transaction_manager()
    # ACID transactions with rollback (here: compensated, see docs/writing.md)
    async with client.transaction() as tx:
        partner = await client.model(ResPartner).create({"name": f"{tag} Test Company", "email": "test@example.com"})
        # If any error occurs, transaction is automatically rolled back
        await partner.update({"phone": "+1234567890"})
        # Committed automatically on successful exit
    assert tx.state == "committed" and [op.method for op in tx.operations] == ["create", "write"]
    with pytest.raises(ZeroDivisionError):
        async with client.transaction():
            partner = await client.model(ResPartner).create({"name": f"{tag} Rolled Back"})
            await partner.update({"phone": "+1"})
            _ = 1 / 0
    assert await _names(client, tag) == [f"{tag} Company 1", f"{tag} Company 2", f"{tag} Test Company"]


async def test_batch_manager_api_reference(client: ZenooClient, tag: str, cleanup: None) -> None:
    batch_manager = BatchManager(client=client, max_chunk_size=200, max_concurrency=10, timeout=600)
    client_manager = await client.setup_batch_manager(max_chunk_size=2, max_concurrency=2)
    assert client.batch_manager is client_manager and client_manager.max_chunk_size == 2
    async with batch_manager.batch():
        created_ids = await batch_manager.bulk_create(
            model="res.partner",
            records=[{"name": f"{tag} Company A", "email": "a@company.com"},
                     {"name": f"{tag} Company B", "email": "b@company.com"}],
        )
        await batch_manager.bulk_write(
            model="res.partner",
            updates=[{"id": created_ids[0], "data": {"phone": "+1-555-0001"}},
                     {"id": created_ids[1], "data": {"phone": "+1-555-0002"}}],
        )
    more = await client_manager.bulk_create("res.partner", [{"name": f"{tag} C{i}"} for i in range(5)], chunk_size=2)
    assert len(more) == 5
    one = await client_manager.bulk_create("res.partner", {"name": f"{tag} single"})  # one dict is one record
    assert [r["name"] for r in await client.read("res.partner", one, ["name"])] == [f"{tag} single"]
    assert await client_manager.bulk_update("res.partner", {"active": True, "customer_rank": 1}, record_ids=more) is True
    assert await client_manager.bulk_write("res.partner", [{"ids": more[:2], "data": {"function": "F"}}]) is True
    rows = await client.read("res.partner", created_ids + more[:2], ["phone", "function"])
    assert [(r["phone"], r["function"]) for r in rows] == [("+1-555-0001", False), ("+1-555-0002", False), (False, "F"), (False, "F")]
    # Manual batch building
    batch = batch_manager.create_batch("custom-batch-001")
    batch.create("res.partner", [{"name": f"{tag} Company X", "is_company": True},
                                 {"name": f"{tag} Company Y", "is_company": True}])  # fmt: skip
    batch.update("res.partner", {"active": False}, record_ids=more[:3])
    batch.delete("res.partner", more[3:])
    seen: list[tuple[int, int]] = []

    def progress_callback(completed: int, total: int, operation: Any) -> None:
        seen.append((completed, total))

    results = await batch.execute(progress_callback=progress_callback)
    assert results["stats"]["completed_operations"] == 3 and results["stats"]["failed_operations"] == 0
    assert seen[-1] == (7, 7) and batch.get_operation_count() == 3
    assert await client.search_count("res.partner", [["id", "in", more]], {"active_test": False}) == 3
    assert await client_manager.bulk_delete("res.partner", more[:3]) is True
    assert batch_manager.get_stats()["completed_batches"] == 4
    with pytest.raises(BatchExecutionError) as info:
        await client_manager.bulk_create("res.partner", [{"name": f"{tag} bad", "country_id": 999_999_999}])
    assert info.value.result.failed


async def test_batch_context_forms(client: ZenooClient, tag: str, cleanup: None) -> None:
    existing = await client.bulk_create("res.partner", [{"name": f"{tag} E{i}"} for i in range(3)], progress=False)
    await client.setup_batch_manager(max_chunk_size=50, max_concurrency=3)
    async with client.batch() as batch:
        await batch.create("res.partner", [{"name": f"{tag} Batch Company A", "is_company": True}])
        await batch.write_many("res.partner", [
            {"id": existing[0], "values": {"phone": "+1-555-0001"}},
            {"id": existing[1], "values": {"phone": "+1-555-0002"}},
        ])  # fmt: skip
        await batch.update("res.partner", existing[:2], {"function": "Buyer"})  # BatchContext's order
        await batch.unlink("res.partner", existing[2:])
    rows = await client.read("res.partner", existing, ["phone", "function"])
    assert [(r["phone"], r["function"]) for r in rows] == [("+1-555-0001", "Buyer"), ("+1-555-0002", "Buyer")]
    assert f"{tag} Batch Company A" in await _names(client, tag)


async def test_transaction_api_reference(client: ZenooClient, tag: str, cleanup: None) -> None:
    transaction_manager = TransactionManager(client)
    async with transaction_manager.transaction() as tx:
        partner_id = await client.create("res.partner", {"name": f"{tag} Test Company", "email": "test@company.com"})
        await client.write("res.partner", [partner_id], {"phone": "+1-555-0123"})
        assert tx.is_active and not tx.is_nested and len(tx.operations) == 2
    async with transaction_manager.transaction(transaction_id="custom-tx-001", auto_commit=False) as tx:
        await client.write("res.partner", [partner_id], {"phone": "+1-555-9999"})
        await tx.commit()
    assert transaction_manager.successful_transactions == 2
    async with transaction_manager.transaction() as outer_tx:
        company_id = await client.create("res.partner", {"name": f"{tag} Parent Company", "is_company": True})
        async with transaction_manager.transaction() as inner_tx:
            await client.create("res.partner", {"name": f"{tag} Contact Person", "parent_id": company_id})
            await inner_tx.rollback()  # inner transaction rolled back independently
        await client.write("res.partner", [company_id], {"website": "https://company.com"})
    assert outer_tx.state == "committed"
    assert await _names(client, tag) == [f"{tag} Parent Company", f"{tag} Test Company"]
    assert (await client.read("res.partner", [partner_id], ["phone"]))[0]["phone"] == "+1-555-9999"


async def test_atomic_decorator_forms(client: ZenooClient, tag: str, cleanup: None) -> None:
    @atomic
    async def create_partner_with_contacts(client, company_data, contacts_data, _transaction=None):  # type: ignore[no-untyped-def]
        company = await client.create("res.partner", {**company_data, "is_company": True})
        for contact_data in contacts_data:
            await client.create("res.partner", {**contact_data, "parent_id": company})
        assert _transaction is not None and _transaction.is_active
        return company

    @atomic(client)
    async def failing(names: list[str]) -> None:
        for name in names:
            await client.create("res.partner", {"name": name})
        raise LookupError("no")

    company = await create_partner_with_contacts(client, {"name": f"{tag} ACME Corp"}, [{"name": f"{tag} John Doe"}])
    assert isinstance(company, int)
    with pytest.raises(LookupError):
        await failing([f"{tag} x1", f"{tag} x2"])
    assert await _names(client, tag) == [f"{tag} ACME Corp", f"{tag} John Doe"]
    assert TransactionRollbackError.__name__ == "RollbackError"


def test_atomic_refuses_a_plain_function_when_it_decorates_it() -> None:
    """A plain function was taken for the client of ``@atomic(client)``: it became the decorator,
    and calling it failed later naming its argument."""
    with pytest.raises(TransactionError, match=r"coroutine functions \(async def\); .*sync_step is not one"):

        @atomic
        def sync_step(client: ZenooClient) -> None: ...

    with pytest.raises(TransactionError, match="sync_step is not one"):

        @atomic(auto_commit=False)
        def sync_step(client: ZenooClient) -> None: ...
