"""WebSocket rules: route selection, route responses, $connect failures, @connections calls, limits."""

from __future__ import annotations

import re

from .callbacks import is_callback_symptom
from .facts import matched_route, route_by_key
from .model import EvidenceItem, Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_integration_helpers import (
    LAMBDA_SIGNALS,
    call,
    conflicts,
    deploy,
    integration_of_route,
    json_of,
    said,
    signals,
)
from .rules_lambda_helpers import lambda_ctx, lambda_seen, permission_hit

ROUTES_READ = "apigatewayv2.get_routes"


def _keys(facts: Facts) -> list[str]:
    return sorted(str(r.get("RouteKey")) for r in facts.routes)


@rule("ws-route-selection-no-match")
def _route_selection(facts: Facts, symptom: Symptom) -> Hit | None:
    keys, route = _keys(facts), matched_route(facts)
    if "$default" in keys or (route is not None and not str(route.get("RouteKey")).startswith("$")):
        return None  # a $default route catches every message, or the message matched a route
    if is_callback_symptom(facts.api_type, symptom):
        return None  # the backend's @connections call failed: no client message was routed
    expression = facts.api.get("RouteSelectionExpression")
    evidence = [
        seen("apigatewayv2.get_api", "RouteSelectionExpression", expression),
        seen(ROUTES_READ, "RouteKey", keys),
    ]
    body = json_of(symptom.error_body)
    answered = isinstance(body, dict) and "connectionid" in {str(k).lower() for k in body}
    confidence = (0.9 if answered else 0.75) if said(symptom, "forbidden") else 0.55
    targets = [str(r.get("Target")) for r in facts.routes if r.get("Target")]
    add = (
        call("apigatewayv2.create_route", {"ApiId": facts.api_id}, RouteKey="$default", Target=targets[0])
        if targets
        else ""
    )
    field = str(expression or "").removeprefix("$request.body.")
    fix = f"Send messages whose {field!r} is one of {[k for k in keys if not k.startswith('$')]}"
    return Hit(
        confidence, evidence, Fix(manual=f"{fix}; or {add} then {deploy(facts, symptom)}" if add else fix)
    )


@rule("ws-no-route-response")
def _no_route_response(facts: Facts, symptom: Symptom) -> Hit | None:
    route = matched_route(facts)
    key = str((route or {}).get("RouteKey"))
    if route is None or key in ("$connect", "$disconnect") or route.get("RouteResponseSelectionExpression"):
        return None
    evidence = [seen("apigatewayv2.get_route", "RouteKey", key)]
    evidence.append(seen("apigatewayv2.get_route", "RouteResponseSelectionExpression", None))
    ids = {"ApiId": facts.api_id, "RouteId": str(route.get("RouteId"))}
    fix = (
        f"{call('apigatewayv2.update_route', ids, RouteResponseSelectionExpression='$default')}; "
        f"{call('apigatewayv2.create_route_response', ids, RouteResponseKey='$default')}; "
        f"then {deploy(facts, symptom)}"
    )
    return Hit(0.75, evidence, Fix(manual=fix))


@rule("ws-connect-integration-fails")
def _connect_fails(facts: Facts, symptom: Symptom) -> Hit | None:
    route = route_by_key(facts, "$connect")
    integ = integration_of_route(facts, route)
    if route is None or integ is None:
        return None  # without a $connect route every upgrade succeeds
    ctx = lambda_ctx(facts, symptom, integ)
    evidence: list[EvidenceItem] = [seen(ROUTES_READ, "$connect Target", route.get("Target"))]
    if ctx is None:
        return Hit(0.3 if integ.type == "MOCK" else 0.4, [*evidence, integ.seen("type", integ.type)])
    if ctx.fn is not None and not ctx.fn.exists:
        return Hit(
            0.85, [*lambda_seen(ctx), seen("lambda.get_function", "error", "ResourceNotFoundException")]
        )
    for want in ("missing", "mismatch"):
        hit = permission_hit(facts, symptom, ctx, want, "$connect")
        if hit is not None:
            return Hit(hit.confidence, [*evidence, *hit.evidence], hit.fix)
    sig = signals(facts, symptom)
    failure = sig.get("function-error") or sig.get("task-timeout")
    if failure is not None:
        return Hit(0.8, [*evidence, *lambda_seen(ctx), failure])
    if ctx.fn is not None and (ctx.fn.state or "active").lower() != "active":
        return Hit(0.7, [*evidence, seen("lambda.get_function_configuration", "State", ctx.fn.state)])
    return None if conflicts(sig, set(), LAMBDA_SIGNALS) else Hit(0.45, [*evidence, *lambda_seen(ctx)])


_SIZE = "frames are limited to 32 KB and messages to 128 KB (close code 1009)"
_AGE = "idle for 10 minutes or connected for 2 hours (close code 1001, going away)"
_RATE = "new connections are limited to 500 per second per account and Region"
_CLOSE_CODES = (
    (r"\b1009\b|message too big", 0.85, _SIZE),
    (r"\b1001\b|going away", 0.7, _AGE),
    (r"\b429\b|limit exceeded|too many requests", 0.6, _RATE),
)


@rule("ws-connection-limits")
def _connection_limits(facts: Facts, symptom: Symptom) -> Hit | None:
    if symptom.status is not None and 400 <= symptom.status < 600 and symptom.status != 429:
        return None  # an error status is a refused upgrade or a failing route, not a connection limit
    text = f"{symptom.status or ''} {symptom.text()}"
    if re.search(r"unexpected server response: [45]\d\d", text) and "429" not in text:
        return None
    for pattern, confidence, meaning in _CLOSE_CODES:
        found = re.search(pattern, text)
        if found:
            return Hit(
                confidence,
                [seen("client", "close code / error", found.group(0)), seen("limits", "limit", meaning)],
            )
    return Hit(
        0.35, [seen("limits", "limit", f"{_AGE}; {_SIZE}")]
    )  # a disconnect without a code fits several limits
