"""Auth rules: shared helpers, and the JWT / Cognito token rules (claims decoded locally, unverified)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import EvidenceItem, Facts, Fix, Symptom
from .registry import Hit, rule, seen

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


def matched_route(facts: Facts) -> dict[str, Any] | None:
    if facts.api_type == "WEBSOCKET":
        return next((r for r in facts.routes if r.get("RouteKey") == "$connect"), None)
    m = facts.match
    if m.kind != "route":
        return None
    return next(
        (r for r in facts.routes if r.get("RouteId") == m.route_id or r.get("RouteKey") == m.route_key), None
    )


def matched_method(facts: Facts) -> dict[str, Any] | None:
    m = facts.match
    res = next((r for r in facts.resources if m.kind == "resource" and r.get("id") == m.resource_id), None)
    methods: dict[str, Any] = (res or {}).get("resourceMethods") or {}
    found: dict[str, Any] | None = methods.get((m.method or "").upper()) or methods.get("ANY")
    return found


def authorizer_by_id(facts: Facts, authorizer_id: str | None) -> dict[str, Any]:
    return next(
        (a for a in facts.authorizers if authorizer_id and get(a, "id", "AuthorizerId") == authorizer_id), {}
    )


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
    route = matched_route(facts)
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
    return facts.match.stage or symptom.stage or "*"


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


# --- token claims ---------------------------------------------------------------------------------------


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


def jwt_reason(symptom: Symptom) -> str | None:
    """Which check the www-authenticate error_description names, if the client passed it on."""
    for needle, reason in (
        ("audience", "aud"),
        ("insufficient_scope", "scope"),
        ("expired", "exp"),
        ("issuer", "iss"),
    ):
        if said(symptom, needle):
            return reason
    return None


def http_jwt(facts: Facts) -> tuple[Auth, dict[str, Any]] | None:
    auth = auth_of(facts) if facts.api_type == "HTTP" else None
    if auth is None or auth.type != "JWT" or not auth.authorizer:
        return None
    return auth, auth.authorizer.get("JwtConfiguration") or {}


def jwt_config_evidence(auth: Auth, cfg: dict[str, Any]) -> list[EvidenceItem]:
    return [
        seen(auth.read, "AuthorizationType/AuthorizerId", f"JWT/{auth.authorizer.get('AuthorizerId')}"),
        seen(auth.authz_read, "JwtConfiguration.Issuer", cfg.get("Issuer")),
        seen(auth.authz_read, "JwtConfiguration.Audience", cfg.get("Audience")),
    ]


def jwt_fix(facts: Facts, auth: Auth, cfg: dict[str, Any], **change: Any) -> Fix:
    args = {
        "api_id": facts.api_id,
        "name": auth.authorizer.get("Name"),
        "routes": [auth.key],
        "issuer": cfg.get("Issuer"),
        "audience": list(cfg.get("Audience") or []),
        "identity_source": (
            as_list(auth.authorizer.get("IdentitySource")) or ["$request.header.Authorization"]
        )[0],
        "scopes": auth.scopes,
        **change,
        "dry_run": True,
    }
    return Fix(tool="add_jwt_authorizer", args=args)


def _no_claims(symptom: Symptom, reason: str, base: float = 0.5) -> float | None:
    """Confidence without claims: higher when the error text names this check, None when it names another."""
    said_reason = jwt_reason(symptom)
    if said_reason is None:
        return base
    return 0.8 if said_reason == reason else None


@rule("http-jwt-audience-mismatch")
def _jwt_audience(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = http_jwt(facts)
    if ctx is None:
        return None
    auth, cfg = ctx
    ev, p = jwt_config_evidence(auth, cfg), payload(symptom)
    if p is None:
        conf = _no_claims(symptom, "aud")
        return None if conf is None else Hit(conf, ev)
    bad = audience_problem(p, list(cfg.get("Audience") or []))
    if not bad:
        return None
    wanted = [a for a in as_list(p.get("aud", p.get("client_id"))) if isinstance(a, str)][:1]
    fix = jwt_fix(facts, auth, cfg, audience=list(cfg.get("Audience") or []) + wanted) if wanted else None
    return Hit(0.9, ev + bad, fix)


_CLIENT_ID = re.compile(r"^[a-z0-9]{20,32}$")


@rule("http-jwt-cognito-access-token-client-id")
def _jwt_cognito_client(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = http_jwt(facts)
    if ctx is None:
        return None
    auth, cfg = ctx
    audience, p = list(cfg.get("Audience") or []), payload(symptom)
    cognito = str(cfg.get("Issuer") or "").startswith("https://cognito-idp.")
    ev = jwt_config_evidence(auth, cfg)
    if p is None:
        conf = _no_claims(symptom, "aud", 0.5 if any(_CLIENT_ID.match(a) for a in audience) else 0.6)
        return Hit(conf, ev) if cognito and conf is not None else None
    client = p.get("client_id")
    if p.get("token_use") != "access" or "aud" in p or not client or client in audience:
        return None
    ev += [seen(TOKEN, "token_use", "access"), seen(TOKEN, "aud", None), seen(TOKEN, "client_id", client)]
    return Hit(0.9, ev, jwt_fix(facts, auth, cfg, audience=[*audience, client]))


@rule("http-jwt-issuer-mismatch")
def _jwt_issuer(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = http_jwt(facts)
    if ctx is None:
        return None
    auth, cfg = ctx
    issuer, p = cfg.get("Issuer"), payload(symptom)
    ev = jwt_config_evidence(auth, cfg)[:2]
    if p is None:
        conf = _no_claims(symptom, "iss")
        if conf is not None and str(issuer or "").endswith("/"):
            ev.append(
                seen(auth.authz_read, "JwtConfiguration.Issuer", "ends with '/': most iss claims do not")
            )
        return None if conf is None else Hit(conf, ev)
    header = symptom.claims.header if symptom.claims else {}
    alg, conf = str(header.get("alg") or ""), 0.0
    if p.get("iss") != issuer:
        ev.append(seen(TOKEN, "iss", p.get("iss")))
        conf = 0.9
    if alg and not alg.upper().startswith(("RS", "PS")):
        ev.append(seen(TOKEN, "header.alg", f"{alg} (JWT authorizers verify RSA signatures only)"))
        conf = max(conf, 0.75)
    if header and not header.get("kid"):
        ev.append(seen(TOKEN, "header.kid", None))
        conf = max(conf, 0.6)
    if not conf:
        return None
    fix = jwt_fix(facts, auth, cfg, issuer=p["iss"]) if p.get("iss") != issuer and p.get("iss") else None
    return Hit(conf, ev, fix)


@rule("http-jwt-token-expired")
def _jwt_expired(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = http_jwt(facts)
    if ctx is None:
        return None
    auth, _ = ctx
    ev, p = [seen(auth.read, "AuthorizationType", "JWT")], payload(symptom)
    if p is None or symptom.now is None:
        conf = _no_claims(symptom, "exp")
        if p is not None and "exp" in p:
            ev.append(seen(TOKEN, "exp", p["exp"]))
        return None if conf is None else Hit(conf, ev)
    bad = time_problem(p, symptom.now)
    return Hit(0.95 if bad[0].field == "exp" else 0.85, ev + bad) if bad else None


@rule("http-jwt-insufficient-scope")
def _jwt_scope(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = http_jwt(facts)
    if ctx is None or not ctx[0].scopes:
        return None
    auth, _ = ctx
    ev, p = [seen(auth.read, "AuthorizationScopes", auth.scopes)], payload(symptom)
    fix = Fix(
        manual=f"Request an access token carrying one of {auth.scopes} (allow it on the app client: "
        "cognito-idp.update_user_pool_client with the FULL existing configuration plus AllowedOAuthScopes), "
        f"or change the route: apigatewayv2.update_route(ApiId='{facts.api_id}', RouteId='{auth.route_id}', "
        "AuthorizationScopes=[...])."
    )
    if p is None:
        conf = _no_claims(symptom, "scope", 0.55)
        return None if conf is None else Hit(conf, ev, fix)
    have = token_scopes(p)
    if have & set(auth.scopes):
        return None
    ev += [seen(TOKEN, "scope/scp", sorted(have)), seen(TOKEN, "token_use", p.get("token_use"))]
    return Hit(0.9, ev, fix)


@rule("http-jwt-missing-or-malformed-header")
def _jwt_header(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = http_jwt(facts)
    if ctx is None or jwt_reason(symptom) is not None:
        return None
    auth, cfg = ctx
    sources = as_list(auth.authorizer.get("IdentitySource")) or ["$request.header.Authorization"]
    ev = [seen(auth.authz_read, "IdentitySource", sources)]
    p = payload(symptom)
    if p is None:
        custom = sources != ["$request.header.Authorization"]
        return Hit(0.65 if custom else 0.55, ev)
    if p.get("iss") != cfg.get("Issuer") or audience_problem(p, list(cfg.get("Audience") or [])):
        return None
    if time_problem(p, symptom.now):
        return None
    return Hit(0.45, [*ev, seen(TOKEN, "iss/aud/exp", "match the authorizer: check how the header is sent")])


# --- REST: JWT authorizers and Cognito user pool authorizers -----------------------------------------------


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
        return Hit(0.5, ev)
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
        return Hit(0.5, ev)
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
        return Hit(0.85 if said(symptom, "incoming token has expired") else 0.5, ev)
    bad = time_problem(p, symptom.now)
    pool = _pool_of(p.get("iss"))
    if pool not in _providers(auth):
        bad.insert(0, seen(TOKEN, "iss", p.get("iss")))
    return Hit(0.9, ev + bad) if bad else None
