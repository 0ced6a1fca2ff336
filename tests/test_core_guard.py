"""The guard: one named denial per rule, re-checked on the planned steps themselves."""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.errors import OutOfScope
from apigw_mcp.tools.guard import check, enforce
from apigw_mcp.tools.plan import Plan, Step
from apigw_mcp.tools.scope import MANAGED_TAG, Scope

ACCOUNT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
CHANGEABLE = ("abc123",)
EFFECTS = {"get": "create", "create": "create", "update": "update", "delete": "delete", "add": "create"}


def step(operation: str, service: str = "apigatewayv2", **params: Any) -> Step:
    effect = EFFECTS.get(operation.split("_")[0], "update")
    return Step.model_validate(
        {
            "id": "s1",
            "service": service,
            "operation": operation,
            "effect": effect,
            "resource": "r",
            "params": params,
        }
    )


def plan(*steps: Step, region: str = REGION, account: str = ACCOUNT) -> Plan:
    return Plan(summary="test", account=account, region=region, steps=list(steps))


def permission(source_arn: str, function: str = FN) -> Step:
    return step(
        "add_permission",
        service="lambda",
        FunctionName=function,
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source_arn,
    )


DEFAULT = Scope(region=REGION)
DENIALS: list[tuple[str, Plan, Scope, str, str]] = [
    # (id, plan, scope, rule, text the message must contain: the setting that would allow it)
    (
        "unknown-operation",
        plan(step("delete_everything", ApiId="abc123")),
        DEFAULT,
        "unknown-operation",
        "delete_everything",
    ),
    (
        "read-only",
        plan(step("create_route", ApiId="abc123", RouteKey="GET /x")),
        Scope(region=REGION, read_only=True),
        "read-only",
        "APIGW_MCP_READ_ONLY",
    ),
    (
        "deletes-off",
        plan(step("delete_route", ApiId="abc123", RouteId="r1")),
        DEFAULT,
        "deletes-off",
        "APIGW_MCP_ALLOW_DELETES",
    ),
    (
        "api-not-changeable",
        plan(step("create_route", ApiId="other9", RouteKey="GET /x")),
        DEFAULT,
        "api-scope",
        "APIGW_MCP_API_IDS",
    ),
    ("create-api-untagged", plan(step("create_api", Name="x", Tags={})), DEFAULT, "api-scope", "managed tag"),
    (
        "lambda-other-account",
        plan(step("create_integration", ApiId="abc123", IntegrationUri=FN.replace(ACCOUNT, "210987654321"))),
        DEFAULT,
        "lambda-scope",
        "APIGW_MCP_LAMBDA_ARNS",
    ),
    (
        "lambda-outside-patterns",
        plan(step("create_integration", ApiId="abc123", IntegrationUri=FN)),
        Scope(region=REGION, lambda_arns=(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:shop-*",)),
        "lambda-scope",
        "APIGW_MCP_LAMBDA_ARNS",
    ),
    (
        "permission-lambda-outside",
        plan(permission(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*", FN.replace("orders", "x:1"))),
        Scope(region=REGION, lambda_arns=(FN,)),
        "lambda-scope",
        "APIGW_MCP_LAMBDA_ARNS",
    ),
    (
        "private-integration-url",
        plan(step("create_integration", ApiId="abc123", IntegrationUri="https://10.0.0.5/")),
        DEFAULT,
        "integration-target",
        "10.0.0.5",
    ),
    (
        "http-integration-url",
        plan(step("update_integration", ApiId="abc123", IntegrationUri="http://api.example.com/")),
        DEFAULT,
        "integration-target",
        "https",
    ),
    (
        "permission-any-api",
        plan(permission(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:*/*")),
        DEFAULT,
        "permission-scope",
        "SourceArn",
    ),
    ("permission-no-source", plan(permission("")), DEFAULT, "permission-scope", "SourceArn"),
    ("region-mismatch", plan(region="eu-west-1"), DEFAULT, "region", "APIGW_MCP_REGION"),
    (
        "account-pin",
        plan(account="210987654321"),
        Scope(region=REGION, account=ACCOUNT),
        "account",
        "APIGW_MCP_ACCOUNT",
    ),
]


@pytest.mark.parametrize(
    ("the_plan", "scope", "rule", "setting"), [d[1:] for d in DENIALS], ids=[d[0] for d in DENIALS]
)
def test_denial(the_plan: Plan, scope: Scope, rule: str, setting: str) -> None:
    assert [v.rule for v in check(the_plan, scope, CHANGEABLE)] == [rule]
    with pytest.raises(OutOfScope) as info:
        enforce(the_plan, scope, CHANGEABLE)
    assert info.value.rule == rule
    assert f"refused ({rule})" in str(info.value)
    assert setting in str(info.value)


@pytest.mark.parametrize(
    ("the_plan", "scope"),
    [
        (plan(step("create_api", Name="x", Tags={MANAGED_TAG: "true"})), DEFAULT),
        (plan(step("create_route", ApiId="${api.ApiId}", RouteKey="GET /x")), DEFAULT),
        (plan(step("create_integration", ApiId="abc123", IntegrationUri=FN)), DEFAULT),
        (
            plan(step("create_integration", ApiId="abc123", IntegrationUri="https://api.example.com/v1")),
            DEFAULT,
        ),
        (plan(step("delete_route", ApiId="abc123", RouteId="r1")), Scope(region=REGION, allow_deletes=True)),
        (plan(step("get_routes", ApiId="abc123")), Scope(region=REGION, read_only=True)),
        (plan(permission(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:${{api.ApiId}}/*")), DEFAULT),
        (plan(permission(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*/*/x")), DEFAULT),
        (plan(step("update_api", ApiId="abc123", Description="d")), Scope(region=REGION, account=ACCOUNT)),
        (plan(), DEFAULT),
    ],
    ids=[
        "create-managed-api",
        "placeholder-api-id",
        "lambda-in-account",
        "public-https-url",
        "deletes-allowed",
        "read-in-read-only",
        "permission-for-new-api",
        "permission-for-one-api",
        "account-pin-matches",
        "empty-plan",
    ],
)
def test_allowed(the_plan: Plan, scope: Scope) -> None:
    assert check(the_plan, scope, CHANGEABLE) == []
    enforce(the_plan, scope, CHANGEABLE)


def test_every_denied_step_is_reported() -> None:
    the_plan = Plan(
        summary="t",
        account=ACCOUNT,
        region=REGION,
        steps=[
            Step(
                id="a",
                service="apigatewayv2",
                operation="create_route",
                effect="create",
                resource="r",
                params={"ApiId": "other9"},
            ),
            Step(
                id="b",
                service="apigatewayv2",
                operation="create_route",
                effect="create",
                resource="r",
                params={"ApiId": "abc123"},
            ),
            Step(
                id="c",
                service="apigatewayv2",
                operation="delete_route",
                effect="delete",
                resource="r",
                params={"ApiId": "abc123"},
            ),
        ],
    )
    assert [(v.step_id, v.rule) for v in check(the_plan, DEFAULT, CHANGEABLE)] == [
        ("a", "api-scope"),
        ("c", "deletes-off"),
    ]


@pytest.mark.parametrize(
    ("the_plan", "rule"),
    [
        (plan(permission(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a*/*")), "permission-scope"),
        (plan(permission(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:?bc123/*")), "permission-scope"),
        (plan(permission("arn:aws:execute-api:*:*:abc123/*")), "permission-scope"),
        (
            plan(
                step(
                    "tag_resource",
                    ResourceArn=f"arn:aws:apigateway:{REGION}::/apis/other9",
                    Tags={MANAGED_TAG: "true"},
                )
            ),
            "api-scope",
        ),
        (
            plan(
                step(
                    "untag_resource",
                    ResourceArn=f"arn:aws:apigateway:{REGION}::/apis/other9",
                    TagKeys=[MANAGED_TAG],
                )
            ),
            "api-scope",
        ),
    ],
    ids=[
        "permission-api-prefix-wildcard",
        "permission-api-single-char-wildcard",
        "permission-any-region-account",
        "tag-api-out-of-scope",
        "untag-api-out-of-scope",
    ],
)
def test_second_fence_gaps(the_plan: Plan, rule: str) -> None:
    """Steps a planner bug could emit that reach outside the scope without an ``ApiId`` param."""
    assert [v.rule for v in check(the_plan, DEFAULT, CHANGEABLE)] == [rule]
