"""AWS's PATCH semantics for API Gateway REST resources, applied to moto's model objects.

Each updatable field of a resource is declared once (its JSON name, moto's attribute, its kind);
``apply_patches`` then does what AWS does with ``add`` / ``replace`` / ``remove`` on it: a scalar
is set or cleared, a map entry (``/requestParameters/method.request.header.x``) is set or
dropped, a list (``/cacheKeyParameters/x``) gains or loses a member. Paths are JSON pointers:
``~1`` stands for ``/`` and ``~0`` for ``~`` inside a segment. Anything else is AWS's
``BadRequestException``, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from moto.apigateway.exceptions import BadRequestException

Kind = Literal["str", "int", "bool", "map", "bool_map", "list"]


@dataclass(frozen=True)
class Field:
    attribute: str
    kind: Kind = "str"


def unescape(segment: str) -> str:
    """A JSON-pointer segment as text: ``image~1gif`` -> ``image/gif``."""
    return segment.replace("~1", "/").replace("~0", "~")


def to_bool(value: Any, path: str) -> bool:
    text = str(value).lower()
    if text not in ("true", "false"):
        raise BadRequestException(f"Invalid boolean value '{value}' for path '{path}'")
    return text == "true"


def to_int(value: Any, path: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise BadRequestException(f"Invalid integer value '{value}' for path '{path}'") from None


def to_float(value: Any, path: str) -> float:
    try:
        return float(str(value))
    except ValueError:
        raise BadRequestException(f"Invalid number value '{value}' for path '{path}'") from None


def apply_patches(target: Any, fields: dict[str, Field], operations: list[dict[str, Any]]) -> None:
    """Apply AWS patch operations to ``target``, whose updatable fields are ``fields``."""
    for operation in operations:
        verb, path = operation.get("op", ""), operation.get("path", "")
        name, _, key = path.lstrip("/").partition("/")
        field = fields.get(name)
        if field is None or verb not in ("add", "replace", "remove"):
            raise BadRequestException(
                f"Invalid patch path '{path}' specified for op '{verb}'. "
                f"Must be one of: {sorted('/' + known for known in fields)}"
            )
        if field.kind in ("map", "bool_map"):
            _patch_map(target, field, verb, unescape(key), operation)
        elif field.kind == "list":
            _patch_list(target, field, verb, unescape(key), operation)
        elif key:
            raise BadRequestException(f"Invalid patch path '{path}' specified for op '{verb}'")
        else:
            setattr(target, field.attribute, _scalar(field, verb, operation))


def _scalar(field: Field, verb: str, operation: dict[str, Any]) -> Any:
    if verb == "remove":
        return None
    value, path = operation.get("value"), operation["path"]
    if field.kind == "bool":
        return to_bool(value, path)
    if field.kind == "int":
        return to_int(value, path)
    return value


def _patch_map(target: Any, field: Field, verb: str, key: str, operation: dict[str, Any]) -> None:
    current = dict(getattr(target, field.attribute) or {})
    if not key:
        if verb != "remove":
            raise BadRequestException(f"Invalid patch path '{operation['path']}' specified for op '{verb}'")
        current = {}
    elif verb == "remove":
        current.pop(key, None)
    else:
        value = operation.get("value")
        current[key] = to_bool(value, operation["path"]) if field.kind == "bool_map" else value
    setattr(target, field.attribute, current)


def _patch_list(target: Any, field: Field, verb: str, key: str, operation: dict[str, Any]) -> None:
    current = list(getattr(target, field.attribute) or [])
    item = key or operation.get("value")
    if verb == "replace" and not key:
        current = [item] if item else []
    elif verb == "replace":
        current = [operation.get("value") if member == key else member for member in current]
    elif verb == "add" and item not in current:
        current.append(item)
    elif verb == "remove" and not item:
        current = []
    elif verb == "remove" and item in current:
        current.remove(item)
    setattr(target, field.attribute, current)
