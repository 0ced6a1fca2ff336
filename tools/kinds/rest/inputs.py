"""Tool arguments for REST APIs (``create_rest_api``) and their conversion into the spec.

Syntax is checked by pydantic validators (errors name the field); what needs the whole
request, the region or the account is checked in ``to_spec``, which raises BadInput naming
the field path (``routes[1].auth``). What moto accepts but AWS rejects is refused here or in
``plan_checks.check_rest_spec``.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.validate import GATEWAY_RESPONSE_TYPES
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.rest.plan_checks import check_rest_spec, policy_text, route_tree
from apigw_mcp.tools.kinds.rest.plan_cors import add_cors
from apigw_mcp.tools.kinds.rest.route_inputs import RestRouteInput, method_spec
from apigw_mcp.tools.kinds.rest.spec import (
    GatewayResponseSpec,
    ModelSpec,
    RequestValidatorSpec,
    RestApiSpec,
    RestAuthorizerSpec,
    RestResourceSpec,
)
from apigw_mcp.tools.kinds.rest.stage_inputs import RestStageInput

LambdaArn = Annotated[str, AfterValidator(validate.lambda_arn)]
Tags = Annotated[dict[str, str], AfterValidator(validate.tags)]
Description = Annotated[str, AfterValidator(validate.description)]
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}")
_POOL_ARN = re.compile(
    r"arn:aws[a-z-]*:cognito-idp:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):userpool/\1_[0-9A-Za-z]+"
)
_IDENTITY = re.compile(
    r"(method\.request\.(header|querystring)|stageVariables|context)\.[A-Za-z0-9._~!#$%&'*+^`|-]+"
)
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9*!#$&^_.+-]+/[A-Za-z0-9*!#$&^_.+-]+")
_VPCE = re.compile(r"vpce-[0-9a-f]{8,17}")
_NAME = re.compile(r"[A-Za-z0-9]{1,128}")


def _role_arn(value: str) -> str:
    if not ROLE_ARN.fullmatch(value):
        raise ValueError(f"{value!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    return value


T = TypeVar("T")
RoleArn = Annotated[str, AfterValidator(_role_arn)]


class RestAuthorizerInput(BaseModel):
    """Cognito (``cognito_user_pool_arns``) or Lambda (``lambda_arn``, TOKEN or REQUEST)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    cognito_user_pool_arns: list[str] = Field(default_factory=list, max_length=1000)
    lambda_arn: LambdaArn | None = None
    type: Literal["TOKEN", "REQUEST"] = "TOKEN"
    identity_sources: list[str] = Field(default_factory=list, max_length=20)
    ttl_seconds: int = Field(300, ge=0, le=3600)
    identity_validation_expression: str | None = Field(None, max_length=1024)
    role_arn: RoleArn | None = Field(None, description="role API Gateway assumes to invoke the authorizer")

    @model_validator(mode="after")
    def _one_kind(self) -> RestAuthorizerInput:
        if bool(self.cognito_user_pool_arns) == (self.lambda_arn is not None):
            raise ValueError(f"authorizer {self.name!r}: give cognito_user_pool_arns or lambda_arn")
        for arn in self.cognito_user_pool_arns:
            if not _POOL_ARN.fullmatch(arn):
                raise ValueError(
                    f"{arn!r} is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID)"
                )
        for source in self.identity_sources:
            if not _IDENTITY.fullmatch(source):
                raise ValueError(
                    f"identity source {source!r}: use method.request.header.X, method.request.querystring.X, "
                    "stageVariables.X or context.X"
                )
        token = self.lambda_arn is not None and self.type == "TOKEN"
        if token and (len(self.identity_sources) > 1 or not self._header_only()):
            raise ValueError(
                f"authorizer {self.name!r}: a TOKEN authorizer reads one method.request.header.X"
            )
        if self.identity_validation_expression is not None and not token:
            raise ValueError(
                f"authorizer {self.name!r}: identity_validation_expression is for TOKEN authorizers"
            )
        if self.lambda_arn and self.type == "REQUEST" and self.ttl_seconds and not self.identity_sources:
            raise ValueError(f"authorizer {self.name!r}: a cached REQUEST authorizer needs identity_sources")
        return self

    def _header_only(self) -> bool:
        return all(s.startswith("method.request.header.") for s in self.identity_sources)

    def spec(self) -> RestAuthorizerSpec:
        default = (
            [] if self.type == "REQUEST" and self.lambda_arn else ["method.request.header.Authorization"]
        )
        sources = self.identity_sources or default
        return RestAuthorizerSpec(
            name=self.name,
            type="COGNITO_USER_POOLS" if self.cognito_user_pool_arns else self.type,
            provider_arns=tuple(sorted(set(self.cognito_user_pool_arns))),
            function_arn=self.lambda_arn,
            identity_source=",".join(sources) or None,
            identity_validation_expression=self.identity_validation_expression,
            ttl_seconds=self.ttl_seconds,
            credentials=self.role_arn,
        )


class RequestValidatorInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    validate_body: bool = False
    validate_parameters: bool = False

    def spec(self) -> RequestValidatorSpec:
        return RequestValidatorSpec(
            name=self.name,
            validate_request_body=self.validate_body,
            validate_request_parameters=self.validate_parameters,
        )


class ModelInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=_NAME.pattern)]
    json_schema: dict[str, Any] = Field(description="JSON Schema draft 4 document")
    content_type: str = Field("application/json", pattern=_MEDIA_TYPE.pattern)
    description: Description = ""

    def spec(self) -> ModelSpec:
        schema = json.dumps(self.json_schema, sort_keys=True, separators=(",", ":"))
        return ModelSpec(
            name=self.name, schema=schema, content_type=self.content_type, description=self.description
        )


class GatewayResponseInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    status_code: str | None = Field(None, pattern=r"^[1-5]\d\d$")
    response_parameters: dict[str, str] = Field(default_factory=dict)
    response_templates: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> GatewayResponseInput:
        if self.type not in GATEWAY_RESPONSE_TYPES:
            raise ValueError(
                f"type {self.type!r} is not a gateway response type ({', '.join(GATEWAY_RESPONSE_TYPES)})"
            )
        for key in self.response_parameters:
            if not key.startswith("gatewayresponse.header."):
                raise ValueError(f"response parameter {key!r} must be gatewayresponse.header.NAME")
        return self

    def spec(self) -> GatewayResponseSpec:
        return GatewayResponseSpec.model_validate(self.model_dump())


class CreateRestApiArgs(BaseModel):
    """Everything create_rest_api is given, bar dry_run and plan_token: the whole desired API."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(validate.api_name)]
    routes: list[RestRouteInput] = Field(max_length=600)
    description: Description = ""
    endpoint_type: Literal["REGIONAL", "EDGE", "PRIVATE"] = "REGIONAL"
    vpc_endpoint_ids: list[Annotated[str, Field(pattern=_VPCE.pattern)]] = Field(default_factory=list)
    authorizers: list[RestAuthorizerInput] = Field(default_factory=list, max_length=10)
    validators: list[RequestValidatorInput] = Field(default_factory=list, max_length=20)
    models: list[ModelInput] = Field(default_factory=list, max_length=50)
    gateway_responses: list[GatewayResponseInput] = Field(default_factory=list, max_length=21)
    cors: Cors | None = None
    binary_media_types: list[Annotated[str, Field(pattern=_MEDIA_TYPE.pattern)]] = Field(default_factory=list)
    disable_execute_api_endpoint: bool = False
    policy: str | None = Field(None, max_length=8192, description="resource policy JSON")
    api_key_source: Literal["HEADER", "AUTHORIZER"] = "HEADER"
    tags: Tags = Field(default_factory=dict)
    stages: list[RestStageInput] = Field(default_factory=list, max_length=10)

    def to_spec(self, region: str, account: str) -> RestApiSpec:
        authorizers = _unique("authorizers", [(a.name, a.spec()) for a in self.authorizers])
        validators = _unique("validators", [(v.name, v.spec()) for v in self.validators])
        models = _unique("models", [(m.name, m.spec()) for m in self.models])
        gateway = _unique("gateway_responses", [(g.type, g.spec()) for g in self.gateway_responses])
        stages = _unique("stages", [(s.name, s) for s in self.stages])
        tree = route_tree([r.route_key for r in self.routes])
        resources = {path: RestResourceSpec(path=path) for path in tree}
        for index, route in enumerate(self.routes):
            verb, _, path = route.route_key.partition(" ")
            method = method_spec(route, f"routes[{index}]", path, region, account, authorizers)
            methods = {**resources[path].methods, verb: method}
            resources[path] = resources[path].model_copy(update={"methods": methods})
        spec = RestApiSpec(
            name=self.name,
            description=self.description,
            endpoint_type=self.endpoint_type,
            vpc_endpoint_ids=tuple(sorted(set(self.vpc_endpoint_ids))),
            binary_media_types=tuple(sorted(set(self.binary_media_types))),
            disable_execute_api_endpoint=self.disable_execute_api_endpoint,
            policy=policy_text(self.policy, self.endpoint_type, self.vpc_endpoint_ids),
            api_key_source=self.api_key_source,
            tags=self.tags,
            resources=resources,
            authorizers=authorizers,
            validators=validators,
            models=models,
            gateway_responses=gateway,
            stages=[s.to_spec() for s in stages.values()],
        )
        if self.cors is not None:
            spec = add_cors(spec, self.cors)
        check_rest_spec(spec)
        return spec


def _unique(field: str, items: list[tuple[str, T]]) -> dict[str, T]:
    found: dict[str, T] = {}
    for index, (name, value) in enumerate(items):
        if name in found:
            raise BadInput(f"{field}[{index}]", f"{name!r} is given twice: each must be unique")
        found[name] = value
    return found
