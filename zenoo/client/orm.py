"""The ORM helpers of :class:`ZenooClient` (``search_read``, ``create``, ``read_group`` …).

They are keyword-first, check their arguments before anything is sent, and build on
:meth:`ZenooClient.call`, which they reach through :class:`OrmMethods`, the client's base class.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zenoo.client.arguments import count_arg, domain_arg, names_arg, search_kwargs
from zenoo.client.grouping import GroupingRequest
from zenoo.exceptions import AccessError, InvalidValueError, NotAuthenticatedError
from zenoo.fields.metadata import model_fields, resolve_path
from zenoo.fields.writing import checked_create_values, checked_write_values
from zenoo.protocols.base import check_ids
from zenoo.query.domain import check_domain
from zenoo.writing.created import answered_ids

if TYPE_CHECKING:
    from zenoo.client.shared import SharedState
    from zenoo.models import OdooModel
    from zenoo.seams import OdooClient

    # for mypy, the helpers are written against the client they are part of (``call`` & co.)
    _Client = OdooClient
else:
    _Client = object

#: The operations of Odoo's model access rights.
ACCESS_OPERATIONS = ("read", "write", "create", "unlink")


class OrmMethods(_Client):
    """The helpers over ``call``; :class:`zenoo.client.ZenooClient` is one."""

    _shared: SharedState

    async def search_read(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Records matching ``domain`` as dicts (all readable fields when ``fields`` is None).

        The positional order (``limit`` before ``offset``) is zenoo-rpc's. A name in ``fields``
        or the domain that ``model`` does not have raises :class:`FieldError` before the search
        is sent (as does an operator the field does not take: :class:`InvalidLookupError`).
        """
        kwargs = search_kwargs(domain, offset, limit, order)
        await check_domain(self, model, kwargs["domain"])
        if fields is not None:
            kwargs["fields"] = await self._known_fields(model, fields)
        answer: list[dict[str, Any]] = await self.call(model, "search_read", kwargs=kwargs, context=context)
        return answer

    async def search(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        """Ids of the records matching ``domain`` (checked as :meth:`search_read` checks it)."""
        kwargs = search_kwargs(domain, offset, limit, order)
        await check_domain(self, model, kwargs["domain"])
        answer: list[int] = await self.call(model, "search", kwargs=kwargs, context=context)
        return answer

    async def search_count(
        self, model: str, domain: Sequence[Any] | None = None, context: Mapping[str, Any] | None = None
    ) -> int:
        """Number of records matching ``domain`` (checked as :meth:`search_read` checks it)."""
        checked = domain_arg(domain)
        await check_domain(self, model, checked)
        answer: int = await self.call(model, "search_count", kwargs={"domain": checked}, context=context)
        return answer

    async def read(
        self,
        model: str,
        ids: int | Iterable[int],
        fields: Sequence[str] | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        load: str | None = "_classic_read",
    ) -> list[dict[str, Any]]:
        """Read records by id (missing ids are silently left out, as Odoo does).

        ``load=None`` returns many2one values as bare ids instead of ``[id, name]``. A name in
        ``fields`` that ``model`` does not have raises :class:`FieldError` before the read is sent.
        """
        id_list = check_ids(ids)
        kwargs: dict[str, Any] = {}
        if fields is not None:
            kwargs["fields"] = await self._known_fields(model, fields)
        if load != "_classic_read":
            kwargs["load"] = load
        answer: list[dict[str, Any]] = await self.call(model, "read", ids=id_list, kwargs=kwargs, context=context)
        return answer

    async def _known_fields(self, model: str, fields: Sequence[str]) -> list[str]:
        """``fields`` as a list of names, each a field of ``model`` (``fields_get``, cached per client)."""
        names = names_arg(fields, "fields")
        if names:
            (await model_fields(self, model)).check(names)
        return names

    async def create(
        self,
        model: str,
        values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        context: Mapping[str, Any] | None = None,
        validate_required: bool = True,
    ) -> int | list[int]:
        """Create one record (a dict → its id) or several (a list of dicts → their ids).

        ``validate_required``: before anything is sent, check and convert every value set as the
        models layer does, against the model's cached ``fields_get`` and ``default_get``: a
        required field given empty or neither given nor defaulted by the server, an unknown
        field, a value of the wrong type or an unknown selection key raises a :class:`ClientError`
        (``InvalidValueError``/``FieldError``) and nothing is created; dates, datetimes, Decimals
        and bytes are converted to Odoo's wire forms. ``False`` sends the values as given.
        """
        vals_list: list[Mapping[str, Any]]
        if isinstance(values, Mapping):
            single, vals_list = True, [values]
        elif isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
            single, vals_list = False, list(values)
            for index, item in enumerate(vals_list):
                if not isinstance(item, Mapping):
                    raise InvalidValueError(
                        f"create() needs dicts of field values; item {index} is a {type(item).__name__}"
                    )
        else:
            raise InvalidValueError(f"create() needs a dict or a list of dicts, got {type(values).__name__}")
        if not isinstance(validate_required, bool):
            raise InvalidValueError(f"validate_required must be True or False, got {validate_required!r}")
        if not vals_list:
            return []
        if validate_required:
            vals_list = [await checked_create_values(self, model, vals) for vals in vals_list]
        # Always a list on the wire: JSON-2 answers a list for a dict anyway, so both agree.
        ids = answered_ids(model, await self.call(model, "create", args=(vals_list,), context=context), len(vals_list))
        return ids[0] if single else ids

    async def write(
        self,
        model: str,
        ids: int | Iterable[int],
        values: Mapping[str, Any],
        context: Mapping[str, Any] | None = None,
        check_access: bool = True,
        validate_required: bool = True,
    ) -> bool:
        """Write ``values`` on the records ``ids``.

        ``validate_required``: before anything is sent, check and convert the values as ``create``
        does (against the model's cached ``fields_get``): an unknown field, a value of the wrong
        type, an unknown selection key or a required field given empty raises a
        :class:`ClientError` and nothing is written. ``False`` sends the values as given.
        ``check_access``: first make sure the user has the write access right on ``model``
        (Odoo's ``check_access_rights("write")``, asked once per model and login); without it
        the server's :class:`AccessError` is raised and the write is not sent. Record rules are
        still enforced by the write itself.
        """
        if not isinstance(values, Mapping):
            raise InvalidValueError(f"write() needs a dict of field values, got {type(values).__name__}")
        if not isinstance(check_access, bool):
            raise InvalidValueError(f"check_access must be True or False, got {check_access!r}")
        if not isinstance(validate_required, bool):
            raise InvalidValueError(f"validate_required must be True or False, got {validate_required!r}")
        id_list = check_ids(ids)
        vals = dict(values)
        if validate_required:
            vals = await checked_write_values(self, model, vals)
        if check_access:
            await self.require_write_access(model)
        answer: bool = await self.call(model, "write", ids=id_list, args=(vals,), context=context)
        return answer

    async def require_write_access(self, model: str) -> None:
        """Raise :class:`AccessError` unless the user has the write access right on ``model``
        (Odoo's ``check_access_rights("write")``, asked once per model and login)."""
        shared = self._shared
        if model in shared.writable_models:
            return
        try:
            await self.call(model, "check_access_rights", kwargs={"operation": "write"}, cache_ttl=0)
        except AccessError as exc:
            raise AccessError(
                f"{model} not written: Odoo's check_access_rights('write') refused it ({' '.join(exc.message.split())}); Odoo lets a "
                "user write some records without that right (a user's own preferences on res.users): "
                "client.write(..., check_access=False) sends such a write and lets Odoo decide",
                odoo_name=exc.odoo_name, arguments=exc.arguments, debug=exc.debug, http_status=exc.http_status,
            ) from None
        shared.writable_models.add(model)

    async def unlink(
        self, model: str, ids: int | Iterable[int], context: Mapping[str, Any] | None = None
    ) -> bool:
        """Delete the records ``ids``."""
        answer: bool = await self.call(model, "unlink", ids=check_ids(ids), context=context)
        return answer

    async def fields_get(
        self,
        model: str,
        fields: Sequence[str] | None = None,
        attributes: Sequence[str] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Field definitions of ``model``; cached per client, model, fields, attributes and language."""
        field_names = tuple(names_arg(fields, "fields")) if fields is not None else None
        attribute_names = tuple(names_arg(attributes, "attributes")) if attributes is not None else None
        lang = {**self.context, **(context or {})}.get("lang")
        key = (model, field_names, attribute_names, lang)
        cached = self._shared.fields_cache.get(key)
        if cached is None:
            kwargs: dict[str, Any] = {}
            if field_names is not None:
                kwargs["allfields"] = list(field_names)
            if attribute_names is not None:
                kwargs["attributes"] = list(attribute_names)
            cached = await self.call(model, "fields_get", kwargs=kwargs, context=context)
            self._shared.fields_cache[key] = cached
        return dict(cached)

    async def get_model_fields(self, model: str, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Alias of :meth:`fields_get` (zenoo-rpc compatibility)."""
        return await self.fields_get(model, context=context)

    async def get_model_class(self, model: str) -> type[OdooModel]:
        """The Pydantic class of ``model``, built from ``fields_get`` once per client."""
        from zenoo.models import get_model_class

        return await get_model_class(self, model)

    async def get_or_create_model(self, model: str) -> type[OdooModel]:
        """Alias of :meth:`get_model_class` (zenoo-rpc compatibility)."""
        return await self.get_model_class(model)

    async def check_model_access(self, model: str, operation: str = "read") -> bool:
        """Whether the user may ``operation`` (read, write, create, unlink) records of ``model``.

        Odoo's model-level access rights (``check_access_rights``); record rules are not consulted.
        """
        if operation not in ACCESS_OPERATIONS:
            raise InvalidValueError(f"unknown operation {operation!r}: use one of {', '.join(ACCESS_OPERATIONS)}")
        allowed = await self.call(
            model, "check_access_rights", kwargs={"operation": operation, "raise_exception": False}
        )
        return bool(allowed)

    async def readable_models(self, models: Iterable[str]) -> frozenset[str]:
        """Those of ``models`` the user may read (:meth:`check_model_access`), each asked once per
        login, concurrently."""
        known = self._shared.readable_models
        models = set(models)
        unknown = sorted(models - set(known))
        answers = await asyncio.gather(*(self.check_model_access(model) for model in unknown))
        known.update(zip(unknown, answers, strict=True))
        return frozenset(model for model in models if known[model])

    async def visible_ids(
        self, model: str, ids: Iterable[int], *, context: Mapping[str, Any] | None = None
    ) -> list[int]:
        """Those of ``ids`` the user sees: not deleted, and not hidden by a record rule (archived
        ones count). One ``search``, never cached. Odoo refuses a whole ``read`` that names a
        hidden record; this tells which ones to read."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = await self.call(
            model,
            "search",
            args=([("id", "in", wanted)],),
            context={**(context or {}), "active_test": False},
            cache_ttl=0,
        )
        seen = set(found)
        return [record_id for record_id in wanted if record_id in seen]

    async def get_user_permissions(self, model: str) -> dict[str, bool]:
        """``{"read": …, "write": …, "create": …, "unlink": …}`` for ``model`` (see :meth:`check_model_access`)."""
        results = await asyncio.gather(*(self.check_model_access(model, op) for op in ACCESS_OPERATIONS))
        return dict(zip(ACCESS_OPERATIONS, results))

    async def name_search(
        self,
        model: str,
        name: str = "",
        domain: Sequence[Any] | None = None,
        operator: str = "ilike",
        limit: int = 100,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> list[list[Any]]:
        """``[[id, display_name], …]`` of records whose name matches ``name``."""
        # Positional on purpose: Odoo 17 names the domain parameter ``args``, Odoo 19 ``domain``.
        answer: list[list[Any]] = await self.call(
            model, "name_search", args=(name, domain_arg(domain), operator, count_arg(limit, "limit")), context=context
        )
        return answer

    async def read_group(
        self,
        model: str,
        domain: Sequence[Any] | None,
        groupby: str | Sequence[str],
        aggregates: Sequence[str] = ("__count",),
        *,
        having: Sequence[Any] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Grouped aggregates, in one shape on every Odoo version.

        ``groupby`` are field names, optionally with a date granularity (``"date_order:month"``);
        ``aggregates`` are ``"<field>:<function>"`` (``"amount_total:sum"``) or ``"__count"``.
        Each group is a dict: every groupby key (many2one as ``[id, name]``, dates as
        ``[range start, label]``), ``"__count"`` and one key per aggregate, named as requested.
        Uses ``formatted_read_group`` on Odoo 19+ and ``read_group(lazy=False)`` before.
        ``having`` (a domain on aggregates) needs Odoo 19+. Unknown fields in ``domain``,
        ``groupby`` or ``aggregates`` raise :class:`FieldError` before anything is sent.
        """
        features = self._shared.features
        if features is None or self._shared.credentials is None:
            raise NotAuthenticatedError(
                f"cannot call {model}.read_group: not logged in; call login() or login_with_api_key() first"
            )
        request = GroupingRequest(
            features, self.url, domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
        )
        await check_domain(self, model, request.kwargs["domain"])
        for path in request.field_paths:
            await resolve_path(self, model, path.split("."))
        answer = await self.call(model, request.method, kwargs=request.kwargs, context=context)
        return request.rows(answer)
