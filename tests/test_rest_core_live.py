"""live_rest_api on hand-built AWS responses for every integration type, authorizer kind, validator,
model and gateway response: what the plan creates reads back into the spec it came from (no steps);
and the seams to plan_stages and to deletes of parts no method names any more."""

from __future__ import annotations

import copy
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope
from apigw_mcp.tools.kinds.http.planner import PlanContext
from apigw_mcp.tools.kinds.rest.inputs import CreateRestApiArgs
from apigw_mcp.tools.kinds.rest.live import function_of, live_rest_api
from apigw_mcp.tools.kinds.rest.planner import plan_rest_api
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec

ACCOUNT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
AUTH_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:authz:live"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/apigw-sqs"
SQS_URI = f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT}/orders"
CTX = PlanContext(scope=Scope(region=REGION), account=ACCOUNT, identity=f"arn:aws:iam::{ACCOUNT}:role/dev")
SCHEMA = {"type": "object", "required": ["sku"]}
TEMPLATE = "Action=SendMessage&MessageBody=$input.body"


def invoke(fn: str) -> str:
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{fn}/invocations"


ARGS: dict[str, Any] = {
    "name": "shop",
    "description": "shop api",
    "binary_media_types": ["image/png"],
    "routes": [
        {
            "route_key": "GET /items/{id}",
            "http_url": "https://backend.example.com/items/{id}",
            "auth": "tokens",
        },
        {
            "route_key": "POST /orders",
            "aws_service": {"service": "sqs", "path": f"{ACCOUNT}/orders", "role_arn": ROLE},
            "request_templates": {"application/x-www-form-urlencoded": TEMPLATE},
            "responses": [
                {"status_code": "202", "response_templates": {"application/json": '{"queued": true}'}},
                {"status_code": "500", "selection_pattern": "5\\d{2}"},
            ],
            "request_validator": "body",
            "request_models": {"application/json": "Order"},
            "auth": "AWS_IAM",
        },
        {"route_key": "GET /health", "mock": True, "timeout_ms": 1000},
        {"route_key": "PUT /orders", "lambda_arn": FN, "lambda_custom": True, "auth": "requests"},
    ],
    "authorizers": [
        {"name": "tokens", "lambda_arn": AUTH_FN, "identity_validation_expression": "^Bearer .+$"},
        {
            "name": "requests",
            "lambda_arn": AUTH_FN,
            "type": "REQUEST",
            "identity_sources": ["method.request.header.X-Key", "context.sourceIp"],
            "ttl_seconds": 0,
        },
    ],
    "validators": [{"name": "body", "validate_body": True}],
    "models": [{"name": "Order", "json_schema": SCHEMA}],
    "gateway_responses": [
        {
            "type": "UNAUTHORIZED",
            "status_code": "401",
            "response_templates": {"application/json": '{"m":"no"}'},
        }
    ],
}


def desired(**overrides: Any) -> RestApiSpec:
    return CreateRestApiArgs.model_validate(ARGS | overrides).to_spec(REGION, ACCOUNT)


