"""apigatewayv2 operations moto 5.2.5 lacks or gets wrong, added in the shapes botocore expects.

Why each patch exists (each was seen failing through boto3 against a moto server):

- ``GetAuthorizers``: not implemented (moto answers 500).
- ``UpdateStage``: routed, but not implemented (500). Updates only the fields sent;
  ``StageVariables`` replaces the map, ``DefaultRouteSettings`` merges field by field,
  ``RouteSettings`` merges per route key (keys not sent are kept; remove one with
  ``DeleteRouteSettings``). Stages now also report their ``DeploymentId``.
- ``CreateDeployment``, ``GetDeployments``, ``GetDeployment``, ``DeleteDeployment``: no URL
  (moto answers 404). A deployment is a record kept on the API; ``StageName`` points that stage at it.
- ``DeleteRouteSettings``, ``DeleteAccessLogSettings``: no URL (404).
- ``UpdateRoute`` to ``AuthorizationType`` ``NONE``: moto keeps the old authorizer id and
  scopes; AWS clears them. moto also ignores ``AuthorizationScopes=[]``; AWS takes it as "no scopes".

moto picks a handler by the operation name botocore's model gives the request's method and
path (``UpdateStage`` -> ``update_stage``), so a handler is a method attached to
``ApiGatewayV2Response``; a new path must be in ``moto.apigatewayv2.urls.url_paths`` before the
server first serves an apigatewayv2 request (it builds that service's routes then).
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from moto.apigatewayv2 import urls
from moto.apigatewayv2.exceptions import APIGatewayV2Error
from moto.apigatewayv2.models import Route, Stage
from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.core.utils import iso_8601_datetime_without_milliseconds
from moto.moto_api._internal import mock_random as random

_API = "{0}/v2/apis/(?P<api_id>[^/]+)"
_NEW_PATHS = (
    _API + "/deployments$",
    _API + "/deployments/(?P<deployment_id>[^/]+)$",
    # A route key ("GET /pets/{id}") arrives percent-decoded, slashes and all.
    _API + "/stages/(?P<stage_name>[^/]+)/routesettings/(?P<route_key>.+)$",
    _API + "/stages/(?P<stage_name>[^/]+)/accesslogsettings$",
)
_applied = False

Response = tuple[int, dict[str, str], str]


@dataclass
class Deployment:
    deployment_id: str
    description: str | None = None
    created: datetime = field(default_factory=datetime.now)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "autoDeployed": False,
            "createdDate": iso_8601_datetime_without_milliseconds(self.created),
            "deploymentId": self.deployment_id,
            "deploymentStatus": "DEPLOYED",
        }
        if self.description is not None:
            out["description"] = self.description
        return out


class NotFound(APIGatewayV2Error):
    code = 404

    def __init__(self, kind: str, identifier: str):
        super().__init__("NotFoundException", f"Invalid {kind} identifier specified {identifier}")


def deployments(api: Any) -> dict[str, Deployment]:
    """The API's deployments (kept on moto's ``Api`` object, so a reset or delete_api drops them)."""
    found: dict[str, Deployment] = api.__dict__.setdefault("deployments", {})
    return found


def _new_deployment_id() -> str:
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(6))


def update_stage(stage: Any, api: Any, params: dict[str, Any]) -> None:
    """Apply an UpdateStage request body (camelCase keys) to moto's ``Stage``."""
    for key, attribute in (
        ("accessLogSettings", "access_log_settings"),
        ("autoDeploy", "auto_deploy"),
        ("clientCertificateId", "client_certificate_id"),
        ("description", "description"),
        ("stageVariables", "stage_variables"),
    ):
        if key in params:
            setattr(stage, attribute, params[key])
    if "defaultRouteSettings" in params:
        stage.default_route_settings = {**stage.default_route_settings, **params["defaultRouteSettings"]}
    for route_key, settings in (params.get("routeSettings") or {}).items():
        stage.route_settings[route_key] = {**stage.route_settings.get(route_key, {}), **settings}
    if "deploymentId" in params:
        if params["deploymentId"] not in deployments(api):
            raise NotFound("Deployment", params["deploymentId"])
        stage.config["deploymentId"] = params["deploymentId"]
    stage.updated = datetime.now()


