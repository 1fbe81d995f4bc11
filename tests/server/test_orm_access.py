"""Users, access rules and method dispatch (JSON-RPC and JSON-2 binding) of the embedded ORM."""

from __future__ import annotations

from typing import Any

import pytest

from zenoo.testing.orm import OdooException, Registry

from .orm_calls import ADMIN


def demo_error(reg: Registry, model: str, method: str, *args: Any, **kwargs: Any) -> OdooException:
    with pytest.raises(OdooException) as caught:
        reg.execute_kw(reg.users["demo"].uid, model, method, list(args), kwargs)
    return caught.value


def rpc_error(reg: Registry, model: str, method: str, *args: Any, **kwargs: Any) -> OdooException:
    with pytest.raises(OdooException) as caught:
        reg.execute_kw(ADMIN, model, method, list(args), kwargs)
    return caught.value


def json2_error(reg: Registry, model: str, method: str, params: dict[str, Any]) -> OdooException:
    with pytest.raises(OdooException) as caught:
        reg.execute_json2(ADMIN, model, method, params)
    return caught.value


def test_users_and_authentication(reg: Registry) -> None:
    admin, demo = reg.users["admin"], reg.users["demo"]
    assert admin.uid == 2 and demo.uid == (5 if reg.version >= 19 else 6)
    assert reg.authenticate("admin", admin.password) == 2
    assert reg.authenticate("admin", admin.api_key) == 2  # an API key works as the password
    assert reg.authenticate("admin", demo.password) is None
    assert reg.authenticate("nobody", admin.password) is None
    assert reg.uid_for_api_key(demo.api_key) == demo.uid and reg.uid_for_api_key("nope") is None
    assert admin.password not in repr(admin) and admin.api_key not in repr(admin)
    other = Registry(version=reg.version)
    assert other.users["admin"].password != admin.password  # random per registry
    other.close()


def test_created_users_log_in_with_their_password(reg: Registry) -> None:
    uid = reg.execute_kw(
        ADMIN,
        "res.users",
        "create",
        [{"name": "Acc New", "login": "acc-new", "password": "first-secret"}],
        {},
    )
    assert reg.authenticate("acc-new", "first-secret") == uid and reg.authenticate("acc-new", "nope") is None
    assert reg.execute_kw(ADMIN, "res.users", "read", [[uid], ["password"]], {}) == [
        {"id": uid, "password": ""}
    ]
    reg.execute_kw(ADMIN, "res.users", "write", [[uid], {"password": "second-secret"}], {})
    assert (
        reg.authenticate("acc-new", "first-secret") is None
        and reg.authenticate("acc-new", "second-secret") == uid
    )
    reg.execute_kw(ADMIN, "res.users", "write", [[uid], {"active": False}], {})
    assert reg.authenticate("acc-new", "second-secret") is None  # archived users cannot log in
    # a user cannot change a password through write() (Odoo has a dedicated wizard for that)
    assert (
        "not allowed to modify"
        in demo_error(reg, "res.users", "write", [reg.users["demo"].uid], {"password": "x"}).message
    )


def test_context_and_session_info(reg: Registry) -> None:
    assert reg.user_context(2) == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}
    demo = reg.users["demo"].uid
    assert reg.execute_kw(demo, "res.users", "context_get", [], {}) == {
        "lang": "en_US",
        "tz": "America/New_York",
        "uid": demo,
    }
    assert "context_get" in rpc_error(reg, "res.partner", "context_get").message  # res.users only
    info = reg.session_info(reg.users["demo"].uid)
    assert info["uid"] == reg.users["demo"].uid and info["is_admin"] is False and info["username"] == "demo"
    assert info["db"] == reg.database == f"zenoo{reg.version}"
    assert info["server_version_info"] == reg.server_version_info == [reg.version, 0, 0, "final", 0, ""]
    currency = info["currencies"]["1"]
    assert ("name" in currency) is (reg.version >= 19)
    assert info["user_companies"]["current_company"] == 1


