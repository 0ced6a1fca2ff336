"""Stage and usage-plan plans run step by step against the sandbox (moto plus the project's REST
extensions), then read back: what a plan made plans to nothing. The steps go through boto3 as
planned, placeholders resolved from earlier outputs; no server code is involved."""

from __future__ import annotations

from typing import Any

from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.tools.engine.plan import resolve_refs
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.rest.plan_stages import plan_rest_stages
from apigw_mcp.tools.kinds.rest.plan_usage import plan_usage_plan
from apigw_mcp.tools.kinds.rest.stage_inputs import RestStageInput
from apigw_mcp.tools.kinds.rest.stage_live import live_rest_stages
from apigw_mcp.tools.kinds.rest.usage_inputs import ConfigureUsagePlanArgs
from apigw_mcp.tools.kinds.rest.usage_live import LiveUsagePlan, live_usage_plan
from tests.helpers import sandbox_client
from tests.test_rest_stages_plan import PROD_ARGS, REGION

ROLE = "arn:aws:iam::123456789012:role/apigw-cloudwatch"


def orders_api(endpoint: str) -> str:
    """A REST API with GET /orders on a MOCK integration: enough for a deployment."""
    apigw = sandbox_client("apigateway", endpoint)
    api = apigw.create_rest_api(name="orders-stages", tags={"apigw-mcp:managed": "true"})["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    orders = apigw.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
    apigw.put_method(restApiId=api, resourceId=orders, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=orders, httpMethod="GET", type="MOCK")
    return str(api)


def apply(b: Builder, endpoint: str) -> None:
    outputs: dict[str, dict[str, Any]] = {}
    for step in b.steps:
        call = getattr(sandbox_client(step.service, endpoint), step.operation)
        response = call(**resolve_refs(step.params, outputs))
        outputs[step.id] = {"_id": response.get("id", ""), **response}


def stage_plan(api: str, endpoint: str, args: dict[str, Any], deploy: bool = False) -> Builder:
    stages = sandbox_client("apigateway", endpoint).get_stages(restApiId=api)["item"]
    b = Builder()
    desired = [RestStageInput.model_validate(args).to_spec()]
    plan_rest_stages(
        b, api, live_rest_stages(stages, {}), desired, deploy, region=REGION, account_cloudwatch_role=ROLE
    )
    return b


def test_new_prod_stage_round_trips(sandbox: SeedInfo, moto_endpoint: str) -> None:
    api = orders_api(moto_endpoint)
    apply(stage_plan(api, moto_endpoint, PROD_ARGS), moto_endpoint)
    again = stage_plan(api, moto_endpoint, PROD_ARGS)
    # moto fills a new method setting with cacheDataEncrypted=true (AWS: false), so '*/*' differs once.
    reset = [{"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "false"}]
    assert [s.params["patchOperations"] for s in again.steps] in ([], [reset])
    apply(again, moto_endpoint)
    last = stage_plan(api, moto_endpoint, PROD_ARGS)
    assert (last.steps, last.diff) == ([], [])


def test_canary_create_deploy_and_promote(sandbox: SeedInfo, moto_endpoint: str) -> None:
    api = orders_api(moto_endpoint)
    apply(stage_plan(api, moto_endpoint, PROD_ARGS), moto_endpoint)
    canary = {"percent_traffic": 10, "variables": {"backend": "orders-v2"}}
    apply(stage_plan(api, moto_endpoint, {**PROD_ARGS, "canary": canary}), moto_endpoint)
    apply(stage_plan(api, moto_endpoint, {**PROD_ARGS, "canary": canary}, deploy=True), moto_endpoint)
    stage = sandbox_client("apigateway", moto_endpoint).get_stage(restApiId=api, stageName="prod")
    canary_deployment = stage["canarySettings"]["deploymentId"]
    assert canary_deployment != stage["deploymentId"]
    apply(stage_plan(api, moto_endpoint, {**PROD_ARGS, "canary": "promote"}), moto_endpoint)
    stage = sandbox_client("apigateway", moto_endpoint).get_stage(restApiId=api, stageName="prod")
    assert stage["deploymentId"] == canary_deployment
    assert "canarySettings" not in stage
    assert stage["variables"] == {"backend": "orders-v2"}


def test_usage_plan_round_trips_without_key_values(sandbox: SeedInfo, moto_endpoint: str) -> None:
    api = orders_api(moto_endpoint)
    apply(stage_plan(api, moto_endpoint, PROD_ARGS), moto_endpoint)
    stages = [
        {"api_id": api, "stage": "prod", "throttle": {"GET /orders": {"rate_limit": 5, "burst_limit": 10}}}
    ]
    args = {"name": "basic", "api_stages": stages, "throttle": {"rate_limit": 100, "burst_limit": 200}}
    spec = ConfigureUsagePlanArgs.model_validate(
        {**args, "quota": {"limit": 10000, "period": "DAY"}, "api_keys": ["partner-a"]}
    ).to_spec()
    b = Builder()
    plan_usage_plan(b, None, spec)
    apply(b, moto_endpoint)
    live = read_plan(moto_endpoint)
    again = Builder()
    plan_usage_plan(again, live, spec)
    assert (again.steps, again.diff) == ([], [])
    stages[0]["throttle"] = {"GET /orders": {"rate_limit": 7, "burst_limit": 9}}
    changed = ConfigureUsagePlanArgs.model_validate(
        {**args, "quota": {"limit": 500, "period": "WEEK"}}
    ).to_spec()
    update = Builder()
    plan_usage_plan(update, live, changed)
    apply(update, moto_endpoint)
    assert read_plan(moto_endpoint).spec == changed


def read_plan(endpoint: str) -> LiveUsagePlan:
    apigw = sandbox_client("apigateway", endpoint)
    (raw,) = apigw.get_usage_plans()["items"]
    keys = apigw.get_usage_plan_keys(usagePlanId=raw["id"])["items"]
    return live_usage_plan(raw, keys, apigw.get_api_keys(includeValues=False)["items"])


def test_canary_rollback_and_web_acl(sandbox: SeedInfo, moto_endpoint: str) -> None:
    api = orders_api(moto_endpoint)
    waf = sandbox_client("wafv2", moto_endpoint)
    acl = waf.create_web_acl(
        Name="orders",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": "o",
        },
    )["Summary"]["ARN"]
    args = {**PROD_ARGS, "canary": {"percent_traffic": 25}, "web_acl_arn": acl}
    apply(stage_plan(api, moto_endpoint, args), moto_endpoint)
    again = stage_plan(api, moto_endpoint, args)  # only moto's cacheDataEncrypted default may differ
    assert not [s for s in again.steps if s.service == "wafv2" or "canarySettings" in str(s.params)]
    apply(stage_plan(api, moto_endpoint, {**args, "canary": "rollback"}), moto_endpoint)
    stage = sandbox_client("apigateway", moto_endpoint).get_stage(restApiId=api, stageName="prod")
    assert "canarySettings" not in stage
    assert stage["webAclArn"] == acl
