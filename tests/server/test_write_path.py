"""The write path as real Odoo 17 and 19 answer it, on the embedded servers and on a real Odoo when configured.

Facts from ../shared/odoo-wire/writeback17.json and writeback19.json, and from calls to real
servers, stated in code so they are checked without the capture files. Calls are raw JSON-RPC
(``execute_kw``), as a client sends them:
- ORM arguments go positionally: ``call_kw`` takes the ids of a record method from ``args[0]``
  and looks at ``args[0]`` after ``create``: with none, an IndexError (``tuple`` on 17's
  ``/jsonrpc``, ``list`` on its web route and on 19), and ``create`` is rolled back.
- ``default_get``'s parameter is ``fields`` on 19; on 17 ``fields_list`` except where an override
  renames it (res.partner with crm, res.users, sale.order); wrong names are a TypeError naming the
  class of the override.
- PostgreSQL's limits: an integer beyond 32 bits is ``psycopg2.errors.NumericValueOutOfRange``, a
  NUL character in text or in a domain ``builtins.ValueError`` (an html value has it replaced).
- write ignores computed and magic fields, refuses unknown ones (each version its own way); unlink
  of a partly missing id list removes nothing; a bare id list sets a many2many.
- load converts text cells (datetimes from the context's time zone) and reports bad cells and
  failing rows as messages; JSON values where text is parsed fail like Python does.
- Ordering by a path (``country_id.name``) is refused; a many2one sorts by its comodel's order.
Records are named ``zenoo-test-*`` and removed at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

NUL_MESSAGE = "A string literal cannot contain NUL (0x00) characters."


class Rpc:
    """Raw JSON-RPC calls to a target as its admin, remembering what they create (removed at the end)."""

    def __init__(self, target: Any, http: httpx.Client) -> None:
        self.target = target
        self.http = http
        self.version = self._service("common", "version")["result"]["server_version_info"][0]
        self.uid = self._service(
            "common", "authenticate", target.database, target.login, target.password, {}
        )["result"]
        self.created: list[tuple[str, int]] = []

    def _service(self, service: str, method: str, *args: Any) -> dict[str, Any]:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": list(args)},
        }
        return self.http.post("/jsonrpc", json=body).json()

    def answer(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        """The JSON-RPC envelope of ``execute_kw``."""
        call = [self.target.database, self.uid, self.target.password, model, method, args]
        return self._service("object", "execute_kw", *call, *([kwargs] if kwargs is not None else []))

    def __call__(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """The result of a call that must succeed (positional arguments, keyword arguments)."""
        answer = self.answer(model, method, list(args), kwargs)
        assert "error" not in answer, answer["error"]["data"]["message"]
        return answer["result"]

    def error(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        """``(name, message)`` of a call that must fail."""
        answer = self.answer(model, method, args, kwargs)
        assert "error" in answer, f"{model}.{method} answered {answer.get('result')!r}"
        return answer["error"]["data"]["name"], answer["error"]["data"]["message"]

    def web_error(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, str]:
        """``(name, message)`` of a failing call through the web client's route (a session is opened once)."""
        if "session_id" not in self.http.cookies:
            params = {
                "db": self.target.database,
                "login": self.target.login,
                "password": self.target.password,
            }
            self.http.post(
                "/web/session/authenticate", json={"jsonrpc": "2.0", "method": "call", "params": params}
            )
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        answer = self.http.post(
            f"/web/dataset/call_kw/{model}/{method}",
            json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
        ).json()
        return answer["error"]["data"]["name"], answer["error"]["data"]["message"]

    def create(self, model: str, vals: dict[str, Any]) -> int:
        record_id = self(model, "create", vals)
        self.created.append((model, record_id))
        return record_id

    def adopt(self, model: str, ids: Any) -> None:
        """Record ids created by a call other than ``create`` (load) for removal."""
        self.created += [(model, i) for i in ids or []]


