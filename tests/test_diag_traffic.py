"""Traffic rules (API keys, usage plans, throttling, CORS): one positive and one negative case per rule."""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.diagnose import rules_traffic
from apigw_mcp.tools.diagnose.catalogue import catalogue
from apigw_mcp.tools.diagnose.model import Facts, Match, Symptom
from apigw_mcp.tools.diagnose.registry import RULES, Hit
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.spec import Throttle

from .helpers import check_rule_case

API = "a1b2c3d4e5"
ORIGIN = "https://app.example.com"
JWT = {"AuthorizationType": "JWT", "AuthorizerId": "au1"}
_MR = "method.response.header.Access-Control-Allow-Origin"
_GR = "gatewayresponse.header.Access-Control-Allow-Origin"
MODULES = {rules_traffic.__name__, f"{rules_traffic.__package__}.rules_traffic_cors"}
MODULES.add(f"{rules_traffic.__package__}.rules_traffic_rest_cors")
OWNED = {
    "rest-api-key-missing-or-unknown": ["REST"],
    "rest-api-key-not-linked-to-stage": ["REST"],
    "rest-api-key-disabled": ["REST"],
    "rest-api-key-source-authorizer-without-key": ["REST"],
    "rest-usage-plan-quota-exceeded": ["REST"],
    "rest-usage-plan-throttle-exceeded": ["REST"],
    "account-throttle-exceeded": ["REST", "HTTP", "WEBSOCKET"],
    "rest-stage-method-throttle-too-low": ["REST"],
    "http-stage-route-throttle-zero": ["HTTP", "WEBSOCKET"],
    "http-cors-config-overrides-backend": ["HTTP"],
    "http-cors-preflight-hits-authorizer": ["HTTP"],
    "http-cors-not-configured": ["HTTP"],
    "cors-credentials-with-wildcard-origin": ["REST", "HTTP"],
    "rest-cors-options-method-missing": ["REST"],
    "rest-cors-options-method-requires-auth": ["REST"],
    "rest-cors-response-missing-allow-origin": ["REST"],
    "rest-cors-gateway-responses-missing-headers": ["REST"],
}


def sym(**fields: Any) -> Symptom:
    return Symptom.model_validate(fields)


# ---- REST builders ----
def method(
    verb: str = "GET", *, auth: str = "NONE", key: bool = False, kind: str = "AWS_PROXY", origin: bool = False
) -> dict[str, Any]:
    params = {_MR: "'https://app.example.com'"} if origin else {}
    return {
        "httpMethod": verb,
        "authorizationType": auth,
        "apiKeyRequired": key,
        "methodResponses": {
            "200": {"statusCode": "200", "responseParameters": {_MR: False} if origin else {}}
        },
        "methodIntegration": {
            "type": kind,
            "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:123456789012:function:orders/invocations",
            "integrationResponses": {} if "PROXY" in kind else {"200": {"responseParameters": params}},
        },
    }


def rest(
    *methods: dict[str, Any],
    verb: str = "GET",
    api: dict[str, Any] | None = None,
    plans: list[dict[str, Any]] | None = None,
    keys: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    gateway: list[dict[str, Any]] | None = None,
) -> Facts:
    resource: dict[str, Any] = {"id": "res1", "parentId": "root", "path": "/orders", "pathPart": "orders"}
    resource["resourceMethods"] = {m["httpMethod"]: m for m in methods}
    return Facts(
        api_type="REST",
        api_id=API,
        region="us-east-1",
        account="123456789012",
        api={"id": API, "name": "shop", "apiKeySource": "HEADER", **(api or {})},
        resources=[{"id": "root", "path": "/"}, resource],
        stages=[{"stageName": "prod", "deploymentId": "d1", "methodSettings": settings or {}}],
        usage_plans=plans or [],
        api_keys=keys or [],
        gateway_responses=gateway or [],
        match=Match(
            kind="resource",
            resource_id="res1",
            resource_path="/orders",
            method=verb,
            stage="prod",
            path="/orders",
        ),
    )


def preflight(facts: Facts) -> Facts:
    """The REST facts as a preflight finds them: no OPTIONS method on the resource."""
    match = facts.match.model_copy(update={"kind": "none", "method": "OPTIONS"})
    return facts.model_copy(update={"match": match})


