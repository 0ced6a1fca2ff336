"""The sandbox's REST (apigateway v1) moto extensions (server/sandbox/moto_rest*.py), proven two ways.

1. Round trips through boto3 against the moto server: each operation does what AWS does.
2. The server's answers fed to botocore's Stubber, which validates a response against the
   operation's output shape: our extensions answer in AWS's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import REGION

COGNITO = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123xYz"
OTHER_POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other0000"


@pytest.fixture
def rest(moto_endpoint: str, sandbox: SeedInfo) -> Any:
    """An apigateway client on a freshly reset moto server."""
    return boto3.client("apigateway", region_name=REGION, endpoint_url=moto_endpoint)


class Api:
    """A REST API with ``/pets`` GET (MOCK integration, 200 responses) and a ``dev`` stage."""

    def __init__(self, rest: Any, stage: bool = True) -> None:
        created = rest.create_rest_api(name="pets", binaryMediaTypes=["image/png"])
        self.id: str = created["id"]
        self.root: str = created["rootResourceId"]
        self.pets: str = rest.create_resource(restApiId=self.id, parentId=self.root, pathPart="pets")["id"]
        self.method = {"restApiId": self.id, "resourceId": self.pets, "httpMethod": "GET"}
        rest.put_method(**self.method, authorizationType="NONE")
        rest.put_integration(**self.method, type="MOCK")
        rest.put_method_response(**self.method, statusCode="200")
        rest.put_integration_response(**self.method, statusCode="200", selectionPattern="")
        self.deployment: str = (
            rest.create_deployment(restApiId=self.id, stageName="dev")["id"] if stage else ""
        )


def _error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def _aws_shaped(operation: str, response: dict[str, Any], params: dict[str, Any]) -> None:
    """The parsed answer passes botocore's output-shape validation (the Stubber raises otherwise)."""
    client = boto3.client("apigateway", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    with Stubber(client) as stubber:
        stubber.add_response(operation, response, params)
        answer = getattr(client, operation)(**params)
    answer.pop("ResponseMetadata", None)
    assert answer == response


def _stage(rest: Any, api: Api) -> dict[str, Any]:
    stage: dict[str, Any] = rest.get_stage(restApiId=api.id, stageName="dev")
    stage.pop("ResponseMetadata")
    return stage


# 1. Deployments onto existing stages ------------------------------------------------------------


def test_create_deployment_onto_existing_stage_only_moves_the_deployment(rest: Any) -> None:
    api = Api(rest)
    stage_arn = f"arn:aws:apigateway:{REGION}::/restapis/{api.id}/stages/dev"
    rest.update_stage(
        restApiId=api.id,
        stageName="dev",
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
            {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"},
            {"op": "replace", "path": "/variables/fn", "value": "pets-dev"},
        ],
    )
    rest.tag_resource(resourceArn=stage_arn, tags={"team": "pets"})
    before = _stage(rest, api)
    params = {"restApiId": api.id, "stageName": "dev", "description": "second", "variables": {"extra": "1"}}
    second = rest.create_deployment(**params)
    after = _stage(rest, api)
    assert after["deploymentId"] == second["id"] != before["deploymentId"]
    assert after["methodSettings"] == before["methodSettings"]
    assert after["methodSettings"]["*/*"]["throttlingRateLimit"] == 50.0
    assert (after["cacheClusterEnabled"], after["tracingEnabled"], after["tags"]) == (
        True,
        True,
        {"team": "pets"},
    )
    assert after["variables"] == {"fn": "pets-dev", "extra": "1"}
    _aws_shaped("create_deployment", second, params)


def test_create_deployment_new_stage_keeps_description_and_tracing(rest: Any) -> None:
    api = Api(rest, stage=False)
    rest.create_deployment(restApiId=api.id, stageName="prod", stageDescription="live", tracingEnabled=True)
    stage = rest.get_stage(restApiId=api.id, stageName="prod")
    assert (stage["description"], stage["tracingEnabled"]) == ("live", True)
    assert stage["lastUpdatedDate"] >= stage["createdDate"]


def test_create_deployment_with_canary_deploys_to_the_canary(rest: Any) -> None:
    api = Api(rest)
    canary = rest.create_deployment(
        restApiId=api.id,
        stageName="dev",
        canarySettings={
            "percentTraffic": 12.5,
            "stageVariableOverrides": {"fn": "next"},
            "useStageCache": True,
        },
    )["id"]
    stage = _stage(rest, api)
    assert stage["deploymentId"] == api.deployment
    assert stage["canarySettings"] == {
        "percentTraffic": 12.5,
        "deploymentId": canary,
        "stageVariableOverrides": {"fn": "next"},
        "useStageCache": True,
    }
    _aws_shaped("get_stage", stage, {"restApiId": api.id, "stageName": "dev"})
    assert _error_code(lambda: rest.delete_deployment(restApiId=api.id, deploymentId=canary)) == (
        "BadRequestException"
    )
    assert _error_code(
        lambda: rest.create_deployment(
            restApiId=api.id, stageName="new", canarySettings={"percentTraffic": 5.0}
        )
    ) == ("BadRequestException")


def test_create_deployment_needs_an_integration_on_every_method(rest: Any) -> None:
    api = Api(rest, stage=False)
    rest.put_method(restApiId=api.id, resourceId=api.root, httpMethod="POST", authorizationType="NONE")
    assert (
        _error_code(lambda: rest.create_deployment(restApiId=api.id, stageName="dev"))
        == "BadRequestException"
    )
    assert rest.get_stages(restApiId=api.id)["item"] == []


def test_delete_deployment_refuses_active_and_deletes_unused(rest: Any) -> None:
    api = Api(rest)
    created = rest.create_deployment(restApiId=api.id)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    unused = created["id"]
    assert _error_code(lambda: rest.delete_deployment(restApiId=api.id, deploymentId=api.deployment)) == (
        "BadRequestException"
    )
    rest.delete_deployment(restApiId=api.id, deploymentId=unused)
    assert [d["id"] for d in rest.get_deployments(restApiId=api.id)["items"]] == [api.deployment]


def test_update_deployment_patches_description(rest: Any) -> None:
    api = Api(rest)
    params = {
        "restApiId": api.id,
        "deploymentId": api.deployment,
        "patchOperations": [{"op": "replace", "path": "/description", "value": "first release"}],
    }
    updated = rest.update_deployment(**params)
    assert updated["description"] == "first release"
    assert (
        rest.get_deployment(restApiId=api.id, deploymentId=api.deployment)["description"] == "first release"
    )
    _aws_shaped("update_deployment", updated, params)
    assert (
        _error_code(lambda: rest.update_deployment(**{**params, "deploymentId": "nope"}))
        == "NotFoundException"
    )


# 2. Update* operations with patch semantics ------------------------------------------------------


def test_update_method(rest: Any) -> None:
    api = Api(rest)
    params = {
        **api.method,
        "patchOperations": [
            {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
            {"op": "replace", "path": "/authorizationType", "value": "AWS_IAM"},
            {"op": "add", "path": "/requestParameters/method.request.querystring.page", "value": "false"},
            {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"},
            {"op": "replace", "path": "/operationName", "value": "ListPets"},
        ],
    }
    updated = rest.update_method(**params)
    assert (updated["apiKeyRequired"], updated["authorizationType"], updated["operationName"]) == (
        True,
        "AWS_IAM",
        "ListPets",
    )
    assert updated["requestParameters"] == {"method.request.querystring.page": False}
    assert updated["requestModels"] == {"application/json": "Empty"}
    _aws_shaped("update_method", updated, params)
    removed = rest.update_method(
        **api.method,
        patchOperations=[
            {"op": "remove", "path": "/requestParameters/method.request.querystring.page"},
            {"op": "remove", "path": "/operationName"},
        ],
    )
    assert removed["requestParameters"] == {}
    assert "operationName" not in removed
    assert _error_code(
        lambda: rest.update_method(
            **api.method, patchOperations=[{"op": "replace", "path": "/nope", "value": "x"}]
        )
    ) == ("BadRequestException")
    assert _error_code(
        lambda: rest.update_method(
            **api.method, patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "maybe"}]
        )
    ) == ("BadRequestException")


def test_update_integration(rest: Any) -> None:
    api = Api(rest)
    params = {
        **api.method,
        "patchOperations": [
            {"op": "replace", "path": "/timeoutInMillis", "value": "5000"},
            {"op": "add", "path": "/cacheKeyParameters/method.request.querystring.page"},
            {"op": "add", "path": "/requestTemplates/application~1json", "value": '{"statusCode": 200}'},
            {"op": "replace", "path": "/passthroughBehavior", "value": "NEVER"},
        ],
    }
    updated = rest.update_integration(**params)
    assert (updated["timeoutInMillis"], updated["passthroughBehavior"]) == (5000, "NEVER")
    assert updated["cacheKeyParameters"] == ["method.request.querystring.page"]
    assert updated["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    assert rest.get_integration(**api.method)["timeoutInMillis"] == 5000
    _aws_shaped("update_integration", updated, params)
    assert _error_code(
        lambda: rest.update_integration(
            **api.method, patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "soon"}]
        )
    ) == ("BadRequestException")


