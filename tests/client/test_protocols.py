"""Request shapes of both protocols, argument binding (positional on JSON-RPC, named on JSON-2),
JSON encoding, read_group shape."""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys

import orjson
import pytest

from zenoo import ClientError, InvalidValueError
from zenoo.client import _group_row, _legacy_order
from zenoo.protocols.base import Credentials, check_ids, check_names
from zenoo.protocols.json2 import Json2Protocol
from zenoo.protocols.jsonrpc import JsonRpcProtocol
from zenoo.protocols.signatures import named, positional
from zenoo.transport import encode_json, parse_retry_after

CREDS = Credentials("odoo19", "admin", 2, "very-secret-key", "api_key")


def test_jsonrpc_execute_kw_shape() -> None:
    wire = JsonRpcProtocol().call_request(
        CREDS, "res.partner", "write", [7], ({"email": "a@b.c"},), {}, {"lang": "en_US"}
    )
    assert wire.path == "/jsonrpc"
    params = wire.body["params"]
    assert params["service"] == "object" and params["method"] == "execute_kw"
    assert params["args"] == [
        "odoo19", 2, "very-secret-key", "res.partner", "write", [[7], {"email": "a@b.c"}], {"context": {"lang": "en_US"}}
    ]
    assert wire.body["jsonrpc"] == "2.0" and wire.body["method"] == "call"


def test_json2_shape_headers_and_binding() -> None:
    wire = Json2Protocol().call_request(
        CREDS, "res.partner", "search_read", None, ([["is_company", "=", True]], ["name"]), {"limit": 3},
        {"lang": "en_US"},
    )
    assert wire.path == "/json/2/res.partner/search_read"
    assert wire.body == {
        "context": {"lang": "en_US"}, "limit": 3, "domain": [["is_company", "=", True]], "fields": ["name"]
    }
    assert wire.headers == {"Authorization": "bearer very-secret-key", "X-Odoo-Database": "odoo19"}


@pytest.mark.parametrize(
    ("method", "ids", "args", "kwargs", "expected_ids", "expected"),
    [
        ("read", None, ([1, 2], ["name"]), {}, [1, 2], {"fields": ["name"]}),  # execute_kw style: ids first
        ("read", [1], (["name"],), {"load": None}, [1], {"fields": ["name"], "load": None}),
        ("write", [3], ({"name": "x"},), {}, [3], {"vals": {"name": "x"}}),
        ("create", None, ([{"name": "x"}],), {}, None, {"vals_list": [{"name": "x"}]}),
        ("name_search", None, ("Gem", [], "ilike", 3), {}, None, {"name": "Gem", "domain": [], "operator": "ilike", "limit": 3}),
        ("unlink", [4], (), {}, [4], {}),
        ("do_something", [4], (), {"flag": True}, [4], {"flag": True}),  # kwargs always work
        # other versions' names are renamed to Odoo 19's
        ("default_get", None, (), {"fields_list": ["type"]}, None, {"fields": ["type"]}),
        ("default_get", None, (["type"],), {}, None, {"fields": ["type"]}),
        ("name_search", None, ("Gem",), {"args": []}, None, {"name": "Gem", "domain": []}),
    ],
)
def test_json2_names_arguments(method, ids, args, kwargs, expected_ids, expected) -> None:  # type: ignore[no-untyped-def]
    assert named("res.partner", method, ids, args, kwargs) == (expected_ids, expected)


@pytest.mark.parametrize(
    ("method", "ids", "args", "kwargs", "expected_args", "expected_kwargs"),
    [
        # Odoo's call_kw reads create's values from args[0]: never a keyword
        ("create", None, (), {"vals_list": [{"name": "x"}]}, [[{"name": "x"}]], {}),
        ("write", [3], (), {"vals": {"name": "x"}}, [[3], {"name": "x"}], {}),
        ("read", [1], (), {"fields": ["name"], "load": None}, [[1], ["name"], None], {}),
        ("read", None, ([1, 2],), {"fields": ["name"]}, [[1, 2], ["name"]], {}),
        # skipped parameters take Odoo's defaults up to the last one given
        ("search", None, (), {"domain": [], "limit": 5}, [[], 0, 5], {}),
        ("search_read", None, (), {"domain": [], "order": "id"}, [[], None, 0, None, "id"], {}),
        # the name differs per version and model: position is the contract
        ("default_get", None, (), {"fields": ["type"]}, [["type"]], {}),
        ("default_get", None, (), {"fields_list": ["type"]}, [["type"]], {}),
        ("name_search", None, (), {"domain": [["id", ">", 1]], "limit": 3}, ["", [["id", ">", 1]], "ilike", 3], {}),
        ("fields_get", None, (), {"attributes": ["type"]}, [None, ["type"]], {}),
        # keywords the signature does not know pass through (search_read's **read_kwargs)
        ("search_read", None, ([],), {"load": None}, [[]], {"load": None}),
        ("action_confirm", [7], (), {"flag": True}, [[7]], {"flag": True}),
        ("action_confirm", [7], ("x",), {}, [[7], "x"], {}),
    ],
)
def test_jsonrpc_sends_known_parameters_positionally(  # type: ignore[no-untyped-def]
    method, ids, args, kwargs, expected_args, expected_kwargs
) -> None:
    assert positional("res.partner", method, ids, args, kwargs) == (expected_args, expected_kwargs)


