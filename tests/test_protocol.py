"""The protocol module against the schema (docs/protocol.schema.json) and the shared examples
(docs/protocol-examples.json): the examples say what the schema means, the kernel's parser and
builders must agree with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipy_reimport.errors import NotLoaded, NotYours, ReloadFailed, SourceLocation, Unreloadable, UsageProblem
from ipy_reimport.protocol import (
    VERSION,
    ProtocolError,
    changes,
    delta_message,
    error_message,
    failure_message,
    goodbye_message,
    hello_message,
    parse_request,
    pong_message,
    queued_message,
    result_message,
    row,
    snapshot_message,
)
from ipy_reimport.report import ModuleReload, ReloadReport
from ipy_reimport.states import LastReload, ModuleState, ModuleStatus
from protocol_schema import EXAMPLES, SCHEMA, assert_kernel_message, problems

VALID, INVALID = EXAMPLES["valid"], EXAMPLES["invalid"]


@pytest.mark.parametrize("message", VALID["kernel_to_panel"], ids=lambda m: m["type"])
def test_the_schema_accepts_every_valid_kernel_example(message):
    assert problems(message) == []


@pytest.mark.parametrize("message", INVALID["kernel_to_panel"], ids=lambda m: str(m)[:40])
def test_the_schema_rejects_every_invalid_kernel_example(message):
    assert problems(message) != []


@pytest.mark.parametrize("message", VALID["panel_to_kernel"], ids=lambda m: m["id"][:10])
def test_valid_requests_pass_the_schema_and_parse(message):
    assert problems(message, "PanelMessage") == []
    request = parse_request(message)
    assert (request.type, request.id) == (message["type"], message["id"])
    assert request.modules == tuple(message.get("modules", ()))
    assert request.scope == message.get("scope")


@pytest.mark.parametrize("case", INVALID["panel_to_kernel"], ids=lambda c: str(c["message"])[:40])
def test_invalid_requests_fail_the_schema_and_get_the_expected_code(case):
    assert problems(case["message"], "PanelMessage") != []
    with pytest.raises(ProtocolError) as caught:
        parse_request(case["message"])
    assert caught.value.code == case["code"]
    answer = error_message(caught.value)
    assert_kernel_message(answer)
    assert answer["code"] == case["code"] and "\n" not in answer["message"]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_names = st.text(alphabet="aZ_9.-é \n;", max_size=12) | st.sampled_from(["pkg.mod", "café", "a" * 257, "_x.y2"])
_requests = st.fixed_dictionaries(
    {
        "v": st.sampled_from([2, 2.0, True, "2", 1]),
        "type": st.sampled_from(["reload", "reload_stale", "rescan", "set_scope", "subscribe", "ping"]),
        "id": st.text(max_size=3) | st.sampled_from(["x" * 64, "x" * 65, 7, None]),
    },
    optional={
        "modules": st.lists(_names | _json, max_size=4) | _json,
        "scope": st.sampled_from(["user", "all", "every"]) | _json,
        "extra": _json,
    },
)


@settings(max_examples=500, deadline=None)
@given(_requests)
def test_the_kernels_parser_agrees_with_the_schema(message):
    """The kernel validates with fastjsonschema (drafts 4-7): it must accept exactly what the
    2020-12 reference implementation accepts."""
    try:
        parse_request(message)
        accepted = True
    except ProtocolError:
        accepted = False
    assert accepted == (problems(message, "PanelMessage") == [])


def test_a_request_repeating_a_module_names_it_once():
    assert parse_request({"v": 2, "type": "reload", "id": "r", "modules": ["a", "b", "a"]}).modules == ("a", "b")


def test_malformed_requests_are_told_which_field_is_wrong_in_one_short_line():
    cases = {
        "'modules' must contain less than or equal to 1000 items": [f"m{i}" for i in range(5000)],
        "'modules[1]' is not a module name: 'os; import shutil'": ["ok", "os; import shutil"],
        "'modules' must be array": "pkg.mod",
    }
    for expected, modules in cases.items():
        with pytest.raises(ProtocolError) as caught:
            parse_request({"v": 2, "type": "reload", "id": "r1", "modules": modules})
        assert (str(caught.value), caught.value.request_id) == (expected, "r1")


def _status(name="shapes.units", state=ModuleState.STALE, last=None):
    return ModuleStatus(
        name, state, f"/nb/{name.replace('.', '/')}.py", True, (), tuple(f"m{i}" for i in range(25)), None, last
    )


def _built() -> list[dict]:
    """One message of each kernel-to-panel kind (every error code too), built by the kernel's own
    functions."""
    report = ReloadReport(
        [["shapes.units"]],
        [ModuleReload("shapes.units", "/nb/shapes/units.py", 0.004, ("to_metres",), (("Frozen", "slots"),))],
        0.01,
        skipped=[("shapes.native", "extension module")],
    )
    failure = ReloadFailed(
        "shapes.units",
        SourceLocation("/nb/shapes/units.py", 3, "x = ("),
        SyntaxError("invalid syntax"),
        ["shapes.units"],
    )
    first = row(
        _status(last=LastReload(1.0, False, 0.0, "SyntaxError: invalid syntax")),
        "/nb",
        "shapes.units is not one of your modules",
    )
    errors = [
        ProtocolError("unknown_type", "unknown message type 'x'", "r10"),
        NotLoaded("x"),
        Unreloadable("sys", "built-in module"),
        NotYours("json"),
        UsageProblem("refused"),
        RuntimeError("a bug\nover two lines"),
    ]
    return [
        hello_message("0.1.0"),
        snapshot_message("user", [first], ["s1", "s2"]),
        delta_message("all", [first], ["gone"]),
        queued_message("r7"),
        result_message("r7", report),
        failure_message("r9", failure, "/nb"),
        *(error_message(error, "r11") for error in errors),
        pong_message("p1"),
        goodbye_message("expired"),
    ]


@pytest.mark.parametrize("message", _built(), ids=lambda m: m.get("code", m["type"]))
def test_every_kernel_message_kind_matches_the_schema(message):
    assert_kernel_message(message)


def test_errors_carry_their_codes_to_the_wire():
    codes = [m["code"] for m in _built() if m["type"] == "error"]
    assert codes == ["unknown_type", "unknown_module", "unreloadable", "not_yours", "refused", "internal"]
    assert set(codes) | {"malformed", "version"} == set(SCHEMA["$defs"]["ErrorCode"]["enum"])


def test_a_delta_carries_rows_that_are_new_or_differ_and_names_that_left():
    old, same, new = ({"name": n, "state": s} for n, s in [("a", "fresh"), ("b", "fresh"), ("a", "stale")])
    assert changes({"a": old, "b": same, "c": same}, {"a": new, "b": same}) == ([new], ["c"])
    assert changes({}, {"b": same}) == ([same], [])


def test_a_row_lists_the_first_importers_and_counts_all():
    built = row(_status(), "/nb")
    assert built["path"] == "shapes/units.py" and built["state"] == "stale"
    assert built["importers"] == 25 and len(built["imported_by"]) == 20


def test_paths_outside_the_notebook_folder_go_up():
    assert row(_status(name="mypkg.core"), "/nb/notebooks")["path"] == "../mypkg/core.py"


def test_every_message_type_and_code_of_the_schema_is_documented():
    doc = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text()
    defs = SCHEMA["$defs"]
    kinds = {
        defs[r["$ref"].rpartition("/")[2]]["properties"]["type"]["const"]
        for entry in ("KernelMessage", "PanelMessage")
        for r in defs[entry]["oneOf"]
    }
    codes = set(defs["ErrorCode"]["enum"])
    assert all(f"`{name}`" in doc for name in kinds | codes)


def test_every_example_speaks_this_version():
    messages = EXAMPLES["valid"]["kernel_to_panel"] + EXAMPLES["valid"]["panel_to_kernel"]
    assert {m["v"] for m in messages} == {VERSION}
    assert f"(version {VERSION})" in EXAMPLES["about"]
    doc = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text()
    assert doc.splitlines()[0].endswith(f"(version {VERSION})")
