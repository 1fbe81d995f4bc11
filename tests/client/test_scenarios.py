"""Scenarios run against every target: the embedded server as Odoo 17 and 19, and a real Odoo
when ZENOO_TEST_URL is set. They only rely on records they create themselves."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from zenoo import (
    AccessError,
    AuthenticationError,
    ClientError,
    ConfigurationError,
    DoesNotExist,
    InvalidValueError,
    MethodNotFoundError,
    MissingError,
    NotAuthenticatedError,
    OdooServerError,
    ProtocolNotSupportedError,
    UserError,
    ValidationError,
    ZenooClient,
)

# their subject is not the connection: the embedded servers are reached in-process
pytestmark = pytest.mark.in_process


async def test_login_with_password_uses_jsonrpc(client: ZenooClient, target) -> None:  # type: ignore[no-untyped-def]
    assert client.uid and client.uid > 0
    assert client.api == "jsonrpc"
    assert client.database == target.database and client.username == target.login
    version = client.server_version
    assert version is not None and isinstance(version[0], int)
    if target.version:
        assert version[0] == target.version
    assert repr(client).startswith("ZenooClient(url=")


async def test_api_key_login_picks_json2_on_19(key_client: ZenooClient, target) -> None:  # type: ignore[no-untyped-def]
    expected = "json2" if key_client.server_version[0] >= 19 else "jsonrpc"  # type: ignore[index]
    assert key_client.api == expected
    assert key_client.uid and await key_client.search_count("res.partner", [["id", "=", 1]]) in (0, 1)


async def test_forcing_a_protocol(target) -> None:  # type: ignore[no-untyped-def]
    if not target.api_key:
        pytest.skip("needs an API key")
    async with target.client(api="jsonrpc") as forced_rpc:
        await forced_rpc.login_with_api_key(target.database, target.login, target.api_key)
        assert forced_rpc.api == "jsonrpc"  # an API key works as a password on /jsonrpc
        assert await forced_rpc.search("res.partner", [["id", "=", 0]]) == []
    async with target.client(api="json2") as forced_json2:
        version = (await forced_json2.get_server_version())["server_version_info"][0]
        if version >= 19:
            await forced_json2.login_with_api_key(target.database, target.login, target.api_key)
            assert forced_json2.api == "json2"
            with pytest.raises(ConfigurationError, match="JSON-2 authenticates with an API key"):
                await forced_json2.login(target.database, target.login, target.password)
        else:
            with pytest.raises(ProtocolNotSupportedError, match=r"JSON-2 needs Odoo 19 or later; .* runs Odoo 17"):
                await forced_json2.login_with_api_key(target.database, target.login, target.api_key)


async def test_bad_credentials(target) -> None:  # type: ignore[no-untyped-def]
    wrong = "wrong-" + target.password
    async with target.client() as zc:
        with pytest.raises(AuthenticationError) as info:
            await zc.login(target.database, target.login, wrong)
        assert wrong not in str(info.value) and wrong not in repr(info.value)
        assert target.login in str(info.value) and target.database in str(info.value)
        assert not zc.is_authenticated
        with pytest.raises(AuthenticationError):
            await zc.login_with_api_key(target.database, target.login, "0" * 40)
        with pytest.raises(NotAuthenticatedError, match="call login"):
            await zc.search("res.partner")


async def test_a_database_that_does_not_exist_is_named(target) -> None:  # type: ignore[no-untyped-def]
    """Odoo answers with PostgreSQL's error (or, on JSON-2, a 404 page): zenoo names the database."""
    logins = [("password", target.password)] + ([("api_key", target.api_key)] if target.api_key else [])
    for kind, secret in logins:
        async with target.client() as zc:
            log_in = zc.login if kind == "password" else zc.login_with_api_key
            with pytest.raises(ConfigurationError, match=r"database 'zenoo_no_such_db' does not exist on http") as info:
                await log_in("zenoo_no_such_db", target.login, secret)
            assert secret not in str(info.value) and not zc.is_authenticated


async def test_crud_round_trip(any_client: ZenooClient, tag: str) -> None:
    zc = any_client
    one = await zc.create("res.partner", {"name": f"{tag}-one", "email": "one@example.com"})
    assert isinstance(one, int)
    many = await zc.create("res.partner", [{"name": f"{tag}-two"}, {"name": f"{tag}-three", "is_company": True}])
    assert isinstance(many, list) and len(many) == 2 and all(isinstance(i, int) for i in many)
    assert await zc.create("res.partner", []) == []
    mine = [["name", "=like", f"{tag}-%"]]
    assert await zc.search_count("res.partner", mine) == 3
    assert sorted(await zc.search("res.partner", mine)) == sorted([one, *many])
    rows = await zc.search_read("res.partner", mine, ["name", "is_company"], order="name", limit=2, offset=1)
    assert [r["name"] for r in rows] == [f"{tag}-three", f"{tag}-two"]
    assert set(rows[0]) == {"id", "name", "is_company"}
    assert await zc.write("res.partner", [one], {"email": "new@example.com", "phone": "+32 2 000"}) is True
    [record] = await zc.read("res.partner", one, ["email", "phone"])
    assert record == {"id": one, "email": "new@example.com", "phone": "+32 2 000"}
    assert await zc.unlink("res.partner", many) is True
    assert await zc.read("res.partner", many, ["name"]) == []  # gone ids are left out, as Odoo does
    assert await zc.search_count("res.partner", mine) == 1
    await zc.unlink("res.partner", one)


