"""Auth rules, Lambda authorizers: invoke permission, identity sources, caching, errors and decisions."""

from __future__ import annotations

import re

from .model import EvidenceItem, Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_auth_helpers import (
    Auth,
    as_list,
    auth_of,
    covers,
    get,
    glob,
    log_evidence,
    log_hits,
    said,
    stage_name,
    statements,
)
from .uris import lambda_arn_of


def _lambda_auth(facts: Facts) -> tuple[Auth, str | None] | None:
    """The matched method/route's Lambda (CUSTOM) authorizer and its function ARN."""
    auth = auth_of(facts)
    if auth is None or auth.type != "CUSTOM" or not auth.authorizer:
        return None
    return auth, lambda_arn_of(get(auth.authorizer, "authorizerUri", "AuthorizerUri"))


def _authz_id(auth: Auth) -> str:
    return str(get(auth.authorizer, "id", "AuthorizerId"))


def _sources(auth: Auth) -> list[str]:
    raw = get(auth.authorizer, "identitySource", "IdentitySource")
    return [s.strip() for s in raw.split(",") if s.strip()] if isinstance(raw, str) else as_list(raw)


def _source_arn(facts: Facts, auth: Auth) -> str:
    return f"arn:aws:execute-api:{facts.region}:{facts.account}:{facts.api_id}/authorizers/{_authz_id(auth)}"


def _invoke_allowed(facts: Facts, auth: Auth, fn: str | None) -> tuple[bool | None, list[EvidenceItem]]:
    """Whether API Gateway may invoke the authorizer function (None: cannot tell), with the evidence."""
    role = get(auth.authorizer, "authorizerCredentials", "AuthorizerCredentialsArn")
    function = facts.functions.get(fn or "")
    if role:
        return None, [seen(auth.authz_read, "credentials (a role invokes the function)", role)]
    if function is None or not function.exists:
        return None, [seen("lambda.get_function", "exists", False)] if function else []
    source = _source_arn(facts, auth)
    seen_arns: list[str] = []
    for st in statements(function.policy):
        principal = st.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, dict) else as_list(principal)
        if st.get("Effect") != "Allow" or not {"apigateway.amazonaws.com", "*"} & set(services):
            continue
        if not covers(st, "Action", "lambda:InvokeFunction"):
            continue
        arns = [
            v
            for cond in (st.get("Condition") or {}).values()
            if isinstance(cond, dict)
            for k, v in cond.items()
            if k.lower() == "aws:sourcearn"
        ]
        if not arns or any(glob(a, source) for v in arns for a in as_list(v)):
            return True, []
        seen_arns += [a for v in arns for a in as_list(v)]
    ev = [
        seen("lambda.get_policy", f"{fn} SourceArn (needs to cover {source})", seen_arns or function.policy)
    ]
    return False, ev


