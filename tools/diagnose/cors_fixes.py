"""configure_cors fixes: the live CorsConfiguration corrected for a request (pure, registers no rule)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from pydantic import ValidationError

from apigw_mcp.tools.kinds.http.cors import Cors

from .facts import http_cors
from .model import Facts, Fix, Symptom
from .rules_traffic_helpers import Raw

PREFLIGHT_HEADERS = ["authorization", "content-type"]


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