async def test_read_load_none_and_name_search(any_client: ZenooClient, tag: str) -> None:
    zc = any_client
    [country] = await zc.search_read("res.country", [], ["name"], limit=1, order="id")
    pid = await zc.create("res.partner", {"name": f"{tag} Findable", "country_id": country["id"]})
    try:
        [classic] = await zc.read("res.partner", [pid], ["country_id"])
        [bare] = await zc.read("res.partner", [pid], ["country_id"], load=None)
        assert classic["country_id"] == [country["id"], country["name"]]
        assert bare["country_id"] == country["id"]
        found = await zc.name_search("res.partner", f"{tag} Find", limit=5)
        assert found == [[pid, f"{tag} Findable"]]
    finally:
        await zc.unlink("res.partner", pid)


async def test_fields_get_is_cached_per_client(any_client: ZenooClient) -> None:
    zc = any_client
    first = await zc.fields_get("res.partner", attributes=["type", "string"])
    before = zc.stats.requests
    again = await zc.fields_get("res.partner", attributes=["type", "string"])
    assert zc.stats.requests == before and again == first
    assert first["name"]["type"] == "char" and set(first["name"]) <= {"type", "string"}
    narrow = await zc.fields_get("res.partner", ["name", "country_id"], ["type", "relation"])
    assert set(narrow) == {"name", "country_id"} and narrow["country_id"]["relation"] == "res.country"
    assert zc.stats.requests == before + 1


async def test_read_group_has_one_shape(any_client: ZenooClient, tag: str) -> None:
    zc = any_client
    partners = await zc.create("res.partner", [{"name": f"{tag}-a", "is_company": True}, {"name": f"{tag}-b"}, {"name": f"{tag}-c"}])
    try:
        groups = await zc.read_group(
            "res.partner", [["name", "=like", f"{tag}-%"]], ["is_company"], ["id:count"], order="is_company"
        )
        assert groups == [
            {"is_company": False, "__count": 2, "id:count": 2},
            {"is_company": True, "__count": 1, "id:count": 1},
        ]
        orders = await zc.read_group("sale.order", [], ["partner_id"], ["amount_total:sum"], limit=3,
                                     order="amount_total:sum desc")
        assert orders and set(orders[0]) == {"partner_id", "__count", "amount_total:sum"}
        assert isinstance(orders[0]["partner_id"], list) and len(orders[0]["partner_id"]) == 2
        sums = [g["amount_total:sum"] for g in orders]
        assert sums == sorted(sums, reverse=True)
        months = await zc.read_group("sale.order", [], ["date_order:month"], ["amount_total:sum"], limit=2)
        start, label = months[0]["date_order:month"]
        assert start[:8].count("-") == 2 and isinstance(label, str)  # [range start, label] on both versions
    finally:
        await zc.unlink("res.partner", partners)


async def test_server_errors_map_to_classes(any_client: ZenooClient, tag: str) -> None:
    zc = any_client
    with pytest.raises(MethodNotFoundError):
        await zc.search("no.such.model")
    with pytest.raises(MethodNotFoundError) as unknown:
        await zc.call("res.partner", "no_such_method", kwargs={})
    assert "no_such_method" in unknown.value.message and unknown.value.debug
    with pytest.raises(AccessError, match="Private methods"):
        await zc.call("res.partner", "_compute_display_name", ids=[1])
    with pytest.raises(MissingError) as missing:
        await zc.write("res.partner", [99999999], {"name": "x"})
    assert missing.value.odoo_name == "odoo.exceptions.MissingError"
    parent = await zc.create("res.partner", {"name": f"{tag}-parent", "is_company": True})
    child = await zc.create("res.partner", {"name": f"{tag}-child", "parent_id": parent})
    try:
        with pytest.raises(ValidationError, match="recursive"):
            await zc.write("res.partner", [parent], {"parent_id": child})
    finally:
        await zc.unlink("res.partner", [child, parent])
    # a many2one naming no record: write reads it first (MissingError); create breaks the foreign key
    someone = await zc.create("res.partner", {"name": f"{tag}-someone"})
    with pytest.raises(MissingError, match=r"res\.country\(999999999,\)"):
        await zc.write("res.partner", [someone], {"country_id": 999_999_999})
    await zc.unlink("res.partner", [someone])
    with pytest.raises(ValidationError, match="The operation cannot be completed: (another|Another) model") as fk:
        await zc.create("res.partner", {"name": f"{tag}-nowhere", "country_id": 999_999_999})
    assert "(country_id)" in fk.value.message or "res_partner_country_id_fkey" in fk.value.message
    with pytest.raises(MissingError, match=r"res\.partner\(999999999,\)"):  # a contact reads its parent first
        await zc.create("res.partner", {"name": f"{tag}-orphan", "parent_id": 999_999_999})
    with pytest.raises(OdooServerError) as bad_domain:  # the helpers refuse it before sending: a raw call
        await zc.call("res.partner", "search", kwargs={"domain": [["no_such_field", "=", 1]]})
    assert type(bad_domain.value) is OdooServerError and bad_domain.value.odoo_name == "builtins.ValueError"


