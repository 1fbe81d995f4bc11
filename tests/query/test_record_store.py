"""Records and lazy relations read and write through the RecordStore their Binding carries."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

import pytest

from zenoo import UnboundRecordError
from zenoo.models import Many2one, OdooModel, X2many
from zenoo.models.binding import Binding
from zenoo.models.common import ResPartner
from zenoo.state import ClientState

T = TypeVar("T")


class RecordingStore:
    """A RecordStore that answers from memory and notes every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def load(
        self, binding: Binding, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None
    ) -> list[OdooModel]:
        self.calls.append(("load", model, list(ids), cls))
        return [ResPartner._from_values({"id": i, "name": f"zenoo-test-{i}"}, binding) for i in ids]

    async def load_visible(
        self, binding: Binding, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None
    ) -> list[OdooModel]:
        self.calls.append(("load_visible", model, list(ids), cls))
        return [ResPartner._from_values({"id": i, "name": f"zenoo-test-{i}"}, binding) for i in ids]

    async def read(
        self, binding: Binding, cls: type[OdooModel], ids: Sequence[int], fields: Sequence[str] | None = None
    ) -> list[OdooModel]:
        self.calls.append(("read", cls, list(ids), list(fields or ())))
        return [cls._from_values({"id": i, "name": "zenoo-test-fresh"}, binding) for i in ids]

    async def write(self, binding: Binding, model: str, ids: Sequence[int], values: Mapping[str, Any]) -> bool:
        self.calls.append(("write", model, list(ids), dict(values)))
        return True

    async def unlink(self, binding: Binding, model: str, ids: Sequence[int]) -> bool:
        self.calls.append(("unlink", model, list(ids)))
        return True


async def test_record_methods_go_through_the_binding_store() -> None:
    store = RecordingStore()
    binding = Binding(client=None, store=store, context={"lang": "fr_FR"})
    partner = ResPartner._from_values({"id": 7, "name": "zenoo-test-old"}, binding)
    assert await partner.save() is partner and store.calls == []  # nothing changed: nothing sent
    assert (await partner.refresh()).name == "zenoo-test-fresh"
    assert await partner.delete() is True
    assert store.calls == [("read", ResPartner, [7], ["name"]), ("unlink", "res.partner", [7])]


class StateOnlyClient:
    """The part of a client lazy relations look at: its per-connection state."""

    def __init__(self) -> None:
        self.state = ClientState()


async def test_lazy_relations_load_through_the_binding_store() -> None:
    store = RecordingStore()
    client = StateOnlyClient()
    binding = Binding(client=client, store=store)  # type: ignore[arg-type]
    parent: Many2one[ResPartner] = Many2one("res.partner", 3, binding=binding, related_class=ResPartner)
    children: X2many[ResPartner] = X2many([4, 5], "res.partner", binding=binding)
    assert (await parent).name == "zenoo-test-3"
    assert [child.id for child in await children.all()] == [4, 5]
    await parent  # loaded once
    await children.all()
    assert parent.loaded and children.loaded
    assert store.calls == [("load", "res.partner", [3], ResPartner), ("load_visible", "res.partner", [4, 5], None)]
    client.state.write_generation += 1  # what a call that may write does (ClientState.forget_relations_on_writes)
    assert not parent.loaded and not children.loaded
    await parent
    await children.all()
    assert store.calls[2:] == [("load", "res.partner", [3], ResPartner), ("load_visible", "res.partner", [4, 5], None)]


class NewLoopRunner:
    """A Runner that runs each awaitable to completion on a loop of its own."""

    def run(self, awaitable: Awaitable[T]) -> T:
        async def wait() -> T:
            return await awaitable

        return asyncio.run(wait())


def test_the_client_that_loaded_a_record_decides_awaitable_or_blocking() -> None:
    store = RecordingStore()
    loaded = ResPartner._from_values({"id": 7, "name": "zenoo-test-a"}, Binding(client=None, store=store))
    pending = loaded.delete()
    assert inspect.iscoroutine(pending) and store.calls == []  # nothing sent until awaited
    assert asyncio.run(pending) is True
    blocking = Binding(client=None, store=store, runner=NewLoopRunner())
    held = ResPartner._from_values({"id": 8, "name": "zenoo-test-b"}, blocking)
    assert held.refresh() is held and held.delete() is True
    with pytest.raises(UnboundRecordError):
        ResPartner(name="zenoo-test-by-hand").save()
