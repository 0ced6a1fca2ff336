"""HTTP API CORS rules (CorsConfiguration, preflight routes); REST CORS rules are in rules_traffic_rest_cors.

Also holds the CORS helpers that ``rules_traffic_rest_cors`` shares; the family's lookups are in
``rules_traffic_helpers``.
"""

from __future__ import annotations

from .cors_fixes import PREFLIGHT_HEADERS, cors_fix, origin_allowed
from .facts import DEFAULT, http_cors, route_by_key, route_for
from .matching_paths import split_request
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_traffic_helpers import (
    Raw,
    said,
)


def cors_signal(symptom: Symptom) -> bool:
    return (
        (symptom.keyword or "").lower() == "cors"
        or bool(symptom.origin)
        or (symptom.method or "").upper() == "OPTIONS"
        or said(symptom, None, "cors", "access-control", "preflight") is not None
    )


# ---- HTTP: which route a preflight OPTIONS would hit ----
def _request_segments(facts: Facts, symptom: Symptom) -> tuple[str, ...] | None:
    path = facts.match.path or symptom.path
    key = facts.match.route_key or ""
    if not path and " " in key:  # no path given: stand in for the matched route's template
        path = "/".join("x" if s.startswith("{") else s for s in key.split(" ", 1)[1].split("/"))
    return split_request(path)[1] if path else None


def preflight_route(facts: Facts, symptom: Symptom) -> Raw | None:
    """The route an OPTIONS request to the path would hit (the router's own choice, ``facts.route_for``)."""
    segments = _request_segments(facts, symptom)
    return route_for(facts, "OPTIONS", segments) if segments is not None else route_by_key(facts, DEFAULT)


@rule("http-cors-preflight-hits-authorizer")
def _http_preflight_auth(facts: Facts, symptom: Symptom) -> Hit | None:
    route = preflight_route(facts, symptom) if cors_signal(symptom) else None
    auth = (route or {}).get("AuthorizationType") or "NONE"
    if route is None or auth == "NONE":
        return None
    key = str(route.get("RouteKey"))
    if not (key == "$default" or key.startswith("ANY ")):
        return None
    evidence = [
        seen("apigatewayv2.get_routes", f"Routes[{key}].AuthorizationType", auth),
        seen("apigatewayv2.get_routes", "unauthenticated OPTIONS route for the path", "none"),
    ]
    sure = symptom.status in (401, 403) or (symptom.method or "").upper() == "OPTIONS"
    fix = cors_fix(facts, symptom, headers=True) if http_cors(facts) or symptom.origin else None
    if fix is None and str(route.get("Target", "")).startswith("integrations/"):
        options = "OPTIONS /{proxy+}" if key == "$default" else f"OPTIONS {key.split(' ', 1)[1]}"
        integration = str(route["Target"]).split("/", 1)[1]
        fix = Fix(
            tool="add_route",
            args={
                "api_id": facts.api_id,
                "route": {"route_key": options, "integration_id": integration, "auth": "NONE"},
                "dry_run": True,
            },
        )
    return Hit(0.9 if sure else 0.75, evidence, fix)


@rule("http-cors-not-configured")
def _http_cors_absent(facts: Facts, symptom: Symptom) -> Hit | None:
    if not cors_signal(symptom) or http_cors(facts):
        return None
    evidence = [seen("apigatewayv2.get_api", "CorsConfiguration", None)]
    route = preflight_route(facts, symptom)
    if route is None:
        evidence.append(
            seen("apigatewayv2.get_routes", "route serving OPTIONS for the path", "none (preflight 404)")
        )
        confidence = 0.9
    else:
        evidence.append(seen("apigatewayv2.get_routes", "route serving OPTIONS", route.get("RouteKey")))
        confidence = 0.5 if str(route.get("RouteKey")).startswith("OPTIONS ") else 0.6
    fix = cors_fix(facts, symptom, headers=True) if symptom.origin else None
    return Hit(confidence, evidence, fix)


@rule("http-cors-config-overrides-backend")
def _http_cors_overrides(facts: Facts, symptom: Symptom) -> Hit | None:
    config: Raw | None = http_cors(facts)
    if not config or not cors_signal(symptom):
        return None
    origins, methods = config.get("AllowOrigins") or [], [m.upper() for m in config.get("AllowMethods") or []]
    headers = [h.lower() for h in config.get("AllowHeaders") or []]
    method = (symptom.method or "").upper()
    evidence = [seen("apigatewayv2.get_api", "CorsConfiguration.AllowOrigins", origins)]
    if symptom.origin and not origin_allowed(symptom.origin, origins):
        evidence.append(seen("request", "Origin", symptom.origin))
        cause = (
            f"The HTTP API has a CorsConfiguration, so API Gateway ignores the backend's CORS headers and "
            f"answers from the configuration, which does not allow the Origin {symptom.origin}."
        )
        return Hit(0.9, evidence, cors_fix(facts, symptom), cause)
    if method not in ("", "OPTIONS", "ANY") and "*" not in methods and method not in methods:
        evidence.append(seen("apigatewayv2.get_api", "CorsConfiguration.AllowMethods", methods))
        return Hit(0.8, evidence, cors_fix(facts, symptom))
    if "*" not in headers and any(h not in headers for h in PREFLIGHT_HEADERS):
        evidence.append(seen("apigatewayv2.get_api", "CorsConfiguration.AllowHeaders", headers))
        return Hit(0.5, evidence, cors_fix(facts, symptom, headers=True))
    return None
