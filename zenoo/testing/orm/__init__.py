"""The embedded Odoo-compatible server's ORM: SQLite storage, domains, ORM methods, users, demo data.

``Registry`` is the one entry point the HTTP layer uses; errors are ``OdooException`` subclasses
carrying what Odoo would send (name, message, arguments, debug, JSON-2 status).
"""

from zenoo.testing.orm.exceptions import OdooException
from zenoo.testing.orm.registry import Registry, UserCredentials

__all__ = ["OdooException", "Registry", "UserCredentials"]
