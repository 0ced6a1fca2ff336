"""What would serve the reported request: the stage, then the HTTP/WebSocket route or REST resource (pure).

Follows API Gateway's documented routing. HTTP APIs: a first path segment that names a stage selects it,
anything else goes to the ``$default`` stage with the whole path; the most specific route wins (a match
without a greedy ``{proxy+}`` before any greedy one, literal segments over ``{param}`` from the left, a
method over ``ANY``), then ``$default``
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html). REST APIs: the
first segment is always the stage; the resource tree is walked from the root (literal over ``{param}`` over
greedy at each level) and the resource must carry the method (or ANY), else 403 Missing Authentication
Token; ``/{proxy+}`` never matches ``/``. WebSocket APIs: the RouteSelectionExpression picks the route key
from the message, falling back to ``$default``. Route and resource are chosen by ``facts.route_for`` and
``facts.resource_for``, which the rules use too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .facts import DEFAULT, method_on, resource_for, route_for, stage_names
from .matching_paths import as_path, split_request
from .model import Facts, Match, Symptom

__all__ = ["WS_LIFECYCLE", "match_request"]

WS_LIFECYCLE = ("$connect", "$disconnect")
_EXECUTE_API = re.compile(
    r"^(?:vpce-[a-z0-9-]+|([a-z0-9]+)(?:-vpce-[a-z0-9]+)?)\.execute-api\.", re.IGNORECASE
)
_BODY = "$request.body."
# what WebSocket clients print when the HTTP upgrade (the $connect route) is answered with an error status
_UPGRADE_REFUSED = re.compile(r"unexpected server response:? *[1-5]\d\d|error during websocket handshake")


@dataclass(frozen=True)
class _Where:
    """The stage the request reaches and the segments of the path within it; served=False if nothing does."""

    stage: str | None
    segments: tuple[str, ...]
    why: str
    served: bool = True


# -- stage -----------------------------------------------------------------------------------------------


def _via_domain(facts: Facts, symptom: Symptom, host: str, segs: tuple[str, ...]) -> _Where | None:
    """Stage and path through the custom domain's API mapping with the longest matching base path."""
    domain = next((d for d in facts.domains if _host_is(d, host)), None)
    if domain is None:
        return None
    best: tuple[tuple[str, ...], dict[str, Any]] | None = None
    mappings: list[dict[str, Any]] = domain.get("mappings") or []
    for mapping in mappings:
        key = str(mapping.get("ApiMappingKey", mapping.get("basePath")) or "")
        parts = tuple(p for p in ("" if key == "(none)" else key).split("/") if p)
        if segs[: len(parts)] == parts and (best is None or len(parts) > len(best[0])):
            best = (parts, mapping)
    if best is None:
        keys = ", ".join(sorted(str(m.get("ApiMappingKey", m.get("basePath")) or "(none)") for m in mappings))
        return _Where(
            None, segs, f"no API mapping of {host} ({keys or 'none'}) matches the path", served=False
        )
    parts, mapping = best
    key = "/".join(parts) or "(none)"
    api = mapping.get("ApiId", mapping.get("restApiId"))
    if api is not None and api != facts.api_id:
        return _Where(
            None, segs[len(parts) :], f"base path '{key}' of {host} maps to API {api}", served=False
        )
    stage = mapping.get("Stage", mapping.get("stage"))
    if not stage or stage == "(none)":
        inner = _via_segments(facts, symptom, segs[len(parts) :])
        return _Where(inner.stage, inner.segments, f"{inner.why} after base path '{key}' of {host}")
    return _Where(str(stage), segs[len(parts) :], f"stage '{stage}' from the API mapping '{key}' of {host}")


def _host_is(domain: dict[str, Any], host: str) -> bool:
    name = str(domain.get("DomainName") or domain.get("domainName") or "").lower()
    return bool(name) and (name == host or (name.startswith("*.") and host.endswith(name[1:])))


def _via_segments(facts: Facts, symptom: Symptom, segs: tuple[str, ...]) -> _Where:
    """Stage and path on the default endpoint: as given, else from the first segment, else HTTP $default."""
    names = stage_names(facts)
    given = symptom.stage
    if given:
        if segs and segs[0] == given and given != DEFAULT:
            return _Where(given, segs[1:], f"stage '{given}' as given (also the first path segment)")
        clash = f" (though '{segs[0]}' in the path is also a stage)" if segs and segs[0] in names else ""
        return _Where(given, segs, f"stage '{given}' as given{clash}")
    first = segs[0] if segs else None
    if facts.api_type == "WEBSOCKET" and (first is None or first.startswith("$")):
        only = names[0] if len(names) == 1 else None
        return _Where(only, segs, f"stage '{only}', the API's only stage" if only else "no stage in the URL")
    if first is not None and first in names and first != DEFAULT:
        return _Where(first, segs[1:], f"stage '{first}' taken from the first path segment")
    if facts.api_type == "HTTP" and DEFAULT in names:
        what = f"'{first}' is not a stage name" if first else "the path has no stage segment"
        return _Where(DEFAULT, segs, f"stage '$default' serves the whole path because {what}")
    if first is None:
        return _Where(None, segs, "no stage segment in the path")
    return _Where(
        first, segs[1:], f"stage '{first}' taken from the first path segment (not an existing stage)"
    )


