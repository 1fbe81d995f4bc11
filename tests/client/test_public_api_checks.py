"""What a user of the public API met against real Odoo 17 and 19, on every target:
filters on fields Odoo cannot search, domains and group fields checked before sending, one
answer shape for ``create`` on both protocols, lazy relations read again after a write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from zenoo import FieldError, InvalidLookupError, ZenooClient

#: A res.company lock date Odoo computes without storing it and cannot search (fields_get: searchable=False).
UNSEARCHABLE_LOCK_DATE = {17: "max_tax_lock_date", 19: "user_fiscalyear_lock_date"}


async def logged_in(target: Any, secret_kind: str = "password") -> ZenooClient:
    client: ZenooClient = target.client()
    await target.log_in(client, secret_kind)
    return client


async def test_a_filter_on_a_field_odoo_cannot_search_is_refused_before_sending(target: Any) -> None:
    client = await logged_in(target)
    try:
        name = UNSEARCHABLE_LOCK_DATE[target.version]
        fields = await client.fields_get("res.company")
        assert fields[name]["searchable"] is False and fields["fiscalyear_lock_date"]["searchable"] is True
        # Odoo 19 searches display names; Odoo 17 has no search method for them
        assert (await client.fields_get("res.partner"))["display_name"]["searchable"] is (target.version >= 19)
        companies = client.model("res.company")
        before = client.stats.requests
        refusals: list[Any] = [
            companies.filter(**{f"{name}__gt": dt.date(2000, 1, 1)}).count(),
            companies.filter([(name, ">", "2000-01-01")]).count(),
            client.search_count("res.company", [(name, ">", "2000-01-01")]),
            client.model("res.partner").filter(company_id__user_fiscalyear_lock_date__gt=dt.date(2000, 1, 1)).count()
            if target.version >= 19
            else client.model("res.partner").filter(company_id__max_tax_lock_date__gt=dt.date(2000, 1, 1)).count(),
        ]
        for refused in refusals:
            with pytest.raises(FieldError, match=rf"res\.company\.{name} is not searchable"):
                await refused
        assert client.stats.requests == before
        assert await companies.filter(fiscalyear_lock_date__gt=dt.date(2000, 1, 1)).count() >= 0  # stored: searched
    finally:
        await client.close()


async def test_the_helpers_check_domains_and_group_fields_before_sending(target: Any) -> None:
    client = await logged_in(target)
    try:
        await client.fields_get("res.partner")
        await client.fields_get("res.partner.category")
        before = client.stats.requests
        unknown = [("naem", "=", "x")]
        for call in (
            lambda: client.search_read("res.partner", unknown, ["name"]),
            lambda: client.search("res.partner", unknown),
            lambda: client.search_count("res.partner", ["|", ("name", "=", "x"), *unknown]),
            lambda: client.read_group("res.partner", unknown, "is_company"),
        ):
            with pytest.raises(FieldError, match="res.partner has no field 'naem'.*'name'"):
                await call()
        with pytest.raises(FieldError, match="res.partner.category has no field 'naem'"):
            await client.search_count("res.partner", [("category_id", "any", unknown)])
        with pytest.raises(InvalidLookupError, match="unknown Odoo operator 'equals'"):
            await client.search("res.partner", [("name", "equals", "x")])
        with pytest.raises(FieldError, match="res.partner has no field 'is_compny'"):
            await client.read_group("res.partner", [], "is_compny")
        with pytest.raises(FieldError, match="res.partner has no field 'colr'"):
            await client.read_group("res.partner", [], "is_company", ["colr:sum"])
        assert client.stats.requests == before
        tag = f"zenoo-test-{uuid.uuid4().hex[:8]}%"
        assert await client.search_count("res.partner", [("name", "=like", tag)]) == 0
        assert await client.search("res.partner", [["name", "=like", tag], ["category_id", "any", []]]) == []
        groups = await client.read_group("res.partner", [("id", "<", 0)], "is_company", ["color:sum"])
        assert groups == []
    finally:
        await client.close()


@pytest.mark.parametrize("secret_kind", ["password", "api_key"])
async def test_create_answers_alike_on_both_protocols(target: Any, secret_kind: str) -> None:
    if secret_kind == "api_key" and not target.api_key:
        pytest.skip("no API key for this target")
    client = await logged_in(target, secret_kind)
    name = f"zenoo-test-{uuid.uuid4().hex[:8]}"
    created: list[int] = []
    try:
        answers = [
            await client.call("res.partner", "create", args=[{"name": name}]),
            await client.execute_kw("res.partner", "create", [{"name": name}]),
            await client.execute("res.partner", "create", {"name": name}),
            await client.call("res.partner", "create", kwargs={"vals_list": {"name": name}}),
        ]
        many = await client.call("res.partner", "create", args=[[{"name": name}, {"name": name}]])
        created = [*answers, *many]
        assert all(type(answer) is int for answer in answers), (client.api, answers)
        assert isinstance(many, list) and len(many) == 2 and all(type(i) is int for i in many)
        assert sorted(await client.search("res.partner", [("name", "=", name)])) == sorted(created)
    finally:
        if created:
            await client.unlink("res.partner", created)
        await client.close()


async def test_a_relation_awaited_again_after_a_write_reads_again(target: Any) -> None:
    client = await logged_in(target)
    tag = f"zenoo-test-{uuid.uuid4().hex[:8]}"
    partners = client.model("res.partner")
    parent = await partners.create({"name": f"{tag}-parent"})
    child = await partners.create({"name": f"{tag}-child", "parent_id": parent.id})
    try:
        record = await partners.only("name", "parent_id", "child_ids").prefetch("parent_id").get(child.id)
        assert record.parent_id.loaded
        before = client.stats.requests
        assert (await record.parent_id).name == f"{tag}-parent"  # prefetched: nothing sent
        assert client.stats.requests == before
        await client.write("res.partner", [parent.id], {"name": f"{tag}-renamed"})
        assert not record.parent_id.loaded
        again = await record.parent_id
        assert again.name == f"{tag}-renamed"
        assert (await record.parent_id) is again  # nothing written since: kept
        loaded_parent = await partners.only("child_ids").get(parent.id)
        assert [c.name for c in await loaded_parent.child_ids.all()] == [f"{tag}-child"]
        await client.write("res.partner", [child.id], {"name": f"{tag}-child-renamed"})
        assert [c.name for c in await loaded_parent.child_ids.all()] == [f"{tag}-child-renamed"]
    finally:
        await client.unlink("res.partner", [child.id, parent.id])
        await client.close()
