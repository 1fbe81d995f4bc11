"""Values on the wire, on every target: NaN and infinity are refused before sending, numpy and
pandas scalars are sent as their Python equivalents, the helpers check field names and values
before sending, a delegating model (``_inherits``) is created without its parent, Odoo's
unpadded minimum date (``"1-01-01"``) is read, and a partner's website is stored with a scheme."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from zenoo import FieldError, InvalidValueError, OdooServerError, ZenooClient

# their subject is not the connection: the embedded servers are reached in-process
pytestmark = pytest.mark.in_process


def _sent(client: ZenooClient, method: str) -> int:
    """How many ``method`` requests the client sent."""
    return client.stats.as_dict()["methods"].get(method, {}).get("requests", 0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
async def test_nan_and_infinity_are_refused_before_sending(any_client: ZenooClient, tag: str, bad: float) -> None:
    zc = any_client
    pid = await zc.create("res.partner", {"name": tag, "credit_limit": 5.0})
    try:
        field = "res.partner.credit_limit"
        with pytest.raises(InvalidValueError, match=rf"cannot send {bad!r} to Odoo for {field}: JSON has no NaN"):
            await zc.create("res.partner", {"name": f"{tag}-2", "credit_limit": bad})
        with pytest.raises(InvalidValueError, match=rf"for {field}"):
            await zc.create("res.partner", {"name": f"{tag}-2", "credit_limit": Decimal(str(bad))})
        with pytest.raises(InvalidValueError, match=rf"for {field}"):
            await zc.write("res.partner", pid, {"credit_limit": bad})
        record = await zc.model("res.partner").get(pid)
        record.credit_limit = bad
        with pytest.raises(InvalidValueError, match=rf"for {field}"):
            await record.save()
        with pytest.raises(InvalidValueError, match=rf"for {field}"):
            await zc.model("res.partner").filter(id=pid).update(credit_limit=bad)
        with pytest.raises(InvalidValueError, match=rf"for {field}"):
            await zc.model("res.partner").filter(credit_limit__gt=bad).count()
        with pytest.raises(InvalidValueError, match=rf"for {field}"):
            await zc.model("res.partner").filter([("credit_limit", "in", [1.0, bad])]).count()
        # unchecked paths: the request body itself is searched, and the place is named
        with pytest.raises(InvalidValueError, match=r"for res.partner.create \(at .*credit_limit in the request body\)"):
            await zc.create("res.partner", {"name": f"{tag}-2", "credit_limit": bad}, validate_required=False)
        with pytest.raises(InvalidValueError, match=r"for res.partner.write \(at .*credit_limit in the request body\)"):
            await zc.write("res.partner", pid, {"credit_limit": bad}, validate_required=False)
        with pytest.raises(InvalidValueError, match=r"for res.partner.write \(at .*credit_limit in the request body\)"):
            await zc.call("res.partner", "write", ids=[pid], args=({"credit_limit": bad},))
        with pytest.raises(InvalidValueError, match=r"for res.partner.search_count \(at .*\[0\]\[2\] in the request body\)"):
            await zc.search_count("res.partner", [("credit_limit", ">", bad)])
        assert _sent(zc, "write") == 0 and _sent(zc, "search_count") == 0
        [row] = await zc.read("res.partner", pid, ["credit_limit"])
        assert row["credit_limit"] == 5.0  # not stored as 0.0
        assert await zc.search_count("res.partner", [("name", "=like", f"{tag}%")]) == 1
    finally:
        await zc.unlink("res.partner", pid)


async def test_numpy_and_pandas_scalars_are_sent_as_python_values(any_client: ZenooClient, tag: str) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    zc = any_client
    pid = await zc.create(
        "res.partner",
        {"name": np.str_(tag), "color": np.int64(3), "customer_rank": np.int32(2), "credit_limit": np.float32(2.5),
         "is_company": np.bool_(True), "comment": pd.NA},
    )  # fmt: skip
    assert isinstance(pid, int)
    order = None
    try:
        [row] = await zc.read("res.partner", np.int64(pid), ["color", "customer_rank", "credit_limit", "is_company"])
        assert row == {"id": pid, "color": 3, "customer_rank": 2, "credit_limit": 2.5, "is_company": True}
        assert await zc.read("res.partner", np.array([pid]), ["id"]) == [{"id": pid}]
        assert await zc.write("res.partner", [np.int64(pid)], {"color": np.int32(4), "is_company": np.bool_(False)})
        assert await zc.call("res.partner", "write", ids=np.int64(pid), args=({"customer_rank": np.int64(5)},))
        partners = zc.model("res.partner")
        found = partners.filter(id=np.int64(pid), color__in=np.array([4, 9]), is_company=np.bool_(False))
        assert await found.count() == 1
        assert await zc.search_count("res.partner", [("id", "=", np.int64(pid)), ("customer_rank", "=", np.int32(5))]) == 1
        assert await partners.update(np.int64(pid), {"customer_rank": np.int32(6)})
        record = await partners.get(np.int64(pid))
        record.color = np.int64(6)
        await record.save()
        assert (record.color, record.customer_rank) == (6, 6)

        # values read back through our own pandas frame go back to Odoo as they are
        frame = await partners.filter(id=pid).only("color", "customer_rank", "credit_limit", "is_company").to_pandas(
            dtype_backend="numpy_nullable"
        )
        values = {name: frame[name].iloc[0] for name in ("color", "customer_rank", "credit_limit", "is_company")}
        copy = await zc.create("res.partner", {"name": f"{tag}-copy", **values})
        await zc.unlink("res.partner", copy)

        # dates and datetimes: numpy, pandas (tz-aware or not) and a pandas date column (midnight)
        order = await zc.create(
            "sale.order",
            {"partner_id": np.int64(pid), "validity_date": np.datetime64("2031-02-03"),
             "date_order": pd.Timestamp("2031-02-03 04:05:06", tz="Europe/Brussels")},
        )  # fmt: skip
        [read] = await zc.read("sale.order", order, ["validity_date", "date_order"])
        assert (read["validity_date"], read["date_order"]) == ("2031-02-03", "2031-02-03 03:05:06")
        dates = await zc.model("sale.order").filter(id=order).only("validity_date", "date_order").to_pandas(
            dtype_backend="numpy_nullable"
        )
        await zc.write("sale.order", order, {"validity_date": dates["validity_date"].iloc[0] + pd.Timedelta(days=1),
                                             "date_order": np.datetime64("2031-02-05T06:07:08.123456789")})  # fmt: skip
        [read] = await zc.read("sale.order", order, ["validity_date", "date_order"])
        assert (read["validity_date"], read["date_order"]) == ("2031-02-04", "2031-02-05 06:07:08")
        assert await zc.model("sale.order").filter(id=order, validity_date=pd.Timestamp("2031-02-04")).count() == 1
        await zc.write("sale.order", order, {"validity_date": pd.NaT})
        [read] = await zc.read("sale.order", order, ["validity_date"])
        assert read["validity_date"] is False
    finally:
        if order is not None:
            await zc.unlink("sale.order", order)
        await zc.unlink("res.partner", pid)


async def test_helpers_refuse_unknown_fields_and_wrong_values_before_sending(any_client: ZenooClient, tag: str) -> None:
    zc = any_client
    pid = await zc.create("res.partner", {"name": tag, "color": 1})
    try:
        with pytest.raises(FieldError, match=r"res.partner has no field 'nmae' \(did you mean 'name'\?\)$"):
            await zc.search_read("res.partner", [("id", "=", pid)], ["nmae"])
        # without a close match, the reason a field the user cannot see may be missing
        with pytest.raises(FieldError, match=r"res.partner has no field 'no_such_field' \(fields_get lists the"):
            await zc.read("res.partner", pid, ["name", "no_such_field"])
        with pytest.raises(FieldError, match=r"res.partner has no field 'no_such_field'"):
            await zc.write("res.partner", pid, {"no_such_field": 1})
        with pytest.raises(InvalidValueError, match=r"res.partner.color is an integer field: got 'red'"):
            await zc.write("res.partner", pid, {"color": "red"})
        with pytest.raises(InvalidValueError, match=r"'contactt' is not a valid choice for res.partner.type \(did you"):
            await zc.write("res.partner", pid, {"type": "contactt"})
        # what Odoo or PostgreSQL would refuse (or ignore) is refused here, by every write helper
        refused = [
            ({"color": 2**40}, InvalidValueError, r"res.partner.color is an integer field, stored in 32 bits"),
            ({"name": "a\x00b"}, InvalidValueError, r"res.partner.name: text cannot hold a NUL character"),
            ({"display_name": "x"}, FieldError, r"res.partner.display_name is computed and not stored"),
            ({"country_id": 0}, InvalidValueError, r"res.partner.country_id: 0 is not a record id"),
            ({"category_id": [(6, 0, "x")]}, InvalidValueError, r"res.partner.category_id: command \(6, 0, ids\)"),
            ({"category_id": [(4, -3)]}, InvalidValueError, r"command \(4, -3\).*-3 is not a record id"),
        ]
        for values, error, message in refused:
            with pytest.raises(error, match=message):
                await zc.write("res.partner", pid, values)
            with pytest.raises(error, match=message):
                await zc.create("res.partner", {"name": f"{tag}-2", **values})
            with pytest.raises(error, match=message):
                await zc.bulk_write("res.partner", {pid: values}, progress=False)
            with pytest.raises(error, match=message):
                await zc.bulk_create("res.partner", [{"name": f"{tag}-3"}, {"name": f"{tag}-4", **values}], progress=False)
        assert _sent(zc, "search_read") == _sent(zc, "read") == _sent(zc, "write") == 0
        assert _sent(zc, "load") == 0 and await zc.search_count("res.partner", [("name", "=like", f"{tag}-%")]) == 0
        assert _sent(zc, "fields_get") == 1  # asked once (by create), then kept by the client
        # what is right passes, converted as create converts it
        assert await zc.write("res.partner", pid, {"color": 2, "type": "invoice", "category_id": []})
        assert await zc.read("res.partner", pid, ["color", "type"]) == [{"id": pid, "color": 2, "type": "invoice"}]
        found = await zc.search_read("res.partner", [("id", "=", pid)], ["name", "display_name"])
        assert [row["name"] for row in found] == [tag]
        # unchecked, the write reaches Odoo, which refuses the unknown field itself
        with pytest.raises(OdooServerError, match="no_such_field"):
            await zc.write("res.partner", pid, {"no_such_field": 1}, validate_required=False)
        assert _sent(zc, "write") == 2 and _sent(zc, "fields_get") == 1
    finally:
        await zc.unlink("res.partner", pid)


async def test_a_delegating_model_is_created_without_its_parent(client: ZenooClient, tag: str) -> None:
    """res.users inherits res.partner through partner_id and product.product product.template
    through product_tmpl_id (``_inherits``): Odoo creates the parent when it is not given."""
    zc = client
    users = [await zc.create("res.users", {"name": tag, "login": tag})]
    try:
        # the many2one may also be given empty: Odoo creates the parent all the same
        users.append(await zc.create("res.users", {"name": f"{tag}-2", "login": f"{tag}-2", "partner_id": False}))
        rows = await zc.read("res.users", users, ["partner_id", "name"])
        assert [row["name"] for row in rows] == [tag, f"{tag}-2"] and all(row["partner_id"] for row in rows)
        product = await zc.create("product.product", {"name": tag})
        [row] = await zc.read("product.product", product, ["product_tmpl_id"])
        assert row["product_tmpl_id"]
        await zc.unlink("product.product", product)  # Odoo deletes the template with its last variant
        with pytest.raises(InvalidValueError, match=r"required field\(s\) login missing"):
            await zc.create("res.users", {"name": f"{tag}-3"})  # a required field Odoo does not fill
        assert _sent(zc, "create") == 3
    finally:
        partners = [row["partner_id"][0] for row in await zc.read("res.users", users, ["partner_id"])]
        await zc.unlink("res.users", users)
        await zc.unlink("res.partner", partners)  # Odoo keeps the partner of a deleted user
    assert await zc.search_count("res.partner", [("name", "=like", f"{tag}%")]) == 0
    assert await zc.search_count("product.template", [("name", "=", tag)]) == 0


async def test_blank_text_in_a_required_field_is_refused_before_sending(any_client: ZenooClient, tag: str) -> None:
    """Odoo stores blank text in a required char field (its web client refuses it): zenoo takes it
    for empty there, on create, write and bulk writes, as a write-back does; ``validate_required=False``
    sends it as given, and Odoo stores it."""
    zc = any_client
    kept = await zc.create("crm.tag", {"name": f"{tag}-kept"})
    try:
        for blank in ("", "   "):
            refused = rf"crm.tag.name is required: blank text {blank!r} counts as empty"
            with pytest.raises(InvalidValueError, match=refused):
                await zc.create("crm.tag", {"name": blank})
            with pytest.raises(InvalidValueError, match=refused):
                await zc.write("crm.tag", kept, {"name": blank})
            with pytest.raises(InvalidValueError, match=refused):
                await zc.bulk_write("crm.tag", {kept: {"name": blank}}, progress=False)
        assert (_sent(zc, "create"), _sent(zc, "write"), _sent(zc, "load")) == (1, 0, 0)
        assert [row["name"] for row in await zc.read("crm.tag", kept, ["name"])] == [f"{tag}-kept"]
        await zc.write("crm.tag", kept, {"name": ""}, validate_required=False)
        assert [row["name"] for row in await zc.read("crm.tag", kept, ["name"])] == [""]
    finally:
        await zc.unlink("crm.tag", kept)


async def test_a_required_x2many_is_not_asked_for(client: ZenooClient, tag: str) -> None:
    """Odoo enforces ``required`` through NOT NULL columns, and an x2many has none:
    product.template's product_variant_ids is required in fields_get, and Odoo fills it itself."""
    zc = client
    fields = await zc.fields_get("product.template", ["product_variant_ids"], ["required", "type"])
    assert fields["product_variant_ids"] == {"required": True, "type": "one2many"}
    template = await zc.create("product.template", {"name": tag})
    try:
        [row] = await zc.read("product.template", template, ["product_variant_ids"])
        assert len(row["product_variant_ids"]) == 1  # Odoo made the variant
    finally:
        await zc.unlink("product.template", template)
    assert await zc.search_count("product.template", [("name", "=", tag)]) == 0