async def test_time_zones_are_a_selection_users_inherit_from_their_partner(any_client: ZenooClient, tag: str) -> None:
    zc = any_client
    users = await zc.fields_get("res.users", ["tz", "lang"], ["type", "related", "selection"])
    assert [(users[n]["type"], users[n]["related"]) for n in ("tz", "lang")] == [
        ("selection", "partner_id.tz"),
        ("selection", "partner_id.lang"),
    ]
    zones = [key for key, _label in users["tz"]["selection"]]
    assert {"Europe/Brussels", "America/New_York", "UTC"} <= set(zones) and zones[-1].startswith("Etc/")
    partner_tz = (await zc.fields_get("res.partner", ["tz"], ["selection"]))["tz"]["selection"]
    assert [key for key, _label in partner_tz] == zones
    for tz in ("Asia/Tokyo", False):  # the default is the context's time zone
        defaults = await zc.call("res.partner", "default_get", args=(["tz"],), context={"tz": tz})
        assert defaults == {"tz": tz}
    tokyo = await zc.create("res.partner", {"name": f"{tag}-tokyo"}, context={"tz": "Asia/Tokyo"})
    try:
        assert (await zc.read("res.partner", [tokyo], ["tz"]))[0]["tz"] == "Asia/Tokyo"
        with pytest.raises(InvalidValueError, match="'Mars/Olympus' is not a valid choice for res.partner.tz"):
            await zc.write("res.partner", [tokyo], {"tz": "Mars/Olympus"})
        with pytest.raises(OdooServerError, match=r"Wrong value for res\.partner\.tz: 'Mars/Olympus'"):
            await zc.call("res.partner", "write", ids=[tokyo], args=({"tz": "Mars/Olympus"},))
    finally:
        await zc.unlink("res.partner", [tokyo])


async def test_amounts_are_stored_rounded_to_their_currency_by_write_not_create(any_client: ZenooClient, tag: str) -> None:
    """A monetary amount is rounded to its record's currency (crm.lead: ``company_currency``, the
    company's) when written, by ``write`` and ``load``; ``create`` stores it as given, the new record
    having no currency yet. res.currency describes its rounding."""
    zc = any_client
    described = await zc.fields_get("crm.lead", ["expected_revenue", "company_currency"], ["currency_field", "store"])
    assert described["expected_revenue"]["currency_field"] == "company_currency"
    assert described["company_currency"]["store"] is False
    currency = await zc.fields_get("res.currency", ["rounding", "decimal_places"], ["type", "digits", "depends"])
    assert currency["rounding"]["digits"] == [12, 6]
    assert (currency["decimal_places"]["type"], currency["decimal_places"]["depends"]) == ("integer", ["rounding"])
    lead = await zc.create("crm.lead", {"name": f"{tag}-lead", "expected_revenue": 1234.5678})
    try:
        row = (await zc.read("crm.lead", [lead], ["expected_revenue", "company_currency"]))[0]
        assert row["expected_revenue"] == 1234.5678
        usd = (await zc.read("res.currency", [row["company_currency"][0]], ["rounding", "decimal_places"]))[0]
        assert (usd["rounding"], usd["decimal_places"]) == (0.01, 2)
        await zc.write("crm.lead", [lead], {"expected_revenue": 99.999})
        assert (await zc.read("crm.lead", [lead], ["expected_revenue"]))[0]["expected_revenue"] == 100.0
        answer = await zc.call("crm.lead", "load", args=([".id", "expected_revenue"], [[str(lead), "5.555"]]))
        assert answer["ids"] == [lead]
        assert (await zc.read("crm.lead", [lead], ["expected_revenue"]))[0]["expected_revenue"] == 5.56
    finally:
        await zc.unlink("crm.lead", [lead])


async def test_odd_but_valid_calls_answer_as_odoo_does(any_client: ZenooClient, tag: str) -> None:
    """Raw calls a client may send: a list compared with ``=`` is ``in``, a repeated id is read
    twice, a domain that is not a list is refused, and 19's check_access_rights returns nothing."""
    zc = any_client
    version = zc.server_version[0]  # type: ignore[index]
    ids = await zc.create("res.partner", [{"name": f"{tag}-a"}, {"name": f"{tag}-b"}, {"name": f"{tag}-c"}])
    try:
        for operator, expected in (("=", ids[:2]), ("!=", ids[2:])):
            domain = [["name", "=like", f"{tag}-%"], ["id", operator, ids[:2]]]
            assert sorted(await zc.call("res.partner", "search", args=(domain,))) == expected
        assert sorted(await zc.call("res.partner", "search", args=([["name", "=", [f"{tag}-a", f"{tag}-c"]]],))) == [
            ids[0], ids[2]]
        rows = await zc.call("res.partner", "read", args=([ids[1], ids[1], ids[0]], ["name"]))
        assert [row["id"] for row in rows] == [ids[1], ids[1], ids[0]]
        expected_error = "invalid argument type for domain: None" if version >= 19 else "Domains to normalize"
        with pytest.raises(OdooServerError, match=expected_error):
            await zc.call("res.partner", "search", args=(None,))
        allowed = await zc.call("res.partner", "check_access_rights", args=("read",))
        assert allowed is (None if version >= 19 else True)
        for method, arguments in (("write", [[0], {"name": "x"}]), ("unlink", [[0]])):  # sent as given
            assert await zc.execute_kw("res.partner", method, arguments) is True  # Odoo skips id 0
        await zc.call("res.partner", "toggle_active", ids=ids[:1])
        await zc.call("res.partner", "toggle_active", ids=ids[:2])  # back, and the other archived
        active = {row["id"]: row["active"] for row in await zc.read("res.partner", ids[:2], ["active"])}
        assert active == {ids[0]: True, ids[1]: False}
        if version >= 19:
            with pytest.raises(AccessError, match="Private methods"):
                await zc.call("res.partner", "exists", ids=ids)
            with pytest.raises(MethodNotFoundError):
                await zc.call("res.partner", "name_get", ids=ids[:1])
        else:
            assert await zc.call("res.partner", "exists", ids=[ids[0], 999_999_999]) == [ids[0]]
            assert await zc.call("res.partner", "name_get", ids=ids[:1]) == [[ids[0], f"{tag}-a"]]
    finally:
        await zc.unlink("res.partner", ids)