def test_update_method_and_integration_responses(rest: Any) -> None:
    api = Api(rest)
    method_params = {
        **api.method,
        "statusCode": "200",
        "patchOperations": [
            {"op": "add", "path": "/responseParameters/method.response.header.X-Id", "value": "true"},
            {"op": "add", "path": "/responseModels/application~1json", "value": "Empty"},
        ],
    }
    method_response = rest.update_method_response(**method_params)
    assert method_response["responseParameters"] == {"method.response.header.X-Id": True}
    assert method_response["responseModels"] == {"application/json": "Empty"}
    _aws_shaped("update_method_response", method_response, method_params)
    integration_params = {
        **api.method,
        "statusCode": "200",
        "patchOperations": [
            {"op": "replace", "path": "/selectionPattern", "value": "2\\d{2}"},
            {"op": "add", "path": "/responseParameters/method.response.header.X-Id", "value": "'42'"},
            {"op": "add", "path": "/responseTemplates/application~1json", "value": "{}"},
        ],
    }
    integration_response = rest.update_integration_response(**integration_params)
    assert integration_response["selectionPattern"] == "2\\d{2}"
    assert integration_response["responseParameters"] == {"method.response.header.X-Id": "'42'"}
    assert integration_response["responseTemplates"] == {"application/json": "{}"}
    _aws_shaped("update_integration_response", integration_response, integration_params)
    assert (
        _error_code(lambda: rest.update_method_response(**{**method_params, "statusCode": "404"}))
        == "NotFoundException"
    )


