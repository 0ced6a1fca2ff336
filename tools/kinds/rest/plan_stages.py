"""Stages of a REST API: deployments, stage settings, method settings, canary, WAF and tags (pure).

A new stage needs a deployment first (create_deployment, then create_stage on it); what create_stage
cannot set (method settings, access logs) follows in one update_stage. An existing stage gets one
update_stage with exactly the patch operations that differ. Stage settings take effect without a
redeploy; resource and method changes need ``deploy=True``.
"""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.rest.stage_live import LiveRestStage
from apigw_mcp.tools.kinds.rest.stage_patch import (
    PatchOp,
    access_log_ops,
    canary_ops,
    method_settings_ops,
    promote_ops,
    remove,
    replace,
    settings_ops,
)
from apigw_mcp.tools.kinds.rest.stage_spec import CanarySpec, MethodSettingSpec, RestStageSpec, ThrottleSpec

CLOUDWATCH_ROLE_FIX = (
    "logging to CloudWatch (execution or access logs) needs the account's CloudWatch Logs role, and none "
    "is set: create an IAM role that "
    "trusts apigateway.amazonaws.com with the AmazonAPIGatewayPushToCloudWatchLogs policy, then run "
    "`aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN`."
)


ACCOUNT_DEFAULT = ThrottleSpec(rate_limit=10000, burst_limit=5000)  # what AWS reports when none was set


def safe_id(name: str) -> str:
    return name.replace("-", "_")


def stage_arn(region: str, api: str, stage: str) -> str:
    return f"arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}"


def summary(spec: RestStageSpec) -> dict[str, Any]:
    out: dict[str, Any] = spec.model_dump(
        exclude={"name", "method_settings", "canary", "canary_action", "throttle", "access_log"},
        exclude_defaults=True,
    )
    if spec.throttle:
        out["throttle"] = spec.throttle.label()
    for key, setting in sorted(spec.method_settings.items()):
        out[f"method {key}"] = setting.summary()
    if spec.access_log:
        out["access_log"] = spec.access_log.destination_arn
    if spec.canary:
        out["canary"] = spec.canary.model_dump(exclude={"deployment_id"}, exclude_defaults=True)
    return out


def _canary_params(canary: CanarySpec) -> dict[str, Any]:
    params: dict[str, Any] = {
        "percentTraffic": canary.percent_traffic,
        "useStageCache": canary.use_stage_cache,
    }
    if canary.stage_variable_overrides:
        params["stageVariableOverrides"] = canary.stage_variable_overrides
    return params


def _create_params(api: str, spec: RestStageSpec, deployment: str) -> dict[str, Any]:
    params: dict[str, Any] = {"restApiId": api, "stageName": spec.name, "deploymentId": deployment}
    if spec.description:
        params["description"] = spec.description
    if spec.variables:
        params["variables"] = spec.variables
    if spec.cache_cluster_enabled:
        params["cacheClusterEnabled"] = True
        params["cacheClusterSize"] = spec.cache_cluster_size or "0.5"
    if spec.tracing_enabled:
        params["tracingEnabled"] = True
    if spec.canary:
        params["canarySettings"] = {"deploymentId": deployment, **_canary_params(spec.canary)}
    if spec.tags:
        params["tags"] = spec.tags
    return params


def _deployment(b: Builder, api: str, name: str, canary: CanarySpec | None = None) -> str:
    """A deployment of the API's current state; with ``canary`` it goes to the stage's canary."""
    step = f"deploy_{safe_id(name)}"
    params: dict[str, Any] = {"restApiId": api, "description": f"apigw-mcp deployment for stage {name}"}
    if canary is not None:
        params.update(stageName=name, canarySettings=_canary_params(canary))
    b.add(step, "apigateway", "create_deployment", "create", f"deployment for stage {name}", params)
    b.change("+", f"deployment of stage {name}", "target", None, "canary" if canary else "stage")
    return f"${{{step}}}"


