"""Undoing writes of translated fields, language by language.

Odoo 17+ keeps a translated field's value per language, and a write in a language (the context's
``lang``) stores that language's translation only, but for two cases: ``False`` empties the field
in every language, and a language without a translation of its own shows the ``en_US`` value.
Undoing with the old value in the write's language alone would lose the other languages after a
``False``, and would give a language that followed ``en_US`` a copy of the English text as its own
translation (which no longer follows later ``en_US`` edits). So, before such a write, a
transaction reads the touched translated fields in every active language
(:func:`translations_before`); the undo writes them back language by language (:func:`restore`):
``en_US`` first, then each language whose value differed from it; the write's language, when it
followed ``en_US``, loses the translation the write gave it (``update_field_translations`` with
``False``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zenoo.fields.metadata import ModelFields
from zenoo.seams import OdooClient

__all__ = ["Translations", "restore", "translations_before"]

SOURCE_LANG = "en_US"


@dataclass
class Translations:
    """The values of translated fields before a write, per active language."""

    lang: str  # the write's language
    cleared: bool  # the write emptied a translated field (every language)
    values: dict[str, dict[int, dict[str, Any]]]  # language -> record id -> field -> value


async def translations_before(
    client: OdooClient,
    fields: ModelFields,
    ids: list[int],
    names: Sequence[str],
    context: Mapping[str, Any] | None,
    clears: Callable[[str], bool],
) -> Translations | None:
    """What the undo of a write of ``names`` needs of its translated fields, read in every active
    language (``en_US`` first, one ``read`` per language): all of them when the write is in another
    language than ``en_US`` (its context's, else the client's); else those it empties
    (``clears``). None when it needs none: the write's language is then enough."""
    lang = str({**client.context, **(context or {})}.get("lang") or SOURCE_LANG)
    translated = [name for name in names if fields.get(name).get("translate")]
    cleared = [name for name in translated if clears(name)]
    wanted = translated if lang != SOURCE_LANG else cleared
    if not wanted:
        return None
    active = await client.call("res.lang", "search_read", args=([("active", "=", True)],), kwargs={"fields": ["code"]})
    languages = [SOURCE_LANG, *sorted({row["code"] for row in active} - {SOURCE_LANG})]
    base = dict(context or {})

    async def read(language: str) -> dict[int, dict[str, Any]]:
        rows = await client.call(fields.model, "read", ids=ids, kwargs={"fields": wanted, "load": None},
                                 context={**base, "lang": language}, cache_ttl=0)  # fmt: skip
        return {row["id"]: row for row in rows}

    found = await asyncio.gather(*(read(language) for language in languages))
    return Translations(lang, bool(cleared), dict(zip(languages, found, strict=True)))


async def restore(
    client: OdooClient,
    model: str,
    translations: Translations,
    restore_values: dict[int, dict[str, Any]],
    context: Mapping[str, Any] | None,
    write: Callable[[dict[int, dict[str, Any]], Mapping[str, Any]], Awaitable[None]],
) -> dict[int, dict[str, Any]]:
    """Undo the translated fields of ``restore_values`` (record -> field -> old value in the write's
    language) language by language with ``write(values, context)``; returns the other fields."""
    values = translations.values
    rest: dict[int, dict[str, Any]] = {}
    by_lang: dict[str, dict[int, dict[str, Any]]] = {}
    followed: list[tuple[int, str]] = []  # the write's language followed en_US: no translation of its own
    for record_id, fields in restore_values.items():
        for name, value in fields.items():
            source = values[SOURCE_LANG].get(record_id)
            if source is None or name not in source:
                rest.setdefault(record_id, {})[name] = value
                continue
            by_lang.setdefault(SOURCE_LANG, {}).setdefault(record_id, {})[name] = source[name]
            for lang, rows in values.items():
                old = rows[record_id][name]
                if lang != SOURCE_LANG and old != source[name]:
                    by_lang.setdefault(lang, {}).setdefault(record_id, {})[name] = old
            lang = translations.lang  # not an active language: Odoo refused the write
            if lang in values and lang != SOURCE_LANG and not translations.cleared \
                    and values[lang][record_id][name] == source[name]:
                followed.append((record_id, name))
    base = dict(context or {})
    for lang in values:  # en_US first
        if lang in by_lang:
            await write(by_lang[lang], {**base, "lang": lang})
    for record_id, name in followed:
        await client.call(model, "update_field_translations", ids=[record_id],
                          kwargs={"field_name": name, "translations": {translations.lang: False}},
                          context=base)  # fmt: skip
    return rest