@pytest.fixture
def rpc(target: Any) -> Iterator[Rpc]:
    with httpx.Client(base_url=target.url, timeout=60) as http:
        caller = Rpc(target, http)
        yield caller
        for model, record_id in reversed(caller.created):
            caller.answer(model, "unlink", [[record_id]])


def _index_error(rpc: Rpc) -> tuple[str, str]:
    return "builtins.IndexError", f"{'tuple' if rpc.version < 19 else 'list'} index out of range"


# --- positional and keyword arguments --------------------------------------------------------------


def test_create_takes_its_values_positionally(rpc: Rpc) -> None:
    single = rpc.create("res.partner", {"name": "zenoo-test-wp-pos"})
    assert isinstance(single, int)
    many = rpc("res.partner", "create", [{"name": f"zenoo-test-wp-{n}"} for n in ("c3", "c1", "c2")])
    rpc.adopt("res.partner", many)
    names = rpc("res.partner", "read", many, ["name"])
    assert [row["name"] for row in names] == ["zenoo-test-wp-c3", "zenoo-test-wp-c1", "zenoo-test-wp-c2"]
    # vals_list as a keyword: created, then call_kw fails on args[0] and the transaction is rolled back
    keyword = {"vals_list": [{"name": "zenoo-test-wp-kw"}]}
    assert rpc.error("res.partner", "create", [], keyword) == _index_error(rpc)
    assert rpc("res.partner", "search_count", [("name", "=", "zenoo-test-wp-kw")]) == 0
    unknown = rpc.error("res.partner", "create", [], {"vals": {"name": "zenoo-test-wp-kw"}})
    owner = "create()" if rpc.version < 19 else "ResPartner.create()"
    assert unknown == ("builtins.TypeError", f"{owner} got an unexpected keyword argument 'vals'")


def test_record_methods_take_their_ids_positionally(rpc: Rpc) -> None:
    partner = rpc.create("res.partner", {"name": "zenoo-test-wp-ids"})
    assert rpc.error("res.partner", "read", [], {"ids": [partner], "fields": ["name"]}) == _index_error(rpc)
    assert rpc.error("res.partner", "write", [], {"ids": [partner], "vals": {"phone": "2"}}) == _index_error(
        rpc
    )
    assert rpc.error("res.partner", "unlink", []) == _index_error(rpc)
    # Odoo 17's web route passes the arguments on as a list, its /jsonrpc as a tuple
    web = rpc.web_error("res.partner", "read", [], {"ids": [partner]})
    assert web == ("builtins.IndexError", "list index out of range")
    # after the ids, the other parameters may be keywords
    assert rpc("res.partner", "write", [partner], vals={"phone": "1"}) is True
    assert rpc("res.partner", "read", [partner], fields=["phone"]) == [{"id": partner, "phone": "1"}]


def test_default_get_names_its_parameter_per_version_and_model(rpc: Rpc) -> None:
    assert rpc("res.partner", "default_get", ["type", "lang", "active"]) == {
        "type": "contact",
        "lang": "en_US",
        "active": True,
    }
    assert rpc("res.users", "default_get", ["active", "lang"]) == {"active": True, "lang": "en_US"}
    overridden = {"res.partner": "active", "res.users": "active", "sale.order": "state"}  # "fields" on 17
    for model, field in {**overridden, "res.partner.category": "active"}.items():
        name = "fields" if rpc.version >= 19 or model in overridden else "fields_list"
        assert rpc(model, "default_get", **{name: [field, "no_such_field"]}) == {
            field: True if field == "active" else "draft"
        }
    wrong = rpc.error("res.partner", "default_get", [], {"fields_list": ["type"]})
    owner = "Partner" if rpc.version < 19 else "ResPartner"
    assert wrong == (
        "builtins.TypeError",
        f"{owner}.default_get() got an unexpected keyword argument 'fields_list'",
    )
    if rpc.version < 19:
        wrong = rpc.error("res.partner.category", "default_get", [], {"fields": ["active"]})
        assert wrong == (
            "builtins.TypeError",
            "BaseModel.default_get() got an unexpected keyword argument 'fields'",
        )


