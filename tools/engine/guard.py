"""Every planned step passes the guard or gets a named reason; the guard runs before any write.

It is a second fence behind input validation, and it fails closed: a step's operation
must be in the operations table and allowed for the tool, every parameter it carries
must be declared there for that operation and pass its judge (``params.py``), and at
least one target (API, function, log group, URL, issuer, ...) must be present. A
planner bug, a forged undo handle or an unknown field cannot write outside the scope.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from apigw_mcp.tools.engine.errors import OutOfScope
from apigw_mcp.tools.engine.judges import STATEMENT_PREFIX, GuardContext
from apigw_mcp.tools.engine.operations import lookup
from apigw_mcp.tools.engine.params import Param
from apigw_mcp.tools.engine.plan import Plan, Step, refs_in
from apigw_mcp.tools.engine.scope import Scope
from apigw_mcp.tools.engine.tool_operations import allows

__all__ = ["STATEMENT_PREFIX", "Verdict", "check", "enforce"]
_SHOWN = 3


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
    the plan itself creates are addressed through placeholders of earlier steps.
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
    if scope.read_only and plan.steps:
        # One refusal for the whole plan: every step would say the same.
        return [*denials, Verdict("*", "read-only", read_only_refusal(scope))]
    earlier: list[str] = []
    for step in plan.steps:
        ctx = GuardContext(scope, plan.account, changeable_api_ids, tuple(earlier))
        reason = _step_refusal(step, ctx, tool)
        if reason is not None:
            denials.append(Verdict(step.id, *reason))
        earlier.append(step.id)
    return denials


def read_only_refusal(scope: Scope) -> str:
    return f"the server is read-only ({scope.read_only_by}); restart it without that to allow changes"


def deletes_refusal(scope: Scope, count: int) -> str:
    setting = "--allow-deletes" if scope.deletes_by.startswith("--") else "APIGW_MCP_ALLOW_DELETES=true"
    return f"the plan deletes {count} resource(s) and deletes are off: restart the server with {setting}"


def enforce(plan: Plan, scope: Scope, changeable_api_ids: Collection[str], tool: str | None = None) -> None:
    denials = check(plan, scope, changeable_api_ids, tool)
    if denials:
        raise OutOfScope(denials[0].rule, summarise(denials))


def summarise(denials: list[Verdict]) -> str:
    """The first few refusals and how many more, so one refusal stays one readable line."""
    shown = "; ".join(f"{d.step_id}: {d.reason}" for d in denials[:_SHOWN])
    more = len(denials) - _SHOWN
    return shown + (f"; and {more} more step(s) refused" if more > 0 else "")


def _step_refusal(step: Step, ctx: GuardContext, tool: str | None) -> tuple[str, str] | None:
    operation = lookup(step.service, step.operation)
    if operation is None or operation.access == "read":
        return (
            "unknown-operation",
            f"{step.service}.{step.operation} is not a write this server may plan",
        )
    if operation.access == "delete" and not ctx.scope.allow_deletes:
        return "deletes-off", (
            f"{step.operation} deletes {step.resource}; deletes are off "
            "(set APIGW_MCP_ALLOW_DELETES=true to allow them)"
        )
    if tool is not None and not allows(tool, step.service, step.operation):
        return "tool-scope", f"{tool} may not call {step.service}.{step.operation}"
    unresolved = sorted(refs_in(step.params) - set(ctx.earlier))
    if unresolved:
        return "invalid-ref", f"{step.operation} refers to {unresolved[0]!r}, not an earlier step"
    refusal = _params_refusal(step.operation, step.params, operation.params, ctx)
    if refusal is not None:
        return refusal
    missing = [name for name, param in operation.params.items() if param.required and name not in step.params]
    if missing or not any(operation.params[name].target for name in step.params):
        return "no-target", f"{step.operation} names no target the guard can judge; refused"
    return None


def _params_refusal(
    where: str, values: Mapping[str, Any], declared: Mapping[str, Param], ctx: GuardContext
) -> tuple[str, str] | None:
    for name, value in values.items():
        param = declared.get(name)
        path = f"{where}.{name}"
        if param is None:
            return "unknown-parameter", f"{path} is not a parameter this server sends; refused"
        refusal = _value_refusal(path, value, param, ctx)
        if refusal is not None:
            return refusal
    return None


def _value_refusal(path: str, value: Any, param: Param, ctx: GuardContext) -> tuple[str, str] | None:
    if param.judge is not None:
        reason = param.judge(value, ctx)
        return (getattr(reason, "rule", param.rule), f"{path}: {reason}") if reason else None
    if not isinstance(value, dict):
        return param.rule, f"{path}: must be an object"
    if param.each_key is None:
        return _params_refusal(path, value, param.fields, ctx)
    for key, item in value.items():
        reason = param.each_key(key, ctx)
        if reason:
            return param.rule, f"{path} key {key!r}: {reason}"
        if not isinstance(item, dict):
            return param.rule, f"{path}.{key}: must be an object"
        refusal = _params_refusal(f"{path}.{key}", item, param.fields, ctx)
        if refusal is not None:
            return refusal
    return None
