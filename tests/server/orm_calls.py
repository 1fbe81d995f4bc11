"""Calling the embedded ORM directly, as the admin user, in its JSON-RPC (execute_kw) convention."""

from __future__ import annotations

from typing import Any

from zenoo.testing.orm import Registry

ADMIN = 2


def call(reg: Registry, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    return reg.execute_kw(ADMIN, model, method, list(args), kwargs)
