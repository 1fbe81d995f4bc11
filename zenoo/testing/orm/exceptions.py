"""Errors the embedded ORM raises, shaped like the ones real Odoo 17 and 19 send.

Each carries what the HTTP layer renders: ``odoo_name`` (``data.name`` on JSON-RPC, ``name`` on
JSON-2), ``message``, ``arguments``, ``debug`` (a short imitation of the last traceback lines in
the version's style, never a path of this machine) and ``json2_status``.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any


class OdooException(Exception):
    """Base of every error the embedded ORM raises."""

    odoo_name = "builtins.Exception"
    json2_status = 500

    def __init__(self, message: str, *, debug: str | None = None, arguments: list[Any] | None = None):
        super().__init__(message)
        self.message = message
        self.arguments: list[Any] = arguments if arguments is not None else [message]
        short = self.odoo_name.removeprefix("builtins.")
        self.debug = debug if debug is not None else f"{short}: {message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


def frame(path: str, line: int, func: str, source: str) -> str:
    """One traceback frame in Python's format (relative Odoo source path)."""
    return f'  File "{path}", line {line}, in {func}\n    {source}\n'


class UserError(OdooException):
    odoo_name = "odoo.exceptions.UserError"
    json2_status = 422


class AccessError(OdooException):
    odoo_name = "odoo.exceptions.AccessError"
    json2_status = 403


class MissingError(OdooException):
    odoo_name = "odoo.exceptions.MissingError"
    json2_status = 404


class ValidationError(OdooException):
    odoo_name = "odoo.exceptions.ValidationError"
    json2_status = 422


class PyValueError(OdooException):
    """``builtins.ValueError`` (bad domain, bad value): 500 on JSON-2."""

    odoo_name = "builtins.ValueError"


class PyTypeError(OdooException):
    odoo_name = "builtins.TypeError"


class PyAttributeError(OdooException):
    odoo_name = "builtins.AttributeError"


class PyKeyError(OdooException):
    odoo_name = "builtins.KeyError"


class PyIndexError(OdooException):
    odoo_name = "builtins.IndexError"


class PyAssertionError(OdooException):
    odoo_name = "builtins.AssertionError"


class HttpNotFound(OdooException):
    """werkzeug's NotFound as JSON-2 raises it (unknown model or method)."""

    odoo_name = "werkzeug.exceptions.NotFound"
    json2_status = 404

    def __init__(self, message: str, *, debug: str | None = None):
        super().__init__(message, debug=debug, arguments=[message, 404])


class HttpUnprocessable(OdooException):
    """werkzeug's UnprocessableEntity as JSON-2 raises it (bad arguments)."""

    odoo_name = "werkzeug.exceptions.UnprocessableEntity"
    json2_status = 422

    def __init__(self, message: str, *, debug: str | None = None):
        super().__init__(message, debug=debug, arguments=[message, 422])


def python_error(exc: Exception) -> OdooException:
    """Any other Python error of a call, named as Odoo names it (``builtins.TypeError``, ...)."""
    kind = type(exc)
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    error = OdooException(message, debug=f"{kind.__name__}: {exc}")
    error.odoo_name = f"{kind.__module__}.{kind.__name__}"  # builtins.ValueError, ...
    return error


def postgres_error(error_class: str, message: str) -> OdooException:
    """A PostgreSQL error Odoo lets through, named by its psycopg2 class (``psycopg2.errors.<class>``)."""
    text = message + "\n"  # psycopg2's messages end with a newline
    error = OdooException(text, debug=f"psycopg2.errors.{error_class}: {text}")
    error.odoo_name = f"psycopg2.errors.{error_class}"
    return error


#: set by the server's fault injection for a request whose writes meet another transaction's update
MEETS_A_CONCURRENT_UPDATE: ContextVar[bool] = ContextVar("meets_a_concurrent_update", default=False)


def check_concurrent_update() -> None:
    """Raise PostgreSQL's serialization failure, as Odoo's cursor does on a row another transaction
    updated since this one began, when the request meets a concurrent update (fault injection)."""
    if MEETS_A_CONCURRENT_UPDATE.get():
        raise postgres_error("SerializationFailure", "could not serialize access due to concurrent update")


def integer_out_of_range() -> OdooException:
    """PostgreSQL's refusal of an integer beyond its 32-bit ``integer`` columns (-2**31 .. 2**31 - 1)."""
    return postgres_error("NumericValueOutOfRange", "integer out of range")


