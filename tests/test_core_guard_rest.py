"""The guard on REST API (apigateway) and WAF steps: fail closed, one named denial per rule.

Like ``test_core_guard``: every REST write of the table starts from a valid step (``VALID``);
each case changes one parameter the way an attacker or a planner bug would, and names the
rule that must refuse it. ``patchOperations`` are judged path by path: a path the table does
not list is refused, naming the operation and the path.
"""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.engine.guard import check
from apigw_mcp.tools.engine.operations import OPERATIONS, lookup, read_refusal
from apigw_mcp.tools.engine.plan import Effect, Plan, Step
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope
from apigw_mcp.tools.engine.tool_operations import REST_API_OPS, USAGE_PLAN_OPS, tool_access

ACCOUNT = "123456789012"
OTHER = "210987654321"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
INVOKE = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}/invocations"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/apigw-sqs"
LOG = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/apigateway/orders"
POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_AbC123"
ACL = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/orders/a1b2c3d4-0000-1111-2222-333344445555"
STAGE_ARN = f"arn:aws:apigateway:{REGION}::/restapis/abc123/stages/prod"
CHANGEABLE = ("abc123",)
DELETES = Scope(region=REGION, allow_deletes=True)
API = {"restApiId": "abc123"}
METHOD = {**API, "resourceId": "r1", "httpMethod": "GET"}
RESPONSE = {**METHOD, "statusCode": "200"}


def patch(path: str, value: str | None = None, op: str = "replace") -> list[dict[str, str]]:
    return [{"op": op, "path": path, **({"value": value} if value is not None else {})}]


