"""Traffic rules: REST API keys and usage plans, throttling at every level, and CORS (in two sibling modules).

API key values are never read or shown: rules judge from the method's apiKeyRequired, the usage plans that
cover the stage and the keys linked to them (ids only).
"""

from __future__ import annotations

from . import rules_traffic_rest_cors  # noqa: F401  (registers the REST CORS rules)
from .model import EvidenceItem, Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_traffic_cors import Raw, call, deploy, matched_stage, rest_method, rest_resource, said

ACCOUNT_RATE, ACCOUNT_BURST = 10000.0, 5000
LOW_RATE, LOW_BURST = 10.0, 10
_UNKNOWN_KEY = ("invalid api key identifier",)
_UNLINKED = ("not associated with a usage plan", "api stage is not in a usage plan")


# ---- API keys and usage plans (REST) ----
def _key_method(facts: Facts, symptom: Symptom, status: int) -> tuple[str, Raw] | None:
    """The matched REST method when it requires an API key (and the status, if given, is ``status``)."""
    found = rest_method(rest_resource(facts), facts.match.method)
    ok = symptom.status in (None, status)
    return found if ok and found and found[1].get("apiKeyRequired") else None


def _covering(facts: Facts) -> list[Raw]:
    """Usage plans whose apiStages include this API and the matched stage."""
    stage = facts.match.stage
    return [
        p
        for p in facts.usage_plans
        if any(
            s.get("apiId") == facts.api_id and stage in (None, s.get("stage"))
            for s in p.get("apiStages") or []
        )
    ]


def _plan_keys(plans: list[Raw]) -> set[str]:
    return {k for p in plans for k in p.get("keys") or []}


def _key_source(facts: Facts) -> str:
    return str(facts.api.get("apiKeySource") or "HEADER")


def _required(name: str, method: Raw) -> EvidenceItem:
    return seen("apigateway.get_method", f"{name}.apiKeyRequired", method.get("apiKeyRequired"))


