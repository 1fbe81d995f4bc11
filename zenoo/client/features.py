"""What the server supports, decided once from its version: the one place that compares versions.

The client reads the version at login (``GET /web/version``, or ``common.version`` before Odoo 19)
and keeps a :class:`ServerFeatures`; everything that behaves differently between Odoo versions asks
it (``client.features.json2``) instead of comparing version numbers itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zenoo.transport import HttpResponse, decode_json

#: First Odoo series with the JSON-2 API (``/json/2``), ``GET /web/version`` and ``formatted_read_group``.
JSON2_SINCE = 19


@dataclass(frozen=True)
class ServerFeatures:
    """The server's version and what the client does differently because of it.

    ``web_version``: ``GET /web/version`` answers (else the version is asked with ``common.version``);
    ``json2``: the JSON-2 API exists (``api="auto"`` uses it with an API key);
    ``formatted_read_group``: grouping uses ``formatted_read_group`` (``having=`` and several
    aggregates of one field), else ``read_group(lazy=False)``.
    """

    version: tuple[Any, ...]
    web_version: bool
    json2: bool
    formatted_read_group: bool

    @classmethod
    def of(cls, version_info: list[Any] | tuple[Any, ...], *, web_version: bool) -> ServerFeatures:
        """The features of a server whose ``server_version_info`` is ``version_info``."""
        version = tuple(version_info)
        recent = _major(version) >= JSON2_SINCE
        return cls(version=version, web_version=web_version, json2=recent, formatted_read_group=recent)

    @property
    def major(self) -> int:
        """The major version (``19``), 0 when the server's version info does not start with one."""
        return _major(self.version)

    @property
    def series(self) -> str:
        """``"19.0"``, as Odoo names its releases."""
        return ".".join(str(part) for part in self.version[:2])


def _major(version: tuple[Any, ...]) -> int:
    try:
        return int(version[0]) if version else 0
    except (TypeError, ValueError):
        return 0


def parse_web_version(response: HttpResponse) -> dict[str, Any] | None:
    """``/web/version`` of Odoo 19+ as a ``common.version``-like dict; None when absent."""
    if response.status != 200 or "json" not in response.content_type:
        return None
    data = decode_json(response.content, response.url, response.status)
    if not isinstance(data, dict) or not isinstance(data.get("version_info"), list):
        return None
    return {"server_version": data.get("version"), "server_version_info": data["version_info"]}
