"""Read usage plans, API keys and the REST APIs a plan meters, in AWS's own shapes.

API key values are never read: ``get_api_keys`` is always called with ``includeValues=False``
(the read check in ``aws.py`` refuses anything else), and ``tools/kinds/rest/usage_live.py``
ignores a ``value`` any item might carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apigw_mcp.server.aws import AwsRuntime, gather
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.kinds.rest.usage_live import usage_plan_named


@dataclass(frozen=True)
class RestApiFacts:
    """What the scope judges a REST API by: its name and tags."""

    name: str
    tags: dict[str, str]


async def usage_plans(aws: AwsRuntime) -> list[dict[str, Any]]:
    return await aws.paginate("apigateway", "get_usage_plans", "items")


async def account_api_keys(aws: AwsRuntime) -> list[dict[str, Any]]:
    """The account's API keys, without their values."""
    return await aws.paginate("apigateway", "get_api_keys", "items", includeValues=False)


async def rest_apis(aws: AwsRuntime) -> dict[str, RestApiFacts]:
    """Every REST API of the region, by id."""
    apis = await aws.paginate("apigateway", "get_rest_apis", "items")
    return {str(a["id"]): RestApiFacts(str(a.get("name", "")), dict(a.get("tags") or {})) for a in apis}


async def usage_plan_id(aws: AwsRuntime, name: str) -> str | None:
    """The id of the usage plan called ``name`` (None: none is); BadInput when several are."""
    try:
        found = usage_plan_named(await usage_plans(aws), name)
    except ValueError as error:
        raise BadInput("name", str(error).removeprefix("name: ")) from None
    return str(found["id"]) if found else None


@dataclass(frozen=True)
class UsagePlanRaw:
    """A usage plan as read: the get_usage_plans item, its linked keys, the account's keys and REST APIs."""

    plan: dict[str, Any]
    plan_keys: list[dict[str, Any]]
    api_keys: list[dict[str, Any]]
    apis: dict[str, RestApiFacts]


async def read_usage_plan_raw(aws: AwsRuntime, plan_id: str) -> UsagePlanRaw | None:
    """The usage plan with this id and what it is judged and planned against (None: no such plan)."""
    plans, api_keys, apis = await gather(
        lambda: usage_plans(aws), lambda: account_api_keys(aws), lambda: rest_apis(aws)
    )
    plan = next((p for p in plans if p.get("id") == plan_id), None)
    if plan is None:
        return None
    plan_keys = await aws.paginate("apigateway", "get_usage_plan_keys", "items", usagePlanId=plan_id)
    return UsagePlanRaw(plan, plan_keys, api_keys, apis)
