"""Rolling back writes of translated fields restores every language, as it stood.

Odoo 17+ keeps a translated field per language: a write of False empties every language, and a
language without a translation of its own shows the en_US value. Runs on a real Odoo with French
and Dutch active (activated here when they are not, and deactivated again); the embedded server does
not translate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from zenoo import ZenooClient

LANGUAGES = ("en_US", "fr_FR", "nl_BE")
MODEL = "res.partner.industry"  # full_name: translated, not required


@pytest.fixture
async def industry(target: Any, client: ZenooClient, tag: str) -> AsyncIterator[int]:
    """An industry whose full name the test translates; French and Dutch active on the server."""
    if target.embedded:
        pytest.skip("the embedded server does not translate (docs/testing-server.md)")
    found = await client.search_read(
        "res.lang", [("code", "in", list(LANGUAGES[1:])), ("active", "in", [True, False])], ["active"]
    )
    inactive = [row["id"] for row in found if not row["active"]]
    if inactive:
        await client.write("res.lang", inactive, {"active": True})
    record = await client.create(MODEL, {"name": tag})
    try:
        yield record
    finally:
        await client.unlink(MODEL, [record])
        if inactive:  # as they were: other tests rely on French being inactive
            await client.write("res.lang", inactive, {"active": False})


async def _full_names(client: ZenooClient, record: int) -> dict[str, Any]:
    return {
        lang: (await client.with_context(lang=lang).read(MODEL, [record], ["full_name"]))[0]["full_name"]
        for lang in LANGUAGES
    }


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
