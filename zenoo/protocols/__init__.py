"""Wire formats of Odoo's RPC protocols: JSON-RPC (``/jsonrpc``) and JSON-2 (``/json/2``).

An adapter turns one call into a :class:`~zenoo.protocols.base.WireRequest` and one HTTP answer
into a result or a mapped exception; it does no I/O itself.
"""

from zenoo.protocols.base import Credentials, Protocol, WireRequest, check_names
from zenoo.protocols.json2 import Json2Protocol
from zenoo.protocols.jsonrpc import JsonRpcProtocol

__all__ = ["Credentials", "Json2Protocol", "JsonRpcProtocol", "Protocol", "WireRequest", "check_names"]
