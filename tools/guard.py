"""Every planned step passes the guard or gets a named reason; the guard runs before any write.

It is a second fence behind input validation: it re-checks what reaches AWS
(operations, scope, targets) on the steps themselves, so a planner bug cannot
write outside the scope either.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .errors import OutOfScope
from .netcheck import url_refusal
from .operations import lookup
from .plan import REF_PATTERN, Plan, Step
from .scope import MANAGED_TAG, Scope, lambda_refusal
from .validate import LAMBDA_ARN


@dataclass(frozen=True)
class Verdict:
    step_id: str
    rule: str
    reason: str


def check(plan: Plan, scope: Scope, changeable_api_ids: Collection[str]) -> list[Verdict]:
    """Denials for ``plan``; an empty list means every step may run.

    ``changeable_api_ids`` are the existing APIs in scope (managed or listed); APIs
    the plan itself creates are addressed through placeholders and always allowed.
    """
    denials: list[Verdict] = []
    if plan.region != scope.region:
        denials.append(Verdict("*", "region", f"plan is for {plan.region}, scope allows {scope.region}"))
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
        if reason is not None:
            denials.append(Verdict(step.id, *reason))
    return denials


def enforce(plan: Plan, scope: Scope, changeable_api_ids: Collection[str]) -> None:
    denials = check(plan, scope, changeable_api_ids)
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


def _target_refusal(
    step: Step, scope: Scope, account: str, changeable: Collection[str]
) -> tuple[str, str] | None:
    params = step.params
    api_id = params.get("ApiId")
    if isinstance(api_id, str) and not REF_PATTERN.fullmatch(api_id) and api_id not in changeable:
        return "api-scope", f"API {api_id} is not in scope (managed tag, APIGW_MCP_API_IDS or name prefix)"
    if step.operation == "create_api" and (params.get("Tags") or {}).get(MANAGED_TAG) != "true":
        return "api-scope", "APIs this server creates must carry the managed tag"
    uri = params.get("IntegrationUri")
    if isinstance(uri, str):
        return _uri_refusal(uri, scope, account)
    function = params.get("FunctionName")
    if isinstance(function, str):
        return _permission_refusal(function, str(params.get("SourceArn", "")), scope, account)
    return None


def _uri_refusal(uri: str, scope: Scope, account: str) -> tuple[str, str] | None:
    if LAMBDA_ARN.fullmatch(uri):
        reason = lambda_refusal(scope, uri, account)
        return ("lambda-scope", reason) if reason else None
    reason = url_refusal(uri)
    return ("integration-target", f"integration URL {uri!r}: {reason}") if reason else None


def _permission_refusal(function: str, source_arn: str, scope: Scope, account: str) -> tuple[str, str] | None:
    reason = lambda_refusal(scope, function, account)
    if reason:
        return "lambda-scope", reason
    api_part = source_arn.split(":")[5] if source_arn.count(":") >= 5 else ""
    if not api_part or api_part.startswith("*"):
        return "permission-scope", "a Lambda invoke permission must name one API in its SourceArn, never '*'"
    return None
