"""How the guard judges one parameter value of a planned AWS call (pure).

Each judge returns None when the value may reach AWS, else the reason it may not.
Judges see the value as the step carries it, placeholders (``${step.Field}``)
included: a placeholder is accepted only where it names a step earlier in the
same plan, so a reference can never point outside what the plan itself creates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.netcheck import url_refusal
from apigw_mcp.tools.engine.plan import REF_PATTERN
from apigw_mcp.tools.engine.scope import Scope, lambda_refusal

Judge = Callable[[Any, "GuardContext"], str | None]
STATEMENT_PREFIX = "apigw-mcp-"
_ID = re.compile(r"[A-Za-z0-9]{1,64}")
_LOG_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):log-group:"
    r"(?P<name>[A-Za-z0-9_./#-]{1,512})(?::\*)?"
)
_AUTHORIZER_URI = re.compile(
    r"arn:(?P<partition>[a-z-]+):apigateway:(?P<region>[a-z0-9-]+):lambda:path/2015-03-31/functions/"
    r"(?P<function>[^/]+)/invocations"
)
_SOURCE_ARN = re.compile(
    r"arn:(?P<partition>[a-z-]+):execute-api:(?P<region>[^:]*):(?P<account>[^:]*):"
    r"(?P<api>\$\{[A-Za-z0-9_.]+\}|[^/]*)/.*"
)
_API_ARN = re.compile(r"arn:(?P<partition>[a-z-]+):apigateway:(?P<region>[a-z0-9-]+)::/apis/(?P<api>.+)")


class Refusal(str):
    """A reason that carries its own rule name, where one judge covers targets of two kinds."""

    rule: str


def with_rule(rule: str, reason: str | None) -> str | None:
    if reason is None:
        return None
    refusal = Refusal(reason)
    refusal.rule = rule
    return refusal


@dataclass(frozen=True)
class GuardContext:
    """What a judgement depends on: the scope, who acts, the APIs in scope, the plan's earlier steps."""

    scope: Scope
    account: str
    changeable: Collection[str]
    earlier: Collection[str] = ()

    @property
    def partition(self) -> str:
        return validate.partition_of(self.scope.region)

    def ref_refusal(self, value: str) -> str | None:
        match = REF_PATTERN.fullmatch(value)
        if match is None or match.group(1) not in self.earlier:
            return f"placeholder {value!r} does not name an earlier step of this plan"
        return None


