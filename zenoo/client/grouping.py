"""``read_group`` in one shape on every version: ``formatted_read_group`` where the server has it,
``read_group(lazy=False)`` before, and their rows brought to one form."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from zenoo.client.arguments import count_arg, domain_arg, names_arg
from zenoo.client.features import ServerFeatures
from zenoo.exceptions import ClientError, InvalidValueError

_AGGREGATE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:[a-z_]+$")


class GroupingRequest:
    """The ORM call that groups as asked on one server, and how to read its rows."""

    def __init__(
        self,
        features: ServerFeatures,
        url: str,
        domain: Sequence[Any] | None,
        groupby: str | Sequence[str],
        aggregates: Sequence[str],
        *,
        having: Sequence[Any] | None,
        offset: int,
        limit: int | None,
        order: str | None,
    ) -> None:
        self.groups = [groupby] if isinstance(groupby, str) else names_arg(groupby, "groupby")
        self.aggregates = names_arg(aggregates, "aggregates")
        for spec in self.aggregates:
            if spec != "__count" and not _AGGREGATE_RE.match(spec):
                raise InvalidValueError(
                    f"invalid aggregate {spec!r}: use '<field>:<function>' (e.g. 'amount_total:sum') or '__count'"
                )
        kwargs: dict[str, Any] = {"domain": domain_arg(domain), "groupby": self.groups}
        if offset:
            kwargs["offset"] = count_arg(offset, "offset")
        if limit is not None:
            kwargs["limit"] = count_arg(limit, "limit")
        self.legacy = not features.formatted_read_group
        if not self.legacy:
            wanted = self.aggregates
            kwargs["aggregates"] = wanted if "__count" in wanted else [*wanted, "__count"]
            if having:
                kwargs["having"] = list(having)
            if order:
                kwargs["order"] = order
            self.method = "formatted_read_group"
        else:
            if having:
                raise ClientError(f"having= needs Odoo 19's formatted_read_group; {url} runs Odoo {features.major}")
            fields = [spec for spec in self.aggregates if spec != "__count"]
            if len({spec.split(":", 1)[0] for spec in fields}) != len(fields):
                raise ClientError("Odoo before 19 returns one aggregate per field: ask for each field only once")
            kwargs.update(fields=fields, lazy=False)
            if order:
                kwargs["orderby"] = legacy_order(order)
            self.method = "read_group"
        self.kwargs = kwargs

    @property
    def field_paths(self) -> list[str]:
        """The field paths grouped by and aggregated (granularities and functions left out)."""
        specs = [*self.groups, *(spec for spec in self.aggregates if spec != "__count")]
        return list(dict.fromkeys(spec.split(":", 1)[0] for spec in specs))

    def rows(self, answer: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The server's answer as zenoo's groups."""
        return [group_row(row, self.groups, self.aggregates, legacy=self.legacy) for row in answer]


def legacy_order(order: str) -> str:
    """``"amount_total:sum desc"`` (Odoo 19 style) → ``"amount_total desc"`` for read_group."""
    terms = []
    for term in order.split(","):
        words = term.split()
        if words:
            words[0] = words[0].split(":", 1)[0] if words[0] != "__count" else words[0]
            terms.append(" ".join(words))
    return ", ".join(terms)


def group_row(row: Mapping[str, Any], groups: list[str], aggregates: list[str], *, legacy: bool) -> dict[str, Any]:
    """One group in zenoo's shape, from ``formatted_read_group`` or (``legacy``) ``read_group``."""
    ranges = row.get("__range") if legacy else None
    result: dict[str, Any] = {}
    for group in groups:
        value = row.get(group, False)
        bounds = ranges.get(group) if isinstance(ranges, Mapping) else None
        if isinstance(bounds, Mapping) and value is not False:
            value = [bounds.get("from"), value]  # Odoo 19 gives [range start, label] for date groups
        result[group] = value
    result["__count"] = row.get("__count", 0)
    for spec in aggregates:
        if spec != "__count":
            # read_group names an aggregate after its field; formatted_read_group as requested
            result[spec] = row.get(spec.split(":", 1)[0] if legacy else spec)
    return result