async def test_odoo_minimum_date_is_read(client: ZenooClient) -> None:
    """Odoo sends ``date.min`` as ``"1-01-01"`` (res.company's computed lock dates when none is set)."""
    field = "max_tax_lock_date" if client.server_version[0] < 19 else "user_fiscalyear_lock_date"  # type: ignore[index]
    companies = await client.model("res.company").only(field).all()  # computed: not read by default
    assert companies
    [raw] = await client.read("res.company", companies[0].id, [field])
    assert raw[field] == "1-01-01"
    assert getattr(companies[0], field) == dt.date(1, 1, 1)


@pytest.mark.parametrize(
    ("website", "stored"),
    [
        ("example.com", "http://example.com"),
        ("www.example.com/a?b=1#c", "http://www.example.com/a?b=1#c"),
        ("//example.com/p", "http://example.com/p"),
        ("localhost:8069", "http://localhost:8069"),  # a host and its port, not a scheme
        ("example.com:8080/p", "example.com:8080/p"),  # "example.com" parses as a scheme
        ("HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM"),
    ],
)
async def test_a_partner_s_website_is_stored_with_a_scheme(
    client: ZenooClient, tag: str, website: str, stored: str
) -> None:
    """What Odoo's res.partner ``_clean_website`` stores, on ``create`` and on ``write``."""
    created = await client.create("res.partner", {"name": tag, "website": website})
    written = await client.create("res.partner", {"name": tag})
    try:
        await client.write("res.partner", [written], {"website": website})
        rows = await client.read("res.partner", [created, written], ["website"])
        assert [row["website"] for row in rows] == [stored, stored]
    finally:
        await client.unlink("res.partner", [created, written])
