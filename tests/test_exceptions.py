"""Everything zenoo raises derives from ZenooError, and stays catchable as the builtin it used to be.

The source scan keeps bare builtin exceptions from coming back; the scenarios check each former
builtin site; the deprecated name ``MultipleResultsError`` still works and warns.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest

import zenoo
import zenoo.exceptions
from zenoo import (
    BlockingCallError,
    ClientError,
    ConfigurationError,
    DoesNotExist,
    InvalidValueError,
    MissingError,
    MultipleObjectsReturned,
    UnboundRecordError,
    ZenooClient,
    ZenooError,
)
from zenoo._loop import LoopThread
from zenoo.cache import cached
from zenoo.cache.eviction import make_policy
from zenoo.cache.keys import encode_value
from zenoo.models.binding import Binding, RelationCache
from zenoo.models.common import ResPartner
from zenoo.models.loading import STORE
from zenoo.models.relations import Many2one, X2many

ROOT = Path(__file__).resolve().parents[1]
BUILTIN_ERRORS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, Exception)
}
#: Builtins a protocol requires, where they may be raised: (path or None for any file, function).
PROTOCOL_RAISES: dict[tuple[str | None, str], str] = {
    (None, "__getattr__"): "AttributeError",  # attribute lookup: hasattr/getattr(obj, name, default)
    ("zenoo/transport.py", "_odoo_default"): "TypeError",  # orjson's default= hook: "not serializable"
    ("zenoo/writing/results.py", "__getitem__"): "KeyError",  # BatchResult's zenoo-rpc dict form
}


# --- the source scan ---------------------------------------------------------------------------------


def _shadowed(tree: ast.Module) -> set[str]:
    """Builtin names a module rebinds at top level (``from zenoo.exceptions import ConnectionError``)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    if isinstance(exc, ast.Name):
        return exc.id
    if isinstance(exc, ast.Attribute) and isinstance(exc.value, ast.Name) and exc.value.id == "builtins":
        return exc.attr
    return None


def builtin_raises(source: str, path: str) -> Iterator[tuple[str, int, str, str]]:
    """``(path, line, function, exception)`` for each ``raise`` of a builtin exception class."""
    tree = ast.parse(source)
    shadowed = _shadowed(tree)

    def visit(node: ast.AST, function: str) -> Iterator[tuple[str, int, str, str]]:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Raise):
                name = _raised_name(child)
                if name in BUILTIN_ERRORS and name not in shadowed:
                    yield path, child.lineno, function, name
            yield from visit(child, inner)

    yield from visit(tree, "<module>")


def _sources() -> list[Path]:
    """zenoo/ and zenoo_frames/, without zenoo/testing/ (it raises what Odoo's server raises)."""
    files = [*(ROOT / "zenoo").rglob("*.py"), *(ROOT / "zenoo_frames").rglob("*.py")]
    return sorted(path for path in files if path.relative_to(ROOT).parts[:2] != ("zenoo", "testing"))


def _allowed(path: str, function: str, name: str) -> bool:
    return PROTOCOL_RAISES.get((None, function)) == name or PROTOCOL_RAISES.get((path, function)) == name


