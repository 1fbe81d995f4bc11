"""zenoo-rpc 0.2.4's README and quick-start examples, run as written against the embedded server.

Its query, model and relation examples run unchanged (``from zenoo_rpc…`` imports become
``from zenoo…``). Left out, with the reason: ``client.transaction()`` / ``setup_batch_manager``
(not part of the query layer), ``cache_manager.setup_memory_cache`` (see tests/cache), and the
"complete example", which is not valid Python (a positional ``Q`` after keyword arguments).
Examples that change many records (archive or delete every matching partner) run on a private
server so that the shared one keeps its demo data.

Facts relied on: partner 1 is the main company's partner and has ``company_id`` set; demo
companies exist; countries have names.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from zenoo import Q, ZenooClient
from zenoo.models.common import ResPartner


async def test_readme_fluent_query(client: ZenooClient) -> None:
    partners = (
        await client.model(ResPartner).filter(is_company=True).limit(10).all()
    )  # Single RPC call with type safety!
    assert 0 < len(partners) <= 10
    assert all(isinstance(p, ResPartner) and p.is_company for p in partners)


async def test_readme_quick_start(client: ZenooClient, marker: str) -> None:
    await client.create("res.partner", {"name": f"{marker} Company Ltd", "is_company": True})
    partners = await client.model(ResPartner).filter(is_company=True, name__ilike="company%").limit(10).all()
    for partner in partners:
        print(f"Company: {partner.name} - Email: {partner.email}")
    assert partners and all("company" in p.name.lower() and p.is_company for p in partners)


async def test_readme_lazy_loading(client: ZenooClient) -> None:
    partner = await client.model(ResPartner).get(1)
    company = await partner.company_id  # Loaded on demand
    children = await partner.child_ids.all()  # Lazy collection
    assert company.id == partner.company_id.id and company.name
    assert [child.id for child in children] == partner.child_ids


async def test_quickstart_first_script(embedded: Any) -> None:
    host, port = urlsplit(embedded.url).hostname, urlsplit(embedded.url).port
    # Create client and connect (host and port given apart, as zenoo-rpc's quick start does)
    async with ZenooClient(host, port=port) as client:
        # Authenticate
        await client.login(embedded.database, embedded.login, embedded.password)
        # Fetch companies with type safety
        companies = await client.model(ResPartner).filter(is_company=True).limit(5).all()
        # Print results
        for company in companies:
            print(f"Company: {company.name}")
            if company.email:
                print(f"  Email: {company.email}")
            if company.website:
                print(f"  Website: {company.website}")
    assert len(companies) == 5 and all(isinstance(c, ResPartner) and c.is_company for c in companies)


async def test_quickstart_basic_queries(client: ZenooClient, marker: str) -> None:
    await client.create("res.partner", [
        {"name": f"{marker} Acme Inc", "is_company": True},
        {"name": f"{marker} Other", "is_company": True, "email": "sales@acme.example.com"},
        {"name": f"{marker} Acme person", "is_company": False},
    ])  # fmt: skip
    # Get all active partners
    partners = await client.model(ResPartner).filter(active=True).all()
    assert partners and all(p.active for p in partners)
    # Get partners with email
    partners_with_email = await client.model(ResPartner).filter(email__isnull=False).all()
    assert partners_with_email and all(p.email for p in partners_with_email)
    # Get specific partner by ID
    partner = await client.model(ResPartner).get(1)
    assert partner.id == 1
    # Search with complex conditions
    partners = (
        await client.model(ResPartner)
        .filter(Q(name__ilike="acme%") | Q(email__ilike="%acme%"), is_company=True)
        .all()
    )
    mine = sorted(p.name for p in partners if p.name.startswith(marker))
    assert mine == [f"{marker} Acme Inc", f"{marker} Other"]


async def test_quickstart_create_update_delete_relationships(client: ZenooClient, marker: str) -> None:
    # Create a new partner
    new_partner = await client.model(ResPartner).create(
        {
            "name": f"{marker} New Company",
            "is_company": True,
            "email": "contact@newcompany.com",
            "phone": "+1-555-0123",
        }
    )
    print(f"Created partner with ID: {new_partner.id}")
    assert new_partner.id and new_partner.phone == "+1-555-0123"
    # Update a partner
    partner = await client.model(ResPartner).get(new_partner.id)
    await client.model(ResPartner).update(partner.id, {"email": "newemail@company.com"})
    assert (await client.model(ResPartner).get(partner.id)).email == "newemail@company.com"
    # Relationships
    contact = await client.model(ResPartner).create(
        {
            "name": f"{marker} John Doe",
            "parent_id": new_partner.id,
            "email": "john@company.com",
            "country_id": (await client.search("res.country", [], limit=1))[0],
        }
    )
    partner = await client.model(ResPartner).get(contact.id)
    if partner.country_id:
        country = await partner.country_id
        print(f"Partner is from {country.name}")
        assert country.name == partner.country_id.display_name
    children = await (await client.model(ResPartner).get(new_partner.id)).child_ids.all()
    for child in children:
        print(f"Contact: {child.name}")
    assert [child.id for child in children] == [contact.id]
    # README: update through the record
    await partner.update({"phone": "+1234567890"})
    assert (await client.model(ResPartner).get(contact.id)).phone == "+1234567890"
    # Delete a specific record
    partner_id = contact.id
    await client.model(ResPartner).delete(partner_id)
    assert not await client.model(ResPartner).filter(id=partner_id).exists()


async def test_quickstart_bulk_create(client: ZenooClient, marker: str) -> None:
    partners_data = [
        {"name": f"{marker} Company 1", "is_company": True},
        {"name": f"{marker} Company 2", "is_company": True},
        {"name": f"{marker} Company 3", "is_company": True},
    ]
    partners = await client.model(ResPartner).bulk_create(partners_data)
    assert [p.name for p in partners] == [d["name"] for d in partners_data]


@pytest.fixture
async def private_client(odoo_server_factory: Any) -> AsyncIterator[ZenooClient]:
    server = odoo_server_factory(version=19)
    admin = server.users["admin"]
    async with ZenooClient(server.url) as zc:
        await zc.login(server.database, admin.login, admin.password)
        yield zc


async def test_quickstart_mass_update_and_delete(private_client: ZenooClient) -> None:
    client = private_client
    archived_person = await client.create("res.partner", {"name": "zenoo-test-archived", "active": False})
    targets = await client.model(ResPartner).filter(is_company=True, email__isnull=True).ids()
    # Or update multiple records
    await client.model(ResPartner).filter(is_company=True, email__isnull=True).update({"active": False})
    archived = client.model(ResPartner).with_context(active_test=False).filter(active=False)
    assert set(targets) <= set(await archived.ids())
    # an archived user keeps its partner: Odoo refuses to delete it (res.users.partner_id is ondelete="restrict")
    users = await client.search_read("res.users", [("active", "in", [True, False])], ["partner_id"])
    user_partners = [user["partner_id"][0] for user in users]
    persons = (
        await client.model(ResPartner)
        .with_context(active_test=False)
        .filter(active=False, is_company=False)
        .exclude(id__in=user_partners)
        .ids()
    )
    # Delete multiple records
    await client.model(ResPartner).filter(active=False, is_company=False).exclude(id__in=user_partners).delete()
    assert archived_person in persons
    assert not await client.model(ResPartner).filter(id__in=persons).with_context(active_test=False).exists()
