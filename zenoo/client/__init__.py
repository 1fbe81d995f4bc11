"""The async client, one concept per module:

- :mod:`~zenoo.client.core`: :class:`ZenooClient`, its properties, lifecycle, login and ``call()``;
- :mod:`~zenoo.client.options`: the constructor's settings (:class:`ClientOptions`);
- :mod:`~zenoo.client.features`: what the server supports (:class:`ServerFeatures`), decided at login;
- :mod:`~zenoo.client.session`: logging in (version, RPC API, uid, user context);
- :mod:`~zenoo.client.shared`: what a client and its views share (``client._shared``);
- :mod:`~zenoo.client.sending`: one request through retries, the circuit breaker, stats and hooks;
- :mod:`~zenoo.client.orm`: the ORM helpers; :mod:`~zenoo.client.arguments` shapes their
  arguments and :mod:`~zenoo.client.grouping` is ``read_group`` on every version.
"""

from zenoo.client.core import ZenooClient
from zenoo.client.features import JSON2_SINCE, ServerFeatures
from zenoo.client.grouping import group_row, legacy_order
from zenoo.client.options import ApiChoice, ClientOptions
from zenoo.client.orm import ACCESS_OPERATIONS

__all__ = [
    "ACCESS_OPERATIONS",
    "JSON2_SINCE",
    "ApiChoice",
    "ClientOptions",
    "ServerFeatures",
    "ZenooClient",
]

# the names of the single module zenoo/client.py was, for the code that imports them from here
_group_row = group_row
_legacy_order = legacy_order
