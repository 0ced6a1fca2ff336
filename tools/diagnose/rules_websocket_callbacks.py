"""WebSocket rules for the backend's @connections calls: 403 ForbiddenException and 410 GoneException.

The evidence is the backends' own configuration (``callbacks.py``): the callback URL in their environment
(without the stage, or naming another stage or API) and their execution roles' policies, judged for
``execute-api:ManageConnections`` on this API's ``{stage}/POST/@connections/*``. Fixes name the real role
and the real variable; without those reads the rules fall back to what the error text says.
"""

from __future__ import annotations

import re

from .callbacks import (
    ACTION,
    Endpoint,
    Verdict,
    backend_functions,
    callback_endpoints,
    connections_arn,
    manage_connections,
)
from .facts import request_stage, route_by_key, stage_names
from .model import EvidenceItem, Facts, Fix, RoleFacts, Symptom
from .registry import Hit, rule, seen
from .rules_integration_helpers import (
    call,
    deploy,
    quote,
    said,
)

ROUTES_READ = "apigatewayv2.get_routes"
ENV_READ = "lambda.get_function"
IAM_READ = "iam.get_role_policy, iam.get_policy_version"
_ASSUMED = re.compile(r"assumed-role/([\w+=,.@-]+)/")


def _stage(facts: Facts, symptom: Symptom) -> str | None:
    names = stage_names(facts)
    return request_stage(facts, symptom) or (names[0] if len(names) == 1 else None)


def _endpoint_url(facts: Facts, stage: str) -> str:
    return f"https://{facts.api_id}.execute-api.{facts.region}.amazonaws.com/{stage}"


def _misdirected(facts: Facts, stage: str | None) -> list[tuple[str, Endpoint, str]]:
    """(function, endpoint, what is wrong) for each callback URL that cannot reach this API's stage."""
    found: list[tuple[str, Endpoint, str]] = []
    for arn, fn in backend_functions(facts).items():
        for ep in callback_endpoints(fn):
            if ep.api_id is not None and ep.api_id != facts.api_id:
                found.append((arn, ep, f"names API {ep.api_id}, not {facts.api_id}"))
            elif ep.api_id is not None and ep.stage is None:
                found.append((arn, ep, "has no stage"))
            elif ep.api_id is not None and stage is not None and ep.stage != stage:
                found.append((arn, ep, f"names stage {ep.stage!r}, not {stage!r}"))
    return found


def _env_fix(facts: Facts, stage: str | None, wrong: list[tuple[str, Endpoint, str]]) -> str:
    url = _endpoint_url(facts, stage or "<stage>")
    sets = "; ".join(f"set {ep.name} of {arn.rsplit(':', 1)[-1]} to {url}" for arn, ep, _ in wrong[:3])
    return (
        f"{sets} (lambda.update_function_configuration replaces every Environment variable: pass the "
        "others unchanged), or build the client from the event's requestContext: "
        'endpoint_url=f"https://{domainName}/{stage}"'
    )


def _env_evidence(wrong: list[tuple[str, Endpoint, str]]) -> list[EvidenceItem]:
    return [
        seen(ENV_READ, f"{arn.rsplit(':', 1)[-1]} Environment.{ep.name}", f"{ep.url} ({why})")
        for arn, ep, why in wrong
    ]


def _verdicts(facts: Facts, resource: str) -> dict[str, tuple[RoleFacts, Verdict]]:
    roles = {fn.role for fn in backend_functions(facts).values() if fn.role}
    found = {arn: facts.roles[arn] for arn in sorted(roles) if arn in facts.roles}
    return {arn: (r, manage_connections(r, resource)) for arn, r in found.items() if r.unreadable is None}


def _role_evidence(role: RoleFacts, verdict: Verdict, resource: str) -> list[EvidenceItem]:
    said_by = ", ".join(verdict.policies) or "no statement of its policies allows it"
    return [
        seen("iam.list_role_policies, list_attached_role_policies", f"{role.name} policies", verdict.read),
        seen(IAM_READ, f"{role.name}: {ACTION} on {resource}", f"{verdict.state} ({said_by})"),
    ]


def _grant(role: str, resource: str) -> str:
    statement = {"Effect": "Allow", "Action": ACTION, "Resource": resource}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    return call(
        "iam.put_role_policy", {}, RoleName=role, PolicyName="manage-connections", PolicyDocument=policy
    )


