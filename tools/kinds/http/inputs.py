"""Tool arguments for HTTP APIs, and their conversion into the desired-state spec.

Syntax is checked by pydantic validators (so errors name the field before any AWS
call); what needs the live API or the scope (authorizer names, integration ids,
account) is checked in the conversion, whose ValueErrors start with the field path.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.spec import (
    DEFAULT_STAGE,
    AccessLog,
    AuthorizerSpec,
    HttpApiSpec,
    IntegrationSpec,
    RouteSpec,
    StageSpec,
    Throttle,
)

RouteKey = Annotated[str, AfterValidator(validate.route_key)]
LambdaArn = Annotated[str, AfterValidator(validate.lambda_arn)]
IntegrationUrl = Annotated[str, AfterValidator(validate.integration_url)]
ApiName = Annotated[str, AfterValidator(validate.api_name)]
ApiRef = Annotated[str, AfterValidator(validate.api_name), Field(description="API id or name")]
Tags = Annotated[dict[str, str], AfterValidator(validate.tags)]
StageName = Annotated[str, AfterValidator(validate.stage_name)]
Issuer = Annotated[str, AfterValidator(validate.issuer)]
Description = Annotated[str, AfterValidator(validate.description)]
MAX_ROUTES = 300
MAX_SCOPES = 10
DEFAULT_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","time":"$context.requestTime",'
    '"method":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status",'
    '"latency":"$context.responseLatency","integrationError":"$context.integrationErrorMessage",'
    '"authorizerError":"$context.authorizer.error"}'
)


class RouteInput(BaseModel):
    """A route: its backend (lambda_arn, url or integration_id) and its auth."""

    model_config = ConfigDict(extra="forbid")

    route_key: RouteKey = Field(description="'METHOD /path' or '$default'")
    lambda_arn: LambdaArn | None = None
    url: IntegrationUrl | None = None
    integration_id: str | None = None
    http_method: Literal["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = "ANY"
    payload_format_version: Literal["1.0", "2.0"] | None = Field(
        None, description="Lambda: 2.0 (default) or 1.0"
    )
    timeout_ms: int | None = Field(None, ge=50, le=30000)
    auth: str = Field("NONE", description="NONE, AWS_IAM or an authorizer name")
    scopes: list[str] = Field(default_factory=list, max_length=MAX_SCOPES, description="JWT scopes")

    @model_validator(mode="after")
    def _one_backend(self) -> RouteInput:
        given = [x for x in (self.lambda_arn, self.url, self.integration_id) if x is not None]
        if len(given) != 1:
            raise ValueError(
                f"route {self.route_key!r}: give exactly one of lambda_arn, url or integration_id"
            )
        if self.url is not None and self.payload_format_version not in (None, "1.0"):
            raise ValueError(f"route {self.route_key!r}: HTTP proxy integrations support payload 1.0 only")
        return self

    def new_integration(self) -> IntegrationSpec | None:
        if self.lambda_arn is not None:
            return IntegrationSpec(
                type="AWS_PROXY",
                uri=self.lambda_arn,
                method="POST",
                payload_format_version=self.payload_format_version or "2.0",
                timeout_ms=self.timeout_ms or 30000,
            )
        if self.url is not None:
            return IntegrationSpec(
                type="HTTP_PROXY",
                uri=self.url,
                method=self.http_method,
                payload_format_version="1.0",
                timeout_ms=self.timeout_ms or 30000,
            )
        return None


class AuthorizerInput(BaseModel):
    """JWT (issuer + audience, or a Cognito user pool + app client) or Lambda (function_arn)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    issuer: Issuer | None = None
    audience: list[str] = Field(default_factory=list, max_length=50)
    cognito_user_pool_id: str | None = Field(None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$")
    cognito_app_client_id: str | None = Field(None, pattern=r"^[0-9A-Za-z]{1,128}$")
    function_arn: LambdaArn | None = None
    payload_format_version: Literal["1.0", "2.0"] = "2.0"
    simple_responses: bool | None = Field(
        None, description="2.0: return {isAuthorized}; default true for 2.0"
    )
    ttl_seconds: int = Field(0, ge=0, le=3600)
    identity_source: list[str] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> AuthorizerInput:
        jwt = self.issuer is not None or self.cognito_user_pool_id is not None
        if jwt == (self.function_arn is not None):
            raise ValueError(
                f"authorizer {self.name!r}: give issuer (or cognito_user_pool_id) or function_arn"
            )
        if jwt:
            self._check_jwt()
        else:
            self._check_lambda()
        return self

    def _check_jwt(self) -> None:
        if self.cognito_user_pool_id is not None and self.issuer is not None:
            raise ValueError(f"authorizer {self.name!r}: give issuer or cognito_user_pool_id, not both")
        if not self.audience and self.cognito_app_client_id is None:
            raise ValueError(f"authorizer {self.name!r}: audience must not be empty")
        sources = self.identity_source or ["$request.header.Authorization"]
        if len(sources) != 1:
            raise ValueError(f"authorizer {self.name!r}: a JWT authorizer takes exactly one identity_source")
        try:
            validate.jwt_identity_source(sources[0])
        except ValueError as error:
            raise ValueError(f"identity_source: {error}") from None

    def _check_lambda(self) -> None:
        if self.simple_responses and self.payload_format_version == "1.0":
            raise ValueError(f"authorizer {self.name!r}: simple_responses needs payload_format_version 2.0")
        for source in self.identity_source or []:
            try:
                validate.lambda_identity_source(source)
            except ValueError as error:
                raise ValueError(f"identity_source: {error}") from None
        if self.ttl_seconds and not self.identity_source:
            raise ValueError(f"authorizer {self.name!r}: caching (ttl_seconds > 0) needs identity_source")

    def spec(self) -> AuthorizerSpec:
        if self.function_arn is not None:
            return AuthorizerSpec(
                type="REQUEST",
                identity_source=tuple(self.identity_source or ()),
                function_arn=self.function_arn,
                payload_format_version=self.payload_format_version,
                simple_responses=self.payload_format_version == "2.0" and self.simple_responses is not False,
                ttl_seconds=self.ttl_seconds,
            )
        audience = list(self.audience) + ([self.cognito_app_client_id] if self.cognito_app_client_id else [])
        issuer = self.issuer or _cognito_issuer(str(self.cognito_user_pool_id))
        return AuthorizerSpec(
            type="JWT",
            identity_source=tuple(self.identity_source or ["$request.header.Authorization"]),
            issuer=issuer,
            audience=tuple(sorted(set(audience))),
        )


def _cognito_issuer(pool_id: str) -> str:
    return f"https://cognito-idp.{pool_id.split('_')[0]}.amazonaws.com/{pool_id}"


class StageInput(BaseModel):
    """A stage: deployment mode, variables, throttling, access logs."""

    model_config = ConfigDict(extra="forbid")

    name: StageName
    auto_deploy: bool = True
    description: Description = ""
    variables: Annotated[dict[str, str], AfterValidator(validate.stage_variables)] = Field(
        default_factory=dict
    )
    throttle: Throttle | None = Field(None, description="default route throttling")
    route_throttle: dict[str, Throttle] = Field(default_factory=dict, description="by route key")
    access_log: bool = False
    log_group_arn: Annotated[str, AfterValidator(validate.log_group_arn)] | None = None
    log_format: Annotated[str, AfterValidator(validate.access_log_format)] | None = None

    def spec(self, api_name: str, region: str, account: str) -> StageSpec:
        """The stage's spec; a ValueError starting "log_group_arn:" when the group is in another place."""
        if self.log_group_arn is not None:
            validate.log_group_in(self.log_group_arn, region, account)
        log = None
        if self.access_log or self.log_group_arn or self.log_format:
            arn = self.log_group_arn or default_log_group_arn(api_name, self.name, region, account)
            log = AccessLog(destination_arn=arn, format=self.log_format or DEFAULT_LOG_FORMAT)
        return StageSpec(
            auto_deploy=self.auto_deploy,
            description=self.description,
            variables=self.variables,
            throttle=self.throttle,
            route_throttle={_throttle_key(k): v for k, v in self.route_throttle.items()},
            access_log=log,
        )


def _throttle_key(key: str) -> str:
    try:
        return validate.route_key(key)
    except ValueError as error:
        raise ValueError(f"route_throttle: {error}") from None


def _stage_spec(stage: StageInput, api_name: str, region: str, account: str, field: str) -> StageSpec:
    try:
        return stage.spec(api_name, region, account)
    except ValueError as error:
        raise ValueError(f"{field}.{error}") from None


def default_log_group_arn(api_name: str, stage: str, region: str, account: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.#/-]", "-", f"/aws/apigateway/{api_name}/{stage.lstrip('$')}")
    return f"arn:aws:logs:{region}:{account}:log-group:{safe}"


def route_spec(
    route: RouteInput,
    field: str,
    authorizers: dict[str, AuthorizerSpec],
    integrations: dict[str, IntegrationSpec],
) -> RouteSpec:
    """Resolve a route's integration id and authorizer name; a ValueError starts with ``field``."""
    integration = route.new_integration()
    if route.integration_id is not None:
        integration = integrations.get(route.integration_id)
        if integration is None:
            known = ", ".join(sorted(integrations)) or "none"
            raise ValueError(
                f"{field}.integration_id: no proxy integration {route.integration_id!r} (known: {known})"
            )
    return RouteSpec(integration=integration, **route_auth(route.auth, route.scopes, field, authorizers))


def route_auth(
    auth: str, scopes: list[str], field: str, authorizers: dict[str, AuthorizerSpec]
) -> dict[str, Any]:
    """RouteSpec's authorization fields for ``auth`` (NONE, AWS_IAM or an authorizer name)."""
    if auth in ("NONE", "AWS_IAM"):
        if scopes:
            raise ValueError(f"{field}.scopes: scopes need a JWT authorizer")
        return {"authorization": auth, "authorizer": None, "scopes": ()}
    found = authorizers.get(auth)
    if found is None:
        known = ", ".join(sorted(authorizers)) or "none"
        raise ValueError(
            f"{field}.auth: {auth!r} is not NONE, AWS_IAM or an authorizer name (known: {known})"
        )
    if scopes and found.type != "JWT":
        raise ValueError(f"{field}.scopes: scopes apply to JWT authorizers only")
    kind = "JWT" if found.type == "JWT" else "CUSTOM"
    return {"authorization": kind, "authorizer": auth, "scopes": tuple(sorted(set(scopes)))}


def check_route_set(routes: list[RouteInput]) -> None:
    """Quota, duplicates and one timeout per shared backend; ValueError starts with the field path."""
    if len(routes) > MAX_ROUTES:
        raise ValueError(f"routes: {len(routes)} routes exceed the quota of {MAX_ROUTES} routes per HTTP API")
    shapes: dict[str, str] = {}
    backends: dict[tuple[str, str, str, str], int] = {}
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
        spec = route.new_integration()
        if spec and backends.setdefault(spec.key, spec.timeout_ms) != spec.timeout_ms:
            raise ValueError(
                f"routes.{index}.timeout_ms: routes sharing one backend share one integration, "
                "so they must use the same timeout_ms"
            )


class CreateHttpApiArgs(BaseModel):
    """Everything create_http_api is given, bar dry_run and plan_token: the whole desired API."""

    name: ApiName
    routes: list[RouteInput]
    description: Description = ""
    cors: Cors | None = None
    authorizers: list[AuthorizerInput] = Field(default_factory=list, max_length=10)
    stages: list[StageInput] = Field(default_factory=list, max_length=10)
    default_stage: bool | None = None
    tags: Tags = Field(default_factory=dict)

    def spec(self, region: str, account: str) -> HttpApiSpec:
        check_route_set(self.routes)
        authorizers = {a.name: a.spec() for a in self.authorizers}
        if len(authorizers) != len(self.authorizers):
            raise ValueError("authorizers: names must be unique")
        routes = {
            r.route_key: route_spec(r, f"routes.{i}", authorizers, {}) for i, r in enumerate(self.routes)
        }
        stages = {
            s.name: _stage_spec(s, self.name, region, account, f"stages.{i}")
            for i, s in enumerate(self.stages)
        }
        if len(stages) != len(self.stages):
            raise ValueError("stages: names must be unique")
        # A $default stage next to named ones is a second, unthrottled and unlogged door: only when asked.
        if self.default_stage or (self.default_stage is None and not self.stages):
            stages.setdefault(DEFAULT_STAGE, StageSpec())
        return HttpApiSpec(
            name=self.name,
            description=self.description,
            cors=self.cors.to_aws() if self.cors else None,
            routes=routes,
            authorizers=authorizers,
            stages=stages,
            tags=self.tags,
        )
