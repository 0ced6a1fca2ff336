"""Desired state of a REST API, normalised so that a live API reads into the same model.

Children are matched by natural keys: resources by path, methods by HTTP method, responses by
status code, authorizers, validators and models by name, gateway responses by type; never by id.
A Lambda integration keeps the function ARN as its ``uri``: the invocation URI is derived.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from apigw_mcp.tools.kinds.rest.stage_spec import RestStageSpec

IntegrationType = Literal["AWS_PROXY", "AWS", "HTTP", "HTTP_PROXY", "MOCK"]
Authorization = Literal["NONE", "AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"]
DEFAULT_TIMEOUT_MS = 29000
DEFAULT_PASSTHROUGH = "WHEN_NO_MATCH"
DEFAULT_TTL_SECONDS = 300
BUILTIN_MODELS = ("Empty", "Error")  # every REST API has them from birth; never planned


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IntegrationResponseSpec(_Frozen):
    status_code: str
    selection_pattern: str | None = None
    response_parameters: dict[str, str] = Field(default_factory=dict)
    response_templates: dict[str, str] = Field(default_factory=dict)


class MethodResponseSpec(_Frozen):
    """``response_parameters``: ``{"method.response.header.X": required}``."""

    status_code: str
    response_parameters: dict[str, bool] = Field(default_factory=dict)
    response_models: dict[str, str] = Field(default_factory=dict)


class RestIntegrationSpec(_Frozen):
    type: IntegrationType
    uri: str | None = None
    integration_http_method: str | None = None
    credentials: str | None = None
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    request_templates: dict[str, str] = Field(default_factory=dict)
    request_parameters: dict[str, str] = Field(default_factory=dict)
    passthrough_behavior: str = DEFAULT_PASSTHROUGH
    content_handling: str | None = None
    cache_key_parameters: tuple[str, ...] = ()
    responses: list[IntegrationResponseSpec] = Field(default_factory=list)

    @property
    def function_arn(self) -> str | None:
        """The Lambda function this integration invokes, if any."""
        if self.uri and self.type in ("AWS_PROXY", "AWS") and ":lambda:" in self.uri:
            return self.uri if self.uri.startswith("arn:") and ":function:" in self.uri else None
        return None

    def label(self) -> str:
        if self.function_arn:
            name = self.function_arn.split(":function:")[-1]
            return f"lambda:{name}" + ("" if self.type == "AWS_PROXY" else " (custom)")
        if self.type == "MOCK":
            return "MOCK"
        return f"{self.type} {self.integration_http_method or ''} {self.uri or ''}".strip()


class RestMethodSpec(_Frozen):
    authorization: Authorization = "NONE"
    authorizer: str | None = None
    scopes: tuple[str, ...] = ()
    api_key_required: bool = False
    request_parameters: dict[str, bool] = Field(default_factory=dict)
    request_validator: str | None = None
    request_models: dict[str, str] = Field(default_factory=dict)
    responses: list[MethodResponseSpec] = Field(default_factory=list)
    integration: RestIntegrationSpec | None = None

    def label(self) -> str:
        target = self.integration.label() if self.integration else "no integration"
        auth = self.authorization if self.authorizer is None else f"{self.authorization}:{self.authorizer}"
        auth += f" [{' '.join(self.scopes)}]" if self.scopes else ""
        key = " +api key" if self.api_key_required else ""
        return f"{target} | {auth}{key}"


class RestResourceSpec(_Frozen):
    path: str
    methods: dict[str, RestMethodSpec] = Field(default_factory=dict)


class RestAuthorizerSpec(_Frozen):
    name: str
    type: Literal["TOKEN", "REQUEST", "COGNITO_USER_POOLS"]
    provider_arns: tuple[str, ...] = ()
    function_arn: str | None = None
    identity_source: str | None = None
    identity_validation_expression: str | None = None
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    credentials: str | None = None


class RequestValidatorSpec(_Frozen):
    name: str
    validate_request_body: bool = False
    validate_request_parameters: bool = False


class ModelSpec(_Frozen):
    name: str
    content_type: str = "application/json"
    schema_text: str = Field(alias="schema")
    description: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class GatewayResponseSpec(_Frozen):
    type: str
    status_code: str | None = None
    response_parameters: dict[str, str] = Field(default_factory=dict)
    response_templates: dict[str, str] = Field(default_factory=dict)


class RestApiSpec(BaseModel):
    """Everything about a REST API that the tools own; ``stages`` are planned by ``plan_stages``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    endpoint_type: Literal["REGIONAL", "EDGE", "PRIVATE"] = "REGIONAL"
    vpc_endpoint_ids: tuple[str, ...] = ()
    binary_media_types: tuple[str, ...] = ()
    disable_execute_api_endpoint: bool = False
    policy: str | None = None
    api_key_source: Literal["HEADER", "AUTHORIZER"] = "HEADER"
    tags: dict[str, str] = Field(default_factory=dict)
    resources: dict[str, RestResourceSpec] = Field(default_factory=dict)
    authorizers: dict[str, RestAuthorizerSpec] = Field(default_factory=dict)
    validators: dict[str, RequestValidatorSpec] = Field(default_factory=dict)
    models: dict[str, ModelSpec] = Field(default_factory=dict)
    gateway_responses: dict[str, GatewayResponseSpec] = Field(default_factory=dict)
    stages: list[RestStageSpec] = Field(default_factory=list)

    def functions(self) -> dict[str, list[str]]:
        """Lambda ARN -> what invokes it: ``"METHOD /path"`` or ``"authorizer NAME"``."""
        found: dict[str, list[str]] = {}
        for path, resource in sorted(self.resources.items()):
            for method, spec in sorted(resource.methods.items()):
                if spec.integration and spec.integration.function_arn:
                    found.setdefault(spec.integration.function_arn, []).append(f"{method} {path}")
        for name, authorizer in sorted(self.authorizers.items()):
            if authorizer.function_arn:
                found.setdefault(authorizer.function_arn, []).append(f"authorizer {name}")
        return found
