"""create_rest_api arguments: what is accepted, and what is refused (naming the field) before any plan."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.kinds.rest.inputs import CreateRestApiArgs
from apigw_mcp.tools.kinds.rest.planner import plan_rest_api
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec

ACCOUNT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_AbC123"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/apigw-sqs"


def spec_of(**overrides: Any) -> RestApiSpec:
    args: dict[str, Any] = {"name": "orders", "routes": [{"route_key": "GET /orders", "lambda_arn": FN}]}
    return CreateRestApiArgs.model_validate(args | overrides).to_spec(REGION, ACCOUNT)


def method(spec: RestApiSpec, path: str, verb: str) -> Any:
    return spec.resources[path].methods[verb]


def test_routes_become_a_resource_tree() -> None:
    spec = spec_of(
        routes=[
            {"route_key": "GET /orders/{id}/items", "lambda_arn": FN},
            {"route_key": "ANY /{proxy+}", "lambda_arn": FN},
        ]
    )
    assert sorted(spec.resources) == ["/", "/orders", "/orders/{id}", "/orders/{id}/items", "/{proxy+}"]
    assert spec.resources["/orders"].methods == {}
    integration = method(spec, "/{proxy+}", "ANY").integration
    assert (integration.type, integration.uri, integration.integration_http_method) == (
        "AWS_PROXY",
        FN,
        "POST",
    )


ACCEPTED: list[tuple[str, dict[str, Any], Any]] = [
    ("lambda custom", {"lambda_arn": FN, "lambda_custom": True}, ("AWS", FN, "POST")),
    (
        "http proxy",
        {"http_url": "https://api.example.com/orders"},
        ("HTTP_PROXY", "https://api.example.com/orders", "GET"),
    ),
    (
        "http",
        {"http_url": "https://api.example.com/x", "proxy": False},
        ("HTTP", "https://api.example.com/x", "GET"),
    ),
    (
        "aws service",
        {"aws_service": {"service": "sqs", "action": "SendMessage", "role_arn": ROLE}},
        ("AWS", f"arn:aws:apigateway:{REGION}:sqs:action/SendMessage", "POST"),
    ),
    ("mock", {"mock": True}, ("MOCK", None, None)),
]


@pytest.mark.parametrize(("name", "backend", "expected"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_backend(name: str, backend: dict[str, Any], expected: Any) -> None:
    spec = spec_of(routes=[{"route_key": "GET /orders", **backend}])
    integration = method(spec, "/orders", "GET").integration
    assert (integration.type, integration.uri, integration.integration_http_method) == expected
    if integration.type in ("AWS", "HTTP", "MOCK"):  # non-proxy: a 200 response on both sides
        assert [r.status_code for r in integration.responses] == ["200"]
        assert [r.status_code for r in method(spec, "/orders", "GET").responses] == ["200"]


def test_http_url_path_parameters_are_declared_and_mapped() -> None:
    spec = spec_of(routes=[{"route_key": "GET /orders/{id}", "http_url": "https://api.example.com/o/{id}"}])
    found = method(spec, "/orders/{id}", "GET")
    assert found.request_parameters == {"method.request.path.id": True}
    assert found.integration.request_parameters == {"integration.request.path.id": "method.request.path.id"}


def test_authorizers_cognito_and_lambda() -> None:
    spec = spec_of(
        routes=[
            {"route_key": "GET /orders", "lambda_arn": FN, "auth": "users", "scopes": ["orders/read"]},
            {"route_key": "POST /orders", "lambda_arn": FN, "auth": "tokens", "api_key_required": True},
        ],
        authorizers=[
            {"name": "users", "cognito_user_pool_arns": [POOL]},
            {
                "name": "tokens",
                "lambda_arn": FN,
                "identity_validation_expression": "^Bearer .+$",
                "ttl_seconds": 0,
            },
        ],
    )
    assert method(spec, "/orders", "GET").authorization == "COGNITO_USER_POOLS"
    assert method(spec, "/orders", "GET").scopes == ("orders/read",)
    assert method(spec, "/orders", "POST").authorization == "CUSTOM"
    tokens = spec.authorizers["tokens"]
    assert (tokens.type, tokens.identity_source, tokens.ttl_seconds) == (
        "TOKEN",
        "method.request.header.Authorization",
        0,
    )
    assert spec.authorizers["users"].provider_arns == (POOL,)
    assert sorted(spec.functions()) == [FN]


def test_private_api_gets_the_documented_vpc_endpoint_policy() -> None:
    spec = spec_of(endpoint_type="PRIVATE", vpc_endpoint_ids=["vpce-0123456789abcdef0"])
    policy = json.loads(spec.policy or "")
    deny = policy["Statement"][0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"StringNotEquals": {"aws:sourceVpce": ["vpce-0123456789abcdef0"]}}


def test_cors_adds_preflight_headers_and_gateway_responses() -> None:
    spec = spec_of(
        routes=[{"route_key": "POST /orders", "mock": True}],
        cors={"allow_origins": ["https://app.example.com"], "allow_credentials": True, "max_age": 600},
    )
    preflight = method(spec, "/orders", "OPTIONS")
    headers = preflight.integration.responses[0].response_parameters
    assert headers["method.response.header.Access-Control-Allow-Methods"] == "'OPTIONS,POST'"
    assert headers["method.response.header.Access-Control-Allow-Credentials"] == "'true'"
    assert headers["method.response.header.Access-Control-Max-Age"] == "'600'"
    mock_response = method(spec, "/orders", "POST").integration.responses[0]
    assert mock_response.response_parameters["method.response.header.Access-Control-Allow-Origin"] == (
        "'https://app.example.com'"
    )
    assert sorted(spec.gateway_responses) == ["DEFAULT_4XX", "DEFAULT_5XX"]


LAMBDA_ROUTE = {"route_key": "GET /orders", "lambda_arn": FN}
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("duplicate route", {"routes": [LAMBDA_ROUTE, LAMBDA_ROUTE]}, "routes[1].route_key"),
    (
        "variable sibling of {proxy+}",
        {
            "routes": [
                {"route_key": "ANY /{proxy+}", "lambda_arn": FN},
                {"route_key": "GET /{id}", "lambda_arn": FN},
            ]
        },
        "routes[1].route_key",
    ),
    ("unknown authorizer", {"routes": [{**LAMBDA_ROUTE, "auth": "nobody"}]}, "routes[0].auth"),
    ("scopes without cognito", {"routes": [{**LAMBDA_ROUTE, "scopes": ["a"]}]}, "routes[0].scopes"),
    (
        "undeclared mapping expression",
        {
            "routes": [
                {
                    **LAMBDA_ROUTE,
                    "lambda_custom": True,
                    "integration_request_parameters": {
                        "integration.request.header.x": "method.request.querystring.q"
                    },
                }
            ]
        },
        "resources['/orders'].methods.GET.integration.request_parameters.integration.request.header.x",
    ),
    (
        "several cors origins",
        {
            "routes": [{**LAMBDA_ROUTE, "lambda_custom": True, "responses": [{"status_code": "200"}]}],
            "cors": {"allow_origins": ["https://a.example.com", "https://b.example.com"]},
        },
        "cors.allow_origins",
    ),
    (
        "role in another account",
        {
            "routes": [
                {
                    "route_key": "GET /q",
                    "aws_service": {
                        "service": "sqs",
                        "action": "SendMessage",
                        "role_arn": "arn:aws:iam::999999999999:role/r",
                    },
                }
            ]
        },
        "routes[0].aws_service.role_arn",
    ),
    ("private without endpoints or policy", {"endpoint_type": "PRIVATE"}, "vpc_endpoint_ids"),
    ("vpc endpoints on a regional api", {"vpc_endpoint_ids": ["vpce-0123456789abcdef0"]}, "vpc_endpoint_ids"),
    ("policy not json", {"policy": "{nope"}, "policy"),
    ("policy without statements", {"policy": '{"Version": "2012-10-17"}'}, "policy"),
    (
        "authorizer named twice",
        {"authorizers": [{"name": "a", "cognito_user_pool_arns": [POOL]}] * 2},
        "authorizers[1]",
    ),
    (
        "unknown validator",
        {"routes": [{**LAMBDA_ROUTE, "request_validator": "strict"}]},
        "resources['/orders'].methods.GET.request_validator",
    ),
    (
        "unknown model",
        {"routes": [{**LAMBDA_ROUTE, "request_models": {"application/json": "Order"}}]},
        "resources['/orders'].methods.GET.request_models.application/json",
    ),
]


@pytest.mark.parametrize(("name", "overrides", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_in_conversion(name: str, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(BadInput) as error:
        spec_of(**overrides)
    assert error.value.field == field


SYNTAX: list[tuple[str, dict[str, Any], str]] = [
    ("timeout too long", {"routes": [{**LAMBDA_ROUTE, "timeout_ms": 29001}]}, "routes.0.timeout_ms"),
    ("timeout too short", {"routes": [{**LAMBDA_ROUTE, "timeout_ms": 49}]}, "routes.0.timeout_ms"),
    ("two backends", {"routes": [{**LAMBDA_ROUTE, "mock": True}]}, "routes.0"),
    ("no backend", {"routes": [{"route_key": "GET /x"}]}, "routes.0"),
    ("$default route", {"routes": [{"route_key": "$default", "mock": True}]}, "routes.0"),
    (
        "private url",
        {"routes": [{"route_key": "GET /x", "http_url": "https://10.0.0.1/x"}]},
        "routes.0.http_url",
    ),
    (
        "plain http url",
        {"routes": [{"route_key": "GET /x", "http_url": "http://api.example.com"}]},
        "routes.0.http_url",
    ),
    ("templates on a proxy", {"routes": [{**LAMBDA_ROUTE, "request_templates": {"a/b": "x"}}]}, "routes.0"),
    (
        "bad integration parameter",
        {"routes": [{**LAMBDA_ROUTE, "lambda_custom": True, "integration_request_parameters": {"x": "'a'"}}]},
        "routes.0",
    ),
    (
        "bad response header",
        {
            "routes": [
                {
                    **LAMBDA_ROUTE,
                    "lambda_custom": True,
                    "responses": [
                        {
                            "status_code": "200",
                            "response_parameters": {"X-Id": "integration.response.header.id"},
                        }
                    ],
                }
            ]
        },
        "routes.0.responses.0",
    ),
    (
        "bad template content type",
        {"routes": [{"route_key": "GET /x", "mock": True, "request_templates": {"json": "x"}}]},
        "routes.0",
    ),
    ("bad request parameter", {"routes": [{**LAMBDA_ROUTE, "request_parameters": {"q": True}}]}, "routes.0"),
    (
        "token authorizer with two sources",
        {
            "authorizers": [
                {
                    "name": "t",
                    "lambda_arn": FN,
                    "identity_sources": ["method.request.header.A", "method.request.header.B"],
                }
            ]
        },
        "authorizers.0",
    ),
    (
        "cognito and lambda",
        {"authorizers": [{"name": "t", "lambda_arn": FN, "cognito_user_pool_arns": [POOL]}]},
        "authorizers.0",
    ),
    (
        "bad pool arn",
        {"authorizers": [{"name": "t", "cognito_user_pool_arns": ["arn:aws:s3:::x"]}]},
        "authorizers.0",
    ),
    (
        "validation expression on request",
        {
            "authorizers": [
                {
                    "name": "t",
                    "lambda_arn": FN,
                    "type": "REQUEST",
                    "identity_sources": ["method.request.header.A"],
                    "identity_validation_expression": "x",
                }
            ]
        },
        "authorizers.0",
    ),
    (
        "cached request without sources",
        {"authorizers": [{"name": "t", "lambda_arn": FN, "type": "REQUEST"}]},
        "authorizers.0",
    ),
    (
        "ttl over an hour",
        {"authorizers": [{"name": "t", "lambda_arn": FN, "ttl_seconds": 3601}]},
        "authorizers.0.ttl_seconds",
    ),
    ("unknown gateway response", {"gateway_responses": [{"type": "TEAPOT"}]}, "gateway_responses.0"),
    (
        "wildcard origin with credentials",
        {"cors": {"allow_origins": ["*"], "allow_credentials": True}},
        "cors",
    ),
    ("bad vpc endpoint", {"endpoint_type": "PRIVATE", "vpc_endpoint_ids": ["vpc-1"]}, "vpc_endpoint_ids.0"),
]


@pytest.mark.parametrize(("name", "overrides", "field"), SYNTAX, ids=[s[0] for s in SYNTAX])
def test_refused_by_the_argument_model(name: str, overrides: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"name": "orders", "routes": [LAMBDA_ROUTE]}
    with pytest.raises(ValidationError) as error:
        CreateRestApiArgs.model_validate(args | overrides)
    assert ".".join(str(p) for p in error.value.errors()[0]["loc"]).startswith(field)


def test_open_policy_is_warned_and_private_pattern_is_not() -> None:
    from apigw_mcp.tools.engine.scope import Scope
    from apigw_mcp.tools.kinds.http.planner import PlanContext

    ctx = PlanContext(scope=Scope(region=REGION), account=ACCOUNT, identity="me")
    open_policy = json.dumps(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}
            ]
        }
    )
    warned = plan_rest_api(None, spec_of(policy=open_policy), ctx).warnings
    assert any("Principal '*'" in w for w in warned)
    private = spec_of(endpoint_type="PRIVATE", vpc_endpoint_ids=["vpce-0123456789abcdef0"])
    assert not any("Principal '*'" in w for w in plan_rest_api(None, private, ctx).warnings)


def test_api_keys_are_said_not_to_be_authentication() -> None:
    from apigw_mcp.tools.engine.scope import Scope
    from apigw_mcp.tools.kinds.http.planner import PlanContext

    ctx = PlanContext(scope=Scope(region=REGION), account=ACCOUNT, identity="me")
    spec = spec_of(routes=[{**LAMBDA_ROUTE, "api_key_required": True}])
    warnings = plan_rest_api(None, spec, ctx).warnings
    assert any("not authentication" in w for w in warnings)
    assert any("1 method(s) have no authorization" in w for w in warnings)
