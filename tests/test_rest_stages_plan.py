"""plan_rest_stages against golden plans, and idempotence: the live stage a plan makes plans to no steps.

Live stages are raw get_stages items written by hand in AWS's shapes (methodSettings keys without the
leading '/', canarySettings, accessLogSettings), never produced by our own code.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
from pathlib import Path
from typing import Any

import pytest
from botocore.model import ServiceModel
from botocore.session import get_session
from botocore.validate import validate_parameters

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.guard import check
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import Scope
from apigw_mcp.tools.kinds.rest.plan_stages import plan_delete_rest_stage, plan_rest_stages
from apigw_mcp.tools.kinds.rest.stage_inputs import DEFAULT_ACCESS_LOG_FORMAT, RestStageInput
from apigw_mcp.tools.kinds.rest.stage_live import LiveRestStage, live_rest_stages
from apigw_mcp.tools.kinds.rest.stage_spec import RestStageSpec

GOLDEN = Path(__file__).parent / "golden" / "rest_stages"
REGION = "us-east-1"
ACCOUNT = "123456789012"
SCOPE = Scope(region=REGION, account=ACCOUNT, allow_deletes=True)
ROLE = "arn:aws:iam::123456789012:role/apigw-cloudwatch"
LOG_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders/prod"
ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/orders/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
PROD_ARGS: dict[str, Any] = {
    "name": "prod",
    "description": "production",
    "variables": {"backend": "orders-prod"},
    "throttle": {"rate_limit": 100, "burst_limit": 200},
    "caching": {"size": "0.5", "ttl_seconds": 60, "encrypted": True, "methods": ["GET /orders"]},
    "logging": {"level": "INFO", "metrics": True},
    "access_log_destination_arn": LOG_ARN,
}


def assert_golden(name: str, data: Any) -> None:
    """Compare with tests/golden/rest_stages/NAME.json; UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    expected = path.read_text() if path.exists() else ""
    if text != expected:
        diff = difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(path), "actual")
        pytest.fail(f"{path.name} differs (rerun with UPDATE_GOLDEN=1 if intended):\n{''.join(diff)}")


@functools.cache
def service_model(service: str) -> ServiceModel:
    return get_session().get_service_model(service)


def check_shapes(b: Builder) -> None:
    """Each planned call's params are valid input for its botocore operation (names, types, required),
    and the fail-closed guard lets every step through."""
    steps = Plan(summary="", account=ACCOUNT, region=REGION, steps=b.steps)
    assert check(steps, SCOPE, ["a1b2c3d4e5"]) == []
    for step in b.steps:
        model = service_model(step.service)
        names = {n.lower(): n for n in model.operation_names}
        operation = model.operation_model(names[step.operation.replace("_", "")])
        assert operation.input_shape is not None, step.operation
        validate_parameters(step.params, operation.input_shape)


def plan(
    desired: list[RestStageSpec],
    live: list[LiveRestStage] | None = None,
    deploy: bool = False,
    role: str = ROLE,
) -> Builder:
    b = Builder()
    plan_rest_stages(
        b, "a1b2c3d4e5", live or [], desired, deploy, region=REGION, account_cloudwatch_role=role
    )
    return b


def dump(b: Builder) -> dict[str, Any]:
    return {
        "steps": [s.model_dump(mode="json") for s in b.steps],
        "diff": [d.model_dump(mode="json") for d in b.diff],
        "warnings": b.warnings,
    }


def stage(**args: Any) -> RestStageSpec:
    return RestStageInput.model_validate(args).to_spec()


def prod_raw(**overrides: Any) -> dict[str, Any]:
    """The prod stage as get_stages reports it once PROD_ARGS were applied."""
    raw: dict[str, Any] = {
        "deploymentId": "dep111",
        "stageName": "prod",
        "description": "production",
        "variables": {"backend": "orders-prod"},
        "cacheClusterEnabled": True,
        "cacheClusterSize": "0.5",
        "cacheClusterStatus": "AVAILABLE",
        "tracingEnabled": False,
        "accessLogSettings": {"destinationArn": LOG_ARN, "format": DEFAULT_ACCESS_LOG_FORMAT},
        "methodSettings": {
            "*/*": {
                "metricsEnabled": True,
                "loggingLevel": "INFO",
                "dataTraceEnabled": False,
                "throttlingBurstLimit": 200,
                "throttlingRateLimit": 100.0,
                "cachingEnabled": False,
                "cacheTtlInSeconds": 300,
                "cacheDataEncrypted": False,
                "requireAuthorizationForCacheControl": True,
                "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
            },
            "orders/GET": {
                "metricsEnabled": False,
                "loggingLevel": "OFF",
                "dataTraceEnabled": False,
                "throttlingBurstLimit": -1,
                "throttlingRateLimit": -1.0,
                "cachingEnabled": True,
                "cacheTtlInSeconds": 60,
                "cacheDataEncrypted": True,
                "requireAuthorizationForCacheControl": True,
                "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
            },
        },
        "tags": {},
    }
    raw.update(overrides)
    return raw


