"""What a mutating tool returns to the model: compact, each fact once, and the next call spelled out.

Clients differ in the channel they give the model (Claude Code and VS Code the
structured content, Claude Desktop the text), so both carry this same object: the
structured content as is, the text as its compact JSON. A preview shows the exact AWS
calls (``plan.steps``: ``call`` and ``params``, an ``id`` only where a later step's
placeholder names it), the diff as Terraform-style lines (values of additions are in
the steps; changes and deletes show before and after), the warnings and ``plan.token``.
A REST plan's steps leave out what they share, said once in ``plan.api`` and ``plan.refs``
(change_output_rest.py). An apply shows what happened and the handle to take it back, not the plan again.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pydantic import BaseModel

from apigw_mcp.tools.engine.change_output_rest import REST_SERVICE, ShownSteps, shown_rest_steps
from apigw_mcp.tools.engine.plan import DiffRow, Plan, refs_in
from apigw_mcp.tools.engine.results import ChangeResult


class StepOut(BaseModel):
    call: str
    params: dict[str, Any]
    id: str | None = None


class PlanOut(BaseModel):
    """``service``: the AWS service of the steps whose ``call`` gives only the operation; ``api`` and
    ``refs``: what a REST plan's steps leave out (change_output_rest.py)."""

    summary: str
    account: str | None = None
    region: str | None = None
    caller: str | None = None
    service: str | None = None
    api: str | None = None
    refs: dict[str, Any] | None = None
    steps: list[StepOut] | None = None
    diff: list[str] | None = None
    warnings: list[str] | None = None
    token: str | None = None


class FailedOut(BaseModel):
    call: str
    resource: str
    error: str


USAGE_PLAN_TOOL = "configure_usage_plan"


class ChangeOutput(BaseModel):
    """The result of every mutating tool (fields left out when empty)."""

    plan: PlanOut
    applied: int | None = None
    applied_ids: list[str] | None = None
    failed: FailedOut | None = None
    remaining: list[str] | None = None
    undo: str | None = None
    api_id: str | None = None
    endpoint: str | None = None
    usage_plan_id: str | None = None
    api_key_ids: list[str] | None = None
    next: str


def change_output(result: ChangeResult, tool: str, dry_run: bool) -> ChangeOutput:
    applying = not dry_run and bool(result.applied or result.failed)
    plan = _applied_plan(result, result.preview_warnings) if applying else _preview_plan(result.plan)
    output = ChangeOutput(plan=plan, api_id=result.api_id, endpoint=result.endpoint or None, next="")
    if tool == USAGE_PLAN_TOOL:  # the change path's "API" is the usage plan here
        output.usage_plan_id, output.api_id, output.endpoint = output.api_id, None, None
    if applying:
        output.applied = len(result.applied)
        output.undo = result.undo
        # a new key's id, so its owner can read its value (never returned here) with the AWS CLI
        keys = [a.resource_id for a in result.applied if a.operation == "create_api_key"]
        output.api_key_ids = keys or None
        if result.failed:
            output.applied_ids = [f"{a.operation} {a.resource_id}" for a in result.applied] or None
            output.failed = FailedOut(
                call=result.failed.operation, resource=result.failed.resource, error=result.failed.error
            )
            output.remaining = result.remaining or None
    output.next = _next(output, tool, result.blocked)
    return output


def _preview_plan(plan: Plan) -> PlanOut:
    named = {ref for step in plan.steps for ref in refs_in(step.params)}
    services = Counter(s.service for s in plan.steps)
    main = services.most_common(1)[0][0] if services else None
    shown = (
        shown_rest_steps(plan.steps) if main == REST_SERVICE else ShownSteps([s.params for s in plan.steps])
    )
    return PlanOut(
        summary=plan.summary,
        account=plan.account,
        region=plan.region,
        caller=plan.caller or None,
        service=main,
        api=shown.api,
        refs=shown.refs,
        steps=[
            StepOut(
                call=s.operation if s.service == main else f"{s.service}.{s.operation}",
                params=params,
                id=s.id if s.id in named else None,
            )
            for s, params in zip(plan.steps, shown.params, strict=True)
        ]
        or None,
        diff=[diff_line(row) for row in plan.diff] or None,
        warnings=plan.warnings or None,
        token=plan.token if plan.steps else None,
    )


def _applied_plan(result: ChangeResult, preview_warnings: int) -> PlanOut:
    """The preview already showed the plan and its warnings: only what the apply itself added is said."""
    done = len(result.applied)
    total = done + len(result.remaining) + (1 if result.failed else 0)
    return PlanOut(
        summary=f"Applied {done} of {total} AWS call(s).",
        warnings=result.plan.warnings[preview_warnings:] or None,
    )


def diff_line(row: DiffRow) -> str:
    """One Terraform-style line. An addition shows its value only when that is a short label (a route's
    backend and auth): an object's values are the step's parameters already."""
    name = f"{row.resource}.{row.field}" if row.field else row.resource
    if row.action == "+":
        return (
            f"+ {name}"
            if row.after is None or isinstance(row.after, dict)
            else f"+ {name} = {_value(row.after)}"
        )
    if row.action == "-":
        return f"- {name}" if row.before is None else f"- {name} (was {_value(row.before)})"
    return f"{row.action} {name}: {_value(row.before)} -> {_value(row.after)}"


def _value(value: Any) -> str:
    if value is None:
        return "none"
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)


def _next(output: ChangeOutput, tool: str, refused: str | None) -> str:
    if output.failed is not None:
        return (
            "Fix the cause of plan.failed, then call the tool again (it re-plans from the live state), "
            "or call undo with the undo handle."
            if output.undo
            else "Fix the cause of plan.failed, then call the tool again."
        )
    if output.applied is not None:
        verify = f"verify with describe_api(api_id={output.api_id!r})" if output.api_id else "verify"
        if output.api_key_ids:
            verify += (
                "; a key's owner reads its value with aws apigateway get-api-key --include-value --api-key ID"
            )
        return (
            f"Done: {verify}; to revert, call undo with the undo handle."
            if output.undo
            else f"Done: {verify}."
        )
    if not output.plan.steps:
        return "Nothing to apply: AWS already matches the request."
    if refused:
        return f"Review the plan; applying it is refused now: {refused}"
    return (
        f"After review, call {tool} again with the same arguments, dry_run=false and plan_token=plan.token."
    )
