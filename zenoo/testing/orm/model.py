"""The ORM methods clients call, on SQLite, with Odoo's signatures, results and errors.

``BaseModel`` is bound to one model and one environment (user, context). Its public methods carry
Odoo's parameter names, so that the dispatcher can bind JSON-RPC positional arguments and JSON-2
named parameters to them exactly as Odoo does (and fail with Odoo's TypeError texts).

Why this module is long: it is one class because Odoo's ``BaseModel`` is one class, and the
dispatcher binds calls to its methods by name; grouping, web reads, import/export, access rights
and per-model hooks are in their own modules.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm import access, group_fields, grouping, hooks, languages, transfer, webread
from zenoo.testing.orm.domain import DomainCompiler
from zenoo.testing.orm.exceptions import (
    AccessError,
    OdooException,
    PyAssertionError,
    PyKeyError,
    PyTypeError,
    PyValueError,
    check_concurrent_update,
    foreign_key_error,
    frame,
    missing_error,
    postgres_error,
    required_field_error,
)
from zenoo.testing.orm.fields import X2MANY, Field, ModelSpec
from zenoo.testing.orm.ordering import invalid_field, order_by
from zenoo.testing.orm.overrides import qualname
from zenoo.testing.orm.sql import IDS_PARAM, ids_json
from zenoo.testing.orm.values import column_values, round_to, stamp_string, to_column

if TYPE_CHECKING:
    from zenoo.testing.orm.registry import Registry

MAGIC_FIELDS = frozenset({"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"})


@dataclass
class Env:
    """Who calls and with which context."""

    registry: Registry
    uid: int
    context: dict[str, Any] = dc_field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.registry.is_admin(self.uid)

    @property
    def version(self) -> int:
        return self.registry.version

    def __getitem__(self, model: str) -> BaseModel:
        return BaseModel(self, self.registry.models[model])

    def with_context(self, **extra: Any) -> Env:
        return Env(self.registry, self.uid, {**self.context, **extra})


class BaseModel:
    """One model seen by one user; public methods are the RPC-callable ORM methods."""

    def __init__(self, env: Env, spec: ModelSpec):
        self.env = env
        self.spec = spec

    # --- plumbing --------------------------------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        return self.env.registry.connection

    @property
    def _version(self) -> int:
        return self.env.version

    def _sql(self, query: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(query, tuple(params)).fetchall()

    def _comodel(self, field: Field) -> BaseModel:
        return self.env[field.relation]  # type: ignore[index]

    def _check_access(self, operation: str) -> None:
        if not access.allowed(self.spec.name, operation, self.env.is_admin):
            raise access.access_error(self._version, self.spec.name, self.spec.description, operation)

    def _check_x2many_access(self, field: Field) -> None:
        """Odoo refuses to read an x2many whose records the user may not read (19 names the field)."""
        comodel = self._comodel(field)
        if access.allowed(comodel.spec.name, "read", self.env.is_admin):
            return
        error = access.access_error(self._version, comodel.spec.name, comodel.spec.description, "read")
        if self._version >= 19:
            message = f"Failed to read field {self.spec.name}.{field.name}\n{error.message}"
            raise AccessError(message, debug=f"odoo.exceptions.AccessError: {message}")
        raise error

    def _active_test(self) -> bool:
        return bool(self.env.context.get("active_test", True))

    def _compiler(self) -> DomainCompiler:
        return DomainCompiler(self.env.registry.models, self._version, self._active_test(),
                              language=lambda: languages.language(self))

    def _rule(self) -> list[Any]:
        """The record rule's domain this user is under on this model (``[]``: none)."""
        rule = access.RECORD_RULES.get(self.spec.name)
        return rule(self.env.uid) if rule is not None and not self.env.is_admin else []

    def _where(self, domain: Any) -> tuple[str, list[Any]]:
        """The SQL condition (table alias ``t0``) of ``domain`` and the user's record rule."""
        rule = self._rule()
        if rule and isinstance(domain, (list, tuple)):  # else the compiler names what is wrong
            domain = [*rule, *domain]
        return self._compiler().where(self.spec, domain, "t0")

    def _check_rule(self, ids: list[int], operation: str) -> None:
        """Refuse ``operation`` on records of ``ids`` that exist but the user's record rule hides."""
        rule = self._rule()
        if not rule or not ids:
            return
        unfiltered = self.env.with_context(active_test=False)[self.spec.name]  # archived ones are seen
        if self._existing(ids) - set(unfiltered._search_ids([("id", "in", ids)])):
            user = self._sql("SELECT name FROM res_users WHERE id = ?", [self.env.uid])[0][0]
            raise access.rule_error(self._version, operation, self.spec.description, self.spec.name,
                                    user, self.env.uid)

    def _field(self, name: str) -> Field:
        field = self.spec.fields.get(name)
        if field is None:
            if self._version >= 19:  # reading a field the model has not
                raise PyValueError(f"Invalid field {name!r} on {self.spec.name!r}")
            raise invalid_field(self.spec.name, name)
        return field

    def _search_ids(self, domain: Any, offset: int = 0, limit: int | None = None,
                    order: str | None = None) -> list[int]:
        where, params = self._where(domain)
        query = (f"SELECT t0.id FROM \"{self.spec.table}\" t0 WHERE {where} "
                 f"ORDER BY {order_by(self.env.registry.models, self.spec, order, 't0', self._version)}")
        if limit or offset:  # a limit of 0, None or False means none, as in Odoo
            query += " LIMIT ? OFFSET ?"
            params += [_row_count("LIMIT", limit) if limit else -1, _row_count("OFFSET", offset or 0)]
        return [row[0] for row in self._sql(query, params)]

    def _existing(self, ids: Iterable[int], *, searchable: bool = False) -> set[int]:
        """Those of ``ids`` that exist (``searchable``: that a search finds: not archived ones
        under ``active_test``)."""
        # NOT INDEXED: the id column alone is in every index, and SQLite's planner, with statistics
        # taken when the table was small, would scan a covering index instead of looking the ids up
        active = " AND active = 1" if searchable and self.spec.has_active and self._active_test() else ""
        rows = self._sql(f"SELECT id FROM \"{self.spec.table}\" NOT INDEXED WHERE id IN ({IDS_PARAM}){active}",
                         [ids_json(ids)])
        found = {row[0] for row in rows}
        if searchable and found and self._rule():  # as a search finds them: not those a rule hides
            return set(self._search_ids([("id", "in", sorted(found))]))
        return found

    def _ensure_exist(self, ids: list[int]) -> None:
        existing = self._existing(ids)
        missing = [i for i in ids if i not in existing]
        if missing:
            raise missing_error(self._version, self.spec.name, missing, self.env.uid)

    @staticmethod
    def _as_ids(ids: Any) -> list[int]:
        if ids is None or ids is False:
            return []
        if isinstance(ids, int) and not isinstance(ids, bool):
            return [ids]
        if isinstance(ids, (list, tuple)) and all(type(i) is int for i in ids):  # not bool
            return list(dict.fromkeys(ids))
        raise PyValueError(f"Invalid record ids: {ids!r}")

    # --- reading ---------------------------------------------------------------------------------

    def _display_names(self, ids: Iterable[int]) -> dict[int, str]:
        rec = self.spec.rec_name
        rows = self._sql(f"SELECT id, \"{rec}\" FROM \"{self.spec.table}\" WHERE id IN ({IDS_PARAM})",
                         [ids_json(ids)])
        return {row[0]: row[1] if row[1] is not None else "" for row in rows}

    def _x2many_ids(self, field: Field, ids: list[int]) -> dict[int, list[int]]:
        """Related ids per record, in the comodel's order; archived ones hidden under active_test,
        and, as Odoo's read of the field searches them, those the field's domain excludes or the
        user's record rule hides."""
        comodel = self._comodel(field).spec
        active = " AND c.active = 1" if comodel.has_active and self._active_test() else ""
        order = order_by(self.env.registry.models, comodel, None, "c", self._version)
        if field.type == "one2many":
            query = (f"SELECT c.\"{field.relation_field}\", c.id FROM \"{comodel.table}\" c "
                     f"WHERE c.\"{field.relation_field}\" IN ({IDS_PARAM}){active} ORDER BY {order}")
        else:
            query = (f"SELECT r.\"{field.column1}\", c.id FROM \"{field.relation_table}\" r "
                     f"JOIN \"{comodel.table}\" c ON c.id = r.\"{field.column2}\" "
                     f"WHERE r.\"{field.column1}\" IN ({IDS_PARAM}){active} ORDER BY {order}")
        pairs = self._sql(query, [ids_json(ids)])
        if pairs and (field.domain or self._comodel(field)._rule()):  # Odoo reads them by a search
            searching = self.env.with_context(active_test=False)[field.relation]  # type: ignore[index]
            seen = set(searching._search_ids([("id", "in", sorted({t for _, t in pairs})), *field.domain]))
            pairs = [(owner, target) for owner, target in pairs if target in seen]
        related: dict[int, list[int]] = defaultdict(list)
        for owner, target in pairs:
            related[owner].append(target)
        return related

    def _read(self, ids: list[int], fields: list[str] | None, load: str | None = "_classic_read") -> list[dict[str, Any]]:
        """Rows for ``ids`` (missing ids dropped, input order kept) with batched relational lookups."""
        names = list(self.spec.fields) if not fields else list(dict.fromkeys(fields))
        specs = [self._field(name) for name in names]
        for f in specs:
            if f.type in X2MANY:
                self._check_x2many_access(f)
        columns = [f.name for f in specs if f.column and f.name != "id"]
        select = ", ".join(["id"] + [f"\"{c}\"" for c in columns])
        rows = self._sql(f"SELECT {select} FROM \"{self.spec.table}\" WHERE id IN ({IDS_PARAM})", [ids_json(ids)])
        by_id = {row[0]: row for row in rows}
        present = [i for i in ids if i in by_id]
        position = {name: index + 1 for index, name in enumerate(columns)}
        extra: dict[str, dict[int, Any]] = {}
        names_of: dict[str, dict[int, str]] = {}  # many2one: the display names of the targets
        for f in specs:
            if f.type in X2MANY:
                extra[f.name] = self._x2many_ids(f, present)
            elif f.name == "display_name":
                extra[f.name] = self._display_names(present)
            elif not f.store:
                extra[f.name] = hooks.computed_values(self, f, present)
            if f.type == "many2one" and load == "_classic_read":
                targets = (set(extra[f.name].values()) if not f.store
                           else {by_id[i][position[f.name]] for i in present}) - {None}
                names_of[f.name] = self._comodel(f)._display_names(targets) if targets else {}
        stored = [by_id[record_id] for record_id in present]
        result: list[dict[str, Any]] = [{"id": record_id} for record_id in present]
        for f in specs:  # a field at a time: faster than a dict per record from a row
            if f.name == "id":
                continue
            found = extra.get(f.name)
            if found is None:  # a stored column
                at = position[f.name]
                column = [row[at] for row in stored]
                if f.type != "many2one":
                    column = column_values(f, column)
            elif f.type in X2MANY:
                column = [found.get(record_id) or [] for record_id in present]
            else:
                column = [found.get(record_id) for record_id in present]
            if f.type == "many2one":
                shown = names_of[f.name] if load == "_classic_read" else None
                column = [False if target is None else target if shown is None else [target, shown.get(target, "")]
                          for target in column]  # fmt: skip
            name = f.name
            for values, value in zip(result, column, strict=True):
                values[name] = value
        languages.overlay(self, result, names)
        return result

    # --- writing ---------------------------------------------------------------------------------

    def _unknown_field(self, name: str, creating: bool) -> OdooException:
        """The error of create() or write() given a field the model does not have, in the version's words."""
        model = self.spec.name
        if self._version < 19:
            message = f"Invalid field {name!r} on model {model!r}"
            variable, line = ("key", 4602) if creating else ("fname", 4378)
            where = frame("odoo/models.py", line, "create" if creating else "write",
                          f'raise ValueError("Invalid field %r on model %r" % ({variable}, self._name))')
            return PyValueError(message, debug=where + f"ValueError: {message}")
        if model == "res.partner" and not creating:  # its write() reads the old values of every field first
            where = "    return self._fields[key].__get__(self)\n           ~~~~~~~~~~~~^^^^^\n"
            return PyKeyError(name, debug=where + f"KeyError: {name!r}")
        message = f"Invalid field {name!r} in {model!r}"
        line, cause = (4654, "") if creating else (4383, " from e")
        where = frame("odoo/orm/models.py", line, "create" if creating else "write",
                      'raise ValueError(f"Invalid field {field_name!r} in {self._name!r}")' + cause)
        return PyValueError(message, debug=where + f"ValueError: {message}")

    def _owner(self, field: Field, creating: bool) -> str:
        """The model whose field a bad value is refused by: the parent's for an inherited field
        (``res.users.lang`` is ``res.partner``'s) where Odoo hands the value to the parent, which 17
        does when creating and 19 always."""
        if field.inherited_from and (creating or self._version >= 19):
            return self._comodel(self.spec.fields[field.inherited_from.split(".")[0]]).spec.name
        return self.spec.name

    def _columns_from_vals(self, vals: dict[str, Any], creating: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split client values into column values and x2many commands, converting and validating.

        The id, the create/write stamps and computed fields (display_name, ...) are silently left
        out, as Odoo does.
        """
        if not isinstance(vals, dict):
            raise PyValueError(f"Invalid values for {self.spec.name}: expected a dict, got {vals!r}")
        unknown = [name for name in vals if name not in self.spec.fields]
        if unknown:
            raise self._unknown_field(unknown[0], creating)
        columns: dict[str, Any] = {}
        relations: dict[str, Any] = {}
        for name, value in vals.items():
            field = self.spec.fields[name]
            if name in MAGIC_FIELDS or not field.store:  # computed without an inverse: ignored
                continue
            if field.type in X2MANY:
                relations[name] = value
                continue
            column = to_column(self._version, self._owner(field, creating), field, value, self._db)
            if field.type == "many2one" and column is not None:
                comodel = self._comodel(field)
                if not comodel._existing([column]):
                    # the INSERT breaks the foreign key; but a new contact reads its parent's address first
                    if creating and (self.spec.name, name) != ("res.partner", "parent_id"):
                        raise foreign_key_error(self._version, self.spec.name, self.spec.description,
                                                self.spec.table, name, field.string)
                    # write() reads the record first
                    raise missing_error(self._version, comodel.spec.name, [column], self.env.uid)
            columns[name] = column
        return columns, relations

    def _round_amounts(self, columns: dict[str, Any], ids: list[int]) -> None:
        """Round the monetary amounts in ``columns`` to their currency, as Odoo stores them: the
        currency written with them, else that of the records written (``ids``; a new record has
        none yet, so its amount is kept as given); records in several currencies are refused."""
        for name, amount in columns.items():
            field = self.spec.fields[name]
            if field.type != "monetary" or not field.currency_field or not amount:
                continue
            if field.currency_field in columns:
                currencies = {columns[field.currency_field]}
            else:
                currencies = {row[field.currency_field] for row in self._read(ids, [field.currency_field], None)}
            currencies.discard(False)
            currencies.discard(None)
            if len(currencies) > 1:
                raise PyValueError(
                    f"Got multiple currencies while assigning values of monetary field {self.spec.name}.{name}")
            if currencies:
                rounding = self._sql("SELECT rounding FROM res_currency WHERE id = ?", [currencies.pop()])
                if rounding and rounding[0][0]:
                    columns[name] = round_to(amount, rounding[0][0])

    def _check_required(self, columns: dict[str, Any], creating: bool) -> None:
        for name, field in self.spec.fields.items():
            if not field.required or not field.column:
                continue
            if (creating or name in columns) and columns.get(name) is None:
                raise required_field_error(self._version, self.spec.name, self.spec.description, name,
                                           field.string)

    def _take_password(self, vals: dict[str, Any]) -> str | None:
        """res.users: remove a new password from the values (it is kept as a hash, never stored)."""
        if self.spec.name != "res.users" or "password" not in vals:
            return None
        secret = vals.pop("password")
        if secret in (False, None, ""):
            return None  # an empty password changes nothing, as in Odoo
        if not isinstance(secret, str):
            raise PyValueError("Wrong value for res.users.password: a password is a string")
        return secret

    def _insert(self, vals: dict[str, Any]) -> int:
        check_concurrent_update()
        vals = dict(vals)
        secret = self._take_password(vals)
        vals = hooks.prepare_create(self, hooks.cleaned(self, vals))
        columns, relations = self._columns_from_vals(vals, creating=True)
        self._round_amounts(columns, [])
        for name, field in self.spec.fields.items():
            if field.column and name not in columns and name not in MAGIC_FIELDS:
                default = field.default
                if default is not None or field.type in ("boolean", "integer", "float", "monetary"):
                    columns[name] = to_column(self._version, self.spec.name, field, default, self._db)
        self._check_required(columns, creating=True)
        own = languages.take(self, columns)
        stamp = stamp_string(self._version)
        columns.update(create_uid=self.env.uid, write_uid=self.env.uid, create_date=stamp, write_date=stamp)
        names = list(columns)
        quoted = ", ".join(f'"{n}"' for n in names)
        cursor = self._db.execute(
            f"INSERT INTO \"{self.spec.table}\" ({quoted}) VALUES ({', '.join('?' * len(names))})",
            [columns[n] for n in names])
        record_id = int(cursor.lastrowid)  # type: ignore[arg-type]
        languages.store(self, [record_id], own, creating=True)
        for name, commands in relations.items():
            self._apply_commands(self.spec.fields[name], [record_id], commands)
        hooks.after_change(self, [record_id], set(vals) | set(columns), created=True)
        if secret is not None:
            self.env.registry.set_password(record_id, secret)
        return record_id

    def _update(self, ids: list[int], vals: dict[str, Any]) -> None:
        check_concurrent_update()
        vals = dict(vals)
        secret = self._take_password(vals)
        if secret is not None:
            for record_id in ids:
                self.env.registry.set_password(record_id, secret)
        if not vals:
            return
        vals = hooks.cleaned(self, vals)
        columns, relations = self._columns_from_vals(vals, creating=False)
        self._round_amounts(columns, ids)
        self._check_required(columns, creating=False)
        emptied = [name for name in languages.translated(self, columns) if columns[name] is None]
        own = languages.take(self, columns)
        columns.update(write_uid=self.env.uid, write_date=stamp_string(self._version))
        assignments = ", ".join(f"\"{n}\" = ?" for n in columns)
        self._db.execute(f"UPDATE \"{self.spec.table}\" SET {assignments} WHERE id IN ({IDS_PARAM})",
                         [*columns.values(), ids_json(ids)])
        languages.forget(self, ids, emptied)
        languages.store(self, ids, own, creating=False)
        for name, commands in relations.items():
            self._apply_commands(self.spec.fields[name], ids, commands)
        hooks.after_change(self, ids, set(vals), created=False)

    def _apply_commands(self, field: Field, ids: list[int], commands: Any) -> None:
        """Odoo's x2many commands 0-6 (and a bare id list, meaning SET) on ``field`` of ``ids``."""
        if commands is False or commands is None:
            commands = [[5, 0, 0]]
        if not isinstance(commands, (list, tuple)):
            raise PyValueError(f"Wrong value for {self.spec.name}.{field.name}: {commands!r}")
        if commands and all(isinstance(c, int) and not isinstance(c, bool) for c in commands):
            commands = [[6, 0, list(commands)]]
        comodel = self._comodel(field)
        for command in commands:
            if not isinstance(command, (list, tuple)) or not command or command[0] not in range(7):
                raise PyValueError(f"Wrong value for {self.spec.name}.{field.name}: {command!r}")
            code = command[0]
            arg = command[1] if len(command) > 1 else 0
            payload: Any = command[2] if len(command) > 2 else 0
            if code in (0, 1) and not isinstance(payload, dict):
                raise PyValueError(f"Wrong value for {self.spec.name}.{field.name}: {command!r}")
            for owner in ids:
                if code == 0:
                    values = dict(payload)
                    if field.type == "one2many":
                        values[field.relation_field] = owner
                        comodel._insert(values)
                    else:
                        self._link(field, owner, [comodel._insert(values)])
                elif code == 1:
                    comodel._ensure_exist([arg])
                    comodel._update([arg], dict(payload))
                    if field.type == "many2many":
                        self._link(field, owner, [arg])
                elif code == 2:
                    comodel._ensure_exist([arg])
                    comodel._delete([arg])
                elif code == 3:
                    self._unlink_relation(field, owner, [arg])
                elif code == 4:
                    comodel._ensure_exist([arg])
                    self._link(field, owner, [arg])
                elif code == 5:
                    self._unlink_relation(field, owner, None, keep=self._hidden_links(field, owner) or None)
                else:
                    targets = self._as_ids(payload or [])
                    comodel._ensure_exist(targets)
                    self._unlink_relation(field, owner, None, keep=targets + self._hidden_links(field, owner))
                    self._link(field, owner, targets)

    def _hidden_links(self, field: Field, owner: int) -> list[int]:
        """The archived records a many2many of ``owner`` links while the context hides them: Odoo's
        SET and CLEAR change the links the context shows, so these stay."""
        comodel = self._comodel(field).spec
        if field.type != "many2many" or not comodel.has_active or not self._active_test():
            return []
        rows = self._sql(f"SELECT r.\"{field.column2}\" FROM \"{field.relation_table}\" r JOIN \"{comodel.table}\" c "
                         f"ON c.id = r.\"{field.column2}\" WHERE r.\"{field.column1}\" = ? AND c.active = 0", [owner])
        return [row[0] for row in rows]

    def _link(self, field: Field, owner: int, targets: list[int]) -> None:
        if field.type == "one2many":
            self._comodel(field)._update(targets, {field.relation_field: owner})  # type: ignore[dict-item]
            return
        self._db.executemany(
            f"INSERT OR IGNORE INTO \"{field.relation_table}\" (\"{field.column1}\", \"{field.column2}\") "
            "VALUES (?, ?)", [(owner, target) for target in targets])

    def _unlink_relation(self, field: Field, owner: int, targets: list[int] | None,
                         keep: list[int] | None = None) -> None:
        """Remove links (all when ``targets`` is None), except ``keep``; o2m: clear the inverse."""
        comodel = self._comodel(field)
        if field.type == "one2many":
            current = self._x2many_ids_all(field, owner)
            drop = [t for t in current if (targets is None or t in targets) and t not in (keep or [])]
            if drop:
                inverse = comodel.spec.fields[field.relation_field]  # type: ignore[index]
                if inverse.ondelete == "cascade" or inverse.required:
                    comodel._delete(drop)
                else:
                    comodel._update(drop, {field.relation_field: False})  # type: ignore[dict-item]
            return
        query = f"DELETE FROM \"{field.relation_table}\" WHERE \"{field.column1}\" = ?"
        params: list[Any] = [owner]
        if targets is not None:
            query += f" AND \"{field.column2}\" IN ({IDS_PARAM})"
            params.append(ids_json(targets))
        if keep:
            query += f" AND \"{field.column2}\" NOT IN ({IDS_PARAM})"
            params.append(ids_json(keep))
        self._db.execute(query, params)

    def _x2many_ids_all(self, field: Field, owner: int) -> list[int]:
        comodel = self._comodel(field).spec
        rows = self._sql(f"SELECT id FROM \"{comodel.table}\" WHERE \"{field.relation_field}\" = ?", [owner])
        return [row[0] for row in rows]

    def _delete(self, ids: list[int]) -> None:
        """Delete records, applying ondelete rules of every many2one pointing here."""
        if not ids:
            return
        check_concurrent_update()
        hooks.before_unlink(self, ids)
        registry = self.env.registry
        for other in registry.models.values():
            for field in other.fields.values():
                if field.type == "many2many" and field.relation == self.spec.name:
                    self._db.execute(f"DELETE FROM \"{field.relation_table}\" WHERE \"{field.column2}\" "
                                     f"IN ({IDS_PARAM})", [ids_json(ids)])
                if field.type != "many2one" or field.relation != self.spec.name or not field.store:
                    continue
                referencing = [row[0] for row in self._sql(
                    f"SELECT id FROM \"{other.table}\" WHERE \"{field.name}\" IN ({IDS_PARAM})", [ids_json(ids)])]
                if other.name == self.spec.name:
                    referencing = [r for r in referencing if r not in ids]
                if not referencing:
                    continue
                if field.ondelete == "cascade":
                    self.env[other.name]._delete(referencing)
                elif field.ondelete == "restrict" or field.required:  # a required one is 'restrict' in Odoo
                    raise foreign_key_error(self._version, other.name, other.description, other.table, field.name,
                                            field.string)
                else:
                    self._db.execute(f"UPDATE \"{other.table}\" SET \"{field.name}\" = NULL "
                                     f"WHERE id IN ({IDS_PARAM})", [ids_json(referencing)])
                    # values computed from the reference (contacts' display names, ...) follow
                    hooks.after_change(self.env[other.name], referencing, {field.name}, created=False)
        for field in self.spec.fields.values():
            if field.type == "many2many":
                self._db.execute(f"DELETE FROM \"{field.relation_table}\" WHERE \"{field.column1}\" "
                                 f"IN ({IDS_PARAM})", [ids_json(ids)])
        self._db.execute(f"DELETE FROM \"{self.spec.table}\" WHERE id IN ({IDS_PARAM})", [ids_json(ids)])
        languages.forget(self, ids)
        hooks.after_unlink(self, ids)

    # --- public ORM methods (Odoo signatures) ----------------------------------------------------

    def search(self, domain, offset=0, limit=None, order=None):  # type: ignore[no-untyped-def]
        """Ids of the records matching ``domain``."""
        self._check_access("read")
        return self._search_ids(domain, offset, limit, order)

    def search_count(self, domain: list[Any], limit: int | None = None) -> int:
        """How many records match ``domain`` (at most ``limit``)."""
        self._check_access("read")
        where, params = self._where(domain)
        query = f"SELECT count(*) FROM (SELECT 1 FROM \"{self.spec.table}\" t0 WHERE {where}"
        if limit:
            query += " LIMIT ?"
            params.append(_row_count("LIMIT", limit))
        count: int = self._sql(query + ")", params)[0][0]
        return count

    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None,  # type: ignore[no-untyped-def]
                    **read_kwargs):
        """search() then read() in one call."""
        self._check_access("read")
        unexpected = set(read_kwargs) - {"load"}
        if unexpected:  # search_read() passes them on to _read_format()
            owner = qualname(self._version, self.spec.name, "_read_format")
            raise PyTypeError(f"{owner}() got an unexpected keyword argument '{min(unexpected)}'")
        ids = self._search_ids(domain or [], offset, limit, order)
        if fields and group_fields.has_group_fields(self):  # left out, as Odoo 17's search_read does
            fields = [name for name in fields if not group_fields.is_group_field(self, name)] or ["id"]
        return self._read(ids, fields, read_kwargs.get("load", "_classic_read")) if ids else []

    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):  # type: ignore[no-untyped-def]
        """Odoo 17: the matching ids (the recordset, serialized as ids)."""
        self._check_access("read")
        for name in field_names or []:
            self._field(name)
        return self._search_ids(domain, offset, limit, order)

    def read(self, ids, fields=None, load="_classic_read"):  # type: ignore[no-untyped-def]
        """Field values of ``ids``; missing ids are silently dropped, repeated ones read again."""
        self._check_access("read")
        unique = self._as_ids(ids)
        self._check_rule(unique, "read")
        ids = list(ids) if isinstance(ids, (list, tuple)) else unique
        grouped = [name for name in fields or [] if group_fields.is_group_field(self, name)]
        if not grouped:
            return self._read(ids, fields, load)
        rows = self._read(ids, [name for name in fields if name not in grouped] or ["id"], load)
        computed = group_fields.values(self, [row["id"] for row in rows], grouped)
        return [{**row, **computed[row["id"]]} for row in rows]

    def create(self, vals_list):  # type: ignore[no-untyped-def]
        """Create records: one dict gives one id, a list of dicts gives a list of ids."""
        self._check_access("create")
        if isinstance(vals_list, dict):
            record_id = self._insert(self._with_context_defaults(vals_list))
            self._check_rule([record_id], "create")
            return record_id
        if not isinstance(vals_list, (list, tuple)):
            raise PyValueError(f"Invalid values for {self.spec.name}.create(): {vals_list!r}")
        ids = [self._insert(self._with_context_defaults(vals)) for vals in vals_list]
        self._check_rule(ids, "create")  # the call's rollback undoes the records made
        return ids

    def _with_context_defaults(self, vals: Any) -> Any:
        """Values completed with the context's ``default_<field>`` keys (fields of this model only)."""
        if not isinstance(vals, dict):
            return vals
        defaults = {key[len("default_"):]: value for key, value in self.env.context.items()
                    if key.startswith("default_") and key[len("default_"):] in self.spec.fields
                    and key[len("default_"):] not in MAGIC_FIELDS}
        return {**defaults, **vals}

    def write(self, ids: list[int] | int, vals: dict[str, Any]) -> bool:
        """Update ``ids`` with ``vals`` (x2many as command lists); True. Odoo writes only the
        records with a true id: an id of 0 is left out."""
        ids = [i for i in self._as_ids(ids) if i]
        if self.spec.name == "res.users" and not self.env.is_admin and hooks.is_self_write(self, ids, vals):
            pass  # users may edit a few fields of their own user record
        else:
            self._check_access("write")
        self._ensure_exist(ids)
        self._check_rule(ids, "read")  # Odoo's write reads the records first, under the read rule
        if ids:
            self._update(ids, vals)
        return True

    def action_archive(self, ids: list[int]) -> None:
        """Set ``active`` to False on the active records of ``ids``, as Odoo's does (it answers null)."""
        self._set_active(ids, False)

    def action_unarchive(self, ids: list[int]) -> None:
        """Set ``active`` to True on the archived records of ``ids`` (answers null)."""
        self._set_active(ids, True)

    def toggle_active(self, ids: list[int]) -> None:
        """Archive the active records of ``ids`` and restore the archived ones (answers null)."""
        ids = self._as_ids(ids)
        rows = self._read(ids, ["active"], None) if "active" in self.spec.fields else []
        self._set_active([row["id"] for row in rows if row["active"]], False)
        self._set_active([row["id"] for row in rows if not row["active"]], True)

    def exists(self, ids):  # type: ignore[no-untyped-def]
        """17: the ids of ``ids`` whose records exist."""
        existing = self._existing(self._as_ids(ids))
        return [i for i in self._as_ids(ids) if i in existing]

    def name_get(self, ids):  # type: ignore[no-untyped-def]
        """17: ``[[id, display name], ...]``."""
        self._check_access("read")
        ids = self._as_ids(ids)
        self._check_rule(ids, "read")
        names = self._display_names(ids)
        return [[i, names[i]] for i in ids if i in names]

    def _set_active(self, ids: list[int], active: bool) -> None:
        if "active" not in self.spec.fields:
            raise PyAssertionError(f"No 'active' field on model {self.spec.name}")
        ids = self._as_ids(ids)
        self._ensure_exist(ids)
        changing = [row["id"] for row in self._read(ids, ["active"], None) if bool(row["active"]) != active]
        if changing:  # only the records whose state changes are written, as Odoo filters them first
            self.write(changing, {"active": active})

    def copy(self, ids, default=None):  # type: ignore[no-untyped-def]
        """17: a copy of one record (its id), with ``default`` over the copied values."""
        return self._copy([self._one(ids)], default)[0]

    def _one(self, ids: Any) -> int:
        """The one record of a method that takes one (``ensure_one``), or Odoo's error."""
        found = self._as_ids(ids)
        if len(found) != 1:
            raise PyValueError(f"Expected singleton: {self.spec.name}({', '.join(map(str, found))})")
        return found[0]

    def _copy(self, ids: list[int], default: Any) -> list[int]:
        """Copies of ``ids``: their copied fields (:attr:`Field.copied`), ``default`` over them,
        and copies of the children of a one2many copied with them."""
        self._check_access("create")
        if default is not None and not isinstance(default, dict):
            raise PyValueError(f"Invalid default for {self.spec.name}.copy(): {default!r}")
        self._ensure_exist(ids)
        copies = []
        for record_id in ids:
            new_id = self._insert(self._copy_data(record_id, default or {}))
            for name, field in self.spec.fields.items():
                if field.type == "one2many" and field.copied and name not in (default or {}):
                    children = self._x2many_ids(field, [record_id]).get(record_id, [])
                    child_model = self._comodel(field)
                    for child in children:
                        child_model._insert(child_model._copy_data(child, {str(field.relation_field): new_id}))
            copies.append(new_id)
        return copies

    def _copy_data(self, record_id: int, default: dict[str, Any]) -> dict[str, Any]:
        """The values a copy of ``record_id`` is created with (res.partner and product.template:
        the name marked "(copy)" unless ``default`` gives one)."""
        names = [name for name, field in self.spec.fields.items()
                 if field.copied and field.type != "one2many" and name not in MAGIC_FIELDS and name not in default]
        row = self._read([record_id], names, None)[0]
        values = {name: [(6, 0, row[name])] if self.spec.fields[name].type == "many2many" else row[name]
                  for name in names}
        named = default.get("name") if self.spec.name == "res.partner" else "name" in default
        if self.spec.name in ("res.partner", "product.template") and not named:
            values["name"] = f"{row['name']} (copy)"
        return {**values, **default}

    def update_field_translations(self, ids, field_name, translations):  # type: ignore[no-untyped-def]
        """Set one record's own texts of a translated field by language (a falsy value removes
        one); False for a field that is not translated, or when nothing is to change."""
        return self._update_translations(ids, field_name, translations, languages.SOURCE)

    def _update_translations(self, ids: Any, field_name: str, translations: Any, source_lang: str) -> bool:
        """``update_field_translations``, whose terms are in ``source_lang`` (19): the checks in
        each version's order (17 checks the languages before the field's name), then the update."""
        record_id = self._one(ids)
        self._check_access("write")
        self._check_rule([record_id], "write")
        if self._version >= 19 and field_name not in self.spec.fields:
            raise PyKeyError(field_name)
        languages.check_activated(self, [*translations, source_lang])
        if field_name not in self.spec.fields:
            raise PyKeyError(field_name)
        return languages.update_field_translations(self, record_id, field_name, translations)

    def get_field_translations(self, ids, field_name, langs=None):  # type: ignore[no-untyped-def]
        """One record's texts of a field in each language of ``langs`` (else in the active ones), and
        the context a translation dialog opens with: ``[translations, context]``."""
        record_id = self._one(ids)
        if field_name not in self.spec.fields:
            raise PyKeyError(field_name)
        codes = languages.asked(self, langs)
        self._check_access("read")
        self._check_rule([record_id], "read")
        self._ensure_exist([record_id])
        return languages.field_translations(self, record_id, field_name, codes)

    def unlink(self, ids):  # type: ignore[no-untyped-def]
        """Delete ``ids``; True. An id of 0 names no record: nothing is done for it, as in Odoo."""
        self._check_access("unlink")
        ids = [i for i in self._as_ids(ids) if i]
        self._ensure_exist(ids)
        self._check_rule(ids, "unlink")
        self._delete(ids)
        return True

    def fields_get(self, allfields=None, attributes=None):  # type: ignore[no-untyped-def]
        """Field descriptions by name, limited to ``allfields`` and ``attributes`` when given."""
        languages.language(self)  # the descriptions are translated: 19 refuses an inactive language
        names = allfields or list(self.spec.fields)
        described = {name: self.spec.fields[name].describe(attributes, self._version, self._db)
                     for name in names if name in self.spec.fields}
        if group_fields.has_group_fields(self):  # described whole, whatever the attributes asked
            described.update(group_fields.descriptions(self, allfields))
        return described

    def name_search(
        self, name: str = "", args: list[Any] | None = None, operator: str = "ilike", limit: int = 100
    ) -> list[list[Any]]:
        """``[[id, display name], ...]`` of records whose name matches."""
        self._check_access("read")
        domain = list(args or [])
        if name or operator not in ("ilike", "like", "=ilike", "=like"):
            domain = [*domain, *self.spec.name_domain(operator, name)]
        ids = self._search_ids(domain, 0, limit, None)
        names = self._display_names(ids)
        return [[i, names.get(i, "")] for i in ids]

    def name_create(self, name):  # type: ignore[no-untyped-def]
        """Create a record from its name alone: ``[id, display name]``."""
        self._check_access("create")
        field = "name" if "name" in self.spec.fields else self.spec.rec_name
        values = {field: name}
        contact = re.fullmatch(r"\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*", name) if isinstance(name, str) else None
        if self.spec.name == "res.partner" and contact and contact[1]:  # "Name <email>", as Odoo splits it
            values = {"name": contact[1], "email": contact[2]}
        record_id = self._insert(values)
        return [record_id, self._display_names([record_id]).get(record_id, "")]

    def default_get(self, fields_list: list[str]) -> dict[str, Any]:
        """Default values of ``fields_list`` (as create() would use them); unknown names are ignored."""
        result: dict[str, Any] = {}
        defaults = hooks.defaults(self)
        for name in fields_list:
            field = self.spec.fields.get(name)
            if name in defaults:
                result[name] = defaults[name]
            elif field is not None and field.default is not None:
                result[name] = field.default
        result.update({k: v for k, v in self._with_context_defaults({}).items() if k in fields_list})
        return result

    def check_access_rights(self, operation, raise_exception=True):  # type: ignore[no-untyped-def]
        """Whether the user may perform ``operation``; raises AccessError unless told not to."""
        if operation not in access.OPERATIONS:
            raise PyAssertionError("Invalid access mode")
        if access.allowed(self.spec.name, operation, self.env.is_admin):
            return True
        if raise_exception:
            raise access.access_error(self._version, self.spec.name, self.spec.description, operation)
        return False

    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):  # type: ignore[no-untyped-def]
        """Groups with counts and aggregates (Odoo 17 shapes: ``<field>_count``, ``__domain``)."""
        return grouping.read_group(self, domain, fields, groupby, offset, limit, orderby, lazy)[0]

    def web_read_group(self, domain, fields, groupby, limit=None, offset=0, orderby=False,  # type: ignore[no-untyped-def]
                       lazy=True, expand=False, expand_limit=None, expand_orderby=False):
        """``{"groups": read_group(...), "length": number of groups}`` (Odoo 17 signature).

        Unfolding groups (``expand``) is a web-client feature the embedded server does not offer.
        """
        if expand or expand_limit or expand_orderby:
            raise PyValueError("web_read_group(expand=...) is not supported by the embedded server")
        groups, total = grouping.read_group(self, domain, fields, groupby, offset, limit, orderby, lazy)
        return {"groups": groups, "length": total}

    def web_search_read(self, domain, specification, offset=0, limit=None, order=None,  # type: ignore[no-untyped-def]
                        count_limit=None):
        """One page of records shaped by ``specification``, with the total count."""
        return webread.web_search_read(self, domain, specification, offset, limit, order, count_limit)

    def web_read(self, ids, specification):  # type: ignore[no-untyped-def]
        """Records shaped by ``specification``; missing ids dropped."""
        self._check_access("read")
        self._check_rule(self._as_ids(ids), "read")
        return webread.web_read(self, self._as_ids(ids), specification)

    def load(self, fields, data):  # type: ignore[no-untyped-def]
        """Import rows of text atomically: ``{"ids", "messages", "nextrow"}``."""
        return transfer.load(self, fields, data)

    def export_data(self, ids, fields_to_export):  # type: ignore[no-untyped-def]
        """``{"datas": rows}`` of text values for the given field paths."""
        return transfer.export_data(self, self._as_ids(ids), fields_to_export)

    def context_get(self):  # type: ignore[no-untyped-def]
        """res.users only: the calling user's context (lang, tz, uid)."""
        return self.env.registry.user_context(self.env.uid)


class DefaultGetOnFields(BaseModel):
    """``default_get(fields)``: the parameter's name on Odoo 19, and in Odoo 17's overrides of it.

    Odoo 17's own ``default_get`` calls it ``fields_list`` (see ``overrides.DEFAULT_GET_FIELDS_17``).
    """

    def default_get(self, fields: list[str]) -> dict[str, Any]:
        """Default values of ``fields``."""
        return BaseModel.default_get(self, fields)


def _row_count(clause: str, value: Any) -> int:
    """A LIMIT or OFFSET value; PostgreSQL refuses negative ones (SQLite would read them as "none")."""
    count = int(value)
    if count < 0:
        name = "InvalidRowCountInLimitClause" if clause == "LIMIT" else "InvalidRowCountInResultOffsetClause"
        raise postgres_error(name, f"{clause} must not be negative")
    return count
