"""Routing, stage, domain, payload, logging and cache rules of diagnose_error (pure predicates)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from apigw_mcp.tools.diagnose import rules_routing  # noqa: F401  (registers the rules)
from apigw_mcp.tools.diagnose.catalogue import catalogue
from apigw_mcp.tools.diagnose.model import ApiType, Facts, LogFacts, Match, Symptom
from apigw_mcp.tools.diagnose.registry import RULES

from .helpers import check_rule_case

API = "a1b2c3d4e5"
FN = "arn:aws:lambda:us-east-1:123456789012:function:orders"
URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations"
OWNED = {
    "rest-missing-resource-or-method",
    "wrong-stage-in-url",
    "rest-changes-not-deployed",
    "rest-proxy-resource-does-not-match-root",
    "http-route-not-found",
    "v2-stage-not-deployed",
    "custom-domain-base-path-mismatch",
    "custom-domain-no-api-mapping",
    "execute-api-endpoint-disabled",
    "cloudfront-forwards-host-header",
    "rest-canary-serving-other-deployment",
    "private-api-not-reachable-through-vpc-endpoint",
    "vpce-private-dns-blocks-public-api",
    "integration-uri-stage-variable-undefined",
    "payload-too-large",
    "rest-binary-media-types-missing",
    "rest-unsupported-media-type",
    "rest-request-validation-failed",
    "rest-account-cloudwatch-role-missing",
    "rest-execution-logging-off",
    "http-access-logging-not-configured",
    "no-logs-request-rejected-before-logging",
    "rest-cache-key-missing-parameters",
    "rest-cache-serving-stale-responses",
}

MAT = '{"message":"Missing Authentication Token"}'
FORBIDDEN = '{"message":"Forbidden"}'
ON_ORDERS = Match(
    kind="resource", resource_id="r1", resource_path="/orders", method="GET", stage="prod", path="/orders"
)
ON_ROUTE = Match(
    kind="route", route_key="GET /orders", route_id="rt1", method="GET", stage="prod", path="/orders"
)


def sym(**fields: Any) -> Symptom:
    """A Symptom (built by validation: mypy reads Symptom.now's Field(None, ...) as required)."""
    return Symptom.model_validate(fields)


def when(day: int) -> datetime:
    return datetime(2024, 5, day, tzinfo=UTC)


def method(**over: Any) -> dict[str, Any]:
    integ = {"type": "AWS_PROXY", "uri": URI, "httpMethod": "POST", **over.pop("integration", {})}
    return {
        "httpMethod": "GET",
        "authorizationType": "NONE",
        "apiKeyRequired": False,
        "methodIntegration": integ,
        **over,
    }


def rest(
    *,
    match: Match = ON_ORDERS,
    stage: dict[str, Any] | None = None,
    api: dict[str, Any] | None = None,
    get: dict[str, Any] | None = None,
    resources: list[dict[str, Any]] | None = None,
    **over: Any,
) -> Facts:
    base_resources: list[dict[str, Any]] = [
        {"id": "r0", "path": "/"},
        {
            "id": "r1",
            "parentId": "r0",
            "path": "/orders",
            "pathPart": "orders",
            "resourceMethods": {"GET": method(**(get or {}))},
        },
    ]
    return Facts(
        api_type="REST",
        api_id=API,
        region="us-east-1",
        account="123456789012",
        api={"id": API, "name": "orders", "endpointConfiguration": {"types": ["REGIONAL"]}, **(api or {})},
        resources=base_resources if resources is None else resources,
        stages=[{"stageName": "prod", "deploymentId": "d2", "methodSettings": {}, **(stage or {})}],
        deployments=[{"id": "d1", "createdDate": when(1)}, {"id": "d2", "createdDate": when(2)}],
        match=match,
        **over,
    )


def v2(
    *,
    match: Match = ON_ROUTE,
    stage: dict[str, Any] | None = None,
    api: dict[str, Any] | None = None,
    api_type: ApiType = "HTTP",
    routes: list[dict[str, Any]] | None = None,
    **over: Any,
) -> Facts:
    log = {
        "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:g",
        "Format": "$context.requestId",
    }
    base_stage = {"StageName": "prod", "AutoDeploy": True, "DeploymentId": "dep2", "AccessLogSettings": log}
    return Facts(
        api_type=api_type,
        api_id=API,
        region="us-east-1",
        account="123456789012",
        api={"ApiId": API, "Name": "orders", "ProtocolType": api_type, **(api or {})},
        routes=routes
        if routes is not None
        else [{"RouteId": "rt1", "RouteKey": "GET /orders", "Target": "integrations/i1"}],
        integrations=over.pop(
            "integrations", [{"IntegrationId": "i1", "IntegrationType": "AWS_PROXY", "IntegrationUri": FN}]
        ),
        stages=[{**base_stage, **(stage or {})}],
        deployments=[
            {"DeploymentId": "dep1", "CreatedDate": when(1)},
            {"DeploymentId": "dep2", "CreatedDate": when(2)},
        ],
        match=match,
        **over,
    )


def none(path: str, stage: str = "prod", method: str = "GET") -> Match:
    return Match(
        kind="none", method=method, stage=stage, path=path, assumed=f"stage {stage} taken from the path"
    )


S403 = sym(status=403, method="GET", path="/prod/missing", error_body=MAT)
S403F = sym(status=403, method="GET", path="/prod/orders", error_body=FORBIDDEN)
S404 = sym(status=404, method="GET", path="/prod/missing", error_body='{"message":"Not Found"}')
GREEDY_DEFAULT: dict[str, Any] = {
    "stage": {"StageName": "$default"},
    "routes": [
        {"RouteId": "rt1", "RouteKey": "GET /orders", "Target": "integrations/i1"},
        {"RouteId": "rt2", "RouteKey": "ANY /{proxy+}", "Target": "integrations/i1"},
    ],
    "match": Match(
        kind="route", route_key="ANY /{proxy+}", route_id="rt2", stage="$default", path="/prod/orders"
    ),
}
S404_ROUTED = sym(status=404, method="GET", path="/prod/orders", error_body='{"message":"Not Found"}')
NO_LOGS = sym(keyword="no-logs", method="GET", path="/prod/orders")
# a WebSocket API whose $connect route the refused upgrade reaches
WS_CONNECT: dict[str, Any] = {
    "api_type": "WEBSOCKET",
    "routes": [{"RouteId": "rt1", "RouteKey": "$connect", "Target": "integrations/i1"}],
    "match": Match(kind="route", route_key="$connect", route_id="rt1", stage="prod"),
}
WS_404 = sym(status=404, path="/prod", message="Unexpected server response: 404")
WS_NO_LOGS = sym(keyword="no-logs", path="/prod", message="Unexpected server response: 500")
STALE = sym(keyword="stale-data", method="GET", path="/prod/orders")
CACHED = {
    "cacheClusterEnabled": True,
    "methodSettings": {"*/*": {"cachingEnabled": True, "cacheTtlInSeconds": 300}},
}
PROXY: list[dict[str, Any]] = [
    {"id": "r0", "path": "/"},
    {"id": "r9", "parentId": "r0", "path": "/{proxy+}", "resourceMethods": {"ANY": method(httpMethod="ANY")}},
]
PRIVATE = {"endpointConfiguration": {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-111"]}}
VPCE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
                "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-111"}},
            },
        ],
    }
)
DOMAIN = {
    "DomainName": "api.example.com",
    "mappings": [{"restApiId": API, "stage": "prod", "basePath": "v1"}],
}
VAR_URI = URI.replace(":function:orders", ":function:${stageVariables.fn}")
UNSUPPORTED = {
    "integration": {
        "type": "AWS",
        "passthroughBehavior": "NEVER",
        "requestTemplates": {"application/json": "{}"},
    }
}

