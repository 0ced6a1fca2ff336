"""Routing rules: resources, routes, stages, deployments, custom domains and endpoints."""

from __future__ import annotations

import re
from difflib import get_close_matches

from . import rules_routing_more  # noqa: F401  (registers the payload, logging and cache rules)
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_routing_more import (
    RESOURCES,
    REST_API,
    ROUTES,
    STAGES,
    V2_STAGES,
    Raw,
    call,
    deploy_call,
    is_mat,
    join,
    kw,
    matched_method,
    matched_route,
    matched_stage,
    name_of,
    newest_deployment,
    policy_doc,
    request_url,
    resolves,
    split,
    stage_logging_on,
    stage_names,
    stage_read,
)

_HOST = re.compile(r"(?:https?://|host:\s*)([a-z0-9-]+(?:\.[a-z0-9-]+)+)")


def _path(facts: Facts, symptom: Symptom) -> str:
    return facts.match.path or symptom.path or "/"


def _proxy_root(facts: Facts, symptom: Symptom) -> str | None:
    """The top-level greedy resource path / route key when "/" was requested and nothing serves it."""
    if facts.match.kind != "none" or split(_path(facts, symptom)):
        return None
    if facts.api_type == "REST":
        greedy = [str(r["path"]) for r in facts.resources if r.get("resourceMethods") and r.get("path")]
    else:
        greedy = [str(r.get("RouteKey", "")) for r in facts.routes]
    return next((g for g in greedy if g.endswith("+}") and len(split(g.partition(" ")[2] or g)) == 1), None)


def _stage_prefixed(facts: Facts, symptom: Symptom) -> str | None:
    """HTTP $default stage: the first segment looks like a stage name and the rest would be routed."""
    segs = split(_path(facts, symptom))
    if facts.api_type != "HTTP" or facts.match.stage != "$default" or not segs:
        return None
    return segs[0] if resolves(facts, symptom.method, join(segs[1:])) else None


@rule("rest-missing-resource-or-method")
def _missing(facts: Facts, symptom: Symptom) -> Hit | None:
    if facts.match.kind != "none" or matched_stage(facts) is None:
        return None
    path, verb, api = _path(facts, symptom), (symptom.method or "GET").upper(), facts.api_id
    known, segs = {str(r.get("path")): r for r in facts.resources}, split(path)
    ev = [seen(RESOURCES, "path", list(known)[:20])]
    ev.append(seen(STAGES, "stageName", facts.match.stage))
    if path in known:
        ev.append(
            seen(
                RESOURCES,
                f"{path} resourceMethods",
                sorted(known[path].get("resourceMethods") or {}),
            )
        )
        step = call(
            "apigateway.put_method",
            restApiId=api,
            resourceId=known[path].get("id"),
            httpMethod=verb,
            authorizationType="NONE",
        )
    else:
        depth = max((i for i in range(len(segs)) if join(segs[:i]) in known), default=0)
        parent = known.get(join(segs[:depth]), {}).get("id", "<root id>")
        step = call(
            "apigateway.create_resource", restApiId=api, parentId=parent, pathPart=segs[depth] if segs else ""
        )
        step += f" (and any deeper parts), then put_method(httpMethod={verb!r})"
    deploy = deploy_call(facts)
    repeats = len(segs) > 1 and segs[0] == facts.match.stage and resolves(facts, verb, join(segs[1:]))
    conf = 0.5 if repeats else 0.7 if _proxy_root(facts, symptom) else 0.9 if facts.resources else 0.6
    return Hit(conf, ev, Fix(manual=f"{step} + put_integration, then {deploy}"))