def plan(stage: str = "prod", keys: tuple[str, ...] = ("k1",)) -> dict[str, Any]:
    return {
        "id": f"up-{stage}",
        "name": stage,
        "apiStages": [{"apiId": API, "stage": stage}],
        "keys": list(keys),
    }


def key(kid: str = "k1", enabled: bool = True) -> dict[str, Any]:
    return {"id": kid, "name": f"client-{kid}", "enabled": enabled, "stageKeys": []}


KEYED = method(key=True)
AUTHZ_KEYED = method(auth="CUSTOM", key=True)


# ---- HTTP builders ----
def route(key: str, rid: str, **auth: Any) -> dict[str, Any]:
    return {"RouteId": rid, "RouteKey": key, "Target": "integrations/i1", "AuthorizationType": "NONE", **auth}


def http(
    *routes: dict[str, Any],
    cors: dict[str, Any] | None = None,
    default: dict[str, Any] | None = None,
    route_settings: dict[str, Any] | None = None,
    api_type: str = "HTTP",
    match_key: str = "GET /orders",
) -> Facts:
    all_routes = list(routes) or [route("GET /orders", "r1")]
    matched = next((r for r in all_routes if r["RouteKey"] == match_key), all_routes[0])
    api: dict[str, Any] = {"ApiId": API, "Name": "shop", "ProtocolType": api_type}
    if cors is not None:
        api["CorsConfiguration"] = cors
    stage: dict[str, Any] = {"StageName": "prod", "AutoDeploy": True, "DefaultRouteSettings": default or {}}
    stage["RouteSettings"] = route_settings or {}
    return Facts(
        api_type=api_type,  # type: ignore[arg-type]
        api_id=API,
        region="us-east-1",
        account="123456789012",
        api=api,
        routes=all_routes,
        integrations=[{"IntegrationId": "i1", "IntegrationType": "AWS_PROXY"}],
        stages=[stage],
        match=Match(
            kind="route",
            route_key=matched["RouteKey"],
            route_id=matched["RouteId"],
            stage="prod",
            path="/orders",
        ),
    )


FORBIDDEN = sym(status=403, error_body='{"message":"Forbidden"}', method="GET", path="/prod/orders")
TOO_MANY = sym(status=429, error_body='{"message":"Too Many Requests"}', method="GET", path="/orders")
LIMIT = sym(status=429, error_body='{"message":"Limit Exceeded"}', method="GET", path="/orders")
CORS_GET = sym(keyword="cors", method="GET", path="/orders", origin=ORIGIN)
PREFLIGHT_401 = sym(status=401, keyword="cors", method="OPTIONS", path="/orders", origin=ORIGIN)
REST_PREFLIGHT = sym(
    status=403,
    keyword="cors",
    method="OPTIONS",
    origin=ORIGIN,
    error_body='{"message":"Missing Authentication Token"}',
)
WILDCARD_TEXT = (
    "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' "
    "when the request's credentials mode is 'include'."
)
CREDS = sym(keyword="cors", method="GET", origin=ORIGIN, message=WILDCARD_TEXT)
CORS_403 = sym(status=403, keyword="cors", method="GET", origin=ORIGIN)
PREFLIGHT_REFUSED = sym(
    status=401, keyword="cors", method="OPTIONS", origin=ORIGIN, error_body='{"message":"Unauthorized"}'
)
ALLOWING = {
    "AllowOrigins": [ORIGIN],
    "AllowMethods": ["*"],
    "AllowHeaders": ["authorization", "content-type"],
}
OPTIONS_CREDS = method("OPTIONS", kind="MOCK")
OPTIONS_CREDS["methodIntegration"]["integrationResponses"]["200"]["responseParameters"] = {
    _MR: "'*'",
    "method.response.header.Access-Control-Allow-Credentials": "'true'",
}
LOW_PLAN = {**plan(), "throttle": {"rateLimit": 1.0, "burstLimit": 1}}
QUOTA_PLAN = {**plan(), "quota": {"limit": 1000, "period": "DAY", "offset": 0}}
GW_PLAIN = [{"responseType": "DEFAULT_4XX", "defaultResponse": True, "responseParameters": {}}]
GW_CORS = [{"responseType": "DEFAULT_4XX", "defaultResponse": False, "responseParameters": {_GR: "'*'"}}]
ZERO_HTTP = {"ThrottlingBurstLimit": 0, "ThrottlingRateLimit": 0.0, "DetailedMetricsEnabled": True}
HIGH_HTTP = {"ThrottlingBurstLimit": 5000, "ThrottlingRateLimit": 10000.0}

