"""How a REST create whose reply was lost is found again, by its natural key (see ``writes.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from apigw_mcp.tools.engine.scope import MANAGED_TAG

if TYPE_CHECKING:
    from .aws import AwsRuntime

Probe = Callable[["AwsRuntime", dict[str, Any]], Awaitable[dict[str, Any] | None]]
Found = dict[str, Any] | None


async def _rest_api(rt: AwsRuntime, params: dict[str, Any]) -> Found:
    apis = await rt.paginate("apigateway", "get_rest_apis", "items")
    mine = [
        a
        for a in apis
        if a.get("name") == params["name"] and (a.get("tags") or {}).get(MANAGED_TAG) == "true"
    ]
    return max(mine, key=lambda a: str(a.get("createdDate", "")), default=None)


def _child(operation: str, *keys: str) -> Probe:
    """The REST API's child (``operation`` lists them) whose ``keys`` equal the create's parameters."""

    async def probe(rt: AwsRuntime, params: dict[str, Any]) -> Found:
        items = await rt.paginate("apigateway", operation, "items", restApiId=params["restApiId"])
        return next((i for i in items if all(i.get(k) == params.get(k) for k in keys)), None)

    return probe


async def _stage(rt: AwsRuntime, params: dict[str, Any]) -> Found:
    stages = await rt.call("apigateway", "get_stages", restApiId=params["restApiId"])
    return next((s for s in stages.get("item", []) if s.get("stageName") == params["stageName"]), None)


async def _usage_plan(rt: AwsRuntime, params: dict[str, Any]) -> Found:
    plans = await rt.paginate("apigateway", "get_usage_plans", "items")
    return next((p for p in plans if p.get("name") == params["name"]), None)


async def _api_key(rt: AwsRuntime, params: dict[str, Any]) -> Found:
    keys = await rt.paginate(
        "apigateway", "get_api_keys", "items", nameQuery=params["name"], includeValues=False
    )
    return next((k for k in keys if k.get("name") == params["name"]), None)


async def _usage_plan_key(rt: AwsRuntime, params: dict[str, Any]) -> Found:
    keys = await rt.paginate("apigateway", "get_usage_plan_keys", "items", usagePlanId=params["usagePlanId"])
    return next((k for k in keys if k.get("id") == params["keyId"]), None)


REST_PROBES: dict[tuple[str, str], Probe] = {
    ("apigateway", "create_rest_api"): _rest_api,
    ("apigateway", "create_resource"): _child("get_resources", "parentId", "pathPart"),
    ("apigateway", "create_authorizer"): _child("get_authorizers", "name"),
    ("apigateway", "create_request_validator"): _child("get_request_validators", "name"),
    ("apigateway", "create_model"): _child("get_models", "name"),
    ("apigateway", "create_stage"): _stage,
    ("apigateway", "create_usage_plan"): _usage_plan,
    ("apigateway", "create_api_key"): _api_key,
    ("apigateway", "create_usage_plan_key"): _usage_plan_key,
}
