"""Raw lookups of what ``facts.match`` names: the stage, route, REST method and integration dicts (pure)."""

from __future__ import annotations

from typing import Any

from .model import Facts


def stage_name(stage: dict[str, Any]) -> str | None:
    """The name of a raw stage dict (REST ``stageName``, v2 ``StageName``)."""
    name = stage.get("StageName", stage.get("stageName"))
    return str(name) if name is not None else None


def stage_names(facts: Facts) -> list[str]:
    return [n for n in (stage_name(s) for s in facts.stages) if n is not None]


def matched_stage(facts: Facts) -> dict[str, Any] | None:
    """The raw stage dict named by ``facts.match.stage``."""
    wanted = facts.match.stage
    return next((s for s in facts.stages if wanted is not None and stage_name(s) == wanted), None)


def matched_route(facts: Facts) -> dict[str, Any] | None:
    """The raw route dict (HTTP/WebSocket) of ``facts.match.route_id``."""
    wanted = facts.match.route_id
    return next((r for r in facts.routes if wanted is not None and r.get("RouteId") == wanted), None)


def route_integration(facts: Facts, route: dict[str, Any] | None) -> dict[str, Any] | None:
    """The integration a route's ``Target`` ("integrations/ID") points at."""
    target = str((route or {}).get("Target") or "")
    if not target.startswith("integrations/"):
        return None
    wanted = target.removeprefix("integrations/")
    return next((i for i in facts.integrations if i.get("IntegrationId") == wanted), None)


def matched_method(facts: Facts) -> dict[str, Any] | None:
    """REST: the resourceMethods entry for ``match.method`` (else ``ANY``) on ``match.resource_id``."""
    match = facts.match
    resource = next(
        (r for r in facts.resources if match.resource_id and r.get("id") == match.resource_id), None
    )
    methods: dict[str, Any] = (resource or {}).get("resourceMethods") or {}
    for key in (str(match.method or "").upper(), "ANY"):
        if key and isinstance(methods.get(key), dict):
            entry: dict[str, Any] = methods[key]
            return entry
    return None


def matched_integration(facts: Facts) -> dict[str, Any] | None:
    """The matched route's integration via its Target; REST: the matched method's methodIntegration."""
    if facts.api_type == "REST":
        integration = (matched_method(facts) or {}).get("methodIntegration")
        return integration if isinstance(integration, dict) else None
    return route_integration(facts, matched_route(facts))
