"""REST deployments and stages as AWS keeps them (moto 5.2.5 gets these wrong).

- ``CreateDeployment`` onto an existing stage replaced the whole stage; AWS only moves the stage's
  ``deploymentId`` (or, with ``canarySettings``, the canary's), keeping method settings, tags,
  cache, tracing and variables (variables sent are merged in). ``stageDescription`` and
  ``tracingEnabled`` were ignored.
- ``DeleteDeployment`` must refuse a deployment a stage (or its canary) still points at.
- ``CreateStage`` dropped ``canarySettings`` and accepted unknown deployment ids.
- ``UpdateStage`` (see ``moto_rest_stage_patch``) for canary, method-setting and error fixes.
- Stages now report ``canarySettings``, ``clientCertificateId``, ``documentationVersion``,
  ``createdDate`` and ``lastUpdatedDate``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from moto.apigateway.exceptions import BadRequestException, NotFoundException
from moto.apigateway.models import Deployment, Stage
from moto.apigateway.utils import ApigwDeploymentIdentifier

from apigw_mcp.server.sandbox.moto_rest_stage_patch import apply_stage_operations

Response = tuple[int, dict[str, str], str]
# moto's model classes, typed loosely: moto declares them abstract (CloudFormation hooks) and
# without the fields this module adds.
_Deployment: Any = Deployment
_Stage: Any = Stage


def _api(handler: Any) -> Any:
    return handler.backend.get_rest_api(handler.path.split("/")[2])


def _require_deployment(api: Any, deployment_id: str | None) -> None:
    if deployment_id is not None and deployment_id not in api.deployments:
        raise NotFoundException("Invalid deployment identifier specified")


def _canary(settings: dict[str, Any], deployment_id: str) -> dict[str, Any]:
    keys = ("percentTraffic", "stageVariableOverrides", "useStageCache")
    canary = {key: settings[key] for key in keys if key in settings}
    return {"percentTraffic": 0.0, "useStageCache": False, **canary, "deploymentId": deployment_id}


def _check_deployable(api: Any) -> None:
    methods = [method for resource in api.resources.values() for method in resource.resource_methods.values()]
    if not methods:
        raise BadRequestException("The REST API doesn't contain any methods")
    if not all(method.method_integration for method in methods):
        raise BadRequestException("No integration defined for method")


def create_deployment(self: Any) -> Response:
    api = _api(self)
    params = json.loads(self.body or "{}")
    _check_deployable(api)
    name = params.get("stageName")
    stage = api.stages.get(name) if name else None
    if params.get("canarySettings") is not None and stage is None:
        raise BadRequestException("Canary settings require an existing stage")
    deployment_id = ApigwDeploymentIdentifier(api.account_id, api.region_name, stage_name=name).generate(
        list(api.deployments)
    )
    deployment = _Deployment(deployment_id, name, params.get("description") or "")
    api.deployments[deployment_id] = deployment
    if stage is not None:
        _redeploy(stage, deployment_id, params)
    elif name:
        _new_stage(api, name, deployment_id, params)
    return 201, {"status": "201"}, json.dumps(deployment.to_json())


def _redeploy(stage: Any, deployment_id: str, params: dict[str, Any]) -> None:
    canary = params.get("canarySettings")
    if canary is not None:
        stage.canary_settings = _canary(canary, deployment_id)
    else:
        stage.deployment_id = deployment_id
    stage.variables = {**stage.variables, **(params.get("variables") or {})}
    if params.get("tracingEnabled") is not None:
        stage.tracing_enabled = params["tracingEnabled"]
    stage.last_updated_date = int(time.time())


def _new_stage(api: Any, name: str, deployment_id: str, params: dict[str, Any]) -> None:
    stage = _Stage(
        name=name,
        deployment_id=deployment_id,
        variables=params.get("variables") or {},
        description=params.get("stageDescription") or "",
        cacheClusterEnabled=params.get("cacheClusterEnabled") or False,
        cacheClusterSize=params.get("cacheClusterSize"),
        tracing_enabled=params.get("tracingEnabled"),
    )
    stage.created_date = stage.last_updated_date = int(time.time())
    api.stages[name] = stage
    api.update_integration_mocks(name)


def delete_deployment(self: Any) -> Response:
    api = _api(self)
    deployment_id = self.path.split("/")[4]
    if deployment_id not in api.deployments:
        raise NotFoundException("Invalid Deployment identifier specified")
    for stage in api.stages.values():
        canary = getattr(stage, "canary_settings", None) or {}
        if deployment_id in (stage.deployment_id, canary.get("deploymentId")):
            raise BadRequestException("Active stages pointing to this deployment must be moved or deleted")
    del api.deployments[deployment_id]
    return 202, {"status": "202"}, ""


def create_stage(self: Any) -> Response:
    api = _api(self)
    params = json.loads(self.body or "{}")
    canary = params.get("canarySettings")
    _require_deployment(api, params.get("deploymentId"))
    if canary is not None:
        _require_deployment(api, canary.get("deploymentId") or params.get("deploymentId"))
    stage = api.create_stage(
        params.get("stageName"),
        params.get("deploymentId"),
        variables=params.get("variables") or {},
        description=params.get("description") or "",
        cacheClusterEnabled=params.get("cacheClusterEnabled") or False,
        cacheClusterSize=params.get("cacheClusterSize"),
        tags=params.get("tags"),
        tracing_enabled=params.get("tracingEnabled"),
    )
    if canary is not None:
        stage.canary_settings = _canary(canary, canary.get("deploymentId") or params["deploymentId"])
    stage.client_certificate_id = params.get("clientCertificateId")
    stage.documentation_version = params.get("documentationVersion")
    stage.created_date = stage.last_updated_date = int(time.time())
    return 201, {"status": "201"}, json.dumps(stage.to_json())


def update_stage(self: Any) -> Response:
    api = _api(self)
    stage = self.backend.get_stage(api.id, self.path.split("/")[4])
    operations: list[dict[str, Any]] = self._get_param("patchOperations") or []
    for operation in operations:
        if operation.get("path") in ("/deploymentId", "/canarySettings/deploymentId") and (
            operation.get("op") != "remove"
        ):
            _require_deployment(api, operation.get("value"))
    apply_stage_operations(stage, operations)
    stage.last_updated_date = int(time.time())
    return 200, {}, json.dumps(stage.to_json())


def stage_to_json(original: Any) -> Any:
    """Wrap ``Stage.to_json`` so a stage reports the fields moto does not keep."""

    def to_json(self: Any) -> dict[str, Any]:
        out: dict[str, Any] = original(self)
        extra = {
            "canarySettings": getattr(self, "canary_settings", None),
            "clientCertificateId": getattr(self, "client_certificate_id", None),
            "documentationVersion": getattr(self, "documentation_version", None),
            "createdDate": getattr(self, "created_date", None),
            "lastUpdatedDate": getattr(self, "last_updated_date", None),
        }
        out.update({key: value for key, value in extra.items() if value is not None})
        return out

    return to_json


HANDLERS = {
    "create_deployment": create_deployment,
    "delete_deployment": delete_deployment,
    "create_stage": create_stage,
    "update_stage": update_stage,
}