NUL_MESSAGE = "A string literal cannot contain NUL (0x00) characters."


def nul_character_error(version: int) -> PyValueError:
    """psycopg2's refusal of a string holding a NUL character (PostgreSQL text cannot store one)."""
    where = ("    res = self._obj.execute(query, params)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
             if version < 19 else "    qobjs = [o.getquoted() for o in pobjs]\n             ^^^^^^^^^^^^^\n")
    return PyValueError(NUL_MESSAGE, debug=where + f"ValueError: {NUL_MESSAGE}")


def translated_nul_error(text: str) -> OdooException:
    """PostgreSQL's refusal of a NUL character in a translated field, stored as JSON by language.

    PostgreSQL's message also quotes the SQL statement (``LINE 1: ...``), left out here.
    """
    escaped = json.dumps({"en_US": text[:text.index("\x00")]})[:-2]
    return postgres_error("UntranslatableCharacter", "unsupported Unicode escape sequence\n"
                          "DETAIL:  \\u0000 cannot be converted to text.\n"
                          f"CONTEXT:  JSON data, line 1: {escaped}\\u0000...")


def missing_error(version: int, model: str, ids: list[int], uid: int) -> MissingError:
    """Odoo's MissingError for records that do not exist (write, unlink, bad many2one)."""
    ids_repr = ", ".join(str(i) for i in ids) + ("," if len(ids) == 1 else "")
    message = f"Record does not exist or has been deleted.\n(Record: {model}({ids_repr}), User: {uid})"
    where = frame("odoo/fields.py", 1188, "__get__", 'raise MissingError("\\n".join([') if version < 19 else frame(
        "odoo/orm/fields.py", 1712, "__get__", 'raise MissingError("\\n".join([')
    return MissingError(message, debug=where + f"odoo.exceptions.MissingError: {message}")


def validation_error(message: str, where: str) -> ValidationError:
    return ValidationError(message, debug=where + f"odoo.exceptions.ValidationError: {message}")


def constraint_violation(version: int, detail: str) -> ValidationError:
    """A database constraint turned into a ValidationError, as ``retrying()`` does."""
    message = "The operation cannot be completed:" + ("" if detail.startswith("\n") else " ") + detail
    if version < 19:
        where = frame("odoo/service/model.py", 152, "retrying", "raise _as_validation_error(env, exc) from exc")
    else:
        where = frame("odoo/service/model.py", 210, "retrying", "raise ValidationError(message) from exc")
    return ValidationError(message, debug=where + f"odoo.exceptions.ValidationError: {message.rstrip()}")


def foreign_key_error(version: int, model: str, description: str, table: str, name: str, label: str) -> ValidationError:
    """A create whose many2one names a record that does not exist: PostgreSQL's foreign key
    violation, which Odoo words as for a delete whatever the statement."""
    if version < 19:
        detail = ("another model requires the record being deleted. If possible, archive it instead.\n\n"
                  f"Model: {description} ({model})\nConstraint: {table}_{name}_fkey\n")
    else:
        detail = ("Another model is using the record you are trying to delete.\n\n"
                  f"The troublemaker is: '{description}' ({model})\n"
                  f"Thanks to the following constraint: '{label}' ({name})\nHow about archiving the record instead?")
    return constraint_violation(version, detail)


class RequiredFieldError(ValidationError):
    """A required field left empty (PostgreSQL's NOT NULL), as the service layer reports it.

    ``load`` reports such a row with ``row_message``, naming ``field``.
    """

    def __init__(self, error: ValidationError, *, row_message: str, field: str):
        super().__init__(error.message, debug=error.debug)
        self.row_message = row_message
        self.field = field


def required_field_error(version: int, model: str, model_label: str, field: str, label: str) -> RequiredFieldError:
    """The ValidationError Odoo gives when a NOT NULL column is left empty."""
    if version < 19:
        detail = (
            "\n- Create/update: a mandatory field is not set.\n"
            "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
            f"Model: {model_label} ({model})\nField: {label} ({field})\n"
        )
    else:
        detail = (
            f"Missing required value for the field '{label}' ({field}).\n"
            f"Model: '{model_label}' ({model})\n"
            "- create/update: a mandatory field is not set\n"
            "- delete: another model requires the record being deleted, you can archive it instead\n"
        )
    row_message = f"Missing required value for the field '{label}' ({field})" if version < 19 else detail
    return RequiredFieldError(constraint_violation(version, detail), row_message=row_message, field=field)