def test_demo_user_access_errors(reg: Registry) -> None:
    group = "Access Rights" if reg.version >= 19 else "Administration/Access Rights"
    error = demo_error(reg, "res.users", "write", [ADMIN], {"name": "Hacker"})
    assert error.odoo_name == "odoo.exceptions.AccessError" and error.json2_status == 403
    assert error.message == (
        "You are not allowed to modify 'User' (res.users) records.\n\n"
        "This operation is allowed for the following groups:\n"
        f"\t- {group}\n\nContact your administrator to request access if necessary."
    )
    assert (
        "create 'Access Groups' (res.groups)"
        in demo_error(reg, "res.groups", "create", {"name": "g"}).message
    )
    assert "delete 'Companies' (res.company)" in demo_error(reg, "res.company", "unlink", [1]).message
    config = demo_error(reg, "ir.config_parameter", "search_read", [], ["key"], limit=1)
    settings = "Role / Administrator" if reg.version >= 19 else "Administration/Settings"
    assert "access 'System Parameter' (ir.config_parameter)" in config.message and settings in config.message
    # nothing was changed by the refused calls
    assert reg.execute_kw(ADMIN, "res.users", "read", [[ADMIN], ["name"]], {})[0]["name"] != "Hacker"


def test_demo_user_allowed_operations(reg: Registry) -> None:
    demo = reg.users["demo"].uid
    rows = reg.execute_kw(
        demo, "res.partner", "search_read", [[("is_company", "=", True)]], {"fields": ["name"], "limit": 2}
    )
    assert len(rows) == 2
    partner = reg.execute_kw(demo, "res.partner", "create", [{"name": "acc-demo-made"}], {})
    assert (
        reg.execute_kw(demo, "res.partner", "read", [[partner], ["create_uid"]], {})[0]["create_uid"][0]
        == demo
    )
    # a user may rename themself
    assert reg.execute_kw(demo, "res.users", "write", [[demo], {"name": "Dana D."}], {}) is True
    assert (
        reg.execute_kw(demo, "res.company", "check_access_rights", ["unlink"], {"raise_exception": False})
        is False
    )
    allowed = None if reg.version >= 19 else True  # 19: check_access(), which returns nothing
    assert reg.execute_kw(demo, "res.company", "check_access_rights", ["read"], {}) is allowed
    assert reg.execute_kw(ADMIN, "res.company", "check_access_rights", ["unlink"], {}) is allowed
    with pytest.raises(OdooException, match="not allowed to delete"):
        reg.execute_kw(demo, "res.company", "check_access_rights", ["unlink"], {})
    if reg.version >= 19:  # a record method on 19: the ids come first (none: the model's rights)
        assert reg.execute_kw(demo, "res.groups", "has_access", [[], "create"], {}) is False
        with pytest.raises(OdooException, match=r"has_access\(\) missing 1 required positional argument"):
            reg.execute_kw(demo, "res.groups", "has_access", ["create"], {})


def test_reading_an_x2many_of_records_the_user_may_not_read_is_refused(reg: Registry) -> None:
    """As Odoo: a read of every field of a user refused for its log_ids (res.users.log is for admins)."""
    demo = reg.users["demo"].uid
    error = demo_error(reg, "res.users", "read", [demo])
    refused = "You are not allowed to access 'Users Log' (res.users.log) records."
    if reg.version >= 19:
        assert error.message.startswith(f"Failed to read field res.users.log_ids\n{refused}")
    else:
        assert error.message.startswith(refused)
    login = reg.execute_kw(demo, "res.users", "read", [[demo]], {"fields": ["login"]})
    assert login == [{"id": demo, "login": "demo"}]
    logs = reg.execute_kw(ADMIN, "res.users", "read", [[demo]], {"fields": ["log_ids"]})
    assert logs == [{"id": demo, "log_ids": []}]


def test_rights_follow_group_membership(reg: Registry) -> None:
    demo = reg.users["demo"].uid
    groups_field = "group_ids" if reg.version >= 19 else "groups_id"
    reg.execute_kw(ADMIN, "res.users", "write", [[demo], {groups_field: [(4, 2, 0)]}], {})  # Access Rights
    assert reg.execute_kw(demo, "res.groups", "create", [{"name": "made-by-demo"}], {}) > 0
    assert reg.session_info(demo)["is_admin"] is True
    reg.execute_kw(ADMIN, "res.users", "write", [[demo], {groups_field: [(3, 2, 0)]}], {})
    assert "not allowed to create" in demo_error(reg, "res.groups", "create", {"name": "again"}).message


def test_unknown_model_and_method(reg: Registry) -> None:
    model = rpc_error(reg, "no.such.model", "search", [])
    assert (model.odoo_name, model.message) == (
        "odoo.exceptions.UserError",
        "Object no.such.model doesn't exist",
    )
    method = rpc_error(reg, "res.partner", "no_such_method", [])
    expected = (
        "The method 'res.partner.no_such_method' does not exist"
        if reg.version >= 19
        else "The method 'no_such_method' does not exist on the model 'res.partner'"
    )
    assert (method.odoo_name, method.message) == ("builtins.AttributeError", expected)