def test_update_resource_renames_and_moves(rest: Any) -> None:
    api = Api(rest)
    store = rest.create_resource(restApiId=api.id, parentId=api.root, pathPart="store")["id"]
    params = {
        "restApiId": api.id,
        "resourceId": api.pets,
        "patchOperations": [
            {"op": "replace", "path": "/pathPart", "value": "animals"},
            {"op": "replace", "path": "/parentId", "value": store},
        ],
    }
    updated = rest.update_resource(**params)
    assert (updated["path"], updated["parentId"]) == ("/store/animals", store)
    _aws_shaped("update_resource", updated, params)
    cycle = [{"op": "replace", "path": "/parentId", "value": api.pets}]
    assert _error_code(
        lambda: rest.update_resource(restApiId=api.id, resourceId=store, patchOperations=cycle)
    ) == ("BadRequestException")


# 3 and 4. Canary patches and stage method settings -----------------------------------------------


def test_stage_canary_create_patch_and_remove(rest: Any) -> None:
    api = Api(rest)
    canary = {"percentTraffic": 5.0, "deploymentId": api.deployment, "useStageCache": False}
    created = rest.create_stage(
        restApiId=api.id, stageName="beta", deploymentId=api.deployment, canarySettings=canary
    )
    assert created["canarySettings"] == canary
    params = {
        "restApiId": api.id,
        "stageName": "beta",
        "patchOperations": [
            {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "25.5"},
            {"op": "replace", "path": "/canarySettings/stageVariableOverrides/fn", "value": "next"},
            {"op": "replace", "path": "/canarySettings/useStageCache", "value": "true"},
        ],
    }
    updated = rest.update_stage(**params)
    assert updated["canarySettings"] == {
        "percentTraffic": 25.5,
        "deploymentId": api.deployment,
        "useStageCache": True,
        "stageVariableOverrides": {"fn": "next"},
    }
    _aws_shaped("update_stage", updated, params)
    removed = rest.update_stage(
        restApiId=api.id, stageName="beta", patchOperations=[{"op": "remove", "path": "/canarySettings"}]
    )
    assert "canarySettings" not in removed
    assert _error_code(
        lambda: rest.create_stage(restApiId=api.id, stageName="gamma", deploymentId="missing")
    ) == ("NotFoundException")


