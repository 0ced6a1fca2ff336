"""Escape suite, REST values: no field of create_rest_api takes a target outside the server's scope.

Every address row of the SSRF table (tests/test_escape_urls.py) is tried as a route's http_url;
Lambda ARNs of other accounts, regions and partitions, wildcards and qualifiers outside the
allowed patterns as a route's and a Lambda authorizer's function; AWS service integrations
with roles of other accounts, unknown services and ``..`` in their path; Cognito pools,
access-log destinations and WAF web ACLs of other accounts; control characters in mapping
templates; route keys with ``..``, CRLF or over-long; stage variables with CRLF. Each is refused
naming the field before any AWS write. A resource policy whose principal is ``*`` is not refused
(a private API's policy needs it, with a Condition); without a Condition the preview warns that
anyone may invoke the API. Nothing is written either way.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from .conftest import RECORDING
from .escape_support import Attempt, Call, World, attempt, ids, open_world, row
from .helpers import FUNCTION, call_ok
from .test_escape_urls import URLS

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

OTHER = "999999999999"
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
ROLE = "arn:aws:iam::123456789012:role/apigw-mcp-sandbox-role"
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/esc"
ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/esc/a1b2c3d4-0000-1111-2222-333344445555"
LAMBDA_SCOPE = ("refused (lambda-scope): ", "outside the allowed functions")
IN_ACCOUNT = ("lambda_arn: ", "must be in account 123456789012")
IN_REGION = ("lambda_arn: ", "must be in region us-east-1")
TARGET = "refused (integration-target): "
INVALID = "refused (invalid-value): "


def create_rest(routes: list[dict[str, Any]] | None = None, **parts: Any) -> Call:
    return "create_rest_api", {
        "name": "esc-rest-x",
        "routes": routes or [{"route_key": "GET /x", "mock": True}],
        **parts,
    }


def route(key: str = "GET /x", **backend: Any) -> Call:
    return create_rest([{"route_key": key, **(backend or {"mock": True})}])


def lambda_authorizer(arn: str) -> Call:
    secured = {"route_key": "GET /x", "mock": True, "auth": "fn"}
    return create_rest([secured], authorizers=[{"name": "fn", "lambda_arn": arn}])


def authorizer_role(role: str) -> Call:
    secured = {"route_key": "GET /x", "mock": True, "auth": "fn"}
    fn = {"name": "fn", "lambda_arn": FUNCTION, "role_arn": role}
    return create_rest([secured], authorizers=[fn])


def cognito(pool: str) -> Call:
    secured = {"route_key": "GET /x", "mock": True, "auth": "users"}
    return create_rest([secured], authorizers=[{"name": "users", "cognito_user_pool_arns": [pool]}])


def service(**fields: Any) -> Call:
    return route(aws_service={"service": "sqs", "path": "123456789012/q", "role_arn": ROLE, **fields})


def stage(**fields: Any) -> Call:
    return create_rest(stages=[{"name": "prod", **fields}])


def template(body: str) -> Call:
    return route(mock=True, request_templates={"application/json": body})


SSRF = [
    row(f"http_url:{case}", route(http_url=url), "routes.0.http_url", reason) for case, url, reason in URLS
]
ARNS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("other-account", f"arn:aws:lambda:us-east-1:{OTHER}:function:f", "default", IN_ACCOUNT),
    ("other-region", "arn:aws:lambda:us-west-2:123456789012:function:f", "default", IN_REGION),
    ("other-partition", "arn:aws-cn:lambda:cn-north-1:123456789012:function:f", "default", ("lambda",)),
    ("gov-partition", "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f", "default", ("lambda",)),
    ("wildcard-name", "arn:aws:lambda:us-east-1:123456789012:function:*", "default", ("lambda",)),
    ("wildcard-account", "arn:aws:lambda:us-east-1:*:function:f", "default", ("lambda",)),
    ("qualifier-alias", f"{FUNCTION}:prod", "exact_lambda", LAMBDA_SCOPE),
    ("qualifier-latest", f"{FUNCTION}:$LATEST", "exact_lambda", ("lambda",)),
    ("qualifier-version", f"{FUNCTION}:7", "exact_lambda", LAMBDA_SCOPE),
    ("outside-narrow", FUNCTION, "narrow_lambda", LAMBDA_SCOPE),
    (
        "narrow-prefix-trick",
        "arn:aws:lambda:us-east-1:123456789012:function:ordersX",
        "narrow_lambda",
        LAMBDA_SCOPE,
    ),
    ("path-in-name", "arn:aws:lambda:us-east-1:123456789012:function:../f", "default", ("lambda",)),
]
LAMBDAS = [
    row(f"{where}:{case}", build(arn), *expect, session=session)
    for where, build in (
        ("route-lambda", lambda arn: route(lambda_arn=arn)),
        ("authorizer-lambda", lambda_authorizer),
    )
    for case, arn, session, expect in ARNS
]
ROLE_ACCOUNT = ("aws_service.role_arn", "must be in this account")
FIELDS = [
    row("aws-service:role-other-account", service(role_arn=f"arn:aws:iam::{OTHER}:role/r"), *ROLE_ACCOUNT),
    row("aws-service:role-not-a-role", service(role_arn=f"arn:aws:iam::{OTHER}:user/u"), "role_arn"),
    row("aws-service:role-other-partition", service(role_arn=f"arn:aws-cn:iam::{OTHER}:role/r"), "role_arn"),
    row(
        "aws-service:unknown-service",
        service(service="evilcorp"),
        TARGET,
        "is not one this server integrates with",
    ),
    row("aws-service:path-dotdot", service(path="../../lambda/path/x"), TARGET, "'..' segment"),
    row("aws-service:path-dotdot-middle", service(path="q/../../iam/x"), TARGET, "'..' segment"),
    row("aws-service:path-encoded", service(path="%2e%2e/x"), "aws_service.path"),
    row("aws-service:action-and-path", service(action="SendMessage"), "aws_service"),
    row("authorizer-role:other-account", authorizer_role(f"arn:aws:iam::{OTHER}:role/r"), "role"),
    row("authorizer-role:not-a-role", authorizer_role(f"arn:aws:iam::{OTHER}:user/u"), "role_arn"),
    row("cognito:other-account", cognito(POOL.replace("123456789012", OTHER)), "refused (user-pool-scope): "),
    row(
        "cognito:other-region", cognito(POOL.replace("us-east-1", "eu-west-1")), "refused (user-pool-scope): "
    ),
    row("cognito:wildcard", cognito("arn:aws:cognito-idp:us-east-1:123456789012:userpool/*"), "user pool"),
    row(
        "access-log:other-account",
        stage(access_log_destination_arn=LOGS.replace("123456789012", OTHER)),
        "refused (log-scope): ",
    ),
    row(
        "access-log:other-region",
        stage(access_log_destination_arn=LOGS.replace("us-east-1", "eu-west-1")),
        "refused (log-scope): ",
    ),
    row(
        "access-log:firehose-other-account",
        stage(
            access_log_destination_arn=f"arn:aws:firehose:us-east-1:{OTHER}:deliverystream/amazon-apigateway-x"
        ),
        "refused (log-scope): ",
    ),
    row(
        "access-log:s3-bucket",
        stage(access_log_destination_arn="arn:aws:s3:::bucket"),
        "access_log_destination_arn",
    ),
    row("waf:other-account", stage(web_acl_arn=ACL.replace("123456789012", OTHER)), "refused (waf-scope): "),
    row(
        "waf:other-region", stage(web_acl_arn=ACL.replace("us-east-1", "eu-west-1")), "refused (waf-scope): "
    ),
    row("waf:global-scope", stage(web_acl_arn=ACL.replace("regional", "global")), "web_acl_arn"),
    row("template:nul", template('{"a": "\x00"}'), INVALID, "control characters"),
    row("template:escape", template('{"a": "\x1b[2J"}'), INVALID, "control characters"),
    row("template:bell", template("#set($x = 1)\x07"), INVALID, "control characters"),
    row(
        "template:key-crlf",
        route(mock=True, request_templates={"application/json\r\nX-A: b": "{}"}),
        "routes.0: ",
        "is not a content type",
    ),
    row("route-key:dotdot", route("GET /a/../admin"), "route_key"),
    row("route-key:dot", route("GET /a/./b"), "route_key"),
    row("route-key:crlf", route("GET /a\r\nHost: evil"), "route_key"),
    row("route-key:lf", route("GET /a\nb"), "route_key"),
    row("route-key:nul", route("GET /a\x00b"), "route_key"),
    row("route-key:over-long", route("GET /" + "a" * 11_000), "route_key"),
    row("route-key:over-long-segments", route("GET " + "/a" * 2000), "routes: ", "quota of 300"),
    row("route-key:default", route("$default"), "routes.0: ", "no $default route"),
    row("route-key:encoded-dotdot", route("GET /a/%2e%2e/b"), "route_key"),
    row("stage-variable:crlf", stage(variables={"v": "a\r\nb"}), "variables"),
    row("stage-variable:lf-name", stage(variables={"v\nx": "a"}), "variables"),
    row("stage-variable:nul", stage(variables={"v": "a\x00"}), "variables"),
    row("stage-name:dollar-default", stage(name="$default"), "name"),
    row("stage-name:crlf", create_rest(stages=[{"name": "p\r\nx"}]), "name"),
    row(
        "canary-variable:crlf", stage(canary={"percent_traffic": 5, "variables": {"v": "a\r\n"}}), "variables"
    ),
    row(
        "gateway-response:crlf-header",
        create_rest(
            gateway_responses=[
                {"type": "DEFAULT_4XX", "response_parameters": {"gatewayresponse.header.X\r\nY": "'a'"}}
            ]
        ),
        INVALID,
        "responseParameters",
    ),
    row("policy:not-json", create_rest(policy="{not json"), "policy"),
]
ROWS: list[Attempt] = SSRF + LAMBDAS + FIELDS
OPEN = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
SOURCE_IP = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}
EVERYONE = "allows Principal '*' with no Condition"
# (case, statement, whether the preview warns that anyone may invoke the API)
POLICIES: list[tuple[str, dict[str, Any], bool]] = [
    ("star", {**OPEN, "Principal": "*"}, True),
    ("aws-star", {**OPEN, "Principal": {"AWS": "*"}}, True),
    ("star-with-source-ip", {**OPEN, "Principal": "*", "Condition": SOURCE_IP}, False),
    ("this-account", {**OPEN, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}, False),
]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    where = tmp_path_factory.mktemp("escape-rest")
    async with open_world(moto_endpoint, where, ["exact_lambda", "narrow_lambda"]) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_rest_value_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)


@pytest.mark.parametrize(("statement", "warned"), [p[1:] for p in POLICIES], ids=[p[0] for p in POLICIES])
async def test_a_policy_open_to_everyone_is_warned_not_refused(
    world: World, statement: dict[str, Any], warned: bool
) -> None:
    """A private API's policy needs Principal '*' (with a Condition), so it is allowed; without a
    Condition the preview says anyone may invoke the API. Nothing is written either way."""
    _, args = create_rest(policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    RECORDING.clear()
    preview = await call_ok(world.sessions["default"], "create_rest_api", args)
    assert RECORDING.writes() == []
    warnings = preview["plan"].get("warnings", [])
    assert any(EVERYONE in w for w in warnings) == warned, warnings
