"""Auth rules, REST JWT authorizers and Cognito user pool authorizers (token claims decoded locally)."""

from __future__ import annotations

import re
from typing import Any

from .model import EvidenceItem, Facts, Symptom
from .registry import Hit, rule, seen
from .rules_auth_helpers import (
    TOKEN,
    Auth,
    as_list,
    audience_problem,
    auth_of,
    payload,
    said,
    time_problem,
    token_scopes,
)
from .rules_auth_jwt import NO_CLAIMS


def _rest_auth(facts: Facts, kind: str) -> Auth | None:
    auth = auth_of(facts) if facts.api_type == "REST" else None
    return auth if auth is not None and auth.type == kind and auth.authorizer else None


def _rest_jwt_problems(auth: Auth, symptom: Symptom, p: dict[str, Any]) -> list[EvidenceItem]:
    cfg = auth.authorizer.get("jwtConfiguration") or {}
    issuers = [i for i in as_list(cfg.get("issuers")) if isinstance(i, dict)]
    match = next((i for i in issuers if i.get("issuer") == p.get("iss")), None)
    scope_bad = bool(auth.scopes) and not token_scopes(p) & set(auth.scopes)
    if symptom.status == 403:
        return [seen(TOKEN, "scope/scp", sorted(token_scopes(p)))] if scope_bad else []
    if match is None:
        return [seen(TOKEN, "iss", p.get("iss"))]
    bad = audience_problem(p, list(match.get("audiences") or []))
    alg = symptom.claims.header.get("alg") if symptom.claims else None
    algorithms = as_list(cfg.get("defaultAlgorithms"))
    if alg and algorithms and alg not in algorithms:
        bad.append(seen(TOKEN, "header.alg", alg))
    bad += time_problem(p, symptom.now)
    if scope_bad and symptom.status is None:
        bad.append(seen(TOKEN, "scope/scp", sorted(token_scopes(p))))
    return bad


@rule("rest-jwt-authorizer-rejects")
def _rest_jwt(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = _rest_auth(facts, "JWT")
    if auth is None:
        return None
    ev = [
        seen(auth.read, "authorizationType/authorizationScopes", ["JWT", auth.scopes]),
        seen(auth.authz_read, "jwtConfiguration", auth.authorizer.get("jwtConfiguration")),
    ]
    p = payload(symptom)
    if p is None:
        return Hit(NO_CLAIMS, ev)
    bad = _rest_jwt_problems(auth, symptom, p)
    return Hit(0.9, ev + bad) if bad else None


def _pool_of(iss: Any) -> str | None:
    """REGION/POOL_ID of a Cognito issuer URL."""
    m = re.fullmatch(r"https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+)", str(iss or ""))
    return f"{m.group(1)}/{m.group(2)}" if m else None


def _providers(auth: Auth) -> list[str]:
    """REGION/POOL_ID of each providerARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)."""
    arns = [str(a).split(":") for a in as_list(auth.authorizer.get("providerARNs"))]
    return [f"{a[3]}/{a[5].removeprefix('userpool/')}" for a in arns if len(a) >= 6]


@rule("rest-cognito-token-type-mismatch")
def _cognito_type(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = _rest_auth(facts, "COGNITO_USER_POOLS")
    if auth is None or said(symptom, "expired"):
        return None
    needs = "access token with one of the scopes" if auth.scopes else "ID token (no scopes on the method)"
    ev = [seen(auth.read, "authorizationScopes", auth.scopes), seen(auth.read, "accepts", needs)]
    p = payload(symptom)
    if p is None:
        return Hit(NO_CLAIMS, ev)
    use = p.get("token_use")
    ev.append(seen(TOKEN, "token_use", use))
    if auth.scopes and use == "id":
        return Hit(0.9, ev)
    if auth.scopes and not token_scopes(p) & set(auth.scopes):
        return Hit(0.75, [*ev, seen(TOKEN, "scope", sorted(token_scopes(p)))])
    return Hit(0.7, ev) if not auth.scopes and use == "access" else None


@rule("rest-cognito-user-pool-mismatch")
def _cognito_pool(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = _rest_auth(facts, "COGNITO_USER_POOLS")
    if auth is None:
        return None
    ev = [
        seen(auth.authz_read, "providerARNs", auth.authorizer.get("providerARNs")),
        seen(auth.authz_read, "identitySource", auth.authorizer.get("identitySource")),
    ]
    p = payload(symptom)
    if p is None:
        return Hit(0.85 if said(symptom, "incoming token has expired") else NO_CLAIMS, ev)
    bad = time_problem(p, symptom.now)
    pool = _pool_of(p.get("iss"))
    if pool not in _providers(auth):
        bad.insert(0, seen(TOKEN, "iss", p.get("iss")))
    return Hit(0.9, ev + bad) if bad else None
