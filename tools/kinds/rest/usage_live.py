"""Read get_usage_plans, get_usage_plan_keys and get_api_keys items into the usage-plan spec (pure).

Key values are never read: get_api_keys is called with includeValues=False, and the ``value`` a
usage-plan key item may carry is ignored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from apigw_mcp.tools.engine.scope import MANAGED_TAG
from apigw_mcp.tools.kinds.rest.stage_spec import ThrottleSpec
from apigw_mcp.tools.kinds.rest.usage_spec import ApiKeySpec, ApiStageSpec, QuotaSpec, UsagePlanSpec


class LiveUsagePlan(BaseModel):
    """A live usage plan: its spec, its id and the ids of the keys linked to it (by key name)."""

    plan_id: str
    spec: UsagePlanSpec
    key_ids: dict[str, str] = Field(default_factory=dict)


def throttle(raw: dict[str, Any] | None) -> ThrottleSpec | None:
    if not raw or (raw.get("rateLimit") is None and raw.get("burstLimit") is None):
        return None
    return ThrottleSpec(
        rate_limit=float(raw.get("rateLimit") or 0), burst_limit=int(raw.get("burstLimit") or 0)
    )


def _quota(raw: dict[str, Any] | None) -> QuotaSpec | None:
    if not raw or raw.get("limit") is None:
        return None
    return QuotaSpec(limit=raw["limit"], period=raw.get("period") or "DAY", offset=raw.get("offset") or 0)


def _api_stage(raw: dict[str, Any]) -> ApiStageSpec:
    methods = {key: t for key, value in (raw.get("throttle") or {}).items() if (t := throttle(value))}
    return ApiStageSpec(api_id=raw["apiId"], stage=raw["stage"], method_throttles=methods)


def usage_plan_named(plans: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The get_usage_plans item called ``name``; ValueError when several share it (AWS allows that)."""
    found = [p for p in plans if p.get("name") == name]
    if len(found) > 1:
        ids = ", ".join(sorted(p["id"] for p in found))
        raise ValueError(f"name: {len(found)} usage plans are called {name!r} ({ids}): rename all but one")
    return found[0] if found else None


def account_key_ids(api_keys_raw: list[dict[str, Any]]) -> dict[str, str]:
    """Name -> id of the account's API keys (get_api_keys items); with duplicate names the first id wins."""
    found: dict[str, str] = {}
    for key in sorted(api_keys_raw, key=lambda k: k["id"]):
        found.setdefault(key.get("name") or key["id"], key["id"])
    return found


def live_usage_plan(
    plan: dict[str, Any], plan_keys: list[dict[str, Any]], api_keys: list[dict[str, Any]]
) -> LiveUsagePlan:
    """``plan``: a get_usage_plans item; ``plan_keys``: its get_usage_plan_keys items; ``api_keys``:
    get_api_keys(includeValues=False) items, for each linked key's enabled flag and description."""
    details = {k["id"]: k for k in api_keys}
    linked = sorted((k for k in plan_keys if k.get("type", "API_KEY") == "API_KEY"), key=lambda k: k["id"])
    keys = [_key(k, details.get(k["id"], {})) for k in linked]
    tags = dict(plan.get("tags") or {})
    spec = UsagePlanSpec(
        name=plan["name"],
        description=plan.get("description") or "",
        api_stages=sorted((_api_stage(s) for s in plan.get("apiStages") or []), key=lambda s: s.key),
        throttle=throttle(plan.get("throttle")),
        quota=_quota(plan.get("quota")),
        api_keys=keys,
        tags={k: v for k, v in tags.items() if k != MANAGED_TAG},
    )
    return LiveUsagePlan(
        plan_id=plan["id"],
        spec=spec,
        key_ids={key.name: raw["id"] for key, raw in zip(keys, linked, strict=True)},
    )


def _key(linked: dict[str, Any], details: dict[str, Any]) -> ApiKeySpec:
    return ApiKeySpec(
        name=linked.get("name") or details.get("name") or linked["id"],
        enabled=bool(details.get("enabled", True)),
        description=details.get("description") or "",
    )
