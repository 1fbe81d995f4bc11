"""Every Python example of the README and of the documentation site (docs/*.md) runs as written.

A page's ```python blocks run in order in one namespace, as a reader follows them, with top-level
``await`` as in Jupyter, against a private embedded server imitating Odoo 19 (and a real
redis-server for the caching examples). The addresses, database and credentials the examples name
are bound to these servers; an example that uses ``client`` without creating it (or after an
earlier block's ``async with`` closed its own) gets an async ``ZenooClient`` logged in as admin, as
docs/index.md tells readers. A failure names the page and
the block's first line.
"""

from __future__ import annotations

import ast
import gc
import inspect
import re
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cache.conftest import RedisServer, free_port  # tests/cache: a redis-server on loopback
from zenoo import Client, ZenooClient

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

#: what the examples write, and what it stands for here
PLACEHOLDER_URLS = ("http://localhost:8069", "https://odoo.example.com")
PLACEHOLDER_DATABASES = ('"zenoo19"', '"mydb"')
PLACEHOLDER_REDIS = ("redis://localhost:6379/0", "redis://cache:6379/0")


@dataclass(frozen=True)
class Example:
    page: Path
    line: int  # of the block's first line of code
    code: str

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def examples(page: Path) -> list[Example]:
    """The page's ```python blocks, in order."""
    text = page.read_text()
    return [
        Example(page, text.count("\n", 0, match.start(1)) + 1, match.group(1))
        for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    ]


def _bind(code: str, server: Any, redis_url: str) -> str:
    """Point the example at the embedded server and the test Redis instead of the ones it names."""
    for url in PLACEHOLDER_URLS:
        code = code.replace(url, server.url)
    for database in PLACEHOLDER_DATABASES:
        code = code.replace(database, repr(server.database))
    for redis in PLACEHOLDER_REDIS:
        code = code.replace(redis, redis_url)
    return code


async def run_page(page: Path, server: Any, redis_url: str, fixtures: dict[str, Any]) -> None:
    """Run the page's examples in order in one namespace, then the page's check of their results.

    A ``test_*`` function a page defines (to show a test) is called with the ``fixtures`` it names.

    An example fails on an exception, and on a warning (turned into one by the caller) even where
    Python can only report it as unraisable: a coroutine never awaited is a forgotten ``await``.
    """
    admin = server.users["admin"]
    client = ZenooClient(server.url)
    await client.login_with_api_key(server.database, admin.login, admin.api_key)
    namespace: dict[str, Any] = {
        "__name__": "__doc_example__",
        "client": client,
        "url": server.url,
        "password": admin.password,
        "api_key": admin.api_key,
    }
    gc.collect()  # what earlier tests left for the collector is theirs, not the page's examples'
    unraisable: list[Any] = []
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        for example in examples(page):
            if getattr(namespace["client"], "closed", False):  # an `async with` of an earlier block closed it
                namespace["client"] = client
            try:
                code = compile(
                    _bind(example.code, server, redis_url),
                    str(example),
                    "exec",
                    flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                )
                result = eval(code, namespace)  # noqa: S307 - the documentation's own examples
                if inspect.iscoroutine(result):
                    await result
                gc.collect()
            except Exception as exc:
                raise AssertionError(f"the example at {example} fails: {exc!r}") from exc
            assert not unraisable, f"the example at {example}: {unraisable[0].exc_value!r}"
        for name, function in list(namespace.items()):
            if name.startswith("test_") and inspect.isfunction(function):
                function(**{fixture: fixtures[fixture] for fixture in inspect.signature(function).parameters})
        if page in RESULTS:
            await RESULTS[page](namespace, client)
    finally:
        await _close_clients(namespace, client)
        sys.unraisablehook = previous_hook


async def _close_clients(namespace: dict[str, Any], client: ZenooClient) -> None:
    await client.close()
    for value in namespace.values():
        if isinstance(value, ZenooClient):
            await value.close()
        elif isinstance(value, Client):
            value.close()


@pytest.fixture(scope="module")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server for the pages whose examples name one."""
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


async def _readme_results(namespace: dict[str, Any], client: ZenooClient) -> None:
    """The README's frames hold what it says."""
    df = namespace["df"]
    assert df.height > 0
    assert {"id", "name", "email", "country_id", "country_id.display_name"} <= set(df.columns)
    big = namespace["big"]
    assert big.columns == ["name", "partner_id", "amount_total"]
    assert big.height > 0 and big["amount_total"].min() > 500


async def _caching_results(namespace: dict[str, Any], client: ZenooClient) -> None:
    """The repeated reads were answered by the cache, and @cached's second call too."""
    assert namespace["stats"].hits >= 1
    assert namespace["belgians"] and all(set(row) == {"id", "name"} for row in namespace["belgians"])


async def _writing_results(namespace: dict[str, Any], client: ZenooClient) -> None:
    """What the comments of docs/writing.md say happened did happen."""
    assert await client.search_count("res.partner", [("ref", "=like", "import-%")]) == 0  # bulk_unlink
    batch = namespace["batch"]
    assert batch.result.ok and namespace["company"].id and len(namespace["contacts"].ids) == 2
    assert not await client.search("res.partner", [("id", "=", namespace["old_id"])])
    assert await client.search_count("sale.order", [("id", "=", namespace["order_id"])]) == 0
    [partner] = await client.read("res.partner", [namespace["pid"]], ["phone", "email"])
    assert partner["phone"] == "+32 2 000 00 01" and partner["email"] is False  # the savepoint's write undone


#: what some pages' examples must have produced, beyond running without an error or a warning
RESULTS: dict[Path, Callable[[dict[str, Any], ZenooClient], Awaitable[None]]] = {
    README: _readme_results,
    ROOT / "docs" / "caching.md": _caching_results,
    ROOT / "docs" / "writing.md": _writing_results,
}
PAGES_WITH_EXAMPLES = [page for page in PAGES if examples(page)]


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=lambda page: str(page.relative_to(ROOT)))
async def test_page_examples_run(
    page: Path,
    odoo_server_factory: Callable[..., Any],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redis_url = request.getfixturevalue("redis_server_url") if "redis://" in page.read_text() else ""
    monkeypatch.chdir(tmp_path)  # files the examples write (to_parquet) land here
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a forgotten await, a deprecated name: the example is wrong
        fixtures = {"odoo_server_factory": odoo_server_factory}
        await run_page(page, odoo_server_factory(version=19), redis_url, fixtures)


def test_the_block_finder_sees_every_python_block() -> None:
    """A ```python fence the finder missed would be shown on the site but never run."""
    for page in PAGES:
        assert len(examples(page)) == page.read_text().count("```python"), page


def test_readme_has_async_and_blocking_examples() -> None:
    blocks = [example.code for example in examples(README)]
    assert any("async with ZenooClient" in b for b in blocks)
    assert any("with Client(" in b for b in blocks)