async def test_domains_with_odd_values_select_what_odoo_selects(client: ZenooClient, tag: str) -> None:
    """Raw domains whose meaning is Odoo's own and changed in 19: a falsy value (0, '') counts as
    no value on 19, a many2one to the model itself walks its tree, a pattern-less like matches
    all, 17 ignores a condition on a field it cannot search."""
    v19 = client.server_version[0] >= 19  # type: ignore[index]
    acme = await client.create("res.partner", {"name": f"{tag}-Acme", "is_company": True, "color": 3, "ref": "R1",
                                               "email": "acme@x.test"})  # fmt: skip
    bob = await client.create("res.partner", {"name": f"{tag}-Bob", "parent_id": acme, "color": 0, "email": "bob@x.test"})
    carl = await client.create("res.partner", {"name": f"{tag}-carl", "parent_id": bob, "color": 0, "ref": "r1"})
    dora = await client.create("res.partner", {"name": f"{tag}-Dora", "color": 5, "email": "DORA@X.TEST"})
    names = {acme: "Acme", bob: "Bob", carl: "carl", dora: "Dora"}
    everyone = ["Acme", "Bob", "Dora", "carl"]
    cases: list[tuple[list[Any], list[str]]] = [
        ([["parent_id", "child_of", acme]], ["Acme", "Bob", "carl"]),
        ([["parent_id", "parent_of", carl]], ["Acme", "Bob", "carl"]),
        ([["color", ">", False]], ["Acme", "Dora"]),
        ([["email", "like", ""]], everyone),
        ([["email", "ilike", False]], everyone),
        ([["email", "not ilike", False]], [] if v19 else ["carl"]),
        ([["color", "=", False]], ["Bob", "carl"] if v19 else []),
        ([["color", "!=", False]], ["Acme", "Dora"] if v19 else everyone),
        ([["ref", "=?", ""]], everyone if v19 else []),
        ([["ref", "<", "S"]], ["Acme", "Bob", "Dora"] if v19 else ["Acme"]),
        ([["ref", ">=", False]], everyone if v19 else []),
        ([["is_company", "=", None]], ["Bob", "Dora", "carl"] if v19 else []),
        ([["display_name", "ilike", "acme"]], ["Acme", "Bob", "carl"] if v19 else everyone),
    ]
    if v19:
        cases += [([["ref", "not =ilike", "r1"]], ["Bob", "Dora"]), ([["name", "==", f"{tag}-Bob"]], ["Bob"])]
    try:
        for domain, expected in cases:
            ids = await client.call("res.partner", "search", args=([["name", "=like", f"{tag}-%"], *domain],))
            assert sorted(names[i] for i in ids) == expected, domain
    finally:
        await client.unlink("res.partner", [carl, bob, acme, dora])


async def test_copy_makes_what_odoo_makes(any_client: ZenooClient, tag: str) -> None:
    """copy(): the stored fields but one2many ones, "(copy)" after a partner's or product's name
    unless the default gives one, an order's lines copied with it; 19 copies several records and
    answers a list, 17 one record and its id."""
    zc = any_client
    v19 = zc.server_version[0] >= 19  # type: ignore[index]
    made: dict[str, list[int]] = {"res.partner": [], "product.template": [], "sale.order": []}

    async def copy(model: str, record: int, **default: Any) -> int:
        answer = await zc.call(model, "copy", ids=[record], kwargs={"default": default} if default else {})
        [new] = answer if v19 else [answer]
        made[model].append(new)
        return int(new)

    company = await zc.create("res.partner", {"name": f"{tag}-co", "is_company": True, "ref": "R9", "color": 4,
                                              "child_ids": [(0, 0, {"name": f"{tag}-kid"})]})  # fmt: skip
    made["res.partner"].append(company)
    try:
        fields = ["name", "ref", "color", "is_company", "child_ids"]
        copied = (await zc.read("res.partner", [await copy("res.partner", company)], fields))[0]
        assert {k: v for k, v in copied.items() if k != "id"} == {
            "name": f"{tag}-co (copy)", "ref": "R9", "color": 4, "is_company": True, "child_ids": []}
        named = await copy("res.partner", company, name=f"{tag}-given")
        assert (await zc.read("res.partner", [named], ["name"]))[0]["name"] == f"{tag}-given"
        product = await zc.create("product.template", {"name": f"{tag}-p", "default_code": f"{tag}-P", "list_price": 3.5})
        made["product.template"].append(product)
        twin = (await zc.read("product.template", [await copy("product.template", product)],
                              ["name", "default_code", "list_price"]))[0]  # fmt: skip
        assert (twin["name"], twin["default_code"], twin["list_price"]) == (f"{tag}-p (copy)", False, 3.5)
        variant = (await zc.search("product.product", [["product_tmpl_id", "=", product]]))[0]
        order = await zc.create("sale.order", {"partner_id": company, "order_line": [
            (0, 0, {"product_id": variant, "product_uom_qty": 2, "price_unit": 10.0})]})  # fmt: skip
        made["sale.order"].append(order)
        again = await copy("sale.order", order)
        first, second = await zc.read("sale.order", [order, again], ["name", "state", "order_line", "amount_untaxed"])
        assert second["name"] != first["name"] and second["state"] == "draft" and second["amount_untaxed"] == 20.0
        assert len(second["order_line"]) == 1 and set(second["order_line"]).isdisjoint(first["order_line"])
        with pytest.raises(MissingError):
            await zc.call("res.partner", "copy", ids=[999_999_999])
        if v19:
            assert len(await zc.call("res.partner", "copy", ids=[company, named])) == 2
        else:
            with pytest.raises(OdooServerError, match="Expected singleton: res.partner"):
                await zc.call("res.partner", "copy", ids=[company, named])
    finally:
        made["res.partner"] += await zc.search("res.partner", [["name", "=like", f"{tag}-%"]])
        await zc.unlink("sale.order", made["sale.order"])
        await zc.unlink("product.template", made["product.template"])
        await zc.unlink("res.partner", sorted(set(made["res.partner"]), reverse=True))


