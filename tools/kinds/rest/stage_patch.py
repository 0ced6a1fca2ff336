"""update_stage patch operations for the difference between two REST stage specs (pure).

Paths follow AWS's Stage PATCH table: ``/description``, ``/variables/{name}``, ``/cacheClusterEnabled``,
``/cacheClusterSize``, ``/tracingEnabled``, ``/accessLogSettings/{destinationArn,format}``,
``/canarySettings/{percentTraffic,deploymentId,useStageCache,stageVariableOverrides/{name}}`` and, per
method, ``/{resourcePath}/{httpMethod}/{throttling,caching,logging,metrics}/...`` with '/' in the resource
path escaped as '~1' (``/*/*`` for the whole stage). Values are strings, as the API takes them.
"""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.kinds.rest.stage_spec import (
    ALL_METHODS,
    CanarySpec,
    MethodSettingSpec,
    RestStageSpec,
    ThrottleSpec,
    patch_prefix,
)

PatchOp = dict[str, str]
METHOD_FIELDS = {
    "throttling_rate_limit": "throttling/rateLimit",
    "throttling_burst_limit": "throttling/burstLimit",
    "caching_enabled": "caching/enabled",
    "cache_ttl_seconds": "caching/ttlInSeconds",
    "cache_data_encrypted": "caching/dataEncrypted",
    "require_authorization_for_cache_control": "caching/requireAuthorizationForCacheControl",
    "logging_level": "logging/loglevel",
    "data_trace_enabled": "logging/dataTrace",
    "metrics_enabled": "metrics/enabled",
}
_THROTTLE_FIELDS = ("throttling_rate_limit", "throttling_burst_limit")


def text(value: Any) -> str:
    """A patch value as AWS takes it: 'true'/'false', numbers without a needless '.0'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else repr(value)
    return str(value)


def replace(path: str, value: Any) -> PatchOp:
    return {"op": "replace", "path": path, "value": text(value)}


def remove(path: str) -> PatchOp:
    return {"op": "remove", "path": path}


def escape(name: str) -> str:
    """JSON Pointer escaping for one path segment (a variable name, a map key)."""
    return name.replace("~", "~0").replace("/", "~1")


def method_ops(key: str, before: MethodSettingSpec | None, after: MethodSettingSpec) -> list[PatchOp]:
    """Replace what differs; an unset throttle in ``after`` leaves the live one alone (it inherits)."""
    old = (before or MethodSettingSpec()).model_dump()
    new = after.model_dump()
    prefix = patch_prefix(key)
    return [
        replace(f"{prefix}/{suffix}", new[field])
        for field, suffix in METHOD_FIELDS.items()
        if new[field] != old[field] and not (field in _THROTTLE_FIELDS and new[field] is None)
    ]


def throttle_ops(before: ThrottleSpec | None, after: ThrottleSpec | None) -> list[PatchOp]:
    """Stage-wide throttling lives under ``/*/*``; an absent throttle keeps the live one."""
    if after is None or after == before:
        return []
    ops = []
    if before is None or before.rate_limit != after.rate_limit:
        ops.append(replace("/*/*/throttling/rateLimit", after.rate_limit))
    if before is None or before.burst_limit != after.burst_limit:
        ops.append(replace("/*/*/throttling/burstLimit", after.burst_limit))
    return ops


def method_settings_ops(before: RestStageSpec | None, after: RestStageSpec) -> list[PatchOp]:
    old = before.method_settings if before else {}
    ops = throttle_ops(before.throttle if before else None, after.throttle)
    keys = set(after.method_settings) | ({ALL_METHODS} & set(old))
    for key in sorted(keys):
        ops += method_ops(key, old.get(key), after.method_settings.get(key, MethodSettingSpec()))
    # A method's own override goes entirely; it then inherits the stage's settings again.
    ops += [remove(patch_prefix(key)) for key in sorted(set(old) - keys)]
    return ops


def _map_ops(prefix: str, before: dict[str, str], after: dict[str, str]) -> list[PatchOp]:
    ops = [replace(f"{prefix}/{escape(k)}", v) for k, v in sorted(after.items()) if before.get(k) != v]
    return ops + [remove(f"{prefix}/{escape(k)}") for k in sorted(set(before) - set(after))]


def access_log_ops(before: RestStageSpec, after: RestStageSpec) -> list[PatchOp]:
    old, new = before.access_log, after.access_log
    if new is None:
        return [remove("/accessLogSettings")] if old else []
    ops = []
    if old is None or old.destination_arn != new.destination_arn:
        ops.append(replace("/accessLogSettings/destinationArn", new.destination_arn))
    if old is None or old.format != new.format:
        ops.append(replace("/accessLogSettings/format", new.format))
    return ops


def canary_ops(before: CanarySpec | None, after: CanarySpec, deployment_id: str) -> list[PatchOp]:
    """Start a canary on ``deployment_id`` (the stage's own: both serve the same version at first) or change
    a live canary's settings."""
    old_overrides = before.stage_variable_overrides if before else {}
    ops = [] if before else [replace("/canarySettings/deploymentId", deployment_id)]
    if before is None or before.percent_traffic != after.percent_traffic:
        ops.append(replace("/canarySettings/percentTraffic", after.percent_traffic))
    if before is None or before.use_stage_cache != after.use_stage_cache:
        ops.append(replace("/canarySettings/useStageCache", after.use_stage_cache))
    return ops + _map_ops(
        "/canarySettings/stageVariableOverrides", old_overrides, after.stage_variable_overrides
    )


def promote_ops(canary: CanarySpec, variables: dict[str, str]) -> list[PatchOp]:
    """AWS's promotion: the stage takes the canary's deployment and stage-variable overrides; the canary
    settings then go, so no traffic is split any more."""
    ops = [replace("/deploymentId", canary.deployment_id)]
    ops += [
        replace(f"/variables/{escape(k)}", v)
        for k, v in sorted(canary.stage_variable_overrides.items())
        if variables.get(k) != v
    ]
    return [*ops, remove("/canarySettings")]


def settings_ops(before: RestStageSpec, after: RestStageSpec) -> list[PatchOp]:
    """Stage-level fields other than method settings, canary and deployment."""
    ops = [replace("/description", after.description)] if before.description != after.description else []
    ops += _map_ops("/variables", before.variables, after.variables)
    if before.cache_cluster_enabled != after.cache_cluster_enabled:
        ops.append(replace("/cacheClusterEnabled", after.cache_cluster_enabled))
    if after.cache_cluster_size and before.cache_cluster_size != after.cache_cluster_size:
        ops.append(replace("/cacheClusterSize", after.cache_cluster_size))
    if before.tracing_enabled != after.tracing_enabled:
        ops.append(replace("/tracingEnabled", after.tracing_enabled))
    return ops + access_log_ops(before, after)
