"""Step and Plan: what a tool previews is exactly what the executor runs.

Steps may reference outputs of earlier steps with placeholders: ``${api}`` is the id
the step named ``api`` creates, ``${api.ApiEndpoint}`` one field of its response. The
plan can be shown before any id exists, and the executor substitutes them as it goes.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Effect = Literal["create", "update", "delete"]
REF_PATTERN = re.compile(r"\$\{([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\}")
CREATED_ID = "_id"  # the output field ``${step}`` stands for: the id the step created


class Step(BaseModel):
    """One AWS call. ``id`` names it so later steps can refer to its outputs."""

    model_config = ConfigDict(frozen=True)

    id: str
    service: str
    operation: str
    effect: Effect
    resource: str
    params: dict[str, Any]


class DiffRow(BaseModel):
    """One changed field: action is +, ~, - or -/+ (Terraform's symbols)."""

    model_config = ConfigDict(frozen=True)

    action: Literal["+", "~", "-", "-/+"]
    resource: str
    field: str = ""
    before: Any = None
    after: Any = None


class Plan(BaseModel):
    """The preview a user approves; ``token`` binds it to arguments, scope, identity and state."""

    summary: str
    account: str
    region: str
    caller: str = ""
    steps: list[Step] = Field(default_factory=list)
    diff: list[DiffRow] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    token: str = ""


def canonical(value: Any) -> str:
    """Stable JSON for hashing: sorted keys, no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(value: Any, size: int = 8) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()[:size]


def refs_in(value: Any) -> set[str]:
    """Step ids referenced by ``${step.Field}`` placeholders anywhere in ``value``."""
    found: set[str] = set()
    if isinstance(value, str):
        found.update(m.group(1) for m in REF_PATTERN.finditer(value))
    elif isinstance(value, dict):
        for item in value.values():
            found |= refs_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= refs_in(item)
    return found


def resolve_refs(value: Any, outputs: dict[str, dict[str, Any]]) -> Any:
    """Replace placeholders with the outputs of steps already applied."""
    if isinstance(value, str):
        return REF_PATTERN.sub(lambda m: str(outputs[m.group(1)][m.group(2) or CREATED_ID]), value)
    if isinstance(value, dict):
        return {k: resolve_refs(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v, outputs) for v in value]
    return value