# (rule id, facts, symptom): the rule hits with confidence >= 0.5 and evidence
POSITIVE: list[tuple[str, Facts, Symptom]] = [
    ("rest-missing-resource-or-method", rest(match=none("/missing")), S403),
    ("rest-missing-resource-or-method", rest(match=none("/orders", method="POST")), S403),
    ("wrong-stage-in-url", rest(match=none("/orders", stage="production")), S403),
    (
        "wrong-stage-in-url",
        v2(match=none("/prod/orders", stage="$default"), stage={"StageName": "$default"}),
        sym(status=404, method="GET", path="/prod/orders", error_body='{"message":"Not Found"}'),
    ),
    ("rest-changes-not-deployed", rest(stage={"deploymentId": "d1"}), sym(keyword="stale-deploy")),
    ("rest-changes-not-deployed", rest(), sym(status=403, error_body=MAT)),
    (
        "rest-proxy-resource-does-not-match-root",
        rest(match=none("/").model_copy(update={"resource_id": "r0", "resource_path": "/"}), resources=PROXY),
        sym(status=403, method="GET", path="/prod/", error_body=MAT),
    ),
    (
        "rest-proxy-resource-does-not-match-root",
        v2(
            match=none("/"),
            routes=[{"RouteId": "rt9", "RouteKey": "ANY /{proxy+}", "Target": "integrations/i1"}],
        ),
        sym(status=404, method="GET", path="/prod/", error_body='{"message":"Not Found"}'),
    ),
    ("http-route-not-found", v2(match=none("/missing")), S404),
    ("v2-stage-not-deployed", v2(stage={"AutoDeploy": False, "DeploymentId": None}), S404_ROUTED),
    (
        "v2-stage-not-deployed",
        v2(stage={"AutoDeploy": False, "DeploymentId": "dep1"}),
        sym(keyword="stale-deploy"),
    ),
    ("v2-stage-not-deployed", v2(**WS_CONNECT, stage={"AutoDeploy": False, "DeploymentId": None}), WS_404),
    (
        "custom-domain-base-path-mismatch",
        rest(match=none("/prod/orders"), domains=[DOMAIN]),
        sym(status=403, method="GET", path="https://api.example.com/v1/prod/orders", error_body=MAT),
    ),
    (
        "custom-domain-no-api-mapping",
        rest(domains=[{"DomainName": "api.example.com", "mappings": []}]),
        S403F,
    ),
    (
        "custom-domain-no-api-mapping",
        v2(
            domains=[
                {
                    "DomainName": "api.example.com",
                    "mappings": [{"ApiId": API, "Stage": "dev", "ApiMappingKey": ""}],
                }
            ]
        ),
        S403F,
    ),
    ("execute-api-endpoint-disabled", v2(api={"DisableExecuteApiEndpoint": True}), S403F),
    ("execute-api-endpoint-disabled", rest(api={"disableExecuteApiEndpoint": True}), S403F),
    (
        "cloudfront-forwards-host-header",
        v2(),
        sym(status=403, error_body=f"{FORBIDDEN} x-cache: Error from cloudfront"),
    ),
    (
        "rest-canary-serving-other-deployment",
        rest(stage={"canarySettings": {"percentTraffic": 10.0, "deploymentId": "d1"}}),
        sym(keyword="wrong-response"),
    ),
    (
        "private-api-not-reachable-through-vpc-endpoint",
        rest(api={**PRIVATE, "policy": VPCE_POLICY}),
        sym(status=403, error_body=FORBIDDEN, message="called through vpce-222 in the build VPC"),
    ),
    ("private-api-not-reachable-through-vpc-endpoint", rest(api=PRIVATE), sym(keyword="timeout")),
    ("vpce-private-dns-blocks-public-api", rest(), S403F),
    (
        "vpce-private-dns-blocks-public-api",
        v2(),
        sym(status=403, error_body=FORBIDDEN, message="from a VPC endpoint"),
    ),
    (
        "integration-uri-stage-variable-undefined",
        rest(get={"integration": {"uri": VAR_URI}}),
        sym(status=500, error_body='{"message": "Internal server error"}'),
    ),
    (
        "integration-uri-stage-variable-undefined",
        v2(
            integrations=[
                {
                    "IntegrationId": "i1",
                    "IntegrationType": "HTTP_PROXY",
                    "IntegrationUri": "https://${stageVariables.host}/orders",
                }
            ]
        ),
        sym(status=500),
    ),
    ("payload-too-large", v2(), sym(status=413, error_body="Request Entity Too Large")),
    (
        "payload-too-large",
        rest(logs=LogFacts(enabled=True, lines=["Lambda invocation failed: RequestEntityTooLarge"])),
        sym(status=502),
    ),
    (
        "rest-binary-media-types-missing",
        rest(),
        sym(keyword="binary-corruption", message="image/png downloads come back as base64 text"),
    ),
    ("rest-binary-media-types-missing", rest(), sym(keyword="binary-corruption")),
    (
        "rest-unsupported-media-type",
        rest(get=UNSUPPORTED),
        sym(status=415, error_body='{"message":"Unsupported Media Type"}', message="sent text/plain"),
    ),
    (
        "rest-request-validation-failed",
        rest(get={"requestValidatorId": "v1", "requestParameters": {"method.request.querystring.id": True}}),
        sym(status=400, error_body='{"message": "Missing required request parameters: [id]"}'),
    ),
    (
        "rest-account-cloudwatch-role-missing",
        rest(stage={"methodSettings": {"*/*": {"loggingLevel": "INFO"}}}, apigw_account={}),
        NO_LOGS,
    ),
    (
        "rest-account-cloudwatch-role-missing",
        rest(),
        sym(
            keyword="no-logs",
            message="CloudWatch Logs role ARN must be set in account settings to enable logging",
        ),
    ),
    ("rest-execution-logging-off", rest(), NO_LOGS),
    ("rest-execution-logging-off", v2(**WS_CONNECT, stage={"AccessLogSettings": None}), WS_NO_LOGS),
    ("http-access-logging-not-configured", v2(stage={"AccessLogSettings": None}), NO_LOGS),
    ("no-logs-request-rejected-before-logging", rest(logs=LogFacts(enabled=True, group="g")), NO_LOGS),
    ("no-logs-request-rejected-before-logging", v2(logs=LogFacts(enabled=True, group="g")), NO_LOGS),
    (
        "rest-cache-key-missing-parameters",
        rest(stage=CACHED, get={"requestParameters": {"method.request.querystring.type": False}}),
        STALE,
    ),
    ("rest-cache-serving-stale-responses", rest(stage=CACHED), STALE),
]

