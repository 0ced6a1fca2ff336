"""Usage plans and their API keys: create, update with patch operations, delete (pure).

Patch paths are the ones update_usage_plan documents: ``/name``, ``/description``, ``/throttle/rateLimit``,
``/throttle/burstLimit``, ``/quota/{limit,period,offset}`` (``remove /throttle``, ``remove /quota``),
``add``/``remove /apiStages`` with the value ``apiId:stage``, and per method
``/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/{rateLimit,burstLimit}`` with '/' in
the resource path escaped as '~1' (JSON Pointer, as AWS asks). A stage whose method throttles lose an
entry is removed and added again, as Terraform's provider does.
Key values never appear: AWS generates them, and the plan says how the user reads one.
"""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import MANAGED_TAG
from apigw_mcp.tools.kinds.rest.stage_patch import PatchOp, remove, replace
from apigw_mcp.tools.kinds.rest.stage_spec import ThrottleSpec, patch_prefix
from apigw_mcp.tools.kinds.rest.usage_live import LiveUsagePlan
from apigw_mcp.tools.kinds.rest.usage_spec import ApiKeySpec, ApiStageSpec, UsagePlanSpec, read_key_value_hint

PLAN_STEP = "usage_plan"
KEYS_ARE_NOT_AUTH = (
    "API keys identify callers for usage plans and metering; they are not authentication: protect the "
    "methods with IAM, a Cognito or a Lambda authorizer as well. A method counts against a usage plan "
    "only when it requires an API key (api_key_required)."
)


def _throttle(t: ThrottleSpec) -> dict[str, Any]:
    return {"burstLimit": t.burst_limit, "rateLimit": t.rate_limit}


def _api_stage(s: ApiStageSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"apiId": s.api_id, "stage": s.stage}
    if s.method_throttles:
        out["throttle"] = {k: _throttle(t) for k, t in sorted(s.method_throttles.items())}
    return out


def summary(spec: UsagePlanSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"description": spec.description} if spec.description else {}
    if spec.throttle:
        out["throttle"] = spec.throttle.label()
    if spec.quota:
        out["quota"] = spec.quota.label()
    for stage in spec.api_stages:
        throttles = {k: t.label() for k, t in sorted(stage.method_throttles.items())}
        out[f"stage {stage.key}"] = throttles or "plan limits"
    out["api_keys"] = sorted(k.name for k in spec.api_keys)
    return out


def _create_params(spec: UsagePlanSpec) -> dict[str, Any]:
    params: dict[str, Any] = {"name": spec.name, "apiStages": [_api_stage(s) for s in spec.api_stages]}
    if spec.description:
        params["description"] = spec.description
    if spec.throttle:
        params["throttle"] = _throttle(spec.throttle)
    if spec.quota:
        params["quota"] = spec.quota.model_dump()
    if spec.tags:
        params["tags"] = spec.tags
    return params


def _stage_throttle_ops(stage: ApiStageSpec, old: dict[str, ThrottleSpec]) -> list[PatchOp]:
    ops = []
    for path, t in sorted(stage.method_throttles.items()):
        before = old.get(path)
        prefix = f"/apiStages/{stage.key}/throttle{patch_prefix(path)}"
        if before is None or before.rate_limit != t.rate_limit:
            ops.append(replace(f"{prefix}/rateLimit", t.rate_limit))
        if before is None or before.burst_limit != t.burst_limit:
            ops.append(replace(f"{prefix}/burstLimit", t.burst_limit))
    return ops


def _stages_ops(before: UsagePlanSpec, after: UsagePlanSpec) -> list[PatchOp]:
    old, new = before.stages_by_key(), after.stages_by_key()
    ops = [{"op": "remove", "path": "/apiStages", "value": k} for k in sorted(set(old) - set(new))]
    for key, stage in sorted(new.items()):
        current = old.get(key)
        if current is None or set(current.method_throttles) - set(stage.method_throttles):
            if current is not None:
                ops.append({"op": "remove", "path": "/apiStages", "value": key})
            ops.append({"op": "add", "path": "/apiStages", "value": key})
            ops += _stage_throttle_ops(stage, {})
        else:
            ops += _stage_throttle_ops(stage, current.method_throttles)
    return ops


def _limits_ops(before: UsagePlanSpec, after: UsagePlanSpec) -> list[PatchOp]:
    ops = [replace("/name", after.name)] if before.name != after.name else []
    if before.description != after.description:
        ops.append(replace("/description", after.description))
    if after.throttle is None:
        ops += [remove("/throttle")] if before.throttle else []
    elif after.throttle != before.throttle:
        ops += [replace("/throttle/rateLimit", after.throttle.rate_limit)]
        ops += [replace("/throttle/burstLimit", after.throttle.burst_limit)]
    if after.quota is None:
        ops += [remove("/quota")] if before.quota else []
    elif after.quota != before.quota:
        new = after.quota.model_dump()
        ops += [replace(f"/quota/{field}", new[field]) for field in ("limit", "period", "offset")]
    return ops


