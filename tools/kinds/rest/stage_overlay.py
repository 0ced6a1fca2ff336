"""deploy_stage on an existing REST stage: the arguments given change their part of the live stage only.

``plan_rest_stages`` is declarative (what a spec leaves out goes, bar throttles and canaries), which is
right for create_rest_api's whole desired state. deploy_stage names only what should change, so its
desired stage is the live one with each given argument group laid over it.
"""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.kinds.rest.stage_inputs import RestStageInput
from apigw_mcp.tools.kinds.rest.stage_spec import ALL_METHODS, MethodSettingSpec, RestStageSpec

# Which method-setting fields each argument group owns.
_GROUPS = {
    "caching": ("caching_enabled", "cache_ttl_seconds", "cache_data_encrypted"),
    "logging": ("logging_level", "data_trace_enabled", "metrics_enabled"),
    "method_throttles": ("throttling_rate_limit", "throttling_burst_limit"),
}
_DIRECT = {
    "description": "description",
    "variables": "variables",
    "throttle": "throttle",
    "tracing": "tracing_enabled",
    "web_acl_arn": "web_acl_arn",
    "tags": "tags",
}


def overlay_stage(live: RestStageSpec, args: RestStageInput) -> RestStageSpec:
    """The live stage with the argument groups ``args`` sets (pydantic's fields_set) replaced."""
    given = args.model_fields_set
    wanted = args.to_spec()
    update: dict[str, Any] = {field: getattr(wanted, field) for arg, field in _DIRECT.items() if arg in given}
    if "caching" in given:
        update["cache_cluster_enabled"] = wanted.cache_cluster_enabled
        update["cache_cluster_size"] = wanted.cache_cluster_size
    if given & {"access_log_destination_arn", "access_log_format"}:
        update["access_log"] = wanted.access_log
    if "canary" in given:
        update["canary"], update["canary_action"] = wanted.canary, wanted.canary_action
    update["method_settings"] = _method_settings(live, wanted, given)
    return live.model_copy(update=update)


def _method_settings(
    live: RestStageSpec, wanted: RestStageSpec, given: set[str]
) -> dict[str, MethodSettingSpec]:
    fields: dict[str, dict[str, Any]] = {k: s.model_dump() for k, s in live.method_settings.items()}
    default = MethodSettingSpec().model_dump()
    for group, names in _GROUPS.items():
        if group not in given:
            continue
        # Logging is stage-wide ('*/*'); the others are per method and replace every method's values.
        keys = [ALL_METHODS] if group == "logging" else list(fields)
        for key in keys:
            fields.setdefault(key, dict(default)).update({n: default[n] for n in names})
        for key, setting in wanted.method_settings.items():
            chosen = setting.model_dump()
            fields.setdefault(key, dict(default)).update({n: chosen[n] for n in names})
    settings = {key: MethodSettingSpec.model_validate(value) for key, value in fields.items()}
    # An override left with nothing of its own goes ('*/*' keeps none either: its throttle is ``throttle``).
    return {key: s for key, s in settings.items() if s != MethodSettingSpec()}