# (rule id, facts, symptom, hits?)
CASES: list[tuple[str, Facts, Symptom, bool]] = [
    ("rest-api-key-missing-or-unknown", rest(KEYED, plans=[plan()], keys=[key()]), FORBIDDEN, True),
    ("rest-api-key-missing-or-unknown", rest(method(), plans=[plan()], keys=[key()]), FORBIDDEN, False),
    (
        "rest-api-key-missing-or-unknown",
        rest(KEYED, api={"apiKeySource": "AUTHORIZER"}, plans=[plan()], keys=[key()]),
        FORBIDDEN,
        False,
    ),
    ("rest-api-key-not-linked-to-stage", rest(KEYED, plans=[plan("dev")], keys=[key()]), FORBIDDEN, True),
    ("rest-api-key-not-linked-to-stage", rest(KEYED, plans=[plan()], keys=[key()]), FORBIDDEN, False),
    ("rest-api-key-disabled", rest(KEYED, plans=[plan()], keys=[key(enabled=False)]), FORBIDDEN, True),
    ("rest-api-key-disabled", rest(KEYED, plans=[plan()], keys=[key()]), FORBIDDEN, False),
    (
        "rest-api-key-source-authorizer-without-key",
        rest(AUTHZ_KEYED, api={"apiKeySource": "AUTHORIZER"}, plans=[plan()], keys=[key()]),
        FORBIDDEN,
        True,
    ),
    ("rest-api-key-source-authorizer-without-key", rest(AUTHZ_KEYED, plans=[plan()]), FORBIDDEN, False),
    ("rest-usage-plan-quota-exceeded", rest(KEYED, plans=[QUOTA_PLAN], keys=[key()]), LIMIT, True),
    ("rest-usage-plan-quota-exceeded", rest(KEYED, plans=[plan()], keys=[key()]), LIMIT, False),
    ("rest-usage-plan-throttle-exceeded", rest(KEYED, plans=[LOW_PLAN], keys=[key()]), TOO_MANY, True),
    ("rest-usage-plan-throttle-exceeded", rest(KEYED, plans=[plan()], keys=[key()]), TOO_MANY, False),
    ("account-throttle-exceeded", http(), TOO_MANY, True),
    ("account-throttle-exceeded", rest(method()), TOO_MANY, True),
    ("account-throttle-exceeded", http(default=ZERO_HTTP), TOO_MANY, False),
    (
        "rest-stage-method-throttle-too-low",
        rest(method(), settings={"~1orders/GET": {"throttlingRateLimit": 0.0, "throttlingBurstLimit": 0}}),
        TOO_MANY,
        True,
    ),
    (
        "rest-stage-method-throttle-too-low",
        rest(method(), settings={"*/*": {"throttlingRateLimit": 10000.0, "throttlingBurstLimit": 5000}}),
        TOO_MANY,
        False,
    ),
    ("http-stage-route-throttle-zero", http(default=ZERO_HTTP), TOO_MANY, True),
    ("http-stage-route-throttle-zero", http(default=HIGH_HTTP), TOO_MANY, False),
    (
        "http-cors-config-overrides-backend",
        http(cors={"AllowOrigins": ["https://other.example.com"], "AllowMethods": ["GET"]}),
        CORS_GET,
        True,
    ),
    ("http-cors-config-overrides-backend", http(cors=ALLOWING), CORS_GET, False),
    (
        "http-cors-preflight-hits-authorizer",
        http(route("$default", "r0", **JWT), cors=ALLOWING, match_key="$default"),
        PREFLIGHT_401,
        True,
    ),
    (
        "http-cors-preflight-hits-authorizer",
        http(
            route("$default", "r0", **JWT),
            route("OPTIONS /{proxy+}", "r9"),
            cors=ALLOWING,
            match_key="$default",
        ),
        PREFLIGHT_401,
        False,
    ),
    ("http-cors-not-configured", http(), CORS_GET, True),
    ("http-cors-not-configured", http(cors=ALLOWING), CORS_GET, False),
    (
        "cors-credentials-with-wildcard-origin",
        http(cors={"AllowOrigins": ["*"], "AllowCredentials": False}),
        CREDS,
        True,
    ),
    ("cors-credentials-with-wildcard-origin", rest(method(), OPTIONS_CREDS), CREDS, True),
    (
        "cors-credentials-with-wildcard-origin",
        http(cors={**ALLOWING, "AllowCredentials": True}),
        CREDS,
        False,
    ),
    ("rest-cors-options-method-missing", preflight(rest(method())), REST_PREFLIGHT, True),
    (
        "rest-cors-options-method-missing",
        rest(method(), method("OPTIONS", kind="MOCK")),
        REST_PREFLIGHT,
        False,
    ),
    (
        "rest-cors-options-method-requires-auth",
        rest(method(), method("OPTIONS", auth="CUSTOM", kind="MOCK"), verb="OPTIONS"),
        PREFLIGHT_REFUSED,
        True,
    ),
    (
        "rest-cors-options-method-requires-auth",
        rest(method(), method("OPTIONS", kind="MOCK", origin=True)),
        REST_PREFLIGHT,
        False,
    ),
    ("rest-cors-response-missing-allow-origin", rest(method(kind="AWS")), CORS_GET, True),
    ("rest-cors-response-missing-allow-origin", rest(method(kind="AWS", origin=True)), CORS_GET, False),
    ("rest-cors-gateway-responses-missing-headers", rest(method(), gateway=GW_PLAIN), CORS_403, True),
    ("rest-cors-gateway-responses-missing-headers", rest(method(), gateway=GW_CORS), CORS_403, False),
]


