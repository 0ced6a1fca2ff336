"""describe() compact views and secret redaction."""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.engine.redact import MASK, redact
from apigw_mcp.tools.kinds.http.describe import ApiDescription, describe

ENDPOINT = "https://abc123.execute-api.us-east-1.amazonaws.com"
FN = "arn:aws:lambda:us-east-1:123456789012:function:orders"
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:api-access"
API: dict[str, Any] = {
    "ApiId": "abc123",
    "Name": "orders",
    "ProtocolType": "HTTP",
    "ApiEndpoint": ENDPOINT,
    "Description": "Orders API",
    "Tags": {"apigw-mcp:managed": "true", "team": "payments"},
}
ROUTES: list[dict[str, Any]] = [
    {
        "RouteId": "r1",
        "RouteKey": "GET /orders",
        "Target": "integrations/i1",
        "AuthorizationType": "JWT",
        "AuthorizerId": "au1",
        "AuthorizationScopes": ["orders:read", "openid"],
    },
    {
        "RouteId": "r2",
        "RouteKey": "POST /orders",
        "Target": "integrations/i1",
        "AuthorizationType": "JWT",
        "AuthorizerId": "au1",
    },
    {
        "RouteId": "r3",
        "RouteKey": "ANY /legacy/{proxy+}",
        "Target": "integrations/i2",
        "AuthorizationType": "NONE",
    },
    {"RouteId": "r4", "RouteKey": "$default", "AuthorizationType": "AWS_IAM"},
]
INTEGRATIONS: list[dict[str, Any]] = [
    {
        "IntegrationId": "i1",
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": FN,
        "PayloadFormatVersion": "2.0",
    },
    {
        "IntegrationId": "i2",
        "IntegrationType": "HTTP_PROXY",
        "IntegrationUri": "https://legacy.example.com",
        "IntegrationMethod": "ANY",
        "TimeoutInMillis": 5000,
    },
    {
        "IntegrationId": "i3",
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": FN.replace("orders", "old"),
        "PayloadFormatVersion": "2.0",
    },
]
AUTHORIZERS: list[dict[str, Any]] = [
    {
        "AuthorizerId": "au1",
        "Name": "cognito",
        "AuthorizerType": "JWT",
        "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {
            "Issuer": "https://cognito-idp.us-east-1.amazonaws.com/pool",
            "Audience": ["app"],
        },
    }
]
STAGES: list[dict[str, Any]] = [
    {
        "StageName": "prod",
        "AutoDeploy": False,
        "DeploymentId": "d1",
        "LastUpdatedDate": "2026-01-02T03:04:05Z",
        "DefaultRouteSettings": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0},
        "AccessLogSettings": {"DestinationArn": LOGS, "Format": "$context.requestId"},
    },
    {"StageName": "$default", "AutoDeploy": True, "DefaultRouteSettings": {}},
]


@pytest.fixture
def described() -> ApiDescription:
    return describe(API, ROUTES, INTEGRATIONS, AUTHORIZERS, STAGES)


def test_api_fields(described: ApiDescription) -> None:
    assert (described.api_id, described.name, described.type, described.endpoint) == (
        "abc123",
        "orders",
        "HTTP",
        ENDPOINT,
    )
    assert described.managed is True
    assert described.tags == {"team": "payments"}
    assert described.unused_integrations == ["lambda:old"]


def test_routes_sorted_with_targets_and_auth(described: ApiDescription) -> None:
    assert list(described.routes.items()) == [
        ("$default", "no target | AWS_IAM"),
        ("ANY /legacy/{proxy+}", "http:ANY https://legacy.example.com 5000ms"),
        ("GET /orders", "lambda:orders | JWT:cognito [orders:read openid]"),
        ("POST /orders", "lambda:orders | JWT:cognito"),
    ]
    assert described.routes_total is None


def test_authorizer_view(described: ApiDescription) -> None:
    assert described.authorizers is not None
    [authorizer] = described.authorizers
    assert authorizer.type == "JWT"
    assert authorizer.identity_source == "$request.header.Authorization"
    assert authorizer.issuer == "https://cognito-idp.us-east-1.amazonaws.com/pool"
    assert authorizer.audience == ["app"]


@pytest.mark.parametrize(
    ("name", "url", "auto_deploy", "throttle", "access_log", "deployment"),
    [
        ("$default", ENDPOINT, True, None, None, None),
        ("prod", f"{ENDPOINT}/prod", False, "burst 100, rate 50.0/s", LOGS, "d1 (2026-01-02)"),
    ],
    ids=["default-stage", "named-stage"],
)
def test_stage_views(
    described: ApiDescription,
    name: str,
    url: str,
    auto_deploy: bool,
    throttle: str | None,
    access_log: str | None,
    deployment: str | None,
) -> None:
    stage = next(s for s in described.stages if s.name == name)
    assert (stage.url, stage.auto_deploy, stage.throttle, stage.access_log, stage.deployment) == (
        url,
        auto_deploy,
        throttle,
        access_log,
        deployment,
    )


def test_route_cap_is_reported() -> None:
    routes: list[dict[str, Any]] = [{"RouteId": f"r{i}", "RouteKey": f"GET /r{i:02}"} for i in range(40)]
    d = describe(API, routes, [], [], [])
    assert len(d.routes) == 30
    assert d.routes_total == 40
    narrowed = describe(API, routes, [], [], [], routes_matching="/r1")
    assert list(narrowed.routes) == [f"GET /r1{i}" for i in range(10)] and narrowed.routes_total == 40


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"name": "key", "value": "abc123secret"}, {"name": "key", "value": MASK}),
        ({"ClientSecret": "s3cr3t", "ClientId": "id"}, {"ClientSecret": MASK, "ClientId": "id"}),
        (
            {"auth": {"basic": {"username": "u", "password": "p"}}, "items": [{"Password": "q", "id": 1}]},
            {"auth": {"basic": {"username": "u", "password": MASK}}, "items": [{"Password": MASK, "id": 1}]},
        ),
        (
            {"headers": {"Authorization": "Bearer x", "Accept": "*/*"}},
            {"headers": {"Authorization": MASK, "Accept": "*/*"}},
        ),
        ({"value": "", "Name": "n"}, {"value": "", "Name": "n"}),
        (["plain", 1, None], ["plain", 1, None]),
    ],
    ids=[
        "api-key-value",
        "client-secret",
        "nested-password",
        "authorization-header",
        "empty-not-masked",
        "list",
    ],
)
def test_redact(raw: Any, expected: Any) -> None:
    assert redact(raw) == expected


def test_redact_does_not_mutate_input() -> None:
    raw = {"outer": {"value": "x"}}
    redact(raw)
    assert raw == {"outer": {"value": "x"}}
