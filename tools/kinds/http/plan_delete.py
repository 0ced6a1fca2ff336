"""The plan that deletes a whole HTTP API, and what an undo removes besides the API (pure)."""

from __future__ import annotations

from collections.abc import Collection

from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.plan_stages import log_group_name
from apigw_mcp.tools.kinds.http.planner import PlanContext, statement_id
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec


def plan_delete_api(live: LiveHttpApi, statements: list[str], ctx: PlanContext) -> Plan:
    """Remove this server's invoke statement from each function in ``statements``, then delete the API.

    Statements go first: if a step fails, the API still exists, so running delete_api again (or
    undo) finishes the job; a statement left behind for a deleted API could not be reached any more.
    """
    b = Builder()
    spec = live.spec
    for index, arn in enumerate(statements, start=1):
        b.add(
            f"perm{index}",
            "lambda",
            "remove_permission",
            "delete",
            f"permission {arn}",
            {"FunctionName": arn, "StatementId": statement_id(live.api_id)},
        )
        b.change("-", f"permission {arn.split(':function:')[-1]}")
    b.add("api", "apigatewayv2", "delete_api", "delete", f"api {live.api_id}", {"ApiId": live.api_id})
    b.change("-", f"api {spec.name}", "", {"id": live.api_id, "endpoint": live.endpoint}, None)
    for key, route in sorted(spec.routes.items()):
        b.change("-", f"route {key}", "", route.label(), None)
    for name, authorizer in sorted(spec.authorizers.items()):
        b.change("-", f"authorizer {name}", "", authorizer.summary(), None)
    for name in sorted(spec.stages):
        b.change("-", f"stage {name}")
    b.warn(
        f"Deleting API {live.api_id} loses its id and invoke URL {live.endpoint} for good: "
        "undo recreates routes, authorizers and stages under a new id and URL."
    )
    summary = f"{len(b.steps)} AWS call(s) to delete HTTP API {spec.name!r} ({live.api_id})."
    return b.plan(summary, ctx.account, ctx.scope.region, ctx.identity)


def plan_leftovers(
    plan: Plan,
    desired: HttpApiSpec | None,
    live: LiveHttpApi | None,
    managed_log_groups: Collection[str],
    existing_log_groups: Collection[str],
    drop_log_groups: Collection[str],
    drop_statements: Collection[str],
) -> Plan:
    """``plan`` plus removing what an undone apply created outside the API.

    Log groups the apply created are deleted (with the logs written since), but only those
    tagged managed: this server tags what it creates, so a handle cannot name another group.
    This server's invoke statement goes from each function the apply gave it to: the state
    before the apply had none there, even where the restored API still uses the function.
    """
    if not drop_log_groups and not drop_statements:
        return plan
    b = Builder(steps=list(plan.steps), diff=list(plan.diff), warnings=list(plan.warnings))
    used = {
        log_group_name(s.access_log.destination_arn)
        for s in (desired.stages.values() if desired else [])
        if s.access_log
    }
    for name in sorted(set(drop_log_groups) & set(existing_log_groups) - set(managed_log_groups) - used):
        b.warn(f"Keeps log group {name}: it lacks the apigw-mcp:managed tag this server puts on its own.")
    for index, name in enumerate(sorted(set(drop_log_groups) & set(managed_log_groups) - used), start=1):
        b.add(
            f"del_log{index}",
            "logs",
            "delete_log_group",
            "delete",
            f"log group {name}",
            {"logGroupName": name},
        )
        b.change("-", f"log group {name}")
        b.warn(f"Deletes log group {name}, which the undone apply created, and any logs written to it since.")
    already = {s.params.get("FunctionName") for s in plan.steps if s.operation == "remove_permission"}
    for index, arn in enumerate(sorted(set(drop_statements) - already), start=1):
        if live is None:
            continue
        b.add(
            f"del_perm{index}",
            "lambda",
            "remove_permission",
            "delete",
            f"permission {arn}",
            {"FunctionName": arn, "StatementId": statement_id(live.api_id)},
        )
        b.change("-", f"permission {arn.split(':function:')[-1]}")
    added = len(b.steps) - len(plan.steps)
    summary = (
        plan.summary
        if plan.steps or not added
        else f"{added} AWS call(s) to remove what the undone apply created."
    )
    return plan.model_copy(
        update={"steps": b.steps, "diff": b.diff, "warnings": b.warnings, "summary": summary}
    )
