"""Access rights and record rules of the restricted (non-admin) users, with Odoo's AccessError texts.

The superuser and members of the "Access Rights" group (admin) may do everything
(``Registry.is_admin``). Other internal users follow ``USER_RIGHTS``: operations left out are
refused. ``RECORD_RULES`` are the rules they are under, as sales_team's salespeople are under crm's
"Personal Leads": a search leaves out the records a rule hides, and a read, write or create that
names one is refused (a read of a record that is gone is not: the id is dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zenoo.testing.orm.exceptions import AccessError, frame

OPERATIONS = ("read", "write", "create", "unlink")
_ALL = frozenset(OPERATIONS)
_READ = frozenset({"read"})

# model -> operations an ordinary internal user may perform
USER_RIGHTS: dict[str, frozenset[str]] = {
    "res.partner": _ALL,
    "res.partner.category": _ALL,
    "res.partner.industry": _READ,
    "res.country": _READ,
    "res.lang": _READ,
    "res.currency": _READ,
    "res.company": _READ,
    "res.users": _READ,
    "res.groups": _READ,
    "product.template": _ALL,
    "product.product": _ALL,
    "sale.order": _ALL,
    "sale.order.line": _ALL,
    "crm.lead": _ALL,
    "crm.tag": _ALL,
    "ir.model.data": _READ,
    "ir.config_parameter": frozenset(),
    "ir.model": frozenset(),  # Odoo grants base.group_user no right on ir.model
}

#: model -> the domain a restricted user's records must match, given the user's id
RECORD_RULES: dict[str, Callable[[int], list[Any]]] = {
    "crm.lead": lambda uid: ["|", ("user_id", "=", uid), ("user_id", "=", False)],  # Personal Leads
}

_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


#: models whose rights beyond the user's are the Settings group's (base.group_system), not Access Rights'
_SETTINGS_MODELS = frozenset({"ir.config_parameter", "res.partner.industry"})


def _granting_group(model: str, version: int) -> str:
    if model in _SETTINGS_MODELS:
        return "Role / Administrator" if version >= 19 else "Administration/Settings"
    return "Access Rights" if version >= 19 else "Administration/Access Rights"


def allowed(model: str, operation: str, is_admin: bool) -> bool:
    """Whether a user may perform ``operation`` on ``model`` at all."""
    return is_admin or operation in USER_RIGHTS.get(model, frozenset())


def access_error(version: int, model: str, description: str, operation: str) -> AccessError:
    """The AccessError Odoo raises when a user lacks the model right for ``operation``."""
    message = (
        f"You are not allowed to {_VERBS[operation]} '{description}' ({model}) records.\n\n"
        "This operation is allowed for the following groups:\n"
        f"\t- {_granting_group(model, version)}\n\n"
        "Contact your administrator to request access if necessary."
    )
    where = (frame("odoo/addons/base/models/ir_model.py", 2090, "check", "raise AccessError(msg) from None")
             if version < 19 else frame("odoo/orm/models.py", 4115, "check_access", "raise result[1]()"))
    return AccessError(message, debug=where + f"odoo.exceptions.AccessError: {message}")


def rule_error(version: int, operation: str, description: str, model: str, user: str, uid: int) -> AccessError:
    """The AccessError Odoo raises, outside debug mode, when a record rule hides records of
    ``model`` from the user for ``operation`` (a write is refused as its read of the records is)."""
    message = (
        "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
        f"Sorry, {user} (id={uid}) doesn't have '{operation}' access to:\n"
        f"- {description} ({model})\n\n"
        "If you really, really need access, perhaps you can win over your friendly administrator "
        "with a batch of freshly baked cookies."
    )
    if operation != "read":  # create, unlink: the rule's own check
        where = (frame("odoo/models.py", 4159, "check_access_rule",
                       "raise self.env['ir.rule']._make_access_error(operation, forbidden)")
                 if version < 19 else frame("odoo/orm/models.py", 4115, "check_access", "raise result[1]()"))
    else:
        where = frame("odoo/models.py" if version < 19 else "odoo/orm/models.py", 3871 if version < 19 else 3818,
                      "fetch", "raise self.env['ir.rule']._make_access_error('read', forbidden)")
    return AccessError(message, debug=where + f"odoo.exceptions.AccessError: {message}")
