"""What a plan will write passes the tools' own input models, wherever the desired spec came from.

Tool arguments are validated on the way in; an undo handle restores parts of a spec
directly. So every part of a desired spec that differs from the live API (a route,
an authorizer, a stage, the description, CORS, tags) is put back through the input
model a tool call would have used; a ValueError names the part and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.errors import validation_message
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.inputs import AuthorizerInput, RouteInput, StageInput
from apigw_mcp.tools.kinds.http.spec import AuthorizerSpec, HttpApiSpec, RouteSpec, StageSpec


def check_written(desired: HttpApiSpec, live: HttpApiSpec | None, region: str, account: str) -> None:
    """Raise ValueError ("part.field: what is allowed") for the first written value no tool would accept."""
    before = live or HttpApiSpec(name=desired.name)
    _check("name", validate.api_name, desired.name)
    if desired.description != before.description:
        _check("description", validate.description, desired.description)
    if desired.cors and desired.cors != before.cors:
        _check("cors", Cors.model_validate, _cors_input(desired.cors))
    if desired.tags != before.tags:
        _check("tags", validate.tags, desired.tags)
    for key, route in _changed(desired.routes, before.routes):
        _check(f"routes.{_shown(key)}", _route, key, route, desired)
    for name, authorizer in _changed(desired.authorizers, before.authorizers):
        _check(f"authorizers.{_shown(name)}", _authorizer, name, authorizer)
    for name, stage in _changed(desired.stages, before.stages):
        _check(f"stages.{_shown(name)}", _stage, name, stage, desired, region, account)


def _shown(key: str) -> str:
    """A key as it can appear in a one-line error: control characters escaped."""
    return key if key.isprintable() else key.encode("unicode_escape").decode()


def _changed(wanted: dict[str, Any], current: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in sorted(wanted.items()) if current.get(k) != v]


def _check(where: str, check: Callable[..., object], *args: Any) -> None:
    try:
        check(*args)
    except ValidationError as error:
        raise ValueError(f"{where}: {validation_message(error)}") from None
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _cors_input(config: dict[str, Any]) -> dict[str, Any]:
    names = {
        "AllowOrigins": "allow_origins",
        "AllowMethods": "allow_methods",
        "AllowHeaders": "allow_headers",
        "ExposeHeaders": "expose_headers",
        "MaxAge": "max_age",
        "AllowCredentials": "allow_credentials",
    }
    return {names.get(k, k): v for k, v in config.items()}


def _route(key: str, route: RouteSpec, desired: HttpApiSpec) -> BaseModel | None:
    if validate.route_key(key) != key:
        raise ValueError(f"route key {key!r} is not in its normal form")
    if route.authorizer is not None and route.authorizer not in desired.authorizers:
        raise ValueError(f"authorizer {route.authorizer!r} does not exist")
    integration = route.integration
    if integration is None:
        return None
    backend: dict[str, Any] = (
        {"lambda_arn": integration.uri, "payload_format_version": integration.payload_format_version}
        if integration.type == "AWS_PROXY"
        else {"url": integration.uri, "http_method": integration.method}
    )
    auth = route.authorizer or route.authorization
    return RouteInput.model_validate(
        {
            "route_key": key,
            **backend,
            "timeout_ms": integration.timeout_ms,
            "auth": auth,
            "scopes": list(route.scopes),
        }
    )


def _authorizer(name: str, spec: AuthorizerSpec) -> AuthorizerInput:
    fields: dict[str, Any] = {"name": name, "identity_source": list(spec.identity_source) or None}
    if spec.type == "JWT":
        fields |= {"issuer": spec.issuer, "audience": list(spec.audience)}
    else:
        fields |= {
            "function_arn": spec.function_arn,
            "payload_format_version": spec.payload_format_version or "2.0",
            "simple_responses": spec.simple_responses,
            "ttl_seconds": spec.ttl_seconds,
        }
    return AuthorizerInput.model_validate(fields)


def _stage(name: str, spec: StageSpec, desired: HttpApiSpec, region: str, account: str) -> StageInput:
    log = spec.access_log
    if log is not None:
        _same_place(log.destination_arn, region, account, "log group")
    for key in spec.route_throttle:
        if key not in desired.routes:
            raise ValueError(f"route_throttle: no route {key!r}")
    return StageInput.model_validate(
        {
            "name": name,
            "auto_deploy": spec.auto_deploy,
            "description": spec.description,
            "variables": spec.variables,
            "throttle": spec.throttle,
            "route_throttle": spec.route_throttle,
            "log_group_arn": log.destination_arn if log else None,
            "log_format": log.format if log else None,
        }
    )


def _same_place(arn: str, region: str, account: str, what: str) -> None:
    parts = arn.split(":")
    if len(parts) < 5 or (parts[1], parts[3], parts[4]) != (validate.partition_of(region), region, account):
        raise ValueError(
            f"{what} {arn} must be in this server's partition, region and account "
            f"({validate.partition_of(region)}, {region}, {account})"
        )
