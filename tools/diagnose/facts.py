"""The one answer to each fact a rule or audit check asks of the evidence (pure).

Which route, REST resource and method, stage, integration, authorizing route and CORS configuration the
request reaches. ``matching.match_request`` decides the match once per diagnosis (``facts.match``); the
lookups here read it and are computed once per ``Facts`` (cached on it, recomputed when the match or the
evidence lists are replaced; a diagnosis reads the evidence and never changes it). Route choice follows
API Gateway's documented precedence
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html): an exact
match of route and method (literal segments over ``{param}``, a method over ``ANY``), then a greedy
``{proxy+}``, then ``$default``; a REST path walks the resource tree. WebSocket APIs authorize only on
``$connect`` (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
"""

from __future__ import annotations

import re
from typing import Any

from .matching_paths import template_ranks
from .model import Facts, Symptom

Raw = dict[str, Any]
DEFAULT = "$default"
CONNECT = "$connect"
STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")  # names: alphanumerics and _


# -- stages -----------------------------------------------------------------------------------------------


def stage_name_of(stage: Raw) -> str | None:
    """The name of a raw stage dict (v2 ``StageName``, REST ``stageName``)."""
    name = stage.get("StageName") or stage.get("stageName")
    return str(name) if name else None


def stage_names(facts: Facts) -> list[str]:
    return [n for n in (stage_name_of(s) for s in facts.stages) if n is not None]


def request_stage(facts: Facts, symptom: Symptom) -> str | None:
    """The stage to name in ARNs and fixes: the match's, else the one the user named (a request that reached
    no stage of this API, e.g. through a custom domain that maps elsewhere)."""
    return facts.match.stage or symptom.stage


def matched_stage(facts: Facts) -> Raw | None:
    """The raw stage the request reaches (``facts.match.stage``); None when it names no existing stage."""
    return facts.once("stage", _matched_stage)


def _matched_stage(facts: Facts) -> Raw | None:
    wanted = facts.match.stage
    return next((s for s in facts.stages if wanted and stage_name_of(s) == wanted), None)


def stage_variables(facts: Facts) -> dict[str, str]:
    """The matched stage's variables (REST ``variables``, v2 ``StageVariables``)."""
    stage = matched_stage(facts) or {}
    found: dict[str, str] = stage.get("variables") or stage.get("StageVariables") or {}
    return found


def with_stage_variables(facts: Facts, text: str) -> str:
    """``${stageVariables.x}`` replaced by the matched stage's value (left as is when unknown)."""
    variables = stage_variables(facts)
    return STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def method_settings(facts: Facts) -> list[tuple[str, Raw]]:
    """REST: the matched stage's methodSettings entries that apply to the matched method, most specific first:
    the method's own (``{resource path, / as ~1}/{VERB}``, plain slashes tolerated), then ``*/*``."""
    return facts.once("method_settings", _method_settings)


def _method_settings(facts: Facts) -> list[tuple[str, Raw]]:
    every: Raw = (matched_stage(facts) or {}).get("methodSettings") or {}
    path, verb = facts.match.resource_path, (facts.match.method or "").upper()
    own = [
        (key, entry)
        for key, entry in every.items()
        if key != "*/*" and path and verb and setting_of(key) == (path.strip("/"), verb)
    ]
    rest = [("*/*", every["*/*"])] if isinstance(every.get("*/*"), dict) else []
    return [(k, e) for k, e in own[:1] if isinstance(e, dict)] + rest


def setting_of(key: str) -> tuple[str, str]:
    """A REST methodSettings key ``orders~1{id}/GET`` as (resource path without slashes at its ends, VERB)."""
    resource, _, verb = key.rpartition("/")
    return resource.replace("~1", "/").strip("/"), verb.upper()


def effective_method_settings(facts: Facts) -> Raw:
    """The matched method's settings: ``*/*`` overlaid with the method's own entry."""
    merged: Raw = {}
    for _, entry in reversed(method_settings(facts)):
        merged.update(entry)
    return merged


# -- routes and resources: choosing one for a request -------------------------------------------------------


def route_by_key(facts: Facts, key: str) -> Raw | None:
    """The raw route with this RouteKey (``$connect``, ``GET /pets``)."""
    return next((r for r in facts.routes if r.get("RouteKey") == key), None)


def _precedence(ranks: tuple[int, ...]) -> tuple[bool, tuple[int, ...]]:
    """Sort key of a template match: every match without a greedy variable first, then left to right
    literal over ``{param}`` over greedy."""
    return bool(ranks) and ranks[-1] == 2, ranks


