"""The guard: fail closed, one named denial per rule, judged on the planned steps themselves.

Every write operation of the table starts from a valid step (``VALID``); each case then
changes one parameter the way an attacker or a planner bug would, and names the rule
that must refuse it.
"""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.engine.errors import OutOfScope
from apigw_mcp.tools.engine.guard import check, enforce
from apigw_mcp.tools.engine.operations import OPERATIONS
from apigw_mcp.tools.engine.plan import Effect, Plan, Step
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope

ACCOUNT = "123456789012"
OTHER = "210987654321"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
LOG = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/apigateway/orders"
AUTH_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}/invocations"
CHANGEABLE = ("abc123",)
DEFAULT = Scope(region=REGION)
DELETES = Scope(region=REGION, allow_deletes=True)
SERVICE = {"add_permission": "lambda", "remove_permission": "lambda"}
SERVICE |= {"create_log_group": "logs", "delete_log_group": "logs"}
STAGE = {
    "ApiId": "abc123",
    "StageName": "prod",
    "AutoDeploy": True,
    "Description": "d",
    "StageVariables": {"env": "prod"},
    "DefaultRouteSettings": {"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.5},
    "RouteSettings": {"GET /x": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1}},
    "AccessLogSettings": {"DestinationArn": LOG, "Format": '{"id":"$context.requestId"}'},
}
AUTHORIZER = {
    "ApiId": "abc123",
    "Name": "users",
    "AuthorizerType": "JWT",
    "IdentitySource": ["$request.header.Authorization"],
    "JwtConfiguration": {"Issuer": "https://issuer.example.com", "Audience": ["app"]},
}
LAMBDA_AUTHORIZER = {
    "ApiId": "abc123",
    "Name": "custom",
    "AuthorizerType": "REQUEST",
    "IdentitySource": [],
    "AuthorizerUri": AUTH_URI,
    "AuthorizerPayloadFormatVersion": "2.0",
    "AuthorizerResultTtlInSeconds": 0,
    "EnableSimpleResponses": True,
}
PERMISSION = {
    "FunctionName": FN,
    "StatementId": "apigw-mcp-abc123",
    "Action": "lambda:InvokeFunction",
    "Principal": "apigateway.amazonaws.com",
    "SourceArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*",
}
INTEGRATION = {
    "ApiId": "abc123",
    "IntegrationType": "AWS_PROXY",
    "IntegrationUri": FN,
    "IntegrationMethod": "POST",
    "PayloadFormatVersion": "2.0",
    "TimeoutInMillis": 30000,
}
ROUTE = {"ApiId": "abc123", "AuthorizationType": "JWT", "Target": "integrations/i1", "AuthorizerId": "a1"}
VALID: dict[str, dict[str, Any]] = {
    "create_api": {
        "Name": "orders",
        "ProtocolType": "HTTP",
        "Description": "d",
        "CorsConfiguration": {"AllowOrigins": ["https://app.example.com"], "AllowCredentials": False},
        "Tags": {MANAGED_TAG: "true", "team": "x"},
    },
    "update_api": {"ApiId": "abc123", "Description": "d"},
    "delete_cors_configuration": {"ApiId": "abc123"},
    "delete_api": {"ApiId": "abc123"},
    "tag_resource": {"ResourceArn": f"arn:aws:apigateway:{REGION}::/apis/abc123", "Tags": {"team": "x"}},
    "create_authorizer": AUTHORIZER,
    "update_authorizer": {**LAMBDA_AUTHORIZER, "AuthorizerId": "a1"},
    "delete_authorizer": {"ApiId": "abc123", "AuthorizerId": "a1"},
    "create_integration": INTEGRATION,
    "update_integration": {"ApiId": "abc123", "IntegrationId": "i1", "TimeoutInMillis": 5000},
    "delete_integration": {"ApiId": "abc123", "IntegrationId": "i1"},
    "create_route": {**ROUTE, "RouteKey": "GET /orders/{id}", "AuthorizationScopes": ["read"]},
    "update_route": {**ROUTE, "RouteId": "r1"},
    "delete_route": {"ApiId": "abc123", "RouteId": "r1"},
    "create_stage": STAGE,
    "update_stage": STAGE,
    "delete_stage": {"ApiId": "abc123", "StageName": "prod"},
    "delete_route_settings": {"ApiId": "abc123", "StageName": "prod", "RouteKey": "GET /x"},
    "delete_access_log_settings": {"ApiId": "abc123", "StageName": "prod"},
    "create_deployment": {"ApiId": "abc123", "StageName": "prod"},
    "add_permission": PERMISSION,
    "remove_permission": {"FunctionName": FN, "StatementId": "apigw-mcp-abc123"},
    "create_log_group": {"logGroupName": "/aws/apigateway/orders"},
    "delete_log_group": {"logGroupName": "/aws/apigateway/orders"},
}


