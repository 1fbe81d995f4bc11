"""The models the embedded server knows, declared per Odoo version."""

from __future__ import annotations

import functools
import zoneinfo

from zenoo.testing.orm.fields import Field, ModelSpec
from zenoo.testing.orm.languages import installed

PARTNER_TYPE_HELP = (
    "- Contact: Use this to organize the contact details of employees of a given company (e.g. CEO, CFO, ...).\n"
    "- Invoice Address: Preferred address for all invoices. Selected by default when you invoice an order "
    "that belongs to this company.\n"
    "- Delivery Address: Preferred address for all deliveries. Selected by default when you deliver an order "
    "that belongs to this company.\n"
    "- Other: Other address for the company (e.g. subsidiary, ...)"
)


TZ_HELP = (
    "When printing documents and exporting/importing data, time values are computed according to this "
    "timezone.\nIf the timezone is not set, UTC (Coordinated Universal Time) is used.\nAnywhere else, time "
    "values are computed according to the time offset of your web client."
)


@functools.cache
def timezones() -> list[list[str]]:
    """The ``tz`` selection, as Odoo lists it: every time zone name, ``Etc/`` ones last."""
    names = sorted(zoneinfo.available_timezones() - {"Factory", "localtime", "posixrules"})
    return [[name, name] for name in sorted(names, key=lambda name: "_" if name.startswith("Etc/") else name)]


def _m2o(relation: str, string: str, **kw: object) -> Field:
    return Field("many2one", string, relation=relation, **kw)  # type: ignore[arg-type]


def _o2m(relation: str, inverse: str, string: str, **kw: object) -> Field:
    return Field("one2many", string, relation=relation, relation_field=inverse, **kw)  # type: ignore[arg-type]


def _m2m(relation: str, table: str, col1: str, col2: str, string: str, **kw: object) -> Field:
    return Field("many2many", string, relation=relation, relation_table=table, column1=col1, column2=col2,
                 **kw)  # type: ignore[arg-type]


def _magic() -> dict[str, Field]:
    """The fields every model has (id, display name, create/write stamps)."""
    return {
        "id": Field("integer", "ID", readonly=True),
        "display_name": Field("char", "Display Name", readonly=True, store=False),
        "create_uid": _m2o("res.users", "Created by", readonly=True),
        "create_date": Field("datetime", "Created on", readonly=True),
        "write_uid": _m2o("res.users", "Last Updated by", readonly=True),
        "write_date": Field("datetime", "Last Updated on", readonly=True),
    }


def _model(name: str, description: str, fields: dict[str, Field], **kw: object) -> ModelSpec:
    return ModelSpec(name, description, {**fields, **_magic()}, **kw)  # type: ignore[arg-type]


