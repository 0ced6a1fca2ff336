"""Undo handles: the compact before-state of what an apply touched, passed back to ``undo``.

A handle holds only the parts that changed (the description, CORS, and each touched
route, authorizer and stage as it was, or null where it did not exist), so undo is
an ordinary reconcile back to that state: previewed, token-checked and guarded.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from .http_spec import AuthorizerSpec, HttpApiSpec, RouteSpec, StageSpec

_PARTS: dict[str, type[BaseModel]] = {"routes": RouteSpec, "authorizers": AuthorizerSpec, "stages": StageSpec}


class UndoRecord(BaseModel):
    api_id: str
    name: str
    created: bool = False
    deleted: bool = False
    before: dict[str, Any] = Field(default_factory=dict)
    permissions: list[str] = Field(default_factory=list)


def record_for(
    before: HttpApiSpec | None, after: HttpApiSpec | None, api_id: str, name: str, added: list[str]
) -> UndoRecord:
    """What undo needs to bring back ``before``: nothing for a create, everything for a delete."""
    if before is None:
        return UndoRecord(api_id=api_id, name=name, created=True, permissions=added)
    if after is None:
        return UndoRecord(api_id=api_id, name=name, deleted=True, before=before.model_dump(mode="json"))
    touched: dict[str, Any] = {}
    if before.description != after.description:
        touched["description"] = before.description
    if before.cors != after.cors:
        touched["cors"] = before.cors
    for part in _PARTS:
        old, new = getattr(before, part), getattr(after, part)
        changed = {
            k: (old[k].model_dump(mode="json") if k in old else None)
            for k in set(old) | set(new)
            if old.get(k) != new.get(k)
        }
        if changed:
            touched[part] = changed
    return UndoRecord(api_id=api_id, name=name, before=touched, permissions=added)


def encode(record: UndoRecord) -> str:
    raw = json.dumps(
        record.model_dump(mode="json", exclude_defaults=True), separators=(",", ":"), sort_keys=True
    )
    return base64.urlsafe_b64encode(zlib.compress(raw.encode(), 9)).decode().rstrip("=")


def decode(handle: str) -> UndoRecord:
    """The record in ``handle``; ValueError when it is not a handle this server wrote."""
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4)))
        return UndoRecord.model_validate_json(raw)
    except (ValueError, zlib.error, ValidationError):
        raise ValueError(
            "not an undo handle from this server: pass the `undo` value of an apply unchanged"
        ) from None


def restore(record: UndoRecord, current: HttpApiSpec) -> HttpApiSpec:
    """``current`` with every touched part put back as it was before the apply."""
    if record.deleted:
        return HttpApiSpec.model_validate(record.before)
    update: dict[str, Any] = {k: record.before[k] for k in ("description", "cors") if k in record.before}
    for part, model in _PARTS.items():
        values = dict(getattr(current, part))
        for key, old in record.before.get(part, {}).items():
            if old is None:
                values.pop(key, None)
            else:
                values[key] = model.model_validate(old)
        update[part] = values
    return current.model_copy(update=update)
