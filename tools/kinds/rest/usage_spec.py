"""Desired state of a usage plan: throttle, quota, the API stages it meters and its API keys.

API keys are matched by name. A key's value is never part of a spec or a plan: AWS generates it,
and the user reads it with ``aws apigateway get-api-key --api-key ID --include-value``.
Per-method throttles are keyed like AWS's ``ApiStage.throttle``: ``/orders/{id}/GET``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from apigw_mcp.tools.kinds.rest.stage_spec import ThrottleSpec

QuotaPeriod = Literal["DAY", "WEEK", "MONTH"]
# The first day of a period: DAY has none, WEEK starts on day 0-6 (0 = Sunday), MONTH on day 0-27.
MAX_OFFSET = {"DAY": 0, "WEEK": 6, "MONTH": 27}


class QuotaSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    limit: int = Field(ge=1, le=2_147_483_647)
    period: QuotaPeriod
    offset: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _offset_in_period(self) -> QuotaSpec:
        if self.offset > MAX_OFFSET[self.period]:
            raise ValueError(f"offset: a {self.period} quota takes an offset of 0-{MAX_OFFSET[self.period]}")
        return self

    def label(self) -> str:
        return f"{self.limit:,} per {self.period}" + (f" (offset {self.offset})" if self.offset else "")


class ApiStageSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api_id: str
    stage: str
    method_throttles: dict[str, ThrottleSpec] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        """How update_usage_plan names the pair: ``apiId:stage``."""
        return f"{self.api_id}:{self.stage}"


class ApiKeySpec(BaseModel):
    """An API key by name; there is deliberately no field for its value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    enabled: bool = True
    description: str = ""


class UsagePlanSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    api_stages: list[ApiStageSpec] = Field(default_factory=list)
    throttle: ThrottleSpec | None = None
    quota: QuotaSpec | None = None
    api_keys: list[ApiKeySpec] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> UsagePlanSpec:
        stages = [s.key for s in self.api_stages]
        if len(set(stages)) != len(stages):
            raise ValueError("api_stages: each API stage may appear once")
        keys = [k.name for k in self.api_keys]
        if len(set(keys)) != len(keys):
            raise ValueError("api_keys: key names must be unique")
        return self

    def stages_by_key(self) -> dict[str, ApiStageSpec]:
        return {s.key: s for s in self.api_stages}

    def keys_by_name(self) -> dict[str, ApiKeySpec]:
        return {k.name: k for k in self.api_keys}


def read_key_value_hint(key_id: str) -> str:
    """How the user reads a key's value themselves; the tools never return it."""
    return f"aws apigateway get-api-key --api-key {key_id} --include-value"
