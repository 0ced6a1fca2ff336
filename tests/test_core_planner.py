"""plan_http_api and plan_delete_api against golden plans, and the permission-coverage helpers."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope
from apigw_mcp.tools.kinds.http.inputs import CreateHttpApiArgs
from apigw_mcp.tools.kinds.http.live import (
    LiveHttpApi,
    execute_api_arn,
    live_http_api,
    permission_covers,
    source_arns,
)
from apigw_mcp.tools.kinds.http.plan_delete import plan_delete_api
from apigw_mcp.tools.kinds.http.planner import LiveExtras, PlanContext, plan_http_api
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec

GOLDEN = Path(__file__).parent / "golden"
ACCOUNT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
OLD_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:old"
AUTH_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:authz"
ISSUER = "https://issuer.example.com"
LEGACY = "https://legacy.example.com/api"
CTX = PlanContext(scope=Scope(region=REGION), account=ACCOUNT, identity=f"arn:aws:iam::{ACCOUNT}:role/dev")
CORS = {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET", "POST"], "max_age": 300}


def assert_golden(name: str, data: Any) -> None:
    """Compare with tests/golden/NAME.json; UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        return
    expected = path.read_text() if path.exists() else ""
    if text != expected:
        diff = difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(path), "actual")
        pytest.fail(f"{path.name} differs (rerun with UPDATE_GOLDEN=1 if intended):\n{''.join(diff)}")


def request(**overrides: Any) -> HttpApiSpec:
    args: dict[str, Any] = {
        "name": "orders",
        "description": "Orders API",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FN},
            {"route_key": "GET /orders/{id}", "lambda_arn": FN},
            {"route_key": "ANY /legacy/{proxy+}", "url": LEGACY, "timeout_ms": 5000},
        ],
        "cors": CORS,
        "tags": {"team": "payments"},
    }
    args.update(overrides)
    return CreateHttpApiArgs.model_validate(args).spec(REGION, ACCOUNT)


def extras(*covered: str, **more: Any) -> LiveExtras:
    """Lambda permissions: each ARN in ``covered`` already lets the API invoke it, any other does not."""
    return LiveExtras(permissions={arn: True for arn in covered}, **more)


def live(
    *,
    description: str = "Orders API",
    managed: bool = True,
    legacy_timeout: int = 5000,
    extra_route: bool = False,
    jwt_route: bool = False,
) -> LiveHttpApi:
    tags = {"team": "payments", **({MANAGED_TAG: "true"} if managed else {})}
    api = {
        "ApiId": "abc123",
        "Name": "orders",
        "Description": description,
        "ProtocolType": "HTTP",
        "ApiEndpoint": "https://abc123.execute-api.us-east-1.amazonaws.com",
        "Tags": tags,
        "CorsConfiguration": {
            "AllowOrigins": ["https://app.example.com"],
            "AllowMethods": ["POST", "GET"],
            "AllowCredentials": False,
            "MaxAge": 300,
        },
    }
    routes: list[dict[str, Any]] = [
        {"RouteId": "r1", "RouteKey": "GET /orders", "Target": "integrations/i1"},
        {"RouteId": "r2", "RouteKey": "GET /orders/{id}", "Target": "integrations/i1"},
        {"RouteId": "r3", "RouteKey": "ANY /legacy/{proxy+}", "Target": "integrations/i2"},
    ]
    integrations = [
        {
            "IntegrationId": "i1",
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": FN,
            "IntegrationMethod": "POST",
            "PayloadFormatVersion": "2.0",
            "TimeoutInMillis": 30000,
        },
        {
            "IntegrationId": "i2",
            "IntegrationType": "HTTP_PROXY",
            "IntegrationUri": LEGACY,
            "IntegrationMethod": "ANY",
            "PayloadFormatVersion": "1.0",
            "TimeoutInMillis": legacy_timeout,
        },
    ]
    if extra_route:
        routes.append({"RouteId": "r9", "RouteKey": "GET /old", "Target": "integrations/i9"})
        integrations.append(
            {
                "IntegrationId": "i9",
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": OLD_FN,
                "IntegrationMethod": "POST",
                "PayloadFormatVersion": "2.0",
                "TimeoutInMillis": 30000,
            }
        )
    authorizers: list[dict[str, Any]] = []
    if jwt_route:
        routes[0].update(AuthorizationType="JWT", AuthorizerId="a1", AuthorizationScopes=["orders:read"])
        authorizers.append(
            {
                "AuthorizerId": "a1",
                "Name": "users",
                "AuthorizerType": "JWT",
                "IdentitySource": ["$request.header.Authorization"],
                "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["web"]},
            }
        )
    stages = [{"StageName": "$default", "AutoDeploy": True}]
    return live_http_api(api, routes, integrations, stages, authorizers)


