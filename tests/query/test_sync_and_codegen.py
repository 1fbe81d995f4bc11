"""The BlockingQuerySet, and model code generation (function and ``zenoo codegen`` command)."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from zenoo import BlockingQuerySet, Client, Q
from zenoo.cli import main as cli_main
from zenoo.models import Many2one
from zenoo.models.codegen import generate_source
from zenoo.models.common import ResPartner

from .conftest import calls


@pytest.fixture
def blocking(embedded: Any) -> typing.Iterator[Client]:
    with Client(embedded.url) as client:
        client.login(embedded.database, embedded.login, embedded.password)
        yield client


def test_sync_queryset_same_api_blocking(blocking: Client, marker: str) -> None:
    partners = blocking.model(ResPartner)
    assert isinstance(partners, BlockingQuerySet)
    parent = partners.create({"name": f"{marker}-parent", "is_company": True})
    kids = partners.bulk_create([{"name": f"{marker}-kid{i}", "parent_id": parent.id} for i in range(3)])
    mine = partners.filter(name__startswith=marker).order_by("name")
    assert mine.count() == 4 and mine.exists()
    assert [p.name for p in mine.filter(Q(name__endswith="kid0") | Q(is_company=True)).all()] == [
        f"{marker}-kid0",
        f"{marker}-parent",
    ]
    assert [p.id for p in mine.chunk(2)] == [kid.id for kid in kids] + [parent.id]  # iteration pages
    assert mine.first().name == f"{marker}-kid0"  # type: ignore[union-attr]
    assert mine.get(parent.id).is_company is True
    assert mine.values_list("name", flat=True)[-1] == f"{marker}-parent"
    assert mine.compiled_domain() == [("name", "=like", f"{marker}%")]
    assert mine.record_class() is ResPartner and mine.model_class is ResPartner
    assert mine.defer("email").field_names() == [n for n in mine.field_names() if n != "email"]
    # relations and record methods block on records from the blocking client
    kid = mine.get(name=f"{marker}-kid1")
    assert kid.parent_id.load().id == parent.id
    assert parent.child_ids.all() == []  # read back when it was created, before its kids existed
    fresh_parent = mine.prefetch("child_ids").get(parent.id)
    assert [k.id for k in fresh_parent.child_ids.all()] == [k.id for k in kids]
    kid.email = "kid1@example.com"
    kid.save()
    assert mine.filter(email="kid1@example.com").ids() == [kid.id]
    assert mine.filter(name__endswith="kid2").update(phone="7") is True
    assert mine.filter(phone="7").delete() is True
    assert mine.count() == 3


async def test_generated_source_compiles_and_queries(client: Any, embedded: Any, marker: str) -> None:
    source = await generate_source(client, ["res.partner", "res.country", "res.company"])
    assert "class ResPartner(OdooModel):" in source
    assert "_name: ClassVar[str] = 'res.partner'" in source
    assert "country_id: Many2one[ResCountry] | None" in source
    assert "user_id: Many2one[OdooModel] | None" in source  # res.users was not generated
    assert "type: Literal['contact', 'invoice', 'delivery', 'other'] | None" in source
    assert "create_date: _dt.datetime | None" in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "generated_models.py", "exec"), namespace)  # noqa: S102 - our own output
    partner_cls = namespace["ResPartner"]
    country_id = (await client.search("res.country", [], limit=1))[0]
    await client.create("res.partner", {"name": f"{marker}-gen", "country_id": country_id})
    partner = await client.model(partner_cls).filter(name=f"{marker}-gen").first()
    assert type(partner) is partner_cls
    country = await partner.country_id
    assert type(country) is namespace["ResCountry"] and country.id == country_id


@pytest.mark.parametrize("secret", ["password-env", "api-key-flag"])
def test_codegen_command_writes_a_module(
    embedded: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    out = tmp_path / "models.py"
    monkeypatch.delenv("ZENOO_API_KEY", raising=False)
    monkeypatch.setenv("ZENOO_DB", embedded.database)  # the database from the environment
    args = [
        "codegen",
        "res.partner",
        "sale.order",
        "-o",
        str(out),
        "--url",
        embedded.url,
        "--user",
        embedded.login,
    ]
    if secret == "api-key-flag":
        monkeypatch.delenv("ZENOO_PASSWORD", raising=False)
        args += ["--api-key", embedded.api_key]
    else:
        monkeypatch.setenv("ZENOO_PASSWORD", embedded.password)
    assert cli_main(args) == 0
    text = out.read_text()
    assert "class SaleOrder(OdooModel):" in text and "partner_id: Many2one[ResPartner] | None" in text
    namespace: dict[str, Any] = {}
    exec(compile(text, str(out), "exec"), namespace)  # noqa: S102
    assert (
        typing.get_origin(typing.get_args(namespace["SaleOrder"].model_fields["partner_id"].annotation)[0])
        is Many2one
    )


def test_codegen_command_needs_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZENOO_URL", "ZENOO_USER", "ZENOO_PASSWORD", "ZENOO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit, match="missing --url, --user, --password or --api-key"):
        cli_main(["codegen", "res.partner"])


def test_blocking_requests_are_counted_per_terminal(blocking: Client, embedded: Any, marker: str) -> None:
    blocking.model("res.partner").create(name=f"{marker}-count")
    query = blocking.model("res.partner").filter(name__startswith=marker)
    query.count()  # metadata cached
    embedded.server.reset_requests()
    assert query.count() == 1
    assert [r.method for r in calls(embedded.server)] == ["search_count"]
