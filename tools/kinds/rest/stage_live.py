"""Read apigateway get_stages items into the REST stage spec (pure)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from apigw_mcp.tools.engine.scope import MANAGED_TAG
from apigw_mcp.tools.kinds.rest.stage_spec import (
    ALL_METHODS,
    CACHE_SIZES,
    DEFAULT_CACHE_TTL,
    AccessLogSpec,
    CanarySpec,
    LoggingLevel,
    MethodSettingSpec,
    RestStageSpec,
    ThrottleSpec,
)

_LEVELS: dict[str, LoggingLevel] = {"OFF": "OFF", "ERROR": "ERROR", "INFO": "INFO"}


class LiveRestStage(BaseModel):
    """A live stage: its spec plus the deployment it serves."""

    spec: RestStageSpec
    deployment_id: str = ""

    @property
    def name(self) -> str:
        return self.spec.name


def _limit(value: Any) -> float | None:
    """AWS reports -1 (or nothing) for 'not set here, inherit'."""
    return None if value is None or value < 0 else float(value)


def method_setting(raw: dict[str, Any]) -> tuple[MethodSettingSpec, ThrottleSpec | None]:
    """A methodSettings value as the spec's setting and its throttle (None when it sets none)."""
    rate, burst = _limit(raw.get("throttlingRateLimit")), _limit(raw.get("throttlingBurstLimit"))
    throttle = (
        None
        if rate is None and burst is None
        else ThrottleSpec(rate_limit=rate or 0, burst_limit=int(burst or 0))
    )
    level: LoggingLevel = _LEVELS.get(raw.get("loggingLevel") or "OFF", "OFF")
    setting = MethodSettingSpec(
        throttling_rate_limit=rate,
        throttling_burst_limit=None if burst is None else int(burst),
        caching_enabled=bool(raw.get("cachingEnabled")),
        cache_ttl_seconds=int(raw.get("cacheTtlInSeconds", DEFAULT_CACHE_TTL)),
        cache_data_encrypted=bool(raw.get("cacheDataEncrypted")),
        require_authorization_for_cache_control=bool(raw.get("requireAuthorizationForCacheControl", True)),
        logging_level=level,
        data_trace_enabled=bool(raw.get("dataTraceEnabled")),
        metrics_enabled=bool(raw.get("metricsEnabled")),
    )
    return setting, throttle


def spec_method_key(aws_key: str) -> str:
    """AWS keys drop the path's leading '/': ``orders/{id}/GET`` -> ``/orders/{id}/GET``."""
    return aws_key if aws_key == ALL_METHODS or aws_key.startswith("/") else f"/{aws_key}"


def _method_settings(raw: dict[str, Any]) -> tuple[dict[str, MethodSettingSpec], ThrottleSpec | None]:
    settings: dict[str, MethodSettingSpec] = {}
    stage_throttle = None
    for aws_key, value in sorted(raw.items()):
        setting, throttle = method_setting(value or {})
        key = spec_method_key(aws_key)
        if key == ALL_METHODS:
            stage_throttle = throttle
            setting = setting.model_copy(
                update={"throttling_rate_limit": None, "throttling_burst_limit": None}
            )
            if setting == MethodSettingSpec():
                continue
        settings[key] = setting
    return settings, stage_throttle


def _canary(raw: dict[str, Any] | None) -> CanarySpec | None:
    if not raw:
        return None
    return CanarySpec(
        percent_traffic=float(raw.get("percentTraffic") or 0),
        stage_variable_overrides=dict(raw.get("stageVariableOverrides") or {}),
        use_stage_cache=bool(raw.get("useStageCache")),
        deployment_id=raw.get("deploymentId"),
    )


def live_rest_stage(raw: dict[str, Any], web_acls: dict[str, str]) -> LiveRestStage:
    name = raw["stageName"]
    settings, throttle = _method_settings(raw.get("methodSettings") or {})
    log = raw.get("accessLogSettings") or {}
    size = raw.get("cacheClusterSize")
    enabled = bool(raw.get("cacheClusterEnabled"))
    spec = RestStageSpec(
        name=name,
        description=raw.get("description") or "",
        variables=dict(raw.get("variables") or {}),
        throttle=throttle,
        method_settings=settings,
        cache_cluster_enabled=enabled,
        cache_cluster_size=size if enabled and size in CACHE_SIZES else None,
        tracing_enabled=bool(raw.get("tracingEnabled")),
        access_log=AccessLogSpec(destination_arn=log["destinationArn"], format=log.get("format") or "")
        if log.get("destinationArn")
        else None,
        canary=_canary(raw.get("canarySettings")),
        web_acl_arn=raw.get("webAclArn") or web_acls.get(name),
        tags={k: v for k, v in (raw.get("tags") or {}).items() if k != MANAGED_TAG},
    )
    return LiveRestStage(spec=spec, deployment_id=raw.get("deploymentId") or "")


def live_rest_stages(stages_raw: list[dict[str, Any]], web_acls: dict[str, str]) -> list[LiveRestStage]:
    """Stages from get_stages' ``item`` list; ``web_acls``: stage name -> the web ACL ARN wafv2 reports."""
    return [live_rest_stage(raw, web_acls) for raw in sorted(stages_raw, key=lambda s: s["stageName"])]
