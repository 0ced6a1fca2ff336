"""How each HTTP API tool changes the live spec into the desired one (pure).

Every function takes the live API and the tool's arguments and returns the whole
desired spec (and notes for the plan); the reconciler does the rest. Errors are
ValueErrors that start with the argument's path.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.validate import route_key
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.inputs import (
    AuthorizerInput,
    Description,
    IntegrationUrl,
    LambdaArn,
    RouteInput,
    StageInput,
    route_auth,
    route_spec,
)
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import DEFAULT_STAGE, HttpApiSpec, RouteSpec, StageSpec, Throttle

COGNITO_NOTE = (
    "Cognito access tokens carry client_id, not aud: API Gateway checks client_id against the audience "
    "when aud is absent, so the app client id serves both ID and access tokens."
)


def _with(spec: HttpApiSpec, **parts: object) -> HttpApiSpec:
    return spec.model_copy(update=parts)


def add_route(live: LiveHttpApi, route: RouteInput) -> HttpApiSpec:
    spec = live.spec
    new = route_spec(route, "route", spec.authorizers, live.integrations)
    if route.route_key in spec.routes and spec.routes[route.route_key] != new:
        raise ValueError(
            f"route.route_key: {route.route_key!r} exists with another backend or auth; use update_route"
        )
    return _with(spec, routes={**spec.routes, route.route_key: new})


class RouteUpdate(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    lambda_arn: LambdaArn | None = None
    url: IntegrationUrl | None = None
    integration_id: str | None = None
    http_method: Literal["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] | None = None
    payload_format_version: Literal["1.0", "2.0"] | None = None
    timeout_ms: int | None = Field(None, ge=50, le=30000)
    auth: str | None = Field(None, description="NONE, AWS_IAM or an authorizer name")
    scopes: list[str] | None = Field(None, max_length=10)


def update_route(live: LiveHttpApi, key: str, change: RouteUpdate) -> HttpApiSpec:
    spec = live.spec
    current = spec.routes.get(key)
    if current is None:
        raise ValueError(f"route_key: no route {key!r} (routes: {', '.join(sorted(spec.routes)) or 'none'})")
    backend = change.model_dump(include={"lambda_arn", "url", "integration_id"}, exclude_none=True)
    merged = RouteInput.model_validate(
        {
            "route_key": key,
            **(backend or _backend_of(current)),
            **change.model_dump(
                include={"http_method", "payload_format_version", "timeout_ms"}, exclude_none=True
            ),
            "auth": change.auth if change.auth is not None else (current.authorizer or current.authorization),
            "scopes": change.scopes if change.scopes is not None else _kept_scopes(current, change.auth),
        }
    )
    updated = route_spec(merged, "route", spec.authorizers, live.integrations)
    return _with(spec, routes=_share_integration({**spec.routes, key: updated}, updated))


def _share_integration(routes: dict[str, RouteSpec], changed: RouteSpec) -> dict[str, RouteSpec]:
    """Routes with one backend share one integration, so a new timeout applies to every one of them."""
    new = changed.integration
    if new is None:
        return routes
    return {
        k: r.model_copy(update={"integration": new}) if r.integration and r.integration.key == new.key else r
        for k, r in routes.items()
    }


def _kept_scopes(current: RouteSpec, auth: str | None) -> list[str]:
    """Scopes belong to the route's JWT authorizer: they go when the auth changes to something else."""
    return list(current.scopes) if auth is None or auth == current.authorizer else []


def _backend_of(route: RouteSpec) -> dict[str, object]:
    """The route's current backend as arguments, so that a timeout, method or payload change alone applies."""
    integration = route.integration
    if integration is None:
        raise ValueError(
            "route_key: the route has no proxy integration; give lambda_arn, url or integration_id"
        )
    fields: dict[str, object] = {"timeout_ms": integration.timeout_ms}
    if integration.type == "AWS_PROXY":
        return {
            **fields,
            "lambda_arn": integration.uri,
            "payload_format_version": integration.payload_format_version,
        }
    return {**fields, "url": integration.uri, "http_method": integration.method}


def delete_route(live: LiveHttpApi, key: str) -> HttpApiSpec:
    if key not in live.spec.routes:
        raise ValueError(f"route_key: no route {key!r}")
    return _with(live.spec, routes={k: v for k, v in live.spec.routes.items() if k != key})


