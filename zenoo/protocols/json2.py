"""JSON-2: ``POST /json/2/<model>/<method>`` with a bearer API key (Odoo 19+).

The body holds named parameters only: ``ids``, ``context`` and the method's own parameter names.
The result is the bare JSON value (``create`` always returns a list of ids). Errors carry an HTTP
status (401, 403, 404, 422, 500) and a body ``{name, message, arguments, context, debug}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zenoo.exceptions import ClientError, ProtocolError, server_error_from_odoo
from zenoo.protocols.base import Credentials, WireRequest, merge_kwargs
from zenoo.transport import HttpResponse, decode_json

#: Parameter names, in positional order, of the methods whose positional arguments zenoo can
#: bind to names for JSON-2. ``ids`` first marks a record method (its first argument is the ids).
POSITIONAL_PARAMETERS: dict[str, tuple[str, ...]] = {
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "search": ("domain", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "read": ("ids", "fields", "load"),
    "create": ("vals_list",),
    "write": ("ids", "vals"),
    "unlink": ("ids",),
    "copy": ("ids", "default"),
    "exists": ("ids",),
    "fields_get": ("allfields", "attributes"),
    "name_search": ("name", "domain", "operator", "limit"),
    "name_create": ("name",),
    "read_group": ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
    "formatted_read_group": ("domain", "groupby", "aggregates", "having", "offset", "limit", "order"),
    "web_search_read": ("domain", "specification", "offset", "limit", "order", "count_limit"),
    "web_read": ("ids", "specification"),
    "load": ("fields", "data"),
    "export_data": ("ids", "fields_to_export"),
    "default_get": ("fields_list",),
    "action_archive": ("ids",),
    "action_unarchive": ("ids",),
}


def bind_arguments(
    model: str, method: str, ids: list[int] | None, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[list[int] | None, dict[str, Any]]:
    """Name the positional ``args`` of a well-known method; returns (ids, named parameters)."""
    named = merge_kwargs(kwargs)
    if not args:
        return ids, named
    names = POSITIONAL_PARAMETERS.get(method)
    if names is None:
        raise ClientError(
            f"JSON-2 needs named parameters: zenoo does not know the parameter names of "
            f"{model}.{method}; pass them as kwargs={{...}} instead of args"
        )
    if ids is not None and names[:1] == ("ids",):
        names = names[1:]
    if len(args) > len(names):
        raise ClientError(
            f"too many positional arguments for {model}.{method}: it takes ({', '.join(names)})"
        )
    for name, value in zip(names, args):
        if name in named:
            raise ClientError(f"{model}.{method} got {name!r} both positionally and in kwargs")
        named[name] = value
    if "ids" in named:
        ids = named.pop("ids")
    return ids, named


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
        ids, named = bind_arguments(model, method, ids, args, kwargs)
        body: dict[str, Any] = {}
        if ids is not None:
            body["ids"] = ids
        if context:
            body["context"] = dict(context)
        body.update(named)
        headers = {
            "Authorization": f"bearer {credentials.secret}",
            "X-Odoo-Database": credentials.database,
        }
        return WireRequest(f"/json/2/{model}/{method}", body, headers)

    def parse(self, response: HttpResponse) -> Any:
        """The JSON value, or the mapped Odoo exception."""
        if response.status == 200:
            return decode_json(response.content, response.url, response.status)
        if 300 <= response.status < 400:
            raise response.unexpected()
        if "json" not in response.content_type:
            raise ProtocolError(
                f"HTTP {response.status} from {response.url} is not an Odoo JSON-2 answer "
                f"(unknown database, or no /json/2 endpoint before Odoo 19?): {response.snippet()!r}"
            )
        body = decode_json(response.content, response.url, response.status)
        if not isinstance(body, dict) or "message" not in body:
            raise ProtocolError(f"HTTP {response.status} from {response.url}: malformed JSON-2 error {body!r:.200}")
        raise server_error_from_odoo(
            str(body["message"]),
            odoo_name=body.get("name"),
            arguments=body.get("arguments") or (),
            debug=body.get("debug"),
            http_status=response.status,
            context=body.get("context") if isinstance(body.get("context"), dict) else None,
        )
