"""One REST route of ``create_rest_api``: its backend, auth and request checks, and its method spec."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.kinds.rest.spec import (
    IntegrationResponseSpec,
    IntegrationType,
    MethodResponseSpec,
    RestAuthorizerSpec,
    RestIntegrationSpec,
    RestMethodSpec,
)

LambdaArn = Annotated[str, AfterValidator(validate.lambda_arn)]
IntegrationUrl = Annotated[str, AfterValidator(validate.integration_url)]
_ROLE_ARN = re.compile(r"arn:(aws[a-z-]*):iam::(\d{12}):role/[A-Za-z0-9+=,.@_/-]{1,512}")
_REQUEST_PARAM = re.compile(
    r"method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.[^\s.]+"
)
_PATH_PARAM = re.compile(r"\{([A-Za-z0-9_-]+)\+?\}")
_INTEGRATION_PARAM = re.compile(
    r"integration\.request\.(path|querystring|multivaluequerystring|header)\.[^\s.]+"
)
_RESPONSE_HEADER = re.compile(r"method\.response\.header\.[A-Za-z0-9!#$%&'*+^_`|~-]+")
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9*!#$&^_.+-]+/[A-Za-z0-9*!#$&^_.+-]+")
MOCK_TEMPLATE = {"application/json": '{"statusCode": 200}'}


class AwsServiceInput(BaseModel):
    """An AWS service action (``action``: SendMessage) or REST path (``path``), called with ``role_arn``."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(pattern=r"^[a-z0-9-]{2,40}$", description="e.g. sqs, dynamodb, states")
    action: str | None = Field(None, pattern=r"^[A-Za-z0-9]{1,128}$")
    path: str | None = Field(None, pattern=r"^[A-Za-z0-9_.~/{}-]{1,512}$")
    http_method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "POST"
    role_arn: str

    @model_validator(mode="after")
    def _action_or_path(self) -> AwsServiceInput:
        if (self.action is None) == (self.path is None):
            raise ValueError("give action or path, not both")
        if not _ROLE_ARN.fullmatch(self.role_arn):
            raise ValueError("role_arn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        return self

    def uri(self, region: str) -> str:
        tail = f"action/{self.action}" if self.action else f"path/{self.path}"
        return f"arn:{validate.partition_of(region)}:apigateway:{region}:{self.service}:{tail}"


class ResponseInput(BaseModel):
    """An integration response (non-proxy backends); its method response is derived from it."""

    model_config = ConfigDict(extra="forbid")

    status_code: str = Field(pattern=r"^[1-5]\d\d$")
    selection_pattern: str | None = Field(None, max_length=1024)
    response_templates: dict[str, str] = Field(default_factory=dict)
    response_parameters: dict[str, str] = Field(
        default_factory=dict, description='{"method.response.header.X": "integration.response.header.Y"}'
    )

    @model_validator(mode="after")
    def _names(self) -> ResponseInput:
        for name in self.response_parameters:
            if not _RESPONSE_HEADER.fullmatch(name):
                raise ValueError(f"response parameter {name!r} must be method.response.header.NAME")
        for content_type in self.response_templates:
            if not _MEDIA_TYPE.fullmatch(content_type):
                raise ValueError(f"{content_type!r} is not a content type (type/subtype)")
        return self


class RestRouteInput(BaseModel):
    """A route ``"METHOD /path"`` with exactly one backend: lambda_arn, http_url, aws_service or mock."""

    model_config = ConfigDict(extra="forbid")

    route_key: Annotated[str, AfterValidator(validate.route_key)]
    lambda_arn: LambdaArn | None = None
    lambda_custom: bool = Field(False, description="AWS (non-proxy) Lambda integration with templates")
    http_url: IntegrationUrl | None = None
    proxy: bool = Field(True, description="http_url: HTTP_PROXY (true) or HTTP with templates (false)")
    aws_service: AwsServiceInput | None = None
    mock: bool = False
    request_templates: dict[str, str] = Field(default_factory=dict)
    responses: list[ResponseInput] = Field(default_factory=list, max_length=20)
    auth: str = Field("NONE", description="NONE, AWS_IAM or an authorizer name")
    scopes: list[str] = Field(default_factory=list, max_length=10)
    api_key_required: bool = False
    timeout_ms: int = Field(29000, ge=50, le=29000)
    request_parameters: dict[str, bool] = Field(default_factory=dict, description="name -> required")
    integration_request_parameters: dict[str, str] = Field(default_factory=dict)
    request_validator: str | None = None
    request_models: dict[str, str] = Field(default_factory=dict, description="content type -> model name")

    @model_validator(mode="after")
    def _one_backend(self) -> RestRouteInput:
        if self.route_key == "$default":
            raise ValueError("REST APIs have no $default route: use 'ANY /{proxy+}'")
        given = [
            self.lambda_arn is not None,
            self.http_url is not None,
            self.aws_service is not None,
            self.mock,
        ]
        if sum(given) != 1:
            raise ValueError(
                f"route {self.route_key!r}: give exactly one of lambda_arn, http_url, aws_service, mock"
            )
        if self.lambda_custom and self.lambda_arn is None:
            raise ValueError("lambda_custom needs lambda_arn")
        if self.proxied and (self.request_templates or self.responses):
            raise ValueError("request_templates and responses apply to non-proxy integrations only")
        for name in self.request_parameters:
            if not _REQUEST_PARAM.fullmatch(name):
                raise ValueError(
                    f"request parameter {name!r} must be method.request.(path|querystring|header).NAME"
                )
        for name in self.integration_request_parameters:
            if not _INTEGRATION_PARAM.fullmatch(name):
                raise ValueError(f"{name!r} must be integration.request.(path|querystring|header).NAME")
        for content_type in [*self.request_templates, *self.request_models]:
            if not _MEDIA_TYPE.fullmatch(content_type):
                raise ValueError(f"{content_type!r} is not a content type (type/subtype)")
        return self

    @property
    def proxied(self) -> bool:
        return (self.lambda_arn is not None and not self.lambda_custom) or (
            self.http_url is not None and self.proxy
        )

    def integration(
        self, region: str, declared: dict[str, bool], mapped: dict[str, str]
    ) -> RestIntegrationSpec:
        verb = self.route_key.split(" ")[0]
        kind: IntegrationType = "MOCK"
        uri, method, role = None, None, None
        if self.lambda_arn is not None:
            kind, uri, method = ("AWS_PROXY" if self.proxied else "AWS"), self.lambda_arn, "POST"
        elif self.http_url is not None:
            kind, uri, method = ("HTTP_PROXY" if self.proxy else "HTTP"), self.http_url, verb
        elif self.aws_service is not None:
            kind, uri = "AWS", self.aws_service.uri(region)
            method, role = self.aws_service.http_method, self.aws_service.role_arn
        templates = self.request_templates or (MOCK_TEMPLATE if self.mock else {})
        default = [ResponseInput.model_validate({"status_code": "200"})]
        responses = [] if self.proxied else self.responses or default
        return RestIntegrationSpec(
            type=kind,
            uri=uri,
            integration_http_method=method,
            credentials=role,
            timeout_ms=self.timeout_ms,
            request_templates=templates,
            request_parameters=mapped,
            responses=[IntegrationResponseSpec(**r.model_dump()) for r in responses],
        )


def _url_mappings(url: str | None, path: str) -> tuple[dict[str, bool], dict[str, str]]:
    """Path parameters a backend URL names, declared on the method and mapped into the integration."""
    if url is None:
        return {}, {}
    names = set(_PATH_PARAM.findall(path)) & set(_PATH_PARAM.findall(url))
    declared = {f"method.request.path.{n}": True for n in sorted(names)}
    mapped = {f"integration.request.path.{n}": f"method.request.path.{n}" for n in sorted(names)}
    return declared, mapped


def method_spec(
    route: RestRouteInput,
    field: str,
    path: str,
    region: str,
    account: str,
    authorizers: dict[str, RestAuthorizerSpec],
) -> RestMethodSpec:
    """The route's method; raises BadInput naming ``field`` for what needs the whole request."""
    role = route.aws_service.role_arn if route.aws_service else None
    if role is not None and role.split(":")[4] != account:
        raise BadInput(f"{field}.aws_service.role_arn", f"the role must be in this account ({account})")
    declared, mapped = _url_mappings(route.http_url, path)
    declared |= route.request_parameters
    mapped |= route.integration_request_parameters
    integration = route.integration(region, declared, mapped)
    responses = [
        MethodResponseSpec(
            status_code=r.status_code,
            response_parameters={k: False for k in r.response_parameters},
        )
        for r in integration.responses
    ]
    fields = {
        **_authorization(route, field, authorizers),
        "api_key_required": route.api_key_required,
        "request_parameters": declared,
        "request_validator": route.request_validator,
        "request_models": route.request_models,
        "responses": responses,
        "integration": integration,
    }
    return RestMethodSpec.model_validate(fields)


def _authorization(
    route: RestRouteInput, field: str, authorizers: dict[str, RestAuthorizerSpec]
) -> dict[str, object]:
    if route.auth in ("NONE", "AWS_IAM"):
        if route.scopes:
            raise BadInput(f"{field}.scopes", "scopes need a Cognito authorizer")
        return {"authorization": route.auth}
    found = authorizers.get(route.auth)
    if found is None:
        known = ", ".join(sorted(authorizers)) or "none"
        raise BadInput(
            f"{field}.auth", f"{route.auth!r} is not NONE, AWS_IAM or an authorizer name (known: {known})"
        )
    if route.scopes and found.type != "COGNITO_USER_POOLS":
        raise BadInput(f"{field}.scopes", "scopes apply to Cognito user pool authorizers only")
    kind = "COGNITO_USER_POOLS" if found.type == "COGNITO_USER_POOLS" else "CUSTOM"
    return {"authorization": kind, "authorizer": route.auth, "scopes": tuple(sorted(set(route.scopes)))}
