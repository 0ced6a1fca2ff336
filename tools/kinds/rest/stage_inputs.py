"""A REST stage as create_rest_api's ``stages`` and deploy_stage take it, and its conversion to the spec.

Bounds: cache TTL 0-3600 s and the cache sizes AWS lists (0.5-237 GB); canary traffic 0-100 %;
stage and method throttles cap at the account's 10 000 rps / 5 000 burst; stage variables as AWS allows.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.kinds.rest.stage_spec import (
    ALL_METHODS,
    DEFAULT_CACHE_TTL,
    AccessLogSpec,
    CacheSize,
    CanaryAction,
    CanarySpec,
    LoggingLevel,
    MethodSettingSpec,
    RestStageSpec,
    ThrottleSpec,
    method_key,
)

DEFAULT_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","time":"$context.requestTime",'
    '"method":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
    '"latency":"$context.responseLatency","integrationError":"$context.integrationErrorMessage",'
    '"authorizerError":"$context.authorizer.error"}'
)
_REST_STAGE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_FIREHOSE = re.compile(
    r"arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream/amazon-apigateway-[\w.-]{1,46}"
)
_WEB_ACL = re.compile(r"arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[\w-]{1,128}/[0-9a-f-]{36}")
_CACHE_KEY = re.compile(
    r"method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[\w.-]+"
)


def rest_stage_name(value: str) -> str:
    if not _REST_STAGE.fullmatch(value):
        raise ValueError(f"stage name {value!r}: 1-128 letters, digits, '-' and '_' (REST has no $default)")
    return value


def method_route(value: str) -> str:
    """``GET /orders/{id}`` as a REST method (the route key syntax, without $default)."""
    if value.strip() == "$default":
        raise ValueError("REST stages take 'METHOD /path', not '$default'")
    return validate.route_key(value)


def access_log_destination(value: str) -> str:
    if value.startswith("arn:") and ":firehose:" in value:
        if not _FIREHOSE.fullmatch(value):
            raise ValueError("a Firehose destination's stream name must start with 'amazon-apigateway-'")
        return value
    return validate.log_group_arn(value)


def check_web_acl_arn(value: str) -> str:
    if not _WEB_ACL.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a regional WAFv2 web ACL ARN (arn:aws:wafv2:REGION:ACCOUNT:regional/...)"
        )
    return value


def cache_key_parameter(value: str) -> str:
    if not _CACHE_KEY.fullmatch(value):
        raise ValueError(f"{value!r}: use method.request.(path|querystring|header).NAME")
    return value


Route = Annotated[str, AfterValidator(method_route)]
Variables = Annotated[dict[str, str], AfterValidator(validate.stage_variables)]


class CachingInput(BaseModel):
    """A cache cluster; ``methods`` ('GET /orders') are cached, or every GET on the stage when empty."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    size: CacheSize = "0.5"
    ttl_seconds: int = Field(default=DEFAULT_CACHE_TTL, ge=0, le=3600)
    encrypted: bool = False
    methods: list[Route] = Field(default_factory=list, max_length=300)
    cache_key_parameters: list[Annotated[str, AfterValidator(cache_key_parameter)]] = Field(
        default_factory=list, max_length=50
    )

    @model_validator(mode="after")
    def _methods_need_cache(self) -> CachingInput:
        if not self.enabled and (self.methods or self.cache_key_parameters):
            raise ValueError("methods: cached methods need enabled")
        return self


class LoggingInput(BaseModel):
    """Execution logging to CloudWatch (needs the account's CloudWatch role) and detailed metrics."""

    model_config = ConfigDict(extra="forbid")

    level: LoggingLevel = "ERROR"
    data_trace: bool = Field(
        default=False, description="logs full requests and responses: off unless debugging"
    )
    metrics: bool = False


class CanaryInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    percent_traffic: float = Field(ge=0, le=100)
    variables: Variables = Field(
        default_factory=dict, description="stage-variable overrides (or new variables) for the canary"
    )
    use_stage_cache: bool = False


