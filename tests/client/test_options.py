"""The constructor's settings (``Timeout``, ``Limits``, the deprecated keywords), the renamed
properties (``scheme``/``api`` and their deprecated aliases), ``closed``, and ``client.features``."""

from __future__ import annotations

import httpx
import pytest

from zenoo import Client, ConfigurationError, Limits, ServerFeatures, Timeout, ZenooClient, ZenooTimeoutError
from zenoo.client import JSON2_SINCE
from zenoo.retry import RetryPolicy

LEGACY = {"max_connections": 5, "max_keepalive_connections": 2, "max_concurrency": 3}


# --- Timeout and Limits --------------------------------------------------------------------------


def test_timeout_is_a_number_of_seconds_or_a_timeout_object() -> None:
    assert ZenooClient("localhost", timeout=5.0)._shared.options.timeout == Timeout(5.0)
    assert ZenooClient("localhost")._shared.options.timeout == Timeout(30.0)
    per_phase = Timeout(30.0, connect=2.0, pool=None)
    assert (per_phase.connect, per_phase.read, per_phase.write, per_phase.pool) == (2.0, 30.0, 30.0, None)
    client = ZenooClient("localhost", timeout=per_phase)
    assert client._shared.transport._client.timeout == httpx.Timeout(30.0, connect=2.0, pool=None)
    assert Timeout(None) == Timeout(1.0, connect=None, read=None, write=None, pool=None)


def test_bad_timeouts_and_limits_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"the connect timeout must be a positive number of seconds \(or None\), got 0"):
        Timeout(10.0, connect=0)
    with pytest.raises(ConfigurationError, match=r"timeout must be .* or a zenoo.Timeout\), got \[1\]"):
        ZenooClient("localhost", timeout=[1])  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="limits must be a zenoo.Limits, got dict"):
        ZenooClient("localhost", limits={"max_connections": 2})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_concurrency must be at least 1, got True"):
        Limits(max_concurrency=True)


def test_limits_reach_the_pool_and_the_semaphore() -> None:
    client = ZenooClient("localhost", limits=Limits(max_connections=7, max_concurrency=2))
    assert client._shared.options.limits == Limits(7, None, 2)
    assert client._shared.transport._semaphore._value == 2
    assert Limits(7).as_httpx().max_keepalive_connections == 7  # keep-alive defaults to every connection
    assert Limits(7, 0).as_httpx().max_keepalive_connections == 0


async def test_a_read_timeout_of_its_own(odoo_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = odoo_server_factory(version=19)
    admin = server.users["admin"]
    timeout = Timeout(30.0, read=0.3)
    async with ZenooClient(server.url, timeout=timeout, retry=RetryPolicy.disabled()) as client:
        await client.login(server.database, admin.login, admin.password)
        server.faults.set(latency=1.0, methods=["search_count"], count=1)
        with pytest.raises(ZenooTimeoutError, match="ReadTimeout"):
            await client.search_count("res.partner")
        assert await client.search_count("res.partner") > 0  # the connect timeout (30 s) is not the read one


@pytest.mark.parametrize("cls", [ZenooClient, Client])
def test_the_keywords_before_limits_still_work_and_warn(cls: type) -> None:
    with pytest.warns(DeprecationWarning, match=r"max_connections=, max_keepalive_connections=, max_concurrency= is "
                      r"deprecated: use limits=zenoo.Limits\(max_connections=5, ") as caught:
        client = cls("localhost", **LEGACY)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    aclient = client if isinstance(client, ZenooClient) else client.aclient
    assert aclient._shared.options.limits == Limits(**LEGACY)
    with pytest.raises(ConfigurationError, match="pass either limits= or max_concurrency=, not both"):
        cls("localhost", limits=Limits(), max_concurrency=3)


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [ZenooClient, Client])
def test_scheme_and_api_and_their_deprecated_aliases(cls: type) -> None:
    client = cls("https://odoo.example.com")
    assert (client.scheme, client.api) == ("https", None)  # the RPC API is chosen at login
    with pytest.warns(DeprecationWarning, match=r"client.protocol is deprecated: use client.scheme") as caught:
        assert client.protocol == "https"
    assert caught[0].filename == __file__
    with pytest.warns(DeprecationWarning, match=r"client.protocol_name is deprecated: use client.api") as caught:
        assert client.protocol_name is None
    assert caught[0].filename == __file__


async def test_api_and_closed(client: ZenooClient, target) -> None:  # type: ignore[no-untyped-def]
    view = client.with_context(lang="fr_FR")
    assert client.api == view.api == "jsonrpc" and "api='jsonrpc'" in repr(client)
    with pytest.warns(DeprecationWarning):
        assert client.protocol_name == client.api
    assert client.closed is False and view.closed is False
    await view.close()  # a view leaves its parent's pool open
    assert client.closed is False
    await client.close()
    assert client.closed is True and view.closed is True


# --- features ------------------------------------------------------------------------------------


async def test_features_are_decided_at_login(any_client: ZenooClient, target) -> None:  # type: ignore[no-untyped-def]
    features = any_client.features
    assert isinstance(features, ServerFeatures) and features.version == any_client.server_version
    recent = features.major >= JSON2_SINCE
    if target.version:
        assert features.major == target.version
    assert (features.json2, features.formatted_read_group, features.web_version) == (recent, recent, recent)
    assert features.series == f"{features.major}.0"
    info = await any_client.get_server_version()
    assert tuple(info["server_version_info"]) == features.version


async def test_the_version_is_not_probed_again_after_login(embedded) -> None:  # type: ignore[no-untyped-def]
    async with embedded.client() as client:
        assert client.features is None
        await embedded.log_in(client)
        embedded.server.reset_requests()
        await client.get_server_version()
        assert await client.health_check() is True
        await client.read_group("res.partner", [], "is_company")
    asked = [(r.path, r.method) for r in embedded.server.requests]
    if embedded.version >= JSON2_SINCE:
        assert asked[:2] == [("/web/version", None), ("/web/version", None)]
    else:  # known to lack /web/version (a 404 page): asked common.version straight away
        assert asked[:2] == [("/jsonrpc", "version"), ("/jsonrpc", "version")]
    grouping = "formatted_read_group" if embedded.version >= JSON2_SINCE else "read_group"
    assert [method for _, method in asked[2:]] == ["fields_get", grouping]  # the groupby field checked first
    assert len(asked) == 4


def test_features_of_a_version() -> None:
    assert ServerFeatures.of([17, 0, 0, "final", 0, ""], web_version=False) == ServerFeatures(
        (17, 0, 0, "final", 0, ""), web_version=False, json2=False, formatted_read_group=False
    )
    nineteen = ServerFeatures.of([19, 0, 0, "final", 0, ""], web_version=True)
    assert nineteen.json2 and nineteen.formatted_read_group and nineteen.major == 19
    assert ServerFeatures.of(["saas~18", 2], web_version=False).major == 0  # unknown: the older behaviour
