"""Undo records of HTTP APIs: the compact before-state of what an apply touched, and putting it back.

A record holds only the parts that changed (the description, CORS, and each touched
route, authorizer and stage as it was, or null where it did not exist), what the apply
created outside the API (invoke permissions, log groups), a version and the API kind.
Undo is an ordinary reconcile back to that state: previewed, token-checked and guarded.
The record travels sealed in a handle (``tools/engine/handle.py``); what it restores
passes the same input models and guard as any tool call (``spec_check``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from apigw_mcp.tools.engine.handle import NOT_OURS, open_handle, seal
from apigw_mcp.tools.engine.signing import Signer
from apigw_mcp.tools.kinds.http.spec import AuthorizerSpec, HttpApiSpec, RouteSpec, StageSpec

_PARTS: dict[str, type[BaseModel]] = {"routes": RouteSpec, "authorizers": AuthorizerSpec, "stages": StageSpec}


class UndoRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    kind: Literal["http"] = "http"
    api_id: str = Field(pattern=r"^[A-Za-z0-9]{1,64}$")
    name: str = Field(max_length=128)
    created: bool = False
    deleted: bool = False
    before: dict[str, Any] = Field(default_factory=dict)
    permissions: list[str] = Field(default_factory=list, max_length=300)
    log_groups: list[str] = Field(default_factory=list, max_length=10)


def record_for(
    before: HttpApiSpec | None,
    after: HttpApiSpec | None,
    api_id: str,
    name: str,
    added: list[str],
    log_groups: list[str],
) -> UndoRecord:
    """What undo needs to bring back ``before``: nothing for a create, everything for a delete."""
    common = {"api_id": api_id, "name": name, "permissions": added, "log_groups": log_groups}
    if before is None:
        return UndoRecord.model_validate({**common, "created": True})
    if after is None:
        return UndoRecord.model_validate(
            {**common, "deleted": True, "before": before.model_dump(mode="json")}
        )
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
    return UndoRecord.model_validate({**common, "before": touched})


def sealable(record: UndoRecord) -> dict[str, Any]:
    """The record as the JSON a handle seals: defaults left out, except the kind that restores it."""
    return {**record.model_dump(mode="json", exclude_defaults=True), "kind": record.kind}


def parse(data: dict[str, Any]) -> UndoRecord:
    """The record in an opened handle; ValueError when it is not one this server writes."""
    try:
        return UndoRecord.model_validate(data)
    except ValidationError:
        raise ValueError(NOT_OURS) from None


def encode(record: UndoRecord, signer: Signer) -> str:
    return seal(sealable(record), signer)


def decode(handle: str, signer: Signer) -> UndoRecord:
    """The record in ``handle``; ValueError when this server did not write it exactly so."""
    return parse(open_handle(handle, signer)[1])


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