def test_has_access_takes_ids_first_on_19(rpc: Rpc) -> None:
    if rpc.version < 19:
        pytest.skip("has_access is new in Odoo 19")
    assert rpc("res.groups", "has_access", [], "read") is True
    name, message = rpc.error("res.groups", "has_access", ["read"])
    assert (name, message) == (
        "builtins.TypeError",
        "BaseModel.has_access() missing 1 required positional argument: 'operation'",
    )


# --- what PostgreSQL refuses -------------------------------------------------------------------------


def test_an_integer_beyond_32_bits_is_refused(rpc: Rpc) -> None:
    out_of_range = ("psycopg2.errors.NumericValueOutOfRange", "integer out of range\n")
    assert rpc.error("res.partner", "create", [{"name": "zenoo-test-wp-big", "color": 2**31}]) == out_of_range
    partner = rpc.create("res.partner", {"name": "zenoo-test-wp-int", "color": 2**31 - 1})
    assert rpc("res.partner", "write", [partner], {"color": -(2**31)}) is True
    for value in (-(2**31) - 1, 2**40, "2147483648"):
        assert rpc.error("res.partner", "write", [[partner], {"color": value}]) == out_of_range
    assert rpc("res.partner", "read", [partner], ["color"]) == [{"id": partner, "color": -(2**31)}]
    # a domain compares any integer
    assert rpc("res.partner", "search_count", [("color", "in", [2**40, 2**31 - 7])]) == 0


def test_a_nul_character_is_refused_in_text_and_domains(rpc: Rpc) -> None:
    refused = ("builtins.ValueError", NUL_MESSAGE)
    assert rpc.error("res.partner", "create", [{"name": "zenoo-test-wp-nul\x00"}]) == refused
    partner = rpc.create("res.partner", {"name": "zenoo-test-wp-nul"})
    assert rpc.error("res.partner", "write", [[partner], {"function": "x\x00y"}]) == refused
    assert rpc.error("res.partner", "search", [[("name", "=", "a\x00b")]]) == refused
    assert rpc.error("res.partner", "search_count", [[("name", "ilike", "\x00")]]) == refused
    assert rpc.error("res.partner", "name_search", [], {"name": "a\x00b"}) == refused
    # a translated field is stored as JSON by language: PostgreSQL's JSON parser refuses it
    name, message = rpc.error("res.partner.category", "create", [{"name": "zenoo-test-wp-nul\x00x"}])
    assert name == "psycopg2.errors.UntranslatableCharacter"
    assert message.startswith("unsupported Unicode escape sequence\n")
    assert message.endswith('CONTEXT:  JSON data, line 1: {"en_US": "zenoo-test-wp-nul\\u0000...\n')
    # a selection value is checked against its keys first
    bad_key = rpc.error("res.partner", "write", [[partner], {"type": "x\x00"}])
    assert bad_key == ("builtins.ValueError", "Wrong value for res.partner.type: 'x\\x00'")
    # html is sanitized: text becomes a paragraph, NUL a space
    assert rpc("res.partner", "write", [partner], {"comment": "a\x00b"}) is True
    assert rpc("res.partner", "read", [partner], ["comment"])[0]["comment"] == "<p>a b</p>"
    assert rpc("res.partner", "write", [partner], {"comment": " "}) is True
    assert rpc("res.partner", "read", [partner], ["comment"])[0]["comment"] == ""


# --- write and unlink ---------------------------------------------------------------------------------


def test_write_ignores_computed_and_magic_fields(rpc: Rpc) -> None:
    partner = rpc.create("res.partner", {"name": "zenoo-test-wp-magic", "display_name": "zz", "id": 999999})
    before = rpc("res.partner", "read", [partner], ["create_date"])[0]["create_date"]
    stamps = {"display_name": "x", "create_date": "2020-01-01 00:00:00", "write_uid": 1, "id": 5}
    assert rpc("res.partner", "write", [partner], stamps) is True
    row = rpc("res.partner", "read", [partner], ["display_name", "create_date", "write_uid"])[0]
    assert (row["display_name"], row["create_date"], row["write_uid"][0]) == (
        "zenoo-test-wp-magic",
        before,
        rpc.uid,
    )