def test_no_bare_builtin_exception_is_raised() -> None:
    sources = _sources()
    assert len(sources) > 50 and not any("zenoo/testing/" in path.as_posix() for path in sources)
    found = [
        hit for path in sources for hit in builtin_raises(path.read_text(), path.relative_to(ROOT).as_posix())
    ]
    bare = [f"{path}:{line} raises {name} in {function}()" for path, line, function, name in found
            if not _allowed(path, function, name)]  # fmt: skip
    assert bare == [], "raise a zenoo.ZenooError subclass instead (see zenoo/exceptions.py):\n" + "\n".join(
        bare
    )
    used = {(path, function) for path, _, function, name in found if _allowed(path, function, name)}
    assert ("zenoo/transport.py", "_odoo_default") in used, "a protocol exemption no longer used: drop it"
    assert any(function == "__getattr__" for _, function in used)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    raise TypeError('x')\n", [("m.py", 2, "f", "TypeError")]),
        ("def f():\n    raise ValueError\n", [("m.py", 2, "f", "ValueError")]),
        (
            "class A:\n    def g(self):\n        raise builtins.RuntimeError()\n",
            [("m.py", 3, "g", "RuntimeError")],
        ),
        ("raise KeyError(1)\n", [("m.py", 1, "<module>", "KeyError")]),
        ("from zenoo.exceptions import ConnectionError\nraise ConnectionError('x')\n", []),
        ("def f():\n    raise ClientError('x')\n", []),
        ("def f():\n    raise SystemExit(2)\n", []),  # leaving the CLI is not an error
        ("def f():\n    try:\n        pass\n    except E:\n        raise\n", []),
    ],
)
def test_the_scan_finds_builtin_raises(source: str, expected: list[tuple[str, int, str, str]]) -> None:
    assert list(builtin_raises(source, "m.py")) == expected


# --- each former builtin ---------------------------------------------------------------------------


def _raises(call: Callable[[], Any], error: type[ZenooError], builtin: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match) as caught:
        call()
    assert isinstance(caught.value, builtin) and isinstance(caught.value, ZenooError)


async def test_records_not_bound_to_a_client() -> None:
    unsaved = ResPartner(name="zenoo-test-unsaved")
    _raises(unsaved.save, UnboundRecordError, RuntimeError, "record is not bound to a client")
    _raises(unsaved.refresh, UnboundRecordError, RuntimeError, "record is not bound to a client")
    ref: Many2one[Any] = Many2one("res.partner", 1)
    _raises(ref.load, UnboundRecordError, RuntimeError, "is not bound to a client")
    with pytest.raises(UnboundRecordError, match="is not bound to a client"):
        await ref
    with pytest.raises(UnboundRecordError, match="collection is not bound") as caught:
        await X2many([1, 2], "res.partner").all()
    assert isinstance(caught.value, RuntimeError)
    no_id = ResPartner._from_values({"id": None, "name": "zenoo-test-no-id"}, Binding(client=None, store=STORE))
    with pytest.raises(UnboundRecordError, match="has no id: it was never saved") as caught:
        await no_id.delete()
    assert isinstance(caught.value, RuntimeError)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"parent_id": ResPartner(name="zenoo-test-unsaved")}, "has no id yet: save it first"),
        ({"parent_id": "Acme"}, "not a many2one value"),
        ({"child_ids": [ResPartner(name="zenoo-test-unsaved")]}, "has no id yet: save it first"),
        ({"child_ids": ["Acme"]}, "expected a record id, a record or a reference"),
        ({"child_ids": "Acme"}, "not an x2many value"),
    ],
)
def test_bad_relation_values_are_invalid_values(values: dict[str, Any], message: str) -> None:
    """Pydantic reports them for the field; the error it wraps is zenoo's InvalidValueError."""
    with pytest.raises(pydantic.ValidationError, match=message) as caught:
        ResPartner(**values)
    [error] = caught.value.errors()
    assert error["loc"] == (next(iter(values)),)
    assert isinstance(error["ctx"]["error"], InvalidValueError)


def test_a_blocking_call_from_the_loop_thread() -> None:
    loop = LoopThread(name="zenoo-test-loop")

    async def blocking_call_inside() -> None:
        inner = asyncio.sleep(0)
        try:
            loop.run(inner)
        finally:
            inner.close()

    try:
        _raises(lambda: loop.run(blocking_call_inside()), BlockingCallError, RuntimeError, "own loop thread")
    finally:
        loop.close()


