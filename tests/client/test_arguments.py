"""ORM arguments reach Odoo however the caller names them, on every target and both protocols.

Real Odoo's keyword names are not a contract (``create(vals_list=...)`` fails inside JSON-RPC's
``call_kw``; ``default_get`` calls its list ``fields_list``, ``default_fields`` or ``fields``
depending on the version and the model; ``name_search`` calls its domain ``args`` on 17): zenoo
sends known parameters positionally on JSON-RPC and by Odoo 19's names on JSON-2.
"""

from __future__ import annotations

from typing import Any

import pytest

from zenoo import InvalidValueError, ZenooClient

# their subject is not the connection: the embedded servers are reached in-process
pytestmark = pytest.mark.in_process


@pytest.mark.parametrize("model", ["res.partner", "res.partner.category", "res.users", "sale.order"])
@pytest.mark.parametrize("keyword", [None, "fields", "fields_list"])
async def test_default_get_whatever_the_parameter_is_called(
    any_client: ZenooClient, model: str, keyword: str | None
) -> None:
    fields = ["active"] if model != "sale.order" else ["state"]
    if keyword is None:
        defaults = await any_client.call(model, "default_get", args=(fields,))
    else:
        defaults = await any_client.call(model, "default_get", kwargs={keyword: fields})
    assert set(defaults) <= set(fields)
    assert defaults, f"{model} has a default for {fields}"


async def test_create_and_write_with_keyword_values(any_client: ZenooClient, tag: str) -> None:
    ids = await any_client.call("res.partner", "create", kwargs={"vals_list": [{"name": f"{tag}-a"}, {"name": f"{tag}-b"}]})
    try:
        assert isinstance(ids, list) and len(ids) == 2
        await any_client.call("res.partner", "write", ids=ids, kwargs={"vals": {"comment": tag}})
        rows = await any_client.call("res.partner", "read", ids=ids, kwargs={"fields": ["name", "comment"]})
        assert [row["name"] for row in rows] == [f"{tag}-a", f"{tag}-b"]
        assert all(row["comment"] in (tag, f"<p>{tag}</p>") for row in rows)  # html fields may wrap text
    finally:
        await any_client.unlink("res.partner", ids)


async def test_name_search_domain_by_either_name(any_client: ZenooClient, tag: str) -> None:
    partner = await any_client.create("res.partner", {"name": f"{tag}-needle", "is_company": True})
    try:
        for keyword in ("domain", "args"):
            found = await any_client.call(
                "res.partner", "name_search", kwargs={"name": tag, keyword: [["is_company", "=", True]], "limit": 5}
            )
            assert [row[0] for row in found] == [partner]
        skipped = await any_client.call("res.partner", "search", kwargs={"domain": [["id", "=", partner]], "limit": 1})
        assert skipped == [partner]
    finally:
        await any_client.unlink("res.partner", [partner])


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"allowed_company_ids": 1}, "allowed_company_ids must be a list of company ids, got 1"),
        ({"allowed_company_ids": ["1"]}, r"allowed_company_ids must be a list of company ids, got \['1'\]"),
        ({"lang": 7}, "context 'lang' must be a str, got 7"),
        ({"active_test": "no"}, "context 'active_test' must be a bool, got 'no'"),
    ],
)
async def test_context_values_odoo_reads_are_checked_before_sending(
    embedded: Any, context: dict[str, Any], message: str
) -> None:
    async with ZenooClient(embedded.url) as client:
        await embedded.log_in(client, "password")
        embedded.server.reset_requests()
        with pytest.raises(InvalidValueError, match=message):
            await client.with_context(**context).search("res.partner", [], limit=1)
        with pytest.raises(InvalidValueError, match=message):
            await client.search("res.partner", [], limit=1, context=context)
        assert embedded.server.requests == []