def route_for(facts: Facts, method: str | None, segments: tuple[str, ...]) -> Raw | None:
    """The HTTP route that serves ``method`` (None: any method) on the path: the most specific template, a
    method over ANY, else the ``$default`` route."""
    ranked: list[tuple[tuple[bool, tuple[int, ...]], int, str, Raw]] = []
    for route in facts.routes:
        key = str(route.get("RouteKey") or "")
        verb, _, path = key.partition(" ")
        if not path or (method and verb.upper() not in (method.upper(), "ANY")):
            continue
        ranks = template_ranks(path, segments)
        if ranks is not None:
            ranked.append((_precedence(ranks), int(verb.upper() == "ANY"), key, route))
    if ranked:
        return min(ranked, key=lambda r: (r[0], r[1], r[2]))[3]
    return route_by_key(facts, DEFAULT)


def resource_for(facts: Facts, segments: tuple[str, ...]) -> Raw | None:
    """The REST resource the path selects, whether or not it has the method: the resource tree walked from
    the root, a literal child over ``{param}`` over a greedy ``{proxy+}`` at each level (left to right)."""
    ranked = [
        (ranks, str(r.get("path")), r)
        for r in facts.resources
        if (ranks := template_ranks(str(r.get("path") or "/"), segments)) is not None
    ]
    return min(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None


def method_on(resource: Raw | None, method: str | None) -> tuple[str, Raw] | None:
    """The method entry that serves ``method`` on a REST resource: its own, else ``ANY``."""
    methods: Raw = (resource or {}).get("resourceMethods") or {}
    for name in ((method or "").upper(), "ANY"):
        if name and isinstance(methods.get(name), dict):
            entry: Raw = methods[name]
            return name, entry
    return None


def serves(facts: Facts, method: str | None, segments: tuple[str, ...]) -> bool:
    """Whether the API has a route (REST: the selected resource has a method) for the request."""
    if facts.api_type == "REST":
        resource = resource_for(facts, segments)
        return resource is not None and (not method or method_on(resource, method) is not None)
    return route_for(facts, method, segments) is not None


# -- what matched ------------------------------------------------------------------------------------------


def matched_route(facts: Facts) -> Raw | None:
    """The raw HTTP/WebSocket route the request matched (by id; by key when the match has no id)."""
    return facts.once("route", _matched_route)


def _matched_route(facts: Facts) -> Raw | None:
    m = facts.match
    if m.kind != "route":
        return None
    if m.route_id:
        return next((r for r in facts.routes if r.get("RouteId") == m.route_id), None)
    return route_by_key(facts, m.route_key) if m.route_key else None


def matched_resource(facts: Facts) -> Raw | None:
    """The raw REST resource the request matched (by id; by path when the match has no id)."""
    return facts.once("resource", _matched_resource)


def _matched_resource(facts: Facts) -> Raw | None:
    m = facts.match
    if m.resource_id:
        return next((r for r in facts.resources if r.get("id") == m.resource_id), None)
    return next((r for r in facts.resources if m.resource_path and r.get("path") == m.resource_path), None)


def matched_method_entry(facts: Facts) -> tuple[str, Raw] | None:
    """REST: the name (the verb, or ``ANY``) and resourceMethods entry serving the request."""
    return facts.once("method", lambda f: method_on(matched_resource(f), f.match.method))


def matched_method(facts: Facts) -> Raw | None:
    found = matched_method_entry(facts)
    return found[1] if found else None


def route_integration(facts: Facts, route: Raw | None) -> Raw | None:
    """The integration a route's ``Target`` ("integrations/ID") points at."""
    target = str((route or {}).get("Target") or "")
    if not target.startswith("integrations/"):
        return None
    wanted = target.removeprefix("integrations/")
    return next((i for i in facts.integrations if i.get("IntegrationId") == wanted), None)


def matched_integration(facts: Facts) -> Raw | None:
    """The matched route's integration via its Target; REST: the matched method's methodIntegration."""
    return facts.once("integration", _matched_integration)


def _matched_integration(facts: Facts) -> Raw | None:
    if facts.api_type == "REST":
        integration = (matched_method(facts) or {}).get("methodIntegration")
        return integration if isinstance(integration, dict) else None
    return route_integration(facts, matched_route(facts))


# -- authorization and CORS --------------------------------------------------------------------------------


def authorizing_route(facts: Facts) -> Raw | None:
    """The route whose authorization applies: WebSocket ``$connect`` (the only one AWS authorizes), else the
    matched route."""
    if facts.api_type == "WEBSOCKET":
        return route_by_key(facts, CONNECT)
    return matched_route(facts)


def authorizer_by_id(facts: Facts, authorizer_id: str | None) -> Raw:
    """The raw authorizer with this id (REST ``id``, v2 ``AuthorizerId``); {} when there is none."""
    return next(
        (
            a
            for a in facts.authorizers
            if authorizer_id and (a.get("id") or a.get("AuthorizerId")) == authorizer_id
        ),
        {},
    )


def http_cors(facts: Facts) -> Raw | None:
    """The HTTP API's CorsConfiguration (None when CORS is not configured on the API)."""
    config = facts.api.get("CorsConfiguration")
    return config if isinstance(config, dict) and config else None