@rule("ws-manage-connections-forbidden")
def _manage_forbidden(facts: Facts, symptom: Symptom) -> Hit | None:
    denied = said(symptom, "manageconnections") and said(symptom, "not authorized")
    if not denied and not said(symptom, "forbiddenexception", "posttoconnection", "@connections"):
        return None
    stage = _stage(facts, symptom)
    resource = connections_arn(facts, stage or "*")
    verdicts, wrong = _verdicts(facts, resource), _misdirected(facts, stage)
    lacking = [(r, v) for r, v in verdicts.values() if v.state != "allowed"]
    if lacking:
        evidence = [e for r, v in lacking for e in _role_evidence(r, v, resource)] + _env_evidence(wrong)
        fix = "; ".join(_grant(r.name, resource) for r, _ in lacking)
        cause = f"The backend role {lacking[0][0].name} may not call {ACTION} on {resource}" + (
            f"; and the callback URL {wrong[0][2]}" if wrong else ""
        )
        fix += f"; then {_env_fix(facts, stage, wrong)}" if wrong else ""
        return Hit(0.95 if denied else 0.9, evidence, Fix(manual=fix), cause)
    ruled_out = [e for r, v in verdicts.values() for e in _role_evidence(r, v, resource)[1:]]
    if wrong:
        cause = f"The management client calls {wrong[0][1].url}, whose URL {wrong[0][2]}"
        return Hit(0.9, _env_evidence(wrong) + ruled_out, Fix(manual=_env_fix(facts, stage, wrong)), cause)
    told = [seen("client response", "error", quote(symptom.text()))]
    if ruled_out:  # the roles allow it and no URL in the environment is wrong: only the client's URL is left
        return Hit(0.6, told + ruled_out, Fix(manual=_env_fix(facts, stage, [])))
    url = _endpoint_url(facts, stage or "<stage>")
    grant = _grant(_role_named(facts, symptom), resource)
    fix = f'{grant}; build the management client with endpoint_url="{url}"'
    return Hit(0.85 if denied else 0.6, told, Fix(manual=fix))


def _role_named(facts: Facts, symptom: Symptom) -> str:
    """The backend role: from the functions read, else from the denial's assumed-role ARN."""
    roles = sorted({str(fn.role).rsplit("/", 1)[-1] for fn in backend_functions(facts).values() if fn.role})
    if len(roles) == 1:
        return roles[0]
    found = _ASSUMED.search(symptom.message or symptom.error_body or "")
    return found.group(1) if found else "<backend role>"


@rule("ws-post-to-connection-gone")
def _gone(facts: Facts, symptom: Symptom) -> Hit | None:
    if symptom.status != 410 and not said(symptom, "goneexception"):
        return None
    stage = _stage(facts, symptom)
    wrong = [w for w in _misdirected(facts, stage) if w[2] != "has no stage"]
    if wrong:
        cause = (
            f"The backend posts to {wrong[0][1].url}, whose URL {wrong[0][2]}: connection ids of this API's "
            "stage are unknown there, so every post answers 410 Gone"
        )
        return Hit(0.9, _env_evidence(wrong), Fix(manual=_env_fix(facts, stage, wrong)), cause)
    evidence = [
        seen("client response", "error", "GoneException (410)"),
        seen(ROUTES_READ, "RouteKey", sorted(str(r.get("RouteKey")) for r in facts.routes)),
    ]
    evidence += [
        seen(ENV_READ, f"{arn.rsplit(':', 1)[-1]} Environment.{ep.name}", f"{ep.url} (this API and stage)")
        for arn, fn in backend_functions(facts).items()
        for ep in callback_endpoints(fn)
    ][:2]
    if route_by_key(facts, "$disconnect") is not None:
        return Hit(0.7, evidence, Fix(manual="Catch GoneException and delete the stored connection id"))
    targets = sorted(str(r["Target"]) for r in facts.routes if r.get("Target"))
    add = call(
        "apigatewayv2.create_route",
        {"ApiId": facts.api_id},
        RouteKey="$disconnect",
        Target=targets[0] if targets else "<integrations/id>",
    )
    fix = f"Catch GoneException, delete the id; {add} (handler removes ids), then {deploy(facts, symptom)}"
    return Hit(0.85, evidence, Fix(manual=fix))
