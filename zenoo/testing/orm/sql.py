"""Small SQLite helpers shared by the ORM modules."""

from __future__ import annotations

from collections.abc import Iterable

import orjson

# "id IN (<this>)" with ONE parameter holding the ids as a JSON array: no variable-count limits
IDS_PARAM = "SELECT value FROM json_each(?)"


def ids_json(ids: Iterable[int]) -> bytes:
    """Ids as the one JSON parameter ``IDS_PARAM`` expects."""
    return orjson.dumps(list(ids))
