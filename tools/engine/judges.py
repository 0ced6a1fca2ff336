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
AUTHORIZER_URI = re.compile(
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
    match = AUTHORIZER_URI.fullmatch(value) if isinstance(value, str) else None
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
