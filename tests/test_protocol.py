"""The protocol module against the shared examples of docs/protocol-examples.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipy_reimport.errors import ReloadFailed, SourceLocation
from ipy_reimport.protocol import (VERSION, ProtocolError, delta_message, error_message, failure_message,
                                   goodbye_message, hello_message, parse_request, pong_message,
                                   queued_message, result_message, row, snapshot_message)
from ipy_reimport.report import ModuleReload, ReloadReport
from ipy_reimport.states import LastReload, ModuleState, ModuleStatus

EXAMPLES = json.loads((Path(__file__).parents[1] / "docs" / "protocol-examples.json").read_text())


@pytest.mark.parametrize("message", EXAMPLES["valid"]["panel_to_kernel"], ids=lambda m: m["id"])
def test_valid_requests_parse(message):
    request = parse_request(message)
    assert (request.type, request.id) == (message["type"], message["id"])
    assert request.modules == tuple(message.get("modules", ()))
    assert request.scope == message.get("scope")


@pytest.mark.parametrize("case", EXAMPLES["invalid"]["panel_to_kernel"], ids=lambda c: str(c["message"])[:40])
def test_invalid_requests_raise_the_expected_code(case):
    with pytest.raises(ProtocolError) as caught:
        parse_request(case["message"])
    assert caught.value.code == case["code"]
    answer = error_message(caught.value)
    assert answer["type"] == "error" and answer["code"] == case["code"] and answer["message"]


def _status(name="shapes.units", state=ModuleState.STALE, last=None):
    return ModuleStatus(name, state, f"/nb/{name.replace('.', '/')}.py", True, (),
                        tuple(f"m{i}" for i in range(25)), None, last)


def _built() -> list[dict]:
    """One message of each kernel-to-panel kind, built by the kernel's own functions."""
    report = ReloadReport([["shapes.units"]], [ModuleReload("shapes.units", "/nb/shapes/units.py", 0.004,
                                                            ("to_metres",), (("Frozen", "slots"),))],
                          0.01, skipped=[("shapes.native", "extension module")])
    failure = ReloadFailed("shapes.units", SourceLocation("/nb/shapes/units.py", 3, "x = ("),
                           SyntaxError("invalid syntax"), ["shapes.units"])
    first = row(_status(last=LastReload(1.0, False, 0.0, "SyntaxError: invalid syntax")), "/nb")
    return [hello_message("0.1.0"), snapshot_message("user", [first], ["s1", "s2"]),
            delta_message("all", [first], ["gone"]), queued_message("r7"),
            result_message("r7", report), failure_message("r9", failure, "/nb"),
            error_message(ProtocolError("unknown_module", "not a loaded module: 'x'", "r10")),
            pong_message("p1"), goodbye_message("expired")]


def _shape(value):
    """The JSON type structure of a value: keys of objects, element shapes of arrays."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if value is None:
        return None
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


def _fits(built, example) -> bool:
    """``built`` has the example's structure (null and empty arrays match anything)."""
    if built is None or example is None or built == [] or example == []:
        return True
    if isinstance(built, dict) and isinstance(example, dict):
        return built.keys() == example.keys() and all(_fits(built[k], example[k]) for k in built)
    if isinstance(built, list) and isinstance(example, list):
        return _fits(built[0], example[0])
    return built == example


@pytest.mark.parametrize("message", _built(), ids=lambda m: m["type"])
def test_kernel_messages_have_the_shape_of_the_examples(message):
    examples = [m for m in EXAMPLES["valid"]["kernel_to_panel"] if m.get("type") == message["type"]]
    assert examples, f"no example of {message['type']}"
    assert any(_fits(_shape(message), _shape(example)) for example in examples)
    assert json.loads(json.dumps(message)) == message


def test_a_row_lists_the_first_importers_and_counts_all():
    built = row(_status(), "/nb")
    assert built["path"] == "shapes/units.py" and built["state"] == "stale"
    assert built["importers"] == 25 and len(built["imported_by"]) == 20


def test_paths_outside_the_notebook_folder_go_up():
    assert row(_status(name="mypkg.core"), "/nb/notebooks")["path"] == "../mypkg/core.py"


def test_every_request_type_and_code_in_the_examples_is_documented():
    doc = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text()
    kinds = {m["type"] for m in EXAMPLES["valid"]["panel_to_kernel"] + EXAMPLES["valid"]["kernel_to_panel"]}
    codes = {c["code"] for c in EXAMPLES["invalid"]["panel_to_kernel"]}
    assert all(f"`{name}`" in doc for name in kinds | codes)


def test_every_example_speaks_this_version():
    messages = EXAMPLES["valid"]["kernel_to_panel"] + EXAMPLES["valid"]["panel_to_kernel"]
    assert {m["v"] for m in messages} == {VERSION}
    assert f"(version {VERSION})" in EXAMPLES["about"]
    doc = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text()
    assert doc.splitlines()[0].endswith(f"(version {VERSION})")
