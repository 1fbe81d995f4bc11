"""What a write invalidates.

Every cached entry is guarded by generation counters that are part of its key: the database's
generation, plus (for a call) its model's generation, or (for a decorated function) the
generations of the models it names. Bumping a generation makes every entry it guards unreachable.

Two rules, chosen per manager with ``invalidation=``:

* ``"database"`` (default): a write through the client bumps the database's generation, so every
  cached read of that server+database is dropped. This is the simple, correct rule: in Odoo a
  write on one model changes others (an order line changes its order's computed totals, renaming
  a partner changes the display name every many2one to it returns, record rules may depend on
  anything). The cost: after any write, every read is fetched again once.
* ``"model"``: a write on model M bumps M, the models listed as M's dependents, and the
  "any write" generation (which guards decorated functions that name no models). Reads of other
  models stay cached. Faster for mixed workloads, but a cross-model effect not listed in
  ``dependents`` stays visible until the entry's TTL runs out.

Processes sharing a cache may use different rules, so an entry cached under the ``"database"``
rule also depends on "any write" (bumped by every ``"model"``-rule write).

Writes made by other programs (the Odoo UI, cron jobs, other clients not sharing this cache) are
not seen at all: they are bounded only by the TTL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from zenoo.exceptions import ConfigurationError

__all__ = [
    "ANY_WRITE",
    "DATABASE",
    "DEFAULT_DEPENDENTS",
    "RULES",
    "check_rule",
    "generations_bumped_by_write",
    "merge_dependents",
]

#: Generation guarding every entry of a database; bumped by invalidate() and by writes in "database" mode.
DATABASE = "@database"
#: Generation bumped by every write in "model" mode; guards decorated functions that name no models.
ANY_WRITE = "@any-write"

RULES = ("database", "model")

#: In "model" mode, a write on the key also invalidates these models (computed or related fields
#: of the dependents are derived from the written model).
DEFAULT_DEPENDENTS: Mapping[str, tuple[str, ...]] = {
    "sale.order.line": ("sale.order",),
    "purchase.order.line": ("purchase.order",),
    "account.move.line": ("account.move",),
    "stock.move": ("stock.picking",),
    "stock.move.line": ("stock.move", "stock.picking"),
    "product.product": ("product.template",),
    "product.template": ("product.product",),
    "res.partner": ("res.users",),
    "res.users": ("res.partner",),
}


def check_rule(rule: str) -> str:
    if rule not in RULES:
        raise ConfigurationError(f"unknown invalidation rule {rule!r}; expected one of {', '.join(RULES)}")
    return rule


def merge_dependents(extra: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    """The default dependents, extended (not replaced) by ``extra``."""
    merged = {model: tuple(deps) for model, deps in DEFAULT_DEPENDENTS.items()}
    for model, deps in (extra or {}).items():
        if isinstance(deps, str):
            raise ConfigurationError(f"dependents of {model!r} must be a list of model names, not a string")
        merged[model] = tuple(dict.fromkeys((*merged.get(model, ()), *deps)))
    return merged


def generations_bumped_by_write(
    rule: str, model: str, dependents: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """The generations a write on ``model`` bumps under ``rule``."""
    if rule == "database":
        return (DATABASE,)
    return (model, *dependents.get(model, ()), ANY_WRITE)
