"""Traffic rules: REST API keys and usage plans, throttling at every level, and CORS (in two sibling modules).

API key values are never read or shown: rules judge from the method's apiKeyRequired, the usage plans that
cover the stage and the keys linked to them (ids only).
"""

from __future__ import annotations

from . import rules_traffic_rest_cors  # noqa: F401  (registers the REST CORS rules)
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_traffic_helpers import (
    ACCOUNT_BURST,
    ACCOUNT_RATE,
    Raw,
    call,
    covering_plans,
    deploy,
    http_limits,
    http_throttle_fix,
    key_method,
    key_required,
    key_source,
    limit_level,
    plan_keys,
    rest_method_limits,
    rest_throttle_fix,
    said,
    throttle_signal,
)

_UNKNOWN_KEY = ("invalid api key identifier",)
_UNLINKED = ("not associated with a usage plan", "api stage is not in a usage plan")


# ---- API keys and usage plans (REST) ----
@rule("rest-api-key-missing-or-unknown")
def _key_missing(facts: Facts, symptom: Symptom) -> Hit | None:
    found = key_method(facts, symptom, 403)
    if found is None or key_source(facts) != "HEADER" or said(symptom, facts, *_UNLINKED):
        return None
    evidence = [key_required(*found), seen("apigateway.get_rest_api", "apiKeySource", key_source(facts))]
    if phrase := said(symptom, facts, *_UNKNOWN_KEY):
        return Hit(0.9, [*evidence, seen("execution log", "message", phrase)])
    linked = plan_keys(covering_plans(facts))
    usable = [k["id"] for k in facts.api_keys if k.get("enabled") and k.get("id") in linked]
    evidence.append(seen("apigateway.get_usage_plan_keys", "enabled keys linked to the stage", usable))
    # With a usable key linked, the caller most likely sent none or a wrong one.
    return Hit(0.7 if usable else 0.5, evidence)


@rule("rest-api-key-not-linked-to-stage")
def _key_unlinked(facts: Facts, symptom: Symptom) -> Hit | None:
    found = key_method(facts, symptom, 403)
    if found is None or said(symptom, facts, *_UNKNOWN_KEY):
        return None
    plans, stage = covering_plans(facts), facts.match.stage
    linked = plan_keys(plans)
    elsewhere = sorted(str(k["id"]) for k in facts.api_keys if k.get("enabled") and k.get("id") not in linked)
    evidence = [
        key_required(*found),
        seen(
            "apigateway.get_usage_plans",
            f"plans with apiStages {facts.api_id}:{stage}",
            [p["id"] for p in plans],
        ),
        seen("apigateway.get_usage_plan_keys", "key ids in those plans", sorted(linked)),
    ]
    if phrase := said(symptom, facts, *_UNLINKED):
        confidence = 0.95
        evidence.append(seen("execution log", "message", phrase))
    elif not plans or not linked:
        confidence = 0.9
    elif elsewhere:
        confidence = 0.5
        evidence.append(seen("apigateway.get_api_keys", "enabled keys in no plan for the stage", elsewhere))
    else:
        return None
    plan = next((p for p in facts.usage_plans if set(p.get("keys") or []) & set(elsewhere)), None)
    if not plans and plan:
        op = {"op": "add", "path": "/apiStages", "value": f"{facts.api_id}:{stage}"}
        manual = call("apigateway.update_usage_plan", usagePlanId=plan["id"], patchOperations=[op])
    elif plans and elsewhere:
        manual = call(
            "apigateway.create_usage_plan_key",
            usagePlanId=plans[0]["id"],
            keyId=elsewhere[0],
            keyType="API_KEY",
        )
    else:
        return Hit(confidence, evidence)
    return Hit(confidence, evidence, Fix(manual=manual))


@rule("rest-api-key-disabled")
def _key_disabled(facts: Facts, symptom: Symptom) -> Hit | None:
    found = key_method(facts, symptom, 403)
    linked = plan_keys(covering_plans(facts))
    disabled = [k for k in facts.api_keys if k.get("enabled") is False and k.get("id") in linked]
    if found is None or not disabled:
        return None
    evidence = [key_required(*found)]
    evidence += [
        seen("apigateway.get_api_keys", f"{k['id']} ({k.get('name')}).enabled", False) for k in disabled
    ]
    op = {"op": "replace", "path": "/enabled", "value": "true"}
    fix = Fix(
        manual=" or ".join(
            call("apigateway.update_api_key", apiKey=k["id"], patchOperations=[op]) for k in disabled
        )
    )
    enabled = [k for k in facts.api_keys if k.get("enabled") and k.get("id") in linked]
    return Hit(0.5 if enabled else 0.7, evidence, fix)


@rule("rest-api-key-source-authorizer-without-key")
def _key_from_authorizer(facts: Facts, symptom: Symptom) -> Hit | None:
    found = key_method(facts, symptom, 403)
    if found is None or key_source(facts) != "AUTHORIZER":
        return None
    name, method = found
    auth = method.get("authorizationType") or "NONE"
    evidence = [
        seen("apigateway.get_rest_api", "apiKeySource", "AUTHORIZER"),
        key_required(name, method),
        seen("apigateway.get_method", f"{name}.authorizationType", auth),
    ]
    # Only a Lambda (CUSTOM) authorizer can return usageIdentifierKey; without one no key is ever supplied.
    op = {"op": "replace", "path": "/apiKeySource", "value": "HEADER"}
    switch = call("apigateway.update_rest_api", restApiId=facts.api_id, patchOperations=[op])
    fix = Fix(manual=f"Return usageIdentifierKey from the authorizer, or {switch}; then {deploy(facts)}")
    return Hit(0.6 if auth == "CUSTOM" else 0.85, evidence, fix)


