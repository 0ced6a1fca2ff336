"""No diagnosis fix widens trust on the word of the failing request, for every rule.

Every positive case of every rule family is run again through the engine with the
request's values replaced by an attacker's (a token's audience, issuer and client id,
the Origin, the path, ARNs quoted in the error text). Wherever one of those values
ends up in a fix, the fix must be marked ``widens_trust`` and the finding must name the
value as one to confirm; and the fix's tool must then warn what becomes trusted.
"""

from __future__ import annotations

import json

import pytest

from apigw_mcp.tools.diagnose.engine import diagnose
from apigw_mcp.tools.diagnose.model import Claims, Facts, Finding, Symptom
from tests import test_diag_auth, test_diag_integration, test_diag_routing, test_diag_traffic

ATTACKER = {
    "aud": "attacker-client-7f3a",
    "iss": "https://attacker-idp.example",
    "client_id": "attacker-app-7f3a",
    "azp": "attacker-party-7f3a",
}
ORIGIN = "https://attacker-site.example"
ARN = "arn:aws:iam::999999999999:role/attacker-7f3a"
PLANTED = [*ATTACKER.values(), ORIGIN, ARN, "/attacker-7f3a"]
CASES = [
    case
    for module in (test_diag_auth, test_diag_integration, test_diag_traffic)
    for case in module.CASES
    if case[3]
] + [(*case, True) for case in test_diag_routing.POSITIVE]


def _attacked(symptom: Symptom) -> Symptom:
    claims = symptom.claims
    if claims is not None:
        payload = {k: ATTACKER.get(k, v) if k in ATTACKER else v for k, v in claims.payload.items()}
        claims = Claims(header=claims.header, payload=payload)
    text = f" {ARN} is not authorized" if symptom.status in (403, 500) else ""
    return symptom.model_copy(
        update={
            "claims": claims,
            "origin": ORIGIN if symptom.origin else None,
            "path": f"{symptom.path.rstrip('/')}/attacker-7f3a" if symptom.path else None,
            "message": (symptom.message or "") + text or None,
        }
    )


def _written(finding: Finding) -> str:
    return json.dumps(finding.fix.args or {}) + (finding.fix.manual or "")


@pytest.mark.parametrize(("rule_id", "facts", "symptom"), [c[:3] for c in CASES], ids=[c[0] for c in CASES])
def test_request_values_in_a_fix_are_marked_and_named(rule_id: str, facts: Facts, symptom: Symptom) -> None:
    for candidate in (symptom, _attacked(symptom)):
        for finding in diagnose(facts, candidate).findings:
            taken = [v for v in PLANTED if v in _written(finding)]
            if not taken:
                continue
            assert finding.fix.widens_trust, (finding.rule_id, taken)
            assert all(any(v in c for c in finding.confirm) for v in taken), finding.confirm


def _finding(rule_id: str, facts: Facts, symptom: Symptom) -> Finding:
    found = {f.rule_id: f for f in diagnose(facts, symptom).findings}
    assert rule_id in found, list(found)
    return found[rule_id]


def test_an_audience_taken_from_the_token_is_marked() -> None:
    facts = test_diag_auth.jwt_route()
    finding = _finding("http-jwt-audience-mismatch", facts, test_diag_auth.token(aud="web-client"))
    assert finding.fix.tool == "add_jwt_authorizer" and finding.fix.widens_trust
    assert any("audience 'web-client'" in c for c in finding.confirm)


def test_fixes_without_request_values_are_not_marked() -> None:
    marked = 0
    for rule_id, facts, symptom, _ in CASES:
        for finding in diagnose(facts, symptom).findings:
            if finding.fix.widens_trust:
                marked += 1
                assert finding.confirm, rule_id
            else:
                assert not finding.confirm, rule_id
    assert marked, "some positive case takes a value from the request"
