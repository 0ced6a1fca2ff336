"""The plan that deletes a whole HTTP API, listing everything that will be lost (pure)."""

from __future__ import annotations

from .http_live import LiveHttpApi
from .http_planner import PlanContext, statement_id
from .plan import Plan
from .plan_builder import Builder


def plan_delete_api(live: LiveHttpApi, statements: list[str], ctx: PlanContext) -> Plan:
    """delete_api, then remove this server's invoke statement from each function in ``statements``."""
    b = Builder()
    spec = live.spec
    b.add("api", "apigatewayv2", "delete_api", "delete", f"api {live.api_id}", {"ApiId": live.api_id})
    b.change("-", f"api {spec.name}", "", {"id": live.api_id, "endpoint": live.endpoint}, None)
    for key, route in sorted(spec.routes.items()):
        b.change("-", f"route {key}", "", route.label(), None)
    for name, authorizer in sorted(spec.authorizers.items()):
        b.change("-", f"authorizer {name}", "", authorizer.summary(), None)
    for name in sorted(spec.stages):
        b.change("-", f"stage {name}")
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
    b.warn(
        f"Deleting API {live.api_id} loses its id and invoke URL {live.endpoint} for good: "
        "undo recreates routes, authorizers and stages under a new id and URL."
    )
    return Plan(
        summary=f"{len(b.steps)} AWS call(s) to delete HTTP API {spec.name!r} ({live.api_id}).",
        account=ctx.account,
        region=ctx.scope.region,
        caller=ctx.identity,
        steps=b.steps,
        diff=b.diff,
        warnings=b.warnings,
    )
