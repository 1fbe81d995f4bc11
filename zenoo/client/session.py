"""Logging in: the server's version and features, the choice of RPC API, the uid and the user's context."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zenoo.client.features import JSON2_SINCE, ServerFeatures, parse_web_version
from zenoo.client.sending import exchange, service
from zenoo.client.shared import SharedState
from zenoo.exceptions import (
    AuthenticationError,
    ConfigurationError,
    MethodNotFoundError,
    OdooServerError,
    ProtocolError,
    ProtocolNotSupportedError,
)
from zenoo.protocols.base import Credentials, Protocol, WireRequest
from zenoo.protocols.json2 import Json2Protocol
from zenoo.protocols.jsonrpc import JsonRpcProtocol

if TYPE_CHECKING:
    from zenoo.client.core import ZenooClient

logger = logging.getLogger("zenoo.client")


async def fetch_version(shared: SharedState, *, retries: bool = True, probe: bool = True) -> dict[str, Any]:
    """Version info from ``GET /web/version`` (Odoo 19+), else ``common.version``; it sets
    ``shared.features``. Without ``probe``, a server known to lack ``/web/version`` is not asked it."""
    known = shared.features
    info = None
    if probe or known is None or known.web_version:
        info = await exchange(
            shared,
            WireRequest("/web/version", None),
            parse_web_version,
            model=None,
            method="web.version",
            read_only=True,
            verb="GET",
            retries=retries,
        )
    web_version = info is not None
    if info is None:  # Odoo before 19: /web/version is a 404 page
        info = await service(shared, "common", "version", retries=retries)
    if not isinstance(info, dict) or not isinstance(info.get("server_version_info"), list):
        raise ProtocolError(f"{shared.url} answered a version without server_version_info: {info!r:.200}", url=shared.url)
    shared.features = ServerFeatures.of(info["server_version_info"], web_version=web_version)
    return info


async def log_in(client: ZenooClient, database: str | None, username: str, secret: str, *, secret_kind: str) -> int:
    """Log ``client`` in with a password or (``secret_kind="api_key"``) an API key; returns the uid."""
    shared = client._shared
    db = database or shared.options.database
    if not db:
        raise ConfigurationError("no database: pass it to login() or to ZenooClient(database=...)")
    what = "API key" if secret_kind == "api_key" else "password"
    if not isinstance(username, str) or not username:
        raise ConfigurationError("the login (user name) is empty")
    if not isinstance(secret, str) or not secret:
        raise ConfigurationError(f"the {what} is empty")
    await fetch_version(shared)
    assert shared.features is not None
    protocol = choose_protocol(shared.options.api, shared.features, secret_kind, shared.url)
    try:
        if isinstance(protocol, Json2Protocol):
            uid = await _json2_uid(shared, protocol, Credentials(db, username, 0, secret, secret_kind))
        else:
            uid = await service(shared, "common", "authenticate", [db, username, secret, {}], secrets=(secret,))
    except (OdooServerError, ProtocolError) as exc:
        # Odoo's own answers: PostgreSQL's "database ... does not exist", or JSON-2's 404 page
        if f'database "{db}" does not exist' in str(exc) or "No database is selected" in str(exc):
            raise ConfigurationError(f"database {db!r} does not exist on {shared.url}") from None
        raise
    if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
        raise AuthenticationError(
            f"login failed for user {username!r} on database {db!r} at {shared.url}: wrong login or {what}"
        )
    shared.credentials = Credentials(db, username, uid, secret, secret_kind)
    shared.protocol = protocol
    shared.user_context = {}
    shared.fields_cache.clear()
    shared.writable_models.clear()
    shared.readable_models.clear()
    shared.user_context = await _load_user_context(client)
    key_owner = shared.user_context.get("uid")
    if isinstance(key_owner, int) and key_owner != uid:  # JSON-2 found the uid by login: check it
        shared.credentials = shared.protocol = None
        raise AuthenticationError(
            f"the API key given for {username!r} belongs to another user (uid {key_owner}) on {shared.url}"
        )
    logger.debug("logged in to %s db=%s uid=%s via %s", shared.url, db, uid, protocol.name)
    return uid


def choose_protocol(api: str, features: ServerFeatures, secret_kind: str, url: str) -> Protocol:
    """The RPC API of a login: ``api`` when forced, else JSON-2 where the server has it and an API key is used."""
    if api == "json2":
        if not features.json2:
            raise ProtocolNotSupportedError(
                f"JSON-2 needs Odoo {JSON2_SINCE} or later; {url} runs Odoo {features.series}: "
                "use api='jsonrpc' or 'auto'",
                url=url,
            )
        if secret_kind != "api_key":
            raise ConfigurationError("JSON-2 authenticates with an API key: use login_with_api_key()")
        return Json2Protocol()
    if api == "auto" and features.json2 and secret_kind == "api_key":
        return Json2Protocol()
    return JsonRpcProtocol()


def new_protocol(protocol: Protocol) -> Protocol:
    """A fresh adapter of the same API (for a fork)."""
    return Json2Protocol() if isinstance(protocol, Json2Protocol) else JsonRpcProtocol()


async def _json2_uid(shared: SharedState, protocol: Json2Protocol, probe: Credentials) -> int:
    """JSON-2 has no login call: the key is checked by a first call that also finds the uid."""
    wire = protocol.call_request(
        probe, "res.users", "search", None, (), {"domain": [["login", "=", probe.login]], "limit": 1}, {}
    )
    try:
        ids = await exchange(shared, wire, protocol.parse, model="res.users", method="search", read_only=True)
    except AuthenticationError as exc:  # Odoo's 401 says "Invalid apikey" and no more
        raise AuthenticationError(
            f"login failed for user {probe.login!r} on database {probe.database!r} at {shared.url}: wrong API key "
            f"(Odoo: {exc})"
        ) from None
    if not ids:
        raise AuthenticationError(
            f"the API key was accepted by {shared.url} but no active user has the login {probe.login!r}"
        )
    return int(ids[0])


async def _load_user_context(client: ZenooClient) -> dict[str, Any]:
    """The user's context (lang, tz …) from ``res.users.context_get``, sent with every call."""
    try:
        user_context = await client.call("res.users", "context_get")
    except MethodNotFoundError:
        logger.warning("%s has no res.users.context_get: calls are sent without the user's lang/tz", client.url)
        return {}
    if not isinstance(user_context, Mapping):
        raise ProtocolError(f"res.users.context_get answered {user_context!r:.100}, not a dict")
    return dict(user_context)
