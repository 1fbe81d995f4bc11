"""`make demo`: a short, real walkthrough of the main job against the embedded Odoo-compatible server.

Starts the embedded server imitating Odoo 19 with generated demo data, then connects, queries,
builds frames and shows what errors look like. Every figure printed comes from the server.
"""

from __future__ import annotations

import asyncio
import time

from zenoo import Client, Q, ZenooClient
from zenoo.exceptions import FieldError, ValidationError
from zenoo.testing import OdooTestServer


def _title(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 72 - len(text)))


async def async_walkthrough(srv: OdooTestServer) -> None:
    admin = srv.users["admin"]
    async with ZenooClient(srv.url) as client:
        await client.login_with_api_key(srv.database, admin.login, admin.api_key)
        assert client.features is not None  # known once logged in
        _title(f"async client: Odoo {client.features.major} via {client.api}, uid {client.uid}")

        companies = (
            client.model("res.partner")
            .filter(Q(is_company=True) & (Q(country_id__code="BE") | Q(country_id__code="FR")))
            .order_by("name")
            .only("name", "country_id", "email")
        )
        print("domain sent to Odoo:", await companies.compiled_domain())
        for partner in await companies.limit(5).all():
            print(f"  {partner.id:>5}  {partner.name:<34} {partner.country_id.display_name:<10} {partner.email}")
        print("companies in BE or FR:", await companies.count())

        try:
            await client.model("res.partner").filter(naem__ilike="a").count()
        except FieldError as exc:
            print("caught before sending:", exc)

        parent = await client.model("res.partner").filter(is_company=True).order_by("id").first()
        assert parent is not None and parent.id is not None  # the demo data has companies
        child = await client.model("res.partner").filter(parent_id=parent.id).first()
        assert child is not None and child.id is not None  # and their contacts
        try:
            await client.write("res.partner", [parent.id], {"parent_id": child.id})
        except ValidationError as exc:
            print("server refused a recursive hierarchy:", exc.message)


def blocking_walkthrough(srv: OdooTestServer) -> None:
    admin = srv.users["admin"]
    with Client(srv.url) as client:
        client.login(srv.database, admin.login, admin.password)
        _title(f"blocking client: {client.api}, the frames layer")

        import polars as pl

        started = time.perf_counter()
        partners = client.model("res.partner").to_polars()
        elapsed = time.perf_counter() - started
        print(f"res.partner as a Polars frame: {partners.height} rows x {partners.width} columns in {elapsed:.2f}s")
        print(partners.select("id", "name", "is_company", "country_id", "country_id.display_name").head(5))

        orders = client.model("sale.order").lazy()
        by_state = (
            orders.filter(pl.col("amount_total") > 500)
            .group_by("state")
            .agg(pl.len().alias("orders"), pl.col("amount_total").sum().round(2).alias("total"))
            .sort("state")
            .collect()
        )
        print("sale orders over 500 by state (filter pushed down to Odoo):")
        print(by_state)
        read = client.stats.latency("read")
        latency = f"read latency p50 {read.p50 * 1000:.1f} ms, p90 {read.p90 * 1000:.1f} ms" if read else "no reads"
        print(f"{client.stats.requests} requests, {client.stats.bytes_received / 1e6:.1f} MB received; {latency}")


def main() -> None:
    print("Starting the embedded Odoo-compatible server (imitating Odoo 19, demo data)…")
    with OdooTestServer(version=19) as srv:
        print(f"server at {srv.url}, database {srv.database!r}")
        asyncio.run(async_walkthrough(srv))
        blocking_walkthrough(srv)
    print("\nDone.")


if __name__ == "__main__":
    main()