def _lock_dates(v19: bool) -> dict[str, Field]:
    """res.company's accounting dates (from the account module real Odoo has with sale_management).

    The computed lock dates (not stored) are the company's own lock date, or ``date.min`` when there
    is none, which Odoo sends as ``"1-01-01"``.
    """
    if not v19:
        return {
            "account_opening_date": Field("date", "Opening Entry", required=True,
                                          help="That is the date of the opening entry."),
            "fiscalyear_lock_date": Field("date", "All Users Lock Date", help=(
                "No users, including Advisers, can edit accounts prior to and inclusive of this date. "
                "Use it for fiscal year locking for example.")),
            "period_lock_date": Field("date", "Journals Entries Lock Date", help=(
                "Only users with the 'Adviser' role can edit accounts prior to and inclusive of this date. "
                "Use it for period locking inside an open fiscal year, for example.")),
            "tax_lock_date": Field("date", "Tax Return Lock Date", help=(
                "No users can edit journal entries related to a tax prior and inclusive of this date.")),
            "max_tax_lock_date": Field("date", "Max Tax Lock Date", readonly=True, store=False,
                                       depends=("tax_lock_date", "parent_id.max_tax_lock_date")),
        }
    postponed = "will be postponed to a later time, in accordance with its journal's sequence."
    fields = {
        "account_opening_date": Field("date", "Opening Entry", help="That is the date of the opening entry."),
        "fiscalyear_lock_date": Field("date", "Global Lock Date", help=f"Any entry up to and including that date "
                                                                        f"{postponed}"),
        "hard_lock_date": Field("date", "Hard Lock Date", help=(
            "Any entry up to and including that date will be postponed to a later time, in accordance with its "
            "journal sequence. This lock date is irreversible and does not allow any exception.")),
        "purchase_lock_date": Field("date", "Purchase Lock date", help=(
            "Any purchase entry prior to and including this date will be postponed to a later date, in "
            "accordance with its journal's sequence.")),
        "sale_lock_date": Field("date", "Sales Lock Date", help=(
            "Any sales entry prior to and including this date will be postponed to a later date, in accordance "
            "with its journal's sequence.")),
        "tax_lock_date": Field("date", "Tax Return Lock Date", help=(
            f"Any entry with taxes up to and including that date {postponed} The tax lock date is automatically "
            "set when the tax closing entry is posted.")),
    }
    for kind in ("fiscalyear", "hard", "purchase", "sale", "tax"):
        fields[f"user_{kind}_lock_date"] = Field("date", f"User {kind.capitalize()} Lock Date", readonly=True,
                                                 store=False, depends=(f"{kind}_lock_date",))
    return fields


