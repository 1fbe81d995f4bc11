"""Cache keys: what separates entries, what never appears in them; values: JSON only, poison refused."""

from __future__ import annotations

import datetime
import pickle

import pytest

from zenoo.cache.keys import (
    PoisonedValueError,
    decode_value,
    encode_value,
    make_call_key,
    make_function_key,
    validate_ttl,
)
from zenoo.exceptions import InvalidValueError

SCOPE = ("https://odoo.example.com", "prod", 2)
CALL = ("res.partner", "search_read", None, [[["is_company", "=", True]]], {"fields": ["name"], "limit": 5})
CONTEXT = {"lang": "en_US", "tz": "Europe/Brussels", "allowed_company_ids": [1]}


def key_of(scope=SCOPE, call=CALL, context=CONTEXT):
    model, method, ids, args, kwargs = call
    return make_call_key(scope, model, method, ids, args, kwargs, context)


def test_same_call_same_key_whatever_the_dict_order():
    reordered_kwargs = {"limit": 5, "fields": ["name"]}
    reordered_context = {"allowed_company_ids": [1], "tz": "Europe/Brussels", "lang": "en_US"}
    other = make_call_key(
        SCOPE, "res.partner", "search_read", None, CALL[3], reordered_kwargs, reordered_context
    )
    assert other == key_of()


def test_tuples_and_lists_give_the_same_key():
    as_tuples = (
        "res.partner",
        "search_read",
        None,
        [[("is_company", "=", True)]],
        {"fields": ("name",), "limit": 5},
    )
    assert key_of(call=as_tuples) == key_of()


@pytest.mark.parametrize(
    "scope",
    [
        ("https://other.example.com", "prod", 2),  # another server
        ("https://odoo.example.com", "test", 2),  # another database
        ("https://odoo.example.com", "prod", 6),  # another user
    ],
)
def test_server_database_and_user_separate_keys(scope):
    assert key_of(scope=scope).digest != key_of().digest


@pytest.mark.parametrize(
    "context",
    [
        {**CONTEXT, "lang": "fr_BE"},
        {**CONTEXT, "tz": "UTC"},
        {**CONTEXT, "allowed_company_ids": [1, 2]},
        {**CONTEXT, "active_test": False},
        {},
    ],
)
def test_context_separates_keys(context):
    assert key_of(context=context).digest != key_of().digest


@pytest.mark.parametrize(
    "call",
    [
        ("res.partner", "search_read", None, [[["is_company", "=", False]]], CALL[4]),
        ("res.partner", "search_read", None, CALL[3], {"fields": ["name"], "limit": 6}),
        ("res.partner", "search_count", None, CALL[3], CALL[4]),
        ("res.partner", "read", [1, 2], [], {"fields": ["name"]}),
        ("res.partner", "read", [2, 1], [], {"fields": ["name"]}),
        ("res.partner", "read", [], [], {"fields": ["name"]}),
    ],
)
def test_arguments_separate_keys(call):
    assert key_of(call=call).digest != key_of().digest


def test_database_part_is_shared_by_users_of_one_database():
    """Invalidation is scoped by server + database, not by user."""
    assert key_of(scope=(SCOPE[0], SCOPE[1], 6)).database == key_of().database
    assert key_of(scope=(SCOPE[0], "test", 2)).database != key_of().database


def test_key_has_readable_model_and_no_secret_or_value():
    secret_scope = ("https://admin:s3cret-pass@odoo.example.com", "prod", 2)
    kwargs = {"domain": [["email", "=", "ceo@acme.example"]], "fields": ["name"]}
    key = make_call_key(secret_scope, "res.partner", "search_read", None, [], kwargs, {"lang": "en_US"})
    stored = key.storage_key((3, 7))
    assert stored.startswith(f"v:{key.database}:res.partner:3.7:")
    for fragment in ("s3cret", "admin", "ceo@acme", "odoo.example.com", "prod", "en_US"):
        assert fragment not in stored


def test_function_keys_depend_on_name_arguments_and_user():
    base = make_function_key(SCOPE, "mod.f", {"code": "BE"})
    assert make_function_key(SCOPE, "mod.f", {"code": "BE"}) == base
    assert make_function_key(SCOPE, "mod.g", {"code": "BE"}).digest != base.digest
    assert make_function_key(SCOPE, "mod.f", {"code": "FR"}).digest != base.digest
    assert make_function_key((SCOPE[0], SCOPE[1], 6), "mod.f", {"code": "BE"}).digest != base.digest
    assert base.label == "fn:mod.f"


def _domain_key(value):
    return make_call_key(SCOPE, "res.partner", "search", None, [[["write_date", ">=", value]]], {}, {})


def test_datetimes_are_keyed_as_the_request_sends_them():
    """Odoo receives datetimes as naive UTC strings: the key follows what is sent, not the object."""
    brussels = datetime.timezone(datetime.timedelta(hours=2))
    aware = datetime.datetime(2024, 1, 1, 10, 0, tzinfo=brussels)
    assert _domain_key(aware) == _domain_key(datetime.datetime(2024, 1, 1, 8, 0))
    assert _domain_key(aware) == _domain_key("2024-01-01 08:00:00")
    # an ISO string is sent as it is, so it must not share the datetime's entry
    assert _domain_key(aware).digest != _domain_key("2024-01-01T10:00:00+02:00").digest
    assert _domain_key(datetime.date(2024, 1, 1)) == _domain_key("2024-01-01")


def test_unserialisable_argument_is_a_clear_error():
    with pytest.raises(InvalidValueError, match="res.partner.search"):
        make_call_key(SCOPE, "res.partner", "search", None, [{1, 2}], {}, {})


def test_values_round_trip_as_json():
    value = [{"id": 1, "name": "Acme", "partner_id": [3, "Bob"], "active": True, "amount": 1.5, "x": None}]
    assert decode_value(encode_value(value)) == value


def test_non_json_values_are_refused_not_converted():
    with pytest.raises(InvalidValueError, match="only JSON values"):
        encode_value({"when": datetime.date(2024, 1, 1)})
    with pytest.raises(InvalidValueError, match="only JSON values"):
        encode_value({1: "int key"})


@pytest.mark.parametrize(
    "raw",
    [
        pickle.dumps({"id": 1}),  # what a pickle-based cache would have stored
        b"cos\nsystem\n(S'echo pwned'\ntR.",  # a hostile pickle payload
        b"[1, 2, 3]",  # JSON, but not written by zenoo
        b"zenoo-json-1\n{not json",  # our marker, garbage after it
        b"",
    ],
)
def test_poisoned_values_are_rejected(raw):
    with pytest.raises(PoisonedValueError):
        decode_value(raw)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "60", True])
def test_bad_ttl_is_refused(bad):
    with pytest.raises(InvalidValueError, match="ttl"):
        validate_ttl(bad)


def test_ttl_accepts_none_zero_and_numbers():
    assert validate_ttl(None) is None
    assert validate_ttl(0) == 0.0
    assert validate_ttl(2.5) == 2.5