def step(operation: str, step_id: str = "s1", **params: Any) -> Step:
    effect: Effect = "delete" if operation.startswith(("delete_", "remove_")) else "create"
    return Step(
        id=step_id,
        service=SERVICE.get(operation, "apigatewayv2"),
        operation=operation,
        effect=effect,
        resource="r",
        params=params,
    )


def valid(operation: str, **changes: Any) -> Step:
    params = {**VALID[operation], **changes}
    return step(operation, **{k: v for k, v in params.items() if v is not ...})


def plan(*steps: Step, region: str = REGION, account: str = ACCOUNT) -> Plan:
    return Plan(summary="test", account=account, region=region, steps=list(steps))


def rules(the_plan: Plan, scope: Scope = DELETES) -> list[str]:
    return [v.rule for v in check(the_plan, scope, CHANGEABLE)]


def test_every_write_operation_declares_its_parameters_and_a_target() -> None:
    # REST (apigateway) and WAF writes: tests/test_core_guard_rest.py
    writes = [op for op in OPERATIONS if op.access != "read" and op.service not in ("apigateway", "wafv2")]
    assert {op.name for op in writes} == set(VALID)
    for op in writes:
        assert op.params, op.name
        assert any(p.target for p in op.params.values()), f"{op.name} has no target parameter"


@pytest.mark.parametrize("operation", sorted(VALID))
def test_valid_step_of_every_write_passes(operation: str) -> None:
    assert rules(plan(valid(operation))) == []


@pytest.mark.parametrize("operation", sorted(VALID))
def test_unknown_parameter_is_refused_for_every_write(operation: str) -> None:
    """Fail closed: a parameter the table does not declare never reaches AWS."""
    assert rules(plan(valid(operation, CredentialsArn=f"arn:aws:iam::{OTHER}:role/x"))) == [
        "unknown-parameter"
    ]


@pytest.mark.parametrize("operation", sorted(op for op in VALID if op != "create_api"))
def test_step_without_its_target_is_refused(operation: str) -> None:
    target = next(
        k for k in VALID[operation] if k in ("ApiId", "ResourceArn", "FunctionName", "logGroupName")
    )
    assert rules(plan(valid(operation, **{target: ...}))) == ["no-target"]