def _update(b: Builder, api: str, name: str, ops: list[PatchOp]) -> None:
    if ops:
        params = {"restApiId": api, "stageName": name, "patchOperations": ops}
        b.add(
            f"stage_{safe_id(name)}_settings", "apigateway", "update_stage", "update", f"stage {name}", params
        )


def _web_acl(b: Builder, arn: str, name: str, before: str | None, after: str | None) -> None:
    if after and after != before:
        params = {"WebACLArn": after, "ResourceArn": arn}
        b.add(f"waf_{safe_id(name)}", "wafv2", "associate_web_acl", "update", f"stage {name}", params)
    elif before and not after:
        params = {"ResourceArn": arn}
        b.add(f"waf_{safe_id(name)}", "wafv2", "disassociate_web_acl", "update", f"stage {name}", params)
        b.warn(f"stage {name}: removing web ACL {before} leaves the stage without WAF protection.")


def _tags(b: Builder, arn: str, name: str, before: dict[str, str], after: dict[str, str]) -> None:
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        params = {"resourceArn": arn, "tags": changed}
        b.add(f"tag_{safe_id(name)}", "apigateway", "tag_resource", "update", f"stage {name}", params)
    if dropped := sorted(set(before) - set(after)):
        params = {"resourceArn": arn, "tagKeys": dropped}
        b.add(f"untag_{safe_id(name)}", "apigateway", "untag_resource", "update", f"stage {name}", params)


def _create(b: Builder, api: str, spec: RestStageSpec, region: str) -> None:
    if spec.canary_action:
        raise BadInput("canary", f"stage {spec.name} does not exist yet: it has no canary")
    deployment = _deployment(b, api, spec.name)
    params = _create_params(api, spec, deployment)
    b.add(f"stage_{safe_id(spec.name)}", "apigateway", "create_stage", "create", f"stage {spec.name}", params)
    empty = RestStageSpec(name=spec.name, tags=spec.tags)
    _update(b, api, spec.name, method_settings_ops(None, spec) + access_log_ops(empty, spec))
    _web_acl(b, stage_arn(region, api, spec.name), spec.name, None, spec.web_acl_arn)
    b.change("+", f"stage {spec.name}", "", None, summary(spec))


def effective_stage(spec: RestStageSpec, before: RestStageSpec) -> RestStageSpec:
    """Unset throttles keep the live ones: a stage's cannot be unset in place, and AWS fills one into
    every method setting."""
    settings = {
        key: _keep_throttle(s, before.method_settings.get(key)) for key, s in spec.method_settings.items()
    }
    return spec.model_copy(update={"throttle": spec.throttle or before.throttle, "method_settings": settings})


def _keep_throttle(setting: MethodSettingSpec, live: MethodSettingSpec | None) -> MethodSettingSpec:
    if live is None:
        return setting
    update: dict[str, Any] = {}
    if setting.throttling_rate_limit is None:
        update["throttling_rate_limit"] = live.throttling_rate_limit
    if setting.throttling_burst_limit is None:
        update["throttling_burst_limit"] = live.throttling_burst_limit
    return setting.model_copy(update=update)


def _canary_change(live: LiveRestStage, spec: RestStageSpec, deploy: bool) -> tuple[list[PatchOp], bool]:
    """Patch operations for the canary and whether a new deployment goes to the canary."""
    before, name = live.spec.canary, spec.name
    if spec.canary_action and before is None:
        return [], False  # already promoted or rolled back: nothing left to do (a warning says so)
    if spec.canary_action == "promote" and before is not None:
        if deploy:
            raise BadInput("deploy", f"promote stage {name}'s canary first, then deploy in a second call")
        return promote_ops(before, spec.variables), False
    if spec.canary_action == "rollback":
        return [remove("/canarySettings")], False
    wanted = spec.canary or before  # no canary asked: a live canary stays as it is
    if wanted is None:
        return [], False
    if deploy:  # create_deployment with canarySettings sets them all at once
        return [], True
    return (
        canary_ops(before, wanted, live.deployment_id) if wanted.settings() != _settings(before) else []
    ), False


def _settings(canary: CanarySpec | None) -> tuple[float, dict[str, str], bool] | None:
    return canary.settings() if canary else None


