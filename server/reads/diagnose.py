"""Gather the facts a diagnosis or an audit needs, in three concurrent rounds of AWS reads (see below).

Round 1 finds the API (HTTP/WebSocket or REST) by id or name; round 2 reads its parts (and, for a
no-logs symptom on a REST or WebSocket API, the account's CloudWatch role); round 3 reads what those
parts point at (Lambda functions with their reserved concurrency, execution role and callback URL,
usage plan keys, domain mappings, logs, WAF), each round's reads running concurrently.

Only a WebSocket @connections callback failure (403 ForbiddenException, 410 GoneException) reads on,
into the execution roles of the API's Lambda integrations (``read_roles``): round 4 lists each role's
inline and attached policies, round 5 reads the inline documents and the managed policies, round 6
each managed policy's default version (rounds 5 and 6 only when the role has such policies). Every
other diagnosis, and every audit, stays within three rounds.

moto leaves ``Concurrency`` out of get_function when a function's reserved concurrency is 0 (AWS
returns it), so for symptoms that fit throttling get_function_concurrency is read in the same round.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from apigw_mcp.server.aws import AwsRuntime, gather
from apigw_mcp.tools.diagnose.callbacks import callback_env, is_callback_symptom
from apigw_mcp.tools.diagnose.matching import match_request
from apigw_mcp.tools.diagnose.model import Facts, FunctionFacts, LogFacts, RoleFacts, Symptom
from apigw_mcp.tools.diagnose.read_plan import (
    callback_roles,
    fits_throttling,
    function_arns,
    log_group,
    wants_account,
)
from apigw_mcp.tools.engine.errors import AwsCallFailed, BadInput

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


async def _function_facts(rt: AwsRuntime, arn: str, api_id: str, concurrency: bool) -> FunctionFacts:
    config, policy, reserved = await gather(
        lambda: _quiet(lambda: rt.call("lambda", "get_function", FunctionName=arn), None),
        lambda: _quiet(lambda: rt.call("lambda", "get_policy", FunctionName=arn), {}),
        lambda: _reserved(rt, arn) if concurrency else _none(),
    )
    if config is None:
        return FunctionFacts(exists=False)
    conf = config.get("Configuration", {})
    given = (config.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return FunctionFacts(
        policy=policy.get("Policy"),
        timeout_s=conf.get("Timeout"),
        state=conf.get("State"),
        reserved_concurrency=given if given is not None else reserved,
        role=conf.get("Role"),
        callback_env=callback_env((conf.get("Environment") or {}).get("Variables"), api_id),
    )


async def _reserved(rt: AwsRuntime, arn: str) -> int | None:
    found = await _quiet(
        lambda: rt.call("lambda", "get_function_concurrency", FunctionName=arn), {}, optional=True
    )
    value = found.get("ReservedConcurrentExecutions")
    return int(value) if value is not None else None


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


async def gather_facts(rt: AwsRuntime, api: str, symptom: Symptom | None, window_minutes: int = 60) -> Facts:
    kind, raw = await find_api(rt, api)
    identity = await rt.identity()
    api_id = str(raw.get("ApiId") or raw.get("id"))
    parts, account = await gather(
        lambda: _rest_parts(rt, api_id) if kind == "REST" else _v2_parts(rt, api_id),
        lambda: _apigw_account(rt) if wants_account(kind, symptom) else _none(),
    )
    all_domains = parts.pop("all_domains", [])
    facts = Facts.model_validate(
        {
            "api_type": kind,
            "api_id": api_id,
            "region": rt.region,
            "account": identity.account,
            "api": raw,
            "apigw_account": account,
            **parts,
        }
    )
    if symptom is not None:
        facts.match = match_request(facts, symptom)
    group = log_group(facts)
    arns = function_arns(parts)
    throttling = fits_throttling(symptom)
    results = await gather(
        *[lambda a=a: _function_facts(rt, a, api_id, throttling) for a in arns],
        lambda: _usage_plan_keys(rt, facts.usage_plans),
        lambda: _domains(rt, kind, api_id, all_domains),
        lambda: _log_lines(rt, group, window_minutes) if group else _none(),
        lambda: _waf(rt, facts) if kind == "REST" else _none(),
    )
    facts.functions = dict(zip(arns, results[: len(arns)], strict=True))
    facts.usage_plans, facts.domains, lines, facts.waf_acl_arn = results[len(arns) :]
    facts.logs = LogFacts(enabled=group is not None, group=group, lines=lines or [])
    if is_callback_symptom(kind, symptom):
        facts.roles = await read_roles(rt, facts)
    return facts


async def _apigw_account(rt: AwsRuntime) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _quiet(
        lambda: rt.call("apigateway", "get_account"), None, optional=True
    )
    return None if found is None else {k: v for k, v in found.items() if k != "ResponseMetadata"}


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


# -- round 4, WebSocket callback failures only: the backends' execution roles ------------------------------

MAX_POLICIES = 10


async def read_roles(rt: AwsRuntime, facts: Facts) -> dict[str, RoleFacts]:
    roles = callback_roles(facts)
    found = await gather(*[lambda r=r: _role(rt, r) for r in roles])
    return dict(zip(roles, found, strict=True))


async def _role(rt: AwsRuntime, arn: str) -> RoleFacts:
    """The role's inline and attached policy documents; an IAM error (no permission) is noted, not raised."""
    name = arn.rsplit("/", 1)[-1]
    try:
        inline, attached = await gather(
            lambda: rt.paginate("iam", "list_role_policies", "PolicyNames", RoleName=name),
            lambda: rt.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name),
        )
        names = [str(n) for n in inline][:MAX_POLICIES]
        arns = [str(p["PolicyArn"]) for p in attached][:MAX_POLICIES]
        documents = await gather(
            *[lambda n=n: _inline_document(rt, name, n) for n in names],
            *[lambda a=a: _managed_document(rt, a) for a in arns],
        )
    except AwsCallFailed as error:
        return RoleFacts(arn=arn, unreadable=error.code)
    return RoleFacts(
        arn=arn,
        inline=dict(zip(names, documents[: len(names)], strict=True)),
        attached=dict(zip(arns, documents[len(names) :], strict=True)),
    )


async def _inline_document(rt: AwsRuntime, role: str, policy: str) -> Any:
    found = await rt.call("iam", "get_role_policy", RoleName=role, PolicyName=policy)
    return found.get("PolicyDocument")


async def _managed_document(rt: AwsRuntime, arn: str) -> Any:
    policy = await rt.call("iam", "get_policy", PolicyArn=arn)
    version = policy["Policy"]["DefaultVersionId"]
    found = await rt.call("iam", "get_policy_version", PolicyArn=arn, VersionId=version)
    return found["PolicyVersion"].get("Document")
