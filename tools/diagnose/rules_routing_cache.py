"""REST stage cache rules: cache keys missing request parameters, stale cached responses."""

from __future__ import annotations

from .facts import (
    effective_method_settings,
    matched_method,
    matched_stage,
    stage_name_of,
)
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_routing_helpers import (
    INTEG,
    METHOD,
    STAGES,
    Raw,
    call,
    deploy_call,
    kw,
    rest_ids,
)


def _cached(facts: Facts) -> tuple[Raw, Raw] | None:
    stage = matched_stage(facts)
    if facts.api_type != "REST" or stage is None or not stage.get("cacheClusterEnabled"):
        return None
    settings = effective_method_settings(facts)
    return (stage, settings) if settings.get("cachingEnabled") else None


@rule("rest-cache-key-missing-parameters")
def _cache_key(facts: Facts, symptom: Symptom) -> Hit | None:
    method = matched_method(facts)
    if _cached(facts) is None or method is None:
        return None
    keys = list((method.get("methodIntegration") or {}).get("cacheKeyParameters") or [])
    params = sorted(method.get("requestParameters") or {})
    missing = [p for p in params if p not in keys]
    auth = str(method.get("authorizationType") or "NONE") != "NONE"
    ev = [seen(STAGES, "cacheClusterEnabled / cachingEnabled", True)]
    ev += [seen(INTEG, "cacheKeyParameters", keys)]
    ev += [seen(METHOD, "requestParameters", params)]
    if missing:
        conf, add = 0.85, missing
    elif auth and "method.request.header.Authorization" not in keys:
        conf, add = 0.6, ["method.request.header.Authorization"]
    elif not params:
        conf, add = 0.5, ["method.request.querystring.<name>"]
    else:
        return None
    patch = [{"op": "add", "path": f"/cacheKeyParameters/{p}"} for p in add]
    fix = call("apigateway.update_integration", **rest_ids(facts), patchOperations=patch)
    deploy = deploy_call(facts)
    return Hit(
        conf, ev, Fix(manual=f"{fix} (declare them in the method requestParameters too), then {deploy}")
    )


@rule("rest-cache-serving-stale-responses")
def _cache_stale(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _cached(facts)
    if found is None or not found[1].get("cacheTtlInSeconds", 300):
        return None
    stage, settings = found
    ev = [
        seen(
            STAGES,
            "cachingEnabled / cacheTtlInSeconds",
            settings.get("cacheTtlInSeconds", 300),
        )
    ]
    strategy = settings.get("unauthorizedCacheControlHeaderStrategy")
    if kw(symptom) in ("stale-data", "wrong-response"):
        conf = 0.8 if kw(symptom) == "stale-data" else 0.6
    elif settings.get("requireAuthorizationForCacheControl") and strategy == "FAIL_WITH_403":
        conf = 0.6
        ev.append(seen(STAGES, "unauthorizedCacheControlHeaderStrategy", strategy))
    else:
        return None
    fix = call("apigateway.flush_stage_cache", restApiId=facts.api_id, stageName=stage_name_of(stage))
    return Hit(conf, ev, Fix(manual=fix + "; lower the TTL (update_stage path '/*/*/caching/ttlInSeconds')"))
