"""The sandbox's moto extensions (server/sandbox/moto_v2.py), proven three ways.

1. Round trips through boto3 against the moto server: each operation does what AWS does.
2. moto's answers fed to botocore's Stubber, which validates a response against the
   operation's output shape: our extensions answer in AWS's shape.
3. AWS's documented responses pinned with the Stubber and fed to our pure readers
   (``describe``, ``live_http_api``): the product reads what AWS really sends, not only
   what our moto stand-in sends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.tools.kinds.http.describe import describe
from apigw_mcp.tools.kinds.http.live import live_http_api

from .conftest import ACCOUNT, REGION

LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/apigateway/orders"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xYz"
AUTH_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-authorizer"
AUTH_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{AUTH_FUNCTION}/invocations"
WHEN = datetime(2024, 3, 12, 9, 41, 7, tzinfo=UTC)


@pytest.fixture
def v2(moto_endpoint: str, sandbox: SeedInfo) -> Any:
    """An apigatewayv2 client on a freshly reset moto server."""
    return boto3.client("apigatewayv2", region_name=REGION, endpoint_url=moto_endpoint)


def _api(v2: Any, stage: str | None = "dev", **stage_args: Any) -> str:
    api_id: str = v2.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    if stage:
        v2.create_stage(ApiId=api_id, StageName=stage, **stage_args)
    return api_id


def _jwt_authorizer(v2: Any, api_id: str) -> str:
    authorizer_id: str = v2.create_authorizer(
        ApiId=api_id,
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        Name="cognito",
        JwtConfiguration={"Audience": ["app-client"], "Issuer": ISSUER},
    )["AuthorizerId"]
    return authorizer_id


def _error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def _stubbed() -> tuple[Any, Stubber]:
    """A client that never reaches a network: the Stubber answers, after checking the response's shape."""
    client = boto3.client(
        "apigatewayv2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def _stub_call(operation: str, response: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Call ``operation`` on a stubbed client answering ``response``; return what boto3 hands back."""
    client, stubber = _stubbed()
    with stubber:
        stubber.add_response(operation, response, params)
        answer: dict[str, Any] = getattr(client, operation)(**params)
        stubber.assert_no_pending_responses()
    answer.pop("ResponseMetadata", None)
    return answer


def _aws_shaped(operation: str, response: dict[str, Any], params: dict[str, Any]) -> None:
    """Our moto extension's parsed answer passes botocore's output-shape validation."""
    response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert _stub_call(operation, response, params) == response


# 1. Round trips against the moto server ----------------------------------------------------------


def test_update_stage_round_trip(v2: Any) -> None:
    api_id = _api(
        v2,
        RouteSettings={"GET /orders/{id}": {"ThrottlingBurstLimit": 5, "ThrottlingRateLimit": 2.0}},
        StageVariables={"old": "1"},
    )
    deployment = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    updated = v2.update_stage(
        ApiId=api_id,
        StageName="dev",
        AutoDeploy=True,
        Description="payments",
        StageVariables={"fn": "orders-dev"},
        DefaultRouteSettings={"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0},
        RouteSettings={
            "GET /orders/{id}": {"ThrottlingRateLimit": 1.0},
            "POST /orders": {"ThrottlingBurstLimit": 3},
        },
        AccessLogSettings={"DestinationArn": LOG_GROUP, "Format": "$context.requestId"},
        DeploymentId=deployment,
    )
    stage = v2.get_stage(ApiId=api_id, StageName="dev")
    updated.pop("ResponseMetadata")
    stage.pop("ResponseMetadata")
    assert updated == stage
    assert stage["AutoDeploy"] is True
    assert stage["Description"] == "payments"
    assert stage["StageVariables"] == {"fn": "orders-dev"}  # replaced, not merged
    assert stage["DefaultRouteSettings"] == {
        "DetailedMetricsEnabled": False,
        "ThrottlingBurstLimit": 100,
        "ThrottlingRateLimit": 50.0,
    }
    assert stage["RouteSettings"] == {  # merged per route key
        "GET /orders/{id}": {"ThrottlingBurstLimit": 5, "ThrottlingRateLimit": 1.0},
        "POST /orders": {"ThrottlingBurstLimit": 3},
    }
    assert stage["AccessLogSettings"] == {"DestinationArn": LOG_GROUP, "Format": "$context.requestId"}
    assert stage["DeploymentId"] == deployment
    assert stage["LastUpdatedDate"] >= stage["CreatedDate"]
    # Only what is sent changes.
    again = v2.update_stage(ApiId=api_id, StageName="dev", Description="v2")
    assert (again["Description"], again["StageVariables"], again["AutoDeploy"]) == (
        "v2",
        {"fn": "orders-dev"},
        True,
    )
    assert _error_code(lambda: v2.update_stage(ApiId=api_id, StageName="dev", DeploymentId="nope12")) == (
        "NotFoundException"
    )
    assert _error_code(lambda: v2.update_stage(ApiId=api_id, StageName="prod", Description="x")) == (
        "NotFoundException"
    )


def test_create_deployment_round_trip(v2: Any) -> None:
    api_id = _api(v2)
    created = v2.create_deployment(ApiId=api_id, StageName="dev", Description="first")
    assert created["DeploymentStatus"] == "DEPLOYED"
    assert created["AutoDeployed"] is False
    assert created["Description"] == "first"
    assert isinstance(created["CreatedDate"], datetime)
    assert v2.get_stage(ApiId=api_id, StageName="dev")["DeploymentId"] == created["DeploymentId"]
    assert "Description" not in v2.create_deployment(ApiId=api_id)
    assert _error_code(lambda: v2.create_deployment(ApiId=api_id, StageName="prod")) == "NotFoundException"


def test_get_deployments_and_get_deployment_round_trip(v2: Any) -> None:
    api_id = _api(v2)
    first = v2.create_deployment(ApiId=api_id, Description="one")
    second = v2.create_deployment(ApiId=api_id, StageName="dev")
    for deployment in (first, second):
        deployment.pop("ResponseMetadata")
    assert v2.get_deployments(ApiId=api_id)["Items"] == [first, second]
    got = v2.get_deployment(ApiId=api_id, DeploymentId=first["DeploymentId"])
    got.pop("ResponseMetadata")
    assert got == first
    assert v2.get_deployments(ApiId=_api(v2, stage=None))["Items"] == []


def test_delete_deployment_round_trip(v2: Any) -> None:
    api_id = _api(v2)
    deployment_id = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.delete_deployment(ApiId=api_id, DeploymentId=deployment_id)
    assert v2.get_deployments(ApiId=api_id)["Items"] == []
    gone = {"ApiId": api_id, "DeploymentId": deployment_id}
    assert _error_code(lambda: v2.get_deployment(**gone)) == "NotFoundException"
    assert _error_code(lambda: v2.delete_deployment(**gone)) == "NotFoundException"


def test_delete_route_settings_round_trip(v2: Any) -> None:
    settings = {"ThrottlingBurstLimit": 5, "ThrottlingRateLimit": 2.0}
    api_id = _api(
        v2, stage="$default", RouteSettings={"GET /orders/{id}": settings, "POST /orders": settings}
    )
    v2.delete_route_settings(ApiId=api_id, StageName="$default", RouteKey="GET /orders/{id}")
    assert v2.get_stage(ApiId=api_id, StageName="$default")["RouteSettings"] == {"POST /orders": settings}
    missing = lambda: v2.delete_route_settings(  # noqa: E731
        ApiId=api_id, StageName="$default", RouteKey="GET /orders/{id}"
    )
    assert _error_code(missing) == "NotFoundException"


def test_update_route_to_none_clears_the_authorizer(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    authorizer_id = _jwt_authorizer(v2, api_id)
    route = v2.create_route(
        ApiId=api_id,
        RouteKey="GET /orders",
        AuthorizationType="JWT",
        AuthorizerId=authorizer_id,
        AuthorizationScopes=["orders/read"],
    )
    updated = v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="NONE")
    stored = v2.get_route(ApiId=api_id, RouteId=route["RouteId"])
    for answer in (updated, stored):
        assert answer["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in answer
        assert "AuthorizationScopes" not in answer
    # Other updates leave the authorizer alone.
    again = v2.update_route(
        ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="JWT", AuthorizerId=authorizer_id
    )
    renamed = v2.update_route(ApiId=api_id, RouteId=route["RouteId"], OperationName="listOrders")
    assert again["AuthorizerId"] == renamed["AuthorizerId"] == authorizer_id


def test_update_route_with_no_scopes_clears_them(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    authorizer_id = _jwt_authorizer(v2, api_id)
    route = v2.create_route(
        ApiId=api_id,
        RouteKey="GET /orders",
        AuthorizationType="JWT",
        AuthorizerId=authorizer_id,
        AuthorizationScopes=["orders/read"],
    )
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="JWT", AuthorizationScopes=[])
    stored = v2.get_route(ApiId=api_id, RouteId=route["RouteId"])
    assert stored["AuthorizerId"] == authorizer_id
    assert not stored.get("AuthorizationScopes")


def test_delete_access_log_settings_round_trip(v2: Any) -> None:
    api_id = _api(v2, AccessLogSettings={"DestinationArn": LOG_GROUP, "Format": "$context.requestId"})
    v2.delete_access_log_settings(ApiId=api_id, StageName="dev")
    assert "AccessLogSettings" not in v2.get_stage(ApiId=api_id, StageName="dev")


def test_get_authorizers_round_trip(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    authorizer_id = _jwt_authorizer(v2, api_id)
    items = v2.get_authorizers(ApiId=api_id)["Items"]
    single = v2.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
    single.pop("ResponseMetadata")
    assert items == [single]


def test_update_authorizer_round_trip(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    authorizer_id = _jwt_authorizer(v2, api_id)
    v2.update_authorizer(
        ApiId=api_id,
        AuthorizerId=authorizer_id,
        Name="cognito-v2",
        JwtConfiguration={"Audience": ["other-client"], "Issuer": ISSUER},
    )
    got = v2.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
    assert got["Name"] == "cognito-v2"
    assert got["JwtConfiguration"] == {"Audience": ["other-client"], "Issuer": ISSUER}
    assert got["IdentitySource"] == ["$request.header.Authorization"]


def test_delete_authorizer_round_trip(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    authorizer_id = _jwt_authorizer(v2, api_id)
    v2.delete_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
    assert v2.get_authorizers(ApiId=api_id)["Items"] == []
    get = lambda: v2.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)  # noqa: E731
    assert _error_code(get) == "NotFoundException"


def _integration(v2: Any, api_id: str) -> str:
    integration_id: str = v2.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationMethod="GET",
        IntegrationUri="https://legacy.example.com/api",
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    return integration_id


def test_update_integration_round_trip(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    integration_id = _integration(v2, api_id)
    v2.update_integration(
        ApiId=api_id, IntegrationId=integration_id, TimeoutInMillis=5000, IntegrationMethod="ANY"
    )
    got = v2.get_integration(ApiId=api_id, IntegrationId=integration_id)
    assert (got["TimeoutInMillis"], got["IntegrationMethod"], got["IntegrationUri"]) == (
        5000,
        "ANY",
        "https://legacy.example.com/api",
    )


def test_delete_integration_round_trip(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    integration_id = _integration(v2, api_id)
    v2.delete_integration(ApiId=api_id, IntegrationId=integration_id)
    assert v2.get_integrations(ApiId=api_id)["Items"] == []


def test_delete_cors_configuration_round_trip(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    v2.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["https://app.example.com"]})
    assert v2.get_api(ApiId=api_id)["CorsConfiguration"] == {"AllowOrigins": ["https://app.example.com"]}
    v2.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in v2.get_api(ApiId=api_id)


def test_tag_resource_round_trip(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    arn = f"arn:aws:apigateway:{REGION}::/apis/{api_id}"
    v2.tag_resource(ResourceArn=arn, Tags={"team": "payments", "env": "dev"})
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"team": "payments", "env": "dev"}
    assert v2.get_api(ApiId=api_id)["Tags"] == {"team": "payments", "env": "dev"}
    v2.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"team": "payments"}


def test_delete_stage_round_trip(v2: Any) -> None:
    api_id = _api(v2)
    v2.delete_stage(ApiId=api_id, StageName="dev")
    assert v2.get_stages(ApiId=api_id)["Items"] == []
    assert _error_code(lambda: v2.get_stage(ApiId=api_id, StageName="dev")) == "NotFoundException"


def test_delete_api_round_trip(v2: Any) -> None:
    api_id = _api(v2)
    v2.create_deployment(ApiId=api_id, StageName="dev")
    v2.delete_api(ApiId=api_id)
    assert v2.get_apis()["Items"] == []
    assert _error_code(lambda: v2.get_deployments(ApiId=api_id)) == "NotFoundException"


# 2. Our extensions answer in AWS's shape ---------------------------------------------------------


def test_update_stage_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2)
    deployment = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    params = {
        "ApiId": api_id,
        "StageName": "dev",
        "AutoDeploy": False,
        "Description": "payments",
        "StageVariables": {"fn": "orders-dev"},
        "DefaultRouteSettings": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0},
        "RouteSettings": {"GET /orders": {"ThrottlingBurstLimit": 3}},
        "AccessLogSettings": {"DestinationArn": LOG_GROUP, "Format": "$context.requestId"},
        "DeploymentId": deployment,
    }
    _aws_shaped("update_stage", v2.update_stage(**params), params)
    stage_params = {"ApiId": api_id, "StageName": "dev"}
    _aws_shaped("get_stage", v2.get_stage(**stage_params), stage_params)


def test_create_deployment_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2)
    params = {"ApiId": api_id, "StageName": "dev", "Description": "first"}
    _aws_shaped("create_deployment", v2.create_deployment(**params), params)


def test_get_deployments_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2)
    v2.create_deployment(ApiId=api_id, StageName="dev", Description="first")
    v2.create_deployment(ApiId=api_id)
    _aws_shaped("get_deployments", v2.get_deployments(ApiId=api_id), {"ApiId": api_id})


def test_get_deployment_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2)
    params = {"ApiId": api_id, "DeploymentId": v2.create_deployment(ApiId=api_id)["DeploymentId"]}
    _aws_shaped("get_deployment", v2.get_deployment(**params), params)


