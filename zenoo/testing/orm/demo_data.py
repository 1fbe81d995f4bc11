"""Deterministic, seeded demo data: invented companies, contacts, products, orders and leads.

Rows are generated as tuples and inserted with ``executemany`` (no per-row ORM work), so that
200,000 partners take seconds. The same seed, scale and version always give the same data.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import random
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zenoo.testing.orm.hooks import TAX_RATE
from zenoo.testing.orm.languages import DEMO_LANGUAGES

SUPERUSER_ID = 1
ADMIN_GROUP_ID = 2  # members may do everything (Odoo's "Access Rights" group)
SCALES = {"small": 150, "medium": 5_000, "large": 200_000}
BASE_TIME = dt.datetime(2025, 1, 6, 9, 0, 0)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

INDUSTRIES = [
    ("Agriculture", "A - AGRICULTURE, FORESTRY AND FISHING"), ("Construction", "F - CONSTRUCTION"),
    ("Education", "P - EDUCATION"), ("Manufacturing", "C - MANUFACTURING"),
]
COUNTRIES = [
    ("Belgium", "BE", 32), ("United States", "US", 1), ("France", "FR", 33), ("Germany", "DE", 49),
    ("Netherlands", "NL", 31), ("Luxembourg", "LU", 352), ("Spain", "ES", 34), ("Italy", "IT", 39),
    ("Portugal", "PT", 351), ("United Kingdom", "GB", 44), ("Ireland", "IE", 353), ("Switzerland", "CH", 41),
    ("Austria", "AT", 43), ("Denmark", "DK", 45), ("Sweden", "SE", 46), ("Norway", "NO", 47),
    ("Finland", "FI", 358), ("Poland", "PL", 48), ("Canada", "CA", 1), ("Japan", "JP", 81),
    ("Brazil", "BR", 55), ("India", "IN", 91), ("Australia", "AU", 61), ("Mexico", "MX", 52),
]
COUNTRY_WEIGHTS = [14, 18, 10, 9, 8, 3, 5, 5, 3, 6, 2, 3, 2, 2, 2, 1, 1, 3, 3, 2, 2, 2, 2, 2]
# (name, parent index or None)
CATEGORIES = [
    ("Customer", None), ("Vendor", None), ("Office Supplies", 1), ("Desk Makers", 1), ("Services", None),
    ("Consulting", 4), ("Prospect", None), ("Tier", None), ("Gold", 7), ("Silver", 7), ("Bronze", 7),
]
FIRST_NAMES = [
    "Amara", "Bastien", "Cleo", "Dorian", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kaia", "Lorenz",
    "Mila", "Nico", "Odile", "Pavel", "Quinn", "Rosa", "Soren", "Talia", "Umar", "Vera", "Wim", "Xenia",
    "Yusuf", "Zora", "Anouk", "Bram", "Celine", "Dries", "Emeric", "Fenna", "Gaspard", "Hanne", "Ilyas",
]
LAST_NAMES = [
    "Achterberg", "Brightwater", "Castellane", "Dufrane", "Eskelund", "Falkner", "Grimaud", "Hollander",
    "Ivarsen", "Jansko", "Kerbrat", "Lindqvist", "Marchetti", "Nordahl", "Ostrander", "Pellegrin", "Quast",
    "Rousseel", "Stavrou", "Thibodeau", "Underhill", "Vanbrabant", "Westergaard", "Ystad", "Zeller",
]
COMPANY_WORDS = [
    "Amber", "Basalt", "Cobalt", "Driftwood", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper",
    "Kestrel", "Lantern", "Meridian", "Nimbus", "Orchid", "Pinnacle", "Quartz", "Riverbend", "Saffron",
    "Tundra", "Umbra", "Vantage", "Willow", "Yarrow", "Zephyr",
]
COMPANY_KINDS = [
    "Works", "Logistics", "Furniture", "Labs", "Trading", "Studio", "Systems", "Supplies", "Foods",
    "Consulting", "Interiors", "Textiles",
]
STREETS = ["Mill Lane", "Harbour Road", "Station Street", "Orchard Way", "Quay Side", "Linden Avenue"]
CITIES = ["Northwick", "Eastmere", "Sandford", "Old Brook", "Kingsbay", "Westhollow", "Ravensport"]
PRODUCTS = [
    ("Oak Desk", 420.0), ("Walnut Desk", 560.0), ("Ergo Chair", 245.0), ("Stool", 39.5), ("Monitor Arm", 89.0),
    ("Desk Lamp", 32.0), ("Filing Cabinet", 180.0), ("Whiteboard", 75.0), ("Bookshelf", 149.0),
    ("Standing Mat", 45.0), ("Cable Tray", 18.5), ("Footrest", 27.0), ("Meeting Table", 890.0),
    ("Acoustic Panel", 120.0), ("Coat Stand", 55.0), ("Drawer Unit", 99.0), ("Sofa Two-Seat", 740.0),
    ("Side Table", 64.0), ("Planter", 22.0), ("Locker", 210.0), ("Installation Service", 60.0),
    ("Design Consultation", 95.0), ("Delivery", 25.0), ("Maintenance Plan", 300.0),
]
LEAD_TOPICS = ["office refit", "new branch", "ergonomics audit", "bulk chairs", "meeting rooms", "storage"]


class Dice:
    """Seeded picks, several times faster than ``random.Random``'s choice/randint (which matters at 200k rows)."""

    def __init__(self, seed: str):
        self.random = random.Random(seed).random

    def randint(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.random() * len(seq))]

    def weighted(self, seq: Sequence[Any], cumulative: Sequence[float]) -> Any:
        """A pick from ``seq`` with the given cumulative weights."""
        return seq[bisect.bisect(cumulative, self.random() * cumulative[-1])]

    def sample(self, seq: Sequence[Any], count: int) -> list[Any]:
        pool = list(seq)
        return [pool.pop(int(self.random() * len(pool))) for _ in range(min(count, len(pool)))]

    def hex(self, digits: int) -> str:
        return "".join(self.choice("0123456789abcdef") for _ in range(digits))


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


