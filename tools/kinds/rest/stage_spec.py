"""Desired state of a REST API stage, normalised so that a live stage reads into the same model.

Stage-wide throttling lives in ``throttle`` (AWS keeps it under the ``*/*`` method setting);
``method_settings`` holds everything else per method path: ``*/*`` for the whole stage or
``/orders/{id}/GET`` (the resource path as the user writes it, then the method).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ALL_METHODS = "*/*"
CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")
CacheSize = Literal["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]
LoggingLevel = Literal["OFF", "ERROR", "INFO"]
CanaryAction = Literal["promote", "rollback"]
DEFAULT_CACHE_TTL = 300


class ThrottleSpec(BaseModel):
    """Token bucket: steady rate (requests per second) and burst; stage/method limits cap at the account's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate_limit: float = Field(ge=0, le=10000)
    burst_limit: int = Field(ge=0, le=5000)

    def label(self) -> str:
        return f"rate {self.rate_limit:g}/s, burst {self.burst_limit}"


class MethodSettingSpec(BaseModel):
    """One methodSettings entry; defaults are what AWS reports for an entry nobody changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    throttling_rate_limit: float | None = Field(default=None, ge=0, le=10000)
    throttling_burst_limit: int | None = Field(default=None, ge=0, le=5000)
    caching_enabled: bool = False
    cache_ttl_seconds: int = Field(default=DEFAULT_CACHE_TTL, ge=0, le=3600)
    cache_data_encrypted: bool = False
    require_authorization_for_cache_control: bool = True
    logging_level: LoggingLevel = "OFF"
    data_trace_enabled: bool = False
    metrics_enabled: bool = False

    def summary(self) -> dict[str, object]:
        return self.model_dump(exclude_defaults=True)


class AccessLogSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    destination_arn: str
    format: str


class CanarySpec(BaseModel):
    """A canary on the stage; ``deployment_id`` is known only for a live canary."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent_traffic: float = Field(ge=0, le=100)
    stage_variable_overrides: dict[str, str] = Field(default_factory=dict)
    use_stage_cache: bool = False
    deployment_id: str | None = None

    def settings(self) -> tuple[float, dict[str, str], bool]:
        """What the user controls (the deployment is the planner's business)."""
        return (self.percent_traffic, self.stage_variable_overrides, self.use_stage_cache)


class RestStageSpec(BaseModel):
    """A REST API stage. ``canary_action`` is a one-off request (promote or roll back), never live state."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    variables: dict[str, str] = Field(default_factory=dict)
    throttle: ThrottleSpec | None = None
    method_settings: dict[str, MethodSettingSpec] = Field(default_factory=dict)
    cache_cluster_enabled: bool = False
    cache_cluster_size: CacheSize | None = None
    tracing_enabled: bool = False
    access_log: AccessLogSpec | None = None
    canary: CanarySpec | None = None
    canary_action: CanaryAction | None = None
    web_acl_arn: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_place_for_stage_throttle(self) -> RestStageSpec:
        stage_wide = self.method_settings.get(ALL_METHODS)
        throttled = stage_wide and (stage_wide.throttling_rate_limit, stage_wide.throttling_burst_limit) != (
            None,
            None,
        )
        if throttled:
            raise ValueError("method_settings['*/*']: put stage-wide throttling in throttle")
        if self.canary_action and self.canary:
            raise ValueError(
                f"canary: give canary settings or canary_action {self.canary_action!r}, not both"
            )
        return self

    def stage_logging(self) -> LoggingLevel:
        return self.method_settings.get(ALL_METHODS, MethodSettingSpec()).logging_level

    def logs_executions(self) -> bool:
        """Whether any method logs to CloudWatch (which needs the account's CloudWatch role)."""
        return any(s.logging_level != "OFF" or s.data_trace_enabled for s in self.method_settings.values())


def split_method_key(key: str) -> tuple[str, str]:
    """``/orders/{id}/GET`` -> (``/orders/{id}``, ``GET``); ``/GET`` is the root resource's GET."""
    if key == ALL_METHODS:
        return ("*", "*")
    path, _, method = key.rpartition("/")
    return (path or "/", method)


def method_key(path: str, method: str) -> str:
    """The spec's key for a resource path and method (inverse of split_method_key)."""
    return f"/{method}" if path == "/" else f"{path}/{method}"


def patch_prefix(key: str) -> str:
    """The update_stage patch prefix for a method key: ``/~1orders~1{id}/GET`` or ``/*/*``."""
    if key == ALL_METHODS:
        return "/*/*"
    path, method = split_method_key(key)
    return f"/{path.replace('~', '~0').replace('/', '~1')}/{method}"
