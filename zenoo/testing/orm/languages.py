"""Translated fields, per language, as Odoo 17+ keeps them.

Odoo stores a translated field as JSON by language. Here the model's column holds the ``en_US``
value and the table ``zenoo_translation`` each other language's own text; a language without a
text of its own shows the ``en_US`` value. What Odoo does, as measured on real 17 and 19:

- a read or search in the context's ``lang`` sees that language's text, else ``en_US``'s;
- a write in a language stores that language's text only, and ``en_US``'s too when the field was
  empty; a create in a language gives both the value; a write of ``False`` empties every language;
- ``update_field_translations`` sets languages' own texts (and ``en_US``'s when the field was
  empty), any other falsy value removing one, but ``en_US``'s, which it leaves alone;
- ``get_field_translations`` lists one record's text in each language asked (the active ones when
  none is): its own, else ``en_US``'s; 17 gives an inactive or unknown language ``en_US``'s text,
  19 refuses it (``Invalid language code``);
- a ``lang`` that is not an active language: 17 reads and writes ``en_US``, 19 refuses
  (``Invalid language code``) whatever touches a translated field.

Ordering, grouping, display names, ``load`` and ``copy`` use the ``en_US`` value. A contact's
language (``res.partner.lang``) is chosen among the active languages (:func:`installed`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm.exceptions import PyTypeError, UserError
from zenoo.testing.orm.sql import IDS_PARAM, ids_json
from zenoo.testing.orm.values import stamp_string

if TYPE_CHECKING:
    from zenoo.testing.orm.model import BaseModel

TABLE = "zenoo_translation"
SOURCE = "en_US"
#: the line of Odoo's get_field_translations that fails on ``langs`` that are not a set's
SET_OF_LANGS = "set(langs or [l[0] for l in self.env['res.lang'].get_installed()])"
#: the languages of a demo database (code, name, active): en_US active, the others inactive as in a
#: new Odoo database
DEMO_LANGUAGES = [("en_US", "English (US)", True), ("fr_FR", "French / Français", False),
                  ("nl_BE", "Dutch (BE) / Nederlands (BE)", False), ("de_DE", "German / Deutsch", False)]  # fmt: skip


def create_table(db: sqlite3.Connection) -> None:
    db.execute(f'CREATE TABLE {TABLE} ("table" TEXT NOT NULL, field TEXT NOT NULL, res_id INTEGER NOT NULL, '
               'lang TEXT NOT NULL, value TEXT, PRIMARY KEY ("table", field, res_id, lang)) WITHOUT ROWID')  # fmt: skip


def active_languages(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT code FROM res_lang WHERE active = 1")}


def installed(db: sqlite3.Connection) -> list[list[str]]:
    """Odoo's ``res.lang.get_installed()``: ``[code, name]`` of the active languages by name, the
    selection of ``res.partner.lang``."""
    rows = db.execute("SELECT code, name FROM res_lang WHERE active = 1 ORDER BY name")
    return [[code, name] for code, name in rows]


def invalid_language(lang: Any) -> UserError:
    message = f"Invalid language code: {lang}"
    return UserError(message, debug=f"odoo.exceptions.UserError: {message}")


def language(model: BaseModel) -> str | None:
    """The context's language when translated fields have a text of their own in it; None for
    ``en_US``. Call it only when a translated field is involved: that is when 19 refuses an
    inactive language."""
    lang = model.env.context.get("lang")
    if not lang or lang == SOURCE:
        return None
    if lang in active_languages(model.env.registry.connection):
        return str(lang)
    if model.env.version >= 19:
        raise invalid_language(lang)
    return None


def translated(model: BaseModel, names: Iterable[str]) -> list[str]:
    fields = model.spec.fields
    return [name for name in names if name in fields and fields[name].translate and fields[name].column]


def overlay(model: BaseModel, rows: list[dict[str, Any]], names: Iterable[str]) -> None:
    """Give ``rows`` (read in ``en_US``) the context language's own texts."""
    wanted = translated(model, names)
    if not wanted or not rows:
        return
    lang = language(model)
    if lang is None:
        return
    found = model.env.registry.connection.execute(
        f'SELECT res_id, field, value FROM {TABLE} WHERE "table" = ? AND lang = ? '
        f"AND field IN ({', '.join('?' * len(wanted))}) AND res_id IN ({IDS_PARAM})",
        [model.spec.table, lang, *wanted, ids_json(row["id"] for row in rows)],
    )
    own = {(res_id, field): value for res_id, field, value in found}
    for row in rows:
        for name in wanted:
            if (row["id"], name) in own:
                row[name] = own[row["id"], name]


