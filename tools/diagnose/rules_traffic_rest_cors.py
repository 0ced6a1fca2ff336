"""REST CORS rules (OPTIONS methods, response headers, gateway responses) and the credentials rule."""

from __future__ import annotations

from .cors_fixes import cors_fix, rest_cors_fix
from .facts import http_cors, matched_resource, method_on
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_traffic_cors import cors_signal
from .rules_traffic_helpers import Raw, call, deploy, said

_MR_ORIGIN = "method.response.header.Access-Control-Allow-Origin"
_MR_CREDENTIALS = "method.response.header.Access-Control-Allow-Credentials"
_GR_ORIGIN = "gatewayresponse.header.Access-Control-Allow-Origin"
BROWSER_NOTE = (
    "The browser reports most gateway-generated 4XX/5XX responses as CORS errors when the error response has "
    "no Access-Control-Allow-Origin header, so the real status comes first: find it (curl, or the browser's "
    "Network tab) and fix it; the headers only make it visible to the page."
)


@rule("cors-credentials-with-wildcard-origin")
def _cors_credentials(facts: Facts, symptom: Symptom) -> Hit | None:
    if not cors_signal(symptom):
        return None
    mentions = said(
        symptom, None, "credentials mode", "allow-credentials", "access-control-allow-credentials"
    )
    if facts.api_type == "HTTP":
        return _http_credentials(facts, symptom, mentions)
    resource = matched_resource(facts) or {}
    options = (method_on(resource, "OPTIONS") or ("", {}))[1]
    response = ((options.get("methodIntegration") or {}).get("integrationResponses") or {}).get("200") or {}
    params: Raw = response.get("responseParameters") or {}
    origin, creds = params.get(_MR_ORIGIN), params.get(_MR_CREDENTIALS)
    if origin != "'*'" or not (creds == "'true'" or mentions):
        return None
    read = "apigateway.get_integration_response"
    evidence = [
        seen(read, f"OPTIONS 200 {_MR_ORIGIN}", origin),
        seen(read, f"OPTIONS 200 {_MR_CREDENTIALS}", creds),
    ]
    op = {"op": "replace", "path": f"/responseParameters/{_MR_ORIGIN}", "value": f"'{_origin(symptom)}'"}
    fix = call(
        "apigateway.update_integration_response",
        restApiId=facts.api_id,
        resourceId=resource.get("id"),
        httpMethod="OPTIONS",
        statusCode="200",
        patchOperations=[op],
    )
    manual = f"{fix} (and return the same allow-listed Origin from the actual method); then {deploy(facts)}"
    ready = rest_cors_fix(facts, symptom, credentials=True)
    return Hit(0.9 if creds == "'true'" else 0.7, evidence, ready or Fix(manual=manual))


def _origin(symptom: Symptom) -> str:
    return symptom.origin or "https://app.example.com"


def _http_credentials(facts: Facts, symptom: Symptom, mentions: str | None) -> Hit | None:
    config: Raw | None = http_cors(facts)
    if config is None:
        evidence = [
            seen("apigatewayv2.get_api", "CorsConfiguration", None),
            seen("client", "error", mentions),
        ]
        return Hit(0.5, evidence, cors_fix(facts, symptom, credentials=True)) if mentions else None
    origins, creds = config.get("AllowOrigins") or [], bool(config.get("AllowCredentials"))
    if creds or not (mentions or any("*" in o for o in origins)):
        return None
    evidence = [
        seen("apigatewayv2.get_api", "CorsConfiguration.AllowCredentials", creds),
        seen("apigatewayv2.get_api", "CorsConfiguration.AllowOrigins", origins),
    ]
    return Hit(0.9 if mentions else 0.4, evidence, cors_fix(facts, symptom, credentials=True))


# ---- REST ----
@rule("rest-cors-options-method-missing")
def _rest_options_missing(facts: Facts, symptom: Symptom) -> Hit | None:
    resource = matched_resource(facts) if cors_signal(symptom) else None
    methods = sorted((resource or {}).get("resourceMethods") or {})
    if resource is None or "OPTIONS" in methods or "ANY" in methods:
        return None
    evidence = [seen("apigateway.get_resources", f"{resource.get('path')}.resourceMethods", methods)]
    preflight = (symptom.method or "").upper() == "OPTIONS" or said(
        symptom, facts, "preflight", "missing auth"
    )
    ids = {"restApiId": facts.api_id, "resourceId": resource.get("id"), "httpMethod": "OPTIONS"}
    names = [f"method.response.header.Access-Control-Allow-{h}" for h in ("Origin", "Methods", "Headers")]
    values = [f"'{_origin(symptom)}'", f"'{','.join([*methods, 'OPTIONS'])}'", "'authorization,content-type'"]
    calls = [
        call("apigateway.put_method", **ids, authorizationType="NONE"),
        call(
            "apigateway.put_integration",
            **ids,
            type="MOCK",
            requestTemplates={"application/json": '{"statusCode": 200}'},
        ),
        call(
            "apigateway.put_method_response",
            **ids,
            statusCode="200",
            responseParameters=dict.fromkeys(names, False),
        ),
        call(
            "apigateway.put_integration_response",
            **ids,
            statusCode="200",
            responseParameters=dict(zip(names, values, strict=True)),
        ),
        deploy(facts),
    ]
    ready = rest_cors_fix(facts, symptom)
    return Hit(0.9 if preflight else 0.7, evidence, ready or Fix(manual="; ".join(calls)))


