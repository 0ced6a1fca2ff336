"""How the guard judges the targets of REST API (apigateway) and WAF steps (pure): roles, user pools,
integration URIs, REST API, stage, usage-plan and web ACL ARNs, access-log destinations.

Same contract as ``judges.py``: None when the value may reach AWS, else the reason it may not.
"""

from __future__ import annotations

import re
from typing import Any

from apigw_mcp.tools.engine.judges import (
    AUTHORIZER_URI,
    GuardContext,
    api_id,
    child_id,
    function_arn,
    log_arn,
    with_rule,
)
from apigw_mcp.tools.engine.netcheck import url_refusal

_ROLE_ARN = re.compile(r"arn:(?P<partition>[a-z-]+):iam::(?P<account>\d{12}):role/[\w+=,.@/-]{1,512}")
_USER_POOL_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):cognito-idp:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"userpool/[a-z0-9-]+_[A-Za-z0-9]+"
)
_SERVICE_URI = re.compile(
    r"arn:(?P<partition>[a-z-]+):apigateway:(?P<region>[a-z0-9-]+):(?P<service>[a-z0-9.-]+):"
    r"(?:action/[A-Za-z0-9]{1,128}|path/(?P<path>[A-Za-z0-9._~!$&'()*+,;=:@%{}/-]{1,2048}))"
)
# AWS services a REST API's AWS integration may call (the ``{service}`` of the action/path URI form);
# Lambda only through the invocation URI, which names the function so that its scope can be judged.
AWS_INTEGRATION_SERVICES = frozenset(
    {"sqs", "sns", "dynamodb", "states", "kinesis", "firehose", "s3", "events"}
)
_REST_API_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):apigateway:(?P<region>[a-z0-9-]+)::/restapis/(?P<api>[^/]+)"
    r"(?:/stages/(?P<stage>[^/]+))?"
)
_WEB_ACL_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):wafv2:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<scope>[a-z]+)/webacl/[A-Za-z0-9_-]{1,128}/[a-f0-9-]{1,36}"
)
_STAGE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_USAGE_PLAN_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):apigateway:(?P<region>[a-z0-9-]+)::/usageplans/(?P<id>.+)"
)
_FIREHOSE_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):firehose:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"deliverystream/amazon-apigateway-[A-Za-z0-9_.-]{1,45}"
)


def _here(ctx: GuardContext, partition: str, region: str | None = None, account: str | None = None) -> bool:
    """Whether an ARN's partition (and region, account where the ARN has them) are this server's."""
    return (
        partition == ctx.partition and region in (None, ctx.scope.region) and account in (None, ctx.account)
    )


def role_arn(value: Any, ctx: GuardContext) -> str | None:
    """An IAM role of this account (API Gateway assumes it: integration, authorizer, CloudWatch logging)."""
    match = _ROLE_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return f"must be an IAM role ARN (arn:{ctx.partition}:iam::{ctx.account}:role/NAME)"
    if not _here(ctx, match["partition"], account=match["account"]):
        return f"role {value} is not in this server's partition and account ({ctx.partition}, {ctx.account})"
    return None


def credentials(value: Any, ctx: GuardContext) -> str | None:
    """A role of this account, or AWS's caller-credentials form (the caller's own identity is used)."""
    if value == f"arn:{ctx.partition}:iam::*:user/*":
        return None
    return role_arn(value, ctx)


def user_pool_arn(value: Any, ctx: GuardContext) -> str | None:
    match = _USER_POOL_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return "must be a Cognito user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID)"
    if not _here(ctx, match["partition"], match["region"], match["account"]):
        return (
            f"user pool {value} is not in this server's partition, region and account "
            f"({ctx.partition}, {ctx.scope.region}, {ctx.account})"
        )
    return None