BAD: list[tuple[str, Step, str]] = [
    ("api-not-in-scope", valid("create_route", ApiId="other9"), "api-scope"),
    ("api-placeholder-to-nowhere", valid("create_route", ApiId="${api.ApiId}"), "invalid-ref"),
    ("create-api-untagged", valid("create_api", Tags={"team": "x"}), "api-scope"),
    ("create-api-name-crlf", valid("create_api", Name="a\r\nb"), "invalid-value"),
    (
        "tag-other-api",
        valid("tag_resource", ResourceArn=f"arn:aws:apigateway:{REGION}::/apis/other9"),
        "api-scope",
    ),
    (
        "tag-other-region",
        valid("tag_resource", ResourceArn="arn:aws:apigateway:eu-west-1::/apis/abc123"),
        "api-scope",
    ),
    (
        "lambda-other-account",
        valid("create_integration", IntegrationUri=FN.replace(ACCOUNT, OTHER)),
        "lambda-scope",
    ),
    (
        "lambda-other-region",
        valid("create_integration", IntegrationUri=FN.replace(REGION, "eu-west-1")),
        "lambda-scope",
    ),
    (
        "lambda-other-partition",
        valid("create_integration", IntegrationUri=FN.replace("aws", "aws-cn", 1)),
        "lambda-scope",
    ),
    (
        "integration-private-url",
        valid("create_integration", IntegrationUri="https://10.0.0.5/"),
        "integration-target",
    ),
    (
        "integration-metadata-url",
        valid("create_integration", IntegrationUri="https://169.254.169.254/"),
        "integration-target",
    ),
    (
        "integration-fullwidth-dot",
        valid("create_integration", IntegrationUri="https://169.254.169\uff0e254/"),
        "integration-target",
    ),
    (
        "integration-http",
        valid("create_integration", IntegrationUri="http://api.example.com/"),
        "integration-target",
    ),
    ("integration-type", valid("create_integration", IntegrationType="AWS"), "invalid-value"),
    ("integration-timeout", valid("update_integration", TimeoutInMillis=60000), "invalid-value"),
    (
        "issuer-metadata",
        valid(
            "create_authorizer",
            JwtConfiguration={"Issuer": "http://169.254.169.254/latest", "Audience": ["a"]},
        ),
        "issuer-target",
    ),
    (
        "issuer-loopback-unicode",
        valid(
            "create_authorizer",
            JwtConfiguration={"Issuer": "https://\uff11\uff12\uff17.0.0.1", "Audience": ["a"]},
        ),
        "issuer-target",
    ),
    (
        "issuer-unknown-field",
        valid(
            "create_authorizer",
            JwtConfiguration={"Issuer": "https://i.example.com", "Audience": ["a"], "Jwks": "x"},
        ),
        "unknown-parameter",
    ),
    (
        "authorizer-uri-other-account",
        valid("update_authorizer", AuthorizerUri=AUTH_URI.replace(ACCOUNT, OTHER)),
        "lambda-scope",
    ),
    (
        "authorizer-uri-other-region",
        valid(
            "update_authorizer",
            AuthorizerUri=AUTH_URI.replace(f"apigateway:{REGION}", "apigateway:eu-west-1"),
        ),
        "lambda-scope",
    ),
    (
        "authorizer-uri-not-lambda",
        valid("update_authorizer", AuthorizerUri="https://evil.example.com/auth"),
        "lambda-scope",
    ),
    (
        "access-log-other-account",
        valid(
            "create_stage",
            AccessLogSettings={"DestinationArn": LOG.replace(ACCOUNT, OTHER), "Format": "$context.requestId"},
        ),
        "log-scope",
    ),
    (
        "access-log-other-region",
        valid(
            "update_stage",
            AccessLogSettings={
                "DestinationArn": LOG.replace(REGION, "eu-west-1"),
                "Format": "$context.requestId",
            },
        ),
        "log-scope",
    ),
    (
        "access-log-other-partition",
        valid(
            "update_stage",
            AccessLogSettings={
                "DestinationArn": LOG.replace("aws", "aws-us-gov", 1),
                "Format": "$context.requestId",
            },
        ),
        "log-scope",
    ),
    (
        "access-log-firehose",
        valid(
            "update_stage",
            AccessLogSettings={
                "DestinationArn": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/x",
                "Format": "$context.requestId",
            },
        ),
        "log-scope",
    ),
    (
        "stage-variable-crlf",
        valid("update_stage", StageVariables={"a": "x\r\nSet-Cookie: y"}),
        "invalid-value",
    ),
    ("stage-name-traversal", valid("create_stage", StageName="../prod"), "invalid-value"),
    ("route-key-dotdot", valid("create_route", RouteKey="GET /a/../admin"), "invalid-value"),
    ("route-key-lowercase-method", valid("create_route", RouteKey="get /a"), "invalid-value"),
    (
        "route-settings-bad-key",
        valid("update_stage", RouteSettings={"../x": {"ThrottlingRateLimit": 1}}),
        "invalid-value",
    ),
    (
        "route-settings-bad-field",
        valid("update_stage", RouteSettings={"GET /x": {"LoggingLevel": "INFO"}}),
        "unknown-parameter",
    ),
    (
        "throttle-negative",
        valid("create_stage", DefaultRouteSettings={"ThrottlingBurstLimit": -1}),
        "invalid-value",
    ),
    ("route-target-not-integration", valid("create_route", Target="arn:aws:lambda:x"), "invalid-value"),
    ("description-too-long", valid("update_api", Description="x" * 1025), "invalid-value"),
    (
        "cors-bad-origin",
        valid("update_api", CorsConfiguration={"AllowOrigins": ["https://a.com/path"]}),
        "invalid-value",
    ),
    (
        "cors-star-credentials",
        valid("update_api", CorsConfiguration={"AllowOrigins": ["*"], "AllowCredentials": True}),
        "invalid-value",
    ),
    (
        "permission-any-api",
        valid("add_permission", SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:*/*"),
        "permission-scope",
    ),
    (
        "permission-prefix-wildcard",
        valid("add_permission", SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a*/*"),
        "permission-scope",
    ),
    (
        "permission-any-region",
        valid("add_permission", SourceArn="arn:aws:execute-api:*:*:abc123/*"),
        "permission-scope",
    ),
    (
        "permission-other-api",
        valid("add_permission", SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:other9/*"),
        "api-scope",
    ),
    ("permission-principal", valid("add_permission", Principal="*"), "permission-scope"),
    ("permission-action", valid("add_permission", Action="lambda:*"), "permission-scope"),
    (
        "permission-foreign-statement",
        valid("remove_permission", StatementId="AllowEveryone"),
        "permission-scope",
    ),
    (
        "permission-statement-other-api",
        valid("remove_permission", StatementId="apigw-mcp-other9"),
        "api-scope",
    ),
    ("log-group-name", valid("create_log_group", logGroupName="a b"), "log-scope"),
]


@pytest.mark.parametrize(("the_step", "rule"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_value_is_refused_by_its_rule(the_step: Step, rule: str) -> None:
    assert rules(plan(the_step)) == [rule]


SCOPED: list[tuple[str, Plan, Scope, str, str]] = [
    (
        "unknown-operation",
        plan(step("delete_everything", ApiId="abc123")),
        DEFAULT,
        "unknown-operation",
        "delete_everything",
    ),
    ("read-in-plan", plan(step("get_routes", ApiId="abc123")), DEFAULT, "unknown-operation", "get_routes"),
    (
        "read-only",
        plan(valid("create_route")),
        Scope(region=REGION, read_only=True),
        "read-only",
        "APIGW_MCP_READ_ONLY",
    ),
    ("deletes-off", plan(valid("delete_route")), DEFAULT, "deletes-off", "APIGW_MCP_ALLOW_DELETES"),
    (
        "lambda-outside-patterns",
        plan(valid("create_integration")),
        Scope(region=REGION, lambda_arns=(FN + "-x",)),
        "lambda-scope",
        "APIGW_MCP_LAMBDA_ARNS",
    ),
    ("region-mismatch", plan(region="eu-west-1"), DEFAULT, "region", "APIGW_MCP_REGION"),
    (
        "account-pin",
        plan(account=OTHER),
        Scope(region=REGION, account=ACCOUNT),
        "account",
        "APIGW_MCP_ACCOUNT",
    ),
]


@pytest.mark.parametrize(
    ("the_plan", "scope", "rule", "setting"), [d[1:] for d in SCOPED], ids=[d[0] for d in SCOPED]
)
def test_scope_denial_names_the_setting(the_plan: Plan, scope: Scope, rule: str, setting: str) -> None:
    assert rules(the_plan, scope) == [rule]
    with pytest.raises(OutOfScope) as info:
        enforce(the_plan, scope, CHANGEABLE)
    assert info.value.rule == rule and f"refused ({rule})" in str(info.value)
    assert setting in str(info.value)


def test_placeholders_name_earlier_steps_only() -> None:
    create = valid("create_api")
    route = valid("create_route", ApiId="${api.ApiId}", Target="integrations/${int1.IntegrationId}")
    integration = step("create_integration", "int1", **{**INTEGRATION, "ApiId": "${api.ApiId}"})
    ordered = plan(create.model_copy(update={"id": "api"}), integration, route)
    assert rules(ordered) == []
    backwards = plan(route, create.model_copy(update={"id": "api"}), integration)
    assert rules(backwards)[0] == "invalid-ref"
    permission = valid("add_permission", SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:${{api.ApiId}}/*")
    assert rules(plan(create.model_copy(update={"id": "api"}), permission)) == []


def test_a_long_refusal_names_the_first_steps_and_the_count() -> None:
    many = plan(*[step("delete_route", f"d{i}", ApiId="abc123", RouteId=f"r{i}") for i in range(40)])
    with pytest.raises(OutOfScope) as info:
        enforce(many, DEFAULT, CHANGEABLE)
    message = str(info.value)
    assert "d0:" in message and "d2:" in message and "d3:" not in message
    assert "and 37 more step(s) refused" in message and len(message) < 600


def test_every_denied_step_is_reported() -> None:
    the_plan = plan(
        step("create_route", "a", **{**VALID["create_route"], "ApiId": "other9"}),
        step("create_route", "b", **VALID["create_route"]),
        step("delete_route", "c", **VALID["delete_route"]),
    )
    assert [(v.step_id, v.rule) for v in check(the_plan, DEFAULT, CHANGEABLE)] == [
        ("a", "api-scope"),
        ("c", "deletes-off"),
    ]
