"""Auth rules: resource policies, WAF, mutual TLS, IAM (SigV4); JWT, Lambda authorizers: siblings."""

from __future__ import annotations

import re
from typing import Any

from . import rules_auth_jwt, rules_auth_jwt_rest, rules_auth_lambda  # noqa: F401  (registration of their rules)
from .facts import matched_stage
from .model import EvidenceItem, Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_auth_helpers import (
    Auth,
    as_list,
    auth_of,
    covers,
    get,
    log_evidence,
    log_hits,
    request_arn,
    said,
    stage_name,
    statements,
)

REST_API = "apigateway.get_rest_api"


def _principal(st: dict[str, Any], iam: bool) -> str:
    """'yes' when the principal is everyone, 'maybe' when named on an IAM method, else 'no'."""
    principal = st.get("Principal")
    names = as_list(principal.get("AWS")) if isinstance(principal, dict) else as_list(principal)
    if "*" in names:
        return "yes"
    return "maybe" if iam else "no"


def policy_matches(facts: Facts, symptom: Symptom, effect: str) -> list[tuple[int, dict[str, Any], str]]:
    """(index, statement, principal fit) of the policy statements of this effect that cover the request."""
    arn, auth = request_arn(facts, symptom), auth_of(facts)
    prefix = f"arn:aws:execute-api:{facts.region}:{facts.account}:{facts.api_id}"

    def expand(p: str) -> str:
        return prefix + p.removeprefix("execute-api:") if p.startswith("execute-api:/") else p

    iam = auth is not None and auth.type == "AWS_IAM"
    found = []
    for i, st in enumerate(statements(facts.api.get("policy"))):
        fit = _principal(st, iam)
        if st.get("Effect") != effect or fit == "no":
            continue
        if covers(st, "Action", "execute-api:Invoke") and covers(st, "Resource", arn, expand):
            found.append((i, st, fit))
    return found


def _statement_ev(i: int, st: dict[str, Any]) -> list[EvidenceItem]:
    ev = [
        seen(REST_API, f"policy.Statement[{i}]", {k: st.get(k) for k in ("Effect", "Principal", "Resource")})
    ]
    if st.get("Condition"):
        ev.append(
            seen(REST_API, f"policy.Statement[{i}].Condition (caller IP/VPC unknown here)", st["Condition"])
        )
    return ev


def _policy_fix(facts: Facts, symptom: Symptom, what: str) -> Fix:
    api = facts.api_id
    return Fix(
        manual=f"{what}: apigateway.update_rest_api(restApiId='{api}', patchOperations=[{{'op': 'replace', "
        f"'path': '/policy', 'value': <policy JSON>}}]) then apigateway.create_deployment(restApiId='{api}', "
        f"stageName='{stage_name(facts, symptom)}')."
    )


def _unconditional(found: list[tuple[int, dict[str, Any], str]]) -> bool:
    return any(not st.get("Condition") and fit == "yes" for _, st, fit in found)


@rule("rest-resource-policy-explicit-deny")
def _policy_deny(facts: Facts, symptom: Symptom) -> Hit | None:
    if said(symptom, "is not authorized to perform") and not said(symptom, "explicit deny"):
        return None
    denies = policy_matches(facts, symptom, "Deny")
    if not denies:
        return None
    i, st, _ = next((d for d in denies if not d[1].get("Condition") and d[2] == "yes"), denies[0])
    conf = 0.9 if _unconditional(denies) or said(symptom, "explicit deny") else 0.65
    ev = [*_statement_ev(i, st), seen("request", "resource ARN", request_arn(facts, symptom))]
    return Hit(conf, ev, _policy_fix(facts, symptom, f"Narrow or remove policy Statement[{i}] (Deny)"))