def _integration(resource_id: str, **fields: Any) -> dict[str, Any]:
    base = {"passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000, "cacheNamespace": resource_id}
    return {**base, "cacheKeyParameters": [], **fields}


def _ok(code: str, **fields: Any) -> dict[str, Any]:
    return {"statusCode": code, **fields}


def raw() -> dict[str, Any]:
    items = {
        "GET": {
            "httpMethod": "GET",
            "authorizationType": "CUSTOM",
            "authorizerId": "tok1",
            "apiKeyRequired": False,
            "requestParameters": {"method.request.path.id": True},
            "methodIntegration": _integration(
                "item01",
                type="HTTP_PROXY",
                httpMethod="GET",
                uri="https://backend.example.com/items/{id}",
                requestParameters={"integration.request.path.id": "method.request.path.id"},
            ),
        }
    }
    orders = {
        "POST": {
            "httpMethod": "POST",
            "authorizationType": "AWS_IAM",
            "apiKeyRequired": False,
            "requestValidatorId": "val1",
            "requestModels": {"application/json": "Order"},
            "methodResponses": {"202": _ok("202"), "500": _ok("500")},
            "methodIntegration": _integration(
                "ordr01",
                type="AWS",
                httpMethod="POST",
                uri=SQS_URI,
                credentials=ROLE,
                requestTemplates={"application/x-www-form-urlencoded": TEMPLATE},
                integrationResponses={
                    "202": _ok("202", responseTemplates={"application/json": '{"queued": true}'}),
                    "500": _ok("500", selectionPattern="5\\d{2}"),
                },
            ),
        },
        "PUT": {
            "httpMethod": "PUT",
            "authorizationType": "CUSTOM",
            "authorizerId": "req1",
            "apiKeyRequired": False,
            "methodResponses": {"200": _ok("200")},
            "methodIntegration": _integration(
                "ordr01",
                type="AWS",
                httpMethod="POST",
                uri=invoke(FN),
                integrationResponses={"200": _ok("200")},
            ),
        },
    }
    health = {
        "GET": {
            "httpMethod": "GET",
            "authorizationType": "NONE",
            "apiKeyRequired": False,
            "methodResponses": {"200": _ok("200")},
            "methodIntegration": _integration(
                "hlth01",
                type="MOCK",
                timeoutInMillis=1000,
                requestTemplates={"application/json": '{"statusCode": 200}'},
                integrationResponses={"200": _ok("200")},
            ),
        }
    }
    return {
        "api": {
            "id": "shop000001",
            "name": "shop",
            "description": "shop api",
            "binaryMediaTypes": ["image/png"],
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "rootResourceId": "root01",
            "tags": {MANAGED_TAG: "true"},
        },
        "resources": [
            {"id": "root01", "path": "/"},
            {
                "id": "hlth01",
                "parentId": "root01",
                "pathPart": "health",
                "path": "/health",
                "resourceMethods": health,
            },
            {"id": "item00", "parentId": "root01", "pathPart": "items", "path": "/items"},
            {
                "id": "item01",
                "parentId": "item00",
                "pathPart": "{id}",
                "path": "/items/{id}",
                "resourceMethods": items,
            },
            {
                "id": "ordr01",
                "parentId": "root01",
                "pathPart": "orders",
                "path": "/orders",
                "resourceMethods": orders,
            },
        ],
        "authorizers": [
            {
                "id": "tok1",
                "name": "tokens",
                "type": "TOKEN",
                "authType": "custom",
                "authorizerUri": invoke(AUTH_FN),
                "identitySource": "method.request.header.Authorization",
                "identityValidationExpression": "^Bearer .+$",
                "authorizerResultTtlInSeconds": 300,
            },
            {
                "id": "req1",
                "name": "requests",
                "type": "REQUEST",
                "authType": "custom",
                "authorizerUri": invoke(AUTH_FN),
                "identitySource": "method.request.header.X-Key,context.sourceIp",
                "authorizerResultTtlInSeconds": 0,
            },
        ],
        "validators": [
            {"id": "val1", "name": "body", "validateRequestBody": True, "validateRequestParameters": False}
        ],
        "models": [
            {"id": "mo1", "name": "Empty", "contentType": "application/json", "schema": "{}"},
            {
                "id": "mo2",
                "name": "Order",
                "contentType": "application/json",
                "schema": '{"required":["sku"],"type":"object"}',
            },
        ],
        "gateway_responses": [
            {
                "responseType": "UNAUTHORIZED",
                "statusCode": "401",
                "responseParameters": {},
                "responseTemplates": {"application/json": '{"m":"no"}'},
                "defaultResponse": False,
            }
        ],
        "tags": {MANAGED_TAG: "true"},
    }


def test_function_of_invocation_uri() -> None:
    assert function_of(invoke(AUTH_FN)) == AUTH_FN
    assert function_of(SQS_URI) is None


def test_every_part_round_trips() -> None:
    live = live_rest_api(raw())
    assert live.validator_ids == {"body": "val1"}
    assert live.spec.resources["/orders"].methods["PUT"].integration.uri == FN  # type: ignore[union-attr]
    plan = plan_rest_api(live, desired(), CTX, permissions={FN: True, AUTH_FN: True})
    assert plan.steps == [], [f"{s.operation} {s.resource} {s.params}" for s in plan.steps]


def test_new_api_creates_parts_before_the_methods_that_name_them() -> None:
    plan = plan_rest_api(None, desired(), CTX)
    operations = [s.operation for s in plan.steps]
    for part in ("create_authorizer", "create_request_validator", "create_model"):
        assert operations.index(part) < operations.index("put_method")
    post = next(s for s in plan.steps if s.operation == "put_method" and s.params["httpMethod"] == "POST")
    assert post.params["requestValidatorId"] == "${val1}"
    sqs = next(s for s in plan.steps if s.operation == "put_integration" and s.params.get("credentials"))
    assert (sqs.params["uri"], sqs.params["type"]) == (SQS_URI, "AWS")
    perms = [s.params for s in plan.steps if s.operation == "add_permission"]
    assert {p["FunctionName"] for p in perms} == {FN, AUTH_FN}
    assert any("no authorization" in w for w in plan.warnings)


def test_parts_no_method_names_are_deleted_after_the_methods() -> None:
    routes = [r for r in ARGS["routes"] if r["route_key"] == "GET /health"]
    spec = desired(routes=routes, authorizers=[], validators=[], models=[], gateway_responses=[])
    plan = plan_rest_api(live_rest_api(raw()), spec, CTX)
    operations = [s.operation for s in plan.steps]
    assert operations == [
        "delete_gateway_response",
        "delete_resource",
        "delete_resource",
        "delete_authorizer",
        "delete_authorizer",
        "delete_request_validator",
        "delete_model",
    ]
    assert {s.params.get("resourceId") for s in plan.steps} >= {"item00", "ordr01"}


def test_api_level_updates_are_patches() -> None:
    live_data = raw()
    live_data["api"]["endpointConfiguration"] = {"types": ["EDGE"]}
    live_data["api"]["binaryMediaTypes"] = ["image/gif"]
    plan = plan_rest_api(
        live_rest_api(live_data), desired(tags={"team": "shop"}), CTX, permissions={FN: True, AUTH_FN: True}
    )
    update = next(s for s in plan.steps if s.operation == "update_rest_api")
    assert update.params["patchOperations"] == [
        {"op": "replace", "path": "/endpointConfiguration/types/EDGE", "value": "REGIONAL"},
        {"op": "remove", "path": "/binaryMediaTypes/image~1gif"},
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
    ]
    assert any("not live until the API is deployed" in w for w in plan.warnings)  # binary media types
    tags = next(s for s in plan.steps if s.operation == "tag_resource")
    assert tags.params == {
        "resourceArn": f"arn:aws:apigateway:{REGION}::/restapis/shop000001",
        "tags": {"team": "shop"},
    }


def test_authorizer_and_validator_changes_are_patches() -> None:
    live_data = copy.deepcopy(raw())
    live_data["authorizers"][0]["authorizerResultTtlInSeconds"] = 60
    live_data["validators"][0]["validateRequestParameters"] = True
    plan = plan_rest_api(live_rest_api(live_data), desired(), CTX, permissions={FN: True, AUTH_FN: True})
    steps = {s.operation: s.params for s in plan.steps}
    assert steps["update_authorizer"]["patchOperations"] == [
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "300"}
    ]
    assert steps["update_request_validator"]["patchOperations"] == [
        {"op": "replace", "path": "/validateRequestParameters", "value": "false"}
    ]