async def test_contacts_share_their_parents_address(client: ZenooClient, tag: str) -> None:
    """A contact takes its parent's address, even over its own; an address written on a partner
    goes down to its contacts (one level); 19 also sends a contact's own address up to its parent;
    an invoice address keeps its own; a company's first contact gives it an address it lacks."""
    v19 = client.server_version[0] >= 19  # type: ignore[index]
    be = (await client.search("res.country", [["code", "=", "BE"]]))[0]
    made: list[int] = []

    async def partner(**values: Any) -> int:
        made.append(await client.create("res.partner", {"name": f"{tag}-{len(made)}", **values}))
        return made[-1]

    async def city(record: int) -> tuple[Any, Any]:
        row = (await client.read("res.partner", [record], ["city", "country_id"]))[0]
        return row["city"], row["country_id"] and row["country_id"][0]

    try:
        acme = await partner(is_company=True, city="Brussels", country_id=be)
        bob = await partner(parent_id=acme)
        carl = await partner(parent_id=bob, city="paris")
        billing = await partner(parent_id=acme, type="invoice", city="Namur")
        assert [await city(i) for i in (bob, carl, billing)] == [("Brussels", be), ("Brussels", be), ("Namur", False)]
        await client.write("res.partner", [acme], {"city": "Ghent"})
        assert [await city(i) for i in (bob, carl, billing)] == [("Ghent", be), ("Brussels", be), ("Namur", False)]
        await client.write("res.partner", [bob], {"city": "Liege"})
        assert await city(acme) == (("Liege", be) if v19 else ("Ghent", be))
        bare = await partner(is_company=True)
        await partner(parent_id=bare, city="Paris")
        assert await city(bare) == ("Paris", False)
    finally:
        await client.unlink("res.partner", made[::-1])


async def test_orders_leads_and_text_behave_as_in_odoo(client: ZenooClient, tag: str) -> None:
    """Text sorts by bytes (Odoo creates its databases with LC_COLLATE 'C') and ilike folds any
    letter's case; a confirmed order cannot be deleted, a customer with one neither (17 deletes a
    customer's draft orders with it); a lead's probability stays within 0-100 and a new lead is an
    opportunity; on 17 a unit price is rounded to the 'Product Price' digits."""
    v19 = client.server_version[0] >= 19  # type: ignore[index]
    words = ["Banana", "_x", "apple", "cherry", "Éclair"]
    made = [await client.create("res.partner", {"name": f"{tag}-{word}"}) for word in words[::-1]]
    try:
        ordered = await client.call("res.partner", "search", args=([["id", "in", made]],), kwargs={"order": "name"})
        assert ordered == made[::-1]
        assert await client.search("res.partner", [["name", "ilike", f"{tag}-éCLAIR"]]) == [made[0]]
    finally:
        await client.unlink("res.partner", made)
    customer = await client.create("res.partner", {"name": f"{tag}-customer"})
    product = await client.create("product.product", {"name": f"{tag}-p"})
    order = await client.create("sale.order", {"partner_id": customer, "order_line": [
        (0, 0, {"product_id": product, "product_uom_qty": 3, "price_unit": 0.333})]})  # fmt: skip
    line = (await client.read("sale.order", [order], ["order_line"]))[0]["order_line"][0]
    amounts = (await client.read("sale.order.line", [line], ["price_unit", "price_subtotal"]))[0]
    assert (amounts["price_unit"], amounts["price_subtotal"]) == ((0.333, 1.0) if v19 else (0.33, 0.99))
    await client.write("sale.order", [order], {"state": "sale"})
    try:
        with pytest.raises(UserError, match="You can not delete a sent quotation or a confirmed sales order"):
            await client.unlink("sale.order", [order])
        with pytest.raises(ValidationError, match="(another|Another) model"):
            await client.unlink("res.partner", [customer])
    finally:
        await client.write("sale.order", [order], {"state": "cancel"})
    if v19:
        with pytest.raises(ValidationError, match="'Sales Order' \\(sale.order\\)"):
            await client.unlink("res.partner", [customer])
        await client.unlink("sale.order", [order])
    await client.unlink("res.partner", [customer])  # 17: with its cancelled order
    assert not await client.search("sale.order", [["id", "=", order]])
    await client.unlink("product.product", [product])
    with pytest.raises(ValidationError, match="between 0% and 100%"):
        await client.create("crm.lead", {"name": f"{tag}-lead", "probability": 150})
    lead = await client.create("crm.lead", {"name": f"{tag}-lead"})
    try:
        assert (await client.read("crm.lead", [lead], ["type"]))[0]["type"] == "opportunity"
    finally:
        await client.unlink("crm.lead", [lead])


async def test_weeks_start_on_sunday_and_are_labelled_as_odoo_labels_them(client: ZenooClient, tag: str) -> None:
    """read_group by week: weeks start on the language's first day (Sunday in en_US); 19 puts the
    last days of December in the next year's week 1, 17 (with the Babel it ships) counts on."""
    v19 = client.server_version[0] >= 19  # type: ignore[index]
    days = ["2026-12-05", "2026-12-06", "2026-12-07", "2026-12-31", "2027-01-03"]
    leads = [await client.create("crm.lead", {"name": f"{tag}-{day}", "date_deadline": day}) for day in days]
    try:
        groups = await client.call("crm.lead", "read_group", args=(
            [["name", "=like", f"{tag}-%"]], ["date_deadline"], ["date_deadline:week"]), kwargs={"lazy": False})
        found = [(g["date_deadline:week"], g["__count"], g["__range"]["date_deadline:week"]["from"]) for g in groups]
        assert found == [
            ("W49 2026", 1, "2026-11-29"),
            ("W50 2026", 2, "2026-12-06"),
            ("W1 2027" if v19 else "W53 2026", 1, "2026-12-27"),
            ("W2 2027" if v19 else "W2 2026", 1, "2027-01-03"),
        ]
    finally:
        await client.unlink("crm.lead", leads)