def rest_integration_uri(value: Any, ctx: GuardContext) -> str | None:
    """A Lambda invocation URI (function in scope), an AWS service URI of this region or a public URL."""
    if not isinstance(value, str):
        return "must be a Lambda invocation URI, an AWS service URI or an https:// URL"
    invoke = AUTHORIZER_URI.fullmatch(value)
    if invoke is not None:
        if (invoke["partition"], invoke["region"]) != (ctx.partition, ctx.scope.region):
            return with_rule(
                "lambda-scope",
                f"Lambda invocation URI {value!r} is outside {ctx.partition}/{ctx.scope.region}",
            )
        return with_rule("lambda-scope", function_arn(invoke["function"], ctx))
    if value.startswith("arn:"):
        return _service_uri_refusal(value, ctx)
    reason = url_refusal(value)
    return f"integration URL: {reason}" if reason else None


def _service_uri_refusal(value: str, ctx: GuardContext) -> str | None:
    match = _SERVICE_URI.fullmatch(value)
    if match is None:
        return "an AWS integration URI is arn:aws:apigateway:REGION:SERVICE:action/ACTION or :path/PATH"
    if not _here(ctx, match["partition"], match["region"]):
        return f"integration URI {value!r} is outside {ctx.partition}/{ctx.scope.region}"
    if match["service"] not in AWS_INTEGRATION_SERVICES:
        allowed = ", ".join(sorted(AWS_INTEGRATION_SERVICES))
        return f"service {match['service']!r} is not one this server integrates with ({allowed})"
    if match["path"] is not None and ".." in match["path"].split("/"):
        return "an AWS integration path must not hold a '..' segment"
    return None


def rest_api_arn(value: Any, ctx: GuardContext) -> str | None:
    """A REST API, or one of its stages, in scope (what tags are put on or taken from)."""
    match = _REST_API_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None or not _here(ctx, match["partition"], match["region"]):
        return f"must be arn:{ctx.partition}:apigateway:{ctx.scope.region}::/restapis/API_ID[/stages/STAGE]"
    if match["stage"] is not None and not _STAGE.fullmatch(match["stage"]):
        return f"stage name {match['stage']!r}: 1-128 letters, digits, '-' and '_'"
    return api_id(match["api"], ctx)


def taggable_arn(value: Any, ctx: GuardContext) -> str | None:
    """What REST tags go on: an API or stage in scope, or a usage plan (an account-level resource)."""
    plan = _USAGE_PLAN_ARN.fullmatch(value) if isinstance(value, str) else None
    if plan is not None and _here(ctx, plan["partition"], plan["region"]):
        return child_id(plan["id"], ctx)
    return rest_api_arn(value, ctx)


def access_log_destination(value: Any, ctx: GuardContext) -> str | None:
    """A REST stage's access logs: a log group, or a Firehose stream named amazon-apigateway-*, both here."""
    stream = _FIREHOSE_ARN.fullmatch(value) if isinstance(value, str) else None
    if stream is None:
        return log_arn(value, ctx)
    if not _here(ctx, stream["partition"], stream["region"], stream["account"]):
        return (
            f"Firehose stream {value} is not in this server's partition, region and account "
            f"({ctx.partition}, {ctx.scope.region}, {ctx.account})"
        )
    return None


def stage_arn(value: Any, ctx: GuardContext) -> str | None:
    """A stage of a REST API in scope (what a web ACL protects)."""
    match = _REST_API_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None or match["stage"] is None:
        where = f"arn:{ctx.partition}:apigateway:{ctx.scope.region}"
        return f"must be a REST API stage ARN ({where}::/restapis/API_ID/stages/STAGE)"
    return rest_api_arn(value, ctx)


def web_acl_arn(value: Any, ctx: GuardContext) -> str | None:
    match = _WEB_ACL_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return "must be a WAFv2 web ACL ARN (arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID)"
    if not _here(ctx, match["partition"], match["region"], match["account"]):
        return (
            f"web ACL {value} is not in this server's partition, region and account "
            f"({ctx.partition}, {ctx.scope.region}, {ctx.account})"
        )
    if match["scope"] != "regional":
        return "a REST API stage takes a regional web ACL, not a CloudFront one"
    return None


def api_stage(value: Any, ctx: GuardContext) -> str | None:
    """``API_ID:STAGE`` as usage plan patch operations name an API stage; the API must be in scope."""
    api, sep, stage = value.partition(":") if isinstance(value, str) else ("", "", "")
    if not sep or not _STAGE.fullmatch(stage):
        return "must be API_ID:STAGE"
    return api_id(api, ctx)
