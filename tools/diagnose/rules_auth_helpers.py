"""Auth helpers: how the matched method or route is authorized (from ``facts``), request ARNs, log lines,
token claims and policy statements."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .facts import authorizer_by_id, authorizing_route, matched_method, request_stage
from .model import EvidenceItem, Facts, Symptom
from .registry import seen

TOKEN = "token (decoded locally)"  # noqa: S105  (an evidence label)
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
_BEARER = re.compile(r"(?i)\b(bearer|authorization[\"']?\s*[:=]\s*[\"']?)\s*[\w.~+/=-]{8,}")


@dataclass(frozen=True)
class Auth:
    """How the matched REST method, HTTP route or WebSocket $connect route is authorized."""

    type: str
    key: str
    read: str
    authz_read: str
    authorizer: dict[str, Any] = field(default_factory=dict)
    scopes: list[str] = field(default_factory=list)
    route_id: str | None = None


def get(d: dict[str, Any], *keys: str) -> Any:
    """The first present value among boto3 spellings (REST lowerCamel, v2 UpperCamel)."""
    return next((d[k] for k in keys if d.get(k) is not None), None)


def auth_of(facts: Facts) -> Auth | None:
    if facts.api_type == "REST":
        method = matched_method(facts)
        if method is None:
            return None
        key = f"{method.get('httpMethod') or facts.match.method} {facts.match.resource_path}"
        return Auth(
            method.get("authorizationType") or "NONE",
            key,
            "apigateway.get_method",
            "apigateway.get_authorizer",
            authorizer_by_id(facts, method.get("authorizerId")),
            list(method.get("authorizationScopes") or []),
        )
    route = authorizing_route(facts)
    if route is None:
        return None
    return Auth(
        route.get("AuthorizationType") or "NONE",
        route.get("RouteKey") or "",
        "apigatewayv2.get_route",
        "apigatewayv2.get_authorizer",
        authorizer_by_id(facts, route.get("AuthorizerId")),
        list(route.get("AuthorizationScopes") or []),
        route.get("RouteId"),
    )


def stage_name(facts: Facts, symptom: Symptom) -> str:
    """The stage for an execute-api ARN: the request's, else ``*``."""
    return request_stage(facts, symptom) or "*"


def request_arn(facts: Facts, symptom: Symptom) -> str:
    """arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH of the request."""
    method = (facts.match.method or symptom.method or "*").upper()
    path = (facts.match.path or facts.match.resource_path or symptom.path or "").lstrip("/")
    api = f"arn:aws:execute-api:{facts.region}:{facts.account}:{facts.api_id}"
    return f"{api}/{stage_name(facts, symptom)}/{method}/{path}"


def said(symptom: Symptom, *needles: str) -> bool:
    text = symptom.text()
    return any(n.lower() in text for n in needles)


def redact_line(line: str) -> str:
    return _BEARER.sub(lambda m: m.group(1) + " ***", _JWT.sub("<jwt>", line))[:300]


def log_hits(facts: Facts, *needles: str) -> list[str]:
    """The newest (up to 2) log lines containing any needle, case-insensitively, with tokens masked."""
    found = [ln for ln in facts.logs.lines if any(n.lower() in ln.lower() for n in needles)]
    return [redact_line(ln) for ln in found[-2:]]


def log_evidence(lines: list[str]) -> list[EvidenceItem]:
    return [seen("logs.filter_log_events", "message", ln) for ln in lines]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def policy_json(text: str | None) -> dict[str, Any]:
    """A policy document from a JSON string, possibly backslash-escaped (as get_rest_api returns it)."""
    for candidate in (text, re.sub(r"\\(.)", r"\1", text or "")):
        try:
            doc: Any = json.loads(candidate or "")
            doc = json.loads(doc) if isinstance(doc, str) else doc
        except ValueError:
            continue
        if isinstance(doc, dict):
            return doc
    return {}


def statements(text: str | None) -> list[dict[str, Any]]:
    return [s for s in as_list(policy_json(text).get("Statement")) if isinstance(s, dict)]


def glob(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE) is not None


def covers(st: dict[str, Any], key: str, value: str, expand: Any = str) -> bool:
    """Whether the statement's key (or NotKey) applies to value."""
    if f"Not{key}" in st:
        return not any(glob(expand(p), value) for p in as_list(st[f"Not{key}"]))
    return any(glob(expand(p), value) for p in as_list(st.get(key)))


# --- token claims (decoded locally, unverified) -----------------------------------------------------------


def payload(symptom: Symptom) -> dict[str, Any] | None:
    return symptom.claims.payload if symptom.claims and symptom.claims.payload else None


def token_scopes(p: dict[str, Any]) -> set[str]:
    scopes = p.get("scope") if p.get("scope") is not None else p.get("scp")
    return set(scopes.split() if isinstance(scopes, str) else as_list(scopes))


def audience_problem(p: dict[str, Any], audience: list[str]) -> list[EvidenceItem]:
    """Evidence that aud (client_id when aud is absent) matches no configured audience; [] if it matches."""
    if "aud" in p:
        auds = as_list(p["aud"])
        return [] if set(auds) & set(audience) else [seen(TOKEN, "aud", auds)]
    client = p.get("client_id")
    return [] if client in audience else [seen(TOKEN, "client_id (aud absent)", client)]


def time_problem(p: dict[str, Any], now: float | None) -> list[EvidenceItem]:
    if now is None:
        return []
    late = [c for c in ("exp",) if isinstance(p.get(c), int | float) and p[c] <= now]
    early = [c for c in ("nbf", "iat") if isinstance(p.get(c), int | float) and p[c] > now]
    ev = [seen(TOKEN, c, p[c]) for c in late + early]
    return [*ev, seen("symptom", "now", now)] if ev else []
