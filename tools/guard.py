"""Every planned step passes the guard or gets a named reason; the guard runs before any write.

It is a second fence behind input validation: it re-checks what reaches AWS
(operations, scope, targets) on the steps themselves, so a planner bug cannot
write outside the scope either.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from .errors import OutOfScope
from .netcheck import url_refusal
from .operations import lookup
from .plan import REF_PATTERN, Plan, Step
from .scope import MANAGED_TAG, Scope, lambda_refusal
from .tool_operations import allows
from .validate import LAMBDA_ARN

STATEMENT_PREFIX = "apigw-mcp-"
_TAGGED_API = re.compile(r"arn:[a-z-]+:apigateway:[a-z0-9-]+::/apis/([A-Za-z0-9]+)")
_SOURCE_ARN = re.compile(
    r"arn:[a-z-]+:execute-api:(?P<region>[^:]*):(?P<account>[^:]*):(?P<api>\$\{[A-Za-z0-9_.]+\}|[^/]*)/.*"
)


@dataclass(frozen=True)
class Verdict:
    step_id: str
    rule: str
    reason: str


def check(
    plan: Plan, scope: Scope, changeable_api_ids: Collection[str], tool: str | None = None
) -> list[Verdict]:
    """Denials for ``plan``; an empty list means every step may run.

    ``changeable_api_ids`` are the existing APIs in scope (managed or listed); APIs
    the plan itself creates are addressed through placeholders and always allowed.
    """
    denials: list[Verdict] = []
    if plan.region != scope.region:
        denials.append(
            Verdict("*", "region", f"plan is for {plan.region}; APIGW_MCP_REGION allows only {scope.region}")
        )
    if scope.account and plan.account != scope.account:
        denials.append(
            Verdict(
                "*",
                "account",
                f"credentials are for account {plan.account}, APIGW_MCP_ACCOUNT pins {scope.account}",
            )
        )
    for step in plan.steps:
        reason = _step_refusal(step, scope, plan.account, changeable_api_ids)
        if reason is None and tool is not None and not allows(tool, step.service, step.operation):
            reason = ("tool-scope", f"{tool} may not call {step.service}.{step.operation}")
        if reason is not None:
            denials.append(Verdict(step.id, *reason))
    return denials


def enforce(plan: Plan, scope: Scope, changeable_api_ids: Collection[str], tool: str | None = None) -> None:
    denials = check(plan, scope, changeable_api_ids, tool)
    if denials:
        lines = "; ".join(f"{d.step_id}: {d.reason}" for d in denials)
        raise OutOfScope(denials[0].rule, lines)


def _step_refusal(
    step: Step, scope: Scope, account: str, changeable: Collection[str]
) -> tuple[str, str] | None:
    operation = lookup(step.service, step.operation)
    if operation is None:
        return (
            "unknown-operation",
            f"{step.service}.{step.operation} is not an operation this server may call",
        )
    if operation.access != "read" and scope.read_only:
        return "read-only", "the server is read-only (unset APIGW_MCP_READ_ONLY to allow changes)"
    if operation.access == "delete" and not scope.allow_deletes:
        return "deletes-off", (
            f"{step.operation} deletes {step.resource}; deletes are off "
            "(set APIGW_MCP_ALLOW_DELETES=true to allow them)"
        )
    return _target_refusal(step, scope, account, changeable)


def _api_refusal(api_id: str, changeable: Collection[str]) -> tuple[str, str] | None:
    if REF_PATTERN.fullmatch(api_id) or api_id in changeable:
        return None
    return "api-scope", f"API {api_id} is not in scope (managed tag, APIGW_MCP_API_IDS or name prefix)"


def _target_refusal(
    step: Step, scope: Scope, account: str, changeable: Collection[str]
) -> tuple[str, str] | None:
    params = step.params
    api_id = params.get("ApiId")
    if isinstance(api_id, str) and (refusal := _api_refusal(api_id, changeable)):
        return refusal
    resource_arn = params.get("ResourceArn")
    if isinstance(resource_arn, str):
        tagged = _TAGGED_API.fullmatch(resource_arn)
        return _api_refusal(tagged.group(1) if tagged else resource_arn, changeable)
    if step.operation == "create_api" and (params.get("Tags") or {}).get(MANAGED_TAG) != "true":
        return "api-scope", "APIs this server creates must carry the managed tag"
    uri = params.get("IntegrationUri")
    if isinstance(uri, str):
        return _uri_refusal(uri, scope, account)
    if step.operation in ("add_permission", "remove_permission"):
        return _permission_refusal(params, scope, account, changeable)
    return None


def _uri_refusal(uri: str, scope: Scope, account: str) -> tuple[str, str] | None:
    if LAMBDA_ARN.fullmatch(uri):
        reason = lambda_refusal(scope, uri, account)
        return ("lambda-scope", reason) if reason else None
    reason = url_refusal(uri)
    return ("integration-target", f"integration URL {uri!r}: {reason}") if reason else None


def _permission_refusal(
    params: dict[str, object], scope: Scope, account: str, changeable: Collection[str]
) -> tuple[str, str] | None:
    reason = lambda_refusal(scope, str(params.get("FunctionName", "")), account)
    if reason:
        return "lambda-scope", reason
    if "Principal" not in params:  # remove_permission: only this server's statement for an API in scope
        sid = str(params.get("StatementId", ""))
        if not sid.startswith(STATEMENT_PREFIX):
            return (
                "permission-scope",
                f"only statements this server added ({STATEMENT_PREFIX}API_ID) may be removed",
            )
        return _api_refusal(sid.removeprefix(STATEMENT_PREFIX), changeable)
    match = _SOURCE_ARN.fullmatch(str(params.get("SourceArn", "")))
    if match is None or match.group("region") != scope.region or match.group("account") != account:
        expected = f"arn:aws:execute-api:{scope.region}:{account}:API_ID/..."
        return "permission-scope", f"a Lambda invoke permission's SourceArn must be {expected}"
    api = match.group("api")
    if any(c in api for c in "*?") and not REF_PATTERN.fullmatch(api):
        return (
            "permission-scope",
            "a Lambda invoke permission must name one API in its SourceArn, never a wildcard",
        )
    return _api_refusal(api, changeable)
