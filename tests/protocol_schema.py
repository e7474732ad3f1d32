"""docs/protocol.schema.json and docs/protocol-examples.json, read with jsonschema (the reference
implementation of JSON Schema 2020-12): what the tests hold the kernel's messages to."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator

DOCS = Path(__file__).parents[1] / "docs"
SCHEMA = json.loads((DOCS / "protocol.schema.json").read_text(encoding="utf-8"))
EXAMPLES = json.loads((DOCS / "protocol-examples.json").read_text(encoding="utf-8"))

Draft202012Validator.check_schema(SCHEMA)


@functools.cache
def validator(entry: str) -> Draft202012Validator:
    """The validator of the schema's definition ``entry`` (``KernelMessage``, ``PanelMessage``, ``Row``...)."""
    return Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{entry}"})


def problems(message, entry: str = "KernelMessage") -> list[str]:
    """Why ``message`` does not match ``entry``, one line each (empty when it does)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(message)'}: {e.message[:200]}"
        for e in validator(entry).iter_errors(message)
    ]


def assert_kernel_message(message) -> None:
    """Fail unless ``message`` is a message the kernel may send."""
    found = problems(message)
    assert not found, f"not a KernelMessage: {found[:3]}\n{json.dumps(message)[:500]}"