def test_delete_deployment_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2)
    params = {"ApiId": api_id, "DeploymentId": v2.create_deployment(ApiId=api_id)["DeploymentId"]}
    _aws_shaped("delete_deployment", v2.delete_deployment(**params), params)


def test_delete_route_settings_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2, RouteSettings={"GET /orders": {"ThrottlingBurstLimit": 3}})
    params = {"ApiId": api_id, "StageName": "dev", "RouteKey": "GET /orders"}
    _aws_shaped("delete_route_settings", v2.delete_route_settings(**params), params)


def test_delete_access_log_settings_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2, AccessLogSettings={"DestinationArn": LOG_GROUP, "Format": "$context.requestId"})
    params = {"ApiId": api_id, "StageName": "dev"}
    _aws_shaped("delete_access_log_settings", v2.delete_access_log_settings(**params), params)


def test_update_route_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    route = v2.create_route(
        ApiId=api_id,
        RouteKey="GET /orders",
        AuthorizationType="JWT",
        AuthorizerId=_jwt_authorizer(v2, api_id),
        AuthorizationScopes=["orders/read"],
    )
    params = {"ApiId": api_id, "RouteId": route["RouteId"], "AuthorizationType": "NONE"}
    _aws_shaped("update_route", v2.update_route(**params), params)


