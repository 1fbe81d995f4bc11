"""Odoo 19's variants of the ORM methods whose signatures or availability changed since 17."""

from __future__ import annotations

from typing import Any

from zenoo.testing.orm import access, grouping, languages
from zenoo.testing.orm.exceptions import PyAssertionError, PyValueError
from zenoo.testing.orm.model import BaseModel, DefaultGetOnFields


class BaseModel19(DefaultGetOnFields):
    """The public ORM methods as Odoo 19 names their parameters."""

    def name_search(
        self, name: str = "", domain: list[Any] | None = None, operator: str = "ilike", limit: int = 100
    ) -> list[list[Any]]:
        """``[[id, display name], ...]`` of records whose name matches."""
        return BaseModel.name_search(self, name, domain, operator, limit)

    def has_access(self, ids, operation):  # type: ignore[no-untyped-def]
        """Whether the user may perform ``operation`` on the records ``ids`` (19's check_access_rights)."""
        if operation not in access.OPERATIONS:
            raise PyAssertionError("Invalid access mode")
        return access.allowed(self.spec.name, operation, self.env.is_admin)

    def update_field_translations(self, ids, field_name, translations, source_lang=""):  # type: ignore[no-untyped-def]
        """19: ``source_lang``, the language of the terms a term-by-term translation replaces, must
        be active too (no field is translated term by term here)."""
        return self._update_translations(ids, field_name, translations, source_lang or languages.SOURCE)

    def copy(self, ids, default=None):  # type: ignore[no-untyped-def]
        """19: copies of the records (their ids), with ``default`` over the copied values."""
        return self._copy(self._as_ids(ids), default)

    def check_access_rights(self, operation, raise_exception=True):  # type: ignore[no-untyped-def]
        """19: ``check_access`` (None, or AccessError) when raising, else ``has_access``."""
        allowed = BaseModel.check_access_rights(self, operation, raise_exception)  # type: ignore[no-untyped-call]
        return None if raise_exception else allowed

    def formatted_read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0,  # type: ignore[no-untyped-def]
                             limit=None, order=None):
        """Groups as Odoo 19 formats them: ``__extra_domain`` and ``<field>:<agg>`` keys."""
        return grouping.formatted_read_group(self, domain, groupby, aggregates, having, offset, limit, order)[0]

    def web_read_group(self, domain, groupby, aggregates, limit=None, offset=0, order=None,  # type: ignore[no-untyped-def,override]
                       auto_unfold=False, opening_info=None, unfold_read_specification=None,
                       unfold_read_default_limit=80, groupby_read_specification=None):
        """``{"groups": formatted groups, "length": number of groups}`` (Odoo 19 signature).

        Unfolding groups (``auto_unfold``, ``unfold_*``, ``opening_info``) is a web-client feature
        the embedded server does not offer.
        """
        if auto_unfold or opening_info or unfold_read_specification or groupby_read_specification:
            raise PyValueError("web_read_group() unfolding options are not supported by the embedded server")
        # the first level only (the others open with the groups) and always with its count, as Odoo 19
        counted = [*aggregates, *([] if "__count" in aggregates else ["__count"])]
        groups, total = grouping.formatted_read_group(self, domain, list(groupby)[:1], counted, (), offset, limit,
                                                      order)  # fmt: skip
        return {"groups": groups, "length": total}
