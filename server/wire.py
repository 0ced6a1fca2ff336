"""Compact JSON schemas for tools/list: the same contract in fewer tokens.

pydantic's schemas carry a ``title`` on every property and spell each optional
field as ``anyOf: [X, {"type": "null"}], default: null``. Neither tells a client
anything the property name and ``required`` do not, and together they were a
third of what tools/list cost.
"""

from __future__ import annotations

from typing import Any

_NULL = {"type": "null"}


def compact_schema(schema: Any, in_properties: bool = False) -> Any:
    """A copy of ``schema`` without titles and with optional-or-null collapsed to the plain type."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if in_properties:
        return {name: compact_schema(sub) for name, sub in schema.items()}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" or (key == "default" and value is None):
            continue
        out[key] = compact_schema(value, in_properties=key in ("properties", "$defs"))
    options = out.get("anyOf")
    if isinstance(options, list) and _NULL in options and "default" not in schema.get("anyOf", [{}])[0]:
        rest = [o for o in options if o != _NULL]
        out.pop("anyOf")
        out = {**rest[0], **out} if len(rest) == 1 else {"anyOf": rest, **out}
    return out


def shallow(schema: Any) -> Any:
    """An output schema that names the top-level fields and types nested models only as objects.

    Results are documented field by field in the README; repeating every nested
    model in every tool's outputSchema would cost more tokens than the tools themselves.
    """
    if isinstance(schema, list):
        return [shallow(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"type": "object"}
    return {key: shallow(value) for key, value in schema.items() if key != "$defs"}


def one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text