def test_get_authorizers_answers_in_aws_shape(v2: Any) -> None:
    api_id = _api(v2, stage=None)
    _jwt_authorizer(v2, api_id)
    _aws_shaped("get_authorizers", v2.get_authorizers(ApiId=api_id), {"ApiId": api_id})


# 3. AWS's documented responses, read by our pure functions ---------------------------------------

API = {
    "ApiEndpoint": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    "ApiId": "a1b2c3d4e5",
    "ApiKeySelectionExpression": "$request.header.x-api-key",
    "CreatedDate": WHEN,
    "DisableExecuteApiEndpoint": False,
    "Name": "orders",
    "ProtocolType": "HTTP",
    "RouteSelectionExpression": "$request.method $request.path",
    "Tags": {"team": "payments"},
}
ROUTES = [
    {
        "ApiKeyRequired": False,
        "AuthorizationScopes": ["orders/read"],
        "AuthorizationType": "JWT",
        "AuthorizerId": "x7y8z9",
        "RouteId": "r1s2t3u",
        "RouteKey": "GET /orders",
        "Target": "integrations/i1j2k3l",
    },
    {
        "ApiKeyRequired": False,
        "AuthorizationType": "CUSTOM",
        "AuthorizerId": "m4n5o6",
        "RouteId": "v4w5x6y",
        "RouteKey": "POST /orders",
        "Target": "integrations/i1j2k3l",
    },
]
INTEGRATIONS = [
    {
        "ConnectionType": "INTERNET",
        "IntegrationId": "i1j2k3l",
        "IntegrationMethod": "POST",
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders",
        "PayloadFormatVersion": "2.0",
        "TimeoutInMillis": 30000,
    }
]
# GetAuthorizers, as the AWS API reference documents it: a JWT and a Lambda REQUEST authorizer.
AUTHORIZERS = {
    "Items": [
        {
            "AuthorizerId": "x7y8z9",
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Audience": ["1example23456789"], "Issuer": ISSUER},
            "Name": "my-jwt-authorizer",
        },
        {
            "AuthorizerId": "m4n5o6",
            "AuthorizerPayloadFormatVersion": "2.0",
            "AuthorizerResultTtlInSeconds": 300,
            "AuthorizerType": "REQUEST",
            "AuthorizerUri": AUTH_URI,
            "EnableSimpleResponses": True,
            "IdentitySource": ["$request.header.Authorization"],
            "Name": "my-lambda-authorizer",
        },
    ]
}
# UpdateStage's documented answer: the whole stage, DeploymentId included.
UPDATED_STAGE = {
    "AccessLogSettings": {
        "DestinationArn": LOG_GROUP,
        "Format": '{"requestId":"$context.requestId","status":"$context.status"}',
    },
    "AutoDeploy": False,
    "CreatedDate": WHEN,
    "DefaultRouteSettings": {
        "DetailedMetricsEnabled": False,
        "ThrottlingBurstLimit": 2000,
        "ThrottlingRateLimit": 1000.0,
    },
    "DeploymentId": "shktxb",
    "Description": "Development stage",
    "LastUpdatedDate": WHEN,
    "RouteSettings": {"GET /orders": {"ThrottlingBurstLimit": 50, "ThrottlingRateLimit": 25.0}},
    "StageName": "dev",
    "StageVariables": {"function": "orders-dev"},
    "Tags": {},
}
DEFAULT_STAGE = {
    "ApiGatewayManaged": False,
    "AutoDeploy": True,
    "CreatedDate": WHEN,
    "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
    "DeploymentId": "53lz9l",
    "LastDeploymentStatusMessage": "Successfully deployed stage with deployment ID '53lz9l'",
    "LastUpdatedDate": WHEN,
    "RouteSettings": {},
    "StageName": "$default",
    "StageVariables": {},
    "Tags": {},
}