@dataclass(frozen=True)
class DemoUser:
    uid: int
    login: str
    name: str
    partner_id: int
    active: bool


def partner_count(scale: str | int) -> int:
    """How many generated partners a scale knob means."""
    if isinstance(scale, bool):
        raise ValueError(  # noqa: TRY004 - a bad value of the scale knob, reported like the others
            f"Invalid scale {scale!r}: use 'small', 'medium', 'large' or a number of partners")
    if isinstance(scale, int):
        if scale < 10:
            raise ValueError(f"Invalid scale {scale!r}: at least 10 partners are needed")
        return scale
    if scale not in SCALES:
        raise ValueError(f"Invalid scale {scale!r}: use 'small', 'medium', 'large' or a number of partners")
    return SCALES[scale]


@functools.lru_cache(maxsize=65536)
def _stamp(minutes: int) -> str:
    return (BASE_TIME + dt.timedelta(minutes=minutes)).strftime(TIME_FORMAT)


def _insert(db: sqlite3.Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if rows:
        names = ", ".join(f'"{c}"' for c in columns)
        db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)


def users_for(version: int) -> list[DemoUser]:
    """System users (bot, public, portal) then admin (uid 2) and demo (uid 6 on 17, 5 on 19)."""
    users = [
        DemoUser(1, "__system__", "System Bot", 2, False),
        DemoUser(2, "admin", "Alex Administrator", 3, True),
        DemoUser(3, "public", "Public user", 4, False),
        DemoUser(4, "portal", "Piet Portal", 5, True),
    ]
    if version < 19:
        users.append(DemoUser(5, "default", "Template User", 6, False))
    users.append(DemoUser(len(users) + 1, "demo", "Dana Demo", 7, True))
    return users