async def test_web_read_group_of_19_reads_the_first_level_with_counts(client: ZenooClient, tag: str) -> None:
    """Odoo 19's web_read_group groups by the first field only (the others open with a group) and
    counts every group, asked or not."""
    if client.server_version[0] < 19:  # type: ignore[index]
        pytest.skip("Odoo 19's web_read_group")
    made = [await client.create("res.partner", {"name": f"{tag}-{i}", "is_company": i == 0, "color": i})
            for i in range(3)]  # fmt: skip
    try:
        answer = await client.call("res.partner", "web_read_group", kwargs={
            "domain": [["name", "=like", f"{tag}-%"]], "groupby": ["is_company", "color"],
            "aggregates": ["color:sum"]})  # fmt: skip
        groups = sorted((g["is_company"], g["__count"], g["color:sum"]) for g in answer["groups"])
        assert (groups, answer["length"]) == ([(False, 2, 3), (True, 1, 0)], 2)
        assert all("color" not in g for g in answer["groups"])
    finally:
        await client.unlink("res.partner", made)


async def test_fields_get_says_how_fields_sort_and_aggregate(client: ZenooClient, tag: str) -> None:
    """x2many fields do not sort; a stored number sums in grouped reads (``aggregator`` on 19,
    ``group_operator`` on 17), a lead's probability averages, an id has none."""
    v19 = client.server_version[0] >= 19  # type: ignore[index]
    key = "aggregator" if v19 else "group_operator"
    partner = await client.fields_get("res.partner", ["color", "id", "category_id", "child_ids"])
    assert [partner[name].get("sortable") for name in ("category_id", "child_ids")] == [False, False]
    assert (partner["color"].get(key), partner["id"].get(key)) == ("sum", None)
    assert ("groupable" in partner["color"]) is v19
    lead = await client.fields_get("crm.lead", ["probability"])
    assert lead["probability"][key] == "avg"
    leads = [await client.create("crm.lead", {"name": f"{tag}-{p}", "probability": p, "type": "opportunity"})
             for p in (20, 40)]  # fmt: skip
    try:
        [group] = await client.call("crm.lead", "read_group", args=(
            [["id", "in", leads]], ["probability"], ["type"]))  # fmt: skip
        assert group["probability"] == 30
    finally:
        await client.unlink("crm.lead", leads)