def live_prod(**overrides: Any) -> list[LiveRestStage]:
    return live_rest_stages([prod_raw(**overrides)], {})


CANARY_RAW = {
    "deploymentId": "dep222",
    "percentTraffic": 10.0,
    "stageVariableOverrides": {"backend": "orders-v2"},
}


def test_new_prod_stage_with_caching_throttle_logging_and_access_log() -> None:
    b = plan([stage(**PROD_ARGS)])
    assert_golden("new_prod_stage", dump(b))
    assert [s.operation for s in b.steps] == ["create_deployment", "create_stage", "update_stage"]
    assert b.steps[1].params["deploymentId"] == "${deploy_prod}"
    paths = {op["path"]: op["value"] for op in b.steps[2].params["patchOperations"]}
    assert paths["/~1orders/GET/caching/enabled"] == "true"
    assert paths["/*/*/throttling/rateLimit"] == "100"
    assert paths["/*/*/logging/loglevel"] == "INFO"
    assert "/*/*/logging/dataTrace" not in paths  # data trace stays off unless asked


def test_the_live_stage_a_plan_makes_plans_to_nothing() -> None:
    b = plan([stage(**PROD_ARGS)], live_prod())
    assert (b.steps, b.diff) == ([], [])


def test_live_stage_with_canary_and_waf_plans_to_nothing() -> None:
    live = live_rest_stages([prod_raw(canarySettings=CANARY_RAW, webAclArn=ACL)], {})
    canary = {"percent_traffic": 10, "variables": {"backend": "orders-v2"}}
    b = plan([stage(**PROD_ARGS, canary=canary, web_acl_arn=ACL)], live)
    assert (b.steps, b.diff) == ([], [])


def test_missing_cloudwatch_role_warns_with_the_fix() -> None:
    b = plan([stage(**PROD_ARGS)], role="")
    assert any("cloudwatchRoleArn" in w and "apigateway.amazonaws.com" in w for w in b.warnings)
    assert not [s for s in b.steps if s.service == "iam"]


def test_changes_patch_exactly_what_differs() -> None:
    args = {**PROD_ARGS, "throttle": {"rate_limit": 50, "burst_limit": 200}, "variables": {"region": "eu"}}
    args["caching"] = {**PROD_ARGS["caching"], "methods": ["GET /orders/{id}"]}
    b = plan([stage(**args, tracing=True)], live_prod())
    assert_golden("change_prod_stage", dump(b))
    ops = b.steps[0].params["patchOperations"]
    assert {"op": "remove", "path": "/~1orders/GET"} in ops
    assert {"op": "replace", "path": "/~1orders~1{id}/GET/caching/enabled", "value": "true"} in ops
    assert {"op": "remove", "path": "/variables/backend"} in ops
    assert not any(op["path"] == "/*/*/throttling/burstLimit" for op in ops)


def test_deploy_moves_the_stage_to_a_new_deployment() -> None:
    b = plan([stage(**PROD_ARGS)], live_prod(), deploy=True)
    assert [s.operation for s in b.steps] == ["create_deployment", "update_stage"]
    assert "stageName" not in b.steps[0].params
    assert b.steps[1].params["patchOperations"] == [
        {"op": "replace", "path": "/deploymentId", "value": "${deploy_prod}"}
    ]


def test_canary_create_on_a_live_stage_starts_on_its_deployment() -> None:
    canary = {"percent_traffic": 10, "variables": {"backend": "orders-v2"}, "use_stage_cache": True}
    b = plan([stage(**PROD_ARGS, canary=canary)], live_prod())
    assert_golden("canary_create", dump(b))
    ops = b.steps[0].params["patchOperations"]
    assert ops[0] == {"op": "replace", "path": "/canarySettings/deploymentId", "value": "dep111"}


def test_canary_on_a_new_stage_goes_into_create_stage() -> None:
    b = plan([stage(name="beta", canary={"percent_traffic": 5})])
    create = b.steps[1].params
    assert create["canarySettings"] == {
        "deploymentId": "${deploy_beta}",
        "percentTraffic": 5.0,
        "useStageCache": False,
    }


def test_deploy_to_a_canary_stage_goes_to_the_canary() -> None:
    live = live_rest_stages([prod_raw(canarySettings=CANARY_RAW)], {})
    b = plan([stage(**PROD_ARGS)], live, deploy=True)
    assert_golden("canary_deploy", dump(b))
    assert [s.operation for s in b.steps] == ["create_deployment"]
    assert b.steps[0].params["stageName"] == "prod"
    assert b.steps[0].params["canarySettings"]["percentTraffic"] == 10.0


def test_canary_promote() -> None:
    live = live_rest_stages([prod_raw(canarySettings=CANARY_RAW)], {})
    b = plan([stage(**PROD_ARGS, canary="promote")], live)
    assert_golden("canary_promote", dump(b))
    assert b.steps[0].params["patchOperations"] == [
        {"op": "replace", "path": "/deploymentId", "value": "dep222"},
        {"op": "replace", "path": "/variables/backend", "value": "orders-v2"},
        {"op": "remove", "path": "/canarySettings"},
    ]