def test_aws_update_stage_response() -> None:
    """UpdateStage as AWS documents it, tested with botocore's Stubber because moto lacks the operation.

    The stage it returns is a GetStages item too; describe and live_http_api must read it.
    """
    params = {
        "ApiId": "a1b2c3d4e5",
        "StageName": "dev",
        "DefaultRouteSettings": {"ThrottlingBurstLimit": 2000, "ThrottlingRateLimit": 1000.0},
        "DeploymentId": "shktxb",
    }
    stage = _stub_call("update_stage", UPDATED_STAGE, params)
    assert stage == UPDATED_STAGE
    view = describe(API, [], [], [], [stage]).stages[0]
    assert view.throttle == "burst 2000, rate 1000.0/s"
    assert view.route_throttle == {"GET /orders": "burst 50, rate 25.0/s"}
    assert view.deployment == "shktxb (2024-03-12)"
    assert view.access_log == LOG_GROUP
    assert view.variables == {"function": "orders-dev"}


def test_aws_create_deployment_response() -> None:
    """CreateDeployment as AWS documents it.

    Tested with botocore's Stubber because moto lacks the operation.
    """
    response = {
        "AutoDeployed": False,
        "CreatedDate": WHEN,
        "DeploymentId": "53lz9l",
        "DeploymentStatus": "DEPLOYED",
        "Description": "Release 42",
    }
    params = {"ApiId": "a1b2c3d4e5", "StageName": "dev", "Description": "Release 42"}
    assert _stub_call("create_deployment", response, params) == response


