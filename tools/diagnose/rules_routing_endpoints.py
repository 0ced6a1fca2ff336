"""Endpoint rules: custom domains, the execute-api endpoint, CloudFront, canaries, VPC endpoints."""

from __future__ import annotations

import re

from .facts import (
    matched_method,
    matched_route,
    matched_stage,
    stage_name_of,
    stage_names,
)
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_routing_helpers import (
    REST_API,
    STAGES,
    Raw,
    call,
    deploy_call,
    is_mat,
    join,
    policy_doc,
    request_url,
    resolves,
    split,
    stage_logging_on,
)

_HOST = re.compile(r"(?:https?://|host:\s*)([a-z0-9-]+(?:\.[a-z0-9-]+)+)")


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
        "apigateway.update_stage",
        restApiId=facts.api_id,
        stageName=stage_name_of(stage),
        patchOperations=patch,
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