def test_private_methods(reg: Registry) -> None:
    error = rpc_error(reg, "res.partner", "_compute_display_name", [1])
    expected = (
        "Private methods (such as 'res.partner._compute_display_name') cannot be called remotely."
        if reg.version >= 19
        else "Private methods (such as _compute_display_name) cannot be called remotely."
    )
    assert (error.odoo_name, error.message, error.json2_status) == (
        "odoo.exceptions.AccessError",
        expected,
        403,
    )
    if reg.version >= 19:  # search_fetch became private in 19.0
        assert (
            "'res.partner.search_fetch'"
            in rpc_error(reg, "res.partner", "search_fetch", [], ["name"]).message
        )


def test_bad_arguments_on_jsonrpc(reg: Registry) -> None:
    unexpected = rpc_error(reg, "res.partner", "search", [], no_such_kwarg=1)
    assert (unexpected.odoo_name, unexpected.message) == (
        "builtins.TypeError",
        "BaseModel.search() got an unexpected keyword argument 'no_such_kwarg'",
    )
    missing = rpc_error(reg, "res.partner", "search")
    assert missing.odoo_name == "builtins.TypeError" and "'domain'" in missing.message
    # other bad input is reported under its Python name, as Odoo does
    bad_offset = rpc_error(reg, "res.partner", "search", [], offset="x")
    assert bad_offset.odoo_name == "builtins.ValueError" and "invalid literal for int()" in bad_offset.message
    rows = rpc_error(reg, "res.partner", "load", ["name"], ["not-a-row"])
    assert rows.message == "load() expects a list of field names and a list of rows (lists of cells)"


@pytest.mark.parametrize("reg", [19], indirect=True)  # JSON-2 exists on Odoo 19 only
def test_json2_binding(reg: Registry) -> None:
    assert reg.execute_json2(ADMIN, "res.partner", "search_count", {"domain": [("id", "=", 1)]}) == 1
    ids = reg.execute_json2(
        ADMIN, "res.partner", "create", {"vals_list": [{"name": "j2-a"}, {"name": "j2-b"}]}
    )
    assert (
        reg.execute_json2(ADMIN, "res.partner", "write", {"ids": ids, "vals": {"email": "j@x.com"}}) is True
    )
    rows = reg.execute_json2(
        ADMIN, "res.partner", "read", {"ids": ids, "fields": ["email"], "context": {"lang": "en_US"}}
    )
    assert [r["email"] for r in rows] == ["j@x.com", "j@x.com"]
    assert reg.execute_json2(ADMIN, "res.partner", "unlink", {"ids": ids[1:]}) is True
    cases = {
        ("search_count", "ids"): (
            {"ids": [1], "domain": []},
            422,
            "cannot call res.partner.search_count with ids",
        ),
        ("search_count", "missing"): ({}, 422, "missing a required argument: 'domain'"),
        ("search_count", "extra"): ({"domain": [], "zz": 1}, 422, "got an unexpected keyword argument 'zz'"),
        ("no_such_method", ""): ({}, 404, "The method 'res.partner.no_such_method' does not exist"),
        ("_private", ""): (
            {},
            403,
            "Private methods (such as 'res.partner._private') cannot be called remotely.",
        ),
        ("write", "missing record"): (
            {"ids": [99999999], "vals": {"name": "x"}},
            404,
            ("Record does not exist or has been deleted.\n(Record: res.partner(99999999,), User: 2)"),
        ),
        ("search", "bad domain"): (
            {"domain": [("nope", "=", 1)]},
            500,
            "Invalid field res.partner.nope in condition ('nope', '=', 1)",
        ),
    }
    for (method, _why), (params, status, message) in cases.items():
        error = json2_error(reg, "res.partner", method, params)
        assert (error.json2_status, error.message) == (status, message)
    unknown = json2_error(reg, "no.such.model", "search", {"domain": []})
    assert (unknown.odoo_name, unknown.json2_status, unknown.arguments) == (
        "werkzeug.exceptions.NotFound",
        404,
        ["the model 'no.such.model' does not exist", 404],
    )
    assert "422 Unprocessable Entity" in json2_error(reg, "res.partner", "search_count", {}).debug
