"""One path for every change to an HTTP API: read, plan, guard, then preview or apply with the token.

Each mutating tool only says how the desired spec follows from the live API (or
that the API goes away); reading, planning, the checks on what will be written, the
guard, the signed token, execution, the audit log and the undo handle are the same
for all of them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from apigw_mcp.server.aws import Identity
from apigw_mcp.server.executor import execute
from apigw_mcp.server.kinds.http_state import Extras, check_changeable, locate, read_extras
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine import guard
from apigw_mcp.tools.engine.errors import BadInput, OutOfScope, validation_message
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.results import ChangeResult
from apigw_mcp.tools.engine.scope import lambda_refusal
from apigw_mcp.tools.engine.token import TTL_MINUTES, check_token, make_token, token_expiry
from apigw_mcp.tools.engine.tool_operations import allows
from apigw_mcp.tools.engine.validate import lambda_region_account
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.plan_delete import plan_delete_api, plan_leftovers
from apigw_mcp.tools.kinds.http.planner import LiveExtras, PlanContext, plan_http_api
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec
from apigw_mcp.tools.kinds.http.spec_check import check_written
from apigw_mcp.tools.kinds.http.undo import encode, record_for

Desired = Callable[[LiveHttpApi | None, Identity], HttpApiSpec | None]


@dataclass(frozen=True)
class Change:
    """What a tool asks for: which API, how the desired spec follows from it, and how to apply.

    ``drop_log_groups`` and ``drop_permissions`` are what an undone apply created outside the
    API: log groups are deleted, and this server's invoke statement is removed from functions
    the restored API no longer uses.
    """

    tool: str
    args: dict[str, Any]
    desired: Desired
    api_id: str | None = None
    name: str | None = None
    may_be_missing: bool = False
    deploy: Collection[str] = ()
    notes: list[str] = field(default_factory=list)
    drop_log_groups: Collection[str] = ()
    drop_permissions: Collection[str] = ()
    add_permissions: bool = True
    field_prefix: str = ""


async def run_change(
    rt: Runtime,
    change: Change,
    dry_run: bool,
    plan_token: str | None,
    confirm: Callable[[Plan], Awaitable[None]] | None = None,
) -> ChangeResult:
    if not dry_run and not plan_token:
        raise BadInput(
            "plan_token", "required with dry_run=false: run with dry_run=true and pass its plan.token"
        )
    identity, live = await locate(rt.aws, change.api_id, change.name)
    if live is None and change.api_id is not None and not change.may_be_missing:
        raise BadInput(
            "api_id", f"no HTTP API {change.api_id!r} in {rt.scope.region}: list_apis shows what exists"
        )
    if live is not None:
        check_changeable(rt.scope, live, via_name=change.api_id is None)
    desired = _desired(change, live, identity, rt.scope.region)
    if desired is not None:
        _check_functions(desired, live, rt, identity, change)
    functions = (desired.functions() if desired else []) + (live.spec.functions() if live else [])
    logs = [
        s.access_log.destination_arn for s in (desired.stages.values() if desired else []) if s.access_log
    ]
    extras = await read_extras(rt.aws, functions, logs, live, desired, identity, change.drop_log_groups)
    wired = set(_newly_wired(desired, live.spec if live else None)) if desired else set()
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
    blocked = _guard(plan, rt, live, change.tool, dry_run)
    state = _state(live, change, extras)
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


def _guard(plan: Plan, rt: Runtime, live: LiveHttpApi | None, tool: str, dry_run: bool) -> str | None:
    """Refuse a plan the guard denies; a preview whose only denials are deletes is still shown, with why
    applying it would be refused (returned, and said in its warnings)."""
    denials = guard.check(plan, rt.scope, {live.api_id} if live else set(), tool)
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


def _desired(change: Change, live: LiveHttpApi | None, identity: Identity, region: str) -> HttpApiSpec | None:
    try:
        desired = change.desired(live, identity)
        if desired is not None:
            check_written(desired, live.spec if live else None, region, identity.account)
        return desired
    except ValidationError as error:
        raise BadInput(
            change.field_prefix.rstrip(".") or "invalid arguments", validation_message(error)
        ) from None
    except ValueError as error:
        field_name, _, message = str(error).partition(": ")
        raise BadInput(change.field_prefix + field_name, message) from None


def _check_functions(
    desired: HttpApiSpec,
    live: LiveHttpApi | None,
    rt: Runtime,
    identity: Identity,
    change: Change,
) -> None:
    """Functions a change newly wires to a route or authorizer must be in this region and account and in
    the allowed patterns, even when the API already uses them elsewhere."""
    wired = _newly_wired(desired, live.spec if live else None)
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


def _newly_wired(desired: HttpApiSpec, live: HttpApiSpec | None) -> list[str]:
    routes = live.routes if live else {}
    authorizers = live.authorizers if live else {}
    found = {
        route.integration.uri
        for key, route in desired.routes.items()
        if route.integration and route.integration.type == "AWS_PROXY" and routes.get(key) != route
    }
    found |= {
        a.function_arn
        for name, a in desired.authorizers.items()
        if a.function_arn and authorizers.get(name) != a
    }
    return sorted(found)


def _plan(
    desired: HttpApiSpec | None,
    live: LiveHttpApi | None,
    extras: Extras,
    change: Change,
    rt: Runtime,
    identity: Identity,
) -> Plan:
    ctx = PlanContext(rt.scope, identity.account, identity.arn)
    if desired is None:
        if live is None:
            plan = Plan(
                summary="No changes: the API does not exist.",
                account=identity.account,
                region=rt.scope.region,
                caller=identity.arn,
            )
        else:
            plan = plan_delete_api(live, extras.statements, ctx)
    else:
        # An undo restores the statements as they were (it adds none, except for a recreated API), and
        # a tool that does not wire functions (delete_route, configure_cors, ...) leaves them alone.
        adds = change.add_permissions and allows(change.tool, "lambda", "add_permission")
        covered = extras.permissions if adds else dict.fromkeys(extras.permissions, True)
        covered = {**covered, **dict.fromkeys(extras.missing, True)}  # no permission on a missing function
        live_extras = LiveExtras(permissions=covered, log_groups=extras.log_groups, deploy=change.deploy)
        plan = plan_http_api(desired, live, live_extras, ctx)
    drop_statements = [arn for arn in change.drop_permissions if arn in extras.statements]
    return plan_leftovers(
        plan,
        desired,
        live,
        extras.managed_log_groups,
        extras.log_groups,
        change.drop_log_groups,
        drop_statements,
    )


def _state(live: LiveHttpApi | None, change: Change, extras: Extras) -> dict[str, Any]:
    """Every resource read, present or not, so a refusal can name the one that came or went."""
    key = f"api {change.name or change.api_id}"
    return {
        key: live.model_dump(mode="json") if live else None,
        **{f"permission {arn}": ok for arn, ok in extras.permissions.items()},
        **{f"statement {arn}": arn in extras.statements for arn in extras.permissions},
        **{
            f"log group {name}": name in extras.managed_log_groups or name in extras.log_groups
            for name in extras.checked_log_groups
        },
    }


async def _apply(
    rt: Runtime, change: Change, plan: Plan, live: LiveHttpApi | None, desired: HttpApiSpec | None
) -> ChangeResult:
    shown = len(plan.warnings)
    result, outputs = await execute(rt.aws, plan, change.tool, rt.audit)
    result.preview_warnings = shown
    api_id = live.api_id if live else outputs.get("api", {}).get("ApiId")
    result.api_id = api_id
    result.endpoint = live.endpoint if live else outputs.get("api", {}).get("ApiEndpoint")
    done = [s for s in plan.steps if s.id in outputs]
    added = [s.params["FunctionName"] for s in done if s.operation == "add_permission"]
    groups = [s.params["logGroupName"] for s in done if s.operation == "create_log_group"]
    if api_id and (live is not None or "api" in outputs):
        name = desired.name if desired else live.spec.name if live else str(change.name)
        record = record_for(live.spec if live else None, desired, api_id, name, added, groups)
        result.undo = encode(record, rt.signer)
    result.plan = plan.model_copy(update={"steps": [], "diff": []})
    return result
