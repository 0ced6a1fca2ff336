"""configure_cors fixes: the live CORS (an HTTP API's CorsConfiguration, a REST API's preflight mocks and
gateway responses) corrected for a request (pure, registers no rule)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from pydantic import ValidationError

from apigw_mcp.tools.kinds.http.cors import Cors

from .facts import http_cors
from .model import Facts, Fix, Symptom
from .rules_traffic_helpers import Raw

PREFLIGHT_HEADERS = ["authorization", "content-type"]
_CORS_HEADER = "Access-Control-Allow-"


def origin_allowed(origin: str, allowed: list[str]) -> bool:
    origin = origin.rstrip("/").lower()
    return any(a == "*" or fnmatchcase(origin, a.rstrip("/").lower()) for a in allowed)


def cors_fix(
    facts: Facts, symptom: Symptom, *, credentials: bool = False, headers: bool = False
) -> Fix | None:
    """configure_cors with the live CorsConfiguration corrected for this request (origin, method, headers)."""
    live: Raw = http_cors(facts) or {}
    origins = [o for o in live.get("AllowOrigins") or [] if not (credentials and "*" in o)]
    origin = (symptom.origin or "").rstrip("/")
    if origin and not origin_allowed(origin, origins):
        origins.append(origin)
    methods = [m.upper() for m in live.get("AllowMethods") or []] or ["*"]
    method = (symptom.method or "").upper()
    if method and method not in ("OPTIONS", "ANY") and "*" not in methods and method not in methods:
        methods.append(method)
    allow_headers = [h.lower() for h in live.get("AllowHeaders") or []]
    if headers and "*" not in allow_headers:
        allow_headers += [h for h in PREFLIGHT_HEADERS if h not in allow_headers]
    cors: Raw = {
        "allow_origins": origins,
        "allow_methods": methods,
        "allow_headers": allow_headers,
        "expose_headers": [h.lower() for h in live.get("ExposeHeaders") or []],
        "max_age": live.get("MaxAge"),
        "allow_credentials": credentials or bool(live.get("AllowCredentials")),
    }
    try:
        Cors.model_validate(cors)
    except ValidationError:
        return None
    return Fix(tool="configure_cors", args={"api_id": facts.api_id, "cors": cors, "dry_run": True})


def rest_cors_fix(facts: Facts, symptom: Symptom, *, credentials: bool = False) -> Fix | None:
    """configure_cors for a REST API (preflight mocks, headers on non-proxy responses, DEFAULT_4XX/5XX) with
    the request's origin, else the one origin its CORS answers now. None when there is no single origin to
    name, or configure_cors would refuse the API (an OPTIONS method that is not a CORS preflight mock)."""
    live = _rest_cors_values(facts)
    origin = (symptom.origin or "").rstrip("/") or live.get("Origin", "")
    if not origin or (credentials and "*" in origin) or live.get("foreign OPTIONS"):
        return None
    headers = [h.strip().lower() for h in live.get("Headers", "").split(",") if h.strip()]
    if headers == ["*"]:
        headers = []
    cors: Raw = {"allow_origins": [origin], **({"allow_headers": headers} if headers else {})}
    if credentials or live.get("Credentials") == "true":
        cors["allow_credentials"] = True
    try:
        Cors.model_validate(cors)
    except ValidationError:
        return None
    return Fix(tool="configure_cors", args={"api_id": facts.api_id, "cors": cors, "dry_run": True})


def _rest_cors_values(facts: Facts) -> dict[str, str]:
    """The Access-Control-Allow-* values (unquoted) the API's preflight mocks and gateway responses return,
    and ``foreign OPTIONS`` when some resource's OPTIONS method is something else."""
    found: dict[str, str] = {}
    params: list[Raw] = [g.get("responseParameters") or {} for g in facts.gateway_responses]
    for resource in facts.resources:
        options: Raw | None = (resource.get("resourceMethods") or {}).get("OPTIONS")
        if options is None:
            continue
        integration: Raw = options.get("methodIntegration") or {}
        answers = [
            r.get("responseParameters") or {}
            for r in (integration.get("integrationResponses") or {}).values()
        ]
        if integration.get("type") != "MOCK" or not any(_CORS_HEADER in k for a in answers for k in a):
            found["foreign OPTIONS"] = str(resource.get("path"))
        params = answers + params
    for values in params:
        for name, value in values.items():
            header = name.rsplit(".", 1)[-1]
            if header.startswith(_CORS_HEADER) and isinstance(value, str):
                found.setdefault(header.removeprefix(_CORS_HEADER), value.strip("'"))
    return found