def test_an_unknown_field_is_refused_in_each_version_s_words(rpc: Rpc) -> None:
    partner = rpc.create("res.partner", {"name": "zenoo-test-wp-unknown"})
    tag = rpc.create("res.partner.category", {"name": "zenoo-test-wp-unknown"})
    written = rpc.error("res.partner", "write", [[partner], {"no_such": 1}])
    on_tag = rpc.error("res.partner.category", "write", [[tag], {"no_such": 1}])
    created = rpc.error("res.partner", "create", [{"name": "zenoo-test-wp-u", "no_such": 1}])
    if rpc.version < 19:
        assert written == ("builtins.ValueError", "Invalid field 'no_such' on model 'res.partner'")
        assert on_tag == ("builtins.ValueError", "Invalid field 'no_such' on model 'res.partner.category'")
        assert created == ("builtins.ValueError", "Invalid field 'no_such' on model 'res.partner'")
    else:  # res.partner.write() reads the old value of each given field first
        assert written == ("builtins.KeyError", "no_such")
        assert on_tag == ("builtins.ValueError", "Invalid field 'no_such' in 'res.partner.category'")
        assert created == ("builtins.ValueError", "Invalid field 'no_such' in 'res.partner'")


def test_unlink_with_a_missing_id_removes_nothing(rpc: Rpc) -> None:
    partner = rpc.create("res.partner", {"name": "zenoo-test-wp-unlink"})
    name, message = rpc.error("res.partner", "unlink", [[partner, 987654321]])
    assert name == "odoo.exceptions.MissingError"
    assert (
        message
        == f"Record does not exist or has been deleted.\n(Record: res.partner(987654321,), User: {rpc.uid})"
    )
    assert rpc("res.partner", "search_count", [("id", "=", partner)]) == 1


def test_a_bare_id_list_sets_a_many2many(rpc: Rpc) -> None:
    tags = [rpc.create("res.partner.category", {"name": f"zenoo-test-wp-tag-{n}"}) for n in "ab"]
    partner = rpc.create("res.partner", {"name": "zenoo-test-wp-m2m", "category_id": [(6, 0, tags)]})
    assert rpc("res.partner", "write", [partner], {"category_id": tags[:1]}) is True
    assert rpc("res.partner", "read", [partner], ["category_id"]) == [
        {"id": partner, "category_id": tags[:1]}
    ]


def test_computed_lock_dates_are_the_minimum_date(rpc: Rpc) -> None:
    """res.company's lock dates derive from date.min when none is set, which Odoo sends as '1-01-01'."""
    fields = (
        ["max_tax_lock_date"] if rpc.version < 19 else ["user_tax_lock_date", "user_fiscalyear_lock_date"]
    )
    row = rpc("res.company", "read", [1], fields)[0]
    assert [row[name] for name in fields] == ["1-01-01"] * len(fields)


# --- load ---------------------------------------------------------------------------------------------


def test_load_converts_text_cells(rpc: Rpc) -> None:
    tags = [rpc.create("res.partner.category", {"name": f"zenoo-test-wp-ld-{n}"}) for n in "ab"]
    belgium = rpc("res.country", "search", [("code", "=", "BE")])[0]
    columns = [
        "name",
        "email",
        "is_company",
        "color",
        "credit_limit",
        "country_id/.id",
        "category_id/.id",
        "comment",
    ]
    rows = [
        [
            "zenoo-test-wp-ld-1",
            "l1@x.test",
            "1",
            " 3 ",
            "12.5",
            str(belgium),
            f"{tags[0]},{tags[1]}",
            "hello",
        ],
        ["zenoo-test-wp-ld-2", "", "0", "", "0", "", "", ""],
    ]
    loaded = rpc("res.partner", "load", columns, rows)
    rpc.adopt("res.partner", loaded["ids"])
    assert loaded["messages"] == [] and len(loaded["ids"]) == 2
    read = rpc("res.partner", "read", loaded["ids"], [c.split("/")[0] for c in columns[1:]])
    assert read[0] | {"country_id": read[0]["country_id"][0]} == {
        "id": loaded["ids"][0],
        "email": "l1@x.test",
        "is_company": True,
        "color": 3,
        "credit_limit": 12.5,
        "country_id": belgium,
        "category_id": tags,
        "comment": "<p>hello</p>",
    }
    assert read[1] == {
        "id": loaded["ids"][1],
        "email": False,
        "is_company": False,
        "color": 0,
        "credit_limit": 0.0,
        "country_id": False,
        "category_id": [],
        "comment": False,
    }