def ops(plan: Plan) -> list[tuple[str, str]]:
    return [(s.operation, s.resource) for s in plan.steps]


def test_new_api() -> None:
    plan = plan_http_api(request(), None, extras(), CTX)
    assert_golden("plan_new_api", plan.model_dump(mode="json"))
    assert [s.operation for s in plan.steps].count("create_integration") == 2
    assert [s.operation for s in plan.steps].count("add_permission") == 1
    assert plan.steps[0].params["Tags"] == {"team": "payments", MANAGED_TAG: "true"}


def test_matching_live_api_needs_no_changes() -> None:
    plan = plan_http_api(request(), live(), extras(FN), CTX)
    assert_golden("plan_no_changes", plan.model_dump(mode="json"))
    assert plan.steps == []
    assert plan.diff == []
    assert plan.summary.startswith("No changes")


def test_changed_live_api() -> None:
    desired = request(
        routes=[
            {"route_key": "GET /orders", "lambda_arn": FN},
            {"route_key": "GET /orders/{id}", "lambda_arn": FN},
            {"route_key": "POST /orders", "lambda_arn": FN},
            {"route_key": "ANY /legacy/{proxy+}", "url": LEGACY, "timeout_ms": 10000},
        ]
    )
    plan = plan_http_api(desired, live(description="old", extra_route=True), extras(FN), CTX)
    assert_golden("plan_changed_api", plan.model_dump(mode="json"))
    assert ops(plan) == [
        ("update_api", "api abc123"),
        ("update_integration", "integration i2"),
        ("create_route", "route POST /orders"),
        ("delete_route", "route GET /old"),
        ("delete_integration", "integration i9"),
    ]
    assert plan.steps[0].params == {"ApiId": "abc123", "Description": "Orders API"}
    assert plan.steps[1].params == {"ApiId": "abc123", "IntegrationId": "i2", "TimeoutInMillis": 10000}
    assert plan.steps[2].params["Target"] == "integrations/i1"


def test_unmanaged_live_api_in_scope_is_not_tagged() -> None:
    """An API in scope by id or name prefix changes as it is: never tagged managed behind the user's back."""
    plan = plan_http_api(request(), live(managed=False), extras(FN), CTX)
    assert plan.steps == []


