"""HTTP backend rules: TLS, unreachable hosts, private integrations (VPC links), proxy paths, passthrough."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from apigw_mcp.tools.engine.netcheck import host_refusal

from .facts import request_stage, with_stage_variables
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_integration_helpers import (
    LAMBDA_SIGNALS,
    LOG_READ,
    Integ,
    call,
    conflicts,
    integration,
    json_of,
    patched,
    signals,
    unsure,
)

_BACKEND_SIGNALS = LAMBDA_SIGNALS | {"tls", "network", "vpc-link"}


def http_backend(facts: Facts, symptom: Symptom) -> tuple[Integ, str] | None:
    """The matched HTTP/HTTP_PROXY integration and its URI with stage variables resolved."""
    integ = integration(facts)
    if integ is None or integ.type not in ("HTTP", "HTTP_PROXY"):
        return None
    return integ, with_stage_variables(facts, integ.uri)


@rule("http-backend-tls-certificate-invalid")
def _backend_tls(facts: Facts, symptom: Symptom) -> Hit | None:
    found = http_backend(facts, symptom)
    if found is None:
        return None
    integ, uri = found
    tls: dict[str, Any] = integ.raw.get("tlsConfig") or integ.raw.get("TlsConfig") or {}
    https = uri.lower().startswith("https://") or (integ.connection == "VPC_LINK" and bool(tls))
    if not https or tls.get("insecureSkipVerification"):
        return None
    sig, evidence = signals(facts, symptom), [integ.seen("uri", uri), integ.seen("tlsConfig", tls or None)]
    if "tls" in sig:
        return Hit(0.9, [*evidence, sig["tls"]])
    return None if conflicts(sig, {"tls"}, _BACKEND_SIGNALS) else Hit(unsure(facts, 0.3), evidence)


def private_host(host: str) -> bool:
    return host_refusal(host) is not None or (
        host.startswith("internal-") and host.endswith(".elb.amazonaws.com")
    )


@rule("http-backend-unreachable")
def _backend_unreachable(facts: Facts, symptom: Symptom) -> Hit | None:
    found = http_backend(facts, symptom)
    if found is None or found[0].connection == "VPC_LINK":
        return None
    integ, uri = found
    try:
        host = (urlsplit(uri).hostname or "").lower()
    except ValueError:
        host = ""
    sig = signals(facts, symptom)
    evidence = [integ.seen("connectionType", integ.connection), integ.seen("uri", uri)]
    confidence = 0.85 if host and private_host(host) else 0.0
    if "network" in sig:
        confidence = 0.9 if confidence else 0.8
        evidence.append(sig["network"])
    elif not confidence:
        if conflicts(sig, {"network"}, _BACKEND_SIGNALS | {"gw-timeout"}):
            return None
        confidence = unsure(facts, 0.3)
    if integ.v2:
        link = call(
            "apigatewayv2.create_vpc_link", {}, Name="<name>", SubnetIds="<[...]>", SecurityGroupIds="<[...]>"
        )
        use = call("apigatewayv2.update_integration", integ.ids, ConnectionType="VPC_LINK",
                   ConnectionId="<vpcLinkId>", IntegrationUri="<load balancer listener ARN>")  # fmt: skip
    else:
        link = call("apigateway.create_vpc_link", {}, name="<name>", targetArns="<[NLB ARN]>")
        patch = [{"op": "replace", "path": "/connectionType", "value": "VPC_LINK"}]
        patch += [{"op": "replace", "path": "/connectionId", "value": "<vpcLinkId>"}]
        use = patched(facts, symptom, integ, patch)
    return Hit(
        confidence, evidence, Fix(manual=f"Use a public endpoint, or a private integration: {link}; {use}")
    )


def _vpc_link_hit(facts: Facts, symptom: Symptom, integ: Integ | None, base: float) -> Hit | None:
    """A private integration whose VPC link or targets fail (the link status itself is not gathered)."""
    if integ is None or integ.connection != "VPC_LINK":
        return None
    sig = signals(facts, symptom)
    evidence = [integ.seen("connectionType", "VPC_LINK"), integ.seen("connectionId", integ.connection_id)]
    if "${stageVariables." in with_stage_variables(facts, integ.connection_id):
        return Hit(
            0.7, [*evidence, seen("get_stages", "stage variables", "no value for the connectionId variable")]
        )
    for own, confidence in (("vpc-link", 0.8), ("network", 0.7), ("gw-timeout", 0.6)):
        if own in sig:
            return Hit(confidence, [*evidence, sig[own]])
    return None if conflicts(sig, set(), _BACKEND_SIGNALS) else Hit(unsure(facts, base), evidence)


@rule("rest-vpc-link-nlb-failure")
def _rest_vpc_link(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _vpc_link_hit(facts, symptom, integ, 0.5)
    if hit is None or integ is None:
        return None
    cid = with_stage_variables(facts, integ.connection_id)
    check = (
        call("apigatewayv2.get_vpc_link", {"VpcLinkId": cid})
        if integ.raw.get("integrationTarget")
        else call("apigateway.get_vpc_link", {"vpcLinkId": cid})
    )
    patch = [{"op": "replace", "path": "/connectionId", "value": "<new link id>"}]
    fix = (
        f"{check} -> status; elbv2.describe_target_health(TargetGroupArn=<each target group>); fix "
        "targets, security groups and listener ports, or recreate the link and "
        f"{patched(facts, symptom, integ, patch)}"
    )
    return Hit(hit.confidence, hit.evidence, Fix(manual=fix))


@rule("http-vpc-link-unavailable")
def _http_vpc_link(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _vpc_link_hit(facts, symptom, integ, 0.55)
    if hit is None or integ is None:
        return None
    fix = (
        f"{call('apigatewayv2.get_vpc_link', {'VpcLinkId': integ.connection_id})} -> VpcLinkStatus; send "
        "traffic to reactivate an INACTIVE link, or recreate it (apigatewayv2.create_vpc_link(Name, "
        "SubnetIds, SecurityGroupIds) and "
        f"{call('apigatewayv2.update_integration', integ.ids, ConnectionId='<new id>')}); allow the link's "
        "security group on the load balancer listener port"
    )
    return Hit(hit.confidence, hit.evidence, Fix(manual=fix))


@rule("http-proxy-path-not-forwarded")
def _proxy_path(facts: Facts, symptom: Symptom) -> Hit | None:
    found = http_backend(facts, symptom)
    where = (facts.match.resource_path if facts.api_type == "REST" else facts.match.route_key) or ""
    if found is None or "{proxy+}" not in where or found[0].connection == "VPC_LINK":
        return None
    integ, uri = found
    target = f"{integ.uri.rstrip('/')}/{{proxy}}"
    if integ.v2:
        if "{proxy}" in uri or "overwrite:path" in integ.params or integ.type != "HTTP_PROXY":
            return None
        args = {"api_id": facts.api_id, "route_key": where, "change": {"url": target}, "dry_run": True}
        return Hit(0.75, [integ.seen("uri", uri)], Fix(tool="update_route", args=args))
    if "{proxy}" in uri and integ.params.get("integration.request.path.proxy") == "method.request.path.proxy":
        return None
    patch = [{"op": "replace", "path": "/uri", "value": target}]
    patch += [{"op": "add", "path": "/requestParameters/integration.request.path.proxy",
               "value": "method.request.path.proxy"}]  # fmt: skip
    fix = patched(facts, symptom, integ, patch)
    return Hit(
        0.75, [integ.seen("uri", uri), integ.seen("requestParameters", integ.params or None)], Fix(manual=fix)
    )


def integration_status(line: str) -> tuple[str, str] | None:
    """(integration status, gateway error response type) from a JSON access log or REST execution log line."""
    found = re.search(r"(?i)received response\. status: (\d{3})", line)
    if found:
        return found.group(1), ""
    doc = json_of(line)
    if not isinstance(doc, dict):
        return None
    flat = {re.sub(r"[^a-z]", "", str(k).lower()): str(v) for k, v in doc.items()}
    status = flat.get("integrationstatus") or flat.get("integrationintegrationstatus")
    kind = next((v for k, v in flat.items() if k.endswith("responsetype")), "")
    return (status, kind.strip("- ")) if status else None


@rule("backend-error-passthrough")
def _passthrough(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    if integ is None or integ.type not in ("HTTP", "HTTP_PROXY", "AWS_PROXY") or symptom.status is None:
        return None
    evidence = [integ.seen("type", integ.type)]
    for line in reversed(facts.logs.lines):
        found = integration_status(line)
        if found and found[0] == str(symptom.status) and not found[1]:
            return Hit(0.9, [*evidence, seen(LOG_READ, "integration status", found[0])])
    body = json_of(symptom.error_body)
    keys = {str(k).lower() for k in body} if isinstance(body, dict) else set()
    if (
        symptom.error_type
        or keys in ({"message"}, {"message", "connectionid", "requestid"})
        or signals(facts, symptom)
    ):
        return None  # the answer looks generated by API Gateway
    return Hit(unsure(facts, 0.6 if symptom.error_body else 0.35), evidence)


@rule("http-private-integration-stage-prefix-in-path")
def _stage_prefix(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    stage = request_stage(facts, symptom)
    if (
        integ is None
        or integ.connection != "VPC_LINK"
        or stage in (None, "$default")
        or "overwrite:path" in integ.params
    ):
        return None
    evidence = [
        integ.seen("connectionType", "VPC_LINK"),
        integ.seen("RequestParameters", integ.params or None),
    ]
    fix = call(
        "apigatewayv2.update_integration", integ.ids, RequestParameters={"overwrite:path": "$request.path"}
    )
    return Hit(0.7, [*evidence, seen("apigatewayv2.get_stages", "StageName", stage)], Fix(manual=fix))