# (rule id, facts, symptom): same symptom, facts that contradict the cause
NEGATIVE: list[tuple[str, Facts, Symptom]] = [
    ("rest-missing-resource-or-method", rest(), S403),
    ("rest-missing-resource-or-method", rest(match=none("/orders", stage="production")), S403),
    ("wrong-stage-in-url", rest(match=none("/missing")), S403),
    ("wrong-stage-in-url", v2(match=none("/missing")), S404),
    # a greedy route serves the whole path on $default: '/prod' is part of the path, not a stage
    ("wrong-stage-in-url", v2(**GREEDY_DEFAULT), sym(status=404, method="GET", path="/prod/orders")),
    ("rest-changes-not-deployed", rest(), sym(status=500)),
    ("rest-changes-not-deployed", rest(match=none("/missing")), S403),
    ("rest-proxy-resource-does-not-match-root", rest(match=none("/")), S403),
    ("rest-proxy-resource-does-not-match-root", rest(match=none("/missing"), resources=PROXY), S403),
    (
        "http-route-not-found",
        v2(match=none("/missing"), routes=[{"RouteId": "d", "RouteKey": "$default"}]),
        S404,
    ),
    ("http-route-not-found", v2(), S404),
    ("v2-stage-not-deployed", v2(), S404),
    ("v2-stage-not-deployed", v2(stage={"AutoDeploy": False}, match=none("/missing")), S404),
    (
        "custom-domain-base-path-mismatch",
        rest(match=none("/orders", stage="v1"), domains=[DOMAIN]),
        sym(status=403, method="GET", path="/v1/orders", error_body=MAT),
    ),
    (
        "custom-domain-base-path-mismatch",
        rest(match=none("/prod/orders", stage="v1")),
        sym(status=403, method="GET", path="/v1/prod/orders", error_body=MAT),
    ),
    ("custom-domain-no-api-mapping", rest(domains=[DOMAIN]), S403F),
    ("custom-domain-no-api-mapping", rest(), S403F),
    ("execute-api-endpoint-disabled", v2(), S403F),
    (
        "execute-api-endpoint-disabled",
        v2(api={"DisableExecuteApiEndpoint": True}, domains=[DOMAIN]),
        sym(status=403, error_body=FORBIDDEN, message="https://api.example.com/v1/orders"),
    ),
    (
        "cloudfront-forwards-host-header",
        rest(api=PRIVATE),
        sym(status=403, error_body=f"{FORBIDDEN} x-cache: Error from cloudfront"),
    ),
    ("cloudfront-forwards-host-header", v2(), S403F),
    (
        "rest-canary-serving-other-deployment",
        rest(stage={"canarySettings": {"percentTraffic": 0.0, "deploymentId": "d1"}}),
        sym(keyword="wrong-response"),
    ),
    (
        "rest-canary-serving-other-deployment",
        rest(stage={"canarySettings": {"percentTraffic": 10.0, "deploymentId": "d2"}}),
        sym(keyword="wrong-response"),
    ),
    (
        "private-api-not-reachable-through-vpc-endpoint",
        rest(),
        sym(status=403, error_body=FORBIDDEN, message="called through vpce-222 in the build VPC"),
    ),
    ("private-api-not-reachable-through-vpc-endpoint", rest(api=PRIVATE, match=none("/missing")), S403),
    ("vpce-private-dns-blocks-public-api", rest(api=PRIVATE), S403F),
    ("vpce-private-dns-blocks-public-api", rest(get={"authorizationType": "AWS_IAM"}), S403F),
    (
        "vpce-private-dns-blocks-public-api",
        rest(waf_acl_arn="arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/1"),
        S403F,
    ),
    (
        "integration-uri-stage-variable-undefined",
        rest(get={"integration": {"uri": VAR_URI}}, stage={"variables": {"fn": "orders-v2"}}),
        sym(status=500, error_body='{"message": "Internal server error"}'),
    ),
    ("integration-uri-stage-variable-undefined", rest(), sym(status=500)),
    ("payload-too-large", rest(), sym(status=502)),
    (
        "rest-binary-media-types-missing",
        rest(api={"binaryMediaTypes": ["image/*"]}),
        sym(keyword="binary-corruption", message="image/png downloads come back as base64 text"),
    ),
    (
        "rest-binary-media-types-missing",
        rest(api={"binaryMediaTypes": ["*/*"]}),
        sym(keyword="binary-corruption"),
    ),
    (
        "rest-unsupported-media-type",
        rest(),
        sym(status=415, error_body='{"message":"Unsupported Media Type"}', message="sent text/plain"),
    ),
    (
        "rest-unsupported-media-type",
        rest(get=UNSUPPORTED),
        sym(status=415, error_body='{"message":"Unsupported Media Type"}', message="sent application/json"),
    ),
    (
        "rest-request-validation-failed",
        rest(),
        sym(status=400, error_body='{"message": "Missing required request parameters: [id]"}'),
    ),
    (
        "rest-account-cloudwatch-role-missing",
        rest(stage={"methodSettings": {"*/*": {"loggingLevel": "OFF"}}}),
        NO_LOGS,
    ),
    ("rest-account-cloudwatch-role-missing", v2(api_type="WEBSOCKET"), NO_LOGS),
    (
        "rest-execution-logging-off",
        rest(stage={"methodSettings": {"*/*": {"loggingLevel": "ERROR"}}}),
        NO_LOGS,
    ),
    (
        "rest-execution-logging-off",
        rest(
            stage={"accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:g"}}
        ),
        NO_LOGS,
    ),
    ("http-access-logging-not-configured", v2(), NO_LOGS),
    ("no-logs-request-rejected-before-logging", rest(), NO_LOGS),
    (
        "no-logs-request-rejected-before-logging",
        rest(logs=LogFacts(enabled=True, group="g", lines=["x"])),
        sym(status=403),
    ),
    (
        "rest-cache-key-missing-parameters",
        rest(
            stage=CACHED,
            get={
                "requestParameters": {"method.request.querystring.type": False},
                "integration": {"cacheKeyParameters": ["method.request.querystring.type"]},
            },
        ),
        STALE,
    ),
    (
        "rest-cache-key-missing-parameters",
        rest(get={"requestParameters": {"method.request.querystring.type": False}}),
        STALE,
    ),
    ("rest-cache-serving-stale-responses", rest(), STALE),
    (
        "rest-cache-serving-stale-responses",
        rest(stage={"cacheClusterEnabled": True, "methodSettings": {"*/*": {"cachingEnabled": False}}}),
        STALE,
    ),
]