def _keys(
    b: Builder, plan: str, live: LiveUsagePlan | None, spec: UsagePlanSpec, account: dict[str, str]
) -> None:
    linked = live.key_ids if live else {}
    current = live.spec.keys_by_name() if live else {}
    for index, key in enumerate(spec.api_keys, start=1):
        key_id = linked.get(key.name) or account.get(key.name)
        if key_id is None:
            key_id = _create_key(b, index, key)
        elif key.name in current and current[key.name] != key:
            _update_key(b, index, key_id, current[key.name], key)
        if key.name not in linked:
            params = {"usagePlanId": plan, "keyId": key_id, "keyType": "API_KEY"}
            b.add(
                f"plan_key_{index}",
                "apigateway",
                "create_usage_plan_key",
                "create",
                f"API key {key.name}",
                params,
            )
            b.change("+", f"usage plan {spec.name}", "api key", None, key.name)
    for name in sorted(set(linked) - {k.name for k in spec.api_keys}):
        params = {"usagePlanId": plan, "keyId": linked[name]}
        b.add(
            f"unlink_key_{linked[name]}",
            "apigateway",
            "delete_usage_plan_key",
            "delete",
            f"API key {name}",
            params,
        )
        b.change("-", f"usage plan {spec.name}", "api key", name, None)


def _create_key(b: Builder, index: int, key: ApiKeySpec) -> str:
    step = f"key_{index}"
    params: dict[str, Any] = {"name": key.name, "enabled": key.enabled, "generateDistinctId": True}
    if key.description:
        params["description"] = key.description
    params["tags"] = {MANAGED_TAG: "true"}
    b.add(step, "apigateway", "create_api_key", "create", f"API key {key.name}", params)
    b.change("+", f"API key {key.name}", "enabled", None, key.enabled)
    b.warn(
        f"API key {key.name}: AWS generates its value and this tool never shows it; after applying, read it "
        f"yourself with `{read_key_value_hint('<id from step ' + step + '>')}`."
    )
    return f"${{{step}}}"


def _update_key(b: Builder, index: int, key_id: str, before: ApiKeySpec, after: ApiKeySpec) -> None:
    ops = [replace("/enabled", after.enabled)] if before.enabled != after.enabled else []
    if before.description != after.description:
        ops.append(replace("/description", after.description))
    params = {"apiKey": key_id, "patchOperations": ops}
    b.add(f"key_{index}_settings", "apigateway", "update_api_key", "update", f"API key {after.name}", params)
    b.changes(f"API key {after.name}", before.model_dump(), after.model_dump())


def plan_usage_plan(
    b: Builder,
    live: LiveUsagePlan | None,
    desired: UsagePlanSpec | None,
    *,
    account_keys: dict[str, str] | None = None,
) -> None:
    """Create, update or (``desired`` None) delete a usage plan; ``account_keys`` (name -> id) are keys
    that exist already and are linked rather than created."""
    if desired is None:
        if live is not None:
            _delete(b, live)
        return
    if live is None:
        b.add(
            PLAN_STEP,
            "apigateway",
            "create_usage_plan",
            "create",
            f"usage plan {desired.name}",
            _create_params(desired),
        )
        b.change("+", f"usage plan {desired.name}", "", None, summary(desired))
        plan = f"${{{PLAN_STEP}}}"
    else:
        plan = live.plan_id
        ops = _limits_ops(live.spec, desired) + _stages_ops(live.spec, desired)
        if ops:
            params = {"usagePlanId": plan, "patchOperations": ops}
            b.add(
                PLAN_STEP, "apigateway", "update_usage_plan", "update", f"usage plan {desired.name}", params
            )
        _tags(b, live, desired)
        before, after = summary(live.spec), summary(desired)
        b.changes(f"usage plan {desired.name}", {**before, "api_keys": None}, {**after, "api_keys": None})
    _keys(b, plan, live, desired, account_keys or {})
    if desired.api_keys:
        b.warn(KEYS_ARE_NOT_AUTH)
    if desired.throttle and (desired.throttle.rate_limit == 0 or desired.throttle.burst_limit == 0):
        b.warn(f"usage plan {desired.name}: throttling of 0 rejects every keyed request with 429.")


def _tags(b: Builder, live: LiveUsagePlan, desired: UsagePlanSpec) -> None:
    if live.spec.tags != desired.tags:
        b.warn(
            f"usage plan {desired.name}: tags are set when a plan is created; its tags stay {live.spec.tags} "
            "(change them with `aws apigateway tag-resource` / `untag-resource`)."
        )


def _delete(b: Builder, live: LiveUsagePlan) -> None:
    """Detach the plan's API stages first (AWS refuses to delete a plan that has any); the keys stay."""
    name, stages = live.spec.name, live.spec.api_stages
    if stages:
        ops = [{"op": "remove", "path": "/apiStages", "value": s.key} for s in stages]
        params = {"usagePlanId": live.plan_id, "patchOperations": ops}
        b.add("detach_stages", "apigateway", "update_usage_plan", "update", f"usage plan {name}", params)
    b.add(
        "del_usage_plan",
        "apigateway",
        "delete_usage_plan",
        "delete",
        f"usage plan {name}",
        {"usagePlanId": live.plan_id},
    )
    b.change("-", f"usage plan {name}", "", summary(live.spec), None)
    if live.key_ids:
        keys = ", ".join(sorted(live.key_ids))
        b.warn(
            f"usage plan {name}: its API keys ({keys}) stay in the account; delete them separately if unused."
        )