@rule("lambda-authorizer-invoke-permission-missing")
def _authz_permission(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _lambda_auth(facts)
    if found is None:
        return None
    auth, fn = found
    allowed, ev = _invoke_allowed(facts, auth, fn)
    if allowed:
        return None
    told = said(symptom, "invalid permissions on lambda function")
    conf = 0.9 if allowed is False else 0.8 if told else 0.5
    source = _source_arn(facts, auth)
    fix = (
        Fix(tool="ensure_lambda_permission", args={"api_id": facts.api_id, "dry_run": True})
        if facts.api_type in ("HTTP", "REST")
        else Fix(
            manual=f"lambda.add_permission(FunctionName='{fn}', StatementId='apigw-authorizer', "
            f"Action='lambda:InvokeFunction', Principal='apigateway.amazonaws.com', SourceArn='{source}')"
        )
    )
    return Hit(conf, [seen(auth.authz_read, "authorizerUri", fn), *ev], fix)


def _authorizer_ran(facts: Facts, symptom: Symptom) -> tuple[Auth, str | None] | None:
    """The Lambda authorizer when nothing says it could not be invoked at all."""
    found = _lambda_auth(facts)
    if found is None or said(symptom, "invalid permissions on lambda"):
        return None
    function = facts.functions.get(found[1] or "")
    if function is not None and not function.exists:
        return None
    return found if _invoke_allowed(facts, *found)[0] is not False else None


@rule("lambda-authorizer-invalid-response")
def _authz_bad_response(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _authorizer_ran(facts, symptom)
    if found is None:
        return None
    auth, fn = found
    lines = log_hits(facts, "could not parse", "before parsing", "invalid authorizer response", "malformed")
    ev = [seen(auth.authz_read, "authorizerUri", fn), *log_evidence(lines)]
    if facts.api_type != "REST":
        shape = {
            k: auth.authorizer.get(k) for k in ("AuthorizerPayloadFormatVersion", "EnableSimpleResponses")
        }
        ev.append(seen(auth.authz_read, "response format expected", shape))
    return Hit(0.9 if lines or said(symptom, "could not parse", "before parsing") else 0.5, ev)


@rule("lambda-authorizer-error-or-timeout")
def _authz_error(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _authorizer_ran(facts, symptom)
    if found is None or said(symptom, "could not parse", "before parsing"):
        return None
    auth, fn = found
    lines = log_hits(
        facts, "task timed out", "authorizer error", "authorizer_failure", "errormessage", "throttl"
    )
    ev, conf = [seen(auth.authz_read, "authorizerUri", fn), *log_evidence(lines)], 0.85 if lines else 0.5
    function = facts.functions.get(fn or "")
    if function and function.state not in (None, "Active"):
        ev.append(seen("lambda.get_function_configuration", "State", function.state))
        conf = max(conf, 0.75)
    if function and facts.api_type == "HTTP" and (function.timeout_s or 0) > 10:
        ev.append(
            seen(
                "lambda.get_function_configuration", "Timeout (HTTP authorizers get 10 s)", function.timeout_s
            )
        )
        conf = max(conf, 0.6)
    return Hit(conf, ev)


_DENY_LINES = ('"effect":"deny"', '"effect": "deny"', '"isauthorized":false', '"isauthorized": false')


@rule("lambda-authorizer-returned-deny")
def _authz_deny(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _authorizer_ran(facts, symptom)
    if found is None or said(symptom, "to perform: execute-api"):
        return None
    auth, fn = found
    lines = log_hits(facts, *_DENY_LINES)
    ev = [
        seen(auth.read, "authorizationType/authorizer", f"CUSTOM/{_authz_id(auth)} ({fn})"),
        *log_evidence(lines),
    ]
    told = said(symptom, "not authorized to access this resource")
    return Hit(0.9 if lines or said(symptom, "explicit deny") else 0.6 if told else 0.55, ev)


def _methods_using(facts: Facts, authorizer_id: str) -> list[str]:
    return [
        f"{m} {res.get('path')}"
        for res in facts.resources
        for m, meth in (res.get("resourceMethods") or {}).items()
        if meth.get("authorizerId") == authorizer_id
    ]


@rule("rest-lambda-authorizer-cached-policy-too-narrow")
def _authz_cache_rest(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _authorizer_ran(facts, symptom) if facts.api_type == "REST" else None
    if found is None or said(symptom, "explicit deny"):
        return None
    auth = found[0]
    ttl = auth.authorizer.get("authorizerResultTtlInSeconds")
    ttl = 300 if ttl is None else int(ttl)
    sharing = _methods_using(facts, _authz_id(auth))
    per_route = any(
        "context.resourcepath" in s.lower() or "context.httpmethod" in s.lower() for s in _sources(auth)
    )
    if (
        ttl <= 0
        or per_route
        or (len(sharing) < 2 and not any("{proxy+}" in m or "ANY " in m for m in sharing))
    ):
        return None
    ev = [
        seen(auth.authz_read, "authorizerResultTtlInSeconds", ttl),
        seen("apigateway.get_resources", "methods using the authorizer", sharing),
    ]
    narrow = [ln for ln in log_hits(facts, '"resource"') if "arn:aws:execute-api" in ln and "*" not in ln]
    conf = 0.9 if narrow else 0.75 if said(symptom, "not authorized to access this resource") else 0.55
    fix = Fix(
        manual=f"Return Resource 'arn:aws:execute-api:{facts.region}:{facts.account}:{facts.api_id}/"
        f"{stage_name(facts, symptom)}/*/*' from the authorizer, or apigateway.update_authorizer(restApiId="
        f"'{facts.api_id}', authorizerId='{_authz_id(auth)}', patchOperations=[{{'op': 'replace', 'path': "
        f"'/authorizerResultTtlInSeconds', 'value': '0'}}]) + create_deployment."
    )
    return Hit(conf, ev + log_evidence(narrow), fix)


@rule("http-lambda-authorizer-cache-shared-across-routes")
def _authz_cache_http(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _authorizer_ran(facts, symptom) if facts.api_type == "HTTP" else None
    if found is None:
        return None
    auth, fn = found
    ttl, sources = int(auth.authorizer.get("AuthorizerResultTtlInSeconds") or 0), _sources(auth)
    sharing = [r.get("RouteKey") for r in facts.routes if r.get("AuthorizerId") == _authz_id(auth)]
    if ttl <= 0 or any("$context.routeKey" in s for s in sources) or len(sharing) < 2:
        return None
    simple = bool(auth.authorizer.get("EnableSimpleResponses"))
    ev = [
        seen(auth.authz_read, "AuthorizerResultTtlInSeconds", ttl),
        seen(auth.authz_read, "IdentitySource", sources),
        seen(auth.authz_read, "EnableSimpleResponses", simple),
        seen("apigatewayv2.get_routes", "routes", sharing),
    ]
    fix = Fix(
        tool="add_lambda_authorizer",
        args={
            "api_id": facts.api_id,
            "name": auth.authorizer.get("Name"),
            "function_arn": fn,
            "routes": sharing,
            "payload_format_version": auth.authorizer.get("AuthorizerPayloadFormatVersion") or "2.0",
            "simple_responses": simple,
            "ttl_seconds": ttl,
            "identity_source": [*sources, "$context.routeKey"],
            "dry_run": True,
        },
    )
    return Hit(0.75 if simple else 0.6, ev, fix)


_MISSING = re.compile(r"identity.{0,40}(missing|null|empty|not present)", re.IGNORECASE)


@rule("lambda-authorizer-identity-source-missing")
def _authz_identity(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _lambda_auth(facts)
    sources = _sources(found[0]) if found else []
    if found is None or not sources:
        return None  # without identity sources the authorizer is always invoked
    auth = found[0]
    regex = auth.authorizer.get("identityValidationExpression")
    lines = [ln for ln in log_hits(facts, "identity") if _MISSING.search(ln)]
    ev = [seen(auth.authz_read, "identitySource", sources), *log_evidence(lines)]
    if regex:
        ev.append(seen(auth.authz_read, "identityValidationExpression", regex))
    header_token = symptom.claims is not None and all("authorization" in s.lower() for s in sources)
    conf = 0.9 if lines else 0.6 if regex else 0.45 if header_token else 0.55
    return Hit(conf, ev)


@rule("ws-connect-authorizer-rejects")
def _ws_connect(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = auth_of(facts) if facts.api_type == "WEBSOCKET" else None
    if auth is None or auth.type not in ("CUSTOM", "AWS_IAM"):
        return None
    ev = [seen(auth.read, "$connect AuthorizationType", auth.type)]
    if auth.type == "AWS_IAM":
        return Hit(0.6, [*ev, seen(auth.read, "needs", "a SigV4-presigned wss:// URL")])
    sources = _sources(auth)
    ev.append(seen(auth.authz_read, "IdentitySource", sources))
    lines = log_hits(facts, *_DENY_LINES)
    headers = any(".header." in s for s in sources)
    if headers:
        ev.append(seen(auth.authz_read, "IdentitySource", "headers: browsers cannot set them on a WebSocket"))
    return Hit(0.85 if lines else 0.7 if headers else 0.55, ev + log_evidence(lines))
