"""plan_rest_api against golden plans, and the live round trip: what the plan creates, read back as AWS
returns it (hand-built camelCase responses with AWS's defaults), plans to nothing."""

from __future__ import annotations

import copy
import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.planner import PlanContext
from apigw_mcp.tools.kinds.rest.inputs import CreateRestApiArgs
from apigw_mcp.tools.kinds.rest.live import live_rest_api
from apigw_mcp.tools.kinds.rest.plan_cors import with_cors
from apigw_mcp.tools.kinds.rest.planner import plan_rest_api
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec

GOLDEN = Path(__file__).parent / "golden" / "rest"
ACCOUNT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_AbC123"
INVOKE = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}/invocations"
ORIGIN = "https://app.example.com"
CTX = PlanContext(scope=Scope(region=REGION), account=ACCOUNT, identity=f"arn:aws:iam::{ACCOUNT}:role/dev")
HEADERS = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'"
TWO_ROUTES: dict[str, Any] = {
    "name": "orders",
    "routes": [
        {"route_key": "GET /orders", "lambda_arn": FN},
        {"route_key": "POST /orders/{id}", "lambda_arn": FN, "auth": "users", "scopes": ["orders/write"]},
    ],
    "authorizers": [{"name": "users", "cognito_user_pool_arns": [POOL]}],
    "cors": {"allow_origins": [ORIGIN]},
    "tags": {"team": "payments"},
}


