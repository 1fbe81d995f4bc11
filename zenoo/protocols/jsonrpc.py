"""JSON-RPC: ``POST /jsonrpc`` with ``service``/``method``/``args`` (Odoo 8 to 21).

Model calls go through ``object.execute_kw(db, uid, secret, model, method, args, kwargs)``, with the
parameters of the ORM methods zenoo knows sent positionally.
Errors arrive with HTTP 200 and an ``error`` member whose ``data.name`` is Odoo's exception name;
``error.code`` is 200 up to Odoo 18 and 0 from 19, and 100 for an expired session.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from zenoo.exceptions import ProtocolError, ProtocolNotSupportedError, server_error_from_odoo
from zenoo.protocols.base import Credentials, WireRequest
from zenoo.protocols.signatures import positional
from zenoo.transport import HttpResponse, decode_json

PATH = "/jsonrpc"


class JsonRpcProtocol:
    """Builds and parses ``/jsonrpc`` exchanges."""

    name = "jsonrpc"

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def service_request(
        self, service: str, method: str, args: Sequence[Any] = (), secrets: tuple[str, ...] = ()
    ) -> WireRequest:
        """A call to a service such as ``common.version`` or ``db.list``; ``secrets``: the password
        or API key among ``args``."""
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": next(self._ids),
        }
        return WireRequest(PATH, body, secrets=secrets)

    def call_request(
        self,
        credentials: Credentials,
        model: str,
        method: str,
        ids: list[int] | None,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> WireRequest:
        """``object.execute_kw``: record ids first, then the method's known parameters positionally
        (Odoo's keyword names differ between versions; see :mod:`zenoo.protocols.signatures`)."""
        arguments, named = positional(model, method, ids, args, kwargs)
        if context:
            named["context"] = dict(context)
        return self.service_request(
            "object",
            "execute_kw",
            [credentials.database, credentials.uid, credentials.secret, model, method, arguments, named],
            secrets=(credentials.secret,),
        )

    def parse(self, response: HttpResponse) -> Any:
        """The ``result``, or the mapped Odoo exception."""
        if response.status == 404:
            raise ProtocolNotSupportedError(
                f"{response.url} answered 404: no JSON-RPC endpoint there (Odoo 22 removed it: use api='json2' "
                "with an API key; or a proxy in front of Odoo does not pass /jsonrpc on)",
                url=response.url,
            )
        if response.status != 200:
            raise response.unexpected()
        envelope = decode_json(response.content, response.url, response.status)
        if not isinstance(envelope, dict):
            raise ProtocolError(
                f"{response.url} answered a JSON {type(envelope).__name__}, not a JSON-RPC envelope", url=response.url
            )
        if "error" in envelope:
            raise error_from_envelope(envelope["error"], response.url)
        if envelope.get("jsonrpc") != "2.0":
            raise ProtocolError(
                f"{response.url} answered JSON that is not a JSON-RPC 2.0 envelope: {envelope!r:.200}", url=response.url
            )
        # Odoo leaves "result" out when a method returns None (e.g. /web/session/destroy).
        return envelope.get("result")


def error_from_envelope(error: Any, url: str) -> Exception:
    """Map a JSON-RPC ``error`` member to zenoo's exception, keeping what Odoo sent."""
    if not isinstance(error, dict):
        return ProtocolError(f"{url} answered a malformed JSON-RPC error: {error!r:.200}", url=url)
    data = error.get("data")
    if not isinstance(data, dict):
        data = {}
    message = data.get("message") or error.get("message") or "Odoo server error"
    return server_error_from_odoo(
        str(message),
        odoo_name=data.get("name"),
        arguments=data.get("arguments") or (),
        debug=data.get("debug"),
        code=error.get("code"),
        context=data.get("context") if isinstance(data.get("context"), dict) else None,
    )
