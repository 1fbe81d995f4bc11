"""What a record loaded from Odoo remembers about where it came from.

A :class:`Binding` ties records and their lazy relations to the client that loaded them, the
context they were read with, and — for records loaded through the blocking :class:`zenoo.Client`
— the runner that executes coroutines on the client's loop thread. With a runner, record methods
and relation loads block and return their result; without one they return awaitables.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from zenoo.seams import OdooClient, Runner

T = TypeVar("T")


@dataclass(frozen=True)
class Binding:
    client: OdooClient
    context: dict[str, Any] = field(default_factory=dict)
    runner: Runner | None = None

    def resolve(self, coro: Coroutine[Any, Any, T]) -> Any:
        """Block on ``coro`` when bound to a runner, otherwise hand the coroutine back to await."""
        if self.runner is None:
            return coro
        return self.runner.run(coro)
