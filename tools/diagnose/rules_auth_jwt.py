"""Auth rules, HTTP API JWT authorizers: audience, Cognito client ids, issuer, expiry, scopes, the header.

Token claims are decoded locally, unverified; REST JWT and Cognito authorizers are in rules_auth_jwt_rest.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from apigw_mcp.tools.kinds.http.inputs import AuthorizerInput

from .model import EvidenceItem, Facts, Fix, Symptom
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
    fields = {"name": args["name"], "issuer": args["issuer"], "audience": args["audience"]}
    try:
        AuthorizerInput.model_validate({**fields, "identity_source": [args["identity_source"]]})
    except ValidationError as error:
        # add_jwt_authorizer would refuse it (e.g. an issuer ending in '/'): give the AWS call instead
        config = {"Issuer": args["issuer"], "Audience": args["audience"]}
        ids = f"ApiId={facts.api_id!r}, AuthorizerId={auth.authorizer.get('AuthorizerId')!r}"
        why = error.errors()[0]["msg"].removeprefix("Value error, ")
        return Fix(manual=f"apigatewayv2.update_authorizer({ids}, JwtConfiguration={config}) ({why})")
    return Fix(tool="add_jwt_authorizer", args=args)


# Without the token every JWT check fits equally: below conclusive even after the engine's weight for an
# exact error text (x1.25), and the next check asks for the token.
NO_CLAIMS = 0.35


def _no_claims(symptom: Symptom, reason: str, base: float = NO_CLAIMS) -> float | None:
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
    if "aud" not in p and p.get("token_use") == "access" and p.get("client_id"):
        return None  # a Cognito access token: http-jwt-cognito-access-token-client-id names it precisely
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
        # audience entries that already look like app client ids make this cause less likely
        client_ids = any(_CLIENT_ID.match(a) for a in audience)
        conf = _no_claims(symptom, "aud", 0.3 if client_ids else 0.38)
        conf = 0.6 if conf == 0.8 and client_ids else conf
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
        conf = _no_claims(symptom, "scope", 0.38)
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
        return Hit(0.38 if custom else NO_CLAIMS, ev)
    if p.get("iss") != cfg.get("Issuer") or audience_problem(p, list(cfg.get("Audience") or [])):
        return None
    if time_problem(p, symptom.now):
        return None
    # iss, aud and exp are ruled out: what is left is how (and where) the token travels
    return Hit(0.6, [*ev, seen(TOKEN, "iss/aud/exp", "match the authorizer: check how the header is sent")])
