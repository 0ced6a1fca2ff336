"""Integration and WebSocket diagnosis rules: each fires on its evidence and stays silent when the facts
contradict it (pure: Facts built by hand from boto3-shaped dicts)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apigw_mcp.tools.diagnose import rules_integration  # noqa: F401  (registers the rules)
from apigw_mcp.tools.diagnose.catalogue import catalogue
from apigw_mcp.tools.diagnose.model import Facts, FunctionFacts, LogFacts, Match, RoleFacts, Symptom
from apigw_mcp.tools.diagnose.registry import RULES

from .helpers import check_rule_case

REGION, ACCOUNT, API = "us-east-1", "123456789012", "a1b2c3"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
REST_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}/invocations"
EXEC = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}"

MY_IDS = [
    "lambda-invoke-permission-missing",
    "lambda-permission-source-arn-mismatch",
    "lambda-integration-function-not-found",
    "rest-lambda-proxy-malformed-response",
    "http-lambda-payload-v1-malformed-response",
    "http-lambda-event-format-mismatch",
    "http-lambda-v2-inferred-response",
    "lambda-function-error",
    "lambda-function-timeout",
    "lambda-throttled",
    "rest-lambda-nonproxy-error-returns-200",
    "rest-mapping-configuration-error",
    "rest-integration-timeout",
    "http-integration-timeout",
    "http-backend-tls-certificate-invalid",
    "http-backend-unreachable",
    "rest-vpc-link-nlb-failure",
    "http-vpc-link-unavailable",
    "http-proxy-path-not-forwarded",
    "backend-error-passthrough",
    "http-private-integration-stage-prefix-in-path",
    "ws-route-selection-no-match",
    "ws-post-to-connection-gone",
    "ws-manage-connections-forbidden",
    "ws-no-route-response",
    "ws-connect-integration-fails",
    "ws-connection-limits",
]


def policy(*sources: str | None) -> str:
    statements: list[dict[str, Any]] = []
    for i, source in enumerate(sources):
        statement: dict[str, Any] = {
            "Sid": f"s{i}",
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": FN,
        }
        if source:
            statement["Condition"] = {"ArnLike": {"AWS:SourceArn": source}}
        statements.append(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


OK = policy(f"{EXEC}/*")


def fn(
    policy_json: str | None = OK, exists: bool = True, timeout: int = 3, state: str = "Active"
) -> FunctionFacts:
    return FunctionFacts(exists=exists, policy=policy_json, timeout_s=timeout, state=state)


def lambda_v2(payload: str = "2.0", **extra: Any) -> dict[str, Any]:
    return {"IntegrationType": "AWS_PROXY", "IntegrationUri": FN, "PayloadFormatVersion": payload, **extra}


def url_v2(uri: str = "https://api.example.com/orders", **extra: Any) -> dict[str, Any]:
    return {"IntegrationType": "HTTP_PROXY", "IntegrationUri": uri, "IntegrationMethod": "ANY", **extra}


def http(
    integration: dict[str, Any],
    route_key: str = "GET /orders",
    function: FunctionFacts | None = None,
    lines: tuple[str, ...] = (),
    stage: str = "prod",
    path: str = "/orders",
) -> Facts:
    return Facts(
        api_type="HTTP",
        api_id=API,
        region=REGION,
        account=ACCOUNT,
        routes=[
            {"RouteId": "r1", "RouteKey": route_key, "Target": "integrations/i1", "AuthorizationType": "NONE"}
        ],
        integrations=[{"IntegrationId": "i1", **integration}],
        stages=[{"StageName": stage, "AutoDeploy": True}],
        functions={FN: function} if function else {},
        logs=LogFacts(enabled=bool(lines), group="/aws/apigw/access", lines=list(lines)),
        match=Match(kind="route", route_key=route_key, route_id="r1", stage=stage, path=path, method="GET"),
    )


def lambda_rest(kind: str = "AWS_PROXY", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "uri": REST_URI, "httpMethod": "POST", "timeoutInMillis": 29000, **extra}


def url_rest(
    uri: str = "https://api.example.com/orders", kind: str = "HTTP_PROXY", **extra: Any
) -> dict[str, Any]:
    return {"type": kind, "uri": uri, "httpMethod": "ANY", "connectionType": "INTERNET", **extra}


def rest(
    integration: dict[str, Any],
    function: FunctionFacts | None = None,
    lines: tuple[str, ...] = (),
    resource: str = "/orders/{id}",
    path: str = "/orders/42",
    method_responses: tuple[str, ...] = ("200",),
    types: tuple[str, ...] = ("REGIONAL",),
) -> Facts:
    method = {
        "httpMethod": "GET",
        "authorizationType": "NONE",
        "methodIntegration": integration,
        "methodResponses": {code: {} for code in method_responses},
    }
    return Facts(
        api_type="REST",
        api_id=API,
        region=REGION,
        account=ACCOUNT,
        api={"id": API, "name": "orders", "endpointConfiguration": {"types": list(types)}},
        resources=[{"id": "res1", "path": resource, "resourceMethods": {"GET": method}}],
        stages=[{"stageName": "prod", "deploymentId": "d1", "variables": {"fn": "orders"}}],
        functions={FN: function} if function else {},
        logs=LogFacts(enabled=bool(lines), group="API-Gateway-Execution-Logs_a1b2c3/prod", lines=list(lines)),
        match=Match(
            kind="resource", resource_id="res1", resource_path=resource, method="GET", stage="prod", path=path
        ),
    )


def ws(
    routes: list[dict[str, Any]],
    matched: str | None = "sendMessage",
    function: FunctionFacts | None = None,
    lines: tuple[str, ...] = (),
) -> Facts:
    found = next((r for r in routes if r["RouteKey"] == matched), None)
    match = (
        Match(kind="route", route_key=matched, route_id=found["RouteId"], stage="prod") if found else Match()
    )
    return Facts(
        api_type="WEBSOCKET",
        api_id=API,
        region=REGION,
        account=ACCOUNT,
        api={"ApiId": API, "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action"},
        routes=routes,
        integrations=[{"IntegrationId": "i1", "IntegrationType": "AWS_PROXY", "IntegrationUri": FN}],
        stages=[{"StageName": "prod"}],
        functions={FN: function} if function else {},
        logs=LogFacts(enabled=bool(lines), lines=list(lines)),
        match=match.model_copy(update={"stage": "prod"}),
    )


ROLE = f"arn:aws:iam::{ACCOUNT}:role/chat-backend"
CALLBACK_URL = f"https://{API}.execute-api.{REGION}.amazonaws.com"
CALLBACK_403 = Symptom(
    status=403, message="An error occurred (ForbiddenException) when calling PostToConnection"
)
CALLBACK_410 = Symptom(status=410, message="An error occurred (GoneException) when calling PostToConnection")


def backend(allows: bool = True, url: str = f"{CALLBACK_URL}/prod") -> Facts:
    """A WebSocket API whose backend has this callback URL and a role that may (not) call @connections."""
    resource = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/*/POST/@connections/*"
    grant = {"Effect": "Allow", "Action": "execute-api:ManageConnections", "Resource": resource}
    inline = {"callbacks": {"Statement": [grant]}} if allows else {"logs": {"Statement": []}}
    function = FunctionFacts(policy=OK, role=ROLE, callback_env={"CALLBACK_URL": url})
    facts = ws(WS_ROUTES, None, function)
    return facts.model_copy(update={"roles": {ROLE: RoleFacts(arn=ROLE, inline=inline)}})


def route(key: str, rid: str, **extra: Any) -> dict[str, Any]:
    return {"RouteId": rid, "RouteKey": key, "Target": "integrations/i1", **extra}


WS_ROUTES = [route("$connect", "c"), route("sendMessage", "m")]
S500 = Symptom(status=500, error_body='{"message":"Internal Server Error"}', method="GET", path="/orders")
R502 = Symptom(status=502, error_body='{"message": "Internal server error"}', method="GET", stage="prod")
R500 = Symptom(status=500, error_body='{"message": "Internal server error"}', method="GET", stage="prod")
R504 = Symptom(status=504, error_body='{"message": "Endpoint request timed out"}', method="GET", stage="prod")
S503 = Symptom(status=503, error_body='{"message":"Service Unavailable"}', method="GET")
NOT_FOUND_404 = Symptom(status=404, error_body="<html>404 page not found</html>", method="GET")
WS_NO_REPLY = Symptom(keyword="websocket-no-reply")
WS_SENT_NO_REPLY = Symptom(keyword="websocket-no-reply", message='{"action":"sendMessage","text":"hi"}')
MALFORMED_LINE = json.dumps(
    {
        "status": "500",
        "integrationErrorMessage": "The response from the Lambda function doesn't match the format that "
        "API Gateway expects",
    }
)

# (rule id, facts, symptom, hits?)
CASES: list[tuple[str, Facts, Symptom, bool]] = [
    ("lambda-invoke-permission-missing", http(lambda_v2(), function=fn(None)), S500, True),
    ("lambda-invoke-permission-missing", rest(lambda_rest(), fn(policy(f"{EXEC}/*/GET/*"))), R500, False),
    ("lambda-invoke-permission-missing", http(lambda_v2(), function=fn()), S500, False),
    (
        "lambda-invoke-permission-missing",
        rest(
            lambda_rest(),
            None,
            ("Execution failed due to configuration error: Invalid permissions on Lambda function",),
        ),
        R500,
        True,
    ),
    (
        "lambda-permission-source-arn-mismatch",
        http(lambda_v2(), "$default", fn(policy(f"{EXEC}/*/*/*"))),
        S500,
        True,
    ),
    (
        "lambda-permission-source-arn-mismatch",
        http(lambda_v2(), "$default", fn(policy(f"{EXEC}/*"))),
        S500,
        False,
    ),
    (
        "lambda-permission-source-arn-mismatch",
        rest(lambda_rest(), fn(policy(f"{EXEC}/*/GET/orders/{{id}}"))),
        R500,
        True,
    ),
    (
        "lambda-permission-source-arn-mismatch",
        rest(lambda_rest(), fn(policy(f"{EXEC}/*/GET/orders/*"))),
        R500,
        False,
    ),
    (
        "lambda-permission-source-arn-mismatch",
        http(lambda_v2(), function=fn(policy(f"{EXEC[:-1]}z/*"))),
        S500,
        True,
    ),
    ("lambda-integration-function-not-found", http(lambda_v2(), function=fn(exists=False)), S500, True),
    ("lambda-integration-function-not-found", http(lambda_v2(), function=fn()), S500, False),
    (
        "lambda-integration-function-not-found",
        # the stage variable names a function that is gone (an undefined one is
        # integration-uri-stage-variable-undefined, which ranks first)
        rest(lambda_rest(uri=REST_URI.replace(":orders/", ":${stageVariables.fn}/")), fn(exists=False)),
        R500,
        True,
    ),
    (
        "rest-lambda-proxy-malformed-response",
        rest(
            lambda_rest(),
            fn(),
            ("Execution failed due to configuration error: Malformed Lambda proxy response",),
        ),
        R502,
        True,
    ),
    (
        "rest-lambda-proxy-malformed-response",
        rest(
            lambda_rest(),
            fn(),
            ("Lambda execution failed with status 200 due to customer function error: boom",),
        ),
        R502,
        False,
    ),
    ("rest-lambda-proxy-malformed-response", rest(lambda_rest(), fn(None)), R502, False),
    (
        "http-lambda-payload-v1-malformed-response",
        http(lambda_v2("1.0"), function=fn(), lines=(MALFORMED_LINE,)),
        S500,
        True,
    ),
    ("http-lambda-payload-v1-malformed-response", http(lambda_v2("2.0"), function=fn()), S500, False),
    (
        "http-lambda-event-format-mismatch",
        http(lambda_v2("2.0"), function=fn(), lines=("[ERROR] KeyError: 'httpMethod' Traceback ...",)),
        S500,
        True,
    ),
    ("http-lambda-event-format-mismatch", http(lambda_v2("1.0"), function=fn()), S500, False),
    (
        "http-lambda-v2-inferred-response",
        http(lambda_v2("2.0"), function=fn()),
        Symptom(status=200, keyword="wrong-response", error_body='{"status": 404, "body": "no such order"}'),
        True,
    ),
    (
        "http-lambda-v2-inferred-response",
        http(lambda_v2("1.0"), function=fn()),
        Symptom(status=200, keyword="wrong-response", error_body='{"status": 404, "body": "no such order"}'),
        False,
    ),
    (
        "lambda-function-error",
        rest(
            lambda_rest(),
            fn(),
            ("Lambda execution failed with status 200 due to customer function error: boom",),
        ),
        R502,
        True,
    ),
    ("lambda-function-error", http(lambda_v2(), function=fn(state="Failed")), S500, True),
    ("lambda-function-error", http(lambda_v2(), function=fn(None)), S500, False),
    (
        "lambda-function-timeout",
        rest(lambda_rest(), fn(), ("Lambda execution failed ... Task timed out after 3.00 seconds",)),
        R502,
        True,
    ),
    ("lambda-function-timeout", rest(lambda_rest(), fn(timeout=60)), R502, False),
    (
        "lambda-throttled",
        http(lambda_v2(), function=fn(), lines=("Lambda invocation failed with status: 429",)),
        S500,
        True,
    ),
    (
        "lambda-throttled",
        rest(
            lambda_rest(),
            fn(),
            ("Execution failed due to configuration error: Malformed Lambda proxy response",),
        ),
        R500,
        False,
    ),
    # a reserved concurrency of 0 throttles every invocation: no log line needed, no other Lambda cause left
    (
        "lambda-throttled",
        http(lambda_v2(), function=FunctionFacts(policy=OK, reserved_concurrency=0)),
        S500,
        True,
    ),
    ("lambda-throttled", rest(lambda_rest(), FunctionFacts(policy=OK, reserved_concurrency=0)), R500, True),
    (
        "lambda-throttled",
        http(lambda_v2(), function=FunctionFacts(policy=None, reserved_concurrency=0)),
        S500,
        False,
    ),
    (
        "rest-lambda-nonproxy-error-returns-200",
        rest(lambda_rest("AWS", integrationResponses={"200": {"statusCode": "200"}}), fn()),
        Symptom(status=200, error_body='{"errorMessage": "boom", "errorType": "ValueError"}'),
        True,
    ),
    (
        "rest-lambda-nonproxy-error-returns-200",
        rest(
            lambda_rest("AWS", integrationResponses={"200": {}, "500": {"selectionPattern": "boo.*"}}), fn()
        ),
        Symptom(status=200, error_body='{"errorMessage": "boom", "errorType": "ValueError"}'),
        False,
    ),
    (
        "rest-mapping-configuration-error",
        rest(
            lambda_rest("AWS", integrationResponses={"200": {}, "500": {"selectionPattern": ".*Error.*"}}),
            fn(),
        ),
        R500,
        True,
    ),
    (
        "rest-mapping-configuration-error",
        rest(
            lambda_rest("AWS", integrationResponses={"200": {}, "500": {"selectionPattern": ".*Error.*"}}),
            fn(),
            method_responses=("200", "500"),
        ),
        R500,
        False,
    ),
    ("rest-mapping-configuration-error", rest(lambda_rest("AWS_PROXY"), fn()), R500, False),
    ("rest-integration-timeout", rest(lambda_rest(), fn(timeout=60)), R504, True),
    (
        "rest-integration-timeout",
        rest(lambda_rest(), fn(timeout=10)),
        Symptom(status=504, keyword="timeout"),
        False,
    ),
    ("rest-integration-timeout", rest(url_rest(), None, ("Endpoint request timed out",)), R504, True),
    ("http-integration-timeout", http(lambda_v2(TimeoutInMillis=10000), function=fn(timeout=60)), S503, True),
    ("http-integration-timeout", http(lambda_v2(TimeoutInMillis=10000), function=fn(timeout=5)), S503, False),
    (
        "http-backend-tls-certificate-invalid",
        rest(url_rest(), lines=("Execution failed due to configuration error: General SSLEngine problem",)),
        R500,
        True,
    ),
    ("http-backend-tls-certificate-invalid", rest(url_rest("http://api.example.com/orders")), R500, False),
    ("http-backend-unreachable", http(url_v2("https://10.0.1.5/orders")), S503, True),
    (
        "http-backend-unreachable",
        rest(url_rest("https://internal-app-1.us-east-1.elb.amazonaws.com/x")),
        R500,
        True,
    ),
    (
        "http-backend-unreachable",
        rest(url_rest(), lines=("Execution failed due to configuration error: PKIX path building failed",)),
        R500,
        False,
    ),
    ("rest-vpc-link-nlb-failure", rest(url_rest(connectionType="VPC_LINK", connectionId="vl1")), R500, True),
    ("rest-vpc-link-nlb-failure", rest(url_rest()), R500, False),
    (
        "http-vpc-link-unavailable",
        http(
            url_v2(
                "arn:aws:elasticloadbalancing:...:listener/app/x",
                ConnectionType="VPC_LINK",
                ConnectionId="vl1",
            )
        ),
        S503,
        True,
    ),
    ("http-vpc-link-unavailable", http(url_v2()), S503, False),
    (
        "http-proxy-path-not-forwarded",
        http(url_v2("https://api.example.com"), "ANY /{proxy+}"),
        NOT_FOUND_404,
        True,
    ),
    (
        "http-proxy-path-not-forwarded",
        http(url_v2("https://api.example.com/{proxy}"), "ANY /{proxy+}"),
        NOT_FOUND_404,
        False,
    ),
    (
        "http-proxy-path-not-forwarded",
        rest(url_rest("https://api.example.com"), resource="/{proxy+}"),
        NOT_FOUND_404,
        True,
    ),
    (
        "backend-error-passthrough",
        http(url_v2(), lines=('{"status":"404","integrationStatus":"404","responseType":"-"}',)),
        NOT_FOUND_404,
        True,
    ),
    (
        "backend-error-passthrough",
        http(url_v2()),
        Symptom(status=404, error_body='{"message":"Not Found"}'),
        False,
    ),
    (
        "http-private-integration-stage-prefix-in-path",
        http(
            url_v2(
                "arn:aws:elasticloadbalancing:...:listener/app/x",
                ConnectionType="VPC_LINK",
                ConnectionId="vl1",
            )
        ),
        NOT_FOUND_404,
        True,
    ),
    (
        "http-private-integration-stage-prefix-in-path",
        http(
            url_v2("arn:aws:elasticloadbalancing:...", ConnectionType="VPC_LINK", ConnectionId="vl1"),
            stage="$default",
        ),
        NOT_FOUND_404,
        False,
    ),
    (
        "ws-route-selection-no-match",
        ws(WS_ROUTES, matched=None),
        Symptom(
            keyword="websocket-no-reply",
            error_body='{"message": "Forbidden", "connectionId":"Ab1=", "requestId":"x"}',
        ),
        True,
    ),
    (
        "ws-route-selection-no-match",
        ws([*WS_ROUTES, route("$default", "d")], matched=None),
        WS_NO_REPLY,
        False,
    ),
    # a backend's @connections call is no client request: it matches no route
    ("ws-post-to-connection-gone", ws(WS_ROUTES, None), Symptom(status=410, message="GoneException"), True),
    (
        "ws-post-to-connection-gone",
        ws(WS_ROUTES, None),
        Symptom(status=403, message="ForbiddenException"),
        False,
    ),
    (
        "ws-manage-connections-forbidden",
        ws(WS_ROUTES, None),
        Symptom(
            status=403,
            message="User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized to "
            "perform: execute-api:ManageConnections on resource: ...",
        ),
        True,
    ),
    (
        "ws-manage-connections-forbidden",
        ws(WS_ROUTES),
        Symptom(status=403, error_body='{"message":"Forbidden"}'),
        False,
    ),
    # the backend's own configuration read: its role's policies, its callback URL
    ("ws-manage-connections-forbidden", backend(allows=False), CALLBACK_403, True),
    ("ws-manage-connections-forbidden", backend(url=CALLBACK_URL), CALLBACK_403, True),
    ("ws-post-to-connection-gone", backend(url=f"{CALLBACK_URL}/dev"), CALLBACK_410, True),
    ("ws-no-route-response", ws(WS_ROUTES), WS_SENT_NO_REPLY, True),
    (
        "ws-no-route-response",
        ws([route("$connect", "c"), route("sendMessage", "m", RouteResponseSelectionExpression="$default")]),
        WS_NO_REPLY,
        False,
    ),
    (
        "ws-connect-integration-fails",
        ws(WS_ROUTES, "$connect", fn(policy(f"{EXEC}/*/*/*"))),
        Symptom(keyword="websocket-disconnect", message="Unexpected server response: 500"),
        True,
    ),
    (
        "ws-connect-integration-fails",
        ws([route("sendMessage", "m")], "sendMessage", fn(None)),
        Symptom(keyword="websocket-disconnect", message="Unexpected server response: 500"),
        False,
    ),
    (
        "ws-connection-limits",
        ws(WS_ROUTES, None),
        Symptom(keyword="websocket-disconnect", message="closed with code 1009"),
        True,
    ),
    (
        "ws-connection-limits",
        ws(WS_ROUTES, "$connect", fn()),
        Symptom(keyword="websocket-disconnect", message="Unexpected server response: 502"),
        False,
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "facts", "symptom", "hits"),
    CASES,
    ids=[f"{c[0]}-{'hit' if c[3] else 'none'}-{i}" for i, c in enumerate(CASES)],
)
def test_rule(rule_id: str, facts: Facts, symptom: Symptom, hits: bool) -> None:
    check_rule_case(rule_id, facts, symptom, hits)


def test_every_rule_has_cases_both_ways() -> None:
    for rule_id in MY_IDS:
        assert {hits for rid, _, _, hits in CASES if rid == rule_id} == {True, False}, rule_id


def test_registered_rules_are_in_the_catalogue() -> None:
    entries = catalogue()
    for rule_id in MY_IDS:
        assert rule_id in RULES and rule_id in entries, rule_id
    assert entries["http-lambda-v2-inferred-response"].api_types == ["HTTP"]
    assert entries["rest-lambda-proxy-malformed-response"].api_types == ["REST"]
    assert all(entries[r].api_types == ["WEBSOCKET"] for r in MY_IDS if r.startswith("ws-"))


def test_http_permission_fix_is_ensure_lambda_permission() -> None:
    hit = RULES["lambda-permission-source-arn-mismatch"](
        http(lambda_v2(), "$default", fn(policy(f"{EXEC}/*/*/*"))), S500
    )
    assert hit is not None and hit.fix is not None
    assert hit.fix.tool == "ensure_lambda_permission"
    assert hit.fix.args == {"api_id": API, "dry_run": True}
    assert any(e.field == "invoking SourceArn" and e.value == f"{EXEC}/prod/$default" for e in hit.evidence)


def test_rest_permission_fix_is_ensure_lambda_permission() -> None:
    hit = RULES["lambda-invoke-permission-missing"](rest(lambda_rest(), fn(None)), R500)
    assert hit is not None and hit.fix is not None
    assert (hit.fix.tool, hit.fix.args) == ("ensure_lambda_permission", {"api_id": API, "dry_run": True})


def test_websocket_permission_fix_is_a_scoped_add_permission() -> None:
    hit = RULES["lambda-invoke-permission-missing"](ws(WS_ROUTES, function=fn(None)), S500)
    assert hit is not None and hit.fix is not None and hit.fix.manual
    assert f'SourceArn="{EXEC}/*"' in hit.fix.manual and f'FunctionName="{FN}"' in hit.fix.manual


def test_websocket_routes_never_match_three_segment_source_arn() -> None:
    facts = ws(WS_ROUTES, "sendMessage", fn(policy(f"{EXEC}/*/*/*")))
    hit = RULES["lambda-permission-source-arn-mismatch"](facts, R500)
    assert hit is not None and hit.confidence >= 0.9
    assert RULES["lambda-permission-source-arn-mismatch"](ws(WS_ROUTES, "sendMessage", fn(OK)), R500) is None


def test_http_timeout_fix_raises_route_timeout_within_bounds() -> None:
    hit = RULES["http-integration-timeout"](
        http(lambda_v2(TimeoutInMillis=10000), function=fn(timeout=60)), S503
    )
    assert hit is not None and hit.fix is not None
    assert hit.fix.tool == "update_route"
    assert hit.fix.args == {
        "api_id": API,
        "route_key": "GET /orders",
        "change": {"timeout_ms": 30000},
        "dry_run": True,
    }
    hit = RULES["http-integration-timeout"](
        http(lambda_v2(TimeoutInMillis=5000), function=fn(timeout=12)), S503
    )
    assert hit is not None and hit.fix is not None and hit.fix.args is not None
    assert hit.fix.args["change"] == {"timeout_ms": 13000}


def test_rest_timeout_on_edge_api_at_the_limit_says_go_async() -> None:
    hit = RULES["rest-integration-timeout"](rest(lambda_rest(), fn(timeout=60), types=("EDGE",)), R504)
    assert hit is not None and hit.fix is not None and hit.fix.manual and "asynchronous" in hit.fix.manual


def test_log_evidence_masks_tokens() -> None:
    line = "Endpoint request timed out; Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"
    hit = RULES["rest-integration-timeout"](rest(url_rest(), None, (line,)), R504)
    assert hit is not None
    assert "eyJhbGci" not in json.dumps([e.model_dump() for e in hit.evidence])


def test_throttled_at_zero_names_the_exact_calls() -> None:
    hit = RULES["lambda-throttled"](
        http(lambda_v2(), function=FunctionFacts(policy=OK, reserved_concurrency=0)), S500
    )
    assert hit is not None and hit.confidence >= 0.9 and hit.fix is not None
    assert f'lambda.delete_function_concurrency(FunctionName="{FN}")' in str(hit.fix.manual)
    low = RULES["lambda-throttled"](
        http(lambda_v2(), function=FunctionFacts(policy=OK, reserved_concurrency=2), lines=("status: 429",)),
        S500,
    )
    assert low is not None and low.fix is not None
    assert "ReservedConcurrentExecutions=10" in str(low.fix.manual)


def test_lambda_errors_separate_on_log_evidence() -> None:
    facts = rest(lambda_rest(), fn(), ("Lambda execution failed ... Task timed out after 3.00 seconds",))
    fired = {
        r for r in MY_IDS if RULES[r](facts, R502) is not None and facts.api_type in catalogue()[r].api_types
    }
    assert "lambda-function-timeout" in fired
    assert not fired & {"rest-lambda-proxy-malformed-response", "lambda-throttled", "lambda-function-error"}
