"""One path for every change to an API of any kind: read, plan, guard, then preview or apply with the token.

Each mutating tool only says how the desired spec follows from the live API (or
that the API goes away); reading, planning, the checks on what will be written, the
guard, the signed token, execution, the audit log and the undo handle are the same
for all of them. What differs between HTTP, REST and WebSocket APIs is behind the
``Kind`` the change names (``server/kinds/base.py``); this module imports no kind.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Generic

from pydantic import ValidationError

from apigw_mcp.server.aws import Identity, gather
from apigw_mcp.server.executor import execute
from apigw_mcp.server.kinds.base import Applied, Extras, Kind, LiveT, PlanInputs, SpecT
from apigw_mcp.server.reads.locate import locate_api, looks_like_id
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine import guard
from apigw_mcp.tools.engine.errors import BadInput, OutOfScope, validation_message
from apigw_mcp.tools.engine.handle import seal
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.results import ChangeResult
from apigw_mcp.tools.engine.scope import api_change_refusal, lambda_refusal
from apigw_mcp.tools.engine.token import TTL_MINUTES, check_token, make_token, token_expiry
from apigw_mcp.tools.engine.tool_operations import allows
from apigw_mcp.tools.engine.validate import lambda_region_account


@dataclass(frozen=True)
class Change(Generic[LiveT, SpecT]):
    """What a tool asks for: the kind of API, which one, how the desired spec follows from it, how to apply.

    ``drop_log_groups`` and ``drop_permissions`` are what an undone apply created outside the
    API: log groups are deleted, and this server's invoke statement is removed from functions
    the restored API no longer uses.
    """

    kind: Kind[LiveT, SpecT]
    tool: str
    args: dict[str, Any]
    desired: Callable[[LiveT | None, Identity], SpecT | None]
    api_id: str | None = None
    name: str | None = None
    may_be_missing: bool = False
    deploy: Collection[str] = ()
    deploy_if_changed: bool = False
    exact_stages: bool = False  # the desired stages are the whole list: a live one left out goes
    notes: list[str] = field(default_factory=list)
    drop_log_groups: Collection[str] = ()
    drop_permissions: Collection[str] = ()
    add_permissions: bool = True
    field_prefix: str = ""


async def run_change(
    rt: Runtime,
    change: Change[LiveT, SpecT],
    dry_run: bool,
    plan_token: str | None,
    confirm: Callable[[Plan], Awaitable[None]] | None = None,
) -> ChangeResult:
    if not dry_run and not plan_token:
        raise BadInput(
            "plan_token", "required with dry_run=false: run with dry_run=true and pass its plan.token"
        )
    kind = change.kind
    refusal = kind.supports(change.tool)
    if refusal:
        raise BadInput("api_id", refusal)
    identity, live = await _locate(rt, change)
    if live is None and change.api_id is not None and not change.may_be_missing:
        raise BadInput(
            "api_id",
            f"no {kind.name} API {change.api_id!r} in {rt.scope.region}: list_apis shows what exists",
        )
    if live is not None:
        kind.check_changeable(rt.scope, live, via_name=change.api_id is None)
    desired = _desired(change, live, identity, rt.scope.region)
    wired = kind.newly_wired(desired, live) if desired is not None else []
    _check_functions(wired, rt, identity, change)
    extras = await kind.read_extras(rt.aws, live, desired, identity, change.drop_log_groups)
    for arn in extras.missing:
        if arn in wired:
            field_name = path_of(arn, change.args) or change.field_prefix.rstrip(".") or "lambda_arn"
            raise BadInput(field_name, f"Lambda function {arn} does not exist in {rt.scope.region}")
    plan = _plan(desired, live, extras, change, rt, identity)
    plan.warnings.extend(change.notes + extras.broad)
    plan.warnings.extend(
        f"Lambda function {arn} that this API already uses does not exist: its routes answer 500 until it "
        "is restored or the routes are pointed elsewhere."
        for arn in extras.missing
    )
    blocked = _guard(plan, rt, _changeable(rt, live, extras), change.tool, dry_run)
    state = kind.state(f"api {change.name or change.api_id}", live, extras)
    args = {"tool": change.tool, **change.args}
    now = int(time.time() // 60)
    expires = now + TTL_MINUTES if dry_run or not plan.steps else token_expiry(str(plan_token), now)
    plan.token = make_token(
        rt.signer, args, rt.scope.model_dump(mode="json"), identity.arn, state, plan.steps, expires
    )
    result = ChangeResult(
        plan=plan,
        api_id=live.api_id if live else None,
        endpoint=live.endpoint if live else None,
        blocked=blocked,
    )
    if dry_run or not plan.steps:
        return result
    check_token(str(plan_token), plan.token, state)
    if confirm is not None:
        await confirm(plan)
    return await _apply(rt, change, plan, live, desired)


async def _locate(rt: Runtime, change: Change[LiveT, SpecT]) -> tuple[Identity, LiveT | None]:
    """The caller and the live API: by id (one round, as most changes name an existing API's id), else
    the id's or name's API found among all APIs, which must be of the change's kind."""
    kind, api_id = change.kind, change.api_id
    if api_id is not None and looks_like_id(api_id):
        identity, live = await gather(rt.aws.identity, lambda: kind.read(rt.aws, api_id))
        if live is not None:
            return identity, live
    located = await locate_api(rt.aws, api_id, change.name, {kind.name})
    if located.api_id is None:
        return located.identity, None
    if located.kind != kind.name:
        raise BadInput(
            "api_id", f"{located.api_id} is a {located.kind} API: {change.tool} here changes {kind.name} APIs"
        )
    return located.identity, await kind.read(rt.aws, located.api_id)


def _changeable(rt: Runtime, live: LiveT | None, extras: Extras) -> set[str]:
    """The existing APIs the plan may name: the changed one, and those others it names that are in scope."""
    others = extras.other_apis.items()
    in_scope = {a for a, (name, tags) in others if not api_change_refusal(rt.scope, a, name, tags)}
    return ({live.api_id} if live else set()) | in_scope


def _guard(plan: Plan, rt: Runtime, changeable: set[str], tool: str, dry_run: bool) -> str | None:
    """Refuse a plan the guard denies; a preview whose only denials are deletes is still shown, with why
    applying it would be refused (returned, and said in its warnings)."""
    denials = guard.check(plan, rt.scope, changeable, tool)
    if not denials:
        return None
    deletes = [d for d in denials if d.rule == "deletes-off"]
    if not dry_run or len(deletes) != len(denials):
        first = next((d for d in denials if d.rule != "deletes-off"), denials[0])
        raise OutOfScope(first.rule, guard.summarise([first, *[d for d in denials if d is not first]]))
    why = guard.deletes_refusal(rt.scope, len(deletes))
    plan.warnings.append(f"Applying is refused now: {why}.")
    return why


def path_of(value: str, data: Any, prefix: str = "") -> str | None:
    """The dotted path of the first place ``value`` appears in the arguments, to name the field in errors."""
    if data == value:
        return prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, item in items:
        found = path_of(value, item, f"{prefix}.{key}" if prefix else str(key))
        if found is not None:
            return found
    return None


def _desired(
    change: Change[LiveT, SpecT], live: LiveT | None, identity: Identity, region: str
) -> SpecT | None:
    try:
        desired = change.desired(live, identity)
        if desired is not None:
            change.kind.check_written(desired, live, region, identity.account)
        return desired
    except ValidationError as error:
        raise BadInput(
            change.field_prefix.rstrip(".") or "invalid arguments", validation_message(error)
        ) from None
    except ValueError as error:
        field_name, _, message = str(error).partition(": ")
        raise BadInput(change.field_prefix + field_name, message) from None


def _check_functions(wired: list[str], rt: Runtime, identity: Identity, change: Change[Any, Any]) -> None:
    """Functions a change newly wires to a route or authorizer must be in this region and account and in
    the allowed patterns, even when the API already uses them elsewhere."""
    named = {arn: path_of(arn, change.args) for arn in wired}
    # Functions named in the arguments first, so the error points at the argument to fix.
    for arn in sorted(wired, key=lambda a: named[a] is None):
        region, account = lambda_region_account(arn)
        field_name = named[arn] or change.field_prefix.rstrip(".") or "routes"
        if region != rt.scope.region:
            raise BadInput(field_name, f"{arn} must be in region {rt.scope.region}, where this server works")
        if account != identity.account:
            raise BadInput(
                field_name, f"{arn} must be in account {identity.account}, where this server works"
            )
        refusal = lambda_refusal(rt.scope, arn, identity.account)
        if refusal:
            raise OutOfScope("lambda-scope", f"{field_name}: {refusal}")


def _plan(
    desired: SpecT | None,
    live: LiveT | None,
    extras: Extras,
    change: Change[LiveT, SpecT],
    rt: Runtime,
    identity: Identity,
) -> Plan:
    # An undo restores the statements as they were (it adds none, except for a recreated API), and
    # a tool that does not wire functions (delete_route, configure_cors, ...) leaves them alone.
    adds = change.add_permissions and allows(change.tool, "lambda", "add_permission")
    covered = extras.permissions if adds else dict.fromkeys(extras.permissions, True)
    covered = {**covered, **dict.fromkeys(extras.missing, True)}  # no permission on a missing function
    inputs = PlanInputs(
        scope=rt.scope,
        identity=identity,
        extras=extras,
        permissions=covered,
        deploy=change.deploy,
        deploy_if_changed=change.deploy_if_changed,
        exact_stages=change.exact_stages,
        drop_log_groups=change.drop_log_groups,
        drop_statements=[arn for arn in change.drop_permissions if arn in extras.statements],
    )
    if desired is None:
        return change.kind.plan_delete(live, inputs)
    return change.kind.plan(desired, live, inputs)


async def _apply(
    rt: Runtime, change: Change[LiveT, SpecT], plan: Plan, live: LiveT | None, desired: SpecT | None
) -> ChangeResult:
    shown = len(plan.warnings)
    result, outputs = await execute(rt.aws, plan, change.tool, rt.audit)
    result.preview_warnings = shown
    created_id, created_endpoint = change.kind.created(outputs, rt.scope.region)
    api_id = live.api_id if live else created_id
    result.api_id = api_id
    result.endpoint = live.endpoint if live else created_endpoint
    done = [s for s in plan.steps if s.id in outputs]
    added = [s.params["FunctionName"] for s in done if s.operation == "add_permission"]
    groups = [s.params["logGroupName"] for s in done if s.operation == "create_log_group"]
    if api_id:
        result.undo = seal(change.kind.record(live, desired, Applied(api_id, added, groups)), rt.signer)
    result.plan = plan.model_copy(update={"steps": [], "diff": []})
    return result
