"""Odoo's vocabulary, below the model and query layers: field metadata from ``fields_get`` and field
paths (:mod:`~zenoo.fields.metadata`), lookups and operators (:mod:`~zenoo.fields.lookups`), Python
values ↔ Odoo's wire values (:mod:`~zenoo.fields.values`), and checked values for ``create`` and
``write`` (:mod:`~zenoo.fields.writing`). It imports nothing of zenoo but the exceptions and the
per-client state, so every layer above (client, models, queries, frames) may use it.
"""

from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.fields.values import RecordReference

__all__ = ["ModelFields", "RecordReference", "model_fields"]
