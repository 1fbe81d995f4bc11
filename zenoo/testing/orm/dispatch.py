"""Which methods can be called remotely, and how call arguments are bound to them.

JSON-RPC (``execute_kw``) passes positional ``args`` (ids first for record methods) and ``kwargs``;
JSON-2 passes named parameters only (``ids``, ``context`` and the method's own parameter names).
Both end in a ``BaseModel`` method whose signature is Odoo's, so binding errors read like Odoo's
(naming the class of the override real Odoo runs, see ``overrides``).

Odoo's ``call_kw`` takes the ids of a record method from ``args[0]``, and looks at ``args[0]`` after
``create`` to choose between one id and a list: with no positional arguments both fail with an
IndexError (``create`` after creating, which the rollback undoes). Keyword arguments only reach the
method itself.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm import languages
from zenoo.testing.orm.exceptions import (
    AccessError,
    HttpNotFound,
    HttpUnprocessable,
    PyAttributeError,
    PyIndexError,
    PyTypeError,
    UserError,
    frame,
)
from zenoo.testing.orm.model import BaseModel, DefaultGetOnFields, Env
from zenoo.testing.orm.model19 import BaseModel19
from zenoo.testing.orm.overrides import DEFAULT_GET_FIELDS_17, qualname

if TYPE_CHECKING:
    from zenoo.testing.orm.registry import Registry

# methods working on records: JSON-RPC passes their ids as args[0], JSON-2 as "ids"
RECORD_METHODS = frozenset({
    "read", "write", "unlink", "copy", "web_read", "export_data", "action_archive", "action_unarchive",
    "toggle_active", "update_field_translations", "get_field_translations",
})
ONLY_17 = frozenset({"exists", "name_get"})  # record methods 19 made private (exists) or removed (name_get)
MODEL_METHODS = frozenset({
    "search", "search_count", "search_read", "search_fetch", "create", "fields_get", "name_search",
    "default_get", "check_access_rights", "read_group", "web_read_group", "web_search_read", "load", "name_create",
})
ONLY_19 = frozenset({"formatted_read_group", "has_access"})
RECORD_METHODS_19 = RECORD_METHODS | {"has_access"}
# public methods that exist on one model only
MODEL_SPECIFIC = {"res.users": frozenset({"context_get"})}
PRIVATE_19 = frozenset({"search_fetch", "exists"})  # @api.private since 19.0
# methods that Odoo 19 runs in an inactive context language unless they touch a translated field (the
# ORM checks that itself); JSON-2 refuses the language up front for the others
LANGUAGE_FREE = frozenset({"read", "write", "unlink", "get_field_translations", "update_field_translations"})

for _cls in (BaseModel, DefaultGetOnFields, BaseModel19):
    for _name in RECORD_METHODS | MODEL_METHODS | ONLY_17 | ONLY_19 | MODEL_SPECIFIC["res.users"]:
        _function = _cls.__dict__.get(_name)
        if _function is not None:
            _function.__qualname__ = f"BaseModel.{_name}"


def _private_error(version: int, model: str, method: str) -> AccessError:
    if version >= 19:
        message = f"Private methods (such as '{model}.{method}') cannot be called remotely."
        where = frame("odoo/service/model.py", 54, "get_public_method", "raise AccessError(e)")
    else:
        message = f"Private methods (such as {method}) cannot be called remotely."
        where = frame("odoo/models.py", 148, "check_method_name",
                      "raise AccessError(_('Private methods (such as %s) cannot be called remotely.', name))")
    return AccessError(message, debug=where + f"odoo.exceptions.AccessError: {message}")


def _unknown_method(version: int, model: str, method: str) -> PyAttributeError:
    if version >= 19:
        message = f"The method '{model}.{method}' does not exist"
        where = ('    raise AttributeError(f"The method \'{model._name}.{name}\' does not exist")  # noqa: TRY004\n'
                 "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n")
    else:
        message = f"The method '{method}' does not exist on the model '{model}'"
        where = frame("odoo/api.py", 461, "call_kw", "raise AttributeError(f\"The method '{name}' does not exist "
                      "on the model '{model._name}'\")")
    return PyAttributeError(message, debug=where + f"AttributeError: {message}")


def _unknown_model(version: int, model: str) -> UserError:
    message = f"Object {model} doesn't exist"
    if version >= 19:
        where = ('    raise UserError(f"Object {obj} doesn\'t exist")  # pylint: disable=missing-gettext\n'
                 "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n")
    else:
        where = frame("odoo/service/model.py", 49, "execute_cr",
                      "raise UserError(_(\"Object %s doesn't exist\", obj))")
    return UserError(message, debug=where + f"odoo.exceptions.UserError: {message}")


def _no_positional_args(version: int, web: bool, method: str) -> PyIndexError:
    """call_kw's IndexError on ``args[0]`` when a call has no positional arguments.

    Odoo 17's ``execute_kw`` passes the arguments on as a tuple, its web route as a list.
    """
    message = f"{'tuple' if version < 19 and not web else 'list'} index out of range"
    if method != "create":
        where = "    ids, args = args[0], args[1:]\n                ~~~~^^^\n"
    elif version < 19:
        where = ("    return result.id if isinstance(args[0], Mapping) else result.ids\n"
                 "                                   ~~~~^^^\n")
    else:
        where = ("    result = result.id if isinstance(args[0], Mapping) else result.ids\n"
                 "                                     ~~~~^^^\n")
    return PyIndexError(message, debug=where + f"IndexError: {message}")


def _without_ids_argument(message: str) -> str:
    """Python's "takes N positional arguments but M were given", counted as Odoo counts them for a
    record method, whose ids are the recordset: one fewer each."""
    found = re.search(r"takes (\d+) positional arguments? but (\d+) (?:was|were) given", message)
    if found is None:
        return message
    takes, given = int(found[1]) - 1, int(found[2]) - 1
    counted = (f"takes {takes} positional argument{'s' if takes != 1 else ''} but {given} "
               f"{'was' if given == 1 else 'were'} given")
    return message[:found.start()] + counted + message[found.end():]


def _json2_where(line: int, raise_line: str) -> str:
    return frame("addons/rpc/controllers/json2.py", line, "web_json_2_rpc", raise_line)


class Dispatcher:
    """Finds and calls the ORM method a request names, as the given Odoo version would."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.version = registry.version
        self.record_methods = RECORD_METHODS_19 if self.version >= 19 else RECORD_METHODS | ONLY_17

    def _is_public(self, model: str, method: str) -> bool:
        known = RECORD_METHODS | MODEL_METHODS | (ONLY_19 if self.version >= 19 else ONLY_17)
        return method in known or method in MODEL_SPECIFIC.get(model, frozenset())

    def _is_private(self, method: str) -> bool:
        return method.startswith("_") or (self.version >= 19 and method in PRIVATE_19)

    def _model_class(self, model: str) -> type[BaseModel]:
        if self.version >= 19:
            return BaseModel19
        return DefaultGetOnFields if model in DEFAULT_GET_FIELDS_17 else BaseModel

    def _method(self, uid: int, model: str, method: str, context: Any) -> Callable[..., Any]:
        if not isinstance(context, dict):
            context = {}
        env = Env(self.registry, uid, dict(context))
        bound: Callable[..., Any] = getattr(self._model_class(model)(env, self.registry.models[model]), method)
        return bound

    def execute_kw(self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any],
                   *, web: bool = False) -> Any:
        """JSON-RPC ``execute_kw`` (``web``: the web client's ``call_kw``) semantics."""
        if model not in self.registry.models:
            raise _unknown_model(self.version, model)
        if self._is_private(method):
            raise _private_error(self.version, model, method)
        if not self._is_public(model, method):
            raise _unknown_method(self.version, model, method)
        args = list(args or [])
        kwargs = dict(kwargs or {})
        if method in self.record_methods and not args:
            raise _no_positional_args(self.version, web, method)
        bound = self._method(uid, model, method, kwargs.pop("context", None))
        result = self._call(model, method, bound, args, kwargs)
        if method == "create" and not args:
            raise _no_positional_args(self.version, web, method)
        return result

    def _call(self, model: str, method: str, bound: Callable[..., Any], args: list[Any],
              kwargs: dict[str, Any]) -> Any:
        try:
            inspect.signature(bound).bind(*args, **kwargs)
        except TypeError:
            try:
                bound(*args, **kwargs)  # fails while binding, before the body runs: Python's own message
            except TypeError as exc:
                ours = f"BaseModel.{method}("
                message = str(exc)
                if message.startswith(ours):  # named after the class whose override Odoo runs
                    message = qualname(self.version, model, method) + message[len(ours) - 1:]
                if method in self.record_methods:  # Odoo's record methods get their ids as the recordset
                    message = _without_ids_argument(message)
                where = ("    result = method(recs, *args, **kwargs)\n"
                         "             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n")
                raise PyTypeError(message, debug=where + f"TypeError: {message}") from None
        return bound(*args, **kwargs)

    def execute_json2(self, uid: int, model: str, method: str, params: dict[str, Any]) -> Any:
        """JSON-2 semantics: named parameters, ``ids`` for record methods, HTTP-status errors."""
        if model not in self.registry.models:
            message = f"the model '{model}' does not exist"
            raise HttpNotFound(message, debug=_json2_where(69, "raise NotFound(e) from exc")
                               + f"werkzeug.exceptions.NotFound: 404 Not Found: {message}")
        if self._is_private(method):
            raise _private_error(self.version, model, method)
        if not self._is_public(model, method):
            message = f"The method '{model}.{method}' does not exist"
            raise HttpNotFound(message, debug=_json2_where(74, "raise NotFound(exc.args[0]) from exc")
                               + f"werkzeug.exceptions.NotFound: 404 Not Found: {message}")
        params = dict(params or {})
        context = params.get("context")
        lang = context.get("lang") if isinstance(context, dict) else None
        if lang and method not in LANGUAGE_FREE and lang not in languages.active_languages(self.registry.connection):
            raise languages.invalid_language(lang)
        ids = params.pop("ids", None)
        bound = self._method(uid, model, method, params.pop("context", None))
        if method in self.record_methods:
            args = [ids or []]
        elif ids:
            message = f"cannot call {model}.{method} with ids"
            raise HttpUnprocessable(message, debug=_json2_where(77, "raise UnprocessableEntity(e)")
                                    + f"werkzeug.exceptions.UnprocessableEntity: 422 Unprocessable Entity: {message}")
        else:
            args = []
        try:
            inspect.signature(bound).bind(*args, **params)
        except TypeError as exc:
            message = str(exc.args[0])
            raise HttpUnprocessable(message, debug=_json2_where(84, "raise UnprocessableEntity(exc.args[0])")
                                    + f"werkzeug.exceptions.UnprocessableEntity: 422 Unprocessable Entity: {message}"
                                    ) from None
        result = bound(*args, **params)
        if method == "create" and isinstance(result, int):
            return [result]
        return result

