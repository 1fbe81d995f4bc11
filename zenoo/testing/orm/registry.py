"""The Registry: one embedded Odoo database (SQLite), its users and the entry points the HTTP layer calls."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from zenoo.testing.orm import demo_data, languages
from zenoo.testing.orm.dispatch import Dispatcher
from zenoo.testing.orm.exceptions import OdooException, constraint_violation, python_error
from zenoo.testing.orm.fields import ModelSpec
from zenoo.testing.orm.ordering import parse_order
from zenoo.testing.orm.schema import build_models
from zenoo.testing.orm.values import LOCAL_TIME_SQL_FUNCTION, utc_to_local

SUPPORTED_VERSIONS = (17, 19)
_SQL_TYPES = {"integer": "INTEGER", "boolean": "INTEGER", "many2one": "INTEGER", "float": "REAL",
              "monetary": "REAL"}
_INDEXED = ("name", "complete_name", "login", "key", "email", "date_order", "res_id")


def _hash_password(secret: str, salt: bytes) -> bytes:
    # a test server answering every RPC call: salted SHA-256, cheap per request, never the password itself
    return hashlib.sha256(salt + secret.encode()).digest()


@dataclass(frozen=True)
class UserCredentials:
    """How a demo user logs in. The secrets never appear in repr()."""

    login: str
    password: str = field(repr=False)
    api_key: str = field(repr=False)
    uid: int


class Registry:
    """An embedded Odoo database: models on SQLite, demo data, users, and the RPC entry points.

    Every call runs in its own transaction: an error rolls back everything the call wrote, as Odoo
    does. All calls are expected on one thread (the server's event-loop thread).
    """

    def __init__(self, version: int = 19, scale: str | int = "small", seed: int = 42, path: str | None = None):
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(f"Unsupported Odoo version {version!r}: the embedded server imitates 17 and 19")
        demo_data.partner_count(scale)  # validate the scale before doing any work
        if path and path != ":memory:" and os.path.exists(path) and os.path.getsize(path) > 0:
            raise ValueError(f"Database file {path!r} already exists: the embedded server creates a fresh "
                             "database; remove the file or choose another path")
        self.version = version
        self.database = f"zenoo{version}"
        self.server_version_info: list[Any] = [version, 0, 0, "final", 0, ""]
        self.models: dict[str, ModelSpec] = build_models(version)
        self.connection = sqlite3.connect(path or ":memory:", isolation_level=None, check_same_thread=False)
        self.connection.execute("PRAGMA case_sensitive_like = ON")
        self.connection.create_function(LOCAL_TIME_SQL_FUNCTION, 2, utc_to_local, deterministic=True)
        # lower() of any letter, as PostgreSQL's in a UTF-8 database (SQLite's folds ASCII letters only)
        self.connection.create_function("lower", 1, lambda text: text.lower() if isinstance(text, str) else text,
                                        deterministic=True)
        self.connection.execute("PRAGMA journal_mode = MEMORY")
        self.connection.execute("PRAGMA synchronous = OFF")
        self.pending_orders: set[int] = set()
        self._create_tables()
        self.connection.execute("BEGIN")
        demo_data.populate(self.connection, version, scale, seed)
        demo_data.describe_models(self.connection, self.models)
        self._create_indexes()  # after the bulk insert: much faster than maintaining them row by row
        self.connection.execute("COMMIT")
        self.connection.execute("ANALYZE")
        self._password_hashes: dict[int, tuple[bytes, bytes]] = {}
        self.users: dict[str, UserCredentials] = {}
        for user in demo_data.users_for(version):
            if user.login in ("admin", "demo"):
                credentials = UserCredentials(login=user.login, password=secrets.token_urlsafe(12),
                                              api_key=secrets.token_hex(20), uid=user.uid)
                self.users[user.login] = credentials
                self.set_password(user.uid, credentials.password)
        self._dispatcher = Dispatcher(self)
        self._registry_hash = secrets.token_hex(32)

    # --- schema ----------------------------------------------------------------------------------

    def _create_tables(self) -> None:
        db = self.connection
        db.execute("CREATE TABLE zenoo_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        languages.create_table(db)
        link_tables: dict[str, tuple[str, str]] = {}
        for model in self.models.values():
            columns = ["id INTEGER PRIMARY KEY AUTOINCREMENT"]
            for name in model.columns():
                if name != "id":
                    columns.append(f"\"{name}\" {_SQL_TYPES.get(model.fields[name].type, 'TEXT')}")
            db.execute(f"CREATE TABLE \"{model.table}\" ({', '.join(columns)})")
            for name, spec in model.fields.items():
                if spec.type == "many2many" and spec.relation_table not in link_tables:
                    link_tables[spec.relation_table] = (spec.column1, spec.column2)  # type: ignore[index,assignment]
        for table, (col1, col2) in link_tables.items():
            db.execute(f"CREATE TABLE \"{table}\" (\"{col1}\" INTEGER NOT NULL, \"{col2}\" INTEGER NOT NULL, "
                       f"PRIMARY KEY (\"{col1}\", \"{col2}\")) WITHOUT ROWID")

    def _create_indexes(self) -> None:
        db = self.connection
        link_tables: dict[str, tuple[str, str]] = {}
        for model in self.models.values():
            for name, spec in model.fields.items():
                if (spec.type == "many2one" and spec.store and name not in ("create_uid", "write_uid")) or (
                        name in _INDEXED and spec.column):
                    db.execute(f"CREATE INDEX \"{model.table}_{name}_idx\" ON \"{model.table}\" (\"{name}\")")
                if spec.type == "many2many":
                    link_tables[spec.relation_table] = (spec.column1, spec.column2)  # type: ignore[index,assignment]
        for table, (col1, col2) in link_tables.items():
            db.execute(f"CREATE INDEX \"{table}_{col2}_idx\" ON \"{table}\" (\"{col2}\", \"{col1}\")")
        for model in self.models.values():  # the default order, so that a plain search needs no sort
            terms = []
            for term in parse_order(self.version, model, model.order):
                if term.field.type in ("many2one", "boolean"):
                    break  # sorted through the comodel, or as COALESCE(column, 0)
                terms.append(f"\"{term.field.name}\" {term.direction}")
            if terms:
                db.execute(f"CREATE INDEX \"{model.table}_order_idx\" ON \"{model.table}\" ({', '.join(terms)})")

    def is_admin(self, uid: int) -> bool:
        """Whether a user may do everything: the superuser, and members of the access-rights group."""
        if uid == demo_data.SUPERUSER_ID:
            return True
        row = self.connection.execute("SELECT 1 FROM res_groups_users_rel WHERE uid = ? AND gid = ?",
                                      (uid, demo_data.ADMIN_GROUP_ID)).fetchone()
        return row is not None

    def next_sequence(self, name: str) -> int:
        """The next number of a sequence (sale order references)."""
        row = self.connection.execute(
            "INSERT INTO zenoo_sequence (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", (name,)).fetchone()
        return int(row[0])

    # --- users -----------------------------------------------------------------------------------

    def set_password(self, uid: int, secret: str) -> None:
        """Set a user's password; only a salted hash is kept, in memory."""
        salt = secrets.token_bytes(16)
        self._password_hashes[uid] = (salt, _hash_password(secret, salt))

    def _password_matches(self, uid: int, secret: str) -> bool:
        stored = self._password_hashes.get(uid)
        return stored is not None and hmac.compare_digest(stored[1], _hash_password(secret, stored[0]))

    def authenticate(self, login: str, secret: str) -> int | None:
        """The uid of an active user given its password, or its API key (accepted as password, as Odoo does)."""
        if not isinstance(login, str) or not isinstance(secret, str):
            return None
        row = self.connection.execute("SELECT id FROM res_users WHERE login = ? AND active = 1", (login,)).fetchone()
        if row is None:
            return None
        uid: int = row[0]
        if self._password_matches(uid, secret):
            return uid
        user = self.users.get(login)
        if user is not None and user.uid == uid and hmac.compare_digest(user.api_key, secret):
            return uid
        return None

    def uid_for_api_key(self, key: str) -> int | None:
        """The uid owning an API key, or None."""
        if not isinstance(key, str):
            return None
        for user in self.users.values():
            if hmac.compare_digest(user.api_key, key):
                return user.uid
        return None

    def user_context(self, uid: int) -> dict[str, Any]:
        """The user's context as ``res.users.context_get`` gives it (lang, tz, uid)."""
        row = self.connection.execute("SELECT lang, tz FROM res_users WHERE id = ?", (uid,)).fetchone()
        lang, tz = row if row else ("en_US", "Europe/Brussels")
        return {"lang": lang or "en_US", "tz": tz or False, "uid": uid}

    def session_info(self, uid: int) -> dict[str, Any]:
        """The body of /web/session/authenticate and /web/session/get_session_info."""
        db = self.connection
        user = db.execute("SELECT name, login, partner_id FROM res_users WHERE id = ?", (uid,)).fetchone()
        if user is None:
            raise ValueError(f"No user with id {uid!r}")
        name, login, partner_id = user
        partner_name, partner_write = db.execute(
            "SELECT complete_name, write_date FROM res_partner WHERE id = ?", (partner_id,)).fetchone()
        is_admin = self.is_admin(uid)
        companies = {}
        for company_id, company_name, sequence, currency_id in db.execute(
                "SELECT id, name, sequence, currency_id FROM res_company ORDER BY id DESC"):
            company: dict[str, Any] = {"id": company_id, "name": company_name, "sequence": sequence,
                                       "child_ids": [], "parent_id": False}
            if self.version >= 19:
                company["currency_id"] = currency_id
            companies[str(company_id)] = company
        info: dict[str, Any] = {
            "uid": uid,
            "is_system": is_admin,
            "is_admin": is_admin,
            "is_public": False,
            "is_internal_user": True,
            "user_context": self.user_context(uid),
            "db": self.database,
            "server_version": f"{self.version}.0",
            "server_version_info": list(self.server_version_info),
            "support_url": "https://www.odoo.com/buy",
            "name": name,
            "username": login,
            "partner_display_name": partner_name,
            "partner_id": partner_id,
            "web.base.url": "http://127.0.0.1",
            "active_ids_limit": 20000,
            "profile_session": None,
            "profile_collectors": None,
            "profile_params": None,
            "max_file_upload_size": 134217728,
            "home_action_id": False,
            "currencies": self._currencies(),
            "bundle_params": {"lang": "en_US"},
            "user_companies": {"current_company": 1, "allowed_companies": companies,
                               "disallowed_ancestor_companies": {}},
            "show_effect": True,
        }
        if self.version >= 19:
            info["partner_write_date"] = partner_write
            info["registry_hash"] = self._registry_hash
        else:
            info["display_switch_company_menu"] = True
            info["user_id"] = [uid]
        return info

    def _currencies(self) -> dict[str, dict[str, Any]]:
        currencies = {}
        for currency_id, name, symbol, position in self.connection.execute(
                "SELECT id, name, symbol, CASE WHEN name = 'EUR' THEN 'after' ELSE 'before' END "
                "FROM res_currency WHERE active = 1 ORDER BY id"):
            entry: dict[str, Any] = {"name": name} if self.version >= 19 else {}
            entry.update(symbol=symbol, position=position, digits=[69, 2])
            currencies[str(currency_id)] = entry
        return currencies

    # --- calls -----------------------------------------------------------------------------------

    def _transaction(self, call: Any) -> Any:
        db = self.connection
        db.execute("BEGIN")
        try:
            result = call()
        except sqlite3.IntegrityError as exc:
            db.execute("ROLLBACK")
            self.pending_orders.clear()
            raise constraint_violation(self.version, str(exc)) from None
        except OdooException:
            db.execute("ROLLBACK")
            self.pending_orders.clear()
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            # bad input reaching Python code: Odoo reports such errors under their Python names
            db.execute("ROLLBACK")
            self.pending_orders.clear()
            raise python_error(exc) from exc
        except BaseException:
            db.execute("ROLLBACK")
            self.pending_orders.clear()
            raise
        db.execute("COMMIT")
        return result

    def execute_kw(self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any],
                   *, web: bool = False) -> Any:
        """Call an ORM method with JSON-RPC ``execute_kw`` semantics (ids first for record methods).

        ``web``: called by the web client's ``/web/dataset/call_kw`` route rather than ``/jsonrpc``.
        """
        return self._transaction(lambda: self._dispatcher.execute_kw(uid, model, method, args, kwargs, web=web))

    def execute_json2(self, uid: int, model: str, method: str, params: dict[str, Any]) -> Any:
        """Call an ORM method with JSON-2 semantics (named parameters; ``create`` returns a list)."""
        return self._transaction(lambda: self._dispatcher.execute_json2(uid, model, method, params))

    def close(self) -> None:
        """Release the database."""
        self.connection.close()


__all__ = ["OdooException", "Registry", "UserCredentials"]
