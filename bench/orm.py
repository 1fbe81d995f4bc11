"""How fast the embedded ORM (no HTTP) builds a large database and answers typical calls.

Prints the time to generate 200,000 partners (with their orders and leads), then the median of
several runs of: search_read of 5,000 rows x 10 fields (with a many2one and a many2many; the target
is well under 200 ms), a search_count through dotted x2many/many2many paths, a read_group by
country, and an atomic load() of 1,000 rows. Run: ``.venv/bin/python bench/orm.py [partners]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from zenoo.testing.orm import Registry

ADMIN = 2
FIELDS = [
    "name",
    "email",
    "phone",
    "is_company",
    "country_id",
    "category_id",
    "type",
    "city",
    "create_date",
    "parent_id",
]


def median_ms(action: Callable[[], Any], runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    partners = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    start = time.perf_counter()
    reg = Registry(version=19, scale=partners)
    print(f"build {partners:,} partners (+ orders, leads): {time.perf_counter() - start:.2f} s")

    def call(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return reg.execute_kw(ADMIN, model, method, list(args), kwargs)

    rows = call("res.partner", "search_read", [], FIELDS, limit=5000, order="id")
    print(
        f"search_read {len(rows):,} rows x {len(FIELDS)} fields: "
        f"{median_ms(lambda: call('res.partner', 'search_read', [], FIELDS, limit=5000, order='id')):.1f} ms "
        "(target: well under 200 ms)"
    )
    print(
        f"search_read {len(rows):,} rows x {len(FIELDS)} fields, default order (display name): "
        f"{median_ms(lambda: call('res.partner', 'search_read', [], FIELDS, limit=5000)):.1f} ms"
    )
    dotted = [("child_ids.email", "ilike", "a"), ("category_id.name", "=", "Gold")]
    print(
        f"search_count through child_ids.email and category_id.name: "
        f"{median_ms(lambda: call('res.partner', 'search_count', dotted)):.1f} ms"
    )
    print(
        f"read_group by country over all partners: "
        f"{median_ms(lambda: call('res.partner', 'read_group', [], ['__count'], ['country_id'])):.1f} ms"
    )
    data = [[f"bench-load-{i}", f"bench{i}@example.com", "Belgium"] for i in range(1000)]
    print(
        f"load 1,000 rows (name, email, many2one by name): "
        f"{median_ms(lambda: call('res.partner', 'load', ['name', 'email', 'country_id'], data), runs=3):.1f} ms"
    )
    reg.close()


if __name__ == "__main__":
    main()