def test_canary_promotion_copies_the_deployment(rest: Any) -> None:
    api = Api(rest)
    canary = rest.create_deployment(
        restApiId=api.id, stageName="dev", canarySettings={"percentTraffic": 10.0}
    )
    promoted = rest.update_stage(
        restApiId=api.id,
        stageName="dev",
        patchOperations=[
            {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
            {"op": "remove", "path": "/canarySettings"},
        ],
    )
    assert promoted["deploymentId"] == canary["id"]
    assert "canarySettings" not in promoted


def test_update_stage_method_settings_keys_and_removal(rest: Any) -> None:
    api = Api(rest)
    stage = rest.update_stage(
        restApiId=api.id,
        stageName="dev",
        patchOperations=[
            {"op": "replace", "path": "/~1pets/GET/throttling/rateLimit", "value": "2.5"},
            {"op": "replace", "path": "/~1pets~1{id}/PUT/logging/loglevel", "value": "INFO"},
            {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
        ],
    )
    assert set(stage["methodSettings"]) == {"pets/GET", "pets/{id}/PUT", "*/*"}
    assert stage["methodSettings"]["pets/GET"]["throttlingRateLimit"] == 2.5
    assert stage["methodSettings"]["pets/{id}/PUT"]["loggingLevel"] == "INFO"
    after = rest.update_stage(
        restApiId=api.id,
        stageName="dev",
        patchOperations=[{"op": "remove", "path": "/*/*"}, {"op": "remove", "path": "/~1pets/GET"}],
    )
    assert set(after["methodSettings"]) == {"pets/{id}/PUT"}
    for path, value, expected in (
        ("/*/*/throttling/rateLimit", "fast", "BadRequestException"),
        ("/*/*/throttling/burstLimit", "1.5", "BadRequestException"),
        ("/*/*/metrics/enabled", "yes", "BadRequestException"),
        ("/*/*/logging/loglevel", "LOUD", "BadRequestException"),
        ("/*/*/nothing/here", "1", "BadRequestException"),
        ("/deploymentId", "missing", "NotFoundException"),
    ):
        operation = [{"op": "replace", "path": path, "value": value}]
        with pytest.raises(ClientError) as caught:
            rest.update_stage(restApiId=api.id, stageName="dev", patchOperations=operation)
        assert caught.value.response["Error"]["Code"] == expected, path


# 5 and 6. Integration defaults, resource listing, resource tree -----------------------------------


def test_put_integration_has_aws_defaults(rest: Any) -> None:
    api = Api(rest, stage=False)
    params = {**api.method, "type": "MOCK"}
    integration = rest.put_integration(**params)
    assert integration["timeoutInMillis"] == 29000
    assert integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    assert integration["cacheNamespace"] == api.pets
    assert integration["cacheKeyParameters"] == []
    _aws_shaped("put_integration", integration, params)
    kept = rest.put_integration(**params, timeoutInMillis=900, cacheKeyParameters=["method.request.path.id"])
    assert (kept["timeoutInMillis"], kept["cacheKeyParameters"]) == (900, ["method.request.path.id"])


def test_get_resources_embeds_methods_only_when_asked(rest: Any) -> None:
    api = Api(rest, stage=False)
    plain = {r["path"]: r for r in rest.get_resources(restApiId=api.id)["items"]}
    assert plain["/pets"]["resourceMethods"] == {"GET": {}}
    assert "resourceMethods" not in plain["/"]
    embedded = {r["path"]: r for r in rest.get_resources(restApiId=api.id, embed=["methods"])["items"]}
    assert embedded["/pets"]["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"
    _aws_shaped("get_resources", rest.get_resources(restApiId=api.id), {"restApiId": api.id})


def test_resource_tree_has_no_orphans_and_deletes_children(rest: Any) -> None:
    api = Api(rest, stage=False)
    with pytest.raises(ClientError) as missing_parent:
        rest.create_resource(restApiId=api.id, parentId="nope12", pathPart="x")
    with pytest.raises(ClientError) as duplicate:
        rest.create_resource(restApiId=api.id, parentId=api.root, pathPart="pets")
    assert missing_parent.value.response["Error"]["Code"] == "NotFoundException"
    assert duplicate.value.response["Error"]["Code"] == "ConflictException"
    child = rest.create_resource(restApiId=api.id, parentId=api.pets, pathPart="{id}")["id"]
    rest.create_resource(restApiId=api.id, parentId=child, pathPart="toys")
    deleted = rest.delete_resource(restApiId=api.id, resourceId=api.pets)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert [r["path"] for r in rest.get_resources(restApiId=api.id)["items"]] == ["/"]
    assert _error_code(lambda: rest.get_resource(restApiId=api.id, resourceId=child)) == "NotFoundException"


# 7. Binary media types, authorizers ---------------------------------------------------------------


def test_binary_media_types(rest: Any) -> None:
    api = Api(rest, stage=False)
    assert rest.get_rest_api(restApiId=api.id)["binaryMediaTypes"] == ["image/png"]
    params = {
        "restApiId": api.id,
        "patchOperations": [
            {"op": "add", "path": "/binaryMediaTypes/image~1gif"},
            {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
            {"op": "replace", "path": "/description", "value": "pets"},
        ],
    }
    updated = rest.update_rest_api(**params)
    assert (updated["binaryMediaTypes"], updated["description"]) == (["image/gif"], "pets")
    _aws_shaped("update_rest_api", updated, params)


def test_authorizer_keeps_validation_expression_and_patches_provider_arns(rest: Any) -> None:
    api = Api(rest, stage=False)
    created = rest.create_authorizer(
        restApiId=api.id,
        name="cognito",
        type="COGNITO_USER_POOLS",
        providerARNs=[COGNITO],
        identitySource="method.request.header.Authorization",
        identityValidationExpression="^Bearer .+$",
    )
    assert created["identityValidationExpression"] == "^Bearer .+$"
    params = {
        "restApiId": api.id,
        "authorizerId": created["id"],
        "patchOperations": [
            {"op": "add", "path": f"/providerARNs/{OTHER_POOL}"},
            {"op": "remove", "path": f"/providerARNs/{COGNITO}"},
        ],
    }
    updated = rest.update_authorizer(**params)
    assert updated["providerARNs"] == [OTHER_POOL]
    assert rest.get_authorizer(restApiId=api.id, authorizerId=created["id"])["providerARNs"] == [OTHER_POOL]
    _aws_shaped("update_authorizer", updated, params)


# 8. Gateway responses -----------------------------------------------------------------------------


def test_gateway_responses_include_defaults(rest: Any) -> None:
    api = Api(rest, stage=False)
    rest.put_gateway_response(restApiId=api.id, responseType="UNAUTHORIZED", statusCode="401")
    listed = rest.get_gateway_responses(restApiId=api.id)
    by_type = {item["responseType"]: item for item in listed["items"]}
    assert len(by_type) == 21
    assert by_type["UNAUTHORIZED"]["defaultResponse"] is False
    assert by_type["THROTTLED"] == {
        "responseType": "THROTTLED",
        "defaultResponse": True,
        "statusCode": "429",
        "responseParameters": {},
        "responseTemplates": {"application/json": '{"message":$context.error.messageString}'},
    }
    assert "statusCode" not in by_type["DEFAULT_4XX"]
    _aws_shaped("get_gateway_responses", listed, {"restApiId": api.id})
    single = rest.get_gateway_response(restApiId=api.id, responseType="ACCESS_DENIED")
    assert (single["defaultResponse"], single["statusCode"]) == (True, "403")
    _aws_shaped("get_gateway_response", single, {"restApiId": api.id, "responseType": "ACCESS_DENIED"})


def test_update_gateway_response_customizes_a_default(rest: Any) -> None:
    api = Api(rest, stage=False)
    params = {
        "restApiId": api.id,
        "responseType": "DEFAULT_4XX",
        "patchOperations": [
            {
                "op": "add",
                "path": "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin",
                "value": "'*'",
            },
            {"op": "replace", "path": "/statusCode", "value": "400"},
        ],
    }
    updated = rest.update_gateway_response(**params)
    assert updated["defaultResponse"] is False
    assert updated["statusCode"] == "400"
    assert updated["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    _aws_shaped("update_gateway_response", updated, params)
    fetched = rest.get_gateway_response(restApiId=api.id, responseType="DEFAULT_4XX")
    assert fetched["statusCode"] == "400"


# 9. API keys and usage plans ----------------------------------------------------------------------


def test_api_key_stage_keys_are_strings(rest: Any) -> None:
    api = Api(rest)
    rest.create_stage(restApiId=api.id, stageName="prod", deploymentId=api.deployment)
    key = rest.create_api_key(
        name="partner", enabled=True, stageKeys=[{"restApiId": api.id, "stageName": "dev"}]
    )
    assert key["stageKeys"] == [f"{api.id}/dev"]
    params = {
        "apiKey": key["id"],
        "patchOperations": [
            {"op": "add", "path": "/stages", "value": f"{api.id}/prod"},
            {"op": "remove", "path": "/stages", "value": f"{api.id}/dev"},
            {"op": "replace", "path": "/description", "value": "for the partner"},
        ],
    }
    updated = rest.update_api_key(**params)
    assert (updated["stageKeys"], updated["description"]) == ([f"{api.id}/prod"], "for the partner")
    _aws_shaped("update_api_key", updated, params)
    _aws_shaped("get_api_key", rest.get_api_key(apiKey=key["id"]), {"apiKey": key["id"]})


def test_usage_plan_method_throttles_and_fractional_rates(rest: Any) -> None:
    api = Api(rest)
    plan = rest.create_usage_plan(name="gold", apiStages=[{"apiId": api.id, "stage": "dev"}])
    stage_path = f"/apiStages/{api.id}:dev/throttle/~1pets/GET"
    params = {
        "usagePlanId": plan["id"],
        "patchOperations": [
            {"op": "replace", "path": f"{stage_path}/rateLimit", "value": "0.5"},
            {"op": "replace", "path": f"{stage_path}/burstLimit", "value": "3"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "12.5"},
            {"op": "replace", "path": "/throttle/burstLimit", "value": "20"},
        ],
    }
    updated = rest.update_usage_plan(**params)
    assert updated["apiStages"] == [
        {"apiId": api.id, "stage": "dev", "throttle": {"/pets/GET": {"rateLimit": 0.5, "burstLimit": 3}}}
    ]
    assert updated["throttle"] == {"rateLimit": 12.5, "burstLimit": 20}
    _aws_shaped("update_usage_plan", updated, params)
    removed = rest.update_usage_plan(
        usagePlanId=plan["id"], patchOperations=[{"op": "remove", "path": stage_path}]
    )
    assert removed["apiStages"][0]["throttle"] == {}
    wrong_stage = [
        {"op": "replace", "path": f"/apiStages/{api.id}:prod/throttle/~1pets/GET/rateLimit", "value": "1"}
    ]
    assert _error_code(
        lambda: rest.update_usage_plan(usagePlanId=plan["id"], patchOperations=wrong_stage)
    ) == ("NotFoundException")


# 10. Tags on a REST API ARN -----------------------------------------------------------------------


def test_tags_on_rest_api_arn(rest: Any) -> None:
    api = Api(rest)
    arn = f"arn:aws:apigateway:{REGION}::/restapis/{api.id}"
    rest.tag_resource(resourceArn=arn, tags={"team": "pets", "env": "dev"})
    rest.untag_resource(resourceArn=arn, tagKeys=["env"])
    tags = rest.get_tags(resourceArn=arn)
    assert tags["tags"] == {"team": "pets"}
    assert rest.get_rest_api(restApiId=api.id)["tags"] == {"team": "pets"}
    _aws_shaped("get_tags", tags, {"resourceArn": arn})
    stage_arn = f"{arn}/stages/dev"
    rest.tag_resource(resourceArn=stage_arn, tags={"tier": "1"})
    assert rest.get_tags(resourceArn=stage_arn)["tags"] == {"tier": "1"}
