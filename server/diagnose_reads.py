"""Gather the facts a diagnosis or an audit needs, in at most three concurrent rounds of AWS reads.

Round 1 finds the API (HTTP/WebSocket or REST) by id or name; round 2 reads its parts;
round 3 reads what those parts point at (Lambda functions, usage plan keys, domain
mappings, logs, WAF), each round's reads running concurrently.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from apigw_mcp.tools.diagnose.matching import match_request
from apigw_mcp.tools.diagnose.model import Facts, FunctionFacts, LogFacts, Symptom
from apigw_mcp.tools.diagnose.uris import lambda_arn_of
from apigw_mcp.tools.errors import AwsCallFailed, BadInput

from .aws import AwsRuntime, gather

MAX_LOG_LINES = 40


async def _quiet(call: Callable[[], Awaitable[Any]], default: Any, optional: bool = False) -> Any:
    """A read whose absence is itself evidence (no policy, no log group): NotFound gives ``default``.

    ``optional`` reads (logs, WAF) give ``default`` on any failure, such as a missing IAM
    permission: the diagnosis goes on without them rather than failing.
    """
    try:
        return await call()
    except AwsCallFailed as error:
        if optional or "NotFound" in error.code:
            return default
        raise


async def find_api(rt: AwsRuntime, api: str) -> tuple[str, dict[str, Any]]:
    """("HTTP"|"WEBSOCKET"|"REST", the API's raw dict) for an id or a unique name."""
    _, v2, rest = await gather(
        rt.identity,
        lambda: rt.paginate("apigatewayv2", "get_apis", "Items"),
        lambda: rt.paginate("apigateway", "get_rest_apis", "items"),
    )
    found = [(str(a.get("ProtocolType", "HTTP")), a) for a in v2 if api in (a["ApiId"], a.get("Name"))]
    found += [("REST", a) for a in rest if api in (a["id"], a.get("name"))]
    if not found:
        raise BadInput("api_id", f"no API {api!r} in {rt.region}: list_apis shows what exists")
    if len(found) > 1:
        ids = ", ".join(a.get("ApiId") or a.get("id", "?") for _, a in found)
        raise BadInput("api_id", f"{api!r} names {len(found)} APIs ({ids}); pass the api id")
    return found[0]


async def _v2_parts(rt: AwsRuntime, api_id: str) -> dict[str, Any]:
    def items(op: str) -> Callable[[], Awaitable[Any]]:
        return lambda: rt.paginate("apigatewayv2", op, "Items", ApiId=api_id)

    names = ("routes", "integrations", "authorizers", "stages", "deployments")
    ops = ("get_routes", "get_integrations", "get_authorizers", "get_stages", "get_deployments")
    results = await gather(
        *[items(op) for op in ops], lambda: rt.paginate("apigatewayv2", "get_domain_names", "Items")
    )
    return {**dict(zip(names, results, strict=False)), "all_domains": results[-1]}


async def _rest_parts(rt: AwsRuntime, api_id: str) -> dict[str, Any]:
    def call(op: str, key: str = "items", **params: Any) -> Callable[[], Awaitable[Any]]:
        return lambda: rt.paginate("apigateway", op, key, **params)

    results = await gather(
        call("get_resources", restApiId=api_id, embed=["methods"]),
        lambda: rt.call("apigateway", "get_stages", restApiId=api_id),
        call("get_deployments", restApiId=api_id),
        call("get_authorizers", restApiId=api_id),
        call("get_gateway_responses", restApiId=api_id),
        call("get_usage_plans"),
        call("get_api_keys", includeValues=False),
        call("get_domain_names"),
    )
    return {
        "resources": results[0],
        "stages": results[1].get("item", []),
        "deployments": results[2],
        "authorizers": results[3],
        "gateway_responses": results[4],
        "usage_plans": [
            p for p in results[5] if any(s.get("apiId") == api_id for s in p.get("apiStages", []))
        ],
        "api_keys": results[6],
        "all_domains": results[7],
    }


def _functions(parts: dict[str, Any]) -> list[str]:
    uris = [i.get("IntegrationUri") for i in parts.get("integrations", [])]
    uris += [a.get("AuthorizerUri") or a.get("authorizerUri") for a in parts.get("authorizers", [])]
    for resource in parts.get("resources", []):
        uris += [
            (m.get("methodIntegration") or {}).get("uri")
            for m in (resource.get("resourceMethods") or {}).values()
        ]
    return sorted({arn for uri in uris if (arn := lambda_arn_of(uri))})


async def _function_facts(rt: AwsRuntime, arn: str) -> FunctionFacts:
    config, policy = await gather(
        lambda: _quiet(lambda: rt.call("lambda", "get_function", FunctionName=arn), None),
        lambda: _quiet(lambda: rt.call("lambda", "get_policy", FunctionName=arn), {}),
    )
    if config is None:
        return FunctionFacts(exists=False)
    conf = config.get("Configuration", {})
    return FunctionFacts(policy=policy.get("Policy"), timeout_s=conf.get("Timeout"), state=conf.get("State"))


async def _log_lines(rt: AwsRuntime, group: str, window_minutes: int) -> list[str]:
    start = int((time.time() - window_minutes * 60) * 1000)
    response = await _quiet(
        lambda: rt.call(
            "logs", "filter_log_events", logGroupName=group, startTime=start, limit=MAX_LOG_LINES
        ),
        {},
        optional=True,
    )
    return [str(e.get("message", "")).strip() for e in response.get("events", [])][-MAX_LOG_LINES:]


def _log_group(facts: Facts) -> str | None:
    stage = next(
        (s for s in facts.stages if facts.match.stage in (s.get("StageName"), s.get("stageName"))), None
    )
    if stage is None:
        return None
    access = stage.get("AccessLogSettings") or stage.get("accessLogSettings") or {}
    arn = access.get("DestinationArn") or access.get("destinationArn")
    if arn:
        return str(arn).split(":log-group:", 1)[-1].removesuffix(":*")
    levels = {str(v.get("loggingLevel", "OFF")) for v in (stage.get("methodSettings") or {}).values()}
    if levels - {"OFF"}:
        return f"API-Gateway-Execution-Logs_{facts.api_id}/{facts.match.stage}"
    return None


async def gather_facts(rt: AwsRuntime, api: str, symptom: Symptom | None, window_minutes: int = 60) -> Facts:
    kind, raw = await find_api(rt, api)
    identity = await rt.identity()
    api_id = str(raw.get("ApiId") or raw.get("id"))
    parts = await (_rest_parts(rt, api_id) if kind == "REST" else _v2_parts(rt, api_id))
    all_domains = parts.pop("all_domains", [])
    facts = Facts.model_validate(
        {
            "api_type": kind,
            "api_id": api_id,
            "region": rt.region,
            "account": identity.account,
            "api": raw,
            **parts,
        }
    )
    if symptom is not None:
        facts.match = match_request(facts, symptom)
    group = _log_group(facts)
    arns = _functions(parts)
    results = await gather(
        *[lambda a=a: _function_facts(rt, a) for a in arns],
        lambda: _usage_plan_keys(rt, facts.usage_plans),
        lambda: _domains(rt, kind, api_id, all_domains),
        lambda: _log_lines(rt, group, window_minutes) if group else _none(),
        lambda: _waf(rt, facts) if kind == "REST" else _none(),
    )
    facts.functions = dict(zip(arns, results[: len(arns)], strict=True))
    facts.usage_plans, facts.domains, lines, facts.waf_acl_arn = results[len(arns) :]
    facts.logs = LogFacts(enabled=group is not None, group=group, lines=lines or [])
    return facts


async def _none() -> None:
    return None


async def _usage_plan_keys(rt: AwsRuntime, plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = await gather(
        *[
            lambda p=p: rt.paginate("apigateway", "get_usage_plan_keys", "items", usagePlanId=p["id"])
            for p in plans
        ]
    )
    return [{**plan, "keys": [k["id"] for k in found]} for plan, found in zip(plans, keys, strict=True)]


# (service, operation, items key, domain name field, field naming the API) of each API family's mappings
_MAPPINGS = {
    "REST": ("apigateway", "get_base_path_mappings", "items", "domainName", "restApiId"),
    "V2": ("apigatewayv2", "get_api_mappings", "Items", "DomainName", "ApiId"),
}


async def _domains(
    rt: AwsRuntime, kind: str, api_id: str, domains: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The custom domains with at least one mapping to this API, each with those mappings."""
    service, operation, key, name, api_field = _MAPPINGS["REST" if kind == "REST" else "V2"]
    found = await gather(
        *[lambda d=d: rt.paginate(service, operation, key, **{name: d[name]}) for d in domains]
    )
    mapped = [
        (d, [m for m in items if m.get(api_field) == api_id]) for d, items in zip(domains, found, strict=True)
    ]
    return [{**domain, "mappings": mine} for domain, mine in mapped if mine]


async def _waf(rt: AwsRuntime, facts: Facts) -> str | None:
    stage = facts.match.stage
    if not stage:
        return None
    arn = f"arn:aws:apigateway:{rt.region}::/restapis/{facts.api_id}/stages/{stage}"
    found = await _quiet(
        lambda: rt.call("wafv2", "get_web_acl_for_resource", ResourceArn=arn), {}, optional=True
    )
    acl = found.get("WebACL") or {}
    return str(acl["ARN"]) if acl.get("ARN") else None