def _ids(cases: list[tuple[str, Facts, Symptom]]) -> list[str]:
    return [f"{rid}-{i}" for i, (rid, _, _) in enumerate(cases)]


@pytest.mark.parametrize(("rule_id", "facts", "symptom"), POSITIVE, ids=_ids(POSITIVE))
def test_rule_hits(rule_id: str, facts: Facts, symptom: Symptom) -> None:
    check_rule_case(rule_id, facts, symptom, hits=True)


@pytest.mark.parametrize(("rule_id", "facts", "symptom"), NEGATIVE, ids=_ids(NEGATIVE))
def test_rule_stays_quiet(rule_id: str, facts: Facts, symptom: Symptom) -> None:
    check_rule_case(rule_id, facts, symptom, hits=False)


def test_every_owned_rule_is_registered_catalogued_and_tested() -> None:
    rules = catalogue()
    assert set(RULES) >= OWNED
    assert set(rules) >= OWNED
    assert {c[0] for c in POSITIVE} == OWNED
    assert {c[0] for c in NEGATIVE} == OWNED
    assert set(rules["rest-execution-logging-off"].api_types) == {"REST", "WEBSOCKET"}
    assert set(rules["http-access-logging-not-configured"].api_types) == {"HTTP"}
    for rid in OWNED:
        assert rules[rid].api_types, rid


