"""Field metadata from ``fields_get`` and resolution of field paths (``partner_id.country_id.code``).

``fields_get`` results are cached per client by the client itself, so asking again costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from zenoo.exceptions import FieldError, InvalidLookupError
from zenoo.fields.lookups import LOOKUP_OPERATORS, RELATIONAL_TYPES, X2MANY_TYPES, suggest

#: ``id`` is in every model; older servers may leave it out of ``fields_get``.
ID_FIELD: dict[str, Any] = {
    "type": "integer", "string": "ID", "readonly": True, "required": False,
    "store": True, "searchable": True, "sortable": True,
}

EXCLUDED_BY_DEFAULT = frozenset({"binary", "image", "properties", "properties_definition", "json"})
"""Field types not read unless selected: file contents (``binary``; ``image`` fields are binary ones)
and free-form JSON are heavy, and rarely what a record or an analysis needs."""


class FieldsSource(Protocol):
    """What path resolution needs from a client."""

    async def fields_get(self, model: str) -> dict[str, dict[str, Any]]: ...


@dataclass(frozen=True)
class ModelFields:
    """The fields of one model as ``fields_get`` describes them."""

    model: str
    fields: Mapping[str, Mapping[str, Any]]

    def __contains__(self, name: object) -> bool:
        return name == "id" or name in self.fields

    def get(self, name: str) -> Mapping[str, Any]:
        """The metadata of field ``name``; FieldError with a close match when there is none."""
        if name in self.fields:
            return self.fields[name]
        if name == "id":
            return ID_FIELD
        close = suggest(name, self.fields)
        raise FieldError(
            f"{self.model} has no field {name!r}"
            + (close or " (fields_get lists the fields this user may read: one restricted to groups the user is "
               "not in is not among them)")
        )  # fmt: skip

    def check(self, names: Iterable[str]) -> None:
        """FieldError (with close matches) for the first of ``names`` the model does not have."""
        for name in names:
            self.get(name)

    @cached_property
    def delegate_fields(self) -> frozenset[str]:
        """The many2one fields through which the model inherits another (Odoo's ``_inherits``, as
        ``res.users`` inherits ``res.partner`` through ``partner_id``): when one is not given on
        create, Odoo creates the parent record itself.

        ``fields_get`` shows them through the inherited fields: Odoo adds each field of the parent
        as a non-stored field related to ``"<many2one>.<its own name>"``, writable when the parent's
        field is. Ordinary related fields are readonly unless declared otherwise, so a writable one
        is what tells a delegation from a model that merely shows a field of a related record.
        """
        found = set()
        for name, field in self.fields.items():
            related = field.get("related")
            if not isinstance(related, str) or field.get("store", True) or field.get("readonly", True):
                continue
            head, _, tail = related.partition(".")
            if tail == name and self.fields.get(head, {}).get("type") == "many2one":
                found.add(head)
        return frozenset(found)

    @property
    def active_name(self) -> str | None:
        """The field that hides archived records (Odoo's ``_active_name``: ``active``, else
        ``x_active``), None when the model has neither."""
        return next((name for name in ("active", "x_active") if name in self.fields), None)

    def type_of(self, name: str) -> str:
        return str(self.get(name)["type"])

    def says(self, name: str, attribute: str) -> bool:
        """Field ``name``'s ``attribute`` (``store``, ``searchable``) as ``fields_get`` gives it. A
        field described without an attribute the model's other fields have is not one of its own
        (Odoo 17 adds res.users' ``in_group_*``/``sel_groups_*`` so, computed by ``read``): False;
        a description that gives the attribute for no field (a hand-made one): True."""
        field = self.get(name)
        if attribute in field:
            return bool(field[attribute])
        return not any(attribute in other for other in self.fields.values())

    def default_names(self, declared: Iterable[str] | None = None) -> list[str]:
        """The fields read when none are selected (``id`` aside): the one rule of records,
        ``values()`` and frames alike.

        Without ``declared``: the stored fields, in ``fields_get`` order. A hand-written class
        passes the fields it ``declared``: those the model has, in their order. Either way the
        heavy types (:data:`EXCLUDED_BY_DEFAULT`) are left out. Every field ``fields_get`` lists is
        readable by the user; text and html fields are kept, relations are read as ids.
        Non-stored fields are computed per record on the server: ``only()`` asks for them.
        """
        if declared is None:
            names = [name for name in self.fields if self.says(name, "store")]
        else:
            names = [name for name in declared if name in self.fields]
        return [
            name
            for name in names
            if name != "id" and self.fields[name].get("type") not in EXCLUDED_BY_DEFAULT
        ]

    def names(self) -> list[str]:
        return list(self.fields)


class AccessSource(FieldsSource, Protocol):
    """What :func:`readable_default_names` needs from a client."""

    async def readable_models(self, models: Iterable[str]) -> frozenset[str]: ...


async def readable_default_names(
    client: AccessSource, meta: ModelFields, declared: Iterable[str] | None = None
) -> list[str]:
    """The fields read when none are selected: :meth:`ModelFields.default_names`, plus (without
    ``declared``) the fields a delegation inherits that are default fields of the parent model
    (``res.users``' ``name`` and ``email``, ``product.product``'s ``name`` and ``list_price``:
    stored on ``res.partner`` and ``product.template``, described by ``fields_get`` as non-stored
    fields of the child), in ``fields_get`` order; less the x2many fields whose related model the
    user may not read: Odoo refuses a whole ``read`` for one of them, and ``fields_get`` lists them
    (Odoo 19's res.partner.rtc_session_ids, res.users.log_ids, for a user who is not an
    administrator)."""
    names = meta.default_names(declared)
    if declared is None and meta.delegate_fields:
        inherited = await _inherited_defaults(client, meta)
        names = [name for name in meta.fields if name in inherited or name in names]
    related = {name: str(meta.get(name)["relation"]) for name in names if meta.type_of(name) in X2MANY_TYPES}
    if not related:
        return names
    readable = await client.readable_models(related.values())
    return [name for name in names if name not in related or related[name] in readable]


async def _inherited_defaults(client: AccessSource, meta: ModelFields) -> set[str]:
    """The fields ``meta``'s model inherits through a delegation that are default fields of the
    parent (whose own delegations count too)."""
    inherited: set[str] = set()
    for delegate in meta.delegate_fields:
        parent = await model_fields(client, str(meta.get(delegate)["relation"]))
        parent_names = set(await readable_default_names(client, parent))
        inherited |= {
            name
            for name, field in meta.fields.items()
            if field.get("related") == f"{delegate}.{name}" and name in parent_names
        }
    return inherited


async def model_fields(client: FieldsSource, model: str) -> ModelFields:
    """The fields of ``model``, from the client's cached ``fields_get``."""
    return ModelFields(model, await client.fields_get(model))


@dataclass(frozen=True)
class ResolvedPath:
    """A validated field path: Odoo's dotted path, the last field's metadata and model."""

    path: str
    field: Mapping[str, Any]
    model: str

    @property
    def type(self) -> str:
        return str(self.field["type"])


def check_searchable(fields: ModelFields, name: str) -> None:
    """FieldError when ``fields_get`` says Odoo cannot search field ``name`` (not stored, no search
    method; see :meth:`ModelFields.says`): Odoo 19 fails on such a condition, Odoo 17 silently
    drops it, or fails on a res.users group field."""
    if not fields.says(name, "searchable"):
        said = "searchable=False" if "searchable" in fields.get(name) else "no searchable"
        raise FieldError(
            f"{fields.model}.{name} is not searchable (fields_get: {said}; Odoo neither stores it nor "
            "can search it): it cannot be used in a filter or domain; filter the records after reading them"
        )


async def resolve_path(
    client: FieldsSource,
    model: str,
    segments: Sequence[str],
    *,
    last_may_be_lookup: bool = False,
    searching: bool = False,
) -> ResolvedPath:
    """Walk ``segments`` through relational fields, validating each one against ``fields_get``.

    ``last_may_be_lookup``: the last segment may be a misspelt lookup (``name__icontain``), so
    an unknown one after a non-relational field is reported as an unknown lookup.
    ``searching``: the path is a domain's, so every field on it must be searchable.
    """
    current = model
    for position, name in enumerate(segments):
        fields = await model_fields(client, current)
        field = fields.get(name)
        if searching:
            check_searchable(fields, name)
        if position == len(segments) - 1:
            return ResolvedPath(".".join(segments), field, current)
        if field["type"] not in RELATIONAL_TYPES:
            rest = segments[position + 1 :]
            where = f"{current}.{name}"
            if len(rest) == 1 and last_may_be_lookup:
                raise InvalidLookupError(
                    f"unknown lookup {rest[0]!r} on {where}{suggest(rest[0], LOOKUP_OPERATORS)}"
                )
            raise FieldError(f"{where} is a {field['type']} field: cannot follow it to {rest[0]!r}")
        current = str(field["relation"])
    raise FieldError(f"empty field path on {model}")


def fields_to_read(names: Sequence[str]) -> list[str]:
    """The ``fields`` argument of ``read``/``search_read``: Odoo reads *every* field when the
    list is empty, so an empty selection asks for ``id`` alone."""
    return list(names) or ["id"]


def split_lookup(key: str) -> tuple[list[str], str | None]:
    """``"partner_id__country_id__code__in"`` → (``["partner_id", "country_id", "code"]``, ``"in"``);
    the lookup is None when the key names no lookup (``exact`` is meant)."""
    parts = key.split("__")
    if any(not part for part in parts):
        raise FieldError(f"malformed lookup {key!r}: empty segment between '__'")
    if len(parts) > 1 and parts[-1] in LOOKUP_OPERATORS:
        return parts[:-1], parts[-1]
    return parts, None