def column_sql(model_table: str, field: str, column: str, lang: str) -> str:
    """An SQL expression of a translated column in ``lang`` (``lang`` is an active language code)."""
    return (f'COALESCE((SELECT value FROM {TABLE} WHERE "table" = \'{model_table}\' AND field = \'{field}\' '
            f"AND lang = '{lang}' AND res_id = {column.rsplit('.', 1)[0]}.id), {column})")  # fmt: skip


def take(model: BaseModel, columns: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Take out of ``columns`` (about to be stored) the translated values that go to the context's
    language rather than to ``en_US``: ``(language, {field: value})`` for :func:`store`, or None.
    ``False`` stays: it empties every language."""
    names = [name for name in translated(model, columns) if columns[name] is not None]
    lang = language(model) if names else None
    return (lang, {name: columns.pop(name) for name in names}) if lang is not None else None


def store(model: BaseModel, ids: list[int], taken: tuple[str, Mapping[str, Any]] | None, *, creating: bool) -> None:
    """Store the texts :func:`take` took, in its language, of ``ids``; ``en_US``'s too where the
    field is empty (always, for new records)."""
    if taken is None:
        return
    lang, values = taken
    table = model.spec.table
    for name, value in values.items():
        empty = "" if creating else f' AND "{name}" IS NULL'
        model.env.registry.connection.execute(
            f'UPDATE "{table}" SET "{name}" = ? WHERE id IN ({IDS_PARAM}){empty}', [value, ids_json(ids)]
        )
        _set_own(model, ids, name, lang, value)


def _set_own(model: BaseModel, ids: list[int], name: str, lang: str, value: Any) -> None:
    """Give ``ids`` a text of their own in ``lang``."""
    model.env.registry.connection.executemany(
        f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
        [(model.spec.table, name, record_id, lang, value) for record_id in ids],
    )


def forget(model: BaseModel, ids: list[int], names: Iterable[str] | None = None) -> None:
    """Drop the other languages' texts of ``ids`` (of ``names``, else of every field)."""
    db, table = model.env.registry.connection, model.spec.table
    fields = list(names) if names is not None else None
    if fields == []:
        return
    only = f" AND field IN ({', '.join('?' * len(fields))})" if fields else ""
    db.execute(f'DELETE FROM {TABLE} WHERE "table" = ? AND res_id IN ({IDS_PARAM}){only}',
               [table, ids_json(ids), *(fields or [])])  # fmt: skip


def asked(model: BaseModel, langs: Any) -> list[Any]:
    """The languages ``get_field_translations`` lists: ``langs`` without repeats, else (when falsy)
    the active ones. Odoo makes a set of them, in no set order; here they keep the order given."""
    try:
        return list(dict.fromkeys(langs or [code for code, _name in installed(model.env.registry.connection)]))
    except TypeError as exc:  # not iterable, or holding lists
        where = f"    langs = {SET_OF_LANGS}\n            {'^' * len(SET_OF_LANGS)}\n"
        raise PyTypeError(str(exc), debug=f"{where}TypeError: {exc}") from None


def field_translations(model: BaseModel, record_id: int, field_name: str, codes: list[Any]) -> list[Any]:
    """Odoo's ``get_field_translations`` of an existing record: ``[translations, context]``, with a
    ``{"lang", "source", "value"}`` per language of ``codes`` for a translated field (none for
    another field), and the context a translation dialog is opened with."""
    field = model.spec.fields[field_name]
    context = {
        "translation_type": "text" if field.type in ("text", "html") else "char",
        "translation_show_source": False,  # True for fields translated term by term (html_translate): none here
    }
    if not translated(model, [field_name]):
        return [[], context]
    db, table = model.env.registry.connection, model.spec.table
    (stored,) = db.execute(f'SELECT "{field_name}" FROM "{table}" WHERE id = ?', [record_id]).fetchone()
    source = False if stored is None else stored
    own = dict(db.execute(f'SELECT lang, value FROM {TABLE} WHERE "table" = ? AND field = ? AND res_id = ?',
                          [table, field_name, record_id]))  # fmt: skip
    active = active_languages(db) | {SOURCE}
    translations = []
    for lang in codes:
        if lang not in active and model.env.version >= 19:
            raise invalid_language(lang)
        value = own.get(lang, source) if lang in active else source
        translations.append({"lang": lang, "source": source, "value": value})
    return [translations, context]


def check_activated(model: BaseModel, codes: Iterable[Any]) -> None:
    """Odoo's refusal of languages that are not active (``en_US`` always is) in
    ``update_field_translations``. Odoo names them in a set's order; here in the order given."""
    active = active_languages(model.env.registry.connection) | {SOURCE}
    inactive = [str(code) for code in dict.fromkeys(codes) if code not in active]
    if inactive:
        message = f"The following languages are not activated: {', '.join(inactive)}"
        raise UserError(message, debug=f"odoo.exceptions.UserError: {message}")


def update_field_translations(model: BaseModel, record_id: int, field_name: str,
                              translations: Mapping[str, Any]) -> bool:
    """Odoo's ``update_field_translations`` of one record, its languages active: each language's own
    text (a str), any other falsy value removing it (but ``en_US``'s, left alone); ``en_US`` takes a
    text too when the field was empty (``en_US``'s, else the context language's, else the first).
    False when the field is not translated or nothing is left to do."""
    if not translated(model, [field_name]):
        return False
    if any(value and not isinstance(value, str) for value in translations.values()):
        message = "Translations for model translated fields only accept falsy values and str"
        raise UserError(message, debug=f"odoo.exceptions.UserError: {message}")
    texts = {lang: value if isinstance(value, str) else None for lang, value in translations.items()
             if lang != SOURCE or isinstance(value, str)}  # fmt: skip
    if not texts:
        return False
    context_lang = language(model)  # 19 refuses an inactive one: Odoo reads the field back in it
    model._ensure_exist([record_id])
    db, table = model.env.registry.connection, model.spec.table
    row = db.execute(f'SELECT "{field_name}" FROM "{table}" WHERE id = ?', [record_id]).fetchone()
    if row[0] is None and SOURCE not in texts:
        candidates = [texts.get(context_lang or SOURCE), *texts.values()]
        texts[SOURCE] = next((text for text in candidates if text is not None), None)
    for lang, text in texts.items():
        if lang == SOURCE:
            db.execute(f'UPDATE "{table}" SET "{field_name}" = ? WHERE id = ?', [text, record_id])
        elif text is None:
            db.execute(f'DELETE FROM {TABLE} WHERE "table" = ? AND field = ? AND lang = ? AND res_id = ?',
                       [table, field_name, lang, record_id])  # fmt: skip
        else:
            _set_own(model, [record_id], field_name, lang, text)
    db.execute(f'UPDATE "{table}" SET write_uid = ?, write_date = ? WHERE id = ?',  # Odoo writes the field back
               [model.env.uid, stamp_string(model.env.version), record_id])  # fmt: skip
    return True
