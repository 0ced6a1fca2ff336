"""Integration timeout rules: the gateway gave up waiting (REST 29 s by default, HTTP APIs up to 30 s)."""

from __future__ import annotations

from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_integration_helpers import (
    LAMBDA_SIGNALS,
    Integ,
    call,
    conflicts,
    integration,
    patched,
    signals,
    unsure,
)
from .rules_lambda_helpers import lambda_ctx


def _timeout_hit(facts: Facts, symptom: Symptom, integ: Integ | None) -> Hit | None:
    """The integration waited its full timeout: confirmed by the error text or by a Lambda allowed to run
    longer than the gateway waits; ruled out by a Lambda that stops first."""
    if integ is None or integ.type == "MOCK":
        return None
    sig, evidence = signals(facts, symptom), [integ.seen("timeoutInMillis", integ.timeout_ms)]
    confidence = 0.9 if "gw-timeout" in sig else 0.0
    if confidence:
        evidence.append(sig["gw-timeout"])
    elif conflicts(sig, {"gw-timeout"}, LAMBDA_SIGNALS | {"network", "tls"}):
        return None
    ctx = lambda_ctx(facts, symptom, integ)
    if ctx is not None and ctx.fn is not None and ctx.fn.timeout_s is not None:
        evidence.append(seen("lambda.get_function_configuration", "Timeout", ctx.fn.timeout_s))
        if ctx.fn.timeout_s * 1000 > integ.timeout_ms:
            confidence = max(confidence, 0.85)
        elif not confidence:
            return None  # the function stops before the gateway gives up
        else:
            confidence = 0.5  # the gateway says it timed out, yet the function should have stopped first
    if not confidence:
        fits = symptom.status in (503, 504) or symptom.keyword == "timeout"
        confidence = unsure(facts, 0.6 if fits else 0.4)
        if integ.connection == "VPC_LINK":
            confidence = min(confidence, 0.45)  # an unhealthy VPC link answers the same way
    return Hit(confidence, evidence)


@rule("rest-integration-timeout")
def _rest_timeout(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _timeout_hit(facts, symptom, integ)
    if hit is None or integ is None:
        return None
    if integ.v2 or integ.timeout_ms < 29000:
        patch = [{"op": "replace", "path": "/timeoutInMillis", "value": "29000"}]
        fix = (
            call("apigatewayv2.update_integration", integ.ids, TimeoutInMillis=29000)
            if integ.v2
            else patched(facts, symptom, integ, patch)
        )
        return Hit(hit.confidence, hit.evidence, Fix(manual=f"{fix}; beyond 29 s make the work asynchronous"))
    types = (facts.api.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
    evidence = [*hit.evidence, seen("apigateway.get_rest_api", "endpointConfiguration.types", types)]
    if "EDGE" not in types:
        return Hit(hit.confidence, evidence)  # the catalogue's fix: quota increase, then a longer timeout
    edge = "An edge-optimized API cannot wait longer than 29 s: make the backend faster or asynchronous"
    return Hit(
        hit.confidence, evidence, Fix(manual=f"{edge} (return 202 and poll), or use response streaming")
    )


@rule("http-integration-timeout")
def _http_timeout(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _timeout_hit(facts, symptom, integ)
    if hit is None or integ is None or not facts.match.route_key:
        return hit
    if integ.timeout_ms >= 30000:
        fix = Fix(
            manual="TimeoutInMillis is already at the 30000 ms maximum: make the work faster or asynchronous"
        )
        return Hit(hit.confidence, hit.evidence, fix)
    ctx = lambda_ctx(facts, symptom, integ)
    need = (ctx.fn.timeout_s or 30) * 1000 + 1000 if ctx and ctx.fn else 30000
    change = {"timeout_ms": max(50, min(30000, need))}
    args = {"api_id": facts.api_id, "route_key": facts.match.route_key, "change": change, "dry_run": True}
    return Hit(hit.confidence, hit.evidence, Fix(tool="update_route", args=args))
