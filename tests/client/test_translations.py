"""Translated fields as Odoo 17+ keeps them, and rolling back their writes.

Odoo keeps a translated field per language: a write in a language stores that language's text (and
en_US's when the field was empty), a write of False empties every language, and a language without
a text of its own shows the en_US value. A rollback restores every language as it stood.
``get_field_translations`` and ``update_field_translations`` answer and refuse as each version
does, and a contact's or a user's language is one of the active languages. French and Dutch are
activated here when they are not, and deactivated again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from users import SALESPERSON, internal_user

from zenoo import AccessError, MissingError, OdooServerError, UserError, ZenooClient

LANGUAGES = ("en_US", "fr_FR", "nl_BE")
MODEL = "res.partner.industry"  # full_name: translated, not required


@pytest.fixture
async def languages(client: ZenooClient) -> AsyncIterator[None]:
    """French and Dutch active on the server for the test, as they were afterwards."""
    found = await client.search_read(
        "res.lang", [("code", "in", list(LANGUAGES[1:])), ("active", "in", [True, False])], ["active"]
    )
    inactive = [row["id"] for row in found if not row["active"]]
    if inactive:
        await client.write("res.lang", inactive, {"active": True})
    try:
        yield
    finally:
        if inactive:  # other tests rely on French being inactive
            await client.write("res.lang", inactive, {"active": False})


@pytest.fixture
async def industry(client: ZenooClient, tag: str, languages: None) -> AsyncIterator[int]:
    """An industry whose full name the test translates; French and Dutch active on the server."""
    record = await client.create(MODEL, {"name": tag})
    try:
        yield record
    finally:
        await client.unlink(MODEL, [record])


async def _full_names(client: ZenooClient, record: int) -> dict[str, Any]:
    return {
        lang: (await client.with_context(lang=lang).read(MODEL, [record], ["full_name"]))[0]["full_name"]
        for lang in LANGUAGES
    }


async def test_each_language_keeps_its_own_text_or_shows_en_us(
    client: ZenooClient, industry: int, tag: str
) -> None:
    async def write(lang: str, value: Any) -> dict[str, Any]:
        await client.with_context(lang=lang).write(MODEL, [industry], {"full_name": value})
        return await _full_names(client, industry)

    en, fr, nl = LANGUAGES
    assert await write(en, "A") == {en: "A", fr: "A", nl: "A"}
    assert await write(fr, "B") == {en: "A", fr: "B", nl: "A"}
    assert await write(en, "C") == {en: "C", fr: "B", nl: "C"}
    assert await write(fr, False) == {en: False, fr: False, nl: False}  # every language emptied
    assert await write(fr, "F") == {en: "F", fr: "F", nl: "F"}  # en_US too, the field being empty
    assert await write(en, "G") == {en: "G", fr: "F", nl: "G"}
    assert await write(nl, "H") == {en: "G", fr: "F", nl: "H"}
    french = client.with_context(lang=fr)
    assert await french.search(MODEL, [("id", "=", industry), ("full_name", "=", "F")]) == [industry]
    assert await french.search(MODEL, [("id", "=", industry), ("full_name", "=", "G")]) == []
    assert await client.call(MODEL, "update_field_translations", ids=[industry],
                             kwargs={"field_name": "full_name", "translations": {nl: False}})  # fmt: skip
    assert await _full_names(client, industry) == {en: "G", fr: "F", nl: "G"}
    with pytest.raises(UserError, match="The following languages are not activated: de_DE"):
        await client.call(MODEL, "update_field_translations", ids=[industry],
                          kwargs={"field_name": "full_name", "translations": {"de_DE": "X"}})  # fmt: skip


async def test_a_record_created_in_a_language_has_its_text_there_and_in_en_us(
    client: ZenooClient, industry: int, tag: str
) -> None:
    french = client.with_context(lang="fr_FR")
    created = await french.create(MODEL, {"name": f"{tag} fr", "full_name": "D"})
    try:
        await client.write(MODEL, [created], {"full_name": "E"})
        assert await _full_names(client, created) == {"en_US": "E", "fr_FR": "D", "nl_BE": "E"}
    finally:
        await client.unlink(MODEL, [created])


async def test_an_inactive_language_reads_en_us_on_17_and_is_refused_on_19(
    target: Any, client: ZenooClient, industry: int
) -> None:
    german = client.with_context(lang="de_DE")
    if target.version >= 19:
        with pytest.raises(UserError, match="Invalid language code: de_DE"):
            await german.read(MODEL, [industry], ["full_name"])
    else:
        assert await german.read(MODEL, [industry], ["full_name"]) == await client.read(MODEL, [industry], ["full_name"])
    assert await german.call(MODEL, "read", ids=[industry], kwargs={"fields": ["active"]}) == [
        {"id": industry, "active": True}  # a field that is not translated is read in any language
    ]


async def _written_then_rolled_back(client: ZenooClient, lang: str, record: int, value: Any) -> None:
    view = client.with_context(lang=lang)
    with pytest.raises(RuntimeError, match="roll back"):
        async with view.transaction():
            await view.write(MODEL, [record], {"full_name": value})
            raise RuntimeError("roll back")


async def test_undoing_a_write_that_emptied_a_translated_field_restores_every_language(
    client: ZenooClient, industry: int, tag: str
) -> None:
    for lang in LANGUAGES:
        await client.with_context(lang=lang).write(MODEL, [industry], {"full_name": f"{tag} {lang}"})
    before = await _full_names(client, industry)
    assert before == {lang: f"{tag} {lang}" for lang in LANGUAGES}
    await _written_then_rolled_back(client, "fr_FR", industry, False)  # Odoo empties every language
    assert await _full_names(client, industry) == before


async def test_undoing_a_translation_leaves_a_language_that_followed_en_us_following_it(
    client: ZenooClient, industry: int, tag: str
) -> None:
    await client.write(MODEL, [industry], {"full_name": f"{tag} source"})  # no French of its own
    await _written_then_rolled_back(client, "fr_FR", industry, f"{tag} French")
    assert await _full_names(client, industry) == dict.fromkeys(LANGUAGES, f"{tag} source")
    await client.write(MODEL, [industry], {"full_name": f"{tag} renamed"})
    assert (await _full_names(client, industry))["fr_FR"] == f"{tag} renamed"  # still follows en_US


ENGLISH = ["en_US", "English (US)"]
FRENCH = ["fr_FR", "French / Français"]


async def _language_choices(client: ZenooClient, model: str) -> Any:
    return (await client.fields_get(model, ["lang"], ["selection"]))["lang"]["selection"]


async def test_a_contact_s_language_is_chosen_among_the_active_languages_by_name(
    client: ZenooClient, languages: None
) -> None:
    dutch = ["nl_BE", "Dutch (BE) / Nederlands (BE)"]
    for model in ("res.partner", "res.users"):  # German, inactive, is not offered
        assert await _language_choices(client, model) == [dutch, ENGLISH, FRENCH]


async def test_a_contact_s_languages_are_en_us_alone_when_no_other_is_active(client: ZenooClient) -> None:
    for model in ("res.partner", "res.users"):
        assert await _language_choices(client, model) == [ENGLISH]


async def test_an_inactive_language_is_refused_to_a_contact_on_17_and_stored_on_19(
    target: Any, client: ZenooClient, languages: None, tag: str, cleanup: None
) -> None:
    partner = await client.create("res.partner", {"name": tag, "lang": "fr_FR"})

    async def language_after_writing(lang: Any) -> Any:  # as sent: the client checks a selection's keys
        await client.call("res.partner", "write", ids=[partner], kwargs={"vals": {"lang": lang}})
        return (await client.read("res.partner", [partner], ["lang"]))[0]["lang"]

    assert await language_after_writing("nl_BE") == "nl_BE"
    assert await language_after_writing("") is False  # any falsy value empties a selection
    if target.version >= 19:  # 19 no longer checks a selection given by a method
        assert await language_after_writing("de_DE") == "de_DE"
    else:
        with pytest.raises(OdooServerError, match=r"Wrong value for res\.partner\.lang: 'de_DE'"):
            await language_after_writing("de_DE")


GET = "get_field_translations"
CHAR = {"translation_type": "char", "translation_show_source": False}  # a char field's translation dialog


async def _translations(client: ZenooClient, record: int, field: str = "full_name", model: str = MODEL,
                        **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    """``get_field_translations``'s answer, its translations by language (Odoo lists a set's)."""
    answer = await client.call(model, GET, ids=[record], kwargs={"field_name": field, **kwargs})
    assert isinstance(answer, list) and len(answer) == 2
    translations, context = answer
    return sorted(translations, key=lambda translation: translation["lang"]), context


def _text(lang: str, value: Any, source: Any = "A") -> dict[str, Any]:
    return {"lang": lang, "source": source, "value": value}


async def test_field_translations_give_each_active_language_its_own_text_else_en_us_s(
    client: ZenooClient, industry: int
) -> None:
    en, fr, nl = LANGUAGES
    never = [_text(lang, False, False) for lang in LANGUAGES]
    assert await _translations(client, industry) == (never, CHAR)  # never written: no text anywhere
    await client.write(MODEL, [industry], {"full_name": "A"})
    await client.with_context(lang=fr).write(MODEL, [industry], {"full_name": "B"})
    everyone = [_text(en, "A"), _text(fr, "B"), _text(nl, "A")]  # German, inactive, is not listed
    assert await _translations(client, industry) == (everyone, CHAR)
    assert await _translations(client, industry, langs=[]) == (everyone, CHAR)  # none asked: the active ones
    assert await _translations(client, industry, langs=[fr, fr]) == ([_text(fr, "B")], CHAR)
    assert await client.call(MODEL, "update_field_translations", ids=[industry],
                             kwargs={"field_name": "full_name", "translations": {nl: ""}})  # fmt: skip
    assert await _translations(client, industry, langs=[nl, en]) == ([_text(en, "A"), _text(nl, "")], CHAR)


async def test_field_translations_of_an_inactive_or_unknown_language_are_en_us_s_on_17_and_refused_on_19(
    target: Any, client: ZenooClient, industry: int
) -> None:
    await client.write(MODEL, [industry], {"full_name": "A"})
    for lang in ("de_DE", "xx_XX"):
        if target.version >= 19:
            with pytest.raises(UserError, match=f": Invalid language code: {lang}$"):
                await _translations(client, industry, langs=["fr_FR", lang])
        else:
            assert await _translations(client, industry, langs=[lang]) == ([_text(lang, "A")], CHAR)


async def test_field_translations_of_a_field_that_is_not_translated_are_none(
    client: ZenooClient, industry: int, tag: str
) -> None:
    assert await _translations(client, industry, "active") == ([], CHAR)
    assert await _translations(client, industry, "active", langs=["de_DE"]) == ([], CHAR)  # no language read
    text = {"translation_type": "text", "translation_show_source": False}
    partner = (await client.search("res.partner", [], limit=1))[0]
    assert await _translations(client, partner, "comment", "res.partner") == ([], text)  # html, untranslated
    product = await client.create("product.template", {"name": tag, "description_sale": "S"})
    try:
        answer = await _translations(client, product, "description_sale", "product.template", langs=["en_US"])
        assert answer == ([_text("en_US", "S", "S")], text)  # a translated text field
    finally:
        await client.unlink("product.template", [product])


async def test_field_translations_are_refused_as_odoo_refuses_them(
    client: ZenooClient, industry: int
) -> None:
    gone = await client.create(MODEL, {"name": "gone"})
    await client.unlink(MODEL, [gone])

    async def refusal(ids: list[int], **kwargs: Any) -> tuple[str | None, str]:
        with pytest.raises(OdooServerError) as raised:
            await client.call(MODEL, GET, ids=ids, kwargs={"field_name": "full_name", **kwargs})
        return raised.value.odoo_name, raised.value.message

    singleton = "builtins.ValueError", f"Expected singleton: {MODEL}"
    assert await refusal([industry, 1]) == (singleton[0], f"{singleton[1]}({industry}, 1)")
    assert await refusal([]) == (singleton[0], f"{singleton[1]}()")
    assert await refusal([industry], field_name="zz_nope") == ("builtins.KeyError", "zz_nope")
    assert await refusal([industry], langs=5) == ("builtins.TypeError", "'int' object is not iterable")
    assert await refusal([gone]) == (
        "odoo.exceptions.MissingError",
        f"Record does not exist or has been deleted.\n(Record: {MODEL}({gone},), User: 2)",
    )


async def test_field_translations_answer_on_both_protocols_whatever_the_context_s_language(
    any_client: ZenooClient, client: ZenooClient, industry: int
) -> None:
    await client.write(MODEL, [industry], {"full_name": "A"})
    german = any_client.with_context(lang="de_DE")  # inactive: 19 refuses it only where a text is read in it
    assert await _translations(german, industry, langs=["en_US"]) == ([_text("en_US", "A")], CHAR)
    # so do read, write and unlink of fields that are not translated
    assert await german.call(MODEL, "write", ids=[industry], kwargs={"vals": {"active": True}}) is True
    assert await german.call(MODEL, "read", ids=[industry], kwargs={"fields": ["active"]}) == [
        {"id": industry, "active": True}
    ]
    gone = await client.create(MODEL, {"name": "gone"})
    assert await german.call(MODEL, "unlink", ids=[gone]) is True


async def _update(client: ZenooClient, record: int, translations: dict[str, Any], field: str = "full_name",
                  **kwargs: Any) -> Any:  # fmt: skip
    arguments = {"field_name": field, "translations": translations, **kwargs}
    return await client.call(MODEL, "update_field_translations", ids=[record], kwargs=arguments)


async def _values(client: ZenooClient, record: int) -> dict[str, Any]:
    return {text["lang"]: text["value"] for text in (await _translations(client, record))[0]}


async def test_update_field_translations_sets_and_removes_texts_as_odoo_does(
    client: ZenooClient, industry: int
) -> None:
    en, fr, nl = LANGUAGES
    assert await _update(client, industry, {fr: "x"}) is True  # an empty field takes it in en_US too
    assert await _values(client, industry) == {en: "x", fr: "x", nl: "x"}
    assert await _update(client, industry, {en: False, fr: "y"}) is True  # en_US's is left alone
    assert await _values(client, industry) == {en: "x", fr: "y", nl: "x"}
    assert await _update(client, industry, {fr: 0, nl: ""}) is True  # a falsy value removes one, "" is a text
    assert await _values(client, industry) == {en: "x", fr: "x", nl: ""}
    for nothing in ({en: False}, {en: None}, {}):
        assert await _update(client, industry, nothing) is False
    assert await _update(client, industry, {fr: "z"}, "active") is False  # not translated
    assert await _values(client, industry) == {en: "x", fr: "x", nl: ""}
    with pytest.raises(UserError, match="only accept falsy values and str"):
        await _update(client, industry, {fr: 5})
    await client.write(MODEL, [industry], {"full_name": False})  # empty again: en_US takes the context's
    assert await _update(client.with_context(lang=nl), industry, {fr: "f", nl: "n"}) is True
    assert await _values(client, industry) == {en: "n", fr: "f", nl: "n"}


async def test_update_field_translations_writes_the_record(client: ZenooClient, industry: int) -> None:
    before = (await client.read(MODEL, [industry], ["write_date"]))[0]["write_date"]
    await asyncio.sleep(1.1)  # write dates are read in whole seconds
    assert await _update(client, industry, {"fr_FR": "x"}) is True
    assert (await client.read(MODEL, [industry], ["write_date"]))[0]["write_date"] > before


async def test_update_field_translations_are_refused_as_each_version_refuses_them(
    target: Any, client: ZenooClient, industry: int
) -> None:
    gone = await client.create(MODEL, {"name": "gone"})
    await client.unlink(MODEL, [gone])
    with pytest.raises(MissingError, match="Record does not exist or has been deleted"):
        await _update(client, gone, {"fr_FR": "x"})
    assert await _update(client, gone, {}) is False  # nothing to do: the record is not looked at
    assert await _update(client, gone, {"fr_FR": "x"}, "active") is False
    with pytest.raises(UserError, match="The following languages are not activated: de_DE$"):
        await _update(client, industry, {"de_DE": "x"}, "active")  # checked before the field is
    german = client.with_context(lang="de_DE")  # inactive: 19 refuses it (Odoo reads the field back in it)
    if target.version >= 19:
        with pytest.raises(OdooServerError, match=r"builtins\.KeyError: zz_nope"):
            await _update(client, industry, {"de_DE": "x"}, "zz_nope")
        with pytest.raises(UserError, match="The following languages are not activated: de_DE$"):
            await _update(client, industry, {"en_US": "x"}, source_lang="de_DE")
        assert await _update(client, industry, {"en_US": "x"}, source_lang="fr_FR") is True
        with pytest.raises(UserError, match="Invalid language code: de_DE$"):
            await _update(german, industry, {"en_US": "y"})
    else:
        with pytest.raises(UserError, match="The following languages are not activated: de_DE$"):
            await _update(client, industry, {"de_DE": "x"}, "zz_nope")  # 17 checks the languages first
        with pytest.raises(OdooServerError, match="got an unexpected keyword argument 'source_lang'"):
            await _update(client, industry, {"en_US": "x"}, source_lang="fr_FR")
        assert await _update(german, industry, {"en_US": "y"}) is True


async def test_a_user_s_inactive_language_is_refused_as_its_partner_s_when_odoo_hands_it_over(
    target: Any, client: ZenooClient, tag: str
) -> None:
    async def create(lang: str) -> int:  # as sent: the client checks a selection's keys
        values = {"name": tag, "login": f"{tag}-{lang}", "lang": lang}
        return int(await client.call("res.users", "create", args=[values]))

    async def write(record: int) -> Any:
        return await client.call("res.users", "write", ids=[record], kwargs={"vals": {"lang": "de_DE"}})

    user = await create("en_US")
    try:
        if target.version >= 19:  # not checked, and a user created with it keeps it
            assert await write(user) is True
            other = await create("de_DE")
            assert (await client.read("res.users", [user, other], ["lang"])) == [
                {"id": user, "lang": "de_DE"}, {"id": other, "lang": "de_DE"}
            ]
        else:  # 17 creates the partner with it, and writes it as the user's
            with pytest.raises(OdooServerError, match=r"Wrong value for res\.users\.lang: 'de_DE'"):
                await write(user)
            with pytest.raises(OdooServerError, match=r"Wrong value for res\.partner\.lang: 'de_DE'"):
                await create("de_DE")
    finally:
        users = await client.search("res.users", [("login", "like", f"{tag}-%")])
        partners = [row["partner_id"][0] for row in await client.read("res.users", users, ["partner_id"])]
        await client.unlink("res.users", users)
        await client.unlink("res.partner", partners)


async def test_an_internal_user_reads_translations_but_may_not_update_them(
    target: Any, client: ZenooClient, industry: int
) -> None:
    await client.write(MODEL, [industry], {"full_name": "A"})
    settings = "Role / Administrator" if target.version >= 19 else "Administration/Settings"
    async with internal_user(target, client, SALESPERSON) as user:
        assert await _translations(user, industry, langs=["en_US"]) == ([_text("en_US", "A")], CHAR)
        with pytest.raises(AccessError) as refused:
            await _update(user, industry, {"fr_FR": "x"})
    assert refused.value.message == (
        f"You are not allowed to modify 'Industry' ({MODEL}) records.\n\n"
        f"This operation is allowed for the following groups:\n\t- {settings}\n\n"
        "Contact your administrator to request access if necessary."
    )