def test_aws_get_deployments_response() -> None:
    """GetDeployments as AWS documents it.

    Tested with botocore's Stubber because moto lacks the operation.
    """
    response = {
        "Items": [
            {
                "AutoDeployed": True,
                "CreatedDate": WHEN,
                "DeploymentId": "abcdef",
                "DeploymentStatus": "DEPLOYED",
                "Description": "Automatic deployment triggered by changes to the Api configuration",
            },
            {
                "AutoDeployed": False,
                "CreatedDate": WHEN,
                "DeploymentId": "bcdefg",
                "DeploymentStatus": "DEPLOYED",
                "Description": "Manual deployment",
            },
        ]
    }
    assert _stub_call("get_deployments", response, {"ApiId": "a1b2c3d4e5"}) == response


def test_aws_delete_route_settings_response() -> None:
    """DeleteRouteSettings as AWS documents it: 204, no body.

    Tested with botocore's Stubber because moto lacks the operation.
    """
    params = {"ApiId": "a1b2c3d4e5", "StageName": "dev", "RouteKey": "GET /orders"}
    assert _stub_call("delete_route_settings", {}, params) == {}


def test_aws_get_authorizers_response_is_read_by_describe_and_live_http_api() -> None:
    """GetAuthorizers and GetStages as AWS documents them, tested with botocore's Stubber because moto lacks
    GetAuthorizers; describe and live_http_api read the stubbed client's answers.
    """
    client, stubber = _stubbed()
    api_id = {"ApiId": "a1b2c3d4e5"}
    with stubber:
        stubber.add_response("get_api", API, api_id)
        stubber.add_response("get_routes", {"Items": ROUTES}, api_id)
        stubber.add_response("get_integrations", {"Items": INTEGRATIONS}, api_id)
        stubber.add_response("get_authorizers", AUTHORIZERS, api_id)
        stubber.add_response("get_stages", {"Items": [UPDATED_STAGE, DEFAULT_STAGE]}, api_id)
        api = client.get_api(**api_id)
        routes = client.get_routes(**api_id)["Items"]
        integrations = client.get_integrations(**api_id)["Items"]
        authorizers = client.get_authorizers(**api_id)["Items"]
        stages = client.get_stages(**api_id)["Items"]
        stubber.assert_no_pending_responses()

    view = describe(api, routes, integrations, authorizers, stages)
    assert {a.name: (a.type, a.issuer, a.function, a.ttl) for a in view.authorizers or []} == {
        "my-jwt-authorizer": ("JWT", ISSUER, None, None),
        "my-lambda-authorizer": ("REQUEST", None, AUTH_FUNCTION, 300),
    }
    assert {key: label.split(" | ", 1)[1] for key, label in view.routes.items()} == {
        "GET /orders": "JWT:my-jwt-authorizer [orders/read]",
        "POST /orders": "CUSTOM:my-lambda-authorizer",
    }
    assert [(s.name, s.url, s.auto_deploy) for s in view.stages] == [
        ("$default", API["ApiEndpoint"], True),
        ("dev", f"{API['ApiEndpoint']}/dev", False),
    ]

    live = live_http_api(api, routes, integrations, stages, authorizers=authorizers)
    assert live.route_ids == {"GET /orders": "r1s2t3u", "POST /orders": "v4w5x6y"}
    assert live.spec.tags == {"team": "payments"}
    assert set(live.spec.stages) == {"$default", "dev"}
    assert set(live.spec.authorizers) == {"my-jwt-authorizer", "my-lambda-authorizer"}
