"""Undo records of REST APIs: the whole before-state of the API an apply touched, and putting it back.

A REST change can touch any part of the resource tree, so the record keeps the API's spec as
it was (with its stages), or nothing for an API the apply created. What it restores is
checked like any desired spec (``check_rest_spec``) and planned, token-checked and guarded
like any tool call. The record travels sealed in a handle (``tools/engine/handle.py``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.handle import NOT_OURS
from apigw_mcp.tools.kinds.rest.plan_checks import check_rest_spec
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec


class RestUndoRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    kind: Literal["rest"] = "rest"
    api_id: str = Field(pattern=r"^[a-z0-9]{1,64}$")
    name: str = Field(max_length=128)
    created: bool = False
    deleted: bool = False
    before: dict[str, Any] | None = None
    permissions: list[str] = Field(default_factory=list, max_length=300)


def record_for(
    before: RestApiSpec | None, after: RestApiSpec | None, api_id: str, name: str, added: list[str]
) -> dict[str, Any]:
    """The record as the JSON a handle seals (defaults left out, except the kind)."""
    record = RestUndoRecord(
        api_id=api_id,
        name=name,
        created=before is None,
        deleted=after is None,
        before=before.model_dump(mode="json", exclude_defaults=True) if before else None,
        permissions=added,
    )
    return {**record.model_dump(mode="json", exclude_defaults=True), "kind": record.kind}


def parse(data: dict[str, Any]) -> RestUndoRecord:
    """The record in an opened handle; ValueError when it is not one this server writes."""
    try:
        record = RestUndoRecord.model_validate(data)
    except ValidationError:
        raise ValueError(NOT_OURS) from None
    if record.created == (record.before is not None):
        raise ValueError(NOT_OURS)
    return record


def restored(record: RestUndoRecord) -> RestApiSpec:
    """The spec to reconcile back to, checked as any desired REST API; ValueError naming the field."""
    try:
        spec = RestApiSpec.model_validate(record.before)
        check_rest_spec(spec)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"undo record {where}: {first['msg']}") from None
    except BadInput as error:
        raise ValueError(f"undo record {error}") from None
    return spec
