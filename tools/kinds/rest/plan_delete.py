"""The plan that deletes a whole REST API (pure)."""

from __future__ import annotations

from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.http.planner import PlanContext, statement_id
from apigw_mcp.tools.kinds.rest.live import LiveRestApi


def plan_delete_rest_api(live: LiveRestApi, ctx: PlanContext, statements: list[str] | None = None) -> Plan:
    """Remove this server's invoke statement from each function in ``statements`` (default: every function
    the API invokes), then delete the API with all its resources, methods, authorizers and stages.

    Statements go first: if a step fails, the API still exists, so running the delete again finishes
    the job; a statement left behind for a deleted API could not be reached any more.
    """
    b = Builder()
    spec = live.spec
    functions = sorted(spec.functions()) if statements is None else statements
    for index, arn in enumerate(functions, start=1):
        b.add(
            f"perm{index}",
            "lambda",
            "remove_permission",
            "delete",
            f"permission {arn}",
            {"FunctionName": arn, "StatementId": statement_id(live.api_id)},
        )
        b.change("-", f"permission {arn.split(':function:')[-1]}")
    b.add(
        "api",
        "apigateway",
        "delete_rest_api",
        "delete",
        f"rest api {live.api_id}",
        {"restApiId": live.api_id},
    )
    b.change("-", f"rest api {spec.name}", "", {"id": live.api_id}, None)
    for path, resource in sorted(spec.resources.items()):
        for verb, method in sorted(resource.methods.items()):
            b.change("-", f"method {verb} {path}", "", method.label(), None)
    for name in sorted(spec.authorizers):
        b.change("-", f"authorizer {name}")
    b.warn(
        f"Deleting REST API {live.api_id} loses its id and invoke URLs for good, with every stage, "
        "API key association and usage plan stage that names it."
    )
    summary = f"{len(b.steps)} AWS call(s) to delete REST API {spec.name!r} ({live.api_id})."
    return b.plan(summary, ctx.account, ctx.scope.region, ctx.identity)
