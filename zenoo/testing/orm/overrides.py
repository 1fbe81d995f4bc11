"""Which class defines the ORM method real Odoo runs, per version and model.

Python names that class in argument errors (``ResPartner.write() got an unexpected keyword argument
'x'``), so these names are part of what a client sees. Probed on Odoo 17.0 and 19.0 with the apps
contacts, sale_management, stock and crm installed: every (model, method) not listed here runs
``BaseModel``'s method, or ``Base``'s for the web client's methods. Odoo 17's ``create`` wrapper is a
plain function (``create() got ...``).

Overrides can also rename a parameter: Odoo 17's ``BaseModel.default_get(fields_list)`` is overridden
as ``default_get(fields)`` for the models in ``DEFAULT_GET_FIELDS_17`` (Odoo 19 says ``fields`` everywhere).
"""

from __future__ import annotations

WEB_METHODS = frozenset({"web_read", "web_read_group", "web_search_read", "formatted_read_group"})

DEFAULT_GET_FIELDS_17 = frozenset({"res.partner", "res.users", "sale.order", "crm.lead"})

_MAIL_THREAD = "MailThread"
_OWNERS: dict[int, dict[str, dict[str, str]]] = {
    17: {
        "read": {"res.users": "UsersView"},
        "_read_format": {"res.users": "UsersView"},
        "fields_get": {"res.users": "UsersView", "product.product": "Product", "sale.order.line": "AnalyticMixin"},
        "read_group": {"res.users": "UsersView", "sale.order.line": "AnalyticMixin"},
        "default_get": {"res.partner": "Partner", "res.users": "UsersView", "sale.order": "UtmMixin",
                        "crm.lead": "UtmMixin"},
        "name_create": {"res.partner": "Partner"},
        "search_fetch": {"crm.lead": "Lead"},
        "write": {"res.partner": "ResPartner", "res.country": "Country", "res.currency": "ResCurrency",
                  "res.company": "ResCompany", "res.users": "Users", "res.groups": "ResGroups",
                  "product.template": "ProductTemplate", "product.product": "ProductProduct",
                  "sale.order": "SaleOrder", "sale.order.line": "SaleOrderLine", "crm.lead": "Lead",
                  "ir.config_parameter": "IrConfigParameter", "ir.model.data": "IrModelData"},
        "unlink": {"res.partner": "ResPartner", "res.currency": "Currency", "res.company": _MAIL_THREAD,
                   "res.users": "ResUsers", "res.groups": "GroupsView", "product.template": _MAIL_THREAD,
                   "product.product": "ProductProduct", "sale.order": _MAIL_THREAD, "crm.lead": "Lead",
                   "ir.config_parameter": "IrConfigParameter", "ir.model.data": "IrModelData"},
    },
    19: {
        "read": {"res.users": "ResUsers"},
        "fields_get": {"res.users": "ResUsers", "product.product": "ProductProduct"},
        "name_search": {"res.country": "ResCountry", "res.users": "ResUsers", "product.template": "ProductTemplate",
                        "product.product": "ProductProduct"},
        "default_get": {"res.partner": "ResPartner", "product.template": "ProductTemplate", "sale.order": "UtmMixin",
                        "crm.lead": "UtmMixin"},
        "name_create": {"res.partner": "ResPartner"},
        "create": {"res.partner": "ResPartner", "res.country": "ResCountry", "res.currency": "ResCurrency",
                   "res.company": "ResCompany", "res.users": "ResUsers", "res.groups": "ResGroups",
                   "product.template": "ProductTemplate", "product.product": "ProductProduct",
                   "sale.order": "SaleOrder", "sale.order.line": "SaleOrderLine", "crm.lead": "CrmLead",
                   "ir.config_parameter": "IrConfigParameter", "ir.model.data": "IrModelData"},
        "write": {"res.partner": "ResPartner", "res.country": "ResCountry", "res.currency": "ResCurrency",
                  "res.company": "ResCompany", "res.users": "ResUsers", "res.groups": "ResGroups",
                  "product.template": "ProductTemplate", "product.product": "ProductProduct",
                  "sale.order": "SaleOrder", "sale.order.line": "SaleOrderLine", "crm.lead": "CrmLead",
                  "ir.config_parameter": "IrConfigParameter", "ir.model.data": "IrModelData"},
        "unlink": {"res.partner": _MAIL_THREAD, "res.partner.category": "Base", "res.country": "ResCountry",
                   "res.currency": "ResCurrency", "res.company": "ResCompany", "res.users": "ResUsers",
                   "res.groups": "ResGroups", "product.template": _MAIL_THREAD, "product.product": "ProductProduct",
                   "sale.order": _MAIL_THREAD, "sale.order.line": "Base", "crm.tag": "Base", "crm.lead": "CrmLead",
                   "ir.config_parameter": "IrConfigParameter", "ir.model.data": "IrModelData"},
    },
}


def qualname(version: int, model: str, method: str) -> str:
    """The ``__qualname__`` of the method real Odoo runs for ``model.method`` (as its errors print it)."""
    if version < 19 and method == "create":
        return "create"
    owner = _OWNERS[17 if version < 19 else 19].get(method, {}).get(model)
    if owner is None:
        owner = "Base" if method in WEB_METHODS else "BaseModel"
    return f"{owner}.{method}"