def test_logging_off_gets_a_low_hit_for_other_symptoms() -> None:
    hit = RULES["rest-execution-logging-off"](rest(), sym(status=502))
    assert hit is not None
    assert hit.confidence < 0.5
    assert hit.fix is not None and hit.fix.tool == "deploy_stage"
    assert hit.fix.args == {
        "api_id": API,
        "stage_name": "prod",
        "rest": {"logging": {"level": "ERROR"}},
        "dry_run": True,
    }


def test_logging_fix_without_the_account_role_is_manual() -> None:
    facts = rest().model_copy(update={"apigw_account": {}})
    hit = RULES["rest-execution-logging-off"](facts, NO_LOGS)
    assert hit is not None and hit.fix is not None and hit.fix.tool is None
    assert "cloudwatchRoleArn" in str(hit.fix.manual) and "deploy_stage(" in str(hit.fix.manual)


def test_fixes_carry_real_ids_and_dry_run() -> None:
    hit = RULES["http-route-not-found"](v2(match=none("/missing")), S404)
    assert hit is not None
    assert hit.fix is not None
    assert hit.fix.tool == "add_route"
    assert hit.fix.args == {
        "api_id": API,
        "route": {"route_key": "GET /missing", "integration_id": "i1"},
        "dry_run": True,
    }
    wrong = RULES["wrong-stage-in-url"](rest(match=none("/orders", stage="prd")), S403)
    assert wrong is not None
    assert wrong.fix is not None
    assert "'prod'" in (wrong.fix.manual or "")
    missing = RULES["rest-missing-resource-or-method"](rest(match=none("/orders/items")), S403)
    assert missing is not None
    assert missing.fix is not None
    assert "parentId='r1'" in (missing.fix.manual or "")
    logs = RULES["http-access-logging-not-configured"](v2(stage={"AccessLogSettings": None}), NO_LOGS)
    assert logs is not None
    assert logs.fix is not None
    assert logs.fix.tool == "deploy_stage"
    assert logs.fix.args is not None
    assert logs.fix.args["dry_run"] is True
    assert "$context.error.message" in logs.fix.args["log_format"]


