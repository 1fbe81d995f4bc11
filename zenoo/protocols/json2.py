"""JSON-2: ``POST /json/2/<model>/<method>`` with a bearer API key (Odoo 19+).

The body holds named parameters only: ``ids``, ``context`` and the method's own parameter names
(positional arguments of the methods in :mod:`zenoo.protocols.signatures` are named for it).
The result is the bare JSON value (``create`` always returns a list of ids; the client answers the id
for one dict, as on JSON-RPC: :func:`zenoo.protocols.base.uniform_answer`). Errors carry an HTTP
status (401, 403, 404, 422, 500) and a body ``{name, message, arguments, context, debug}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zenoo.exceptions import ProtocolError, server_error_from_odoo
from zenoo.protocols.base import Credentials, WireRequest
from zenoo.protocols.signatures import named
from zenoo.transport import HttpResponse, decode_json


class Json2Protocol:
    """Builds and parses ``/json/2`` exchanges."""

    name = "json2"

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
        ids, parameters = named(model, method, ids, args, kwargs)
        body: dict[str, Any] = {}
        if ids is not None:
            body["ids"] = ids
        if context:
            body["context"] = dict(context)
        body.update(parameters)
        headers = {
            "Authorization": f"bearer {credentials.secret}",
            "X-Odoo-Database": credentials.database,
        }
        return WireRequest(f"/json/2/{model}/{method}", body, headers, secrets=(credentials.secret,))

    def parse(self, response: HttpResponse) -> Any:
        """The JSON value, or the mapped Odoo exception."""
        if response.status == 200:
            return decode_json(response.content, response.url, response.status)
        if 300 <= response.status < 400:
            raise response.unexpected()
        if "json" not in response.content_type:
            likely = (
                "an error page of the server or of a proxy in front of it" if response.status >= 500
                else "unknown database, or no /json/2 endpoint before Odoo 19?"
            )  # fmt: skip
            raise ProtocolError(
                f"HTTP {response.status} from {response.url} is not an Odoo JSON-2 answer ({likely}): "
                f"{response.snippet()!r}",
                url=response.url,
            )
        body = decode_json(response.content, response.url, response.status)
        if not isinstance(body, dict) or "message" not in body:
            raise ProtocolError(
                f"HTTP {response.status} from {response.url}: malformed JSON-2 error {body!r:.200}", url=response.url
            )
        raise server_error_from_odoo(
            str(body["message"]),
            odoo_name=body.get("name"),
            arguments=body.get("arguments") or (),
            debug=body.get("debug"),
            http_status=response.status,
            context=body.get("context") if isinstance(body.get("context"), dict) else None,
        )
