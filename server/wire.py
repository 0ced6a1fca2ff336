"""Compact JSON schemas for tools/list: the same contract in fewer tokens.

pydantic's schemas carry a ``title`` on every property and spell each optional
field as ``anyOf: [X, {"type": "null"}], default: null``. Neither tells a client
anything the property name and ``required`` do not, and together they were a
third of what tools/list cost. ``additionalProperties: false``, regex ``pattern``s
and length bounds go too (numeric ranges stay): the server still refuses unknown
fields and malformed values, with an error that names the field and what is allowed.
"""

from __future__ import annotations

from typing import Any

_NULL = {"type": "null"}
_DROPPED = frozenset({"title", "pattern", "maxLength", "minLength", "maxItems", "minItems"})


def compact_schema(schema: Any, in_properties: bool = False, defs: bool = False) -> Any:
    """A copy of ``schema`` without titles and with optional-or-null collapsed to the plain type."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if in_properties:
        return {
            name: _without_description(compact_schema(sub)) if defs else compact_schema(sub)
            for name, sub in schema.items()
        }
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED or _uninformative(key, value):
            continue
        out[key] = compact_schema(value, in_properties=key in ("properties", "$defs"), defs=key == "$defs")
    options = out.get("anyOf")
    if isinstance(options, list) and _NULL in options and "default" not in schema.get("anyOf", [{}])[0]:
        rest = [o for o in options if o != _NULL]
        out.pop("anyOf")
        out = {**rest[0], **out} if len(rest) == 1 else {"anyOf": rest, **out}
    return out


def _without_description(model: Any) -> Any:
    """A nested model's docstring repeats the tool description; its fields keep theirs."""
    return {k: v for k, v in model.items() if k != "description"} if isinstance(model, dict) else model


def _uninformative(key: str, value: Any) -> bool:
    """Defaults that mean 'not given' and additionalProperties flags the server enforces anyway."""
    if key == "default":
        return value is None or value is False or value == ""
    return key == "additionalProperties" and isinstance(value, bool)


def shallow(schema: Any) -> Any:
    """An output schema that names each top-level field and nothing more.

    Results are documented field by field in the README; repeating nested models and
    types in every tool's outputSchema would cost more tokens than the tools themselves.
    """
    if not isinstance(schema, dict) or "properties" not in schema:
        return schema
    return {"type": "object", "properties": {name: {} for name in schema["properties"]}}


def one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text