def _run(rule_id: str, facts: Facts, symptom: Symptom) -> Hit | None:
    assert facts.api_type in catalogue()[rule_id].api_types
    return RULES[rule_id](facts, symptom)


@pytest.mark.parametrize(
    ("rule_id", "facts", "symptom", "hits"), CASES, ids=[f"{c[0]}-{'hit' if c[3] else 'miss'}" for c in CASES]
)
def test_rule(rule_id: str, facts: Facts, symptom: Symptom, hits: bool) -> None:
    check_rule_case(rule_id, facts, symptom, hits)
    hit = _run(rule_id, facts, symptom)
    assert hit is None or all(e.read and e.field for e in hit.evidence)


def test_every_rule_has_both_cases() -> None:
    assert {c[0] for c in CASES if c[3]} == set(OWNED)
    assert {c[0] for c in CASES if not c[3]} == set(OWNED)


def test_registered_ids_are_in_the_catalogue() -> None:
    mine = {rule_id for rule_id, fn in RULES.items() if fn.__module__ in MODULES}
    assert mine == set(OWNED)
    for rule_id, api_types in OWNED.items():
        assert sorted(catalogue()[rule_id].api_types) == sorted(api_types), rule_id


# ---- confidence ordering and fixes ----
def test_api_key_rules_separate_on_usage_plans() -> None:
    unlinked = rest(KEYED, plans=[plan("dev")], keys=[key()])
    first = _run("rest-api-key-not-linked-to-stage", unlinked, FORBIDDEN)
    second = _run("rest-api-key-missing-or-unknown", unlinked, FORBIDDEN)
    assert first is not None and second is not None and first.confidence > second.confidence
    assert first.fix is not None and "update_usage_plan(usagePlanId='up-dev'" in (first.fix.manual or "")
    assert f"'value': '{API}:prod'" in (first.fix.manual or "")
    logged = FORBIDDEN.model_copy(update={"message": "Invalid API Key identifier specified"})
    assert _run("rest-api-key-not-linked-to-stage", rest(KEYED, plans=[plan()], keys=[key()]), logged) is None
    hit = _run("rest-api-key-missing-or-unknown", rest(KEYED, plans=[plan()], keys=[key()]), logged)
    assert hit is not None and hit.confidence == 0.9