def test_canary_rollback() -> None:
    live = live_rest_stages([prod_raw(canarySettings=CANARY_RAW)], {})
    b = plan([stage(**PROD_ARGS, canary="rollback")], live)
    assert_golden("canary_rollback", dump(b))
    assert b.steps[0].params["patchOperations"] == [{"op": "remove", "path": "/canarySettings"}]


@pytest.mark.parametrize(
    ("live", "action", "deploy", "field"),
    [
        ("none", "promote", False, "canary"),
        ("canary", "promote", True, "deploy"),
    ],
)
def test_canary_actions_refused(live: str, action: str, deploy: bool, field: str) -> None:
    current = {
        "none": [],
        "plain": live_prod(),
        "canary": live_rest_stages([prod_raw(canarySettings=CANARY_RAW)], {}),
    }
    with pytest.raises(BadInput) as error:
        plan([stage(**PROD_ARGS, canary=action)], current[live], deploy=deploy)
    assert error.value.field == field


@pytest.mark.parametrize("action", ["promote", "rollback"])
def test_canary_action_on_a_stage_without_canary_does_nothing(action: str) -> None:
    b = plan([stage(**PROD_ARGS, canary=action)], live_prod())
    assert (b.steps, b.diff) == ([], [])
    assert any(f"no canary (any more) to {action}" in w for w in b.warnings)


def test_web_acl_association_and_removal() -> None:
    b = plan([stage(**PROD_ARGS, web_acl_arn=ACL)], live_prod())
    assert [(s.operation, s.params) for s in b.steps] == [
        (
            "associate_web_acl",
            {
                "WebACLArn": ACL,
                "ResourceArn": "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod",
            },
        )
    ]
    live = live_rest_stages([prod_raw()], {"prod": ACL})
    b = plan([stage(**PROD_ARGS)], live)
    assert [s.operation for s in b.steps] == ["disassociate_web_acl"]
    assert any("without WAF" in w for w in b.warnings)


def test_unset_throttle_keeps_the_live_one_and_says_so() -> None:
    args = {k: v for k, v in PROD_ARGS.items() if k != "throttle"}
    b = plan([stage(**args)], live_prod())
    assert b.steps == []
    assert any("keeps its throttling" in w for w in b.warnings)


def test_delete_stage() -> None:
    b = Builder()
    plan_delete_rest_stage(b, "a1b2c3d4e5", live_prod()[0])
    check_shapes(b)
    assert [(s.operation, s.params) for s in b.steps] == [
        ("delete_stage", {"restApiId": "a1b2c3d4e5", "stageName": "prod"})
    ]
    assert b.diff[0].action == "-"


def test_stage_tags_change_through_tag_and_untag() -> None:
    live = live_rest_stages([prod_raw(tags={"team": "orders", "old": "x"})], {})
    b = plan([stage(**PROD_ARGS, tags={"team": "payments"})], live)
    arn = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod"
    assert [(s.operation, s.params) for s in b.steps] == [
        ("tag_resource", {"resourceArn": arn, "tags": {"team": "payments"}}),
        ("untag_resource", {"resourceArn": arn, "tagKeys": ["old"]}),
    ]


def test_new_stage_with_everything_is_valid_for_botocore() -> None:
    args = {**PROD_ARGS, "tracing": True, "web_acl_arn": ACL, "tags": {"team": "orders"}}
    args["logging"] = {"level": "ERROR", "data_trace": True}
    b = plan([stage(**args, canary={"percent_traffic": 5, "variables": {"backend": "v2"}})])
    assert [s.operation for s in b.steps] == [
        "create_deployment",
        "create_stage",
        "update_stage",
        "associate_web_acl",
    ]
    assert {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"} in b.steps[2].params[
        "patchOperations"
    ]
    assert any("data trace" in w for w in b.warnings)


def test_throttles_aws_fills_in_are_kept_quietly() -> None:
    """AWS reports the account default (10000 rps, burst 5000) in method settings nobody throttled."""
    raw = prod_raw()
    raw["methodSettings"]["*/*"].update(throttlingBurstLimit=5000, throttlingRateLimit=10000.0)
    raw["methodSettings"]["orders/GET"].update(throttlingBurstLimit=5000, throttlingRateLimit=10000.0)
    args = {k: v for k, v in PROD_ARGS.items() if k != "throttle"}
    b = plan([stage(**args)], live_rest_stages([raw], {}))
    assert (b.steps, b.diff, b.warnings) == ([], [], [])


def test_firehose_access_logs_need_no_cloudwatch_role() -> None:
    firehose = "arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-orders"
    b = plan([stage(name="prod", access_log_destination_arn=firehose)], role="")
    assert b.warnings == []
    b = plan([stage(name="prod", access_log_destination_arn=LOG_ARN)], role="")
    assert any("cloudwatchRoleArn" in w for w in b.warnings)