def assert_golden(name: str, data: Any) -> None:
    """Compare with tests/golden/rest/NAME.json; UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    expected = path.read_text()
    assert text == expected, "\n".join(
        difflib.unified_diff(expected.splitlines(), text.splitlines(), lineterm="")
    )


def desired(**overrides: Any) -> RestApiSpec:
    return CreateRestApiArgs.model_validate(TWO_ROUTES | overrides).to_spec(REGION, ACCOUNT)


def _proxy(resource_id: str) -> dict[str, Any]:
    return {
        "type": "AWS_PROXY",
        "httpMethod": "POST",
        "uri": INVOKE,
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000,
        "cacheNamespace": resource_id,
        "cacheKeyParameters": [],
    }


def _preflight(resource_id: str, methods: str) -> dict[str, Any]:
    params = {
        "method.response.header.Access-Control-Allow-Headers": HEADERS,
        "method.response.header.Access-Control-Allow-Methods": f"'{methods}'",
        "method.response.header.Access-Control-Allow-Origin": f"'{ORIGIN}'",
    }
    return {
        "httpMethod": "OPTIONS",
        "authorizationType": "NONE",
        "apiKeyRequired": False,
        "methodResponses": {"200": {"statusCode": "200", "responseParameters": {k: False for k in params}}},
        "methodIntegration": {
            "type": "MOCK",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "WHEN_NO_MATCH",
            "timeoutInMillis": 29000,
            "cacheNamespace": resource_id,
            "cacheKeyParameters": [],
            "integrationResponses": {
                "200": {
                    "statusCode": "200",
                    "responseParameters": params,
                    "responseTemplates": {"application/json": None},
                }
            },
        },
    }


def _gateway(kind: str, default: bool = False) -> dict[str, Any]:
    params = (
        {}
        if default
        else {
            "gatewayresponse.header.Access-Control-Allow-Headers": HEADERS,
            "gatewayresponse.header.Access-Control-Allow-Origin": f"'{ORIGIN}'",
        }
    )
    return {
        "responseType": kind,
        "responseParameters": params,
        "responseTemplates": {"application/json": '{"message":$context.error.messageString}'},
        "defaultResponse": default,
    }


def live_raw() -> dict[str, Any]:
    """What AWS returns after applying the TWO_ROUTES plan (get_rest_api, get_resources embed=methods...)."""
    return {
        "api": {
            "id": "a1b2c3d4e5",
            "name": "orders",
            "createdDate": "2026-12-06T04:00:00Z",
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": "rootid0001",
            "tags": {"team": "payments", MANAGED_TAG: "true"},
        },
        "resources": [
            {"id": "rootid0001", "path": "/"},
            {
                "id": "ordr000001",
                "parentId": "rootid0001",
                "pathPart": "orders",
                "path": "/orders",
                "resourceMethods": {
                    "GET": {
                        "httpMethod": "GET",
                        "authorizationType": "NONE",
                        "apiKeyRequired": False,
                        "methodIntegration": _proxy("ordr000001"),
                    },
                    "OPTIONS": _preflight("ordr000001", "GET,OPTIONS"),
                },
            },
            {
                "id": "ordid00001",
                "parentId": "ordr000001",
                "pathPart": "{id}",
                "path": "/orders/{id}",
                "resourceMethods": {
                    "POST": {
                        "httpMethod": "POST",
                        "authorizationType": "COGNITO_USER_POOLS",
                        "authorizerId": "auth01",
                        "authorizationScopes": ["orders/write"],
                        "apiKeyRequired": False,
                        "methodIntegration": _proxy("ordid00001"),
                    },
                    "OPTIONS": _preflight("ordid00001", "OPTIONS,POST"),
                },
            },
        ],
        "authorizers": [
            {
                "id": "auth01",
                "name": "users",
                "type": "COGNITO_USER_POOLS",
                "providerARNs": [POOL],
                "authType": "cognito_user_pools",
                "identitySource": "method.request.header.Authorization",
                "authorizerResultTtlInSeconds": 300,
            }
        ],
        "validators": [],
        "models": [
            {"id": "m1", "name": "Empty", "contentType": "application/json", "schema": "{}"},
            {"id": "m2", "name": "Error", "contentType": "application/json", "schema": "{}"},
        ],
        "gateway_responses": [
            _gateway("DEFAULT_4XX"),
            _gateway("DEFAULT_5XX"),
            _gateway("UNAUTHORIZED", True),
        ],
        "tags": {"team": "payments", MANAGED_TAG: "true"},
    }


def test_new_api_with_cognito_and_cors() -> None:
    plan = plan_rest_api(None, desired(), CTX)
    assert_golden("plan_new_api", plan.model_dump(mode="json"))
    operations = [s.operation for s in plan.steps]
    assert operations.index("create_authorizer") < operations.index("put_method")
    assert operations.count("create_resource") == 2
    assert plan.steps[2].params["parentId"] == "${api.rootResourceId}"
    assert any("not live until deployed" in w for w in plan.warnings)
    assert any("proxy integrations" in w for w in plan.warnings)


def test_live_round_trip_plans_nothing() -> None:
    live = live_rest_api(live_raw())
    assert live.resource_ids["/orders/{id}"] == "ordid00001"
    assert live.authorizer_ids == {"users": "auth01"}
    plan = plan_rest_api(live, desired(), CTX, permissions={FN: True})
    assert plan.steps == [], [s.resource for s in plan.steps]
    assert plan.diff == []
    assert plan.summary.startswith("No changes")


def test_changed_api_uses_natural_keys_and_patches() -> None:
    routes = [
        {"route_key": "GET /orders", "lambda_arn": FN, "auth": "users"},
        {"route_key": "GET /health", "mock": True},
    ]
    plan = plan_rest_api(live_rest_api(live_raw()), desired(routes=routes), CTX, permissions={FN: True})
    assert_golden("plan_changed_api", plan.model_dump(mode="json"))
    by_op = {s.operation: s for s in plan.steps}
    assert by_op["update_method"].params["patchOperations"] == [
        {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
        {"op": "replace", "path": "/authorizerId", "value": "auth01"},
    ]
    assert by_op["create_resource"].params == {
        "restApiId": "a1b2c3d4e5",
        "parentId": "rootid0001",
        "pathPart": "health",
    }
    assert by_op["delete_resource"].params["resourceId"] == "ordid00001"
    assert any("not live until the API is deployed" in w for w in plan.warnings)
    assert any("deletes live resources" in w for w in plan.warnings)


def test_integration_and_response_updates() -> None:
    raw = live_raw()
    get = raw["resources"][1]["resourceMethods"]["GET"]
    get["methodIntegration"]["timeoutInMillis"] = 10000
    options = raw["resources"][1]["resourceMethods"]["OPTIONS"]["methodIntegration"]["integrationResponses"][
        "200"
    ]
    options["responseParameters"]["method.response.header.Access-Control-Allow-Origin"] = "'*'"
    raw["gateway_responses"][0]["responseParameters"] = {}
    plan = plan_rest_api(live_rest_api(raw), desired(), CTX, permissions={FN: True})
    steps = {s.operation: s.params for s in plan.steps}
    assert steps["update_integration"]["patchOperations"] == [
        {"op": "replace", "path": "/timeoutInMillis", "value": "29000"}
    ]
    assert steps["update_integration_response"]["patchOperations"] == [
        {
            "op": "replace",
            "path": "/responseParameters/method.response.header.Access-Control-Allow-Origin",
            "value": f"'{ORIGIN}'",
        }
    ]
    assert steps["put_gateway_response"]["responseType"] == "DEFAULT_4XX"
    assert len(plan.steps) == 3


def test_type_change_replaces_the_integration_and_its_responses() -> None:
    routes = [{"route_key": "GET /orders", "lambda_arn": FN, "lambda_custom": True}, TWO_ROUTES["routes"][1]]
    plan = plan_rest_api(live_rest_api(live_raw()), desired(routes=routes), CTX, permissions={FN: True})
    operations = [s.operation for s in plan.steps]
    assert operations == ["put_integration", "put_method_response", "put_integration_response"]
    assert plan.diff[0].action == "-/+"


def test_private_api_policy_read_back_escaped_and_expanded() -> None:
    spec = desired(endpoint_type="PRIVATE", vpc_endpoint_ids=["vpce-0123456789abcdef0"])
    raw = live_raw()
    raw["api"]["endpointConfiguration"] = {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-0123456789abcdef0"]}
    expanded = (spec.policy or "").replace(
        "execute-api:/", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a1b2c3d4e5/"
    )
    raw["api"]["policy"] = expanded.replace('"', '\\"')
    assert plan_rest_api(live_rest_api(raw), spec, CTX, permissions={FN: True}).steps == []


def test_lambda_authorizer_and_permissions() -> None:
    auth_fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:authz"
    spec = desired(
        routes=[{"route_key": "GET /orders", "lambda_arn": FN, "auth": "tokens"}],
        authorizers=[{"name": "tokens", "lambda_arn": auth_fn, "ttl_seconds": 60}],
        cors=None,
    )
    plan = plan_rest_api(None, spec, CTX)
    authorizer = next(s for s in plan.steps if s.operation == "create_authorizer").params
    assert authorizer["authorizerUri"].endswith(f"functions/{auth_fn}/invocations")
    assert authorizer["authorizerResultTtlInSeconds"] == 60
    sources = {s.params["FunctionName"]: s.params["SourceArn"] for s in plan.steps if s.service == "lambda"}
    assert sources == {
        FN: f"arn:aws:execute-api:{REGION}:{ACCOUNT}:${{api}}/*/GET/orders",
        auth_fn: f"arn:aws:execute-api:{REGION}:{ACCOUNT}:${{api}}/authorizers/*",
    }
    assert {s.params["StatementId"] for s in plan.steps if s.service == "lambda"} == {"apigw-mcp-${api}"}


def test_delete_plan() -> None:
    plan = plan_rest_api(live_rest_api(live_raw()), None, CTX)
    assert_golden("plan_delete_api", plan.model_dump(mode="json"))
    assert [s.operation for s in plan.steps] == ["remove_permission", "delete_rest_api"]


def _broken(spec: RestApiSpec, path: str, verb: str, **integration: Any) -> RestApiSpec:
    data = copy.deepcopy(spec.model_dump(by_alias=True))
    data["resources"][path]["methods"][verb]["integration"].update(integration)
    return RestApiSpec.model_validate(data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uri": "https://api.example.com"}, "resources['/orders'].methods.GET.integration.uri"),
        ({"timeout_ms": 30000}, "resources['/orders'].methods.GET.integration.timeout_ms"),
        (
            {"type": "AWS", "responses": [{"status_code": "200"}, {"status_code": "500"}]},
            "resources['/orders'].methods.GET.integration.responses",
        ),
        (
            {"type": "AWS", "responses": [{"status_code": "500"}]},
            "resources['/orders'].methods.GET.integration.responses.500",
        ),
    ],
)
def test_specs_aws_rejects_are_refused_by_the_planner(change: dict[str, Any], field: str) -> None:
    with pytest.raises(BadInput) as error:
        plan_rest_api(None, _broken(desired(cors=None), "/orders", "GET", **change), CTX)
    assert error.value.field == field


def test_cors_changed_on_a_live_api_updates_only_the_headers() -> None:
    live = live_rest_api(live_raw())
    spec = with_cors(live.spec, Cors.model_validate({"allow_origins": ["https://new.example.com"]}))
    plan = plan_rest_api(live, spec, CTX, permissions={FN: True})
    operations = sorted(s.operation for s in plan.steps)
    assert operations == ["put_gateway_response"] * 2 + ["update_integration_response"] * 2
    patch = next(s for s in plan.steps if s.operation == "update_integration_response").params[
        "patchOperations"
    ]
    assert patch == [
        {
            "op": "replace",
            "path": "/responseParameters/method.response.header.Access-Control-Allow-Origin",
            "value": "'https://new.example.com'",
        }
    ]


def test_cors_removed_from_a_live_api() -> None:
    live = live_rest_api(live_raw())
    plan = plan_rest_api(live, with_cors(live.spec, None), CTX, permissions={FN: True})
    assert sorted(s.operation for s in plan.steps) == ["delete_gateway_response"] * 2 + ["delete_method"] * 2
    assert with_cors(live.spec, Cors.model_validate({"allow_origins": [ORIGIN]})) == live.spec
