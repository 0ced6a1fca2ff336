"""Desired state of an HTTP API: the request models and the normalised spec they become.

Live APIs are read into the same ``HttpApiSpec`` so that one reconciler can diff
them. Children are matched by natural keys: routes by route key, integrations by
type + target + method + payload version, never by position or id.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from . import validate
from .cors import Cors

RouteKey = Annotated[str, AfterValidator(validate.route_key)]
LambdaArn = Annotated[str, AfterValidator(validate.lambda_arn)]
IntegrationUrl = Annotated[str, AfterValidator(validate.integration_url)]
ApiName = Annotated[str, AfterValidator(validate.api_name)]
Tags = Annotated[dict[str, str], AfterValidator(validate.tags)]
PayloadVersion = Literal["1.0", "2.0"]
MAX_ROUTES = 300


class RouteInput(BaseModel):
    """One route and its backend: ``lambda_arn`` (Lambda proxy) or ``url`` (HTTPS proxy)."""

    model_config = ConfigDict(extra="forbid")

    route_key: RouteKey = Field(description="'METHOD /path' or '$default'")
    lambda_arn: LambdaArn | None = None
    url: IntegrationUrl | None = None
    http_method: Literal["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = "ANY"
    payload_format_version: PayloadVersion | None = Field(None, description="Lambda: 2.0 (default) or 1.0")
    timeout_ms: int | None = Field(None, ge=50, le=30000)

    @model_validator(mode="after")
    def _one_backend(self) -> RouteInput:
        if (self.lambda_arn is None) == (self.url is None):
            raise ValueError(f"route {self.route_key!r}: give exactly one of lambda_arn or url")
        if self.url is not None and self.payload_format_version not in (None, "1.0"):
            raise ValueError(f"route {self.route_key!r}: HTTP proxy integrations support payload 1.0 only")
        return self

    def integration(self) -> IntegrationSpec:
        if self.lambda_arn is not None:
            return IntegrationSpec(
                type="AWS_PROXY",
                uri=self.lambda_arn,
                method="POST",
                payload_format_version=self.payload_format_version or "2.0",
                timeout_ms=self.timeout_ms or 30000,
            )
        assert self.url is not None
        return IntegrationSpec(
            type="HTTP_PROXY",
            uri=self.url,
            method=self.http_method,
            payload_format_version="1.0",
            timeout_ms=self.timeout_ms or 30000,
        )


class IntegrationSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["AWS_PROXY", "HTTP_PROXY"]
    uri: str
    method: str
    payload_format_version: str
    timeout_ms: int = 30000

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.type, self.uri, self.method, self.payload_format_version)

    def label(self) -> str:
        if self.type == "AWS_PROXY":
            return f"lambda:{self.uri.split(':function:')[-1]} ({self.payload_format_version})"
        return f"{self.method} {self.uri}"


class HttpApiSpec(BaseModel):
    """The parts of an HTTP API that create_http_api owns."""

    name: str
    description: str = ""
    cors: dict[str, Any] | None = None
    routes: dict[str, IntegrationSpec] = Field(default_factory=dict)
    default_stage: bool = True
    tags: dict[str, str] = Field(default_factory=dict)


def spec_from_request(
    name: str,
    description: str,
    routes: list[RouteInput],
    cors: Cors | None,
    default_stage: bool,
    tags: dict[str, str],
) -> HttpApiSpec:
    """Normalise a request; raises ValueError (prefixed with the field) on conflicts between routes."""
    if len(routes) > MAX_ROUTES:
        raise ValueError(f"routes: {len(routes)} routes exceed the quota of {MAX_ROUTES} routes per HTTP API")
    shapes: dict[str, str] = {}
    for index, route in enumerate(routes):
        shape = validate.route_shape(route.route_key)
        if shape in shapes:
            why = (
                ""
                if shapes[shape] == route.route_key
                else " (routes that differ only in parameter names conflict)"
            )
            raise ValueError(
                f"routes.{index}.route_key: {route.route_key!r} duplicates {shapes[shape]!r}{why}"
            )
        shapes[shape] = route.route_key
    backends: dict[tuple[str, str, str, str], int] = {}
    for index, route in enumerate(routes):
        spec = route.integration()
        if backends.setdefault(spec.key, spec.timeout_ms) != spec.timeout_ms:
            raise ValueError(
                f"routes.{index}.timeout_ms: routes sharing one backend share one integration, "
                "so they must use the same timeout_ms"
            )
    return HttpApiSpec(
        name=name,
        description=description,
        cors=cors.to_aws() if cors else None,
        routes={r.route_key: r.integration() for r in routes},
        default_stage=default_stage,
        tags=tags,
    )


class CreateHttpApiArgs(BaseModel):
    """The arguments that define the desired API (everything but dry_run and plan_token)."""

    name: ApiName
    routes: list[RouteInput]
    description: str = Field("", max_length=1024)
    cors: Cors | None = None
    default_stage: bool = True
    tags: Tags = Field(default_factory=dict)

    def spec(self) -> HttpApiSpec:
        return spec_from_request(
            self.name, self.description, self.routes, self.cors, self.default_stage, self.tags
        )