def test_throttle_zero_is_high_low_is_medium() -> None:
    zero = _run("http-stage-route-throttle-zero", http(default=ZERO_HTTP), TOO_MANY)
    low = _run(
        "http-stage-route-throttle-zero",
        http(default={"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 1.0}),
        TOO_MANY,
    )
    assert zero is not None and low is not None and zero.confidence == 0.9 and 0.5 <= low.confidence < 0.9
    assert zero.fix is not None and zero.fix.tool == "deploy_stage"
    assert zero.fix.args == {
        "api_id": API,
        "stage_name": "prod",
        "dry_run": True,
        "throttle": {"burst": 5000, "rate": 10000.0},
    }
    Throttle.model_validate(zero.fix.args["throttle"])


def test_route_throttle_fix_keeps_other_routes() -> None:
    facts = http(
        route("GET /orders", "r1"),
        route("POST /orders", "r2"),
        default=HIGH_HTTP,
        route_settings={
            "GET /orders": {"ThrottlingBurstLimit": 0},
            "POST /orders": {"ThrottlingRateLimit": 50.0},
        },
    )
    hit = _run("http-stage-route-throttle-zero", facts, TOO_MANY)
    assert hit is not None and hit.fix is not None and hit.fix.args is not None
    assert hit.evidence[0].field == "RouteSettings[GET /orders]"
    assert hit.fix.args["route_throttle"] == {
        "GET /orders": {"burst": 5000, "rate": 10000.0},
        "POST /orders": {"burst": 5000, "rate": 50.0},
    }


def test_websocket_throttle_fix_is_manual_and_keeps_fields() -> None:
    facts = http(route("$connect", "r1"), default=ZERO_HTTP, api_type="WEBSOCKET", match_key="$connect")
    hit = _run("http-stage-route-throttle-zero", facts, TOO_MANY)
    assert hit is not None and hit.fix is not None and hit.fix.tool is None
    assert "apigatewayv2.update_stage(" in (hit.fix.manual or "")
    assert "'DetailedMetricsEnabled': True" in (hit.fix.manual or "")


def test_account_throttle_is_weaker_when_a_low_limit_exists() -> None:
    low = http(default={"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 1.0})
    hit = _run("account-throttle-exceeded", low, TOO_MANY)
    assert hit is not None and hit.confidence < 0.5
    assert _run("account-throttle-exceeded", http(), LIMIT) is None


def test_quota_and_throttle_split_on_the_message() -> None:
    facts = rest(KEYED, plans=[{**QUOTA_PLAN, "throttle": {"rateLimit": 1.0, "burstLimit": 1}}], keys=[key()])
    assert _run("rest-usage-plan-quota-exceeded", facts, TOO_MANY) is None
    assert _run("rest-usage-plan-throttle-exceeded", facts, LIMIT) is None
    assert _run("rest-usage-plan-throttle-exceeded", facts, TOO_MANY) is not None


def test_http_cors_fixes_are_valid_configure_cors_calls() -> None:
    live = {"AllowOrigins": ["https://other.example.com"], "AllowMethods": ["GET"], "MaxAge": 300}
    hit = _run("http-cors-config-overrides-backend", http(cors=live), CORS_GET)
    assert hit is not None and hit.fix is not None and hit.fix.tool == "configure_cors" and hit.fix.args
    cors = hit.fix.args["cors"]
    assert cors["allow_origins"] == ["https://other.example.com", ORIGIN] and cors["max_age"] == 300
    assert hit.fix.args["dry_run"] is True
    Cors.model_validate(cors)
    creds = _run("cors-credentials-with-wildcard-origin", http(cors={"AllowOrigins": ["*"]}), CREDS)
    assert creds is not None and creds.fix is not None and creds.fix.args
    assert creds.fix.args["cors"]["allow_origins"] == [ORIGIN] and creds.fix.args["cors"]["allow_credentials"]
    Cors.model_validate(creds.fix.args["cors"])


def test_preflight_on_any_route_without_cors_adds_an_options_route() -> None:
    facts = http(route("ANY /orders", "r1", **JWT), match_key="ANY /orders")
    symptom = PREFLIGHT_401.model_copy(update={"origin": None})
    hit = _run("http-cors-preflight-hits-authorizer", facts, symptom)
    assert hit is not None and hit.fix is not None and hit.fix.tool == "add_route"
    assert hit.fix.args is not None
    assert hit.fix.args["route"] == {"route_key": "OPTIONS /orders", "integration_id": "i1", "auth": "NONE"}
    # a plain 401 with no sign of CORS is left to the auth rules
    plain = sym(status=401, method="GET", path="/orders")
    assert _run("http-cors-preflight-hits-authorizer", facts, plain) is None


def test_gateway_responses_cause_names_the_real_status() -> None:
    hit = _run("rest-cors-gateway-responses-missing-headers", rest(method(), gateway=GW_PLAIN), CORS_403)
    assert (
        hit is not None
        and hit.cause is not None
        and "the real status comes first" in hit.cause
        and "status 403" in hit.cause
    )
    assert hit.fix is not None and hit.fix.tool == "configure_cors" and hit.fix.args is not None
    assert hit.fix.args["cors"] == {"allow_origins": [ORIGIN]}


def test_gateway_responses_without_an_origin_to_name_stay_manual() -> None:
    no_origin = CORS_403.model_copy(update={"origin": None})
    hit = _run("rest-cors-gateway-responses-missing-headers", rest(method(), gateway=GW_PLAIN), no_origin)
    assert hit is not None and hit.fix is not None and hit.fix.tool is None
    assert "responseType='DEFAULT_4XX'" in (hit.fix.manual or "")


def test_rest_rules_need_a_cors_signal() -> None:
    plain = sym(status=403, error_body='{"message":"Forbidden"}', method="GET")
    for rule_id in ("rest-cors-options-method-missing", "rest-cors-gateway-responses-missing-headers"):
        assert _run(rule_id, rest(method(), gateway=GW_PLAIN), plain) is None


def test_no_key_values_in_evidence() -> None:
    facts = rest(KEYED, plans=[plan()], keys=[{**key(enabled=False), "value": "SECRETVALUE123"}])
    for rule_id in ("rest-api-key-disabled", "rest-api-key-missing-or-unknown"):
        hit = _run(rule_id, facts, FORBIDDEN)
        assert hit is not None
        assert "SECRETVALUE123" not in repr(hit)


def test_rules_stay_quiet_for_another_status() -> None:
    unlinked = rest(KEYED, plans=[plan("dev")], keys=[key()])
    assert _run("rest-api-key-not-linked-to-stage", unlinked, LIMIT) is None
    assert _run("rest-api-key-missing-or-unknown", unlinked, LIMIT) is None
    bad_gateway = sym(status=502, method="GET", path="/orders")
    assert _run("http-stage-route-throttle-zero", http(default=ZERO_HTTP), bad_gateway) is None
    assert _run("account-throttle-exceeded", http(), bad_gateway) is None


def test_a_preflight_mock_behind_an_authorizer_is_rebuilt_by_configure_cors() -> None:
    mock = method("OPTIONS", auth="CUSTOM", kind="MOCK", origin=True)
    hit = _run(
        "rest-cors-options-method-requires-auth", rest(method(), mock, verb="OPTIONS"), PREFLIGHT_REFUSED
    )
    assert hit is not None and hit.fix is not None and hit.fix.tool == "configure_cors"
    assert hit.fix.args == {"api_id": API, "cors": {"allow_origins": [ORIGIN]}, "dry_run": True}
    other = method("OPTIONS", auth="CUSTOM", kind="MOCK")  # no CORS headers: configure_cors would refuse it
    kept = _run(
        "rest-cors-options-method-requires-auth", rest(method(), other, verb="OPTIONS"), PREFLIGHT_REFUSED
    )
    assert kept is not None and kept.fix is not None and kept.fix.tool is None
    assert "update_method(" in str(kept.fix.manual)


def test_rest_credentials_fix_names_the_origin_never_the_wildcard() -> None:
    star = {_MR: "'*'", "method.response.header.Access-Control-Allow-Credentials": "'true'"}
    mock = method("OPTIONS", kind="MOCK")
    mock["methodIntegration"]["integrationResponses"]["200"]["responseParameters"] = star
    facts = rest(method(), mock)
    hit = _run("cors-credentials-with-wildcard-origin", facts, CORS_403)
    assert hit is not None and hit.fix is not None and hit.fix.tool == "configure_cors"
    assert hit.fix.args is not None
    assert hit.fix.args["cors"] == {"allow_origins": [ORIGIN], "allow_credentials": True}
    unnamed = _run(
        "cors-credentials-with-wildcard-origin", facts, CORS_403.model_copy(update={"origin": None})
    )
    assert unnamed is not None and unnamed.fix is not None and unnamed.fix.tool is None