# ---- throttling ----
@rule("rest-usage-plan-quota-exceeded")
def _quota(facts: Facts, symptom: Symptom) -> Hit | None:
    plans = [p for p in covering_plans(facts) if (p.get("quota") or {}).get("limit") is not None]
    if not plans or key_method(facts, symptom, 429) is None or said(symptom, None, "too many requests"):
        return None
    evidence = [seen("apigateway.get_usage_plans", f"{p['id']}.quota", p["quota"]) for p in plans]
    phrase = said(symptom, facts, "limit exceeded", "quota")
    if phrase:
        evidence.append(seen("client", "message", phrase))
    op = {"op": "replace", "path": "/quota/limit", "value": str(int(plans[0]["quota"]["limit"]) * 2)}
    fix = Fix(manual=call("apigateway.update_usage_plan", usagePlanId=plans[0]["id"], patchOperations=[op]))
    return Hit(0.9 if phrase else 0.55, evidence, fix)


@rule("rest-usage-plan-throttle-exceeded")
def _plan_throttle(facts: Facts, symptom: Symptom) -> Hit | None:
    if key_method(facts, symptom, 429) is None or said(symptom, None, "limit exceeded", "quota"):
        return None
    method_key = f"{facts.match.resource_path}/{facts.match.method}"
    found: list[tuple[float, str, str, Raw]] = []  # (confidence, plan id, field, limits)
    for plan in covering_plans(facts):
        limits = [("throttle", plan.get("throttle") or {})] + [
            (
                f"apiStages[{s.get('stage')}].throttle[{method_key}]",
                (s.get("throttle") or {}).get(method_key) or {},
            )
            for s in plan.get("apiStages") or []
            if s.get("apiId") == facts.api_id and facts.match.stage in (None, s.get("stage"))
        ]
        found += [
            (limit_level(t.get("rateLimit"), t.get("burstLimit")) or 0.5, plan["id"], field, t)
            for field, t in limits
            if t
        ]
    if not found:
        return None
    sure, plan_id, field, limit = max(found, key=lambda f: f[0])
    ops = [
        {"op": "replace", "path": f"/throttle/{f}", "value": str(max(2 * int(limit.get(f) or 0), floor))}
        for f, floor in (("rateLimit", 100), ("burstLimit", 200))
    ]
    fix = Fix(manual=call("apigateway.update_usage_plan", usagePlanId=plan_id, patchOperations=ops))
    return Hit(sure, [seen("apigateway.get_usage_plans", f"{plan_id}.{field}", limit)], fix)


@rule("rest-stage-method-throttle-too-low")
def _rest_stage_throttle(facts: Facts, symptom: Symptom) -> Hit | None:
    found = rest_method_limits(facts) if throttle_signal(symptom) else None
    if found is None:
        return None
    key, rate, burst = found
    sure = limit_level(rate, burst)
    if sure is None and (rate or ACCOUNT_RATE) >= ACCOUNT_RATE and (burst or ACCOUNT_BURST) >= ACCOUNT_BURST:
        return None
    evidence = [
        seen(
            "apigateway.get_stage",
            f"methodSettings[{key}]",
            {"throttlingRateLimit": rate, "throttlingBurstLimit": burst},
        )
    ]
    return Hit(sure or 0.5, evidence, rest_throttle_fix(facts, key, rate, burst))


@rule("http-stage-route-throttle-zero")
def _http_stage_throttle(facts: Facts, symptom: Symptom) -> Hit | None:
    found = http_limits(facts) if symptom.status in (None, 429) else None
    sure = limit_level(found[1], found[2]) if found else None
    if found is None or sure is None:
        return None
    level, rate, burst = found
    field = f"RouteSettings[{facts.match.route_key}]" if level == "route" else "DefaultRouteSettings"
    evidence = [
        seen("apigatewayv2.get_stage", field, {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst})
    ]
    return Hit(0.9 if sure >= 0.9 else 0.6, evidence, http_throttle_fix(facts, level, rate, burst))


@rule("account-throttle-exceeded")
def _account_throttle(facts: Facts, symptom: Symptom) -> Hit | None:
    """Low prior: consistent when no stage, method or usage-plan limit explains the 429."""
    if not throttle_signal(symptom) or said(symptom, None, "limit exceeded", "quota"):
        return None
    if facts.api_type == "REST":
        found = rest_method_limits(facts)
        plans = (
            [p.get("throttle") or {} for p in covering_plans(facts)]
            if key_method(facts, symptom, 429)
            else []
        )
        limits = [(found[1], found[2])] if found else []
        limits += [(t.get("rateLimit"), t.get("burstLimit")) for t in plans]
    else:
        http = http_limits(facts)
        limits = [(http[1], http[2])] if http else []
    explained = [x for x in (limit_level(r, b) for r, b in limits) if x is not None]
    if any(x >= 0.9 for x in explained):
        return None
    read = "apigateway.get_stage, get_usage_plans" if facts.api_type == "REST" else "apigatewayv2.get_stage"
    evidence = [
        seen(read, "throttle limits (rate, burst) for the matched route or method", limits or "none set"),
        seen("apigateway.get_account", "throttleSettings (not read; default)", "10,000 rps, burst 5,000"),
    ]
    return Hit(0.35 if explained else 0.5, evidence)
