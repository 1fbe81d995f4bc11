"""Pydantic models of Odoo records, lazy relations, runtime classes and code generation."""

from zenoo.models.base import OdooModel
from zenoo.models.builder import build_model_class, get_model_class
from zenoo.models.relations import Many2one, X2many

__all__ = ["Many2one", "OdooModel", "X2many", "build_model_class", "get_model_class"]