@rule("rest-resource-policy-implicit-deny")
def _policy_implicit(facts: Facts, symptom: Symptom) -> Hit | None:
    if not statements(facts.api.get("policy")) or said(symptom, "explicit deny"):
        return None
    if _unconditional(policy_matches(facts, symptom, "Deny")):
        return None
    allows, arn = policy_matches(facts, symptom, "Allow"), request_arn(facts, symptom)
    if _unconditional(allows):
        return None
    fix = _policy_fix(facts, symptom, f"Add an Allow for execute-api:Invoke covering {arn}")
    if allows:
        i, st, _ = allows[0]
        return Hit(0.55, [*_statement_ev(i, st), seen("request", "resource ARN", arn)], fix)
    auth = auth_of(facts)
    iam = auth is not None and auth.type == "AWS_IAM"
    ev = [
        seen(REST_API, "policy", "no Allow statement covers the request"),
        seen("request", "resource ARN", arn),
    ]
    return Hit(0.5 if iam else 0.9, ev, fix)


@rule("private-api-missing-resource-policy")
def _private_no_policy(facts: Facts, symptom: Symptom) -> Hit | None:
    endpoint = facts.api.get("endpointConfiguration") or {}
    if "PRIVATE" not in as_list(endpoint.get("types")):
        return None
    ev = [seen(REST_API, "endpointConfiguration", endpoint)]
    fix = _policy_fix(facts, symptom, "Attach a policy allowing execute-api:Invoke from your aws:SourceVpce")
    if not statements(facts.api.get("policy")):
        return Hit(0.9, [*ev, seen(REST_API, "policy", None)], fix)
    if policy_matches(facts, symptom, "Allow"):
        return None
    return Hit(0.6, [*ev, seen(REST_API, "policy", "no Allow statement covers the request")], fix)


@rule("waf-web-acl-block")
def _waf(facts: Facts, symptom: Symptom) -> Hit | None:
    acl = facts.waf_acl_arn or (matched_stage(facts) or {}).get("webAclArn")
    if not acl or said(symptom, "missing authentication token", "not authorized", "unauthorized"):
        return None
    lines = log_hits(facts, "waf_block", "waf_filtered")
    ev = [seen("wafv2.get_web_acl_for_resource", "WebACL.ARN", acl), *log_evidence(lines)]
    resource = (
        f"arn:aws:apigateway:{facts.region}::/restapis/{facts.api_id}/stages/{stage_name(facts, symptom)}"
    )
    fix = Fix(
        manual=f"Find the blocking rule: wafv2.get_sampled_requests(WebAclArn='{acl}', Scope='REGIONAL', ...)"
        " then add a scope-down / Count override (wafv2.update_web_acl) or "
        f"wafv2.disassociate_web_acl(ResourceArn='{resource}')."
    )
    return Hit(0.9 if lines or said(symptom, "waf") else 0.6, ev, fix)


@rule("custom-domain-mtls-rejected")
def _mtls(facts: Facts, symptom: Symptom) -> Hit | None:
    mtls_of = {str(get(d, "DomainName", "domainName")): _mtls_config(d) for d in facts.domains}
    domains = {name: cfg for name, cfg in mtls_of.items() if get(cfg, "TruststoreUri", "truststoreUri")}
    if not domains:
        return None
    lines = log_hits(facts, "access denied. reason")
    if not lines and facts.logs.enabled and facts.logs.lines and not said(symptom, "access denied. reason"):
        return None  # mTLS failures are logged; a 403 with no such line is something else
    read = "apigateway.get_domain_name" if facts.api_type == "REST" else "apigatewayv2.get_domain_name"
    ev = [seen(read, f"{name}.mutualTlsAuthentication", cfg) for name, cfg in domains.items()]
    warned = any(get(cfg, "TruststoreWarnings", "truststoreWarnings") for cfg in domains.values())
    conf = 0.6 if warned else 0.5
    if lines or said(symptom, "access denied. reason", "insecure signature"):
        conf = 0.9
    return Hit(conf, ev + log_evidence(lines))


def _mtls_config(domain: dict[str, Any]) -> dict[str, Any]:
    cfg = get(domain, "MutualTlsAuthentication", "mutualTlsAuthentication")
    return cfg if isinstance(cfg, dict) else {}


# --- IAM (SigV4) ----------------------------------------------------------------------------------------


def _iam(facts: Facts) -> Auth | None:
    auth = auth_of(facts)
    return auth if auth is not None and auth.type == "AWS_IAM" else None