def test_load_reads_json_values_as_python_does(rpc: Rpc) -> None:
    assert rpc.error("res.partner", "load", [["name", "is_company"], [["zenoo-test-wp-j", True]]]) == (
        "builtins.AttributeError",
        "'bool' object has no attribute 'lower'",
    )
    assert rpc.error("res.partner", "load", [["name", "category_id/.id"], [["zenoo-test-wp-j", 1]]]) == (
        "builtins.AttributeError",
        "'int' object has no attribute 'split'",
    )
    # int() and float() take numbers, and any false cell is an empty value
    loaded = rpc("res.partner", "load", ["name", "color", "credit_limit"], [["zenoo-test-wp-j", 4.7, None]])
    rpc.adopt("res.partner", loaded["ids"])
    assert rpc("res.partner", "read", loaded["ids"], ["color", "credit_limit"])[0]["color"] == 4


def test_load_reports_every_bad_cell_and_failing_row(rpc: Rpc) -> None:
    rows = [["zenoo-test-wp-ok", "1"], ["", "x"], ["zenoo-test-wp-ok2", "2147483648"]]
    loaded = rpc("res.partner.category", "load", ["name", "color"], rows)
    label = "Tag Name" if rpc.version < 19 else "Name"
    required = (
        f"Missing required value for the field '{label}' (name)"
        if rpc.version < 19
        else f"Missing required value for the field '{label}' (name).\nModel: 'Partner Tags' (res.partner.category)\n"
        "- create/update: a mandatory field is not set\n"
        "- delete: another model requires the record being deleted, you can archive it instead\n"
    )
    assert loaded == {
        "ids": False,
        "messages": [
            {
                "rows": {"from": 1, "to": 1},
                "type": "error",
                "record": 1,
                "field": "color",
                "message": "'x' does not seem to be an integer for field 'Color'",
                "field_name": "Color",
            },
            {
                "rows": {"from": 1, "to": 1},
                "record": 1,
                "type": "error",
                "message": required,
                "field": "name",
            },
            {"rows": {"from": 2, "to": 2}, "record": 2, "type": "error", "message": "integer out of range\n"},
        ],
        "nextrow": 0,
    }
    nul = rpc("res.partner", "load", ["name"], [["zenoo-test-wp\x00"]])
    assert nul["messages"] == [
        {
            "rows": {"from": 0, "to": 0},
            "record": 0,
            "type": "error",
            "message": f"Unknown error during import: <class 'ValueError'>: {NUL_MESSAGE}",
            "moreinfo": "Resolve other errors first",
        }
    ]
    assert rpc("res.partner.category", "search_count", [("name", "=like", "zenoo-test-wp-ok%")]) == 0
    missing = rpc("res.partner.category", "load", [".id", "name"], [["987654321", "zenoo-test-wp-ghost"]])
    assert missing["messages"] == [
        {
            "rows": {"from": 0, "to": 0},
            "type": "error",
            "record": 0,
            "field": ".id",
            "message": "Unknown database identifier '987654321'",
        }
    ]


