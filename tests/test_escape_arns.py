"""Escape suite, ARNs: no ARN-taking field reaches a function or log group outside the scope.

Every Lambda ARN field (a route's lambda_arn in create_http_api and add_route,
update_route's change.lambda_arn, add_lambda_authorizer's function_arn, create_http_api's
authorizers[].function_arn) and every log group field (deploy_stage's log_group_arn,
create_http_api's stages[].log_group_arn) is tried with another account, region and
partition, wildcards, qualifiers outside the allowed patterns (servers started with
``lambda_arns`` narrower than the function) and malformed ARNs. Each is refused naming the
field or the rule (lambda-scope), before any AWS write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from .escape_support import (
    OTHER_ACCOUNT,
    URL_ROUTE,
    Attempt,
    Call,
    World,
    add_route,
    attempt,
    create,
    create_route,
    deploy,
    ids,
    lambda_authorizer,
    open_world,
    refused,
    row,
    update_route,
)
from .helpers import FUNCTION

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

PREFIX = "arn:aws:lambda:us-east-1:123456789012:function:"
NOT_LAMBDA = "is not a Lambda function ARN"
IN_REGION = "must be in region us-east-1"
IN_ACCOUNT = "must be in account 123456789012"
LAMBDA_SCOPE = refused("lambda-scope")
# With APIGW_MCP_LAMBDA_ARNS=arn:* the input checks pass another partition; the guard refuses the step.
GUARD_PARTITION = "outside this server's partition, region and account (aws, us-east-1, 123456789012)"
# (id, ARN, session, reason fragment)
LAMBDA_ARNS: list[tuple[str, str, str, str]] = [
    ("other-account", FUNCTION.replace("123456789012", OTHER_ACCOUNT), "default", IN_ACCOUNT),
    ("other-account-any-pattern", FUNCTION.replace("123456789012", OTHER_ACCOUNT), "any_lambda", IN_ACCOUNT),
    ("other-region", FUNCTION.replace("us-east-1", "eu-west-1"), "default", IN_REGION),
    (
        "partition-cn",
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:apigw-mcp-sandbox-fn",
        "default",
        IN_REGION,
    ),
    ("partition-cn-same-region", FUNCTION.replace("arn:aws:", "arn:aws-cn:"), "default", LAMBDA_SCOPE),
    ("partition-cn-any-pattern", FUNCTION.replace("arn:aws:", "arn:aws-cn:"), "any_lambda", GUARD_PARTITION),
    (
        "partition-gov",
        "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:apigw-mcp-sandbox-fn",
        "default",
        IN_REGION,
    ),
    ("partition-gov-same-region", FUNCTION.replace("arn:aws:", "arn:aws-us-gov:"), "default", LAMBDA_SCOPE),
    (
        "partition-gov-any-pattern",
        FUNCTION.replace("arn:aws:", "arn:aws-us-gov:"),
        "any_lambda",
        GUARD_PARTITION,
    ),
    ("wildcard-name", PREFIX + "*", "default", NOT_LAMBDA),
    ("wildcard-name-suffix", PREFIX + "apigw-mcp-*", "default", NOT_LAMBDA),
    ("wildcard-question", PREFIX + "apigw-mcp-sandbox-f?", "default", NOT_LAMBDA),
    ("wildcard-account", "arn:aws:lambda:us-east-1:*:function:apigw-mcp-sandbox-fn", "default", NOT_LAMBDA),
    ("wildcard-region", "arn:aws:lambda:*:123456789012:function:apigw-mcp-sandbox-fn", "default", NOT_LAMBDA),
    ("wildcard-qualifier", FUNCTION + ":*", "default", NOT_LAMBDA),
    ("alias-outside-exact-pattern", FUNCTION + ":prod", "exact_lambda", LAMBDA_SCOPE),
    ("version-outside-exact-pattern", FUNCTION + ":7", "exact_lambda", LAMBDA_SCOPE),
    ("latest-outside-exact-pattern", FUNCTION + ":$LATEST", "exact_lambda", LAMBDA_SCOPE),
    ("function-outside-narrow-pattern", PREFIX + "payments-fn", "narrow_lambda", LAMBDA_SCOPE),
    ("alias-outside-narrow-pattern", FUNCTION + ":orders-x", "narrow_lambda", LAMBDA_SCOPE),
    (
        "malformed-short-account",
        "arn:aws:lambda:us-east-1:123:function:apigw-mcp-sandbox-fn",
        "default",
        NOT_LAMBDA,
    ),
    ("malformed-not-an-arn", "apigw-mcp-sandbox-fn", "default", NOT_LAMBDA),
    (
        "malformed-layer",
        "arn:aws:lambda:us-east-1:123456789012:layer:apigw-mcp-sandbox-fn",
        "default",
        NOT_LAMBDA,
    ),
    ("malformed-iam-role", "arn:aws:iam::123456789012:role/apigw-mcp-sandbox-role", "default", NOT_LAMBDA),
    ("malformed-path-in-name", PREFIX + "x/../apigw-mcp-sandbox-fn", "default", NOT_LAMBDA),
    ("malformed-trailing-newline", FUNCTION + "\n", "default", NOT_LAMBDA),
    ("malformed-leading-space", " " + FUNCTION, "default", NOT_LAMBDA),
    ("malformed-long-name", PREFIX + "f" * 65, "default", NOT_LAMBDA),
    ("malformed-empty", "", "default", NOT_LAMBDA),
]


LAMBDA_FIELDS: list[tuple[str, str, Callable[[str], Call]]] = [
    ("create-route", "routes.0.lambda_arn", lambda arn: create_route(lambda_arn=arn)),
    ("add-route", "route.lambda_arn", lambda arn: add_route(lambda_arn=arn)),
    ("update-route", "change.lambda_arn", lambda arn: update_route(lambda_arn=arn)),
    ("lambda-authorizer", "function_arn", lambda arn: lambda_authorizer(function_arn=arn)),
    (
        "create-authorizer",
        "authorizers.0.function_arn",
        lambda arn: create(
            "esc-arn",
            routes=[{**URL_ROUTE, "auth": "lam"}],
            authorizers=[{"name": "lam", "function_arn": arn}],
        ),
    ),
]

LOG_PREFIX = "arn:aws:logs:us-east-1:123456789012:log-group:"
NOT_LOG = "is not a CloudWatch Logs log group ARN"
LOG_PLACE = "must be in this server's partition, region and account"
LOG_ARNS: list[tuple[str, str, str]] = [
    ("other-account", LOG_PREFIX.replace("123456789012", OTHER_ACCOUNT) + "stolen", LOG_PLACE),
    ("other-region", LOG_PREFIX.replace("us-east-1", "eu-west-1") + "elsewhere", LOG_PLACE),
    ("partition-cn", "arn:aws-cn:logs:cn-north-1:123456789012:log-group:x", LOG_PLACE),
    ("partition-cn-same-region", LOG_PREFIX.replace("arn:aws:", "arn:aws-cn:") + "x", LOG_PLACE),
    ("partition-gov", "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:x", LOG_PLACE),
    ("firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/exfil", NOT_LOG),
    ("kinesis", "arn:aws:kinesis:us-east-1:123456789012:stream/exfil", NOT_LOG),
    ("s3-bucket", "arn:aws:s3:::exfil-bucket", NOT_LOG),
    ("log-group-star-suffix", LOG_PREFIX + "api-logs:*", NOT_LOG),
    ("log-group-wildcard-name", LOG_PREFIX + "*", NOT_LOG),
    ("log-stream", LOG_PREFIX + "api-logs:log-stream:s", NOT_LOG),
    ("wildcard-account", "arn:aws:logs:us-east-1:*:log-group:x", NOT_LOG),
    ("bare-name", "/aws/apigateway/esc", NOT_LOG),
    ("newline-in-name", LOG_PREFIX + "a\nb", NOT_LOG),
]


LOG_FIELDS: list[tuple[str, str, Callable[[str], Call]]] = [
    ("deploy-stage", "log_group_arn", lambda arn: deploy("logs", log_group_arn=arn)),
    (
        "create-stage",
        "stages.0.log_group_arn",
        lambda arn: create("esc-log", stages=[{"name": "prod", "log_group_arn": arn}]),
    ),
]


def _expect(field: str, reason: str) -> tuple[str, ...]:
    """The field and why; where the guard refuses the planned step, the rule and why."""
    return (LAMBDA_SCOPE, reason) if reason == GUARD_PARTITION else (field, reason)


ROWS = [
    row(f"{where}:{case}", build(arn), *_expect(field, reason), session=session)
    for where, field, build in LAMBDA_FIELDS
    for case, arn, session, reason in LAMBDA_ARNS
] + [
    row(f"{where}:log-{case}", build(arn), field, reason)
    for where, field, build in LOG_FIELDS
    for case, arn, reason in LOG_ARNS
]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    sessions = ["exact_lambda", "narrow_lambda", "any_lambda"]
    async with open_world(moto_endpoint, tmp_path_factory.mktemp("escape-arns"), sessions) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_arn_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