class RestStageInput(BaseModel):
    """A REST API stage: variables, throttling, caching, logging, tracing, access logs, canary, WAF, tags."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(rest_stage_name)]
    description: Annotated[str, AfterValidator(validate.description)] = ""
    variables: Variables = Field(default_factory=dict)
    throttle: ThrottleSpec | None = Field(default=None, description="stage-wide {rate_limit, burst_limit}")
    method_throttles: dict[Route, ThrottleSpec] = Field(default_factory=dict, description="by 'GET /orders'")
    caching: CachingInput | None = None
    logging: LoggingInput | None = None
    tracing: bool = False
    access_log_destination_arn: Annotated[str, AfterValidator(access_log_destination)] | None = None
    access_log_format: Annotated[str, AfterValidator(validate.access_log_format)] | None = None
    canary: CanaryInput | CanaryAction | None = None
    web_acl_arn: Annotated[str, AfterValidator(check_web_acl_arn)] | None = None
    tags: Annotated[dict[str, str], AfterValidator(validate.tags)] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _format_needs_destination(self) -> RestStageInput:
        if self.access_log_format and not self.access_log_destination_arn:
            raise ValueError("access_log_format: give access_log_destination_arn too")
        return self

    def to_spec(self) -> RestStageSpec:
        settings = self._method_settings()
        caching = self.caching if self.caching and self.caching.enabled else None
        log = None
        if self.access_log_destination_arn:
            fmt = self.access_log_format or DEFAULT_ACCESS_LOG_FORMAT
            log = AccessLogSpec(destination_arn=self.access_log_destination_arn, format=fmt)
        return RestStageSpec(
            name=self.name,
            description=self.description,
            variables=self.variables,
            throttle=self.throttle,
            method_settings=settings,
            cache_cluster_enabled=caching is not None,
            cache_cluster_size=caching.size if caching else None,
            tracing_enabled=self.tracing,
            access_log=log,
            canary=self._canary(),
            canary_action=self.canary if isinstance(self.canary, str) else None,
            web_acl_arn=self.web_acl_arn,
            tags=self.tags,
        )

    def cache_keys(self) -> dict[str, list[str]]:
        """Cached methods ('GET /orders') and the request parameters that key their cache entries: these
        live on each method's integration (``cacheKeyParameters``), which the resource planner owns."""
        caching = self.caching
        if caching is None or not caching.enabled or not caching.cache_key_parameters:
            return {}
        return {route: list(caching.cache_key_parameters) for route in caching.methods}

    def _canary(self) -> CanarySpec | None:
        if not isinstance(self.canary, CanaryInput):
            return None
        return CanarySpec(
            percent_traffic=self.canary.percent_traffic,
            stage_variable_overrides=self.canary.variables,
            use_stage_cache=self.canary.use_stage_cache,
        )

    def _method_settings(self) -> dict[str, MethodSettingSpec]:
        settings: dict[str, dict[str, object]] = {}
        if self.logging:
            settings[ALL_METHODS] = {
                "logging_level": self.logging.level,
                "data_trace_enabled": self.logging.data_trace,
                "metrics_enabled": self.logging.metrics,
            }
        caching = self.caching if self.caching and self.caching.enabled else None
        if caching:
            cache = {"caching_enabled": True, "cache_ttl_seconds": caching.ttl_seconds}
            cache["cache_data_encrypted"] = caching.encrypted
            for route in caching.methods or [ALL_METHODS]:
                settings.setdefault(_key(route), {}).update(cache)
        for route, throttle in self.method_throttles.items():
            throttled = {
                "throttling_rate_limit": throttle.rate_limit,
                "throttling_burst_limit": throttle.burst_limit,
            }
            settings.setdefault(_key(route), {}).update(throttled)
        return {key: MethodSettingSpec.model_validate(value) for key, value in settings.items()}


def _key(route: str) -> str:
    if route == ALL_METHODS:
        return route
    method, _, path = route.partition(" ")
    return method_key(path, method)
