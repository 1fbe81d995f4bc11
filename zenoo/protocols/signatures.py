"""The parameters of Odoo's ORM methods, and how each protocol passes them.

Odoo's keyword names are not a contract: ``default_get`` calls its list ``fields_list`` on Odoo 17's
base model, ``default_fields`` on 17's ``res.partner`` and ``fields`` on 19; ``name_search`` calls its
domain ``args`` on 17 and ``domain`` on 19; and JSON-RPC's ``call_kw`` reads ``create``'s values from
the positional arguments, so ``create(vals_list=...)`` fails inside Odoo. Positions are the same on
every version. So:

* JSON-RPC sends the parameters of the methods below **positionally** (:func:`positional`), filling
  the skipped ones with Odoo's defaults; only what follows the last given one stays a keyword.
* JSON-2 (Odoo 19+) needs names (:func:`named`): positional arguments are named after Odoo 19's
  signatures, and the other versions' names are renamed to 19's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from zenoo.exceptions import ClientError

#: Marks a parameter without a default value.
REQUIRED: Final = object()

#: Parameters, in positional order, of the ORM methods zenoo knows (Odoo 19's names and defaults).
#: A leading ``"ids"`` marks a record method: its records are the call's ``ids``, not a parameter.
SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {
    "search_read": (("domain", None), ("fields", None), ("offset", 0), ("limit", None), ("order", None)),
    "search": (("domain", REQUIRED), ("offset", 0), ("limit", None), ("order", None)),
    "search_count": (("domain", REQUIRED), ("limit", None)),
    "search_fetch": (("domain", REQUIRED), ("field_names", None), ("offset", 0), ("limit", None), ("order", None)),
    "read": (("ids", REQUIRED), ("fields", None), ("load", "_classic_read")),
    "create": (("vals_list", REQUIRED),),
    "write": (("ids", REQUIRED), ("vals", REQUIRED)),
    "unlink": (("ids", REQUIRED),),
    "copy": (("ids", REQUIRED), ("default", None)),
    "copy_data": (("ids", REQUIRED), ("default", None)),
    "exists": (("ids", REQUIRED),),
    "fields_get": (("allfields", None), ("attributes", None)),
    "name_search": (("name", ""), ("domain", None), ("operator", "ilike"), ("limit", 100)),
    "name_create": (("name", REQUIRED),),
    "default_get": (("fields", REQUIRED),),
    "read_group": (
        ("domain", REQUIRED), ("fields", REQUIRED), ("groupby", REQUIRED), ("offset", 0), ("limit", None),
        ("orderby", False), ("lazy", True),
    ),
    "formatted_read_group": (
        ("domain", REQUIRED), ("groupby", ()), ("aggregates", ()), ("having", ()), ("offset", 0),
        ("limit", None), ("order", None),
    ),
    "web_search_read": (
        ("domain", REQUIRED), ("specification", REQUIRED), ("offset", 0), ("limit", None), ("order", None),
        ("count_limit", None),
    ),
    "web_read": (("ids", REQUIRED), ("specification", REQUIRED)),
    "load": (("fields", REQUIRED), ("data", REQUIRED)),
    "export_data": (("ids", REQUIRED), ("fields_to_export", REQUIRED)),
    "check_access_rights": (("operation", REQUIRED), ("raise_exception", True)),
    "action_archive": (("ids", REQUIRED),),
    "action_unarchive": (("ids", REQUIRED),),
}

#: Names other Odoo versions (or overrides) give a parameter → the name in :data:`SIGNATURES`.
ALIASES: dict[str, dict[str, str]] = {
    "default_get": {"fields_list": "fields", "default_fields": "fields"},
    "name_search": {"args": "domain"},
}


def _parameters(method: str) -> tuple[tuple[str, Any], ...] | None:
    """The method's parameters after its records (a record method's ids come from ``ids``)."""
    params = SIGNATURES.get(method)
    if params is not None and params[:1] and params[0][0] == "ids":
        return params[1:]
    return params


def split_ids(method: str, ids: list[int] | None, args: Sequence[Any]) -> tuple[list[int] | None, Sequence[Any]]:
    """``execute_kw`` style: a record method called without ``ids`` takes them from ``args[0]``."""
    params = SIGNATURES.get(method)
    if ids is None and args and params and params[0][0] == "ids":
        first = args[0]
        return (list(first) if isinstance(first, list | tuple) else [first]), args[1:]
    return ids, args


def _check_context(kwargs: Mapping[str, Any]) -> None:
    if "context" in kwargs:
        raise ClientError("pass the context with context=..., not inside kwargs")


def _named_values(
    model: str, method: str, params: tuple[tuple[str, Any], ...], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """Every argument by its :data:`SIGNATURES` name; keywords the table does not know stay as given."""
    if len(args) > len(params):
        names = ", ".join(name for name, _ in params)
        raise ClientError(f"too many positional arguments for {model}.{method}: it takes ({names})")
    values = {name: value for (name, _), value in zip(params, args)}
    aliases = ALIASES.get(method, {})
    for key, value in kwargs.items():
        name = aliases.get(key, key)
        if name in values:
            raise ClientError(f"{model}.{method} got {name!r} both positionally and in kwargs")
        values[name] = value
    return values


def positional(
    model: str, method: str, ids: list[int] | None, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """JSON-RPC: ``(args, kwargs)`` for ``execute_kw``, with the known parameters positional.

    The records come first; then every parameter of the signature up to the last one given
    (skipped ones take Odoo's default). A keyword the signature does not know is passed on as is.
    """
    _check_context(kwargs)
    params = _parameters(method)
    if params is None:
        return ([ids] if ids is not None else []) + list(args), dict(kwargs)
    ids, args = split_ids(method, ids, args)
    values = _named_values(model, method, params, args, kwargs)
    given = [index for index, (name, _) in enumerate(params) if name in values]
    result: list[Any] = [ids] if ids is not None else []
    for name, default in params[: max(given, default=-1) + 1]:
        if name not in values and default is REQUIRED:
            raise ClientError(f"{model}.{method} needs its parameter {name!r}")
        result.append(values.pop(name, default))
    return result, values


def named(
    model: str, method: str, ids: list[int] | None, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[list[int] | None, dict[str, Any]]:
    """JSON-2: ``(ids, named parameters)``, positional arguments named after Odoo 19's signature."""
    _check_context(kwargs)
    params = _parameters(method)
    if params is None:
        if args:
            raise ClientError(
                f"JSON-2 needs named parameters: zenoo does not know the parameter names of "
                f"{model}.{method}; pass them as kwargs={{...}} instead of args"
            )
        return ids, dict(kwargs)
    ids, args = split_ids(method, ids, args)
    return ids, _named_values(model, method, params, args, kwargs)