def test_cache_options_and_values() -> None:
    _raises(lambda: cached(models="res.partner"), ConfigurationError, TypeError, "not the string")
    _raises(lambda: cached(cache={}), ConfigurationError, TypeError, "cache must be a CacheManager")
    _raises(lambda: cached()(len), ConfigurationError, TypeError, "decorates async functions")
    _raises(lambda: encode_value({1, 2}), InvalidValueError, TypeError, "only JSON values can be cached")
    _raises(lambda: make_policy("random"), ConfigurationError, ValueError, "unknown cache strategy")
    _raises(lambda: RelationCache(max_rows=0), ConfigurationError, ValueError, "max_rows must be at least 1")


def test_each_class_keeps_the_builtin_it_replaced() -> None:
    assert issubclass(InvalidValueError, TypeError) and issubclass(InvalidValueError, ValueError)
    assert issubclass(ConfigurationError, TypeError) and issubclass(ConfigurationError, ValueError)
    assert issubclass(UnboundRecordError, RuntimeError) and issubclass(BlockingCallError, RuntimeError)
    assert issubclass(DoesNotExist, MissingError) and issubclass(DoesNotExist, ClientError)
    assert issubclass(MultipleObjectsReturned, ClientError)
    assert str(DoesNotExist("no res.partner record matches id 7")) == "no res.partner record matches id 7"


async def test_get_and_reload_raise_django_names_still_caught_as_before(target: Any) -> None:
    marker = f"zenoo-test-{uuid.uuid4().hex[:8]}"
    async with ZenooClient(target.url) as client:
        await target.log_in(client)
        parent, child, twin = await client.create(
            "res.partner",
            [{"name": f"{marker}-parent"}, {"name": f"{marker}-child"}, {"name": f"{marker}-twin"}],
        )
        alive = [parent, child, twin]
        try:
            await client.write("res.partner", [child, twin], {"parent_id": parent})
            mine = client.model(ResPartner).filter(name__startswith=marker)
            with pytest.raises(
                DoesNotExist, match=f"no res.partner record matches name='{marker}-none'"
            ) as none:
                await mine.get(name=f"{marker}-none")
            assert isinstance(none.value, MissingError) and none.value.odoo_name is None
            with pytest.raises(MultipleObjectsReturned, match="more than one res.partner record") as several:
                await mine.get(parent_id=parent)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                assert isinstance(several.value, zenoo.MultipleResultsError)
            loaded = await mine.only("name", "parent_id").get(child)
            stale_parent = await mine.get(parent)
            await client.unlink("res.partner", [twin, child, parent])
            alive = []
            with pytest.raises(DoesNotExist, match=f"res.partner record {parent} does not exist") as gone:
                await loaded.parent_id  # type: ignore[misc]
            assert isinstance(gone.value, MissingError)
            with pytest.raises(MissingError, match=f"res.partner record {parent} does not exist") as reload:
                await stale_parent.refresh()
            assert type(reload.value) is DoesNotExist
        finally:
            if alive:
                await client.unlink("res.partner", alive)


# --- deprecated names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        (zenoo, "MultipleResultsError", MultipleObjectsReturned),
        (zenoo.exceptions, "MultipleResultsError", MultipleObjectsReturned),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_old_names_still_work_and_warn(module: Any, old: str, new: type) -> None:
    with pytest.warns(DeprecationWarning, match=f"{module.__name__}.{old} is deprecated: use {new.__name__}"):
        assert getattr(module, old) is new
    assert old not in getattr(module, "__all__", ())
    with pytest.raises(AttributeError, match="no attribute 'NoSuchName'"):
        module.NoSuchName  # noqa: B018


def test_importing_the_public_names_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        namespace: dict[str, Any] = {}
        exec("from zenoo import *", namespace)  # noqa: S102
    assert namespace["DoesNotExist"] is DoesNotExist and "MultipleResultsError" not in namespace
    for name in zenoo.__all__:
        assert getattr(zenoo, name) is not None
    assert {"DoesNotExist", "MultipleObjectsReturned", "UnboundRecordError", "BlockingCallError"} <= set(
        zenoo.exceptions.__all__
    )