def _change(
    b: Builder, api: str, live: LiveRestStage, spec: RestStageSpec, deploy: bool, region: str
) -> None:
    name, before, asked = spec.name, live.spec, spec
    spec = effective_stage(spec, before)
    ops = settings_ops(before, spec) + method_settings_ops(before, spec)
    canary, to_canary = _canary_change(live, spec, deploy)
    if deploy and not to_canary:
        ops.append(replace("/deploymentId", _deployment(b, api, name)))
    _update(b, api, name, ops + canary)
    if to_canary:
        _deployment(b, api, name, spec.canary or before.canary)
    arn = stage_arn(region, api, name)
    _web_acl(b, arn, name, before.web_acl_arn, spec.web_acl_arn)
    _tags(b, arn, name, before.tags, spec.tags)
    b.changes(f"stage {name}", summary(before), _after_summary(spec, before))
    if spec.canary_action and before.canary is None:
        b.warn(f"stage {name} has no canary (any more) to {spec.canary_action}: nothing to do for it.")
    if asked.throttle is None and before.throttle not in (None, ACCOUNT_DEFAULT):
        b.warn(f"stage {name} keeps its throttling ({before.throttle.label()}): give throttle to change it.")


def _after_summary(spec: RestStageSpec, before: RestStageSpec) -> dict[str, Any]:
    """What the stage looks like after the plan, for the diff; a canary action says what it did."""
    if spec.canary_action is None or before.canary is None:
        return summary(spec.model_copy(update={"canary": spec.canary or before.canary}))
    overrides = before.canary.stage_variable_overrides
    promoted = spec.canary_action == "promote"
    variables = {**spec.variables, **overrides} if promoted else spec.variables
    out = summary(spec.model_copy(update={"canary": None, "variables": variables}))
    return {**out, "canary": "promoted" if promoted else "rolled back"}


def _warn(
    b: Builder, spec: RestStageSpec, before: RestStageSpec | None, account_cloudwatch_role: str | None
) -> None:
    to_cloudwatch = spec.access_log is not None and ":logs:" in spec.access_log.destination_arn
    if (spec.logs_executions() or to_cloudwatch) and not account_cloudwatch_role:
        b.warn(f"stage {spec.name}: {CLOUDWATCH_ROLE_FIX}")
    if any(s.data_trace_enabled for s in spec.method_settings.values()):
        b.warn(f"stage {spec.name}: data trace logs full requests and responses, which may hold secrets.")
    if spec.cache_cluster_enabled and not (before and before.cache_cluster_enabled):
        b.warn(f"stage {spec.name}: a cache cluster is billed by the hour while enabled (no free tier).")
    if spec.throttle and (spec.throttle.rate_limit == 0 or spec.throttle.burst_limit == 0):
        b.warn(f"stage {spec.name}: throttling of 0 rejects every request with 429 Too Many Requests.")


def plan_rest_stages(
    b: Builder,
    api: str,
    live: list[LiveRestStage],
    desired: list[RestStageSpec],
    deploy: bool,
    *,
    region: str,
    account_cloudwatch_role: str | None = None,
) -> None:
    """Plan ``desired`` stages against ``live`` ones (stages not in ``desired`` are left alone)."""
    current = {stage.name: stage for stage in live}
    for spec in sorted(desired, key=lambda s: s.name):
        if spec.name in current:
            _change(b, api, current[spec.name], spec, deploy, region)
        else:
            _create(b, api, spec, region)
        _warn(b, spec, current[spec.name].spec if spec.name in current else None, account_cloudwatch_role)


def plan_delete_rest_stage(b: Builder, api: str, live_stage: LiveRestStage) -> None:
    """Delete a stage; AWS drops its canary, cache cluster and WAF association with it."""
    name = live_stage.name
    b.add(
        f"del_stage_{safe_id(name)}",
        "apigateway",
        "delete_stage",
        "delete",
        f"stage {name}",
        {"restApiId": api, "stageName": name},
    )
    b.change("-", f"stage {name}", "", summary(live_stage.spec), None)
