"""Arguments of configure_usage_plan and their conversion into the usage-plan spec.

A plan throttles and meters the API stages it lists, per API key. Bounds: 300 usage plans per
account and Region, 10 plans per key, quota period DAY/WEEK/MONTH; key values are never accepted
(AWS generates them; a supplied value would land in logs and the audit trail).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.kinds.rest.stage_inputs import Route, rest_stage_name
from apigw_mcp.tools.kinds.rest.stage_spec import ThrottleSpec, method_key
from apigw_mcp.tools.kinds.rest.usage_spec import ApiKeySpec, ApiStageSpec, QuotaSpec, UsagePlanSpec

_NAME = re.compile(r"[\w .:/=+@-]{1,128}")
_API_REF = re.compile(r"[A-Za-z0-9_-]{1,128}")
MAX_STAGES_PER_PLAN = 100  # the guard judges at most 100 per plan; AWS documents no bound


def plan_or_key_name(value: str) -> str:
    if not _NAME.fullmatch(value) or value != value.strip():
        raise ValueError(f"{value!r}: 1-128 letters, digits, spaces and _ . : / = + @ -")
    return value


def api_ref(value: str) -> str:
    if not _API_REF.fullmatch(value):
        raise ValueError(f"{value!r} is not a REST API id or name (letters, digits, '-' and '_')")
    return value


Name = Annotated[str, AfterValidator(plan_or_key_name)]


class UsageStageInput(BaseModel):
    """An API stage the plan covers, with optional per-method throttles ('GET /orders')."""

    model_config = ConfigDict(extra="forbid")

    api_id: Annotated[str, AfterValidator(api_ref)] = Field(description="REST API id or name")
    stage: Annotated[str, AfterValidator(rest_stage_name)]
    throttle: dict[Route, ThrottleSpec] = Field(default_factory=dict, description="per method")

    def spec(self, api_id: str) -> ApiStageSpec:
        throttles = {}
        for route, limits in self.throttle.items():
            method, _, path = route.partition(" ")
            throttles[method_key(path, method)] = limits
        return ApiStageSpec(api_id=api_id, stage=self.stage, method_throttles=throttles)


class ConfigureUsagePlanArgs(BaseModel):
    """The whole usage plan as it should be: limits, the stages it meters, the keys it holds."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    api_stages: list[UsageStageInput] = Field(
        min_length=1, max_length=MAX_STAGES_PER_PLAN, description="the REST API stages the plan meters"
    )
    throttle: ThrottleSpec | None = Field(default=None, description="per key {rate_limit, burst_limit}")
    quota: QuotaSpec | None = Field(default=None, description="{limit, period: DAY|WEEK|MONTH, offset}")
    api_keys: list[Name] = Field(
        default_factory=list, max_length=100, description="key names: created (AWS makes the value) or linked"
    )
    description: Annotated[str, AfterValidator(validate.description)] = ""
    tags: Annotated[dict[str, str], AfterValidator(validate.tags)] = Field(default_factory=dict)
    dry_run: bool = True
    plan_token: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> ConfigureUsagePlanArgs:
        stages = [(s.api_id, s.stage) for s in self.api_stages]
        if len(set(stages)) != len(stages):
            raise ValueError("api_stages: each API stage may appear once")
        if len(set(self.api_keys)) != len(self.api_keys):
            raise ValueError("api_keys: names must be unique")
        if self.throttle and self.throttle.rate_limit > 0 and self.throttle.burst_limit == 0:
            raise ValueError("throttle.burst_limit: a burst of 0 admits no request at any rate")
        return self

    def to_spec(self, api_ids: Mapping[str, str] | None = None) -> UsagePlanSpec:
        """The spec; ``api_ids`` maps the API names (or ids) given to REST API ids, when the server knows."""
        stages = [
            s.spec(_resolve(s.api_id, api_ids, f"api_stages.{i}.api_id"))
            for i, s in enumerate(self.api_stages)
        ]
        return UsagePlanSpec(
            name=self.name,
            description=self.description,
            api_stages=sorted(stages, key=lambda s: s.key),
            throttle=self.throttle,
            quota=self.quota,
            api_keys=[ApiKeySpec(name=k) for k in self.api_keys],
            tags=self.tags,
        )


def _resolve(ref: str, api_ids: Mapping[str, str] | None, field: str) -> str:
    if api_ids is None:
        return ref
    if ref not in api_ids:
        raise BadInput(field, f"no REST API {ref!r} in scope (give its id or name)")
    return api_ids[ref]