def build_models(version: int) -> dict[str, ModelSpec]:
    """Every model of the embedded server for Odoo ``version`` (17 or 19), by name."""
    v19 = version >= 19
    price_digits = None if v19 else (16, 2)
    partner_types = (
        [["contact", "Contact"], ["invoice", "Invoice"], ["delivery", "Delivery"], ["other", "Other"]]
        if v19 else
        [["contact", "Contact"], ["invoice", "Invoice Address"], ["delivery", "Delivery Address"],
         ["other", "Other Address"]]
    )
    groups_field = "group_ids" if v19 else "groups_id"
    users_field = "user_ids" if v19 else "users"
    product_types = (
        [["consu", "Goods"], ["service", "Service"], ["combo", "Combo"]]
        if v19 else
        [["consu", "Consumable"], ["service", "Service"], ["product", "Storable Product"]]
    )
    models = [
        _model("res.partner", "Contact", {
            "name": Field("char", "Name"),
            "complete_name": Field("char", "Complete Name", readonly=True),
            "parent_id": _m2o("res.partner", "Related Company"),
            "child_ids": _o2m("res.partner", "parent_id", "Contact"),
            "category_id": _m2m("res.partner.category", "res_partner_res_partner_category_rel", "partner_id",
                                "category_id", "Tags"),
            "opportunity_ids": _o2m("crm.lead", "partner_id", "Opportunities",  # crm
                                    domain=(("type", "=", "opportunity"),)),
            "country_id": _m2o("res.country", "Country"),
            "company_id": _m2o("res.company", "Company"),
            "user_id": _m2o("res.users", "Salesperson"),
            "is_company": Field("boolean", "Is a Company", default=False,
                                help="Check if the contact is a company, otherwise it is a person"),
            "active": Field("boolean", "Active", default=True),
            "email": Field("char", "Email"),
            "phone": Field("char", "Phone"),
            "street": Field("char", "Street"),
            "city": Field("char", "City"),
            "zip": Field("char", "Zip"),
            "website": Field("char", "Website Link"),
            "function": Field("char", "Job Position"),
            "vat": Field("char", "Tax ID"),
            "ref": Field("char", "Reference"),
            "type": Field("selection", "Address Type", selection=partner_types, default="contact",
                          help=None if v19 else PARTNER_TYPE_HELP),
            "comment": Field("html", "Notes"),
            "lang": Field("selection", "Language", selection=installed, default="en_US",
                          help="All the emails and documents sent to this contact will be translated in this "
                               "language."),
            "tz": Field("selection", "Timezone", selection=timezones(), help=TZ_HELP),  # default: the context's
            "color": Field("integer", "Color Index", default=0),
            "customer_rank": Field("integer", "Customer Rank", default=0),
            "credit_limit": Field("float", "Credit Limit", default=0.0),
            "partner_latitude": Field("float", "Geo Latitude", digits=(10, 7), default=0.0),
            "partner_longitude": Field("float", "Geo Longitude", digits=(10, 7), default=0.0),
            **({} if v19 else {"date": Field("date", "Date")}),  # removed from res.partner in 19.0
        }, order="complete_name ASC, id DESC", rec_name="complete_name", parent_name="parent_id",
           name_search=("email", "ref", "vat")),
        _model("res.partner.category", "Partner Tags", {
            "name": Field("char", "Name" if v19 else "Tag Name", required=True, translate=True),
            "complete_name": Field("char", "Complete Name", readonly=True),
            "color": Field("integer", "Color", default=0),
            "parent_id": _m2o("res.partner.category", "Parent Category"),
            "child_ids": _o2m("res.partner.category", "parent_id", "Child Tags"),
            "active": Field("boolean", "Active", default=True,
                            help="The active field allows you to hide the category without removing it."),
            "partner_ids": _m2m("res.partner", "res_partner_res_partner_category_rel", "category_id",
                                "partner_id", "Partners"),
        }, order="complete_name", rec_name="complete_name", parent_name="parent_id", name_search=("name",)),
        _model("res.partner.industry", "Industry", {
            "name": Field("char", "Name", translate=True),
            "full_name": Field("char", "Full Name", translate=True),
            "active": Field("boolean", "Active", default=True),
        }, order="name, id"),
        _model("res.country", "Country", {
            "name": Field("char", "Country Name", required=True, translate=True),
            "code": Field("char", "Country Code", required=True, help="The ISO country code in two chars."),
            "phone_code": Field("integer", "Country Calling Code"),
        }, order="name"),
        _model("res.lang", "Languages", {
            "name": Field("char", "Name", required=True),
            "code": Field("char", "Locale Code", required=True),
            "active": Field("boolean", "Active", default=False),
        }, order="active desc, name"),
        _model("res.currency", "Currency", {
            "name": Field("char", "Currency", required=True),
            "symbol": Field("char", "Symbol", required=True),
            "rounding": Field("float", "Rounding Factor", default=0.01, digits=(12, 6)),
            # stored, computed from the rounding (hooks.after_change)
            "decimal_places": Field("integer", "Decimal Places", readonly=True, depends=("rounding",)),
            "active": Field("boolean", "Active", default=True),
        }, order="active desc, name"),
        _model("res.company", "Companies", {
            "name": Field("char", "Company Name", required=True),
            "sequence": Field("integer", "Sequence", default=10),
            "partner_id": _m2o("res.partner", "Partner"),
            "currency_id": _m2o("res.currency", "Currency"),
            "email": Field("char", "Email"),
            "active": Field("boolean", "Active", default=True),
            **_lock_dates(v19),
        }, order="sequence, name"),
        _model("res.users", "User", {  # inherits res.partner through partner_id (_inherits), as in Odoo
            "name": Field("char", "Name", inherited_from="partner_id.name"),
            "login": Field("char", "Login", required=True, help="Used to log into the system"),
            "password": Field("char", "Password", store=False,
                              help="Write-only: reads give an empty string; only a salted hash is kept"),
            "email": Field("char", "Email", inherited_from="partner_id.email"),
            "lang": Field("selection", "Language", selection=installed, default="en_US",
                          inherited_from="partner_id.lang"),
            "tz": Field("selection", "Timezone", selection=timezones(), inherited_from="partner_id.tz"),
            "partner_id": _m2o("res.partner", "Related Partner", required=True, ondelete="restrict"),
            "company_id": _m2o("res.company", "Company", required=True),
            "company_ids": _m2m("res.company", "res_company_users_rel", "user_id", "cid", "Companies"),
            "active": Field("boolean", "Active", default=True),
            "share": Field("boolean", "Share User", readonly=True, default=False),
            groups_field: _m2m("res.groups", "res_groups_users_rel", "uid", "gid", "Groups"),
            # only admins may read res.users.log: reading a user's every field is refused to others
            "log_ids": _o2m("res.users.log", "create_uid", "User log entries"),
        }, order="name, login", name_search=("login",)),
        _model("res.users.log", "Users Log", {}, order="id desc"),
        _model("res.groups", "Access Groups", {
            "name": Field("char", "Name", required=True, translate=True),
            "comment": Field("text", "Comment", translate=True),
            users_field: _m2m("res.users", "res_groups_users_rel", "gid", "uid", "Users"),
        }, order="name"),
        _model("product.template", "Product", {
            "name": Field("char", "Name", required=True, translate=True),
            "default_code": Field("char", "Internal Reference", copy=False),  # computed from the variants
            "type": Field("selection", "Product Type", selection=product_types, default="consu",
                          required=v19),
            # 'Product Price' precision: rounded to 2 digits on 17; 19 stores them unrounded (NUMERIC)
            "list_price": Field("float", "Sales Price", default=1.0, digits=price_digits),
            "standard_price": Field("float", "Cost", default=0.0, digits=price_digits),
            "sale_ok": Field("boolean", "Can be Sold", default=True),
            "active": Field("boolean", "Active", default=True),
            "description_sale": Field("text", "Sales Description", translate=True),
            "company_id": _m2o("res.company", "Company"),
            "product_variant_ids": _o2m("product.product", "product_tmpl_id", "Products", required=True),
        }, order="name", name_search=("default_code",)),
        _model("product.product", "Product Variant", {  # inherits product.template (_inherits), as in Odoo
            "product_tmpl_id": _m2o("product.template", "Product Template", required=True, ondelete="cascade"),
            "name": Field("char", "Name", translate=True, inherited_from="product_tmpl_id.name"),
            "default_code": Field("char", "Internal Reference"),
            "barcode": Field("char", "Barcode"),
            "lst_price": Field("float", "Sales Price", default=1.0, digits=price_digits),
            "active": Field("boolean", "Active", default=True),
        }, order="default_code, name, id", name_search=("default_code", "barcode")),
        _model("sale.order", "Sales Order", {
            "name": Field("char", "Order Reference", required=True, readonly=True),
            "partner_id": _m2o("res.partner", "Customer", required=True, ondelete="restrict"),
            "date_order": Field("datetime", "Order Date", required=True, copy=False),
            "validity_date": Field("date", "Expiration"),
            "commitment_date": Field("datetime", "Delivery Date"),
            "state": Field("selection", "Status", readonly=True, default="draft", selection=[
                ["draft", "Quotation"], ["sent", "Quotation Sent"], ["sale", "Sales Order"],
                ["cancel", "Cancelled"]]),
            "order_line": _o2m("sale.order.line", "order_id", "Order Lines", copy=True),
            "amount_untaxed": Field("monetary", "Untaxed Amount", readonly=True, default=0.0,
                                   currency_field="currency_id"),
            "amount_tax": Field("monetary", "Taxes", readonly=True, default=0.0,
                                   currency_field="currency_id"),
            "amount_total": Field("monetary", "Total", readonly=True, default=0.0,
                                   currency_field="currency_id"),
            "currency_id": _m2o("res.currency", "Currency"),
            "user_id": _m2o("res.users", "Salesperson"),
            "company_id": _m2o("res.company", "Company", required=True),
            "note": Field("html", "Terms and conditions"),
            "client_order_ref": Field("char", "Customer Reference"),
            "tag_ids": _m2m("crm.tag", "sale_order_tag_rel", "order_id", "tag_id", "Tags"),
            "opportunity_id": _m2o("crm.lead", "Opportunity"),  # sale_crm
        }, order="date_order desc, id desc"),
        _model("sale.order.line", "Sales Order Line", {
            "order_id": _m2o("sale.order", "Order Reference", required=True, ondelete="cascade"),
            "sequence": Field("integer", "Sequence", default=10),
            "product_id": _m2o("product.product", "Product"),
            "name": Field("text", "Description", required=True, depends=("product_id",)),  # from the product
            "product_uom_qty": Field("float", "Quantity", required=True, default=1.0),
            "price_unit": Field("float", "Unit Price", required=True, default=0.0, digits=price_digits),
            "discount": Field("float", "Discount (%)", default=0.0),
            "price_subtotal": Field("monetary", "Subtotal", readonly=True, default=0.0),
            "price_tax": Field("float", "Total Tax", readonly=True, default=0.0),
            "price_total": Field("monetary", "Total", readonly=True, default=0.0),
        }, order="order_id, sequence, id"),
        _model("crm.tag", "CRM Tag", {
            "name": Field("char", "Tag Name", required=True, translate=True),
            "color": Field("integer", "Color", default=0),
        }, order="name"),
        _model("crm.lead", "Lead" if v19 else "Lead/Opportunity", {
            "name": Field("char", "Opportunity", required=True),
            "partner_id": _m2o("res.partner", "Customer"),
            "email_from": Field("char", "Email"),
            "phone": Field("char", "Phone"),
            "type": Field("selection", "Type", required=True, default="opportunity",
                          selection=[["lead", "Lead"], ["opportunity", "Opportunity"]]),
            "priority": Field("selection", "Priority", default="0", selection=[
                ["0", "Low"], ["1", "Medium"], ["2", "High"], ["3", "Very High"]]),
            "expected_revenue": Field("monetary", "Expected Revenue", default=0.0,
                                      currency_field="company_currency"),
            # the company's currency, or the current company's (hooks.computed_values)
            "company_currency": _m2o("res.currency", "Currency", readonly=True, store=False,
                                     depends=("company_id",)),
            "probability": Field("float", "Probability", default=10.0, aggregator="avg"),
            "date_deadline": Field("date", "Expected Closing"),
            "user_id": _m2o("res.users", "Salesperson"),
            "country_id": _m2o("res.country", "Country"),
            "company_id": _m2o("res.company", "Company"),
            "description": Field("html", "Notes"),
            "tag_ids": _m2m("crm.tag", "crm_tag_rel", "lead_id", "tag_id", "Tags"),
            "active": Field("boolean", "Active", default=True),
        }, order="priority desc, id desc"),
        _model("ir.config_parameter", "System Parameter", {
            "key": Field("char", "Key", required=True),
            "value": Field("text", "Value", required=True),
        }, order="key", rec_name="key"),
        _model("ir.model.data", "Model Data", {
            "name": Field("char", "External Identifier", required=True),
            "module": Field("char", "Module", required=True),
            "model": Field("char", "Model Name", required=True),
            "res_id": Field("integer", "Record ID"),
            "noupdate": Field("boolean", "Non Updatable", default=False),
        }, order="module, model, name", rec_name="name"),
        _model("ir.model", "Models", {  # one record per model above (see demo_data.describe_models)
            "name": Field("char", "Model Description", required=True),
            "model": Field("char", "Model", required=True),
            "order": Field("char", "Order", required=True),
            "info": Field("text", "Information"),
            "state": Field("selection", "Type", readonly=True,
                           selection=[["manual", "Custom Object"], ["base", "Base Object"]]),
            "transient": Field("boolean", "Transient Model"),
        }, order="model", name_search=("model",)),
    ]
    for model in models:  # Odoo 19 searches display names; Odoo 17's cannot be searched
        model.fields["display_name"].search = v19
    return {model.name: model for model in models}