VALID: dict[str, dict[str, Any]] = {
    "create_rest_api": {
        "name": "orders",
        "description": "d",
        "binaryMediaTypes": ["image/png", "*/*"],
        "minimumCompressionSize": 1024,
        "apiKeySource": "HEADER",
        "endpointConfiguration": {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-0123456789abcdef0"]},
        "policy": '{"Version": "2012-10-17", "Statement": []}',
        "disableExecuteApiEndpoint": False,
        "tags": {MANAGED_TAG: "true", "team": "x"},
    },
    "update_rest_api": {**API, "patchOperations": patch("/description", "d")},
    "delete_rest_api": API,
    "create_resource": {**API, "parentId": "root1", "pathPart": "{proxy+}"},
    "update_resource": {**API, "resourceId": "r1", "patchOperations": patch("/pathPart", "orders")},
    "delete_resource": {**API, "resourceId": "r1"},
    "put_method": {
        **METHOD,
        "authorizationType": "COGNITO_USER_POOLS",
        "authorizerId": "a1",
        "apiKeyRequired": True,
        "operationName": "ListOrders",
        "requestParameters": {"method.request.querystring.page": False},
        "requestModels": {"application/json": "Order"},
        "requestValidatorId": "v1",
        "authorizationScopes": ["orders/read"],
    },
    "update_method": {**METHOD, "patchOperations": patch("/apiKeyRequired", "true")},
    "delete_method": METHOD,
    "put_method_response": {
        **RESPONSE,
        "responseParameters": {"method.response.header.Access-Control-Allow-Origin": True},
        "responseModels": {"application/json": "Empty"},
    },
    "update_method_response": {
        **RESPONSE,
        "patchOperations": patch("/responseParameters/method.response.header.X-Id", "false", "add"),
    },
    "delete_method_response": RESPONSE,
    "put_integration": {
        **METHOD,
        "type": "AWS_PROXY",
        "integrationHttpMethod": "POST",
        "uri": INVOKE,
        "credentials": ROLE,
        "requestParameters": {"integration.request.header.X-Id": "method.request.path.id"},
        "requestTemplates": {"application/json": '{"id": "$input.params(\'id\')"}\n'},
        "passthroughBehavior": "WHEN_NO_TEMPLATES",
        "cacheNamespace": "r1",
        "cacheKeyParameters": ["method.request.path.id"],
        "contentHandling": "CONVERT_TO_TEXT",
        "timeoutInMillis": 29000,
    },
    "update_integration": {**METHOD, "patchOperations": patch("/uri", INVOKE)},
    "delete_integration": METHOD,
    "put_integration_response": {
        **RESPONSE,
        "selectionPattern": "",
        "responseParameters": {
            "method.response.header.Access-Control-Allow-Origin": "'https://a.example.com'"
        },
        "responseTemplates": {"application/json": ""},
        "contentHandling": "CONVERT_TO_TEXT",
    },
    "update_integration_response": {**RESPONSE, "patchOperations": patch("/selectionPattern", "4\\d{2}")},
    "delete_integration_response": RESPONSE,
    "create_authorizer": {
        **API,
        "name": "users",
        "type": "COGNITO_USER_POOLS",
        "providerARNs": [POOL],
        "identitySource": "method.request.header.Authorization",
    },
    "update_authorizer": {**API, "authorizerId": "a1", "patchOperations": patch("/authorizerUri", INVOKE)},
    "delete_authorizer": {**API, "authorizerId": "a1"},
    "create_request_validator": {
        **API,
        "name": "body",
        "validateRequestBody": True,
        "validateRequestParameters": False,
    },
    "update_request_validator": {
        **API,
        "requestValidatorId": "v1",
        "patchOperations": patch("/validateRequestBody", "false"),
    },
    "delete_request_validator": {**API, "requestValidatorId": "v1"},
    "create_model": {
        **API,
        "name": "Order",
        "description": "d",
        "schema": '{"type": "object"}',
        "contentType": "application/json",
    },
    "update_model": {
        **API,
        "modelName": "Order",
        "patchOperations": patch("/schema", '{"type": "object", "required": ["id"]}'),
    },
    "delete_model": {**API, "modelName": "Order"},
    "put_gateway_response": {
        **API,
        "responseType": "DEFAULT_4XX",
        "statusCode": "400",
        "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        "responseTemplates": {"application/json": '{"message": $context.error.messageString}'},
    },
    "update_gateway_response": {
        **API,
        "responseType": "DEFAULT_5XX",
        "patchOperations": patch("/statusCode", "500"),
    },
    "delete_gateway_response": {**API, "responseType": "DEFAULT_4XX"},
    "create_deployment": {
        **API,
        "stageName": "prod",
        "stageDescription": "d",
        "description": "d",
        "cacheClusterEnabled": True,
        "cacheClusterSize": "0.5",
        "variables": {"env": "prod"},
        "canarySettings": {"percentTraffic": 10, "stageVariableOverrides": {"env": "canary"}},
        "tracingEnabled": True,
    },
    "create_stage": {
        **API,
        "stageName": "prod",
        "deploymentId": "d1",
        "description": "d",
        "cacheClusterEnabled": False,
        "variables": {"env": "prod"},
        "canarySettings": {"percentTraffic": 5.5, "deploymentId": "d2", "useStageCache": False},
        "tracingEnabled": False,
        "tags": {"team": "x"},
    },
    "update_stage": {
        **API,
        "stageName": "prod",
        "patchOperations": patch("/*/*/throttling/rateLimit", "100"),
    },
    "delete_stage": {**API, "stageName": "prod"},
    "flush_stage_cache": {**API, "stageName": "prod"},
    "create_usage_plan": {
        "name": "gold",
        "description": "d",
        "apiStages": [{"apiId": "abc123", "stage": "prod", "throttle": {"/orders/GET": {"rateLimit": 5.0}}}],
        "throttle": {"burstLimit": 200, "rateLimit": 100.0},
        "quota": {"limit": 10000, "offset": 0, "period": "DAY"},
        "tags": {"team": "x", MANAGED_TAG: "true"},
    },
    "update_usage_plan": {"usagePlanId": "p1", "patchOperations": patch("/apiStages", "abc123:prod", "add")},
    "delete_usage_plan": {"usagePlanId": "p1"},
    "create_api_key": {
        "name": "partner",
        "description": "d",
        "enabled": True,
        "generateDistinctId": True,
        "customerId": "c-1",
        "tags": {MANAGED_TAG: "true"},
    },
    "update_api_key": {"apiKey": "k1", "patchOperations": patch("/enabled", "false")},
    "delete_api_key": {"apiKey": "k1"},
    "create_usage_plan_key": {"usagePlanId": "p1", "keyId": "k1", "keyType": "API_KEY"},
    "delete_usage_plan_key": {"usagePlanId": "p1", "keyId": "k1"},
    "tag_resource": {"resourceArn": STAGE_ARN, "tags": {"team": "x"}},
    "untag_resource": {"resourceArn": f"arn:aws:apigateway:{REGION}::/restapis/abc123", "tagKeys": ["team"]},
    "update_account": {"patchOperations": patch("/cloudwatchRoleArn", ROLE)},
    "associate_web_acl": {"WebACLArn": ACL, "ResourceArn": STAGE_ARN},
    "disassociate_web_acl": {"ResourceArn": STAGE_ARN},
}
SERVICE = {"associate_web_acl": "wafv2", "disassociate_web_acl": "wafv2"}
TARGET = {
    "create_rest_api": "tags",
    "create_usage_plan": "apiStages",
    "create_api_key": "tags",
    "update_account": "patchOperations",
}
TARGET_KEYS = ("restApiId", "usagePlanId", "apiKey", "resourceArn", "ResourceArn")


def step(operation: str, step_id: str = "s1", **params: Any) -> Step:
    effect: Effect = "delete" if operation.startswith(("delete_", "disassociate_")) else "create"
    service = SERVICE.get(operation, "apigateway")
    return Step(id=step_id, service=service, operation=operation, effect=effect, resource="r", params=params)


def valid(operation: str, **changes: Any) -> Step:
    params = {**VALID[operation], **changes}
    return step(operation, **{k: v for k, v in params.items() if v is not ...})


def rules(*steps: Step) -> list[str]:
    the_plan = Plan(summary="test", account=ACCOUNT, region=REGION, steps=list(steps))
    return [v.rule for v in check(the_plan, DELETES, CHANGEABLE)]


def reasons(*steps: Step) -> list[str]:
    the_plan = Plan(summary="test", account=ACCOUNT, region=REGION, steps=list(steps))
    return [v.reason for v in check(the_plan, DELETES, CHANGEABLE)]


def test_every_rest_and_waf_write_declares_its_parameters_and_a_target() -> None:
    writes = [op for op in OPERATIONS if op.service in ("apigateway", "wafv2") and op.access != "read"]
    assert {op.name for op in writes} == set(VALID)
    for op in writes:
        assert any(p.target for p in op.params.values()), f"{op.name} has no target parameter"
        assert any(p.required for p in op.params.values()), f"{op.name} has no required target"


@pytest.mark.parametrize("operation", sorted(VALID))
def test_valid_step_of_every_rest_write_passes(operation: str) -> None:
    assert rules(valid(operation)) == []


@pytest.mark.parametrize("operation", sorted(VALID))
def test_undeclared_parameter_is_refused_for_every_rest_write(operation: str) -> None:
    assert rules(valid(operation, cloneFrom="other9")) == ["unknown-parameter"]


@pytest.mark.parametrize("operation", sorted(VALID))
def test_rest_step_without_its_target_is_refused(operation: str) -> None:
    target = TARGET.get(operation) or next(k for k in VALID[operation] if k in TARGET_KEYS)
    assert rules(valid(operation, **{target: ...})) == ["no-target"]


@pytest.mark.parametrize(
    "operation", sorted(op for op, params in VALID.items() if params.get("restApiId") == "abc123")
)
def test_an_api_out_of_scope_is_refused_for_every_rest_write(operation: str) -> None:
    assert rules(valid(operation, restApiId="other9")) == ["api-scope"]


@pytest.mark.parametrize("operation", sorted(op for op in VALID if "patchOperations" in VALID[op]))
def test_an_unknown_patch_path_is_refused_naming_operation_and_path(operation: str) -> None:
    found = reasons(valid(operation, patchOperations=patch("/tlsConfig/insecureSkipVerification", "true")))
    assert rules(valid(operation, patchOperations=patch("/tlsConfig/insecureSkipVerification", "true"))) == [
        "unknown-parameter"
    ]
    assert operation in found[0] and "'/tlsConfig/insecureSkipVerification'" in found[0]


def uri(value: str) -> Step:
    return valid("put_integration", uri=value)


BAD: list[tuple[str, Step, str]] = [
    # integration URIs: Lambda in scope, AWS services of this region, public https hosts
    ("uri-function-other-account", uri(INVOKE.replace(ACCOUNT, OTHER)), "lambda-scope"),
    (
        "uri-function-other-region",
        uri(INVOKE.replace(FN, FN.replace(REGION, "eu-west-1"))),
        "lambda-scope",
    ),
    (
        "uri-invoke-other-region",
        uri(INVOKE.replace(f"apigateway:{REGION}", "apigateway:eu-west-1")),
        "lambda-scope",
    ),
    ("uri-bare-function-arn", uri(FN), "integration-target"),
    (
        "uri-lambda-other-path",
        uri(f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions"),
        "integration-target",
    ),
    (
        "uri-service-other-region",
        uri("arn:aws:apigateway:eu-west-1:sqs:path/123456789012/q"),
        "integration-target",
    ),
    ("uri-service-unknown", uri(f"arn:aws:apigateway:{REGION}:iam:action/CreateUser"), "integration-target"),
    ("uri-service-dotdot", uri(f"arn:aws:apigateway:{REGION}:s3:path/bucket/../other"), "integration-target"),
    (
        "uri-service-other-partition",
        uri(f"arn:aws-cn:apigateway:{REGION}:sqs:action/SendMessage"),
        "integration-target",
    ),
    ("uri-http", uri("http://api.example.com/orders"), "integration-target"),
    ("uri-metadata", uri("https://169.254.169.254/latest/meta-data/"), "integration-target"),
    ("uri-loopback", uri("https://127.0.0.1/"), "integration-target"),
    ("uri-loopback-hex", uri("https://0x7f000001/"), "integration-target"),
    ("uri-private", uri("https://10.0.0.5/"), "integration-target"),
    ("uri-private-name", uri("https://db.internal/"), "integration-target"),
    ("uri-ipv6-mapped", uri("https://[::ffff:169.254.169.254]/"), "integration-target"),
    ("uri-fullwidth-dot", uri("https://169.254.169\uff0e254/"), "integration-target"),
    ("uri-fullwidth-digits", uri("https://\uff11\uff12\uff17.0.0.1/"), "integration-target"),
    ("uri-ideographic-dot", uri("https://127\u30020\u30020\u30021/"), "integration-target"),
    ("uri-credentials-in-url", uri("https://user:pw@api.example.com/"), "integration-target"),
    ("uri-stage-variable", uri("https://${stageVariables.host}/x"), "invalid-ref"),
    # roles: this account only; the caller-credentials form is AWS's own
    (
        "credentials-other-account",
        valid("put_integration", credentials=ROLE.replace(ACCOUNT, OTHER)),
        "role-scope",
    ),
    (
        "credentials-user",
        valid("put_integration", credentials=f"arn:aws:iam::{ACCOUNT}:user/alice"),
        "role-scope",
    ),
    (
        "credentials-wildcard-role",
        valid("put_integration", credentials="arn:aws:iam::*:role/*"),
        "role-scope",
    ),
    (
        "authorizer-role-other-account",
        valid("create_authorizer", authorizerCredentials=ROLE.replace(ACCOUNT, OTHER)),
        "role-scope",
    ),
    (
        "account-role-other-account",
        valid("update_account", patchOperations=patch("/cloudwatchRoleArn", ROLE.replace(ACCOUNT, OTHER))),
        "role-scope",
    ),
    (
        "account-other-setting",
        valid("update_account", patchOperations=patch("/throttle/rateLimit", "1")),
        "unknown-parameter",
    ),
    (
        "patch-credentials-other-account",
        valid("update_integration", patchOperations=patch("/credentials", ROLE.replace(ACCOUNT, OTHER))),
        "role-scope",
    ),
    (
        "patch-uri-metadata",
        valid("update_integration", patchOperations=patch("/uri", "https://169.254.169.254/")),
        "integration-target",
    ),
    (
        "patch-uri-other-account",
        valid("update_integration", patchOperations=patch("/uri", INVOKE.replace(ACCOUNT, OTHER))),
        "lambda-scope",
    ),
    # authorizers: Lambda in scope, user pools of this account and region
    (
        "authorizer-uri-other-account",
        valid("create_authorizer", type="TOKEN", authorizerUri=INVOKE.replace(ACCOUNT, OTHER)),
        "lambda-scope",
    ),
    (
        "authorizer-uri-url",
        valid("update_authorizer", patchOperations=patch("/authorizerUri", "https://evil.example.com/")),
        "lambda-scope",
    ),
    (
        "user-pool-other-account",
        valid("create_authorizer", providerARNs=[POOL.replace(ACCOUNT, OTHER)]),
        "user-pool-scope",
    ),
    (
        "user-pool-other-region",
        valid("create_authorizer", providerARNs=[POOL.replace(f":{REGION}:", ":eu-west-1:")]),
        "user-pool-scope",
    ),
    (
        "patch-user-pool-other-account",
        valid(
            "update_authorizer", patchOperations=patch("/providerARNs", POOL.replace(ACCOUNT, OTHER), "add")
        ),
        "user-pool-scope",
    ),
    # stages: access logs in this account, method settings by the table
    (
        "access-log-other-account",
        valid(
            "update_stage",
            patchOperations=patch("/accessLogSettings/destinationArn", LOG.replace(ACCOUNT, OTHER)),
        ),
        "log-scope",
    ),
    (
        "access-log-other-region",
        valid(
            "update_stage",
            patchOperations=patch("/accessLogSettings/destinationArn", LOG.replace(REGION, "eu-west-1")),
        ),
        "log-scope",
    ),
    (
        "access-log-firehose-unprefixed",
        valid(
            "update_stage",
            patchOperations=patch(
                "/accessLogSettings/destinationArn", f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/x"
            ),
        ),
        "log-scope",
    ),
    (
        "access-log-firehose-other-account",
        valid(
            "update_stage",
            patchOperations=patch(
                "/accessLogSettings/destinationArn",
                f"arn:aws:firehose:{REGION}:{OTHER}:deliverystream/amazon-apigateway-x",
            ),
        ),
        "log-scope",
    ),
    (
        "access-log-format-no-request-id",
        valid("update_stage", patchOperations=patch("/accessLogSettings/format", "$context.status")),
        "invalid-value",
    ),
    (
        "method-setting-unknown",
        valid("update_stage", patchOperations=patch("/~1orders/GET/logging/fullRequest", "true")),
        "unknown-parameter",
    ),
    (
        "method-setting-bad-method",
        valid("update_stage", patchOperations=patch("/~1orders/FETCH/metrics/enabled", "true")),
        "unknown-parameter",
    ),
    (
        "method-throttle-not-number",
        valid("update_stage", patchOperations=patch("/*/*/throttling/burstLimit", "lots")),
        "invalid-value",
    ),
    (
        "method-throttle-too-high",
        valid("update_stage", patchOperations=patch("/*/*/throttling/rateLimit", "1e9")),
        "invalid-value",
    ),
    (
        "cache-size-unknown",
        valid("update_stage", patchOperations=patch("/cacheClusterSize", "2.0")),
        "invalid-value",
    ),
    (
        "stage-variable-crlf",
        valid("update_stage", patchOperations=patch("/variables/env", "x\r\nSet-Cookie: y")),
        "invalid-value",
    ),
    (
        "canary-percent-too-high",
        valid("update_stage", patchOperations=patch("/canarySettings/percentTraffic", "150")),
        "invalid-value",
    ),
    (
        "copy-from-elsewhere",
        valid(
            "update_stage", patchOperations=[{"op": "copy", "from": "/variables", "path": "/deploymentId"}]
        ),
        "invalid-value",
    ),
    (
        "replace-with-from",
        valid(
            "update_stage",
            patchOperations=[{"op": "replace", "from": "/x", "path": "/description", "value": "d"}],
        ),
        "unknown-parameter",
    ),
    (
        "patch-op-move",
        valid("update_stage", patchOperations=[{"op": "move", "from": "/x", "path": "/description"}]),
        "invalid-value",
    ),
    (
        "patch-op-wrong-for-path",
        valid("update_stage", patchOperations=patch("/accessLogSettings/destinationArn", op="remove")),
        "invalid-value",
    ),
    (
        "patch-value-not-string",
        valid("update_stage", patchOperations=[{"op": "replace", "path": "/tracingEnabled", "value": True}]),
        "invalid-value",
    ),
    ("patch-value-missing", valid("update_stage", patchOperations=patch("/description")), "invalid-value"),
    (
        "patch-extra-field",
        valid(
            "update_stage", patchOperations=[{"op": "replace", "path": "/description", "value": "d", "x": 1}]
        ),
        "unknown-parameter",
    ),
    ("patch-not-a-list", valid("update_stage", patchOperations={"op": "replace"}), "invalid-value"),
    ("stage-name-traversal", valid("create_stage", stageName="../prod"), "invalid-value"),
    ("deployment-variable-crlf", valid("create_deployment", variables={"a": "x\r\ny"}), "invalid-value"),
    # usage plans: every API stage in scope
    (
        "usage-plan-other-api",
        valid("create_usage_plan", apiStages=[{"apiId": "other9", "stage": "prod"}]),
        "api-scope",
    ),
    (
        "usage-plan-stage-extra-field",
        valid("create_usage_plan", apiStages=[{"apiId": "abc123", "stage": "prod", "x": 1}]),
        "unknown-parameter",
    ),
    (
        "usage-plan-bad-throttle-key",
        valid(
            "create_usage_plan", apiStages=[{"apiId": "abc123", "stage": "prod", "throttle": {"orders": {}}}]
        ),
        "invalid-value",
    ),
    (
        "patch-usage-plan-other-api",
        valid("update_usage_plan", patchOperations=patch("/apiStages", "other9:prod", "add")),
        "api-scope",
    ),
    (
        "patch-method-throttle-other-api",
        valid(
            "update_usage_plan",
            patchOperations=patch("/apiStages/other9:prod/throttle/~1orders/GET/rateLimit", "5"),
        ),
        "api-scope",
    ),
    (
        "patch-quota-period",
        valid("update_usage_plan", patchOperations=patch("/quota/period", "YEAR")),
        "invalid-value",
    ),
    ("usage-plan-key-type", valid("create_usage_plan_key", keyType="OTHER"), "invalid-value"),
    ("usage-plan-id-injection", valid("delete_usage_plan", usagePlanId="p1/../x"), "invalid-id"),
    # API keys: AWS generates the value; this server never sends one
    ("api-key-value", valid("create_api_key", value="sekrit-key-value-1234567890"), "unknown-parameter"),
    ("api-key-untagged", valid("create_api_key", tags={"team": "x"}), "api-scope"),
    # tags: an API in scope; the managed tag is never removed
    (
        "tag-other-api",
        valid("tag_resource", resourceArn=f"arn:aws:apigateway:{REGION}::/restapis/other9"),
        "api-scope",
    ),
    (
        "tag-other-region",
        valid("tag_resource", resourceArn="arn:aws:apigateway:eu-west-1::/restapis/abc123"),
        "api-scope",
    ),
    (
        "tag-usage-plan-bad-id",
        valid("tag_resource", resourceArn=f"arn:aws:apigateway:{REGION}::/usageplans/p1/keys/k1"),
        "api-scope",
    ),
    (
        "tag-domain-name",
        valid("tag_resource", resourceArn=f"arn:aws:apigateway:{REGION}::/domainnames/api.example.com"),
        "api-scope",
    ),
    ("tag-managed-on-anything", valid("tag_resource", tags={MANAGED_TAG: "true"}), "invalid-value"),
    ("usage-plan-managed-false", valid("create_usage_plan", tags={MANAGED_TAG: "false"}), "invalid-value"),
    ("untag-managed", valid("untag_resource", tagKeys=[MANAGED_TAG]), "invalid-value"),
    ("create-api-untagged", valid("create_rest_api", tags={"team": "x"}), "api-scope"),
    ("create-api-bad-policy", valid("create_rest_api", policy="{not json"), "invalid-value"),
    # WAF: a regional web ACL of this account and region, on a stage of an API in scope
    ("waf-acl-other-account", valid("associate_web_acl", WebACLArn=ACL.replace(ACCOUNT, OTHER)), "waf-scope"),
    (
        "waf-acl-other-region",
        valid("associate_web_acl", WebACLArn=ACL.replace(REGION, "eu-west-1")),
        "waf-scope",
    ),
    (
        "waf-acl-cloudfront",
        valid("associate_web_acl", WebACLArn=ACL.replace("regional/", "global/")),
        "waf-scope",
    ),
    (
        "waf-stage-other-api",
        valid("associate_web_acl", ResourceArn=STAGE_ARN.replace("abc123", "other9")),
        "api-scope",
    ),
    (
        "waf-not-a-stage",
        valid("disassociate_web_acl", ResourceArn=f"arn:aws:apigateway:{REGION}::/restapis/abc123"),
        "api-scope",
    ),
    # shapes of the REST tree
    ("path-part-two-segments", valid("create_resource", pathPart="a/b"), "invalid-value"),
    ("path-part-dotdot", valid("create_resource", pathPart=".."), "invalid-value"),
    ("method-lowercase", valid("put_method", httpMethod="get"), "invalid-value"),
    (
        "method-request-param-key",
        valid("put_method", requestParameters={"integration.request.header.x": True}),
        "invalid-value",
    ),
    ("integration-type", valid("put_integration", type="VPC_LINK"), "invalid-value"),
    ("integration-timeout", valid("put_integration", timeoutInMillis=10), "invalid-value"),
    (
        "integration-mapping-crlf",
        valid("put_integration", requestParameters={"integration.request.header.X": "'a\r\nb'"}),
        "invalid-value",
    ),
    ("integration-vpc-link", valid("put_integration", connectionType="VPC_LINK"), "unknown-parameter"),
    (
        "integration-tls-skip",
        valid("put_integration", tlsConfig={"insecureSkipVerification": True}),
        "unknown-parameter",
    ),
    ("status-code", valid("put_method_response", statusCode="600"), "invalid-value"),
    ("gateway-response-type", valid("put_gateway_response", responseType="ANYTHING"), "invalid-value"),
    (
        "template-control-char",
        valid("put_integration_response", responseTemplates={"application/json": "\x00"}),
        "invalid-value",
    ),
    ("id-placeholder-to-nowhere", valid("put_method", resourceId="${res.id}"), "invalid-ref"),
]


@pytest.mark.parametrize(("the_step", "rule"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_rest_value_is_refused_by_its_rule(the_step: Step, rule: str) -> None:
    assert rules(the_step) == [rule]


def test_caller_credentials_form_is_accepted() -> None:
    assert rules(valid("put_integration", credentials="arn:aws:iam::*:user/*")) == []


@pytest.mark.parametrize(
    "value",
    [
        f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT}/orders",
        f"arn:aws:apigateway:{REGION}:states:action/StartExecution",
        f"arn:aws:apigateway:{REGION}:dynamodb:action/PutItem",
        "https://api.example.com/orders/{id}",
    ],
)
def test_aws_service_and_public_https_uris_pass(value: str) -> None:
    assert rules(uri(value)) == []


@pytest.mark.parametrize(
    "operations",
    [
        patch("/~1orders~1{id}/GET/caching/ttlInSeconds", "300"),
        patch("/~1/ANY/logging/loglevel", "INFO"),
        patch("/*/*/caching/enabled", "true"),
        patch("/*/*/logging/dataTrace", "false"),
        patch("/accessLogSettings/destinationArn", LOG),
        patch(
            "/accessLogSettings/destinationArn",
            f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/amazon-apigateway-orders",
        ),
        patch("/accessLogSettings", op="remove"),
        patch("/canarySettings/stageVariableOverrides/env", "canary"),
        patch("/canarySettings", op="remove"),
        patch("/variables/env", op="remove"),
        patch("/cacheClusterSize", "6.1"),
        patch("/deploymentId", "d2"),
        [
            {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
            {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"},
        ],
    ],
    ids=lambda ops: " ".join(f"{o['op']} {o['path']}" for o in ops),
)
def test_stage_patches_this_server_sends_pass(operations: list[dict[str, str]]) -> None:
    assert rules(valid("update_stage", patchOperations=operations)) == []


@pytest.mark.parametrize(
    ("operation", "path"),
    [("update_integration", "/credentials"), ("update_authorizer", "/authorizerCredentials")],
)
def test_a_role_can_be_replaced_or_removed(operation: str, path: str) -> None:
    role = patch(path, "arn:aws:iam::*:user/*" if operation == "update_integration" else ROLE)
    assert rules(valid(operation, patchOperations=role)) == []
    assert rules(valid(operation, patchOperations=patch(path, op="remove"))) == []
    assert rules(valid(operation, patchOperations=patch(path, ROLE, op="add"))) == ["invalid-value"]


def test_usage_plan_patches_with_an_api_in_the_path_are_judged_for_scope() -> None:
    fine = patch("/apiStages/abc123:prod/throttle/~1orders/GET/rateLimit", "5", "add")
    assert rules(valid("update_usage_plan", patchOperations=fine)) == []
    as_keyed = patch("/apiStages/abc123:prod/throttle//orders/{id}/GET/burstLimit", "10")
    assert rules(valid("update_usage_plan", patchOperations=as_keyed)) == []
    assert rules(valid("create_usage_plan", apiStages=[])) == []
    tagged = valid("tag_resource", resourceArn=f"arn:aws:apigateway:{REGION}::/usageplans/p1")
    assert rules(tagged) == []
    removal = patch("/apiStages", "abc123:prod", "remove")
    assert rules(valid("update_usage_plan", patchOperations=removal)) == []


def test_a_new_rest_api_is_built_through_placeholders_of_earlier_steps_only() -> None:
    create = step("create_rest_api", "api", **VALID["create_rest_api"])
    resource = step(
        "create_resource", "res", restApiId="${api}", parentId="${api.rootResourceId}", pathPart="x"
    )
    method = step("put_method", "m", **{**VALID["put_method"], "restApiId": "${api}", "resourceId": "${res}"})
    assert rules(create, resource, method) == []
    assert rules(resource, create, method)[0] == "invalid-ref"


def test_a_refusal_names_the_operation_the_parameter_and_the_reason() -> None:
    found = reasons(uri(INVOKE.replace(ACCOUNT, OTHER)))
    assert found[0].startswith("put_integration.uri: ") and OTHER in found[0]
    found = reasons(valid("update_stage", patchOperations=patch("/webAclArn", ACL)))
    assert "update_stage" in found[0] and "'/webAclArn'" in found[0]


def test_deletes_are_gated_like_every_other_delete() -> None:
    the_plan = Plan(summary="t", account=ACCOUNT, region=REGION, steps=[valid("delete_rest_api")])
    assert [v.rule for v in check(the_plan, Scope(region=REGION), CHANGEABLE)] == ["deletes-off"]


@pytest.mark.parametrize(
    ("service", "operation", "params", "refused"),
    [
        ("apigateway", "get_api_keys", {}, False),
        ("apigateway", "get_api_keys", {"includeValues": False}, False),
        ("apigateway", "get_api_keys", {"includeValues": True}, True),
        ("apigateway", "get_api_keys", {"includeValues": "true"}, True),
        ("apigateway", "get_api_key", {"apiKey": "k1", "includeValue": True}, True),
        ("apigateway", "get_resources", {"restApiId": "any1"}, False),
        ("apigateway", "create_rest_api", {"name": "x"}, True),
    ],
)
def test_a_read_that_would_return_api_key_values_is_refused(
    service: str, operation: str, params: dict[str, Any], refused: bool
) -> None:
    assert (read_refusal(service, operation, params) is not None) == refused


def test_every_rest_read_the_tools_make_is_in_the_table() -> None:
    reads: tuple[str, ...] = (
        "get_rest_apis",
        "get_rest_api",
        "get_resources",
        "get_method",
        "get_integration",
    )
    reads += ("get_authorizers", "get_request_validators", "get_models", "get_gateway_responses")
    reads += ("get_stages", "get_stage", "get_deployments", "get_usage_plans", "get_usage_plan_keys")
    reads += ("get_api_keys", "get_tags", "get_account")
    for name in reads:
        found = lookup("apigateway", name)
        assert found is not None and found.access == "read", name
    assert lookup("wafv2", "get_web_acl_for_resource") is not None


BEFORE_REST = {
    "list_apis": "read",
    "describe_api": "read",
    "list_functions": "read",
    "create_http_api": "delete",
    "add_route": "write",
    "update_route": "delete",
    "delete_route": "delete",
    "configure_cors": "delete",  # removing CORS from a REST API deletes its preflight methods
    "add_jwt_authorizer": "write",
    "add_lambda_authorizer": "write",
    "deploy_stage": "write",
    "delete_stage": "delete",
    "ensure_lambda_permission": "write",
    "delete_api": "delete",
    "undo": "delete",
    "diagnose_error": "read",
    "audit_api": "read",
}


def test_rest_operations_join_the_intents_without_changing_their_annotations() -> None:
    assert {tool: tool_access(tool) for tool in BEFORE_REST} == BEFORE_REST
    assert tool_access("create_rest_api") == "delete"  # reconciling a whole API may delete methods
    for name in REST_API_OPS + USAGE_PLAN_OPS:
        assert lookup(*name.split(".", 1)) is not None, name


@pytest.mark.parametrize(
    ("tool", "operation", "allowed"),
    [
        ("add_route", "put_integration", True),
        ("add_route", "delete_method", False),
        ("delete_route", "delete_method", True),
        ("configure_cors", "put_gateway_response", True),
        ("deploy_stage", "associate_web_acl", True),
        ("deploy_stage", "delete_rest_api", False),
        ("delete_api", "delete_rest_api", True),
        ("ensure_lambda_permission", "put_integration", False),
        ("undo", "delete_api_key", True),
    ],
)
def test_a_tool_plans_only_the_rest_operations_listed_for_it(
    tool: str, operation: str, allowed: bool
) -> None:
    the_plan = Plan(summary="t", account=ACCOUNT, region=REGION, steps=[valid(operation)])
    found = [v.rule for v in check(the_plan, DELETES, CHANGEABLE, tool)]
    assert found == ([] if allowed else ["tool-scope"])


SENT: list[tuple[str, list[dict[str, str]]]] = [
    ("update_rest_api", patch("/binaryMediaTypes/image~1png", op="add")),
    ("update_rest_api", patch("/endpointConfiguration/types/EDGE", "REGIONAL")),
    ("update_rest_api", patch("/endpointConfiguration/vpcEndpointIds", "vpce-0123456789abcdef0", "add")),
    ("update_rest_api", patch("/policy", '{"Version": "2012-10-17", "Statement": []}')),
    ("update_rest_api", patch("/apiKeySource", "AUTHORIZER")),
    ("update_rest_api", patch("/minimumCompressionSize", "0")),
    ("update_resource", patch("/parentId", "root1")),
    ("update_method", patch("/authorizationType", "CUSTOM")),
    ("update_method", patch("/authorizerId", op="remove")),
    ("update_method", patch("/authorizationScopes", "orders/read", "add")),
    ("update_method", patch("/requestParameters/method.request.header.X-Id", "true", "add")),
    ("update_method", patch("/requestModels/application~1json", "Order", "add")),
    ("update_method_response", patch("/responseModels/application~1json", op="remove")),
    ("update_integration", patch("/timeoutInMillis", "29000")),
    ("update_integration", patch("/requestTemplates/application~1json", "{}", "add")),
    (
        "update_integration",
        patch("/requestParameters/integration.request.path.id", "method.request.path.id", "add"),
    ),
    ("update_integration", patch("/cacheKeyParameters/method.request.path.id", op="add")),
    ("update_integration", patch("/contentHandling", op="remove")),
    ("update_integration_response", patch("/responseParameters/method.response.header.X-Id", "'v'", "add")),
    ("update_integration_response", patch("/responseTemplates/application~1json", "{}", "replace")),
    ("update_authorizer", patch("/identitySource", "method.request.header.Authorization")),
    ("update_authorizer", patch("/authorizerResultTtlInSeconds", "300")),
    ("update_authorizer", patch("/providerARNs", POOL, "remove")),
    ("update_request_validator", patch("/name", "body-and-params")),
    ("update_model", patch("/description", "an order")),
    ("update_gateway_response", patch("/responseParameters/gatewayresponse.header.X-Id", "'v'", "add")),
    ("update_gateway_response", patch("/responseTemplates/application~1json", "{}", "add")),
    ("update_usage_plan", patch("/throttle/rateLimit", "100.5")),
    ("update_usage_plan", patch("/quota/limit", "10000")),
    ("update_usage_plan", patch("/quota", op="remove")),
    ("update_usage_plan", patch("/apiStages/abc123:prod/throttle", op="remove")),
    ("update_api_key", patch("/description", "partner key")),
]


@pytest.mark.parametrize(("operation", "operations"), SENT, ids=[f"{o} {p[0]['path']}" for o, p in SENT])
def test_patches_the_planners_send_pass(operation: str, operations: list[dict[str, str]]) -> None:
    assert rules(valid(operation, patchOperations=operations)) == []