@rule("rest-cors-options-method-requires-auth")
def _rest_options_auth(facts: Facts, symptom: Symptom) -> Hit | None:
    resource = matched_resource(facts) if cors_signal(symptom) else None
    found = method_on(resource, "OPTIONS")
    if resource is None or found is None:
        return None
    name, method = found
    auth, key = method.get("authorizationType") or "NONE", bool(method.get("apiKeyRequired"))
    if auth == "NONE" and not key:
        return None
    read = "apigateway.get_method"
    evidence = [seen(read, f"{name}.authorizationType", auth), seen(read, f"{name}.apiKeyRequired", key)]
    ids = {"restApiId": facts.api_id, "resourceId": resource.get("id"), "httpMethod": "OPTIONS"}
    if name == "OPTIONS":
        ops = [
            {"op": "replace", "path": "/authorizationType", "value": "NONE"},
            {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
        ]
        change = call("apigateway.update_method", **ids, patchOperations=ops)
    else:
        change = call("apigateway.put_method", **ids, authorizationType="NONE", apiKeyRequired=False)
        change += " with a MOCK integration that returns the Access-Control-Allow-* headers"
    ready = rest_cors_fix(facts, symptom) if name == "OPTIONS" else None
    fix = ready or Fix(manual=f"{change}; then {deploy(facts)}")
    return Hit(0.9 if name == "OPTIONS" else 0.85, evidence, fix)


@rule("rest-cors-response-missing-allow-origin")
def _rest_response_origin(facts: Facts, symptom: Symptom) -> Hit | None:
    resource = matched_resource(facts) if cors_signal(symptom) else None
    found = method_on(resource, symptom.method or facts.match.method)
    if resource is None or found is None:
        return None
    name, method = found
    guarded = (method.get("authorizationType") or "NONE") != "NONE" or bool(method.get("apiKeyRequired"))
    if guarded and symptom.status in (401, 403):
        return None  # refused before the integration ran: its responses were never sent
    integration: Raw = method.get("methodIntegration") or {}
    if integration.get("type") in ("AWS_PROXY", "HTTP_PROXY"):  # only the backend can add the header
        return Hit(0.5, [seen("apigateway.get_integration", f"{name}.type", integration.get("type"))])
    responses: Raw = integration.get("integrationResponses") or {}
    status = next((s for s in (str(symptom.status), "200", *sorted(responses)) if s in responses), "200")
    ir_params: Raw = (responses.get(status) or {}).get("responseParameters") or {}
    mr_params: Raw = ((method.get("methodResponses") or {}).get(status) or {}).get("responseParameters") or {}
    if _MR_ORIGIN in ir_params and _MR_ORIGIN in mr_params:
        return None
    evidence = [
        seen("apigateway.get_method_response", f"{name} {status}.responseParameters", sorted(mr_params)),
        seen("apigateway.get_integration_response", f"{name} {status}.responseParameters", sorted(ir_params)),
    ]
    ids = {
        "restApiId": facts.api_id,
        "resourceId": resource.get("id"),
        "httpMethod": name,
        "statusCode": status,
    }
    path = f"/responseParameters/{_MR_ORIGIN}"
    calls = [
        call(
            "apigateway.update_method_response",
            **ids,
            patchOperations=[{"op": "add", "path": path, "value": "false"}],
        ),
        call(
            "apigateway.update_integration_response",
            **ids,
            patchOperations=[{"op": "add", "path": path, "value": f"'{_origin(symptom)}'"}],
        ),
        deploy(facts),
    ]
    return Hit(0.9, evidence, rest_cors_fix(facts, symptom) or Fix(manual="; ".join(calls)))


def _gateway_fix(facts: Facts, symptom: Symptom, missing: list[str], by_type: dict[str, Raw]) -> Fix:
    calls = []
    for kind in missing:
        params = {
            **((by_type.get(kind) or {}).get("responseParameters") or {}),
            _GR_ORIGIN: f"'{symptom.origin or '*'}'",
            "gatewayresponse.header.Access-Control-Allow-Headers": "'*'",
        }
        calls.append(
            call(
                "apigateway.put_gateway_response",
                restApiId=facts.api_id,
                responseType=kind,
                responseParameters=params,
            )
        )
    return Fix(manual=f"{'; '.join(calls)}; then {deploy(facts)}; then fix the underlying error")


@rule("rest-cors-gateway-responses-missing-headers")
def _rest_gateway_responses(facts: Facts, symptom: Symptom) -> Hit | None:
    status = symptom.status
    if not cors_signal(symptom) or (status is not None and status < 400):
        return None
    by_type = {str(g.get("responseType")): g for g in facts.gateway_responses}
    wanted = [
        t
        for t, low in (("DEFAULT_4XX", 400), ("DEFAULT_5XX", 500))
        if status is None or low <= status < low + 100
    ]
    wanted += [  # customised specific responses for this status no longer inherit the DEFAULT_* headers
        t
        for t, g in by_type.items()
        if g.get("defaultResponse") is False
        and status is not None
        and str(g.get("statusCode")) == str(status)
    ]
    missing = [
        t for t in wanted if _GR_ORIGIN not in ((by_type.get(t) or {}).get("responseParameters") or {})
    ]
    if not missing:
        return None
    evidence = [
        seen(
            "apigateway.get_gateway_responses",
            f"{t}.responseParameters",
            sorted((by_type.get(t) or {}).get("responseParameters") or {}),
        )
        for t in missing
    ]
    cause = (
        f"Gateway responses {', '.join(missing)} carry no Access-Control-Allow-Origin, so API Gateway's own "
        f"error answers (status {status or 'unknown'}) reach the browser as CORS failures. {BROWSER_NOTE}"
    )
    if status is None or not facts.gateway_responses:
        confidence = 0.6
    else:
        confidence = 0.85 if status in (401, 403, 429, 502, 503, 504) else 0.7
    fix = rest_cors_fix(facts, symptom) or _gateway_fix(facts, symptom, missing, by_type)
    return Hit(confidence, evidence, fix, cause)