def test_escaped_resource_policy_is_parsed() -> None:
    escaped = VPCE_POLICY.replace('"', '\\"')
    facts = rest(api={**PRIVATE, "policy": escaped})
    hit = RULES["private-api-not-reachable-through-vpc-endpoint"](
        facts, sym(status=403, message="via vpce-222")
    )
    assert hit is not None
    assert hit.confidence == 0.9


def test_http_default_stage_with_stage_prefix_lowers_route_not_found() -> None:
    facts = v2(match=none("/prod/orders", stage="$default"), stage={"StageName": "$default"})
    hit = RULES["http-route-not-found"](facts, S404)
    assert hit is not None
    assert hit.confidence == 0.5


def test_a_greedy_route_serving_the_whole_path_is_no_stage_prefix() -> None:
    from apigw_mcp.tools.diagnose.engine import diagnose

    found = diagnose(v2(**GREEDY_DEFAULT), sym(status=404, method="GET", path="/prod/orders"))
    assert "wrong-stage-in-url" not in [f.rule_id for f in found.findings]
    assert "serves the whole path" in found.assumed


def test_rest_mapping_without_stage_is_not_a_missing_mapping() -> None:
    domain = {"DomainName": "api.example.com", "mappings": [{"restApiId": API, "basePath": "v1"}]}
    assert RULES["custom-domain-no-api-mapping"](rest(domains=[domain]), S403F) is None


