"""zenoo-rpc 0.2.4 compatibility: the client API exactly as that library's API reference shows it.

Every call below is written the way zenoo-rpc's docs write it (positional forms included), and
checked against what the server really did, on both embedded versions and a real Odoo when set.
"""

from __future__ import annotations

import builtins
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from zenoo import RetryPolicy, Timeout, ZenooClient
from zenoo.exceptions import (
    AccessError,
    AuthenticationError,
    ConnectionError,  # zenoo-rpc's name, imported as its users do
    InvalidValueError,
    RequestTimeoutError,
    ValidationError,
    ZenooConnectionError,
    ZenooError,
    ZenooTimeoutError,
)
from zenoo.models.common import ResPartner


def _host_port(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port, parts.scheme


def _sent(client: ZenooClient) -> dict[str, int]:
    """Requests the client sent, per method."""
    return {name: data["requests"] for name, data in client.stats.as_dict()["methods"].items()}


async def test_constructor_forms_and_properties(target) -> None:  # type: ignore[no-untyped-def]
    host, port, scheme = _host_port(target.url)
    # Host with parameters / custom timeout and SSL settings (positional too) / full URL
    by_host = ZenooClient(host, port=port, protocol=scheme)
    positional = ZenooClient(host, port, scheme, 60.0, True)
    by_url = ZenooClient(target.url)
    for client in (by_host, positional, by_url):
        async with client:
            with pytest.warns(DeprecationWarning, match="client.protocol is deprecated"):
                assert (client.host, client.port, client.protocol) == (host, port, scheme)  # zenoo-rpc's name
            assert client.is_authenticated is False
            assert (client.database, client.username, client.uid) == (None, None, None)
    assert positional._shared.options.timeout == Timeout(60.0) and positional._shared.options.verify_ssl is True
    assert ZenooClient("demo.odoo.com", port=443, protocol="https").url == "https://demo.odoo.com"
    plain = ZenooClient("localhost")
    assert (plain.host, plain.port, plain.scheme) == ("localhost", 8069, "http")
    with pytest.raises(ZenooError, match="unknown protocol 'ftp'"):
        ZenooClient("localhost", port=8069, protocol="ftp")


async def test_login_and_session_properties(target) -> None:  # type: ignore[no-untyped-def]
    host, port, _scheme = _host_port(target.url)
    async with ZenooClient(host, port=port) as client:
        await client.login(target.database, target.login, target.password)
        assert client.is_authenticated
        assert client.username == target.login and client.database == target.database
        assert isinstance(client.uid, int) and client.uid > 0
    # Manual management
    client = ZenooClient(host, port=port)
    try:
        await client.__aenter__()
        await client.login(target.database, target.login, target.password)
        assert client.is_authenticated
    finally:
        await client.__aexit__(None, None, None)
    with pytest.raises(ZenooError, match="closed"):
        await client.search_count("res.partner", [])


async def test_wrong_password_is_an_authentication_error(target) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(target.url) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.login(target.database, target.login, "wrong_password")
        assert not client.is_authenticated
    assert "wrong_password" not in str(info.value)


async def test_crud_as_documented(target, tag: str) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(target.url) as client:
        await client.login(target.database, target.login, target.password)
        partner_id = await client.create("res.partner", {
            "name": f"{tag} ACME Corporation",
            "email": "contact@acme.com",
            "is_company": True,
        })  # fmt: skip
        assert isinstance(partner_id, int)
        # create(model, values, context, validate_required), all positional
        other_id = await client.create("res.partner", {"name": f"{tag} B"}, {"lang": "en_US"}, True)
        try:
            records = await client.read("res.partner", [partner_id, other_id])
            assert {r["id"] for r in records} == {partner_id, other_id} and "email" in records[0]
            records = await client.read("res.partner", [partner_id], fields=["name", "email", "phone"])
            assert records == [{"id": partner_id, "name": f"{tag} ACME Corporation",
                                "email": "contact@acme.com", "phone": False}]  # fmt: skip
            # read(model, ids, fields, context), positional; the context reaches the server
            archived = await client.create("res.partner", {"name": f"{tag} C", "active": False})
            assert await client.read("res.partner", [archived], ["active"], {"active_test": False}) == [
                {"id": archived, "active": False}
            ]
            success = await client.write("res.partner", [partner_id, other_id], {"active": True, "phone": "+1 555"})
            assert success is True
            # write(model, ids, values, context, check_access), positional
            assert await client.write("res.partner", [other_id], {"phone": "+2"}, {"lang": "en_US"}, True) is True
            assert await client.write("res.partner", [other_id], {"phone": "+3"}, None, False) is True
            assert [r["phone"] for r in await client.read("res.partner", [partner_id, other_id], ["phone"])] == [
                "+1 555",
                "+3",
            ]
            assert await client.unlink("res.partner", [archived], {"active_test": False}) is True
        finally:
            success = await client.unlink("res.partner", [partner_id, other_id])
        assert success is True
        assert await client.search_count("res.partner", [("name", "like", tag)], {"active_test": False}) == 0


async def test_search_read_and_search_count_as_documented(target, tag: str) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(target.url) as client:
        await client.login(target.database, target.login, target.password)
        ids = await client.create("res.partner", [{"name": f"{tag} {n}", "is_company": True} for n in "abcd"])
        try:
            partners = await client.search_read(
                "res.partner",
                domain=[("is_company", "=", True), ("name", "like", tag)],
                fields=["name", "email", "phone"],
                limit=50,
                order="name",
            )
            assert [p["name"] for p in partners] == [f"{tag} {n}" for n in "abcd"]
            assert set(partners[0]) == {"id", "name", "email", "phone"}
            # search_read(model, domain, fields, limit, offset, order, context): limit BEFORE offset
            page = await client.search_read(
                "res.partner", [("name", "like", tag)], ["name"], 2, 1, "name desc", {"lang": "en_US"}
            )
            assert [p["name"] for p in page] == [f"{tag} c", f"{tag} b"]
            everything = await client.search_read(
                "res.partner",
                domain=[("name", "like", tag)],
                context={"lang": "en_US", "tz": "UTC", "active_test": False},
            )
            assert sorted(p["id"] for p in everything) == sorted(ids) and "email" in everything[0]
            company_count = await client.search_count("res.partner", [
                ("is_company", "=", True), ("name", "like", tag)
            ])  # fmt: skip
            assert company_count == 4
        finally:
            await client.unlink("res.partner", ids)


async def test_execute_kw_and_model_query_builder(target, tag: str) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(target.url) as client:
        await client.login(target.database, target.login, target.password)
        pid = await client.create("res.partner", {"name": f"{tag} Z", "is_company": True})
        try:
            domain = [("name", "=", f"{tag} Z")]
            assert await client.execute_kw("res.partner", "search", [domain], {"limit": 1}) == [pid]
            assert await client.execute_kw("res.partner", "search_count", [domain], None, {"active_test": False}) == 1
            assert await client.execute_kw("res.partner", "read", [[pid], ["name"]]) == [
                {"id": pid, "name": f"{tag} Z"}
            ]
            partners_query = client.model(ResPartner)
            companies = await partners_query.filter(is_company=True, name=f"{tag} Z").order_by("name").limit(10).all()
            assert [partner.id for partner in companies] == [pid]
            assert isinstance(companies[0], ResPartner) and companies[0].name == f"{tag} Z"
        finally:
            await client.unlink("res.partner", [pid])


async def test_server_information(target) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(target.url) as client:
        version = await client.get_server_version()
        assert version["server_version_info"][0] == target.version or not target.embedded
        if target.embedded:  # a real server may disable the database list (list_db = False)
            databases = await client.list_databases()
            assert target.database in databases
        health = await client.health_check()
        assert health is True
    async with ZenooClient("http://127.0.0.1:9") as unreachable:
        assert await unreachable.health_check() is False


async def test_validate_required_checks_before_sending(target, tag: str) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(target.url) as client:
        await client.login(target.database, target.login, target.password)
        with pytest.raises(InvalidValueError, match=r"res.partner.category: required field\(s\) name missing"):
            await client.create("res.partner.category", {"color": 1})
        with pytest.raises(InvalidValueError, match="res.partner.category.name is required"):
            await client.create("res.partner.category", [{"name": f"{tag} ok"}, {"name": False}])
        with pytest.raises(ZenooError, match="no_such_field"):
            await client.create("res.partner", {"name": tag, "no_such_field": 1})
        assert "create" not in _sent(client)  # nothing was created: the checks ran before sending
        assert {"fields_get", "default_get"} <= set(_sent(client))
        # without the check the server refuses it itself (Odoo's NOT NULL → ValidationError)
        with pytest.raises(ValidationError):
            await client.create("res.partner.category", {"color": 1}, None, False)
        assert _sent(client)["create"] == 1
        assert await client.search_count("res.partner.category", [("name", "like", tag)]) == 0
        # values are converted as the models layer does (a date → Odoo's text form)
        import datetime as dt

        order_partner = await client.create("res.partner", {"name": f"{tag} customer"})
        try:
            order = await client.create(
                "sale.order", {"partner_id": order_partner, "date_order": dt.datetime(2024, 5, 6, 7, 8, 9)}
            )
            [row] = await client.read("sale.order", [order], ["date_order"])
            assert row["date_order"] == "2024-05-06 07:08:09"
            await client.unlink("sale.order", [order])
        finally:
            await client.unlink("res.partner", [order_partner])


async def test_check_access_asks_odoo_before_writing(target) -> None:  # type: ignore[no-untyped-def]
    if not target.embedded:
        pytest.skip("needs the embedded server's restricted demo user")
    demo = target.server.users["demo"]
    async with ZenooClient(target.url) as client:
        await client.login(target.database, demo.login, demo.password)
        refused = r"res.company not written: .*not allowed to modify 'Companies' \(res.company\).*check_access=False"
        with pytest.raises(AccessError, match=refused):
            await client.write("res.company", [1], {"name": "renamed"})
        assert "write" not in _sent(client) and _sent(client)["check_access_rights"] == 1
        with pytest.raises(AccessError, match=refused):  # bulk writes ask the same question first
            await client.bulk_write("res.company", {1: {"name": "renamed"}, 2: {"name": "other"}}, progress=False)
        assert "write" not in _sent(client) and "load" not in _sent(client)
        assert _sent(client)["check_access_rights"] == 2
        with pytest.raises(AccessError, match=r"res.company"):  # not checked first: the write itself fails
            await client.write("res.company", [1], {"name": "renamed"}, check_access=False)
        assert _sent(client)["write"] == 1
        # an allowed model is checked once per login, then writes go straight through
        pid = await client.create("res.partner", {"name": "zenoo-test-rpc-compat access"})
        try:
            for phone in ("1", "2"):
                assert await client.write("res.partner", [pid], {"phone": phone})
            assert _sent(client)["check_access_rights"] == 3 and _sent(client)["write"] == 3
            await client.bulk_write("res.partner", {pid: {"phone": "3"}}, progress=False)  # already asked
            assert _sent(client)["check_access_rights"] == 3
        finally:
            await client.unlink("res.partner", [pid])
    with pytest.raises(InvalidValueError, match="check_access must be True or False"):
        await client.write("res.partner", [1], {}, None, "yes")  # type: ignore[arg-type]


async def test_exceptions_as_documented(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    assert RequestTimeoutError is ZenooTimeoutError and ConnectionError is ZenooConnectionError
    assert issubclass(ConnectionError, builtins.ConnectionError) and issubclass(RequestTimeoutError, TimeoutError)
    import zenoo.exceptions

    assert "ConnectionError" not in zenoo.exceptions.__all__  # a star import keeps the builtin
    async with ZenooClient("localhost", port=9, timeout=2.0, retry=RetryPolicy.disabled()) as client:
        with pytest.raises(ConnectionError):
            await client.login("demo", "admin", "admin")
        try:
            await client.get_server_version()
        except builtins.ConnectionError as exc:  # the builtin name catches it as well
            assert isinstance(exc, ZenooError)
    server = odoo_server_factory(version=19)
    admin = server.users["admin"]
    async with ZenooClient("127.0.0.1", port=server.port, protocol="http", timeout=0.3) as client:
        await client.login(server.database, admin.login, admin.password)
        server.faults.set(latency=1.0, methods=["create"], count=1)
        with pytest.raises(RequestTimeoutError):
            await client.create("res.partner", {"name": "zenoo-test-rpc-compat timeout"}, None, False)


class _Redis:
    def __init__(self, workdir: Path) -> None:
        with contextlib.closing(socket.socket()) as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail("redis-server is not installed (Debian package redis-server)", pytrace=False)
        self.process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = _Redis(tmp_path)
    try:
        probe = redis.Redis(port=server.port)
        for _ in range(200):
            with contextlib.suppress(redis.ConnectionError):
                if probe.ping():
                    break
            time.sleep(0.02)
        probe.close()
        yield server.url
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


async def test_cache_manager_as_documented(target, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    async with ZenooClient(target.url) as client:
        await client.login(target.database, target.login, target.password)
        assert client.cache is None  # no level yet: calls are not cached
        await client.search_count("res.country", [])
        await client.cache_manager.setup_memory_cache(name="default", max_size=1000, strategy="ttl")
        assert client.cache is client.cache_manager
        first = await client.search_count("res.country", [("code", "=", "BE")])
        assert await client.search_count("res.country", [("code", "=", "BE")]) == first
        assert client.cache_manager.stats.hits == 1 and _sent(client)["search_count"] == 2
        await client.cache_manager.setup_redis_cache(name="redis", url=redis_url)
        assert [level.name for level in client.cache_manager.levels] == ["default", "redis"]
        await client.search_count("res.country", [("code", "=", "FR")])
        assert await client.search_count("res.country", [("code", "=", "FR")]) >= 0
        assert _sent(client)["search_count"] == 3
    # the cache may be set up before login, as zenoo-rpc's quickstart does
    async with ZenooClient(target.url) as early:
        await early.cache_manager.setup_memory_cache(max_size=1000, default_ttl=300)
        await early.login(target.database, target.login, target.password)
        count = await early.search_count("res.country", [])
        assert await early.search_count("res.country", []) == count
        assert early.cache_manager.stats.hits == 1 and _sent(early)["search_count"] == 1
