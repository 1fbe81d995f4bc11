"""Model classes from ``fields_get``: Python types per Odoo field type, runtime classes, related classes.

The one table of Odoo field type → Python annotation lives here; ``codegen`` renders the same
types as source text.

Relation fields of runtime classes are typed lazily. Building a class asks for that model's
``fields_get`` only: a relation field is typed to ``OdooModel`` until the related model's runtime
class exists, then to that class (``Many2one[ResCompany] | None``, ``X2many[ResPartner]``), in
``model_fields`` and in ``__annotations__`` alike. Typing every relation at once would mean one
``fields_get`` per related model, and theirs in turn: on a real database most of the registry,
including models the user may not read.
"""

from __future__ import annotations

import datetime as dt
import keyword
import typing
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, create_model

from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.models.base import OdooModel
from zenoo.models.relations import Many2one, X2many
from zenoo.seams import OdooClient
from zenoo.state import ClientState

#: Odoo field type → (Python type, its name in generated source); all but boolean are Optional.
SCALAR_TYPES: dict[str, tuple[Any, str]] = {
    "char": (str, "str"),
    "text": (str, "str"),
    "html": (str, "str"),
    "integer": (int, "int"),
    "float": (float, "float"),
    "monetary": (float, "float"),
    "date": (dt.date, "datetime.date"),
    "datetime": (dt.datetime, "datetime.datetime"),
    "binary": (str, "str"),
    "reference": (str, "str"),
    "many2one_reference": (int, "int"),
}

RELATION_TYPES = frozenset({"many2one", "one2many", "many2many"})


def class_name(model: str) -> str:
    """``"sale.order.line"`` → ``"SaleOrderLine"``."""
    return "".join(part[:1].upper() + part[1:] for part in model.replace("_", ".").split(".") if part)


def usable_field_name(name: str) -> bool:
    """Field names that can be class attributes (others stay reachable through ``model_extra``)."""
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and not name.startswith("model_")
        and name != "id"
        and not hasattr(OdooModel, name)
    )


def selection_keys(field: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(key for key, _label in field.get("selection") or [])


def relation_annotation(kind: str, related: type[OdooModel]) -> Any:
    """The annotation of a relation field of type ``kind`` whose records are ``related``."""
    if kind == "many2one":
        return Many2one[related] | None  # type: ignore[valid-type]
    return X2many[related]  # type: ignore[valid-type]


def runtime_annotation(field: Mapping[str, Any]) -> tuple[Any, Any]:
    """(annotation, pydantic default) of one field for a class built at run time.

    Relation fields are typed to ``OdooModel`` here; :func:`get_model_class` retypes them to the
    related runtime classes.
    """
    kind = field.get("type")
    if kind == "boolean":
        return bool, False
    if kind in ("one2many", "many2many"):
        return relation_annotation(kind, OdooModel), Field(default_factory=X2many)
    if kind == "many2one":
        return relation_annotation(kind, OdooModel), None
    if kind == "selection":
        keys = selection_keys(field)
        return (Literal[keys] | None if keys else str | None), None
    if kind in SCALAR_TYPES:
        return SCALAR_TYPES[str(kind)][0] | None, None
    return Any, None


def build_model_class(fields: ModelFields) -> type[OdooModel]:
    """A runtime ``OdooModel`` subclass with every field of the model (relations typed to ``OdooModel``)."""
    definitions: dict[str, Any] = {
        name: runtime_annotation(field) for name, field in fields.fields.items() if usable_field_name(name)
    }
    cls = create_model(class_name(fields.model), __base__=OdooModel, **definitions)
    cls._name = fields.model
    cls._declared = False
    cls.__doc__ = f"Odoo model {fields.model} (built at run time from fields_get)."
    return cls


async def get_model_class(client: OdooClient, model: str) -> type[OdooModel]:
    """The runtime model class of ``model`` for this client (built once from ``fields_get``).

    Its relation fields are typed to the related runtime classes of the same client: at once to
    those already built (itself included), the others when their class gets built — by this
    function, or by loading the relation (``await record.company_id`` builds ``res.company``'s).
    """
    state = client.state
    cls = state.classes.get(model)
    if cls is None:
        fields = await model_fields(client, model)
        cls = state.classes.get(model)  # another task may have built it while fields_get was awaited
        if cls is None:
            cls = state.classes[model] = build_model_class(fields)
            _link_relations(state, cls, fields)
    return cls


def _link_relations(state: ClientState, cls: type[OdooModel], fields: ModelFields) -> None:
    """Type ``cls``'s relation fields to the classes already built and make the others wait;
    type the relations that waited for ``cls``."""
    for name, field in fields.fields.items():
        relation = field.get("relation")
        if field.get("type") not in RELATION_TYPES or not relation or name not in cls.model_fields:
            continue
        related = state.classes.get(str(relation))
        if related is None:
            state.waiting_relations.setdefault(str(relation), []).append((cls, name))
        else:
            _type_relation(cls, name, related)
    for waiting, name in state.waiting_relations.pop(cls._name, []):
        _type_relation(waiting, name, cls)


def _type_relation(cls: type[OdooModel], name: str, related: type[OdooModel]) -> None:
    """Type the relation field ``name`` of ``cls`` to ``related``. Validation is unchanged
    (:class:`Many2one` and :class:`X2many` validate alike whatever they point to), so the
    class needs no rebuild."""
    info = cls.model_fields[name]
    kind = "x2many" if typing.get_origin(info.annotation) is X2many else "many2one"
    info.annotation = relation_annotation(kind, related)
    cls.__annotations__[name] = info.annotation


def related_class(cls: type[OdooModel], field_name: str) -> type[OdooModel] | None:
    """The class a declared relation field points to (``Many2one["ResCountry"]``), if any."""
    info = cls.model_fields.get(field_name)
    if info is None:
        return None
    return _find_model(info.annotation)


def _find_model(annotation: Any) -> type[OdooModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, OdooModel) and annotation is not OdooModel:
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


def declared_fields(cls: type[OdooModel] | None) -> list[str] | None:
    """The fields a hand-written or generated class declares: what its records read when no
    fields are selected (see :meth:`ModelFields.default_names`). None for no class or a class
    built at run time from ``fields_get``: the model's default fields apply."""
    if cls is None or not cls._declared:
        return None
    return list(cls.model_fields)