def preflight_routes(spec: HttpApiSpec) -> tuple[HttpApiSpec, list[str]]:
    """With CORS on, an authorizer on $default or an ANY route would also judge preflight OPTIONS requests."""
    if not spec.cors:
        return spec, []
    routes = dict(spec.routes)
    notes = []
    for key, route in sorted(spec.routes.items()):
        if route.authorization == "NONE" or not (key == DEFAULT_STAGE or key.startswith("ANY ")):
            continue
        options = "OPTIONS /{proxy+}" if key == DEFAULT_STAGE else f"OPTIONS {key.split(' ', 1)[1]}"
        if options not in routes and route.integration is not None:
            routes[options] = RouteSpec(integration=route.integration)
            notes.append(
                f"Adds unauthenticated {options!r}: the authorizer on {key!r} would reject CORS preflight."
            )
    if not notes:
        notes.append(
            "No OPTIONS route needed: API Gateway answers CORS preflight itself "
            "and no authorizer sits on $default or ANY routes."
        )
    return _with(spec, routes=routes), notes


def configure_cors(live: LiveHttpApi, cors: Cors | None) -> tuple[HttpApiSpec, list[str]]:
    return preflight_routes(_with(live.spec, cors=cors.to_aws() if cors else None))


def add_authorizer(
    live: LiveHttpApi, authorizer: AuthorizerInput, routes: list[str], scopes: list[str]
) -> tuple[HttpApiSpec, list[str]]:
    """Create or update the authorizer by name and attach it to ``routes`` (with ``scopes`` for JWT)."""
    spec = _with(live.spec, authorizers={**live.spec.authorizers, authorizer.name: authorizer.spec()})
    updated = dict(spec.routes)
    for index, key in enumerate(routes):
        normalised = route_key(key)
        if normalised not in updated:
            raise ValueError(
                f"routes.{index}: no route {key!r} (routes: {', '.join(sorted(updated)) or 'none'})"
            )
        auth = route_auth(authorizer.name, scopes, f"routes.{index}", spec.authorizers)
        updated[normalised] = updated[normalised].model_copy(update=auth)
    spec, notes = preflight_routes(_with(spec, routes=updated))
    if authorizer.cognito_user_pool_id or "cognito-idp." in (authorizer.issuer or ""):
        notes.append(COGNITO_NOTE)
    return spec, [n for n in notes if not n.startswith("No OPTIONS")]


class StageChange(BaseModel):
    """deploy_stage's settings; fields left out keep their live values."""

    model_config = ConfigDict(extra="forbid")

    auto_deploy: bool | None = None
    description: Description | None = None
    variables: Annotated[dict[str, str], AfterValidator(validate.stage_variables)] | None = None
    throttle: Throttle | None = None
    route_throttle: dict[str, Throttle] | None = None
    access_log: bool | None = None
    log_group_arn: Annotated[str, AfterValidator(validate.log_group_arn)] | None = None
    log_format: Annotated[str, AfterValidator(validate.access_log_format)] | None = None


def deploy_stage(
    live: LiveHttpApi, name: str, change: StageChange, region: str, account: str, deploy: bool
) -> HttpApiSpec:
    current = live.spec.stages.get(name)
    base = (
        StageInput.model_validate({"name": name}).model_dump()
        if current is None
        else _stage_input(name, current)
    )
    given = {k: getattr(change, k) for k in change.model_fields_set if getattr(change, k) is not None}
    if change.access_log is False:
        base = {**base, "log_group_arn": None, "log_format": None}
    if given.get("log_group_arn") or given.get("log_format"):
        given.setdefault("access_log", True)
    merged = StageInput.model_validate({**base, **given})
    stage = merged.spec(live.spec.name, region, account)
    for key in stage.route_throttle:
        if key not in live.spec.routes:
            raise ValueError(f"route_throttle: no route {key!r}")
    if deploy and stage.auto_deploy:
        raise ValueError(
            "deploy: stage auto-deploys every change; deploy=true is only for auto_deploy=false stages"
        )
    return _with(live.spec, stages={**live.spec.stages, name: stage})


def _stage_input(name: str, stage: StageSpec) -> dict[str, object]:
    log = stage.access_log
    return {
        "name": name,
        "auto_deploy": stage.auto_deploy,
        "description": stage.description,
        "variables": stage.variables,
        "throttle": stage.throttle,
        "route_throttle": stage.route_throttle,
        "access_log": log is not None,
        "log_group_arn": log.destination_arn if log else None,
        "log_format": log.format if log else None,
    }


def delete_stage(live: LiveHttpApi, name: str) -> HttpApiSpec:
    if name not in live.spec.stages:
        raise ValueError(
            f"stage_name: no stage {name!r} (stages: {', '.join(sorted(live.spec.stages)) or 'none'})"
        )
    return _with(live.spec, stages={k: v for k, v in live.spec.stages.items() if k != name})