def test_binding_refuses_what_it_cannot_name() -> None:
    with pytest.raises(ClientError, match="JSON-2 needs named parameters.*res.partner.action_foo.*kwargs"):
        named("res.partner", "action_foo", [1], ("x",), {})
    for bind in (named, positional):
        with pytest.raises(ClientError, match=r"too many positional arguments for res.partner.search_count: it takes \(domain, limit\)"):
            bind("res.partner", "search_count", None, ([], 1, 2), {})
        with pytest.raises(ClientError, match="'domain' both positionally and in kwargs"):
            bind("res.partner", "search", None, ([],), {"domain": []})
        with pytest.raises(ClientError, match="context=..."):
            bind("res.partner", "search", None, (), {"context": {}})
    with pytest.raises(ClientError, match="res.partner.search needs its parameter 'domain'"):
        positional("res.partner", "search", None, (), {"limit": 1})


def test_names_and_ids_are_checked_before_sending() -> None:
    check_names("res.partner", "search_read")
    check_names("x_custom.model_2", "_private")  # Odoo refuses it, with an AccessError
    with pytest.raises(InvalidValueError, match="invalid model name 'res/partner'"):
        check_names("res/partner", "read")
    with pytest.raises(InvalidValueError, match="invalid method name 'read/../x'"):
        check_names("res.partner", "read/../x")
    assert check_ids(5) == [5] and check_ids((1, 2)) == [1, 2] and check_ids(range(1, 3)) == [1, 2]
    with pytest.raises(InvalidValueError, match="ids must be ints, got '3'"):
        check_ids([1, "3"])
    with pytest.raises(InvalidValueError, match="ids must be ints, got True"):
        check_ids([True])
    with pytest.raises(InvalidValueError, match="got str"):
        check_ids("12")


def test_secrets_are_not_in_reprs() -> None:
    assert "very-secret-key" not in repr(CREDS)
    wire = Json2Protocol().call_request(CREDS, "res.partner", "search", None, (), {}, {})
    assert "very-secret-key" not in repr(wire)
    rpc = JsonRpcProtocol().call_request(CREDS, "res.partner", "search", None, ([],), {}, {})
    assert "very-secret-key" not in repr(rpc)