def _where(facts: Facts, symptom: Symptom, raw: str) -> _Where:
    host, segs = split_request(raw)
    if host is not None:
        found = _EXECUTE_API.match(host)
        if found is None:
            via = _via_domain(facts, symptom, host, segs)
            if via is not None:
                return via
        inner = _via_segments(facts, symptom, segs)
        api = found.group(1) if found else None
        if found is None or (api and api.lower() != facts.api_id.lower()):
            owner = f"names API {api}" if found else "is not a custom domain of this API"
            return _Where(inner.stage, inner.segments, f"{inner.why} (host {host} {owner})")
        return inner
    return _via_segments(facts, symptom, segs)


# -- routes and resources --------------------------------------------------------------------------------


def _route_match(route: dict[str, Any] | None, **common: Any) -> Match:
    if route is None:
        return Match(kind="none", **common)
    return Match(kind="route", route_key=route.get("RouteKey"), route_id=route.get("RouteId"), **common)


def _rest_match(facts: Facts, verb: str, segs: tuple[str, ...], **common: Any) -> Match:
    resource = resource_for(facts, segs)
    if resource is None:
        return Match(kind="none", **common)
    found = {"resource_id": resource.get("id"), "resource_path": resource.get("path"), **common}
    return Match(kind="resource" if method_on(resource, verb) else "none", **found)


def _ws_key(facts: Facts, symptom: Symptom, segs: tuple[str, ...]) -> tuple[str | None, str]:
    """The route key the WebSocket request selects (None: nothing selectable) and how it was found."""
    named = [n.lower() for n in (symptom.method, *segs) if n and n.lower() in WS_LIFECYCLE]
    if named:
        return named[0], f"route key '{named[0]}' named by the request"
    expression = str(facts.api.get("RouteSelectionExpression") or "")
    field = "$" + expression[2:].removesuffix("}") if expression.startswith("${") else expression
    if field.startswith(_BODY):
        for text in (symptom.message, symptom.error_body):
            value = _json_field(text, field.removeprefix(_BODY).split("."))
            if value is not None:
                return value, f"route key '{value}' from {field} in the message"
    if _UPGRADE_REFUSED.search(symptom.text()):
        return "$connect", "route key '$connect': the upgrade request was refused"
    return None, f"no message carrying {field or 'the selection expression'}"


def _json_field(text: str | None, path: list[str]) -> str | None:
    try:
        value: Any = json.loads(text or "")
    except (ValueError, RecursionError):
        return None
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value)


def _ws_match(facts: Facts, symptom: Symptom, segs: tuple[str, ...], stage: str | None) -> tuple[Match, str]:
    key, how = _ws_key(facts, symptom, segs)
    by_key = {str(r.get("RouteKey")): r for r in facts.routes}
    route = by_key.get(key) if key is not None else None
    if route is None and key not in WS_LIFECYCLE and DEFAULT in by_key:
        route, how = (
            by_key[DEFAULT],
            f"{how}; no route '{key}', so '$default'" if key else f"{how}, so '$default'",
        )
    elif route is None:
        how = f"{how}; no such route" if key else f"{how} and no '$default' route"
    path = as_path(tuple(s for s in segs if s not in WS_LIFECYCLE))
    return _route_match(route, stage=stage, path=path), how


def match_request(facts: Facts, symptom: Symptom) -> Match:
    """What would serve the request; ``assumed`` says in one sentence which stage and path were taken."""
    where = _where(facts, symptom, symptom.path or "")
    stage_clause = where.why
    if facts.api_type == "WEBSOCKET":
        if not where.served:
            return Match(stage=where.stage, assumed=stage_clause)
        match, how = _ws_match(facts, symptom, where.segments, where.stage)
        return match.model_copy(update={"assumed": f"{stage_clause}; {how}"})
    if not symptom.path or not symptom.path.strip():
        return Match(
            stage=where.stage, method=_method(symptom), assumed=f"{stage_clause}; no request path given"
        )
    method = _method(symptom)
    path = as_path(where.segments)
    assumed = f"{stage_clause}; path {path}" + ("" if symptom.method else f"; method {method} assumed")
    common: dict[str, Any] = {"stage": where.stage, "path": path, "method": method, "assumed": assumed}
    if not where.served:
        return Match(kind="none", **common)
    if facts.api_type == "REST":
        return _rest_match(facts, method, where.segments, **common)
    return _route_match(route_for(facts, method, where.segments), **common)


def _method(symptom: Symptom) -> str:
    return (symptom.method or "GET").strip().upper()
