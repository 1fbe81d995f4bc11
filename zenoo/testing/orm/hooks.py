"""Per-model behaviour: defaults, stored computed fields (names, order amounts), constraints."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from zenoo.testing.orm import group_fields
from zenoo.testing.orm.exceptions import (
    UserError,
    constraint_violation,
    frame,
    required_field_error,
    validation_error,
)
from zenoo.testing.orm.sql import IDS_PARAM, ids_json
from zenoo.testing.orm.values import decimal_places, now_string, stamp_string

if TYPE_CHECKING:
    from zenoo.testing.orm.fields import Field
    from zenoo.testing.orm.model import BaseModel

TAX_RATE = 0.15  # the one sales tax of the demo company
USER_SELF_WRITABLE = frozenset({"name", "email"})
MIN_DATE = "1-01-01"  # date.min as Odoo sends it (its year is not zero-padded)


def defaults(model: BaseModel) -> dict[str, Any]:
    """Defaults computed per call (sequence numbers excepted): user, company, dates, time zone."""
    name = model.spec.name
    if name == "sale.order":
        return {"date_order": now_string(), "user_id": model.env.uid, "company_id": 1, "currency_id": 1}
    if name == "crm.lead":
        return {"user_id": model.env.uid, "company_id": 1}
    tz = {"tz": model.env.context.get("tz") or False}  # res.partner's default, res.users inherits it
    if name == "res.users":
        return {"company_id": 1, **tz}
    if name == "res.partner":
        return tz
    if name == "res.company" and model.env.version < 19:  # the opening entry: January 1st of this year
        return {"account_opening_date": now_string()[:4] + "-01-01"}
    return {}


def computed_values(model: BaseModel, field: Field, ids: list[int]) -> dict[int, Any]:
    """Values of a computed field that is not stored, by record id.

    res.company's computed lock dates are the company's own lock date, or ``date.min``; a crm.lead's
    ``company_currency`` is its company's currency, or the current user's company's (an id, or None);
    other such fields are write-only (res.users.password) and read as an empty string.
    """
    if model.spec.name == "res.company" and field.type == "date":
        rows = model._sql(f"SELECT id, \"{field.depends[0]}\" FROM res_company WHERE id IN ({IDS_PARAM})",
                          [ids_json(ids)])
        return {record_id: value or MIN_DATE for record_id, value in rows}
    if model.spec.name == "crm.lead" and field.name == "company_currency":
        rows = model._sql(
            "SELECT l.id, COALESCE(c.currency_id, (SELECT uc.currency_id FROM res_users u JOIN res_company uc "
            f"ON uc.id = u.company_id WHERE u.id = ?)) FROM crm_lead l LEFT JOIN res_company c ON c.id = l.company_id "
            f"WHERE l.id IN ({IDS_PARAM})", [model.env.uid, ids_json(ids)])
        return dict(rows)
    return dict.fromkeys(ids, "")


def cleaned(model: BaseModel, vals: dict[str, Any]) -> dict[str, Any]:
    """Values as ``create`` and ``write`` store them: res.partner's website gets a scheme
    (``example.com`` -> ``http://example.com``), as Odoo's ``_clean_website`` gives it; Odoo 17's
    group fields of res.users become commands on its groups."""
    vals = group_fields.as_group_commands(model, vals)
    website = vals.get("website")
    if model.spec.name == "res.partner" and website and isinstance(website, str):
        return {**vals, "website": _clean_website(website)}
    return vals


_SCHEME = re.compile(r"[a-zA-Z0-9+-.]+")  # werkzeug's, as Odoo parses a website


def _clean_website(website: str) -> str:
    """``http://`` put in front of a website without a scheme; a scheme followed by digits only is
    a host and its port (``localhost:8069``)."""
    colon = website.find(":")
    if colon > 0 and _SCHEME.fullmatch(website[:colon]) and not website[colon + 1 :].isdigit():
        return website
    rest, netloc = website, ""
    if rest.startswith("//"):
        end = min([at for at in (rest.find(c, 2) for c in "/?#") if at >= 0], default=len(rest))
        netloc, rest = rest[2:end], rest[end:]
    rest, hash_, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    if not netloc:
        netloc, path = path, ""
    return f"http://{netloc}{path}{question}{query}{hash_}{fragment}"


def prepare_create(model: BaseModel, vals: dict[str, Any]) -> dict[str, Any]:
    """Fill the values create() derives from other values or sequences."""
    name = model.spec.name
    for key, value in defaults(model).items():
        vals.setdefault(key, value)
    db = model.env.registry.connection
    if name == "sale.order" and vals.get("name") in (None, False, "New"):
        vals["name"] = f"S{model.env.registry.next_sequence('sale.order'):05d}"
    elif name == "sale.order.line":
        product = vals.get("product_id")
        if isinstance(product, int) and not isinstance(product, bool):
            row = db.execute("SELECT name, lst_price FROM product_product WHERE id = ?", (product,)).fetchone()
            if row:
                vals.setdefault("name", row[0])
                vals.setdefault("price_unit", row[1])
    elif name == "product.product" and not vals.get("product_tmpl_id"):
        if not vals.get("name"):  # the template's name is required
            raise required_field_error(model.env.version, "product.template", "Product", "name", "Name")
        stamp, uid = stamp_string(model.env.version), model.env.uid
        cursor = db.execute(
            "INSERT INTO product_template (name, list_price, type, sale_ok, active, standard_price, "
            "create_uid, write_uid, create_date, write_date) VALUES (?, ?, 'consu', 1, 1, 0, ?, ?, ?, ?)",
            (vals.get("name"), float(vals.get("lst_price") or 1.0), uid, uid, stamp, stamp))
        vals["product_tmpl_id"] = cursor.lastrowid
    elif name == "res.users" and not vals.get("partner_id") and vals.get("name"):
        vals["partner_id"] = model.env["res.partner"]._insert({"name": vals["name"], "email": vals.get("email")})
    return vals


def after_change(model: BaseModel, ids: list[int], fields: set[str], created: bool) -> None:
    """Recompute stored computed values and check constraints after create() or write()."""
    name = model.spec.name
    db = model.env.registry.connection
    if name == "res.partner":
        if fields & {"name", "type"} and db.execute(  # the CHECK constraint res_partner_check_name
                f"SELECT 1 FROM res_partner WHERE id IN ({IDS_PARAM}) AND type = 'contact' AND name IS NULL",
                (ids_json(ids),)).fetchone():
            raise constraint_violation(model.env.version, "Contacts require a name")
        if "parent_id" in fields and not created:
            _check_no_cycle(model, ids, "You cannot create recursive Partner hierarchies.",
                            "res_partner.py", 459 if model.env.version < 19 else 544)
        if fields & {"name", "parent_id", "is_company"}:
            _recompute_partner_names(model, ids, created)
        if fields & {"parent_id", "type", *ADDRESS_FIELDS}:
            _sync_addresses(model, ids, fields, created)
    elif name == "res.partner.category":
        if "parent_id" in fields and not created:
            _check_no_cycle(model, ids, "You can not create recursive tags.", "res_partner.py",
                            166 if model.env.version < 19 else 120)
        if fields & {"name", "parent_id"}:
            _recompute_category_names(model, ids)
    elif name == "res.users" and "login" in fields:
        clash = db.execute(
            f"SELECT login FROM res_users WHERE login IN (SELECT login FROM res_users WHERE id IN "
            f"({IDS_PARAM})) GROUP BY login HAVING count(*) > 1", (ids_json(ids),)).fetchone()
        if clash:
            raise constraint_violation(model.env.version, "You can not have two users with the same login!")
    elif name == "product.template":
        if created:
            for template in ids:
                db.execute(
                    "INSERT INTO product_product (product_tmpl_id, name, default_code, lst_price, active, "
                    "create_uid, write_uid, create_date, write_date) SELECT id, name, default_code, list_price, "
                    "active, create_uid, write_uid, create_date, write_date FROM product_template WHERE id = ?",
                    (template,))
        elif fields & {"name", "list_price", "default_code"}:
            db.execute(
                "UPDATE product_product SET name = (SELECT t.name FROM product_template t WHERE t.id = "
                "product_tmpl_id), lst_price = (SELECT t.list_price FROM product_template t WHERE t.id = "
                f"product_tmpl_id) WHERE product_tmpl_id IN ({IDS_PARAM})", (ids_json(ids),))
    elif name == "product.product" and created:
        db.execute(f"UPDATE product_product SET name = (SELECT t.name FROM product_template t WHERE "
                   f"t.id = product_tmpl_id) WHERE id IN ({IDS_PARAM}) AND name IS NULL", (ids_json(ids),))
    elif name == "product.product" and "name" in fields:  # the name is the template's: its variants follow
        db.execute(f"UPDATE product_template SET name = (SELECT p.name FROM product_product p WHERE "
                   f"p.product_tmpl_id = product_template.id AND p.id IN ({IDS_PARAM})) WHERE id IN "
                   f"(SELECT product_tmpl_id FROM product_product WHERE id IN ({IDS_PARAM}))",
                   (ids_json(ids), ids_json(ids)))
        after_change(model.env["product.template"], [row[0] for row in db.execute(
            f"SELECT DISTINCT product_tmpl_id FROM product_product WHERE id IN ({IDS_PARAM})", (ids_json(ids),))],
            {"name"}, created=False)
    elif name == "sale.order.line":
        if fields & {"product_uom_qty", "price_unit", "discount", "order_id", "product_id"}:
            recompute_line_amounts(db, ids)
    elif name == "crm.lead" and "probability" in fields and db.execute(
            f"SELECT 1 FROM crm_lead WHERE id IN ({IDS_PARAM}) AND NOT (probability >= 0 AND probability <= 100)",
            (ids_json(ids),)).fetchone():  # the CHECK constraint crm_lead_check_probability
        raise constraint_violation(model.env.version,
                                   "The probability of closing the deal should be between 0% and 100%!")
    elif name == "sale.order" and "order_line" in fields:
        recompute_order_amounts(db, ids)
    elif name == "res.currency" and "rounding" in fields:
        for record_id, rounding in db.execute(
                f"SELECT id, rounding FROM res_currency WHERE id IN ({IDS_PARAM})", (ids_json(ids),)).fetchall():
            db.execute("UPDATE res_currency SET decimal_places = ? WHERE id = ?",
                       (decimal_places(rounding or 0.0), record_id))


def before_unlink(model: BaseModel, ids: list[int]) -> None:
    db = model.env.registry.connection
    if model.spec.name == "sale.order" and db.execute(
            f"SELECT 1 FROM sale_order WHERE id IN ({IDS_PARAM}) AND state NOT IN ('draft', 'cancel')",
            (ids_json(ids),)).fetchone():
        message = "You can not delete a sent quotation or a confirmed sales order. You must first cancel it."
        raise UserError(message, debug=f"odoo.exceptions.UserError: {message}")
    if model.spec.name == "res.partner" and model.env.version < 19:  # sale's res.partner.unlink
        orders = [row[0] for row in db.execute(
            f"SELECT id FROM sale_order WHERE partner_id IN ({IDS_PARAM}) AND state IN ('draft', 'cancel')",
            (ids_json(ids),))]
        model.env["sale.order"]._delete(orders)
    if model.spec.name == "sale.order.line":
        model.env.registry.pending_orders.update(
            row[0] for row in model.env.registry.connection.execute(
                f"SELECT DISTINCT order_id FROM sale_order_line WHERE id IN ({IDS_PARAM})", (ids_json(ids),)))
    elif model.spec.name == "product.product":  # a template goes with its last variant, as in Odoo
        model.env.registry.connection.execute(
            f"DELETE FROM product_template WHERE id IN (SELECT product_tmpl_id FROM product_product WHERE id IN "
            f"({IDS_PARAM})) AND NOT EXISTS (SELECT 1 FROM product_product p WHERE p.product_tmpl_id = "
            f"product_template.id AND p.id NOT IN ({IDS_PARAM}))", (ids_json(ids), ids_json(ids)))


def after_unlink(model: BaseModel, ids: list[int]) -> None:
    registry = model.env.registry
    if model.spec.name == "sale.order.line" and registry.pending_orders:
        recompute_order_amounts(registry.connection, sorted(registry.pending_orders))
        registry.pending_orders.clear()


def is_self_write(model: BaseModel, ids: list[int], vals: Any) -> bool:
    """True when a user edits only harmless fields of their own user record."""
    return ids == [model.env.uid] and isinstance(vals, dict) and set(vals) <= USER_SELF_WRITABLE


def _check_no_cycle(model: BaseModel, ids: list[int], message: str, source: str, line: int) -> None:
    table, parent = model.spec.table, model.spec.parent_name
    db = model.env.registry.connection
    for record_id in ids:
        seen = {record_id}
        current = db.execute(f"SELECT \"{parent}\" FROM \"{table}\" WHERE id = ?", (record_id,)).fetchone()[0]
        while current is not None:
            if current in seen:
                where = frame(f"odoo/addons/base/models/{source}", line, "_check_parent_id",
                              f"raise ValidationError(_('{message}'))")
                raise validation_error(message, where)
            seen.add(current)
            current = db.execute(f"SELECT \"{parent}\" FROM \"{table}\" WHERE id = ?", (current,)).fetchone()[0]


#: the address a contact shares with its parent (Odoo's res.partner._address_fields)
ADDRESS_FIELDS = ("street", "city", "zip", "country_id")


def _sync_addresses(model: BaseModel, ids: list[int], fields: set[str], created: bool) -> None:
    """Odoo's address sync between a contact and its parent (res.partner._fields_sync):

    - a contact (type ``contact``) given a parent, or made a contact, takes its parent's address
      when the parent has one;
    - Odoo 19: a contact whose address then differs from its parent's gives it to the parent (a
      full write, which passes it on to the parent's other contacts);
    - the contacts of a partner whose address was written take the values written;
    - Odoo 17: the first contact created under a company (or a root partner) without an address
      gives it its own.

    The copies are plain column updates, as Odoo's ``super().write``: they go no further.
    """
    if created and "parent_id" not in fields:
        return  # a new partner without a parent: its contacts, if any, were made under it (and synced then)
    db = model.env.registry.connection
    columns = ", ".join(ADDRESS_FIELDS)

    def address(record_id: int) -> tuple[Any, ...]:
        return tuple(db.execute(f"SELECT {columns} FROM res_partner WHERE id = ?", (record_id,)).fetchone() or ())

    def copy_to(record_ids: list[int], names: tuple[str, ...], values: tuple[Any, ...]) -> None:
        assignments = ", ".join(f"{n} = ?" for n in names)
        db.execute(f"UPDATE res_partner SET {assignments} WHERE id IN ({IDS_PARAM})", (*values, ids_json(record_ids)))

    written = tuple(n for n in ADDRESS_FIELDS if n in fields)
    parents = {row[0] for row in db.execute(  # the records with contacts to pass a written address to
        f"SELECT DISTINCT parent_id FROM res_partner WHERE parent_id IN ({IDS_PARAM}) AND type = 'contact'",
        (ids_json(ids),))} if written and not created else set()
    for record_id, parent, kind in db.execute(
            f"SELECT id, parent_id, type FROM res_partner WHERE id IN ({IDS_PARAM})", (ids_json(ids),)).fetchall():
        if parent is None and record_id not in parents:
            continue  # neither a contact nor a parent: nothing to sync
        contact = parent is not None and kind == "contact"
        theirs = address(parent) if contact else ()  # the parent's: only step 2 changes it, on 19, last
        if contact and fields & {"parent_id", "type"} and any(theirs):
            copy_to([record_id], ADDRESS_FIELDS, theirs)
        own = address(record_id)
        if model.env.version >= 19 and contact and fields & {"parent_id", *ADDRESS_FIELDS} and own != theirs:
            model._update([parent], dict(zip(ADDRESS_FIELDS, own, strict=True)))
        if record_id in parents:
            children = [row[0] for row in db.execute(
                "SELECT id FROM res_partner WHERE parent_id = ? AND type = 'contact'", (record_id,))]
            copy_to(children, written, tuple(own[ADDRESS_FIELDS.index(n)] for n in written))
        if model.env.version < 19 and created and contact and any(own) and not any(theirs):
            is_root = db.execute("SELECT is_company OR parent_id IS NULL FROM res_partner WHERE id = ?",
                                 (parent,)).fetchone()[0]
            siblings = db.execute("SELECT count(*) FROM res_partner WHERE parent_id = ?", (parent,)).fetchone()[0]
            if is_root and siblings == 1:
                copy_to([parent], ADDRESS_FIELDS, own)


def _recompute_partner_names(model: BaseModel, ids: list[int], created: bool = False) -> None:
    """complete_name of the partners and all their descendants, as Odoo computes it.

    A contact (not a company) with a parent is shown as "<commercial company>, <name>": the company
    at the top of its chain of parents when there is one, else its direct parent's name.
    """
    db = model.env.registry.connection
    affected = ids if created else [row[0] for row in db.execute(  # new records have no descendants yet
        "WITH RECURSIVE below(id) AS (SELECT value FROM json_each(?) UNION "
        "SELECT p.id FROM res_partner p JOIN below ON p.parent_id = below.id) SELECT id FROM below",
        (ids_json(ids),))]
    known: dict[int, tuple[str | None, int | None, bool]] = {}

    def partner(pid: int) -> tuple[str | None, int | None, bool]:
        if pid not in known:
            row = db.execute("SELECT name, parent_id, is_company FROM res_partner WHERE id = ?", (pid,)).fetchone()
            known[pid] = (row[0], row[1], bool(row[2])) if row else (None, None, False)
        return known[pid]

    def commercial(pid: int) -> int:
        """The top of the partner's chain of parents, stopping at the first company."""
        seen = set()
        _name, parent, is_company = partner(pid)
        while parent is not None and not is_company and pid not in seen:
            seen.add(pid)
            pid = parent
            _name, parent, is_company = partner(pid)
        return pid

    updates = []
    for pid in affected:
        name, parent, is_company = partner(pid)
        label = name
        if parent is not None and not is_company:
            top_name, _top_parent, top_is_company = partner(commercial(pid))
            prefix = top_name if top_is_company else partner(parent)[0]
            label = f"{prefix or ''}, {name or ''}"
        updates.append((label, pid))
    db.executemany("UPDATE res_partner SET complete_name = ? WHERE id = ?", updates)


def _recompute_category_names(model: BaseModel, ids: list[int]) -> None:
    """complete_name = "Parent / Child", down the whole subtree."""
    db = model.env.registry.connection
    level = ids
    while level:
        db.execute(
            "UPDATE res_partner_category SET complete_name = CASE WHEN parent_id IS NULL THEN name ELSE "
            "(SELECT p.complete_name FROM res_partner_category p WHERE p.id = res_partner_category.parent_id)"
            f" || ' / ' || name END WHERE id IN ({IDS_PARAM})", (ids_json(level),))
        level = [row[0] for row in db.execute(
            f"SELECT id FROM res_partner_category WHERE parent_id IN ({IDS_PARAM})", (ids_json(level),))]


def recompute_line_amounts(db: Any, ids: list[int]) -> None:
    """Subtotal, tax and total of order lines, then of their orders."""
    db.execute(
        "UPDATE sale_order_line SET price_subtotal = round(product_uom_qty * price_unit * "
        "(1 - discount / 100.0), 2) WHERE id IN (SELECT value FROM json_each(?))", (ids_json(ids),))
    db.execute(
        f"UPDATE sale_order_line SET price_tax = round(price_subtotal * {TAX_RATE}, 2), "
        "price_total = round(price_subtotal + round(price_subtotal * "
        f"{TAX_RATE}, 2), 2) WHERE id IN (SELECT value FROM json_each(?))", (ids_json(ids),))
    orders = [row[0] for row in db.execute(
        "SELECT DISTINCT order_id FROM sale_order_line WHERE id IN (SELECT value FROM json_each(?))", (ids_json(ids),))]
    recompute_order_amounts(db, orders)


def recompute_order_amounts(db: Any, order_ids: list[int]) -> None:
    """Order amounts are the sums of their lines."""
    db.execute(
        "UPDATE sale_order SET "
        "amount_untaxed = COALESCE((SELECT round(sum(price_subtotal), 2) FROM sale_order_line l "
        "WHERE l.order_id = sale_order.id), 0), "
        "amount_tax = COALESCE((SELECT round(sum(price_tax), 2) FROM sale_order_line l "
        "WHERE l.order_id = sale_order.id), 0), "
        "amount_total = COALESCE((SELECT round(sum(price_total), 2) FROM sale_order_line l "
        "WHERE l.order_id = sale_order.id), 0) "
        "WHERE id IN (SELECT value FROM json_each(?))", (ids_json(order_ids),))