def test_signature_mismatch_without_cloudfront_stays_low() -> None:
    said = sym(
        status=403, error_body="The request signature we calculated does not match the signature you provided"
    )
    hit = RULES["cloudfront-forwards-host-header"](v2(), said)
    assert hit is not None
    assert hit.confidence < 0.5


def test_url_repeating_the_stage_lowers_missing_resource() -> None:
    facts = rest(match=none("/prod/orders"))
    hit = RULES["rest-missing-resource-or-method"](facts, S403)
    assert hit is not None
    assert hit.confidence == 0.5


def test_no_log_lines_unread_is_not_evidence() -> None:
    assert RULES["no-logs-request-rejected-before-logging"](v2(), sym(status=404)) is None
    read = v2(logs=LogFacts(enabled=True, group="/aws/apigw/orders"))
    hit = RULES["no-logs-request-rejected-before-logging"](read, sym(status=404))
    assert hit is not None
    assert hit.confidence == 0.6


@pytest.mark.parametrize(
    ("facts", "symptom", "rule_id"),
    [
        (
            rest(),
            sym(status=403, method="GET", path="/production/orders", error_body=MAT),
            "wrong-stage-in-url",
        ),
        (
            rest(domains=[DOMAIN]),
            sym(status=403, method="GET", path="https://api.example.com/v1/prod/orders", error_body=MAT),
            "custom-domain-base-path-mismatch",
        ),
        (v2(), sym(status=404, method="GET", path="/prod/nothing"), "http-route-not-found"),
        (rest(), NO_LOGS, "rest-execution-logging-off"),
    ],
)
def test_engine_ranks_the_routing_cause_high(facts: Facts, symptom: Symptom, rule_id: str) -> None:
    from apigw_mcp.tools.diagnose.engine import diagnose

    found = {f.rule_id: f.confidence for f in diagnose(facts, symptom).findings}
    assert found.get(rule_id, 0) >= 0.8, found


def test_rest_url_without_a_stage_is_a_wrong_stage_finding() -> None:
    from apigw_mcp.tools.diagnose.engine import diagnose

    facts = Facts.model_validate(
        {
            "api_type": "REST",
            "api_id": "r1",
            "region": "us-east-1",
            "account": "123456789012",
            "resources": [{"id": "root", "path": "/"}],
        }
    )
    found = diagnose(facts, Symptom.model_validate({"status": 403, "method": "GET", "path": "/"}))
    assert found.findings[0].rule_id == "wrong-stage-in-url"
    assert "create_deployment" in str(found.findings[0].fix.manual)
