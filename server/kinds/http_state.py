"""Read everything a change to one HTTP API is planned from; independent reads run concurrently."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from apigw_mcp.server.aws import AwsRuntime, Identity, gather
from apigw_mcp.server.reads.v2 import all_v2_apis, api_parts, function_policy
from apigw_mcp.tools.engine.errors import AwsCallFailed, BadInput, OutOfScope
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope, api_change_refusal
from apigw_mcp.tools.engine.validate import partition_of
from apigw_mcp.tools.kinds.http.live import (
    LiveHttpApi,
    authorizer_arn,
    broad_statements,
    invoke_arns,
    live_http_api,
    permission_covers,
    source_arns,
)
from apigw_mcp.tools.kinds.http.plan_stages import log_group_name
from apigw_mcp.tools.kinds.http.planner import statement_id
from apigw_mcp.tools.kinds.http.spec import DEFAULT_STAGE, HttpApiSpec


async def read_live(rt: AwsRuntime, api_id: str) -> LiveHttpApi | None:
    try:
        parts = await api_parts(rt, api_id)
    except AwsCallFailed as error:
        if error.code == "NotFoundException" or error.status in (400, 404):
            return None
        raise
    return live_http_api(
        parts["api"], parts["routes"], parts["integrations"], parts["stages"], parts["authorizers"]
    )


def find_by_name(apis: list[dict[str, Any]], name: str) -> str | None:
    same = [a for a in apis if a.get("Name") == name and a.get("ProtocolType") == "HTTP"]
    if len(same) > 1:
        ids = ", ".join(a["ApiId"] for a in same)
        raise BadInput(
            "name", f"{len(same)} HTTP APIs are named {name!r} ({ids}); rename one so the name is unique"
        )
    return str(same[0]["ApiId"]) if same else None


async def locate(rt: AwsRuntime, api_id: str | None, name: str | None) -> tuple[Identity, LiveHttpApi | None]:
    """The caller identity and the live API: by id, else (or when the id is gone) by name.

    ``api_id`` may itself be a name, as everywhere an API is named: when no API has that id,
    the HTTP API of that name is used.
    """
    live = None
    if api_id is not None:
        identity, live = await gather(rt.identity, lambda: read_live(rt, api_id))
        if live is not None:
            return identity, live
        name = name or api_id
    identity, apis = await gather(rt.identity, lambda: all_v2_apis(rt))
    found = find_by_name(apis, str(name))
    return identity, (await read_live(rt, found) if found else None)


def check_changeable(scope: Scope, live: LiveHttpApi, via_name: bool) -> None:
    refusal = api_change_refusal(
        scope, live.api_id, live.spec.name, {"apigw-mcp:managed": "true"} if live.managed else {}
    )
    if refusal:
        prefix = f"name {live.spec.name!r} belongs to an existing API: " if via_name else ""
        raise OutOfScope("api-scope", prefix + refusal)


@dataclass(frozen=True)
class Extras:
    """``log_groups``: which of the ``checked_log_groups`` exist; ``managed_log_groups``: which of
    those an undo may delete (created by this server, so tagged managed)."""

    permissions: dict[str, bool]
    statements: list[str]
    log_groups: set[str]
    missing: list[str]
    broad: list[str]
    checked_log_groups: list[str]
    managed_log_groups: set[str]


async def read_extras(
    rt: AwsRuntime,
    functions: Iterable[str],
    log_arns: Iterable[str],
    live: LiveHttpApi | None,
    desired: HttpApiSpec | None,
    identity: Identity,
    more_log_groups: Iterable[str] = (),
) -> Extras:
    """Lambda policies (does this API already hold an invoke permission?) and which log groups exist."""
    arns = sorted(set(functions))
    tagged = set(more_log_groups)
    names = sorted({log_group_name(a) for a in log_arns} | tagged)
    results = await gather(
        *[lambda a=a: function_policy(rt, a) for a in arns],
        *[lambda n=n: _log_group_state(rt, n, n in tagged, identity) for n in names],
    )
    policies, groups = results[: len(arns)], dict(zip(names, results[len(arns) :], strict=True))
    wanted = set(desired.functions()) if desired else set()
    missing = [arn for arn, (found, _) in zip(arns, policies, strict=True) if not found and arn in wanted]
    texts = {arn: policy for arn, (_, policy) in zip(arns, policies, strict=True)}
    ours = [arn for arn, text in texts.items() if live and _has_statement(text, statement_id(live.api_id))]
    covered = {arn: _covers(arn, texts[arn], live, desired, rt.region, identity) for arn in arns}
    broad = [w for arn in arns for w in broad_statements(arn, texts[arn], identity.account)]
    exists = {n for n, state in groups.items() if state != "absent"}
    managed = {n for n, state in groups.items() if state == "managed"}
    return Extras(covered, ours, exists, missing, broad, names, managed)


async def _log_group_state(rt: AwsRuntime, name: str, read_tags: bool, identity: Identity) -> str:
    """absent, present, or managed (tagged by this server when it created the group)."""
    groups = await rt.paginate("logs", "describe_log_groups", "logGroups", logGroupNamePrefix=name)
    if not any(g.get("logGroupName") == name for g in groups):
        return "absent"
    if not read_tags:
        return "present"
    arn = f"arn:{partition_of(rt.region)}:logs:{rt.region}:{identity.account}:log-group:{name}"
    tags = (await rt.call("logs", "list_tags_for_resource", resourceArn=arn)).get("tags") or {}
    return "managed" if tags.get(MANAGED_TAG) == "true" else "present"


def _has_statement(policy: str | None, sid: str) -> bool:
    return bool(policy) and any(s.get("Sid") == sid for s in json.loads(str(policy)).get("Statement", []))


def _covers(
    arn: str,
    policy: str | None,
    live: LiveHttpApi | None,
    desired: HttpApiSpec | None,
    region: str,
    identity: Identity,
) -> bool:
    """Does a statement already let this API invoke ``arn`` for every route and authorizer using it?"""
    if live is None or desired is None:
        return False
    stages = sorted(desired.stages) or [DEFAULT_STAGE]
    needed = [
        invoke
        for key, route in desired.routes.items()
        if route.integration and route.integration.uri == arn
        for stage in stages
        for invoke in invoke_arns("aws", region, identity.account, live.api_id, stage, key)
    ]
    for name, authorizer in desired.authorizers.items():
        if authorizer.function_arn == arn:
            authorizer_id = live.authorizer_ids.get(name, "new")
            needed.append(authorizer_arn("aws", region, identity.account, live.api_id, authorizer_id))
    return permission_covers(source_arns(policy), needed)