def test_stages_come_last_and_deploy_everything() -> None:
    plan = plan_rest_api(None, desired(stages=[{"name": "prod"}]), CTX)
    operations = [s.operation for s in plan.steps]
    assert operations[-2:] == ["create_deployment", "create_stage"]
    assert not any("not live until" in w for w in plan.warnings)


def test_tag_changes_alone_need_no_deployment() -> None:
    plan = plan_rest_api(
        live_rest_api(raw()), desired(tags={"team": "shop"}), CTX, permissions={FN: True, AUTH_FN: True}
    )
    assert [s.operation for s in plan.steps] == ["tag_resource"]
    assert not any("deployed" in w for w in plan.warnings)


def test_stage_settings_must_name_methods_of_the_api() -> None:
    with pytest.raises(BadInput) as error:
        desired(
            stages=[
                {"name": "prod", "method_throttles": {"DELETE /orders": {"rate_limit": 5, "burst_limit": 5}}}
            ]
        )
    assert error.value.field == "stages['prod'].method_settings./orders/DELETE"
    assert desired(
        stages=[{"name": "prod", "method_throttles": {"POST /orders": {"rate_limit": 5, "burst_limit": 5}}}]
    )


def _plans() -> list[Any]:
    live = live_rest_api(raw())
    changed = copy.deepcopy(raw())
    changed["api"]["endpointConfiguration"] = {"types": ["EDGE"]}
    changed["authorizers"][0]["authorizerResultTtlInSeconds"] = 60
    changed["resources"][4]["resourceMethods"]["POST"]["methodIntegration"]["timeoutInMillis"] = 50
    changed["resources"][4]["resourceMethods"]["POST"]["methodResponses"]["202"]["responseParameters"] = {
        "method.response.header.X": False
    }
    post = changed["resources"][4]["resourceMethods"]["POST"]
    post["authorizationType"] = "NONE"
    post["methodResponses"]["404"] = {"statusCode": "404"}
    post["methodIntegration"]["integrationResponses"]["404"] = {
        "statusCode": "404",
        "selectionPattern": "404",
    }
    post["methodIntegration"]["integrationResponses"]["202"]["responseTemplates"] = {}
    changed["validators"][0]["validateRequestParameters"] = True
    changed["models"][1]["schema"] = "{}"
    without_put = [r for r in ARGS["routes"] if r["route_key"] != "PUT /orders"]
    routes = [r for r in ARGS["routes"] if r["route_key"] == "GET /health"]
    return [
        plan_rest_api(live_rest_api(changed), desired(routes=without_put), CTX),
        plan_rest_api(None, desired(stages=[{"name": "prod"}]), CTX),
        plan_rest_api(live_rest_api(changed), desired(tags={"a": "b"}), CTX),
        plan_rest_api(
            live, desired(routes=routes, authorizers=[], validators=[], models=[], gateway_responses=[]), CTX
        ),
        plan_rest_api(live, None, CTX),
    ]