def _is_ref(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def api_id(value: Any, ctx: GuardContext) -> str | None:
    if not isinstance(value, str):
        return "must be an API id"
    if _is_ref(value):
        return ctx.ref_refusal(value)
    if value in ctx.changeable:
        return None
    return f"API {value} is not in scope (managed tag, APIGW_MCP_API_IDS or name prefix)"


def child_id(value: Any, ctx: GuardContext) -> str | None:
    if isinstance(value, str) and _is_ref(value):
        return ctx.ref_refusal(value)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return "must be an id of letters and digits"
    return None


def route_target(value: Any, ctx: GuardContext) -> str | None:
    if not isinstance(value, str) or not value.startswith("integrations/"):
        return "must be integrations/INTEGRATION_ID"
    return child_id(value.removeprefix("integrations/"), ctx)


def function_arn(value: Any, ctx: GuardContext) -> str | None:
    if not isinstance(value, str) or not validate.LAMBDA_ARN.fullmatch(value):
        return "must be a Lambda function ARN"
    partition = value.split(":")[1]
    region, account = validate.lambda_region_account(value)
    if (partition, region, account) != (ctx.partition, ctx.scope.region, ctx.account):
        return (
            f"Lambda function {value} is outside this server's partition, region and account "
            f"({ctx.partition}, {ctx.scope.region}, {ctx.account})"
        )
    return lambda_refusal(ctx.scope, value, ctx.account)


def integration_uri(value: Any, ctx: GuardContext) -> str | None:
    """A Lambda function in scope, or a public HTTPS URL."""
    if isinstance(value, str) and value.startswith("arn:"):
        return with_rule("lambda-scope", function_arn(value, ctx))
    if not isinstance(value, str):
        return "must be a Lambda ARN or an https:// URL"
    reason = url_refusal(value)
    return f"integration URL: {reason}" if reason else None


def authorizer_uri(value: Any, ctx: GuardContext) -> str | None:
    match = _AUTHORIZER_URI.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return "must be the API Gateway invocation URI of a Lambda function"
    if (match["partition"], match["region"]) != (ctx.partition, ctx.scope.region):
        return f"authorizer URI {value!r} is outside {ctx.partition}/{ctx.scope.region}"
    return function_arn(match["function"], ctx)


def issuer(value: Any, _: GuardContext) -> str | None:
    if not isinstance(value, str):
        return "must be an https:// issuer URL"
    try:
        validate.issuer(value)
    except ValueError as error:
        return str(error)
    return None


def log_arn(value: Any, ctx: GuardContext) -> str | None:
    match = _LOG_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return "must be a CloudWatch Logs log group ARN"
    if (match["partition"], match["region"], match["account"]) != (
        ctx.partition,
        ctx.scope.region,
        ctx.account,
    ):
        return (
            f"log group {value} is not in this server's partition, region and account "
            f"({ctx.partition}, {ctx.scope.region}, {ctx.account})"
        )
    return None


def log_group_name(value: Any, _: GuardContext) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_./#-]{1,512}", value):
        return "must be a log group name (1-512 of letters, digits and _ . / # -)"
    return None


def source_arn(value: Any, ctx: GuardContext) -> str | None:
    match = _SOURCE_ARN.fullmatch(value) if isinstance(value, str) else None
    expected = f"arn:{ctx.partition}:execute-api:{ctx.scope.region}:{ctx.account}:API_ID/..."
    if match is None or (match["partition"], match["region"], match["account"]) != (
        ctx.partition,
        ctx.scope.region,
        ctx.account,
    ):
        return f"a Lambda invoke permission's SourceArn must be {expected}"
    api = match["api"]
    if any(c in api for c in "*?") and not _is_ref(api):
        return "a Lambda invoke permission must name one API in its SourceArn, never a wildcard"
    return with_rule("api-scope", api_id(api, ctx))


def statement_id(value: Any, ctx: GuardContext) -> str | None:
    if not isinstance(value, str) or not value.startswith(STATEMENT_PREFIX):
        return f"only statements this server adds ({STATEMENT_PREFIX}API_ID) may be added or removed"
    return with_rule("api-scope", api_id(value.removeprefix(STATEMENT_PREFIX), ctx))


def api_arn(value: Any, ctx: GuardContext) -> str | None:
    match = _API_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None or (match["partition"], match["region"]) != (ctx.partition, ctx.scope.region):
        return f"must be arn:{ctx.partition}:apigateway:{ctx.scope.region}::/apis/API_ID"
    return api_id(match["api"], ctx)


def equals(expected: str) -> Judge:
    def judge(value: Any, _: GuardContext) -> str | None:
        return None if value == expected else f"must be {expected!r}"

    return judge


def one_of(*allowed: str) -> Judge:
    def judge(value: Any, _: GuardContext) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}"

    return judge


def text(max_length: int, required: bool = False) -> Judge:
    """Printable text (no line breaks or control characters) of at most ``max_length`` characters."""

    def judge(value: Any, _: GuardContext) -> str | None:
        if not isinstance(value, str) or len(value) > max_length or (required and not value):
            return f"must be text of {'1' if required else '0'}-{max_length} characters"
        if any(not c.isprintable() for c in value):
            return "must not contain line breaks or control characters"
        return None

    return judge


def text_list(max_items: int, max_length: int) -> Judge:
    item = text(max_length, required=True)

    def judge(value: Any, ctx: GuardContext) -> str | None:
        if not isinstance(value, list) or len(value) > max_items:
            return f"must be a list of at most {max_items} items"
        return next((r for v in value if (r := item(v, ctx))), None)

    return judge


def number(low: float, high: float, integer: bool = False) -> Judge:
    def judge(value: Any, _: GuardContext) -> str | None:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            return f"must be a{'n integer' if integer else ' number'} from {low:g} to {high:g}"
        return None

    return judge


def boolean(value: Any, _: GuardContext) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def normal(check: Callable[[Any], Any]) -> Judge:
    """Like ``checked``, and the value must already be in the normal form ``check`` returns."""

    def judge(value: Any, _: GuardContext) -> str | None:
        try:
            normalised = check(value)
        except (ValueError, TypeError, AttributeError) as error:
            return str(error) or "is not valid"
        return None if normalised == value else f"must be written {normalised!r}"

    return judge


def checked(check: Callable[[Any], Any]) -> Judge:
    """A judge from one of ``validate``'s functions, which raise ValueError saying what is allowed."""

    def judge(value: Any, _: GuardContext) -> str | None:
        try:
            check(value)
        except (ValueError, TypeError, AttributeError) as error:
            return str(error) or "is not valid"
        return None

    return judge


# --- Targets of REST API (apigateway) and WAF steps ---------------------------------------------------

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
    invoke = _AUTHORIZER_URI.fullmatch(value)
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
