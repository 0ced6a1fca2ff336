"""Stages of an HTTP API: log groups for access logs, stage settings, explicit deployments (pure)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import MANAGED_TAG
from apigw_mcp.tools.kinds.http.inputs import DEFAULT_LOG_FORMAT
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec, StageSpec, Throttle


def _settings(throttle: Throttle) -> dict[str, Any]:
    return {"ThrottlingBurstLimit": throttle.burst, "ThrottlingRateLimit": throttle.rate}


def _summary(spec: StageSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"auto_deploy": spec.auto_deploy}
    if spec.description:
        out["description"] = spec.description
    if spec.variables:
        out["variables"] = spec.variables
    if spec.throttle:
        out["throttle"] = spec.throttle.label()
    for key, throttle in sorted(spec.route_throttle.items()):
        out[f"throttle {key}"] = throttle.label()
    if spec.access_log:
        out["access_log"] = spec.access_log.destination_arn
        custom = spec.access_log.format != DEFAULT_LOG_FORMAT
        out["access_log_format"] = spec.access_log.format if custom else "default"
    return out


def log_group_name(arn: str) -> str:
    return arn.split(":log-group:", 1)[1].removesuffix(":*")


def plan_log_groups(b: Builder, desired: HttpApiSpec, existing: Collection[str]) -> None:
    """Create each access-log group a stage needs that does not exist yet."""
    needed = sorted(
        {log_group_name(s.access_log.destination_arn) for s in desired.stages.values() if s.access_log}
    )
    for index, name in enumerate(n for n in needed if n not in existing):
        b.add(
            f"log{index + 1}",
            "logs",
            "create_log_group",
            "create",
            f"log group {name}",
            {"logGroupName": name, "tags": {MANAGED_TAG: "true"}},
        )
        b.change("+", f"log group {name}")


def effective_stage(spec: StageSpec, live: StageSpec | None) -> StageSpec:
    """Default throttling cannot be unset in place (omitted values reset to 0), so absent means 'keep'."""
    if spec.throttle is None and live is not None and live.throttle is not None:
        return spec.model_copy(update={"throttle": live.throttle})
    return spec


def kept_throttles(desired: HttpApiSpec, live: HttpApiSpec | None) -> list[str]:
    """Warnings for stages whose default throttling the desired state drops but AWS cannot remove in place."""
    current = live.stages if live else {}
    kept = {
        name: throttle
        for name, stage in desired.stages.items()
        if stage.throttle is None and name in current and (throttle := current[name].throttle) is not None
    }
    return [
        f"Stage {name} keeps its default throttling ({throttle.label()}): an HTTP API stage's default "
        "route throttling cannot be removed in place."
        for name, throttle in sorted(kept.items())
    ]


def _create_params(spec: StageSpec) -> dict[str, Any]:
    params: dict[str, Any] = {"AutoDeploy": spec.auto_deploy}
    if spec.description:
        params["Description"] = spec.description
    if spec.variables:
        params["StageVariables"] = spec.variables
    if spec.throttle:
        params["DefaultRouteSettings"] = _settings(spec.throttle)
    if spec.route_throttle:
        params["RouteSettings"] = {k: _settings(t) for k, t in sorted(spec.route_throttle.items())}
    if spec.access_log:
        params["AccessLogSettings"] = {
            "DestinationArn": spec.access_log.destination_arn,
            "Format": spec.access_log.format,
        }
    return params


def _update_params(spec: StageSpec, live: StageSpec) -> dict[str, Any]:
    full = _create_params(spec)
    params: dict[str, Any] = {}
    if spec.auto_deploy != live.auto_deploy:
        params["AutoDeploy"] = spec.auto_deploy
    if spec.description != live.description:
        params["Description"] = spec.description
    if spec.variables != live.variables:
        params["StageVariables"] = spec.variables
    if spec.throttle != live.throttle and "DefaultRouteSettings" in full:
        params["DefaultRouteSettings"] = full["DefaultRouteSettings"]
    changed = {k: t for k, t in spec.route_throttle.items() if live.route_throttle.get(k) != t}
    if changed:
        params["RouteSettings"] = {k: _settings(t) for k, t in sorted(changed.items())}
    if spec.access_log and spec.access_log != live.access_log:
        params["AccessLogSettings"] = full["AccessLogSettings"]
    return params


def plan_stages(
    b: Builder, desired: HttpApiSpec, live: LiveHttpApi | None, api_id: str, deploy: Collection[str]
) -> None:
    current = live.spec.stages if live else {}
    for index, (name, wanted) in enumerate(sorted(desired.stages.items()), start=1):
        before = current.get(name)
        spec = effective_stage(wanted, before)
        resource = f"stage {name}"
        if before is None:
            b.add(
                f"stage{index}",
                "apigatewayv2",
                "create_stage",
                "create",
                resource,
                {"ApiId": api_id, "StageName": name, **_create_params(spec)},
            )
            b.change("+", resource, "", None, _summary(spec))
        elif spec != before:
            _update_stage(b, index, api_id, name, spec, before)
        if spec.throttle is not None and (spec.throttle.rate == 0 or spec.throttle.burst == 0):
            b.warn(f"stage {name}: throttling of 0 rejects every request with 429 Too Many Requests.")
        if any(t.rate == 0 or t.burst == 0 for t in spec.route_throttle.values()):
            b.warn(f"stage {name}: a route throttle of 0 rejects every request to that route with 429.")
    for name in sorted(set(current) - set(desired.stages)):
        b.add(
            f"del_stage_{index_safe(name)}",
            "apigatewayv2",
            "delete_stage",
            "delete",
            f"stage {name}",
            {"ApiId": api_id, "StageName": name},
        )
        b.change("-", f"stage {name}", "", _summary(current[name]), None)
    for index, name in enumerate(sorted(deploy), start=1):
        b.add(
            f"deploy{index}",
            "apigatewayv2",
            "create_deployment",
            "create",
            f"deployment {name}",
            {"ApiId": api_id, "StageName": name},
        )
        b.change("+", f"deployment of stage {name}")


def index_safe(name: str) -> str:
    return "default" if name == "$default" else name.replace("-", "_")


def _update_stage(b: Builder, index: int, api_id: str, name: str, spec: StageSpec, before: StageSpec) -> None:
    resource = f"stage {name}"
    params = _update_params(spec, before)
    if params:
        b.add(
            f"stage{index}",
            "apigatewayv2",
            "update_stage",
            "update",
            resource,
            {"ApiId": api_id, "StageName": name, **params},
        )
    for key in sorted(set(before.route_throttle) - set(spec.route_throttle)):
        b.add(
            f"stage{index}_rs_{len(b.steps)}",
            "apigatewayv2",
            "delete_route_settings",
            "update",
            resource,
            {"ApiId": api_id, "StageName": name, "RouteKey": key},
        )
    if before.access_log and not spec.access_log:
        b.add(
            f"stage{index}_nolog",
            "apigatewayv2",
            "delete_access_log_settings",
            "update",
            resource,
            {"ApiId": api_id, "StageName": name},
        )
    b.changes(resource, _summary(before), _summary(spec))
