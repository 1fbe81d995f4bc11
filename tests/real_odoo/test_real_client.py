"""Client scenarios that must hold on every reachable Odoo: both embedded imitations and, when
ZENOO_TEST_URL (+ ZENOO_TEST_DB, ZENOO_TEST_USER, ZENOO_TEST_PASSWORD, optionally
ZENOO_TEST_API_KEY and ZENOO_TEST_VERSION) is set, a real Odoo. Password and API-key paths.

The detailed client tests in tests/client/ use the same ``target`` fixture and so also run
against the real Odoo; this file is the short end-to-end tour a maintainer runs first.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from zenoo import (
    AccessError,
    AuthenticationError,
    Client,
    MethodNotFoundError,
    MissingError,
    ValidationError,
    ZenooClient,
)

pytestmark = pytest.mark.real_odoo


async def _tour(client: ZenooClient, marker: str) -> None:
    assert client.uid and client.server_version and client.server_version[0] >= 17
    parent = await client.create("res.partner", {"name": f"{marker}-parent", "is_company": True})
    children = await client.create("res.partner", [{"name": f"{marker}-a", "parent_id": parent}, {"name": f"{marker}-b"}])
    try:
        mine = [["name", "=like", f"{marker}-%"]]
        assert await client.search_count("res.partner", mine) == 3
        rows = await client.search_read("res.partner", mine, ["name", "parent_id"], order="name")
        assert [r["name"] for r in rows] == [f"{marker}-a", f"{marker}-b", f"{marker}-parent"]
        assert rows[0]["parent_id"][0] == parent
        await client.write("res.partner", children, {"email": f"{marker}@example.com"})
        assert {r["email"] for r in await client.read("res.partner", children, ["email"])} == {f"{marker}@example.com"}
        groups = await client.read_group("res.partner", mine, ["is_company"], ["__count"], order="is_company")
        assert [(g["is_company"], g["__count"]) for g in groups] == [(False, 2), (True, 1)]
        with pytest.raises(ValidationError):
            await client.write("res.partner", [parent], {"parent_id": children[0]})
        with pytest.raises(MethodNotFoundError):
            await client.call("res.partner", "no_such_method", kwargs={})
        with pytest.raises(AccessError):
            await client.call("res.partner", "_compute_display_name", ids=[parent])
    finally:
        await client.unlink("res.partner", [*children, parent])
    with pytest.raises(MissingError):
        await client.write("res.partner", [parent], {"name": "gone"})


async def test_password_tour(target: Any) -> None:
    async with ZenooClient(target.url) as client:
        await client.login(target.database, target.login, target.password)
        assert client.api == "jsonrpc"
        await _tour(client, f"zenoo-real-{uuid.uuid4().hex[:8]}")


async def test_api_key_tour(target: Any) -> None:
    if not target.api_key:
        pytest.skip(f"{target.name}: no API key configured (ZENOO_TEST_API_KEY)")
    async with ZenooClient(target.url) as client:
        await client.login_with_api_key(target.database, target.login, target.api_key)
        assert client.api == ("json2" if client.server_version[0] >= 19 else "jsonrpc")  # type: ignore[index]
        await _tour(client, f"zenoo-real-{uuid.uuid4().hex[:8]}")


async def test_wrong_password(target: Any) -> None:
    wrong = target.password + "-nope"  # the secret sent (the right one may equal the login: admin/admin)
    async with ZenooClient(target.url) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.login(target.database, target.login, wrong)
    assert wrong not in str(info.value) and wrong not in repr(info.value)
    assert f"login failed for user {target.login!r} on database {target.database!r}" in str(info.value)
    if not target.api_key:
        return
    wrong_key = target.api_key[::-1]
    async with ZenooClient(target.url) as client:  # JSON-2 on 19: Odoo's 401 names nobody, zenoo does
        with pytest.raises(AuthenticationError, match="wrong (login or )?API key") as info:
            await client.login_with_api_key(target.database, target.login, wrong_key)
    assert f"login failed for user {target.login!r} on database {target.database!r}" in str(info.value)
    assert wrong_key not in str(info.value) and wrong_key not in repr(info.value)


def test_blocking_client_in_a_running_loop(target: Any) -> None:
    async def cell() -> list[int]:
        with Client(target.url) as client:
            client.login(target.database, target.login, target.password)
            return client.search("res.partner", [["id", "=", client.uid and 0]])

    assert asyncio.run(cell()) == []
