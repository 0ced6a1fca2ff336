"""Run a plan's steps in order, resolving placeholders; stop at the first failure and say exactly where."""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.engine.errors import AwsCallFailed
from apigw_mcp.tools.engine.plan import CREATED_ID, Plan, Step, resolve_refs
from apigw_mcp.tools.engine.redact import redact
from apigw_mcp.tools.engine.results import AppliedStep, ChangeResult, FailedStep

from .audit import AuditLog
from .aws import AwsRuntime
from .writes import write

_ID_FIELD_BY_KIND = {
    "api": "ApiId",
    "integration": "IntegrationId",
    "route": "RouteId",
    "authorizer": "AuthorizerId",
    "stage": "StageName",
    "deployment": "DeploymentId",
    "settings": "StageName",
}


async def execute(
    runtime: AwsRuntime, plan: Plan, tool: str, audit: AuditLog
) -> tuple[ChangeResult, dict[str, dict[str, Any]]]:
    """The result (applied / failed / remaining) and each applied step's response, by step id."""
    outputs: dict[str, dict[str, Any]] = {}
    result = ChangeResult(plan=plan)
    for index, step in enumerate(plan.steps):
        params = resolve_refs(step.params, outputs)
        try:
            response = await write(runtime, step.service, step.operation, params)
        except AwsCallFailed as error:
            result.failed = FailedStep(operation=step.operation, resource=step.resource, error=str(error))
            result.remaining = [f"{s.operation} {s.resource}" for s in plan.steps[index + 1 :]]
            break
        applied = AppliedStep(
            operation=step.operation,
            resource_id=_resource_id(step, params, response),
            request_id=response.get("ResponseMetadata", {}).get("RequestId"),
        )
        outputs[step.id] = {**response, CREATED_ID: applied.resource_id}
        result.applied.append(applied)
        if response.get("Probed"):
            result.plan.warnings.append(
                f"{step.operation} {applied.resource_id}: AWS's reply was lost; a read found the change "
                "applied, so it was not sent again."
            )
        audit.record(
            tool=tool,
            plan_token=plan.token,
            account=plan.account,
            region=plan.region,
            operation=f"{step.service}.{step.operation}",
            resource=applied.resource_id,
            request_id=applied.request_id,
            params=redact(params),
        )
    return result, outputs


def _resource_id(step: Step, params: dict[str, Any], response: dict[str, Any]) -> str:
    """The id of what the step touched; by operation, as create_route's response also names its authorizer."""
    if step.service == "apigateway":  # REST replies name what they made ``id``; stages by name
        return str(response.get("id") or params.get("stageName") or params.get("restApiId") or step.resource)
    kind = step.operation.rsplit("_", 1)[-1]
    field = _ID_FIELD_BY_KIND.get(kind)
    if field and (field in response or field in params):
        return str(response.get(field) or params[field])
    return str(
        params.get("FunctionName") or params.get("logGroupName") or params.get("ResourceArn") or step.resource
    )