@rule("rest-api-key-missing-or-unknown")
def _key_missing(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _key_method(facts, symptom, 403)
    if found is None or _key_source(facts) != "HEADER" or said(symptom, facts, *_UNLINKED):
        return None
    evidence = [_required(*found), seen("apigateway.get_rest_api", "apiKeySource", _key_source(facts))]
    if phrase := said(symptom, facts, *_UNKNOWN_KEY):
        return Hit(0.9, [*evidence, seen("execution log", "message", phrase)])
    linked = _plan_keys(_covering(facts))
    usable = [k["id"] for k in facts.api_keys if k.get("enabled") and k.get("id") in linked]
    evidence.append(seen("apigateway.get_usage_plan_keys", "enabled keys linked to the stage", usable))
    # With a usable key linked, the caller most likely sent none or a wrong one.
    return Hit(0.7 if usable else 0.5, evidence)


@rule("rest-api-key-not-linked-to-stage")
def _key_unlinked(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _key_method(facts, symptom, 403)
    if found is None or said(symptom, facts, *_UNKNOWN_KEY):
        return None
    plans, stage = _covering(facts), facts.match.stage
    linked = _plan_keys(plans)
    elsewhere = sorted(str(k["id"]) for k in facts.api_keys if k.get("enabled") and k.get("id") not in linked)
    evidence = [
        _required(*found),
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
    found = _key_method(facts, symptom, 403)
    linked = _plan_keys(_covering(facts))
    disabled = [k for k in facts.api_keys if k.get("enabled") is False and k.get("id") in linked]
    if found is None or not disabled:
        return None
    evidence = [_required(*found)]
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
    found = _key_method(facts, symptom, 403)
    if found is None or _key_source(facts) != "AUTHORIZER":
        return None
    name, method = found
    auth = method.get("authorizationType") or "NONE"
    evidence = [
        seen("apigateway.get_rest_api", "apiKeySource", "AUTHORIZER"),
        _required(name, method),
        seen("apigateway.get_method", f"{name}.authorizationType", auth),
    ]
    # Only a Lambda (CUSTOM) authorizer can return usageIdentifierKey; without one no key is ever supplied.
    op = {"op": "replace", "path": "/apiKeySource", "value": "HEADER"}
    switch = call("apigateway.update_rest_api", restApiId=facts.api_id, patchOperations=[op])
    fix = Fix(manual=f"Return usageIdentifierKey from the authorizer, or {switch}; then {deploy(facts)}")
    return Hit(0.6 if auth == "CUSTOM" else 0.85, evidence, fix)


# ---- throttling ----
def _throttle_signal(symptom: Symptom) -> bool:
    return (
        symptom.status == 429
        or (symptom.keyword or "").lower() == "throttle"
        or said(symptom, None, "too many requests", "limit exceeded", "throttl", "quota") is not None
    )


def _level(rate: float | None, burst: float | None) -> float | None:
    """How sure a limit explains 429s: 0 blocks all, low ones fail under load, None when not set or high."""
    if rate == 0 or burst == 0:
        return 0.9
    if (rate is not None and rate <= LOW_RATE) or (burst is not None and burst <= LOW_BURST):
        return 0.7
    return None


@rule("rest-usage-plan-quota-exceeded")
def _quota(facts: Facts, symptom: Symptom) -> Hit | None:
    plans = [p for p in _covering(facts) if (p.get("quota") or {}).get("limit") is not None]
    if not plans or _key_method(facts, symptom, 429) is None or said(symptom, None, "too many requests"):
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
    if _key_method(facts, symptom, 429) is None or said(symptom, None, "limit exceeded", "quota"):
        return None
    method_key = f"{facts.match.resource_path}/{facts.match.method}"
    found: list[tuple[float, str, str, Raw]] = []  # (confidence, plan id, field, limits)
    for plan in _covering(facts):
        limits = [("throttle", plan.get("throttle") or {})] + [
            (
                f"apiStages[{s.get('stage')}].throttle[{method_key}]",
                (s.get("throttle") or {}).get(method_key) or {},
            )
            for s in plan.get("apiStages") or []
            if s.get("apiId") == facts.api_id and facts.match.stage in (None, s.get("stage"))
        ]
        found += [
            (_level(t.get("rateLimit"), t.get("burstLimit")) or 0.5, plan["id"], field, t)
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


def _rest_method_limits(facts: Facts) -> tuple[str, float | None, float | None] | None:
    """The methodSettings entry that throttles the matched method (the method's own, else "*/*")."""
    settings: Raw = (matched_stage(facts) or {}).get("methodSettings") or {}
    path, method = (facts.match.resource_path or "").strip("/"), (facts.match.method or "").upper()

    def limits(key: str) -> tuple[str, float | None, float | None] | None:
        entry: Raw = settings.get(key) or {}
        rate, burst = entry.get("throttlingRateLimit"), entry.get("throttlingBurstLimit")
        return (key, rate, burst) if rate is not None or burst is not None else None

    for key in settings:  # "{resource path, / as ~1}/{METHOD}"; tolerate plain slashes
        res, _, verb = key.rpartition("/")
        if key != "*/*" and res.replace("~1", "/").strip("/") == path and verb.upper() == method:
            return limits(key) or limits("*/*")
    return limits("*/*")


@rule("rest-stage-method-throttle-too-low")
def _rest_stage_throttle(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _rest_method_limits(facts) if _throttle_signal(symptom) else None
    if found is None:
        return None
    key, rate, burst = found
    sure = _level(rate, burst)
    if sure is None and (rate or ACCOUNT_RATE) >= ACCOUNT_RATE and (burst or ACCOUNT_BURST) >= ACCOUNT_BURST:
        return None
    evidence = [
        seen(
            "apigateway.get_stage",
            f"methodSettings[{key}]",
            {"throttlingRateLimit": rate, "throttlingBurstLimit": burst},
        )
    ]
    path = (
        "/*/*"
        if key == "*/*"
        else f"/~1{(facts.match.resource_path or '').strip('/').replace('/', '~1')}/{facts.match.method}"
    )
    ops = [
        {"op": "replace", "path": f"{path}/throttling/rateLimit", "value": str(int(ACCOUNT_RATE))},
        {"op": "replace", "path": f"{path}/throttling/burstLimit", "value": str(ACCOUNT_BURST)},
    ]
    manual = call(
        "apigateway.update_stage", restApiId=facts.api_id, stageName=facts.match.stage, patchOperations=ops
    )
    return Hit(sure or 0.5, evidence, Fix(manual=manual))


def _http_limits(facts: Facts) -> tuple[str, float | None, float | None] | None:
    """Effective (level, rate, burst) for the matched route: a RouteSettings value overrides the default;
    level is "route" when a zero or low value comes from the route's own settings."""
    stage = matched_stage(facts) or {}
    default: Raw = stage.get("DefaultRouteSettings") or {}
    route: Raw = (stage.get("RouteSettings") or {}).get(facts.match.route_key or "") or {}
    rate = route.get("ThrottlingRateLimit", default.get("ThrottlingRateLimit"))
    burst = route.get("ThrottlingBurstLimit", default.get("ThrottlingBurstLimit"))
    level = (
        "route" if _level(route.get("ThrottlingRateLimit"), route.get("ThrottlingBurstLimit")) else "default"
    )
    return (level, rate, burst) if rate is not None or burst is not None else None


def _fixed(rate: float | None, burst: float | None) -> dict[str, float]:
    """The limits with zero, low or missing values raised to the account defaults."""
    return {
        "burst": burst if burst and burst > LOW_BURST else ACCOUNT_BURST,
        "rate": rate if rate and rate > LOW_RATE else ACCOUNT_RATE,
    }


def _pair(settings: Raw) -> dict[str, float]:
    return {
        "burst": settings.get("ThrottlingBurstLimit", ACCOUNT_BURST),
        "rate": settings.get("ThrottlingRateLimit", ACCOUNT_RATE),
    }


def _http_throttle_fix(facts: Facts, level: str, rate: float | None, burst: float | None) -> Fix:
    raw, stage, key = matched_stage(facts) or {}, str(facts.match.stage), str(facts.match.route_key)
    default: Raw = raw.get("DefaultRouteSettings") or {}
    routes: Raw = raw.get("RouteSettings") or {}
    fixed = _fixed(rate, burst)
    if facts.api_type == "WEBSOCKET":  # pass the existing fields too: omitted ones are reset
        values = {"ThrottlingBurstLimit": int(fixed["burst"]), "ThrottlingRateLimit": float(fixed["rate"])}
        arg: Raw = (
            {"RouteSettings": {key: {**(routes.get(key) or {}), **values}}}
            if level == "route"
            else {"DefaultRouteSettings": {**default, **values}}
        )
        return Fix(manual=call("apigatewayv2.update_stage", ApiId=facts.api_id, StageName=stage, **arg))
    args: Raw = {"api_id": facts.api_id, "stage_name": stage, "dry_run": True}
    if level == "route":  # route_throttle replaces them all: keep the others (a missing half: stage default)
        args["route_throttle"] = {
            k: fixed if k == key else _pair({**default, **v})
            for k, v in routes.items()
            if k == key or {"ThrottlingBurstLimit", "ThrottlingRateLimit"} & set(v)
        }
    else:
        args["throttle"] = fixed
    return Fix(tool="deploy_stage", args=args)


@rule("http-stage-route-throttle-zero")
def _http_stage_throttle(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _http_limits(facts) if symptom.status in (None, 429) else None
    sure = _level(found[1], found[2]) if found else None
    if found is None or sure is None:
        return None
    level, rate, burst = found
    field = f"RouteSettings[{facts.match.route_key}]" if level == "route" else "DefaultRouteSettings"
    evidence = [
        seen("apigatewayv2.get_stage", field, {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst})
    ]
    return Hit(0.9 if sure >= 0.9 else 0.6, evidence, _http_throttle_fix(facts, level, rate, burst))


@rule("account-throttle-exceeded")
def _account_throttle(facts: Facts, symptom: Symptom) -> Hit | None:
    """Low prior: consistent when no stage, method or usage-plan limit explains the 429."""
    if not _throttle_signal(symptom) or said(symptom, None, "limit exceeded", "quota"):
        return None
    if facts.api_type == "REST":
        found = _rest_method_limits(facts)
        plans = (
            [p.get("throttle") or {} for p in _covering(facts)] if _key_method(facts, symptom, 429) else []
        )
        limits = [(found[1], found[2])] if found else []
        limits += [(t.get("rateLimit"), t.get("burstLimit")) for t in plans]
    else:
        http = _http_limits(facts)
        limits = [(http[1], http[2])] if http else []
    explained = [x for x in (_level(r, b) for r, b in limits) if x is not None]
    if any(x >= 0.9 for x in explained):
        return None
    read = "apigateway.get_stage, get_usage_plans" if facts.api_type == "REST" else "apigatewayv2.get_stage"
    evidence = [
        seen(read, "throttle limits (rate, burst) for the matched route or method", limits or "none set"),
        seen("apigateway.get_account", "throttleSettings (not read; default)", "10,000 rps, burst 5,000"),
    ]
    return Hit(0.35 if explained else 0.5, evidence)