def test_new_secured_api() -> None:
    desired = request(
        name="secure",
        routes=[
            {"route_key": "GET /orders", "lambda_arn": FN, "auth": "users", "scopes": ["orders:read"]},
            {"route_key": "POST /orders", "lambda_arn": OLD_FN},
        ],
        authorizers=[{"name": "users", "issuer": ISSUER, "audience": ["web"]}],
        stages=[{"name": "prod", "throttle": {"burst": 100, "rate": 50}, "access_log": True}],
        default_stage=False,
    )
    plan = plan_http_api(desired, None, extras(), CTX)
    assert_golden("plan_new_secured_api", plan.model_dump(mode="json"))
    assert [s.operation for s in plan.steps] == [
        "create_api",
        "create_authorizer",
        "create_integration",
        "create_integration",
        "create_route",
        "create_route",
        "create_log_group",
        "create_stage",
        "add_permission",
        "add_permission",
    ]
    by_id = {s.id: s.params for s in plan.steps}
    assert by_id["auth1"]["JwtConfiguration"] == {"Issuer": ISSUER, "Audience": ["web"]}
    assert by_id["route1"]["AuthorizerId"] == "${auth1}"  # the id the create_authorizer step makes
    assert by_id["route1"]["AuthorizationScopes"] == ["orders:read"]
    assert "AuthorizationType" not in by_id["route2"] and "AuthorizerId" not in by_id["route2"]  # NONE
    assert by_id["log1"] == {"logGroupName": "/aws/apigateway/secure/prod", "tags": {MANAGED_TAG: "true"}}
    log_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/apigateway/secure/prod"
    assert by_id["stage1"]["AccessLogSettings"]["DestinationArn"] == log_arn
    assert by_id["stage1"]["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}
    assert "1 route(s) have no authorization: anyone who knows the URL can call them." in plan.warnings


def test_existing_log_group_is_not_created() -> None:
    desired = request(stages=[{"name": "prod", "access_log": True}], default_stage=False)
    plan = plan_http_api(desired, None, extras(log_groups=["/aws/apigateway/orders/prod"]), CTX)
    assert "create_log_group" not in [s.operation for s in plan.steps]


def test_lambda_request_authorizer() -> None:
    desired = request(
        authorizers=[
            {
                "name": "gate",
                "function_arn": AUTH_FN,
                "identity_source": ["$request.header.X-Key"],
                "ttl_seconds": 300,
            }
        ],
        routes=[
            {"route_key": "GET /orders", "lambda_arn": FN},
            {"route_key": "GET /orders/{id}", "lambda_arn": FN, "auth": "gate"},
            {"route_key": "ANY /legacy/{proxy+}", "url": LEGACY, "timeout_ms": 5000},
        ],
    )
    plan = plan_http_api(desired, live(), extras(FN), CTX)
    assert_golden("plan_lambda_authorizer", plan.model_dump(mode="json"))
    assert ops(plan) == [
        ("create_authorizer", "authorizer gate"),
        ("update_route", "route GET /orders/{id}"),
        ("add_permission", f"permission {AUTH_FN}"),
    ]
    auth, route, permission = (s.params for s in plan.steps)
    assert auth["AuthorizerUri"] == (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{AUTH_FN}/invocations"
    )
    assert auth["AuthorizerType"] == "REQUEST"
    assert auth["AuthorizerPayloadFormatVersion"] == "2.0"
    assert auth["EnableSimpleResponses"] is True
    assert auth["AuthorizerResultTtlInSeconds"] == 300
    assert route == {
        "ApiId": "abc123",
        "RouteId": "r2",
        "AuthorizationType": "CUSTOM",
        "AuthorizerId": "${auth1}",
        "Target": "integrations/i1",
    }
    assert permission["FunctionName"] == AUTH_FN
    assert permission["SourceArn"] == f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*"


def test_removing_an_authorizer() -> None:
    plan = plan_http_api(request(), live(jwt_route=True), extras(FN), CTX)
    assert_golden("plan_remove_authorizer", plan.model_dump(mode="json"))
    assert ops(plan) == [
        ("update_route", "route GET /orders"),
        ("delete_authorizer", "authorizer users"),
    ]
    assert plan.steps[0].params["AuthorizationType"] == "NONE"
    assert plan.steps[1].params == {"ApiId": "abc123", "AuthorizerId": "a1"}
    assert "This plan deletes live resources (listed with '-' in the diff)." in plan.warnings


def test_delete_api_lists_everything_lost() -> None:
    plan = plan_delete_api(live(jwt_route=True), [FN], CTX)
    assert_golden("plan_delete_api", plan.model_dump(mode="json"))
    assert ops(plan) == [("remove_permission", f"permission {FN}"), ("delete_api", "api abc123")]
    assert plan.steps[0].params == {"FunctionName": FN, "StatementId": "apigw-mcp-abc123"}
    assert [(row.action, row.resource) for row in plan.diff] == [
        ("-", "permission orders"),
        ("-", "api orders"),
        ("-", "route ANY /legacy/{proxy+}"),
        ("-", "route GET /orders"),
        ("-", "route GET /orders/{id}"),
        ("-", "authorizer users"),
        ("-", "stage $default"),
    ]
    assert "https://abc123.execute-api.us-east-1.amazonaws.com" in plan.warnings[0]


@pytest.mark.parametrize(("covered", "steps"), [(True, 0), (False, 1)], ids=["covered", "missing"])
def test_permission_step_only_when_not_covered(covered: bool, steps: int) -> None:
    plan = plan_http_api(request(), live(), LiveExtras(permissions={FN: covered}), CTX)
    permissions = [s for s in plan.steps if s.operation == "add_permission"]
    assert len(permissions) == steps
    if permissions:
        assert permissions[0].params["SourceArn"] == f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*"
        assert permissions[0].params["FunctionName"] == FN


def invoke(route_key: str, api_id: str = "abc") -> str:
    return execute_api_arn("aws", REGION, ACCOUNT, api_id, "$default", route_key)


@pytest.mark.parametrize(
    ("route_key", "arn"),
    [
        ("$default", "abc/$default/$default"),
        ("GET /x", "abc/$default/GET/x"),
        ("GET /", "abc/$default/GET/"),
        ("ANY /orders/{id}", "abc/$default/ANY/orders/{id}"),
    ],
    ids=["default", "path", "root", "param"],
)
def test_execute_api_arn(route_key: str, arn: str) -> None:
    assert invoke(route_key) == f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{arn}"


BASE = f"arn:aws:execute-api:{REGION}:{ACCOUNT}"


@pytest.mark.parametrize(
    ("pattern", "route_keys", "covers"),
    [
        (f"{BASE}:abc/*", ["$default", "GET /x"], True),
        (f"{BASE}:abc/*/*/*", ["GET /x"], True),
        (f"{BASE}:abc/*/*/*", ["$default"], False),
        (f"{BASE}:abc/*/$default", ["$default"], True),
        (f"{BASE}:other/*", ["$default"], False),
        (f"{BASE}:abc/*/GET/x", ["GET /x", "GET /y"], False),
        (f"arn:aws:execute-api:{REGION}:210987654321:abc/*", ["GET /x"], False),
    ],
    ids=[
        "all-routes",
        "method-path-pattern",
        "method-path-pattern-misses-default",
        "default-route",
        "other-api",
        "one-route-of-two",
        "other-account",
    ],
)
def test_permission_covers(pattern: str, route_keys: list[str], covers: bool) -> None:
    assert permission_covers([pattern], [invoke(k) for k in route_keys]) is covers


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(source: str | None, principal: Any = None, effect: str = "Allow") -> dict[str, Any]:
    result: dict[str, Any] = {
        "Effect": effect,
        "Principal": principal or {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": FN,
    }
    if source:
        result["Condition"] = {"ArnLike": {"AWS:SourceArn": source}}
    return result


@pytest.mark.parametrize(
    ("text", "arns"),
    [
        (None, []),
        (policy(statement(f"{BASE}:abc/*")), [f"{BASE}:abc/*"]),
        (policy(statement(None)), ["*"]),
        (policy(statement(f"{BASE}:abc/*", principal="apigateway.amazonaws.com")), [f"{BASE}:abc/*"]),
        (policy(statement(f"{BASE}:abc/*", principal={"Service": "s3.amazonaws.com"})), []),
        (policy(statement(f"{BASE}:abc/*", effect="Deny")), []),
        (
            policy(
                {
                    **statement(None),
                    "Condition": {"ArnEquals": {"AWS:SourceArn": f"{BASE}:abc/$default/GET/x"}},
                }
            ),
            [f"{BASE}:abc/$default/GET/x"],
        ),
    ],
    ids=["no-policy", "arn-like", "no-condition", "string-principal", "other-service", "deny", "arn-equals"],
)
def test_source_arns(text: str | None, arns: list[str]) -> None:
    assert source_arns(text) == arns


def test_statement_for_another_api_does_not_cover() -> None:
    patterns = source_arns(policy(statement(f"{BASE}:other/*")))
    assert not permission_covers(patterns, [invoke("GET /x")])
