"""The embedded server's ORM: SQLite storage, domains, ORM methods, users, demo data.

``Registry`` is the one entry point the HTTP layer uses; errors are ``OdooException`` subclasses
carrying what Odoo would send (name, message, arguments, debug, JSON-2 status).

Modules: ``schema`` (the models, per version) on ``fields`` (field specs shaped like
``fields_get``); ``domain`` (domains compiled to SQL) and ``ordering`` (order strings); ``model``
(CRUD, search, read and the other public methods; ``model19`` for 19's signatures), ``grouping``
(read_group and friends), ``webread`` (specification reads), ``transfer`` (load, export_data),
``hooks`` (per-model defaults, stored computed values, constraints), ``languages`` (translated
fields per language), ``access`` (rights of non-admin users), ``dispatch`` (which methods are
callable and how arguments bind), ``demo_data`` (seeded data), ``registry`` (the database, users and
entry points).

Known differences from a real Odoo: text sorts case-insensitively by code point (PostgreSQL uses the
database's locale collation, which also orders accents and punctuation); there are model access
rights and one record rule (``access.RECORD_RULES``); translated fields are translated in reads,
searches and writes only; computed values are limited to display names and sale amounts (one flat
15% tax); ``formatted_read_group`` has no ``having``.
"""

from zenoo.testing.orm.exceptions import OdooException
from zenoo.testing.orm.registry import Registry, UserCredentials

__all__ = ["OdooException", "Registry", "UserCredentials"]