def test_load_reads_datetimes_in_the_context_time_zone(rpc: Rpc) -> None:
    customer = rpc.create("res.partner", {"name": "zenoo-test-wp-customer"})
    order = rpc.create("sale.order", {"name": "zenoo-test-wp-so", "partner_id": customer})
    columns = [".id", "validity_date", "commitment_date"]
    brussels = rpc(
        "sale.order",
        "load",
        columns,
        [[str(order), "2031-05-06 10:20:30", "2031-05-06 10:20"]],
        context={"tz": "Europe/Brussels"},
    )
    assert brussels == {"ids": [order], "messages": [], "nextrow": 0}
    assert rpc("sale.order", "read", [order], columns[1:]) == [
        {"id": order, "validity_date": "2031-05-06", "commitment_date": "2031-05-06 08:20:00"}
    ]
    rpc("sale.order", "load", columns[::2], [[str(order), "2031-05-06 10:20:30"]], context={"tz": "UTC"})
    assert (
        rpc("sale.order", "read", [order], ["commitment_date"])[0]["commitment_date"] == "2031-05-06 10:20:30"
    )
    bad = rpc("sale.order", "load", columns, [[str(order), "06/05/2031", "2031-05-06T10:20:30"]])
    assert bad["messages"] == [
        {
            "rows": {"from": 0, "to": 0},
            "type": "error",
            "record": 0,
            "field": "validity_date",
            "message": "'06/05/2031' does not seem to be a valid date for field 'Expiration'",
            "moreinfo": "Use the format '2012-12-31'",
            "field_name": "Expiration",
        },
        {
            "rows": {"from": 0, "to": 0},
            "type": "error",
            "record": 0,
            "field": "commitment_date",
            "message": "'2031-05-06T10:20:30' does not seem to be a valid datetime for field 'Delivery Date'",
            "moreinfo": "Use the format '2012-12-31 23:59:59'",
            "field_name": "Delivery Date",
        },
    ]
    assert rpc.error("sale.order", "load", [columns[:2], [[str(order), 5]]]) == (
        "builtins.TypeError",
        "'int' object is not subscriptable",
    )


# --- order --------------------------------------------------------------------------------------------


def test_ordering_by_a_path_is_refused(rpc: Rpc) -> None:
    for order in ("country_id.name", "country_id.code desc, id"):
        field, prop = order.split()[0].split(".")
        expected = (
            f"Order a property ('{prop.rstrip(',')}') on a non-properties field ('{field}')"
            if rpc.version < 19
            else f"Invalid field property '{prop.rstrip(',')}' on res.partner.{field}"
        )
        for method in ("search", "search_read"):
            assert rpc.error("res.partner", method, [[]], {"order": order, "limit": 1}) == (
                "builtins.ValueError",
                expected,
            )
    assert rpc.error("res.partner", "search", [[]], {"order": "country_id__name"}) == (
        "builtins.ValueError",
        "Invalid field 'country_id__name' on model 'res.partner'",
    )
    assert (
        rpc.error("res.partner", "search", [[]], {"order": "name sideways"})[0] == "odoo.exceptions.UserError"
    )


def test_a_many2one_sorts_by_its_comodel_s_order(rpc: Rpc) -> None:
    countries = rpc("res.country", "search", [("code", "in", ["BE", "FR", "DE"])], order="name")
    partners = [rpc.create("res.partner", {"name": "zenoo-test-wp-sort", "country_id": c}) for c in countries]
    mine = [("id", "in", partners)]
    assert rpc("res.partner", "search", mine, order="country_id desc, id") == partners[::-1]
    assert rpc("res.partner", "search", mine, order="country_id, id") == partners
    if rpc.version >= 19:  # a many2one's own id: 19 only
        assert rpc("res.partner", "search", mine, order="country_id.id") == [
            partners[countries.index(c)] for c in sorted(countries)
        ]
    # a field without a column: left out on 17, refused on 19
    stored = rpc.answer("res.partner", "search", [mine], {"order": "category_id"})
    if rpc.version < 19:
        assert sorted(stored["result"]) == sorted(partners)
    else:
        assert stored["error"]["data"]["message"] == (
            "Cannot convert res.partner.category_id to SQL because it is not stored"
        )