def test_every_step_matches_botocores_model() -> None:
    """Operation and parameter names, types and required members, as botocore would send them."""
    session = botocore.session.get_session()
    validator = ParamValidator()
    seen = set()
    for plan in _plans():
        for step in plan.steps:
            operation = session.get_service_model(step.service).operation_model(
                "".join(part.title() for part in step.operation.split("_"))
            )
            shape = operation.input_shape
            assert shape is not None
            report = validator.validate(step.params, shape)
            assert not report.has_errors(), f"{step.operation}: {report.generate_report()}"
            seen.add(step.operation)
    assert len(seen) == 32


def test_dropping_an_authorizer_from_a_method_clears_its_id() -> None:
    """AWS (and the sandbox) keep ``authorizerId`` when the type goes to NONE; Terraform clears it so too."""
    routes = [{**r, "auth": "NONE"} if r["route_key"] == "GET /items/{id}" else r for r in ARGS["routes"]]
    plan = plan_rest_api(
        live_rest_api(raw()), desired(routes=routes), CTX, permissions={FN: True, AUTH_FN: True}
    )
    assert [(s.operation, s.params["patchOperations"]) for s in plan.steps] == [
        (
            "update_method",
            [
                {"op": "replace", "path": "/authorizationType", "value": "NONE"},
                {"op": "replace", "path": "/authorizerId", "value": ""},
            ],
        )
    ]


def test_a_response_header_goes_after_its_mapping_and_comes_before_it() -> None:
    live_data = raw()
    post = live_data["resources"][4]["resourceMethods"]["POST"]
    post["methodResponses"]["202"]["responseParameters"] = {"method.response.header.Old": False}
    post["methodIntegration"]["integrationResponses"]["202"]["responseParameters"] = {
        "method.response.header.Old": "'x'"
    }
    routes = [
        {
            **r,
            "responses": [
                {**r["responses"][0], "response_parameters": {"method.response.header.New": "'y'"}},
                r["responses"][1],
            ],
        }
        if r["route_key"] == "POST /orders"
        else r
        for r in ARGS["routes"]
    ]
    plan = plan_rest_api(
        live_rest_api(live_data), desired(routes=routes), CTX, permissions={FN: True, AUTH_FN: True}
    )
    header = "/responseParameters/method.response.header."
    assert [
        (s.operation, [(o["op"], o["path"]) for o in s.params["patchOperations"]]) for s in plan.steps
    ] == [
        ("update_method_response", [("add", f"{header}New")]),
        ("update_integration_response", [("add", f"{header}New"), ("remove", f"{header}Old")]),
        ("update_method_response", [("remove", f"{header}Old")]),
    ]