def _iam_ev(auth: Auth) -> list[EvidenceItem]:
    return [
        seen(
            auth.read,
            "authorizationType" if auth.read.startswith("apigateway.") else "AuthorizationType",
            f"AWS_IAM ({auth.key})",
        )
    ]


_SIGNED = ("signature", "security token", "is not authorized to perform", "credential should be scoped")


@rule("rest-iam-method-unsigned-request")
def _iam_unsigned(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = _iam(facts)
    if auth is None or said(symptom, *_SIGNED):
        return None
    told = said(symptom, "missing authentication token", "incompletesignature", "requires 'credential'")
    fix = Fix(
        manual=f"Sign the request with SigV4 for service 'execute-api' in {facts.region} "
        "(botocore.auth.SigV4Auth), or change the method/route authorization type and redeploy."
    )
    return Hit(0.9 if told else 0.6 if facts.api_type == "REST" else 0.55, _iam_ev(auth), fix)


_CALLER = re.compile(r"User: (\S+) is not authorized to perform: execute-api:Invoke", re.IGNORECASE)


@rule("iam-caller-lacks-execute-api-invoke")
def _iam_no_allow(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = _iam(facts)
    if auth is None or said(symptom, "signature", "security token", "missing authentication token"):
        return None
    raw = " ".join(t for t in (symptom.error_body, symptom.message, symptom.error_type) if t)
    found = _CALLER.search(raw)
    caller = found.group(1) if found else None
    if caller == "anonymous":
        return None
    arn, ev = request_arn(facts, symptom), _iam_ev(auth)
    role = re.sub(
        r"^arn:aws:sts::(\d+):assumed-role/([^/]+)/.*$", r"arn:aws:iam::\1:role/\2", caller or "<role ARN>"
    )
    if caller:
        ev.append(seen("symptom", "caller", caller))
        if (
            f":{facts.account}:" not in caller
            and facts.api_type == "REST"
            and not policy_matches(facts, symptom, "Allow")
        ):
            ev.append(seen(REST_API, "policy", "cross-account caller and no resource-policy Allow"))
    conf = 0.9 if said(symptom, "no identity-based policy allows") else 0.8 if caller else 0.5
    fix = Fix(
        manual=f"iam.simulate_principal_policy(PolicySourceArn='{role}', ActionNames=['execute-api:Invoke'], "
        f"ResourceArns=['{arn}']); then allow execute-api:Invoke on '{arn}' in the caller's identity policy "
        "(iam.put_role_policy)."
    )
    return Hit(conf, ev, fix)


@rule("iam-signature-mismatch")
def _iam_signature(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = _iam(facts)
    if auth is None or said(symptom, "signature expired", "security token", "missing authentication token"):
        return None
    told = said(
        symptom, "signature we calculated does not match", "invalidsignatureexception", "should be scoped"
    )
    if not told and said(symptom, "is not authorized to perform"):
        return None
    ev = [
        *_iam_ev(auth),
        seen(
            "apigateway.get_rest_api" if facts.api_type == "REST" else "apigatewayv2.get_api",
            "region (sign with it, service 'execute-api')",
            facts.region,
        ),
    ]
    return Hit(0.9 if told else 0.5, ev)


_EXPIRED = (
    "signature expired",
    "security token included in the request is",
    "expiredtoken",
    "expired_token",
    "unrecognizedclient",
)


@rule("iam-expired-or-invalid-credentials")
def _iam_credentials(facts: Facts, symptom: Symptom) -> Hit | None:
    auth = _iam(facts)
    if auth is None:
        return None
    ev = _iam_ev(auth)
    if said(symptom, *_EXPIRED):
        skew = re.search(r"signature expired: (\w+) is now earlier than (\w+)", symptom.text())
        if skew:
            ev.append(seen("symptom", "signed at / earliest accepted", [s.upper() for s in skew.groups()]))
        return Hit(0.9, ev)
    if said(
        symptom, "signature we calculated", "missing authentication token", "is not authorized to perform"
    ):
        return None
    return Hit(0.5, ev)