@rule("wrong-stage-in-url")
def _wrong_stage(facts: Facts, symptom: Symptom) -> Hit | None:
    names = stage_names(facts)
    ev = [seen(stage_read(facts), "stage names", names)]
    if facts.match.stage and facts.match.stage not in names:
        near = get_close_matches(facts.match.stage, names, n=1)
        hint = f"use stage {near[0]!r}" if near else f"use one of {names}"
        url = f"https://{facts.api_id}.execute-api.{facts.region}.amazonaws.com/<stage>/<path>"
        return Hit(
            0.9,
            [*ev, seen("request", "stage segment", facts.match.stage)],
            Fix(manual=f"{hint} in {url}, or create it"),
        )
    seg = _stage_prefixed(facts, symptom)
    if seg is None:
        return None
    ev.append(seen("request", "first path segment (routed by $default as part of the path)", seg))
    return Hit(0.85, ev, Fix(manual=f"drop /{seg} from the URL: the $default stage serves the root"))


@rule("rest-changes-not-deployed")
def _changes_not_deployed(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None or (facts.match.kind == "none" and is_mat(symptom)):
        return None
    name, dep = name_of(stage), stage.get("deploymentId")
    fix = Fix(manual=deploy_call(facts, name))
    ev = [seen(STAGES, f"{name}.deploymentId", dep)]
    newest = newest_deployment(facts)
    if not dep:
        return Hit(0.9, ev, fix)
    if newest is not None and newest.get("id") != dep:
        current = next((d for d in facts.deployments if d.get("id") == dep), {})
        ev.append(
            seen(
                "apigateway.get_deployments", "stage deployment createdDate", str(current.get("createdDate"))
            )
        )
        ev.append(
            seen(
                "apigateway.get_deployments",
                "newest id/createdDate",
                f"{newest.get('id')} {newest.get('createdDate')}",
            )
        )
        return Hit(0.8, ev, fix)
    if facts.match.kind == "resource" and (is_mat(symptom) or kw(symptom) == "stale-deploy"):
        ev.append(
            seen(
                RESOURCES,
                "method exists",
                f"{facts.match.method} {facts.match.resource_path}",
            )
        )
        return Hit(0.55, ev, fix)
    return None


@rule("rest-proxy-resource-does-not-match-root")
def _proxy_root_rule(facts: Facts, symptom: Symptom) -> Hit | None:
    greedy = _proxy_root(facts, symptom)
    if greedy is None:
        return None
    if facts.api_type == "REST":
        root = next((r for r in facts.resources if r.get("path") == "/"), {})
        ev = [seen(RESOURCES, "greedy resource", greedy)]
        ev.append(seen(RESOURCES, "/ resourceMethods", sorted(root.get("resourceMethods") or {})))
        put = call(
            "apigateway.put_method",
            restApiId=facts.api_id,
            resourceId=root.get("id", "<root id>"),
            httpMethod="ANY",
            authorizationType="NONE",
        )
        return Hit(
            0.9,
            ev,
            Fix(manual=f"{put} + put_integration, then create_deployment(stageName={facts.match.stage!r})"),
        )
    ev = [seen(ROUTES, "RouteKey", [r.get("RouteKey") for r in facts.routes])]
    target = str(next(r for r in facts.routes if r.get("RouteKey") == greedy).get("Target") or "")
    route = {"route_key": "ANY /", "integration_id": target.removeprefix("integrations/")}
    return Hit(
        0.9,
        ev,
        Fix(tool="add_route", args={"api_id": facts.api_id, "route": route, "dry_run": True})
        if target
        else None,
    )


@rule("http-route-not-found")
def _route_not_found(facts: Facts, symptom: Symptom) -> Hit | None:
    keys = [str(r.get("RouteKey")) for r in facts.routes]
    if facts.match.kind != "none" or "$default" in keys or matched_stage(facts) is None:
        return None
    key = f"{(symptom.method or 'GET').upper()} {_path(facts, symptom)}"
    ev = [seen(ROUTES, "RouteKey", keys[:30]), seen("request", "route key", key)]
    conf = 0.5 if _stage_prefixed(facts, symptom) else 0.7 if _proxy_root(facts, symptom) else 0.9
    targets = {str(r["Target"]).removeprefix("integrations/") for r in facts.routes if r.get("Target")}
    if len(targets) != 1:
        create = call(
            "apigatewayv2.create_route",
            ApiId=facts.api_id,
            RouteKey=key,
            Target="integrations/<IntegrationId>",
        )
        return Hit(conf, ev, Fix(manual=create))
    route = {"route_key": key, "integration_id": targets.pop()}
    return Hit(
        conf, ev, Fix(tool="add_route", args={"api_id": facts.api_id, "route": route, "dry_run": True})
    )


@rule("v2-stage-not-deployed")
def _v2_not_deployed(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None:
        return None
    name, dep, status = (
        name_of(stage),
        stage.get("DeploymentId"),
        str(stage.get("LastDeploymentStatusMessage") or ""),
    )
    ev = [seen(V2_STAGES, f"{name}.AutoDeploy", bool(stage.get("AutoDeploy")))]
    ev.append(seen(V2_STAGES, "DeploymentId", dep))
    args = {"api_id": facts.api_id, "stage_name": name, "deploy": True, "dry_run": True}
    fix = Fix(tool="deploy_stage", args=args)
    if facts.api_type != "HTTP":
        fix = Fix(manual=call("apigatewayv2.create_deployment", ApiId=facts.api_id, StageName=name))
    newest = newest_deployment(facts)
    if stage.get("AutoDeploy"):
        failed = "fail" in status.lower()
        return (
            Hit(0.85, [*ev, seen(V2_STAGES, "LastDeploymentStatusMessage", status)], fix) if failed else None
        )
    if not dep:
        return Hit(0.9, ev, fix)
    if newest is not None and newest.get("DeploymentId") != dep:
        newer = f"{newest.get('DeploymentId')} {newest.get('CreatedDate')}"
        return Hit(
            0.75, [*ev, seen("apigatewayv2.get_deployments", "newest DeploymentId/CreatedDate", newer)], fix
        )
    if symptom.status == 404 and facts.match.kind == "route":
        return Hit(0.6, [*ev, seen(ROUTES, "route exists yet 404", facts.match.route_key)], fix)
    return Hit(0.5, ev, fix) if kw(symptom) == "stale-deploy" else None


def _mappings(facts: Facts) -> list[tuple[str, str, str]]:
    """(domain, mapping key, stage) for every mapping of a custom domain to this API."""
    out = []
    for dom in facts.domains:
        for m in dom.get("mappings") or []:
            if (m.get("ApiId") or m.get("restApiId") or facts.api_id) == facts.api_id:
                key = str(m.get("ApiMappingKey", m.get("basePath")) or "")
                stage = str(m.get("Stage") or m.get("stage") or "")
                out.append((str(dom.get("DomainName")), "" if key == "(none)" else key, stage))
    return out


def _via_domain(facts: Facts, symptom: Symptom) -> bool:
    said = f"{symptom.text()} {request_url(symptom)[0]}"
    return any(str(d.get("DomainName")).lower() in said for d in facts.domains if d.get("DomainName"))


def _hosts(symptom: Symptom) -> list[str]:
    """Hosts the client named: the URL's host and any URL or Host header in what it reported."""
    return [h for h in (request_url(symptom)[0], *_HOST.findall(symptom.text())) if h]


@rule("custom-domain-base-path-mismatch")
def _base_path(facts: Facts, symptom: Symptom) -> Hit | None:
    segs, via, verb = request_url(symptom)[1], _via_domain(facts, symptom), symptom.method
    unmatched = facts.match.kind == "none"
    for dom, key, stage in _mappings(facts):
        ksegs, rest = split(key), segs[len(split(key)) :]
        ev = [seen("domain mappings", f"{dom} key -> stage", f"{key or '(none)'} -> {stage}")]
        fix = Fix(
            manual=f"call https://{dom}/{key + '/' if key else ''}<resource> (no stage segment), or change "
            f"the mapping: apigatewayv2.update_api_mapping / apigateway.update_base_path_mapping({dom!r})"
        )
        if segs[: len(ksegs)] == ksegs:
            repeated = rest and rest[0] == stage and resolves(facts, verb, join(rest[1:]))
            if repeated and not resolves(facts, verb, join(rest)) and (via or (ksegs and unmatched)):
                return Hit(
                    0.9 if via else 0.8, [*ev, seen("request", "path repeats the stage", symptom.path)], fix
                )
        elif (via or unmatched) and (
            resolves(facts, verb, join(segs)) or resolves(facts, verb, join(segs[1:]))
        ):
            return Hit(
                0.85 if via else 0.5, [*ev, seen("request", "path lacks the base path", symptom.path)], fix
            )
    return None


@rule("custom-domain-no-api-mapping")
def _no_mapping(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = facts.match.stage or symptom.stage
    for dom in facts.domains:
        name, mode = dom.get("DomainName"), dom.get("RoutingMode") or dom.get("routingMode")
        if mode == "ROUTING_RULE_ONLY":
            return Hit(0.75, [seen("get_domain_name", f"{name}.RoutingMode", mode)])
        if not dom.get("mappings"):
            return Hit(0.85, [seen("get_api_mappings / get_base_path_mappings", f"{name}", [])])
    maps = _mappings(facts)
    if maps and stage in stage_names(facts) and all(s and s != stage for _, _, s in maps):
        ev = [
            seen("domain mappings", "stages mapped", sorted({s for _, _, s in maps})),
            seen("request", "stage", stage),
        ]
        make = call(
            "apigatewayv2.create_api_mapping",
            DomainName=maps[0][0],
            ApiId=facts.api_id,
            Stage=stage,
            ApiMappingKey="...",
        )
        return Hit(0.7, ev, Fix(manual=f"{make} (REST: apigateway.create_base_path_mapping)"))
    hosts = [h for h in _hosts(symptom) if not h.endswith(("amazonaws.com", "cloudfront.net"))]
    if not facts.domains and hosts:
        return Hit(
            0.6,
            [seen("domain mappings", "domains mapped to this API", []), seen("request", "host", hosts[0])],
        )
    return None


@rule("execute-api-endpoint-disabled")
def _endpoint_disabled(facts: Facts, symptom: Symptom) -> Hit | None:
    rest = facts.api_type == "REST"
    field = "disableExecuteApiEndpoint" if rest else "DisableExecuteApiEndpoint"
    if not facts.api.get(field) or _via_domain(facts, symptom):
        return None
    ev = [seen(REST_API if rest else "apigatewayv2.get_api", field, True)]
    named = any(".execute-api." in h for h in _hosts(symptom)) or "execute-api" in symptom.text()
    conf = 0.95 if named else 0.9 if not facts.domains else 0.7
    patch = [{"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "False"}]
    enable = (
        call("apigateway.update_rest_api", restApiId=facts.api_id, patchOperations=patch)
        + " + create_deployment"
        if rest
        else call("apigatewayv2.update_api", ApiId=facts.api_id, DisableExecuteApiEndpoint=False)
    )
    return Hit(conf, ev, Fix(manual=f"call the custom domain, or {enable}"))


@rule("cloudfront-forwards-host-header")
def _cloudfront_host(facts: Facts, symptom: Symptom) -> Hit | None:
    said = f"{symptom.text()} {request_url(symptom)[0]}"
    types = (facts.api.get("endpointConfiguration") or {}).get("types") or []
    if (
        "cloudfront" not in said and "signature we calculated does not match" not in said
    ) or "PRIVATE" in types:
        return None
    ev = [seen("client response", "mentions CloudFront", "cloudfront" in said)]
    ev.append(seen("cloudfront.get_distribution_config", "origin request policy", "not read (not in Facts)"))
    ev += [seen(REST_API, "endpointConfiguration.types", types)] if types else []
    if "cloudfront" not in said:  # a signature mismatch alone also fits a badly signed direct call
        return Hit(0.35, ev)
    return Hit(0.4 if "EDGE" in types else 0.6, ev)


@rule("rest-canary-serving-other-deployment")
def _canary(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts) or {}
    canary: Raw = stage.get("canarySettings") or {}
    pct, overrides = float(canary.get("percentTraffic") or 0), canary.get("stageVariableOverrides") or {}
    if pct <= 0 or (canary.get("deploymentId") in (None, stage.get("deploymentId")) and not overrides):
        return None
    ev = [seen(STAGES, "canarySettings.percentTraffic", pct)]
    ev.append(
        seen(
            STAGES,
            "canary / stage deploymentId",
            f"{canary.get('deploymentId')} / {stage.get('deploymentId')}",
        )
    )
    ev += [seen(STAGES, "stageVariableOverrides keys", sorted(overrides))] if overrides else []
    patch = [{"op": "remove", "path": "/canarySettings"}]
    drop = call(
        "apigateway.update_stage", restApiId=facts.api_id, stageName=name_of(stage), patchOperations=patch
    )
    return Hit(0.85, ev, Fix(manual=f"{drop} (or promote the canary first)"))


def _source_vpces(policy: Raw | None) -> list[str]:
    found: list[str] = []
    statements = (policy or {}).get("Statement") or []
    for st in statements if isinstance(statements, list) else [statements]:
        for cond in (st.get("Condition") or {}).values():
            for key, val in cond.items():
                if key.lower() in ("aws:sourcevpce", "aws:sourcevpc"):
                    found += val if isinstance(val, list) else [val]
    return found


@rule("private-api-not-reachable-through-vpc-endpoint")
def _private_api(facts: Facts, symptom: Symptom) -> Hit | None:
    endpoint = facts.api.get("endpointConfiguration") or {}
    if "PRIVATE" not in (endpoint.get("types") or []) or is_mat(symptom):
        return None
    policy = policy_doc(facts.api.get("policy"))
    allowed = _source_vpces(policy)
    ev = [seen(REST_API, "endpointConfiguration", endpoint)]
    ev.append(seen(REST_API, "policy aws:SourceVpce/SourceVpc", allowed if policy else None))
    host = f"{facts.api_id}.execute-api.{facts.region}.amazonaws.com"
    deploy = deploy_call(facts)
    fix = Fix(
        manual=f"call from a VPC whose execute-api interface endpoint the resource policy allows "
        f"(then {deploy}); through the vpce DNS name send Host: {host} or x-apigw-api-id: {facts.api_id}"
    )
    named = re.findall(r"vpce-[0-9a-f]+", symptom.text())
    if policy is None:
        return Hit(0.8, ev, fix)
    if named and allowed:
        return Hit(0.5 if named[0] in allowed else 0.9, [*ev, seen("request", "VPC endpoint", named[0])], fix)
    return Hit(0.7 if allowed else 0.65, ev, fix)


def _forbidden_unexplained(facts: Facts) -> bool:
    """Nothing in the API's own configuration would answer 403 Forbidden to this request."""
    api = facts.api
    if (
        api.get("policy")
        or facts.waf_acl_arn
        or api.get("disableExecuteApiEndpoint")
        or api.get("DisableExecuteApiEndpoint")
    ):
        return False
    if facts.api_type == "REST":
        method = matched_method(facts) or {}
        return method.get("authorizationType", "NONE") == "NONE" and not method.get("apiKeyRequired")
    route = matched_route(facts) or {}
    return route.get("AuthorizationType", "NONE") == "NONE" and not route.get("ApiKeyRequired")


@rule("vpce-private-dns-blocks-public-api")
def _vpce_dns(facts: Facts, symptom: Symptom) -> Hit | None:
    if "PRIVATE" in ((facts.api.get("endpointConfiguration") or {}).get("types") or []) or is_mat(symptom):
        return None
    ev = [seen("ec2.describe_vpc_endpoints", "PrivateDnsEnabled", "not read (not in Facts)")]
    if any(w in symptom.text() for w in ("vpce", "vpc endpoint", "private dns", "interface endpoint")):
        return Hit(0.6, [*ev, seen("client report", "mentions a VPC endpoint", True)])
    stage = matched_stage(facts)
    logged = facts.logs.enabled or (stage is not None and stage_logging_on(facts, stage))
    if facts.match.kind != "none" and _forbidden_unexplained(facts) and (symptom.status == 403 or logged):
        ev.append(
            seen("api configuration", "no auth, API key, resource policy or WAF that answers 403", True)
        )
        return Hit(0.5 if symptom.status == 403 else 0.4, ev)
    return None
