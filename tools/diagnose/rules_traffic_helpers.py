"""Traffic helpers: boto3 calls as text, the API keys and usage plans that cover the stage, and the throttle
limits that apply to the matched route or method (the lookups: ``facts``)."""

from __future__ import annotations

from typing import Any

from .facts import matched_method_entry, matched_stage, method_settings, setting_of
from .model import EvidenceItem, Facts, Fix, Symptom
from .registry import seen

Raw = dict[str, Any]
ACCOUNT_RATE, ACCOUNT_BURST = 10000.0, 5000
LOW_RATE, LOW_BURST = 10.0, 10


def call(operation: str, **kwargs: object) -> str:
    """An exact boto3 call as text, with the real ids filled in."""
    return f"{operation}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def deploy(facts: Facts) -> str:
    return call("apigateway.create_deployment", restApiId=facts.api_id, stageName=facts.match.stage)


# ---- shared ----
def said(symptom: Symptom, facts: Facts | None, *phrases: str) -> str | None:
    """The first phrase found (case-insensitively) in what the client saw or in the recent log lines."""
    text = symptom.text() + " " + " ".join(facts.logs.lines if facts else []).lower()
    return next((p for p in phrases if p in text), None)


# ---- API keys and usage plans (REST) ----
def key_method(facts: Facts, symptom: Symptom, status: int) -> tuple[str, Raw] | None:
    """The matched REST method when it requires an API key (and the status, if given, is ``status``)."""
    found = matched_method_entry(facts)
    ok = symptom.status in (None, status)
    return found if ok and found and found[1].get("apiKeyRequired") else None


def covering_plans(facts: Facts) -> list[Raw]:
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


def plan_keys(plans: list[Raw]) -> set[str]:
    return {k for p in plans for k in p.get("keys") or []}


def key_source(facts: Facts) -> str:
    return str(facts.api.get("apiKeySource") or "HEADER")


def key_required(name: str, method: Raw) -> EvidenceItem:
    return seen("apigateway.get_method", f"{name}.apiKeyRequired", method.get("apiKeyRequired"))


# ---- throttling ----
def throttle_signal(symptom: Symptom) -> bool:
    return (
        symptom.status == 429
        or (symptom.keyword or "").lower() == "throttle"
        or said(symptom, None, "too many requests", "limit exceeded", "throttl", "quota") is not None
    )


def limit_level(rate: float | None, burst: float | None) -> float | None:
    """How sure a limit explains 429s: 0 blocks all, low ones fail under load, None when not set or high."""
    if rate == 0 or burst == 0:
        return 0.9
    if (rate is not None and rate <= LOW_RATE) or (burst is not None and burst <= LOW_BURST):
        return 0.7
    return None


def rest_method_limits(facts: Facts) -> tuple[str, float | None, float | None] | None:
    """The methodSettings entry that throttles the matched method (the method's own, else "*/*")."""
    for key, entry in method_settings(facts):
        rate, burst = entry.get("throttlingRateLimit"), entry.get("throttlingBurstLimit")
        if rate is not None or burst is not None:
            return key, rate, burst
    return None


def http_limits(facts: Facts) -> tuple[str, float | None, float | None] | None:
    """Effective (level, rate, burst) for the matched route: a RouteSettings value overrides the default;
    level is "route" when a zero or low value comes from the route's own settings."""
    stage = matched_stage(facts) or {}
    default: Raw = stage.get("DefaultRouteSettings") or {}
    route: Raw = (stage.get("RouteSettings") or {}).get(facts.match.route_key or "") or {}
    rate = route.get("ThrottlingRateLimit", default.get("ThrottlingRateLimit"))
    burst = route.get("ThrottlingBurstLimit", default.get("ThrottlingBurstLimit"))
    level = (
        "route"
        if limit_level(route.get("ThrottlingRateLimit"), route.get("ThrottlingBurstLimit"))
        else "default"
    )
    return (level, rate, burst) if rate is not None or burst is not None else None


def raised_limits(rate: float | None, burst: float | None) -> dict[str, float]:
    """The limits with zero, low or missing values raised to the account defaults."""
    return {
        "burst": burst if burst and burst > LOW_BURST else ACCOUNT_BURST,
        "rate": rate if rate and rate > LOW_RATE else ACCOUNT_RATE,
    }


def limit_pair(settings: Raw) -> dict[str, float]:
    return {
        "burst": settings.get("ThrottlingBurstLimit", ACCOUNT_BURST),
        "rate": settings.get("ThrottlingRateLimit", ACCOUNT_RATE),
    }


def http_throttle_fix(facts: Facts, level: str, rate: float | None, burst: float | None) -> Fix:
    raw, stage, key = matched_stage(facts) or {}, str(facts.match.stage), str(facts.match.route_key)
    default: Raw = raw.get("DefaultRouteSettings") or {}
    routes: Raw = raw.get("RouteSettings") or {}
    fixed = raised_limits(rate, burst)
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
            k: fixed if k == key else limit_pair({**default, **v})
            for k, v in routes.items()
            if k == key or {"ThrottlingBurstLimit", "ThrottlingRateLimit"} & set(v)
        }
    else:
        args["throttle"] = fixed
    return Fix(tool="deploy_stage", args=args)


def rest_throttle_fix(facts: Facts, key: str, rate: float | None, burst: float | None) -> Fix:
    """deploy_stage raising the stage's limits ("*/*") or the matched method's; route_throttle replaces every
    method's limits, so the other methods' own limits go with it unchanged."""
    args: Raw = {"api_id": facts.api_id, "stage_name": str(facts.match.stage), "dry_run": True}
    fixed = raised_limits(rate, burst)
    if key == "*/*":
        return Fix(tool="deploy_stage", args={**args, "throttle": fixed})
    every: Raw = (matched_stage(facts) or {}).get("methodSettings") or {}
    kept = {_method_key(k): _rest_pair(v) for k, v in every.items() if k not in ("*/*", key)}
    throttles = {k: v for k, v in kept.items() if v is not None}
    return Fix(tool="deploy_stage", args={**args, "route_throttle": {**throttles, _method_key(key): fixed}})


def _method_key(setting: str) -> str:
    path, verb = setting_of(setting)
    return f"{verb} /{path}"


def _rest_pair(entry: Raw) -> dict[str, float] | None:
    """A method's own limits as deploy_stage takes them (None: it sets none; AWS shows unset ones as -1)."""
    if not isinstance(entry, dict):
        return None
    rate, burst = entry.get("throttlingRateLimit"), entry.get("throttlingBurstLimit")
    if rate is None or burst is None or rate < 0 or burst < 0:
        return None
    return {"burst": burst, "rate": rate}