def _api_id(handler: Any) -> str:
    return str(handler.path.split("/")[3])


def _get_authorizers(self: Any) -> Response:
    api = self.apigatewayv2_backend.get_api(_api_id(self))
    return 200, {}, json.dumps({"items": [a.to_json() for a in api.authorizers.values()]})


def _update_stage(self: Any) -> Response:
    api = self.apigatewayv2_backend.get_api(_api_id(self))
    stage = api.get_stage(unquote(self.path.split("/")[5]))
    update_stage(stage, api, json.loads(self.body or "{}"))
    return 200, {}, json.dumps(stage.to_json())


def _delete_route_settings(self: Any) -> Response:
    api = self.apigatewayv2_backend.get_api(_api_id(self))
    stage = api.get_stage(unquote(self.path.split("/")[5]))
    route_key = unquote(self.path.split("/routesettings/", 1)[1])
    if stage.route_settings.pop(route_key, None) is None:
        raise NotFound("RouteSettings", route_key)
    stage.updated = datetime.now()
    return 204, {}, ""


def _delete_access_log_settings(self: Any) -> Response:
    api = self.apigatewayv2_backend.get_api(_api_id(self))
    stage = api.get_stage(unquote(self.path.split("/")[5]))
    stage.access_log_settings = None
    stage.updated = datetime.now()
    return 204, {}, ""


def _create_deployment(self: Any) -> Response:
    api = self.apigatewayv2_backend.get_api(_api_id(self))
    params = json.loads(self.body or "{}")
    stage = api.get_stage(params["stageName"]) if params.get("stageName") else None
    deployment = Deployment(_new_deployment_id(), params.get("description"))
    deployments(api)[deployment.deployment_id] = deployment
    if stage is not None:
        stage.config["deploymentId"] = deployment.deployment_id
        stage.updated = datetime.now()
    return 201, {}, json.dumps(deployment.to_json())


def _get_deployments(self: Any) -> Response:
    api = self.apigatewayv2_backend.get_api(_api_id(self))
    return 200, {}, json.dumps({"items": [d.to_json() for d in deployments(api).values()]})


def _deployment(self: Any) -> tuple[Any, Deployment]:
    api = self.apigatewayv2_backend.get_api(_api_id(self))
    deployment_id = self.path.split("/")[5]
    if deployment_id not in deployments(api):
        raise NotFound("Deployment", deployment_id)
    return api, deployments(api)[deployment_id]


def _get_deployment(self: Any) -> Response:
    return 200, {}, json.dumps(_deployment(self)[1].to_json())


def _delete_deployment(self: Any) -> Response:
    api, deployment = _deployment(self)
    del deployments(api)[deployment.deployment_id]
    return 204, {}, ""


def patch_apigatewayv2() -> None:
    """Attach the handlers, URL paths and model fixes above to moto (once per process)."""
    global _applied
    if _applied:
        return
    handlers = {
        "get_authorizers": _get_authorizers,
        "update_stage": _update_stage,
        "delete_route_settings": _delete_route_settings,
        "delete_access_log_settings": _delete_access_log_settings,
        "create_deployment": _create_deployment,
        "get_deployments": _get_deployments,
        "get_deployment": _get_deployment,
        "delete_deployment": _delete_deployment,
    }
    for name, handler in handlers.items():
        setattr(ApiGatewayV2Response, name, handler)
    for path in _NEW_PATHS:
        urls.url_paths[path] = ApiGatewayV2Response.dispatch

    stage_to_json = Stage.to_json

    def stage_with_deployment(self: Any) -> dict[str, Any]:
        out: dict[str, Any] = stage_to_json(self)
        if self.config.get("deploymentId"):
            out["deploymentId"] = self.config["deploymentId"]
        return out

    route_update = Route.update

    def update_route(self: Any, *args: Any, **kwargs: Any) -> None:
        route_update(self, *args, **kwargs)
        if kwargs.get("authorization_type") == "NONE":
            self.authorizer_id = None
            self.authorization_scopes = None
        elif kwargs.get("authorization_scopes") == []:
            self.authorization_scopes = None

    Stage.to_json = stage_with_deployment  # type: ignore[method-assign]
    Route.update = update_route  # type: ignore[method-assign]
    _applied = True
