"""Ready-made classes for common Odoo models (``from zenoo.models.common import ResPartner``).

They declare the fields that standard Odoo 17 and 19 (with contacts, sales and CRM) share, typed
as ``zenoo codegen`` would type them. Records read through these classes load exactly these
fields (those the server has); use ``only(...)`` for others, or ``client.model("res.partner")``
for a class with every field of your server.
"""

from __future__ import annotations

import datetime as _dt
from typing import ClassVar, Literal

from pydantic import Field

from zenoo.models.base import OdooModel
from zenoo.models.relations import Many2one, X2many

__all__ = [
    "CrmLead",
    "ProductProduct",
    "ProductTemplate",
    "ResCompany",
    "ResCountry",
    "ResCurrency",
    "ResPartner",
    "ResPartnerCategory",
    "ResUsers",
    "SaleOrder",
    "SaleOrderLine",
]


class ResCountry(OdooModel):
    """A country."""

    _name: ClassVar[str] = "res.country"

    name: str | None = None
    code: str | None = None
    phone_code: int | None = None


class ResCurrency(OdooModel):
    """A currency."""

    _name: ClassVar[str] = "res.currency"

    name: str | None = None
    symbol: str | None = None
    rounding: float | None = None
    active: bool = True


class ResCompany(OdooModel):
    """A company of the database (not a partner that is a company)."""

    _name: ClassVar[str] = "res.company"

    name: str | None = None
    display_name: str | None = None
    email: str | None = None
    partner_id: Many2one[ResPartner] | None = None
    currency_id: Many2one[ResCurrency] | None = None
    active: bool = True


class ResPartnerCategory(OdooModel):
    """A partner tag."""

    _name: ClassVar[str] = "res.partner.category"

    name: str | None = None
    display_name: str | None = None
    color: int | None = None
    parent_id: Many2one[ResPartnerCategory] | None = None
    active: bool = True


class ResPartner(OdooModel):
    """A contact: a company (``is_company``) or a person, possibly of a parent company."""

    _name: ClassVar[str] = "res.partner"

    name: str | None = None
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    street: str | None = None
    city: str | None = None
    zip: str | None = None
    country_id: Many2one[ResCountry] | None = None
    function: str | None = None
    vat: str | None = None
    ref: str | None = None
    comment: str | None = None
    is_company: bool = False
    active: bool = True
    type: Literal["contact", "invoice", "delivery", "other"] | None = None
    customer_rank: int | None = None
    parent_id: Many2one[ResPartner] | None = None
    child_ids: X2many[ResPartner] = Field(default_factory=X2many)
    category_id: X2many[ResPartnerCategory] = Field(default_factory=X2many)
    company_id: Many2one[ResCompany] | None = None
    user_id: Many2one[ResUsers] | None = None
    create_date: _dt.datetime | None = None
    write_date: _dt.datetime | None = None


class ResUsers(OdooModel):
    """A user."""

    _name: ClassVar[str] = "res.users"

    name: str | None = None
    login: str | None = None
    email: str | None = None
    active: bool = True
    partner_id: Many2one[ResPartner] | None = None
    company_id: Many2one[ResCompany] | None = None


class ProductTemplate(OdooModel):
    """A product (the template its variants share)."""

    _name: ClassVar[str] = "product.template"

    name: str | None = None
    default_code: str | None = None
    type: str | None = None
    list_price: float | None = None
    standard_price: float | None = None
    sale_ok: bool = True
    active: bool = True
    product_variant_ids: X2many[ProductProduct] = Field(default_factory=X2many)


class ProductProduct(OdooModel):
    """A product variant."""

    _name: ClassVar[str] = "product.product"

    name: str | None = None
    display_name: str | None = None
    default_code: str | None = None
    barcode: str | None = None
    lst_price: float | None = None
    active: bool = True
    product_tmpl_id: Many2one[ProductTemplate] | None = None


class SaleOrder(OdooModel):
    """A quotation or sales order."""

    _name: ClassVar[str] = "sale.order"

    name: str | None = None
    partner_id: Many2one[ResPartner] | None = None
    date_order: _dt.datetime | None = None
    validity_date: _dt.date | None = None
    commitment_date: _dt.datetime | None = None
    state: str | None = None
    amount_untaxed: float | None = None
    amount_tax: float | None = None
    amount_total: float | None = None
    currency_id: Many2one[ResCurrency] | None = None
    user_id: Many2one[ResUsers] | None = None
    company_id: Many2one[ResCompany] | None = None
    client_order_ref: str | None = None
    order_line: X2many[SaleOrderLine] = Field(default_factory=X2many)


class SaleOrderLine(OdooModel):
    """A line of a sales order."""

    _name: ClassVar[str] = "sale.order.line"

    order_id: Many2one[SaleOrder] | None = None
    sequence: int | None = None
    product_id: Many2one[ProductProduct] | None = None
    name: str | None = None
    product_uom_qty: float | None = None
    price_unit: float | None = None
    discount: float | None = None
    price_subtotal: float | None = None
    price_tax: float | None = None
    price_total: float | None = None


class CrmLead(OdooModel):
    """A lead or opportunity."""

    _name: ClassVar[str] = "crm.lead"

    name: str | None = None
    partner_id: Many2one[ResPartner] | None = None
    email_from: str | None = None
    phone: str | None = None
    type: Literal["lead", "opportunity"] | None = None
    priority: str | None = None
    expected_revenue: float | None = None
    probability: float | None = None
    date_deadline: _dt.date | None = None
    user_id: Many2one[ResUsers] | None = None
    country_id: Many2one[ResCountry] | None = None
    company_id: Many2one[ResCompany] | None = None
    active: bool = True


for _cls in (
    ResCountry, ResCurrency, ResCompany, ResPartnerCategory, ResPartner, ResUsers,
    ProductTemplate, ProductProduct, SaleOrder, SaleOrderLine, CrmLead,
):  # fmt: skip
    _cls.model_rebuild()
