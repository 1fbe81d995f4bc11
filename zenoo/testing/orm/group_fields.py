"""Odoo 17's group fields of ``res.users``, which Odoo 19 no longer has.

``fields_get`` describes one field per exclusive category of groups (``sel_groups_<ids>``: a
selection of the category's group ids) and one per other group (``in_group_<id>``: a boolean),
made from the groups when it is asked, without ``store``, ``searchable`` or ``sortable``. ``read``
computes them from the user's groups, ``create`` and ``write`` turn them into changes of the
groups, and ``search_read`` leaves them out. They are not fields of the model: a search, an order
or a group by on one fails as on any unknown field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm.sql import IDS_PARAM, ids_json

if TYPE_CHECKING:
    from zenoo.testing.orm.model import BaseModel

#: the exclusive categories of the demo groups: name, group ids, whether none may be chosen
CATEGORIES = (("User types", (1, 4, 5), False), ("Administration", (2, 3), True))
_IN_CATEGORY = frozenset(gid for _, ids, _ in CATEGORIES for gid in ids)


def has_group_fields(model: BaseModel) -> bool:
    return model.spec.name == "res.users" and model.env.version < 19


def _field_name(ids: Iterable[int]) -> str:
    return "sel_groups_" + "_".join(map(str, ids))


def descriptions(model: BaseModel, names: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """The group fields as ``fields_get`` describes them (those of ``names`` when given)."""
    groups = dict(model._sql("SELECT id, name FROM res_groups ORDER BY id", []))
    found: dict[str, dict[str, Any]] = {}
    for category, ids, optional in CATEGORIES:
        choices = [[gid, groups[gid]] for gid in ids if gid in groups]
        found[_field_name(ids)] = {
            "type": "selection", "string": category, "selection": ([[False, ""]] if optional else []) + choices,
            "help": "", "exportable": False, "selectable": False,
        }  # fmt: skip
    for gid, name in groups.items():
        if gid not in _IN_CATEGORY:
            found[f"in_group_{gid}"] = {
                "type": "boolean", "string": name, "help": False, "exportable": False, "selectable": False
            }
    return found if names is None else {name: found[name] for name in names if name in found}


def is_group_field(model: BaseModel, name: str) -> bool:
    return has_group_fields(model) and name.startswith(("in_group_", "sel_groups_")) and name in descriptions(model)


def values(model: BaseModel, ids: list[int], names: list[str]) -> dict[int, dict[str, Any]]:
    """``{user id: {group field: value}}``: whether the user is in the group, or the category's
    group the user is in (the last of them; False for none)."""
    member: dict[int, set[int]] = {record_id: set() for record_id in ids}
    for uid, gid in model._sql(f"SELECT uid, gid FROM res_groups_users_rel WHERE uid IN ({IDS_PARAM})",
                               [ids_json(ids)]):  # fmt: skip
        member[uid].add(gid)
    result: dict[int, dict[str, Any]] = {record_id: {} for record_id in ids}
    for name in names:
        for record_id, groups in member.items():
            if name.startswith("in_group_"):
                result[record_id][name] = int(name.removeprefix("in_group_")) in groups
            else:
                chosen = [gid for gid in map(int, name.removeprefix("sel_groups_").split("_")) if gid in groups]
                result[record_id][name] = chosen[-1] if chosen else False
    return result


def as_group_commands(model: BaseModel, vals: dict[str, Any]) -> dict[str, Any]:
    """``vals`` with its group fields turned into commands on the user's groups, after those
    ``vals`` gives itself: a boolean adds or removes its group, a selection chooses one group of
    its category and removes the others."""
    named = [name for name in vals if is_group_field(model, name)]
    if not named:
        return vals
    commands = list(vals.get("groups_id") or [])
    for name in named:
        value = vals[name]
        if name.startswith("in_group_"):
            commands.append([4 if value else 3, int(name.removeprefix("in_group_"))])
        else:
            ids = [int(gid) for gid in name.removeprefix("sel_groups_").split("_")]
            commands += [[3, gid] for gid in ids if gid != value] + ([[4, value]] if value else [])
    return {**{k: v for k, v in vals.items() if k not in named}, "groups_id": commands}