def populate(db: sqlite3.Connection, version: int, scale: str | int, seed: int) -> None:
    """Fill an empty database with the demo data."""
    rng = Dice(f"{seed}:{version}")
    total_partners = partner_count(scale)
    stamp = _stamp(0)
    audit = (1, 1, stamp, stamp)
    audit_cols = ("create_uid", "write_uid", "create_date", "write_date")

    _insert(db, "res_currency", ("id", "name", "symbol", "rounding", "decimal_places", "active", *audit_cols),
            [(1, "USD", "$", 0.01, 2, 1, *audit), (2, "EUR", "€", 0.01, 2, 1, *audit)])
    _insert(db, "res_lang", ("id", "name", "code", "active", *audit_cols),
            [(i + 1, name, code, int(active), *audit) for i, (code, name, active) in enumerate(DEMO_LANGUAGES)])
    _insert(db, "res_partner_industry", ("id", "name", "full_name", "active", *audit_cols),
            [(i + 1, name, full_name, 1, *audit) for i, (name, full_name) in enumerate(INDUSTRIES)])
    _insert(db, "res_country", ("id", "name", "code", "phone_code", *audit_cols),
            [(i + 1, name, code, phone, *audit) for i, (name, code, phone) in enumerate(COUNTRIES)])
    opening = None if version >= 19 else f"{BASE_TIME.year}-01-01"  # required on 17 only
    _insert(db, "res_company", ("id", "name", "sequence", "partner_id", "currency_id", "email", "active",
                                "account_opening_date", *audit_cols),
            [(1, "Zenoo Demo Company", 0, 1, 1, "info@zenoo-demo.example.com", 1, opening, *audit),
             (2, "Zenoo Demo Company (EU)", 10, 8, 2, "eu@zenoo-demo.example.com", 1, opening, *audit)])
    groups = [(1, "Internal User"), (ADMIN_GROUP_ID, "Access Rights"), (3, "Settings"), (4, "Portal"),
              (5, "Public"), (6, "Technical Features")]
    _insert(db, "res_groups", ("id", "name", *audit_cols), [(gid, name, *audit) for gid, name in groups])

    categories = []
    for index, (name, parent) in enumerate(CATEGORIES):
        complete = name if parent is None else f"{CATEGORIES[parent][0]} / {name}"
        categories.append((index + 1, name, complete, None if parent is None else parent + 1, index % 11, 1,
                           *audit))
    _insert(db, "res_partner_category",
            ("id", "name", "complete_name", "parent_id", "color", "active", *audit_cols), categories)

    has_date = version < 19  # res.partner.date exists on 17 only
    partner_cols = ("id", "name", "complete_name", "parent_id", "is_company", "active", "email", "phone",
                    "street", "city", "zip", "country_id", "company_id", "type", "lang", "comment", "ref",
                    *(("date",) if has_date else ()), "customer_rank", "credit_limit", "color", "function",
                    "website", "vat", *audit_cols)

    position = {col: index for index, col in enumerate(partner_cols)}
    template: list[Any] = [None] * len(partner_cols)
    for col, value in {"is_company": 0, "active": 1, "type": "contact", "lang": "en_US", "customer_rank": 0,
                       "credit_limit": 0.0, "color": 0, "create_uid": 1, "write_uid": 1, "create_date": stamp,
                       "write_date": stamp}.items():
        template[position[col]] = value

    def partner(pid: int, name: str, **values: Any) -> tuple[Any, ...]:
        row = template.copy()
        row[0], row[1], row[2] = pid, name, name
        for col, value in values.items():
            row[position[col]] = value
        return tuple(row)

    users = users_for(version)
    fixed = [
        partner(1, "Zenoo Demo Company", is_company=1, email="info@zenoo-demo.example.com", country_id=1,
                company_id=1, city="Northwick", street="1 Mill Lane", zip="1000"),
        partner(8, "Zenoo Demo Company (EU)", is_company=1, email="eu@zenoo-demo.example.com", country_id=1,
                company_id=2, city="Eastmere"),
    ]
    for user in users:
        login_mail = f"{user.login.strip('_')}@zenoo-demo.example.com"
        if user.uid in (2, users[-1].uid):
            fixed.append(partner(user.partner_id, user.name, parent_id=1, active=1, email=login_mail,  # a contact:
                                 complete_name=f"Zenoo Demo Company, {user.name}", company_id=1,  # the address
                                 city="Northwick", street="1 Mill Lane", zip="1000", country_id=1))  # is its parent's
        else:
            fixed.append(partner(user.partner_id, user.name, active=int(user.active), email=login_mail))
    _insert(db, "res_partner", partner_cols, fixed)
    _insert(db, "res_users", ("id", "name", "login", "email", "partner_id", "company_id", "active", "share",
                              "lang", "tz", *audit_cols),
            [(u.uid, u.name, u.login, f"{u.login.strip('_')}@zenoo-demo.example.com", u.partner_id, 1,
              int(u.active), int(u.login in ("public", "portal")), "en_US",
              "America/New_York" if u.login == "demo" else "Europe/Brussels", *audit) for u in users])
    demo_uid = users[-1].uid
    memberships = [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (demo_uid, 1), (4, 4), (3, 5)]
    _insert(db, "res_groups_users_rel", ("uid", "gid"), memberships)
    # admin works in both companies, the others in the first
    _insert(db, "res_company_users_rel", ("user_id", "cid"),
            [(u.uid, cid) for u in users for cid in ((1, 2) if u.login == "admin" else (1,))])

    # generated partners: companies with contacts, and some individuals
    rows: list[tuple[Any, ...]] = []
    tags: list[tuple[int, int]] = []
    next_id = 9
    country_ids = list(range(1, len(COUNTRIES) + 1))
    country_weights = _cumulative(COUNTRY_WEIGHTS)
    contact_types = ["contact", "invoice", "delivery", "other"]
    contact_weights = _cumulative([80, 8, 8, 4])
    used_names: set[str] = set()
    generated = 0
    minute = 0
    while generated < total_partners:
        minute += rng.randint(1, 30)
        company_name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        if company_name in used_names:
            company_name = f"{company_name} {next_id}"
        used_names.add(company_name)
        country = rng.weighted(country_ids, country_weights)
        company_id = next_id
        next_id += 1
        domain_name = company_name.lower().replace(" ", "-")
        phone = f"+{COUNTRIES[country - 1][2]} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        address = {"street": f"{rng.randint(1, 200)} {rng.choice(STREETS)}", "city": rng.choice(CITIES),
                   "zip": str(rng.randint(1000, 99999)), "country_id": country}
        rows.append(partner(
            company_id, company_name, is_company=1, email=f"contact@{domain_name}.example.com", phone=phone,
            **address, company_id=1 if rng.random() < 0.8 else None,
            customer_rank=rng.randint(0, 5), credit_limit=float(rng.choice([0, 1000, 5000, 25000])),
            active=0 if rng.random() < 0.03 else 1,
            comment=f"<p>Key account since {2015 + rng.randint(0, 9)}</p>" if rng.random() < 0.2 else None,
            ref=f"C{company_id:06d}" if rng.random() < 0.5 else None,
            **({"date": (BASE_TIME.date() - dt.timedelta(days=rng.randint(0, 900))).isoformat()
                if rng.random() < 0.3 else None} if has_date else {}),
            website=f"https://{domain_name}.example.com" if rng.random() < 0.5 else None,
            vat=f"{COUNTRIES[country - 1][1]}{rng.randint(100000000, 999999999)}" if rng.random() < 0.4 else None,
            create_date=_stamp(minute), write_date=_stamp(minute + rng.randint(0, 5000)),
        ))
        for tag in rng.sample(range(1, len(CATEGORIES) + 1), rng.choice([0, 0, 1, 1, 2])):
            tags.append((company_id, tag))
        generated += 1
        for _ in range(min(rng.choice([0, 1, 2, 3, 3, 4, 5]), total_partners - generated)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            kind = rng.weighted(contact_types, contact_weights)
            mail = f"{first.lower()}.{last.lower()}@{domain_name}.example.com" if rng.random() < 0.85 else None
            line = (f"+{COUNTRIES[country - 1][2]} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                    if rng.random() < 0.6 else None)
            own_country = rng.random() < 0.9
            rows.append(partner(
                next_id, f"{first} {last}", complete_name=f"{company_name}, {first} {last}", parent_id=company_id,
                email=mail, phone=line,
                # a contact has its company's address, as Odoo keeps it; other addresses their own country
                **(address if kind == "contact" else {"country_id": country if own_country else None}),
                company_id=1, type=kind,
                function=rng.choice(["CEO", "Buyer", "Accountant", "Office Manager", None]),
                active=0 if rng.random() < 0.03 else 1, create_date=_stamp(minute), write_date=_stamp(minute),
            ))
            if rng.random() < 0.15:
                tags.append((next_id, rng.randint(1, len(CATEGORIES))))
            next_id += 1
            generated += 1
    _insert(db, "res_partner", partner_cols, rows)
    _insert(db, "res_partner_res_partner_category_rel", ("partner_id", "category_id"), tags)
    active = [(row[0], row[4]) for row in rows if row[5] == 1]  # (id, is_company)

    _populate_sales(db, rng, active, max(30, total_partners // 5), audit, audit_cols, demo_uid)
    _populate_leads(db, rng, [pid for pid, _c in active], max(20, total_partners // 10), demo_uid, audit_cols)
    _insert(db, "ir_config_parameter", ("id", "key", "value", *audit_cols), [
        (1, "database.uuid", rng.hex(32), *audit),
        (2, "web.base.url", "http://127.0.0.1", *audit),
        (3, "database.create_date", stamp, *audit),
    ])
    xids = [("base", f"{code.lower()}", "res.country", i + 1) for i, (_n, code, _p) in enumerate(COUNTRIES)]
    xids += [("base", "USD", "res.currency", 1), ("base", "EUR", "res.currency", 2),
             ("base", "main_company", "res.company", 1), ("base", "main_partner", "res.partner", 1),
             ("base", "user_root", "res.users", 1), ("base", "user_admin", "res.users", 2),
             ("base", "user_demo", "res.users", demo_uid), ("base", "group_user", "res.groups", 1),
             ("base", "group_erp_manager", "res.groups", 2), ("base", "group_system", "res.groups", 3)]
    _insert(db, "ir_model_data", ("module", "name", "model", "res_id", "noupdate", *audit_cols),
            [(*xid, 1, *audit) for xid in xids])


def _populate_sales(db: sqlite3.Connection, rng: Dice, customers: list[tuple[int, int]], count: int,
                    audit: tuple[Any, ...], audit_cols: tuple[str, ...], demo_uid: int) -> None:
    templates, products = [], []
    for index, (name, price) in enumerate(PRODUCTS, start=1):
        kind = "service" if index > 20 else "consu"
        code = f"ZD-{index:03d}"
        templates.append((index, name, code, kind, price, round(price * 0.55, 2), 1, 1, 1, *audit))
        products.append((index, index, name, code, price, 1, *audit))
    _insert(db, "product_template", ("id", "name", "default_code", "type", "list_price", "standard_price",
                                     "sale_ok", "active", "company_id", *audit_cols), templates)
    _insert(db, "product_product", ("id", "product_tmpl_id", "name", "default_code", "lst_price", "active",
                                    *audit_cols), products)
    orders, lines = [], []
    companies = [pid for pid, is_company in customers if is_company] or [pid for pid, _c in customers]
    everyone = [pid for pid, _c in customers]
    line_id = 1
    states, state_weights = ["draft", "sent", "sale", "cancel"], _cumulative([30, 15, 45, 10])
    catalog = list(enumerate(PRODUCTS, start=1))
    for order_id in range(1, count + 1):
        when = BASE_TIME + dt.timedelta(days=rng.randint(0, 540), minutes=rng.randint(0, 1439))
        state = rng.weighted(states, state_weights)
        untaxed = tax = 0.0
        for sequence in range(rng.randint(1, 5)):
            product_id, (name, price) = rng.choice(catalog)
            qty = float(rng.randint(1, 12))
            discount = rng.choice([0.0, 0.0, 0.0, 5.0, 10.0])
            subtotal = round(qty * price * (1 - discount / 100.0), 2)
            line_tax = round(subtotal * TAX_RATE, 2)
            untaxed += subtotal
            tax += line_tax
            lines.append((line_id, order_id, 10 + sequence, product_id, name, qty, price, discount, subtotal,
                          line_tax, round(subtotal + line_tax, 2), *audit))
            line_id += 1
        stamp = when.strftime(TIME_FORMAT)
        orders.append((order_id, f"S{order_id:05d}", rng.choice(companies if rng.random() < 0.7 else everyone), stamp,
                       (when.date() + dt.timedelta(days=30)).isoformat(), state, round(untaxed, 2), round(tax, 2),
                       round(untaxed + tax, 2), 1, rng.choice([2, demo_uid]), 1, 1, 1, stamp, stamp))
    _insert(db, "sale_order", ("id", "name", "partner_id", "date_order", "validity_date", "state",
                               "amount_untaxed", "amount_tax", "amount_total", "currency_id", "user_id",
                               "company_id", *audit_cols), orders)
    _insert(db, "sale_order_line", ("id", "order_id", "sequence", "product_id", "name", "product_uom_qty",
                                    "price_unit", "discount", "price_subtotal", "price_tax", "price_total",
                                    *audit_cols), lines)
    db.execute("INSERT OR REPLACE INTO zenoo_sequence (name, value) VALUES ('sale.order', ?)", (count,))


def _populate_leads(db: sqlite3.Connection, rng: Dice, customers: list[int], count: int,
                    demo_uid: int, audit_cols: tuple[str, ...]) -> None:
    leads = []
    for lead_id in range(1, count + 1):
        partner = rng.choice(customers) if rng.random() < 0.7 else None
        kind = rng.choice(["lead", "opportunity"])
        when = _stamp(lead_id * 97)
        leads.append((lead_id, f"{rng.choice(LEAD_TOPICS).capitalize()} #{lead_id}", partner, kind,
                      rng.choice(["0", "1", "2", "3"]), float(rng.randint(1, 80) * 500),
                      float(rng.choice([10, 20, 50, 70, 90])), rng.choice([2, demo_uid]), 1,
                      (BASE_TIME.date() + dt.timedelta(days=rng.randint(0, 120))).isoformat(),
                      0 if rng.random() < 0.05 else 1, 1, 1, when, when))
    _insert(db, "crm_lead", ("id", "name", "partner_id", "type", "priority", "expected_revenue", "probability",
                             "user_id", "company_id", "date_deadline", "active", *audit_cols), leads)


def describe_models(db: sqlite3.Connection, models: Mapping[str, Any]) -> None:
    """One ``ir.model`` record per model the server knows (``models``: name → its ModelSpec), as Odoo
    keeps one per model of the registry."""
    stamp = _stamp(0)
    _insert(db, "ir_model", ("name", "model", "order", "state", "transient",
                             "create_uid", "write_uid", "create_date", "write_date"),
            [(spec.description, name, spec.order, "base", 0, 1, 1, stamp, stamp)
             for name, spec in sorted(models.items())])