async def test_raw_requests_get_the_answers_of_odoo(target, tag: str) -> None:  # type: ignore[no-untyped-def]
    """What a hand-written JSON-RPC or JSON-2 request gets: Python's argument errors counted as Odoo
    counts them, an invalid access mode, a field read that the model has not, a "Name <email>"
    contact; on 19's JSON-2 an empty list as no arguments, a trailing slash, a language not installed."""
    version = target.version or 0
    async with httpx.AsyncClient(base_url=target.url, transport=target.transport) as http:  # type: ignore[arg-type]
        async def rpc(params: dict[str, Any]) -> dict[str, Any]:
            answer = await http.post("/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
            return dict(answer.json())

        async def call(method: str, args: list[Any], model: str = "res.partner") -> dict[str, Any]:
            uid = (await rpc({"service": "common", "method": "login",
                              "args": [target.database, target.login, target.password]}))["result"]  # fmt: skip
            return await rpc({"service": "object", "method": "execute_kw",
                              "args": [target.database, uid, target.password, model, method, args]})  # fmt: skip

        no_args = (await rpc({"service": "common", "method": "version"}))["error"]["data"]
        assert no_args["name"] == "builtins.TypeError"
        assert no_args["message"].endswith("jsonrpc() missing 1 required positional argument: 'args'")
        made = (await call("name_create", [f"{tag} <{tag}@example.com>"]))["result"][0]
        try:
            row = (await call("read", [[made], ["name", "email"]]))["result"][0]
            assert (row["name"], row["email"]) == (tag, f"{tag}@example.com")
            extra = (await call("write", [[made], {"name": tag}, 1]))["error"]["data"]["message"]
            assert extra.endswith("write() takes 2 positional arguments but 3 were given")
            mode = (await call("check_access_rights", ["fly"]))["error"]["data"]
            assert (mode["name"], mode["message"]) == ("builtins.AssertionError", "Invalid access mode")
            unknown = (await call("read", [[made], ["zz_nope"]]))["error"]["data"]["message"]
            assert unknown == f"Invalid field 'zz_nope' on {'' if version >= 19 else 'model '}'res.partner'"
            if version >= 19 and target.api_key:
                headers = {"Authorization": f"bearer {target.api_key}", "X-Odoo-Database": target.database}
                empty = await http.post("/json/2/res.partner/search_count", json=[], headers=headers)
                assert empty.status_code == 422 and "missing a required argument: 'domain'" in empty.text
                slash = await http.post("/json/2/res.partner/search_count/", json={"domain": []}, headers=headers)
                assert slash.status_code == 200 and slash.json() > 0
                french = await http.post("/json/2/res.partner/search_count", headers=headers,
                                         json={"domain": [], "context": {"lang": "fr_FR"}})  # fmt: skip
                assert french.status_code == 422 and "Invalid language code: fr_FR" in french.text
        finally:
            await call("unlink", [[made]])


async def test_required_values_are_refused_as_odoo_refuses_them(any_client: ZenooClient, tag: str) -> None:
    """A contact needs a name (a database constraint), a product variant its template's name."""
    zc = any_client
    for values in ({}, {"name": False, "email": f"{tag}@example.com"}):
        with pytest.raises(ValidationError, match="The operation cannot be completed: Contacts require a name"):
            await zc.call("res.partner", "create", args=([values],))
    partner = await zc.create("res.partner", {"name": f"{tag}-named"})
    try:
        with pytest.raises(ValidationError, match="Contacts require a name"):
            await zc.call("res.partner", "write", ids=[partner], args=({"name": False},))
        company = await zc.call("res.partner", "create", args=({"type": "invoice", "name": False,
                                                                 "parent_id": partner},))  # fmt: skip
        await zc.unlink("res.partner", [company])
    finally:
        await zc.unlink("res.partner", [partner])
    with pytest.raises(ValidationError, match=r"Name.*\(name\)[\s\S]*product\.template|product\.template[\s\S]*\(name\)"):
        await zc.call("product.product", "create", args=({"default_code": f"{tag}-p"},))
    assert not await zc.search("product.product", [["default_code", "=", f"{tag}-p"]])


async def test_bad_input_fails_before_sending(any_client: ZenooClient) -> None:
    zc = any_client
    before = zc.stats.requests
    import decimal

    with pytest.raises(InvalidValueError, match="decimal.Decimal"):  # sent as given: JSON cannot carry it
        await zc.create("res.partner", {"name": "x", "credit_limit": decimal.Decimal("1.5")}, validate_required=False)
    with pytest.raises(InvalidValueError, match="decimal.Decimal"):
        await zc.call("res.partner", "create", args=([{"name": "x", "credit_limit": decimal.Decimal("1.5")}],))
    with pytest.raises(InvalidValueError, match="a dict or a list of dicts"):
        await zc.create("res.partner", "name=x")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="fields must be a list of names"):
        await zc.search_read("res.partner", [], "name")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="invalid model name"):
        await zc.search("res partner")
    with pytest.raises(InvalidValueError, match="limit must be a non-negative int"):
        await zc.search("res.partner", limit=-1)
    with pytest.raises(InvalidValueError, match="invalid aggregate 'amount_total'"):
        await zc.read_group("sale.order", [], ["partner_id"], ["amount_total"])
    for no_record in (0, [3, -5]):  # Odoo would write or delete nothing and answer True
        with pytest.raises(InvalidValueError, match=r"ids must be record ids \(1 or more\), got (0|-5)"):
            await zc.write("res.partner", no_record, {"name": "x"})
        with pytest.raises(InvalidValueError, match="ids must be record ids"):
            await zc.unlink("res.partner", no_record)
        with pytest.raises(InvalidValueError, match="ids must be record ids"):
            await zc.call("res.partner", "action_archive", ids=no_record)
    if zc.api == "json2":
        with pytest.raises(ClientError, match="JSON-2 needs named parameters"):
            await zc.execute_kw("res.partner", "action_archive_all", [[1], True])
    assert zc.stats.requests == before


