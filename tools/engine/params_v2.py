"""Parameters of the apigatewayv2 write operations the planners emit, each with its judge."""

from __future__ import annotations

from collections.abc import Mapping

from apigw_mcp.tools.engine import judges as j
from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.params import (
    ACCESS_LOG,
    API,
    API_ARN,
    AUTHORIZER_URI,
    BOOL,
    CHILD,
    CORS,
    DESCRIPTION,
    INTEGRATION_URI,
    ISSUER,
    NAME,
    ROUTE_KEY,
    STAGE_NAME,
    STAGE_VARIABLES,
    TAGS,
    THROTTLE_FIELDS,
    Param,
)


def _identity_sources(value: object) -> None:
    if not isinstance(value, list) or len(value) > 10:
        raise ValueError("must be a list of at most 10 identity sources")
    for source in value:
        validate.lambda_identity_source(source)


def _managed_tags(value: object) -> None:
    """Tags on a new API: the user's, plus the managed tag this server must put on what it creates."""
    if not isinstance(value, dict) or value.get("apigw-mcp:managed") != "true":
        raise ValueError("APIs this server creates must carry the managed tag apigw-mcp:managed=true")
    validate.tags({k: v for k, v in value.items() if k != "apigw-mcp:managed"})


_AUTH_TYPE = Param(j.one_of("NONE", "AWS_IAM", "JWT", "CUSTOM"))
_ROUTE = {
    "ApiId": API,
    "AuthorizationType": _AUTH_TYPE,
    "Target": Param(j.route_target),
    "AuthorizerId": CHILD,
    "AuthorizationScopes": Param(j.text_list(10, 256)),
}
_AUTHORIZER = {
    "ApiId": API,
    "Name": NAME,
    "AuthorizerType": Param(j.one_of("JWT", "REQUEST")),
    "IdentitySource": Param(j.checked(_identity_sources)),
    "JwtConfiguration": Param(fields={"Issuer": ISSUER, "Audience": Param(j.text_list(50, 1024))}),
    "AuthorizerUri": AUTHORIZER_URI,
    "AuthorizerPayloadFormatVersion": Param(j.one_of("1.0", "2.0")),
    "AuthorizerResultTtlInSeconds": Param(j.number(0, 3600, integer=True)),
    "EnableSimpleResponses": BOOL,
}
_STAGE = {
    "ApiId": API,
    "StageName": STAGE_NAME,
    "AutoDeploy": BOOL,
    "Description": DESCRIPTION,
    "StageVariables": STAGE_VARIABLES,
    "DefaultRouteSettings": Param(fields=THROTTLE_FIELDS),
    "RouteSettings": Param(fields=THROTTLE_FIELDS, each_key=j.normal(validate.route_key)),
    "AccessLogSettings": ACCESS_LOG,
}
_API_ONLY = {"ApiId": API}

V2: dict[str, Mapping[str, Param]] = {
    "create_api": {
        "Name": Param(j.checked(validate.api_name)),
        "ProtocolType": Param(j.one_of("HTTP")),
        "Description": DESCRIPTION,
        "CorsConfiguration": CORS,
        "Tags": Param(j.checked(_managed_tags), "api-scope", target=True, required=True),
    },
    "update_api": {"ApiId": API, "Description": DESCRIPTION, "CorsConfiguration": CORS},
    "delete_cors_configuration": _API_ONLY,
    "delete_api": _API_ONLY,
    "tag_resource": {"ResourceArn": API_ARN, "Tags": TAGS},
    "create_authorizer": _AUTHORIZER,
    "update_authorizer": {**_AUTHORIZER, "AuthorizerId": CHILD},
    "delete_authorizer": {"ApiId": API, "AuthorizerId": CHILD},
    "create_integration": {
        "ApiId": API,
        "IntegrationType": Param(j.one_of("AWS_PROXY", "HTTP_PROXY")),
        "IntegrationUri": INTEGRATION_URI,
        "IntegrationMethod": Param(j.one_of(*validate.HTTP_METHODS)),
        "PayloadFormatVersion": Param(j.one_of("1.0", "2.0")),
        "TimeoutInMillis": Param(j.number(50, 30000, integer=True)),
    },
    "update_integration": {
        "ApiId": API,
        "IntegrationId": CHILD,
        "TimeoutInMillis": Param(j.number(50, 30000, integer=True)),
    },
    "delete_integration": {"ApiId": API, "IntegrationId": CHILD},
    "create_route": {**_ROUTE, "RouteKey": ROUTE_KEY},
    "update_route": {**_ROUTE, "RouteId": CHILD},
    "delete_route": {"ApiId": API, "RouteId": CHILD},
    "create_stage": _STAGE,
    "update_stage": _STAGE,
    "delete_stage": {"ApiId": API, "StageName": STAGE_NAME},
    "delete_route_settings": {"ApiId": API, "StageName": STAGE_NAME, "RouteKey": ROUTE_KEY},
    "delete_access_log_settings": {"ApiId": API, "StageName": STAGE_NAME},
    "create_deployment": {"ApiId": API, "StageName": STAGE_NAME, "Description": DESCRIPTION},
}
