"""Undo handles: the compact before-state of what an apply touched, passed back to ``undo``.

A handle holds only the parts that changed (the description, CORS, and each touched
route, authorizer and stage as it was, or null where it did not exist), what the apply
created outside the API (invoke permissions, log groups), a version and the API kind.
Undo is an ordinary reconcile back to that state: previewed, token-checked and guarded.

A handle comes back through the conversation, so it is input like any argument: it is
sealed (AES-GCM with the server's key: an edited or forged handle is refused before it
is read, and nobody without the key can read the before-state it holds), bounded in
size before and after decompression, and what it restores passes the same input models
and guard as any tool call (``spec_check``).
"""

from __future__ import annotations

import json
import zlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from apigw_mcp.tools.engine.signing import Signer
from apigw_mcp.tools.kinds.http.spec import AuthorizerSpec, HttpApiSpec, RouteSpec, StageSpec

VERSION = 1
MAX_HANDLE = 64 * 1024
MAX_RECORD = 1024 * 1024
_PREFIX = f"u{VERSION}"
_PURPOSE = "undo-handle"
_PARTS: dict[str, type[BaseModel]] = {"routes": RouteSpec, "authorizers": AuthorizerSpec, "stages": StageSpec}
_NOT_OURS = "not an undo handle from this server: pass the `undo` value of an apply unchanged"


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


def encode(record: UndoRecord, signer: Signer) -> str:
    raw = json.dumps(
        record.model_dump(mode="json", exclude_defaults=True), separators=(",", ":"), sort_keys=True
    )
    return f"{_PREFIX}.{signer.seal(_PURPOSE, zlib.compress(raw.encode(), 9))}"


def decode(handle: str, signer: Signer) -> UndoRecord:
    """The record in ``handle``; ValueError when this server did not write it exactly so."""
    if len(handle) > MAX_HANDLE:
        raise ValueError(f"an undo handle is at most {MAX_HANDLE} characters; this is not one")
    version, _, sealed = handle.partition(".")
    if version != _PREFIX or not sealed:
        raise ValueError(_NOT_OURS)
    compressed = signer.unseal(_PURPOSE, sealed)
    if compressed is None:
        raise ValueError(
            "undo handle does not open: it was edited, or made by a server with another APIGW_MCP_HANDLE_KEY"
        )
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(compressed, MAX_RECORD)
        if inflate.unconsumed_tail:
            raise ValueError("record too large")
        return UndoRecord.model_validate_json(raw)
    except (ValueError, zlib.error, ValidationError):
        raise ValueError(_NOT_OURS) from None


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