async def test_lookups_odoo_would_misread_are_refused_before_sending(any_client: ZenooClient) -> None:
    """An ordering against an empty value (19: a PostgreSQL error; 17: nothing or everything), a
    many2one id of 0 (Odoo reads it as empty, 17 and 19 differently) and a datetime for a date field
    (its day could shift in UTC) are refused before anything is sent."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    partners, orders = any_client.model("res.partner"), any_client.model("sale.order")
    await partners.filter(id__gt=0).count(), await orders.filter(id__gt=0).count()  # fields known from here on
    before = any_client.stats.requests
    refused = [
        (partners.filter(id__gt=None), "cannot be compared with '>' to an empty value"),
        (partners.filter(color__gte=None), "cannot be compared with '>=' to an empty value"),
        (partners.filter(parent_id__ne=0), "cannot be compared with id 0: ids start at 1"),
        (partners.filter(parent_id=0), "cannot be compared with id 0"),
        (partners.filter(parent_id__in=[0, 1]), "cannot be compared with id 0"),
        (orders.filter(validity_date__gt=dt.datetime(2027, 1, 5, 8, tzinfo=ZoneInfo("Asia/Tokyo"))),
         r"sale\.order\.validity_date is a date field: got a datetime"),
    ]  # fmt: skip
    for qs, message in refused:
        with pytest.raises(InvalidValueError, match=message):
            await qs.count()
    assert any_client.stats.requests == before
    midnight = dt.datetime(2027, 1, 5)  # a date as pandas holds it: accepted
    assert await orders.filter(validity_date__gt=midnight).count() == await orders.filter(
        validity_date__gt=dt.date(2027, 1, 5)
    ).count()


async def test_a_loop_that_moves_its_records_out_of_the_filter_visits_them_all(
    any_client: ZenooClient, tag: str
) -> None:
    """``async for`` searches the ids first: fixing each record (so it leaves the filter) shifts no page."""
    ids = await any_client.create("res.partner", [{"name": f"{tag}-{i:02d}", "ref": f"{tag}-todo"} for i in range(20)])
    try:
        todo = any_client.model("res.partner").filter(ref=f"{tag}-todo").only("name", "ref").chunk(5)
        visited = []
        async for partner in todo:
            partner.ref = f"{tag}-done"
            await partner.save()
            visited.append(partner.id)
        assert sorted(visited) == sorted(ids) and await todo.count() == 0
    finally:
        await any_client.unlink("res.partner", ids)


async def test_get_of_an_archived_record_says_so(any_client: ZenooClient, tag: str) -> None:
    archived = await any_client.create("res.partner", {"name": f"{tag}-archived", "active": False})
    partners = any_client.model("res.partner")
    try:
        with pytest.raises(DoesNotExist, match=rf"matches id {archived} among active records: an archived"):
            await partners.get(archived)
        assert (await partners.with_context(active_test=False).get(archived)).id == archived
        with pytest.raises(DoesNotExist, match=r"matches id 999999999 that this user can see \(a record rule may hide it: .*allowed_company_ids\)$"):
            await partners.get(999_999_999)
    finally:
        await any_client.unlink("res.partner", [archived])


async def test_with_context_and_execute_kw(any_client: ZenooClient, tag: str) -> None:
    zc = any_client
    pid = await zc.create("res.partner", {"name": f"{tag}-archived", "active": False})
    try:
        domain = [["name", "=", f"{tag}-archived"]]
        assert await zc.search("res.partner", domain) == []
        everything = zc.with_context(active_test=False)
        assert everything.context["active_test"] is False and "active_test" not in zc.context
        assert await everything.search("res.partner", domain) == [pid]
        assert await zc.search("res.partner", domain, context={"active_test": False}) == [pid]
        # zenoo-rpc style calls; positional args are bound to names on JSON-2
        assert await zc.execute_kw("res.partner", "search", [domain], {"context": {"active_test": False}}) == [pid]
        assert await zc.execute_kw("res.partner", "search_count", [domain], context={"active_test": False}) == 1
        assert await zc.execute("res.partner", "read", [pid], ["name"], context={"active_test": False}) == [
            {"id": pid, "name": f"{tag}-archived"}
        ]
        await everything.close()  # a view leaves the shared pool open
        assert await zc.search_count("res.partner", [["id", "=", pid]], context={"active_test": False}) == 1
    finally:
        await zc.unlink("res.partner", pid)


async def test_server_information(client: ZenooClient, target) -> None:  # type: ignore[no-untyped-def]
    info = await client.get_server_version()
    assert info["server_version_info"][0] == client.server_version[0]  # type: ignore[index]
    assert await client.health_check() is True
    if target.embedded:
        assert target.database in await client.list_databases()
    async with ZenooClient("http://127.0.0.1:9") as nothing_there:
        assert await nothing_there.health_check() is False


async def test_fork_runs_on_another_event_loop(any_client: ZenooClient) -> None:
    expected = await any_client.search_count("res.country", [])
    twin = any_client.with_context(active_test=True).fork()
    assert twin.uid == any_client.uid and twin.api == any_client.api
    assert twin.context == {**any_client.context, "active_test": True}
    results: list[object] = []

    def elsewhere() -> None:
        async def work() -> int:
            async with twin:
                return await twin.search_count("res.country", [])

        results.append(asyncio.run(work()))

    thread = threading.Thread(target=elsewhere)
    thread.start()
    await asyncio.to_thread(thread.join)
    assert results == [expected]
    assert await any_client.search_count("res.country", []) == expected  # the original pool is untouched


async def test_context_is_sent_with_every_call(any_client: ZenooClient, target) -> None:  # type: ignore[no-untyped-def]
    """The user's context (from res.users.context_get) and with_context values go with each call."""
    try:
        user_context = await any_client.call("res.users", "context_get")
    except MethodNotFoundError:  # a server without it: the client logged a warning and sends no user context
        user_context = {}
    assert any_client.context == user_context
    if not target.embedded:
        return
    server = target.server
    tokyo = any_client.with_context(tz="Asia/Tokyo", zenoo_marker=target.name)  # (a language must be installed)
    await tokyo.search_count("res.partner", [["id", "=", 0]])
    [record] = [r for r in server.requests if r.method == "search_count" and "zenoo_marker" in repr(r.params)][-1:]
    sent = record.params["context"] if any_client.api == "json2" else record.params["kwargs"]["context"]
    assert sent == {**user_context, "tz": "Asia/Tokyo", "zenoo_marker": target.name}


@pytest.mark.parametrize("login", ["password", "api_key"])
async def test_model_access_rights_of_a_restricted_user(embedded, login: str) -> None:  # type: ignore[no-untyped-def]
    demo = embedded.server.users["demo"]
    async with embedded.client() as client:
        if login == "password":
            await client.login(embedded.database, demo.login, demo.password)
        else:
            await client.login_with_api_key(embedded.database, demo.login, demo.api_key)
        assert await client.check_model_access("res.partner") is True
        assert await client.check_model_access("res.company", "unlink") is False
        permissions = await client.get_user_permissions("res.company")
        assert set(permissions) == {"read", "write", "create", "unlink"} and permissions["unlink"] is False
        with pytest.raises(InvalidValueError, match="unknown operation 'delete'"):
            await client.check_model_access("res.partner", "delete")
        with pytest.raises(AccessError):
            await client.unlink("res.company", [1])


async def test_user_context_is_loaded_and_an_api_key_must_match_the_login(embedded) -> None:  # type: ignore[no-untyped-def]
    admin, demo = embedded.server.users["admin"], embedded.server.users["demo"]
    async with embedded.client() as client:
        await client.login(embedded.database, admin.login, admin.password)
        assert client.context["uid"] == admin.uid and client.context["lang"] and "tz" in client.context
    # JSON-RPC: common.authenticate checks login and key together; JSON-2: the key's owner is checked
    expected = f"belongs to another user \\(uid {demo.uid}\\)" if embedded.version >= 19 else "login failed"
    async with embedded.client() as client:
        with pytest.raises(AuthenticationError, match=expected) as info:
            await client.login_with_api_key(embedded.database, admin.login, demo.api_key)
        assert demo.api_key not in str(info.value) and not client.is_authenticated