def test_encode_json_dates_and_bad_values() -> None:
    value = {
        "d": dt.date(2024, 2, 29),
        "naive": dt.datetime(2024, 2, 29, 13, 5, 9, 123),
        "aware": dt.datetime(2024, 2, 29, 14, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "t": (1, 2),
    }
    assert orjson.loads(encode_json(value)) == {
        "d": "2024-02-29", "naive": "2024-02-29 13:05:09", "aware": "2024-02-29 13:05:09", "t": [1, 2]
    }
    with pytest.raises(InvalidValueError, match="decimal.Decimal"):
        encode_json({"amount": decimal.Decimal("1.10")})
    with pytest.raises(InvalidValueError, match="not JSON serializable: set"):
        encode_json({"ids": {1, 2}})


def test_retry_after_header() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:10 GMT", now) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# Shapes as Odoo sends them (from the Odoo 17 read_group and Odoo 19 formatted_read_group captures).
LEGACY_ROW = {
    "date_order:month": "October 2026",
    "partner_id": [11, "Gemini Furniture"],
    "__count": 7,
    "amount_total": 13296.31,
    "__domain": ["&", ["date_order", ">=", "2026-10-01 00:00:00"], ["date_order", "<", "2026-11-01 00:00:00"]],
    "__range": {"date_order:month": {"from": "2026-10-01 00:00:00", "to": "2026-11-01 00:00:00"}},
}
FORMATTED_ROW = {
    "date_order:month": ["2026-10-01 00:00:00", "October 2026"],
    "partner_id": [11, "Gemini Furniture"],
    "__extra_domain": ["&", ["date_order", ">=", "2026-10-01 00:00:00"], ["date_order", "<", "2026-11-01 00:00:00"]],
    "amount_total:sum": 13296.31,
    "__count": 7,
}


def test_read_group_rows_have_one_shape_on_both_versions() -> None:
    groups, aggregates = ["date_order:month", "partner_id"], ["amount_total:sum"]
    expected = {
        "date_order:month": ["2026-10-01 00:00:00", "October 2026"],
        "partner_id": [11, "Gemini Furniture"],
        "__count": 7,
        "amount_total:sum": 13296.31,
    }
    assert _group_row(LEGACY_ROW, groups, aggregates, legacy=True) == expected
    assert _group_row(FORMATTED_ROW, groups, aggregates, legacy=False) == expected
    empty = {"partner_id": False, "__count": 2, "amount_total": 0.0}
    assert _group_row(empty, ["partner_id"], aggregates, legacy=True) == {
        "partner_id": False, "__count": 2, "amount_total:sum": 0.0
    }


def test_legacy_order() -> None:
    assert _legacy_order("amount_total:sum desc, partner_id") == "amount_total desc, partner_id"
    assert _legacy_order("__count desc") == "__count desc"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_encode_json_refuses_nan_and_infinity_naming_where(bad: float) -> None:
    """orjson writes them as null, which Odoo reads as empty: refused, with the path in the body."""
    body = {"params": {"args": ["db", 2, "secret", "res.partner", "create", [[{"name": None, "credit_limit": bad}]]]}}
    with pytest.raises(InvalidValueError, match=(
        rf"cannot send {bad!r} to Odoo for res.partner.create \(at params.args\[5\]\[0\]\[0\].credit_limit in the "
        r"request body\): JSON has no NaN or infinity"
    )) as info:
        encode_json(body, "res.partner.create")
    assert "secret" not in str(info.value)
    assert orjson.loads(encode_json({"name": None, "text": "null", "x": [1.5, -0.0, 1e308]})) == {
        "name": None, "text": "null", "x": [1.5, -0.0, 1e308]
    }


def test_numpy_and_pandas_scalars_on_the_wire() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    value = {
        "int": np.int64(7), "small": np.int32(-3), "flag": np.bool_(True), "float": np.float32(0.5),
        "double": np.float64(2.25), "day": np.datetime64("2024-02-29"), "moment": np.datetime64("2024-02-29T13:05:09.5"),
        "nanos": np.datetime64("2024-02-29T13:05:09.123456789"), "stamp": pd.Timestamp("2024-02-29 14:05:09+01:00"),
        "empty": [pd.NA, pd.NaT, np.datetime64("NaT")], "text": np.str_("x"),
    }  # fmt: skip
    assert orjson.loads(encode_json(value)) == {
        "int": 7, "small": -3, "flag": True, "float": 0.5, "double": 2.25, "day": "2024-02-29",
        "moment": "2024-02-29 13:05:09", "nanos": "2024-02-29 13:05:09", "stamp": "2024-02-29 13:05:09",
        "empty": [None, None, None], "text": "x",
    }  # fmt: skip
    with pytest.raises(InvalidValueError, match=r"cannot send nan to Odoo for res.partner.write \(at vals.color"):
        encode_json({"vals": {"color": np.float32("nan")}}, "res.partner.write")
    with pytest.raises(InvalidValueError, match="not JSON serializable: numpy.complex128"):
        encode_json({"z": np.complex128(1j)})
    assert check_ids(np.int64(3)) == [3] and check_ids(np.array([1, 2], dtype=np.int32)) == [1, 2]
    assert check_ids(pd.Series([4, 5], dtype="Int64")) == [4, 5]
    with pytest.raises(InvalidValueError, match="ids must be ints, got <NA>"):
        check_ids(pd.array([1, None], dtype="Int64"))
    with pytest.raises(InvalidValueError, match=r"ids must be ints, got (np\.float64\(1\.0\)|1\.0) \(float64\)"):
        check_ids(np.array([1.0]))


def test_the_core_does_not_import_numpy_or_pandas() -> None:
    """numpy and pandas are optional: converting and encoding values never imports them."""
    code = (
        "import sys, zenoo, datetime as dt\n"
        "from zenoo.transport import encode_json\n"
        "from zenoo.fields.values import to_odoo\n"
        "encode_json({'a': [1.5, None, dt.date(2024, 1, 1)]}); to_odoo([dt.datetime(2024, 1, 1), 3])\n"
        "assert not {'numpy', 'pandas'} & set(sys.modules), sorted({'numpy', 'pandas'} & set(sys.modules))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
