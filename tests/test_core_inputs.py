"""Tool argument models of tools/kinds/http/inputs.py: what they accept, refuse, and turn into the spec."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from apigw_mcp.tools.kinds.http.inputs import (
    DEFAULT_LOG_FORMAT,
    AuthorizerInput,
    RouteInput,
    StageInput,
    check_route_set,
    route_auth,
)
from apigw_mcp.tools.kinds.http.spec import AccessLog, AuthorizerSpec, Throttle

REGION = "us-east-1"
ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:authz"
OTHER_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other"
ISSUER = "https://issuer.example.com"
POOL = "eu-west-1_AbC123"
LOG_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/my/logs"


def jwt(**fields: Any) -> dict[str, Any]:
    return {"name": "users", "issuer": ISSUER, "audience": ["web"], **fields}


def lam(**fields: Any) -> dict[str, Any]:
    return {"name": "gate", "function_arn": FN, **fields}


@pytest.mark.parametrize(
    ("fields", "spec"),
    [
        (
            jwt(),
            AuthorizerSpec(
                type="JWT",
                identity_source=("$request.header.Authorization",),
                issuer=ISSUER,
                audience=("web",),
            ),
        ),
        (
            jwt(audience=["b", "a", "b"], identity_source=["$request.querystring.token"]),
            AuthorizerSpec(
                type="JWT",
                identity_source=("$request.querystring.token",),
                issuer=ISSUER,
                audience=("a", "b"),
            ),
        ),
        (
            {"name": "pool", "cognito_user_pool_id": POOL, "cognito_app_client_id": "client1"},
            AuthorizerSpec(
                type="JWT",
                identity_source=("$request.header.Authorization",),
                issuer=f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}",
                audience=("client1",),
            ),
        ),
        (
            lam(),
            AuthorizerSpec(
                type="REQUEST", function_arn=FN, payload_format_version="2.0", simple_responses=True
            ),
        ),
        (
            lam(payload_format_version="1.0", simple_responses=False),
            AuthorizerSpec(type="REQUEST", function_arn=FN, payload_format_version="1.0"),
        ),
        (
            lam(payload_format_version="1.0"),
            AuthorizerSpec(type="REQUEST", function_arn=FN, payload_format_version="1.0"),
        ),
        (
            lam(identity_source=["$request.header.X-Key", "$context.sourceIp"], ttl_seconds=300),
            AuthorizerSpec(
                type="REQUEST",
                identity_source=("$request.header.X-Key", "$context.sourceIp"),
                function_arn=FN,
                payload_format_version="2.0",
                simple_responses=True,
                ttl_seconds=300,
            ),
        ),
    ],
    ids=[
        "jwt",
        "jwt-querystring-dedup-audience",
        "cognito",
        "lambda",
        "lambda-1.0",
        "lambda-1.0-default",
        "lambda-cached",
    ],
)
def test_authorizer_spec(fields: dict[str, Any], spec: AuthorizerSpec) -> None:
    assert AuthorizerInput.model_validate(fields).spec() == spec


@pytest.mark.parametrize(
    "source",
    ["$request.header.X-Key", "$request.querystring.key", "$context.identity.sourceIp", "$stageVariables.v"],
)
def test_lambda_identity_sources_accepted(source: str) -> None:
    assert AuthorizerInput.model_validate(lam(identity_source=[source])).spec().identity_source == (source,)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (jwt(issuer="http://issuer.example.com"), "https"),
        (jwt(issuer="https://localhost"), "loopback"),
        (jwt(issuer="https://10.0.0.1"), "private"),
        (jwt(audience=[]), "audience must not be empty"),
        (jwt(identity_source=["$request.header.A", "$request.header.B"]), "exactly one identity_source"),
        (jwt(identity_source=["$context.sourceIp"]), "$request.header.NAME"),
        (jwt(identity_source=["Authorization"]), "$request.header.NAME"),
        ({"name": "x", "cognito_user_pool_id": POOL}, "audience must not be empty"),
        ({"name": "x", "cognito_user_pool_id": "not-a-pool", "cognito_app_client_id": "c"}, "pattern"),
        (jwt(cognito_user_pool_id=POOL), "not both"),
        (jwt(function_arn=FN), "give issuer"),
        ({"name": "x"}, "give issuer"),
        (lam(payload_format_version="1.0", simple_responses=True), "simple_responses needs"),
        (lam(ttl_seconds=60), "caching (ttl_seconds > 0) needs identity_source"),
        (lam(ttl_seconds=3601, identity_source=["$request.header.A"]), "less than or equal to 3600"),
        (lam(identity_source=["$request.body.x"]), "$stageVariables.X"),
        (lam(identity_source=["$request.header."]), "$stageVariables.X"),
        (lam(identity_source=["header.X"]), "$stageVariables.X"),
        (lam(function_arn="arn:aws:lambda:us-east-1:1:function:f"), "not a Lambda function ARN"),
        (lam(name=""), "at least 1 character"),
    ],
    ids=[
        "issuer-http",
        "issuer-loopback",
        "issuer-private",
        "empty-audience",
        "jwt-two-sources",
        "jwt-context-source",
        "jwt-bare-source",
        "cognito-without-client",
        "cognito-bad-pool",
        "issuer-and-pool",
        "jwt-and-lambda",
        "neither",
        "simple-1.0",
        "ttl-without-source",
        "ttl-too-long",
        "lambda-body-source",
        "lambda-empty-header-name",
        "lambda-bare-source",
        "bad-function-arn",
        "empty-name",
    ],
)
def test_authorizer_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        AuthorizerInput.model_validate(fields)


@pytest.mark.parametrize(
    ("fields", "log"),
    [
        ({}, None),
        (
            {"access_log": True},
            AccessLog(
                destination_arn=LOG_ARN.replace("/my/logs", "/aws/apigateway/orders/prod"),
                format=DEFAULT_LOG_FORMAT,
            ),
        ),
        ({"log_group_arn": LOG_ARN}, AccessLog(destination_arn=LOG_ARN, format=DEFAULT_LOG_FORMAT)),
        (
            {"log_format": "$context.extendedRequestId"},
            AccessLog(
                destination_arn=LOG_ARN.replace("/my/logs", "/aws/apigateway/orders/prod"),
                format="$context.extendedRequestId",
            ),
        ),
    ],
    ids=["no-log", "default-log", "log-group", "log-format"],
)
def test_stage_access_log(fields: dict[str, Any], log: AccessLog | None) -> None:
    assert (
        StageInput.model_validate({"name": "prod", **fields}).spec("orders", REGION, ACCOUNT).access_log
        == log
    )


def test_stage_spec_keeps_settings_and_normalises_route_keys() -> None:
    stage = StageInput.model_validate(
        {
            "name": "$default",
            "auto_deploy": False,
            "description": "main",
            "variables": {"env": "prod", "url": "https://x.example.com/a?b=c&d=e"},
            "throttle": {"burst": 0, "rate": 10000},
            "route_throttle": {"get /orders": {"burst": 5000, "rate": 0}},
            "access_log": True,
        }
    ).spec("my api!", REGION, ACCOUNT)
    assert (stage.auto_deploy, stage.description, stage.variables["env"]) == (False, "main", "prod")
    assert stage.throttle == Throttle(burst=0, rate=10000)
    assert stage.route_throttle == {"GET /orders": Throttle(burst=5000, rate=0)}
    assert stage.access_log is not None
    assert stage.access_log.destination_arn.endswith(":log-group:/aws/apigateway/my-api-/default")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "stage name"),
        ({"name": "my stage"}, "stage name"),
        ({"name": "prod.v1"}, "stage name"),
        ({"name": "$prod"}, "stage name"),
        ({"name": "x" * 129}, "stage name"),
        ({"variables": {"bad-key": "v"}}, "stage variable name 'bad-key'"),
        ({"variables": {"k" * 65: "v"}}, "stage variable name"),
        ({"variables": {"k": "has space"}}, "stage variable 'k'"),
        ({"variables": {"k": "v" * 513}}, "stage variable 'k'"),
        ({"variables": {f"k{i}": "v" for i in range(101)}}, "at most 100 stage variables"),
        ({"log_format": "$context.status"}, "$context.requestId or $context.extendedRequestId"),
        ({"log_format": "$context.requestId " + "x" * 3060}, "at most 3 KB"),
        ({"throttle": {"burst": 5001, "rate": 1}}, "less than or equal to 5000"),
        ({"throttle": {"burst": -1, "rate": 1}}, "greater than or equal to 0"),
        ({"throttle": {"burst": 1, "rate": 10000.5}}, "less than or equal to 10000"),
        ({"route_throttle": {"GET /x": {"burst": 1, "rate": -1}}}, "greater than or equal to 0"),
        ({"log_group_arn": "arn:aws:logs:us-east-1:123:log-group:x"}, "not a CloudWatch Logs log group ARN"),
        ({"log_group_arn": "arn:aws:s3:::bucket"}, "not a CloudWatch Logs log group ARN"),
        ({"log_group_arn": f"{LOG_ARN}:*"}, "not a CloudWatch Logs log group ARN"),
        ({"description": "d" * 1025}, "at most 1024 characters"),
        ({"unknown": 1}, "Extra inputs are not permitted"),
    ],
    ids=[
        "empty-name",
        "name-space",
        "name-dot",
        "name-dollar",
        "name-too-long",
        "var-key-dash",
        "var-key-too-long",
        "var-value-space",
        "var-value-too-long",
        "too-many-vars",
        "log-format-without-request-id",
        "log-format-too-big",
        "burst-too-high",
        "burst-negative",
        "rate-too-high",
        "route-rate-negative",
        "log-arn-short-account",
        "log-arn-other-service",
        "log-arn-star-suffix",
        "description-too-long",
        "extra-field",
    ],
)
def test_stage_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        StageInput.model_validate({"name": "prod", **fields})


def test_stage_limits_accepted() -> None:
    fields = {
        "name": "a" * 128,
        "variables": {f"k{i}": "v" * 512 for i in range(100)},
        "log_format": "$context.requestId" + "x" * (3072 - 18),
        "throttle": {"burst": 5000, "rate": 10000},
    }
    assert StageInput.model_validate(fields).name == "a" * 128


AUTHORIZERS = {
    "users": AuthorizerSpec(type="JWT", issuer=ISSUER, audience=("web",)),
    "gate": AuthorizerSpec(type="REQUEST", function_arn=FN),
}


@pytest.mark.parametrize(
    ("auth", "scopes", "fields"),
    [
        ("NONE", [], {"authorization": "NONE", "authorizer": None, "scopes": ()}),
        ("AWS_IAM", [], {"authorization": "AWS_IAM", "authorizer": None, "scopes": ()}),
        ("users", [], {"authorization": "JWT", "authorizer": "users", "scopes": ()}),
        ("users", ["b", "a", "b"], {"authorization": "JWT", "authorizer": "users", "scopes": ("a", "b")}),
        ("gate", [], {"authorization": "CUSTOM", "authorizer": "gate", "scopes": ()}),
    ],
    ids=["none", "iam", "jwt", "jwt-scopes", "lambda"],
)
def test_route_auth(auth: str, scopes: list[str], fields: dict[str, Any]) -> None:
    assert route_auth(auth, scopes, "routes.0", AUTHORIZERS) == fields


@pytest.mark.parametrize(
    ("auth", "scopes", "authorizers", "message"),
    [
        ("NONE", ["a"], AUTHORIZERS, "routes.0.scopes: scopes need a JWT authorizer"),
        ("AWS_IAM", ["a"], AUTHORIZERS, "routes.0.scopes: scopes need a JWT authorizer"),
        ("gate", ["a"], AUTHORIZERS, "routes.0.scopes: scopes apply to JWT authorizers only"),
        (
            "nobody",
            [],
            AUTHORIZERS,
            "routes.0.auth: 'nobody' is not NONE, AWS_IAM or an authorizer name (known: gate, users)",
        ),
        ("JWT", [], {}, "(known: none)"),
        ("none", [], AUTHORIZERS, "'none' is not NONE"),
    ],
    ids=[
        "none-scopes",
        "iam-scopes",
        "lambda-scopes",
        "unknown-lists-known",
        "unknown-none-known",
        "lowercase",
    ],
)
def test_route_auth_refused(
    auth: str, scopes: list[str], authorizers: dict[str, AuthorizerSpec], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        route_auth(auth, scopes, "routes.0", authorizers)


def routes(*specs: tuple[str, int | None]) -> list[RouteInput]:
    return [
        RouteInput.model_validate({"route_key": key, "lambda_arn": FN, "timeout_ms": timeout})
        for key, timeout in specs
    ]


@pytest.mark.parametrize(
    ("route_set", "message"),
    [
        (routes(("GET /a", None), ("GET /b", None), ("POST /a", None)), None),
        (routes(("GET /a", None), ("GET /a", None)), "routes.1.route_key: 'GET /a' duplicates 'GET /a'"),
        (
            routes(("GET /a/{id}", None), ("GET /a/{name}", None)),
            "routes.1.route_key: 'GET /a/{name}' duplicates 'GET /a/{id}' (routes that differ only",
        ),
        (routes(("GET /{a+}", None), ("GET /{b+}", None)), "duplicates 'GET /{a+}'"),
        (routes(("GET /a", 1000), ("GET /b", 2000)), "routes.1.timeout_ms: routes sharing one backend"),
        (routes(("GET /a", None), ("GET /b", 30000)), None),
        (routes(*((f"GET /r{i}", None) for i in range(300))), None),
        (routes(*((f"GET /r{i}", None) for i in range(301))), "301 routes exceed the quota of 300"),
    ],
    ids=[
        "ok",
        "duplicate",
        "same-shape",
        "same-greedy-shape",
        "shared-backend-timeouts",
        "default-timeout-equals-30000",
        "300-routes",
        "301-routes",
    ],
)
def test_check_route_set(route_set: list[RouteInput], message: str | None) -> None:
    if message is None:
        check_route_set(route_set)
        return
    with pytest.raises(ValueError, match=re.escape(message)):
        check_route_set(route_set)


def test_routes_with_different_backends_may_differ_in_timeout() -> None:
    mixed = [
        RouteInput.model_validate({"route_key": "GET /a", "lambda_arn": FN, "timeout_ms": 1000}),
        RouteInput.model_validate({"route_key": "GET /b", "lambda_arn": OTHER_FN, "timeout_ms": 2000}),
    ]
    check_route_set(mixed)
