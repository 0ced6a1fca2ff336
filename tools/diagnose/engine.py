"""Run every rule that fits the API type and symptom, rank the hits, and say what to check next."""

from __future__ import annotations

from .asks import known_keyword, token_ask
from .catalogue import CatalogueRule, catalogue
from .matching import match_request
from .model import Diagnosis, Facts, Finding, Fix, Symptom
from .registry import RULES
from .trust import mark

_PRIOR = {"high": 1.0, "medium": 0.9, "low": 0.75}
MAX_FINDINGS = 3
FLOOR = 0.25
CONCLUSIVE = 0.5


def _load_rules() -> None:
    from . import rules_auth, rules_integration, rules_routing, rules_traffic  # noqa: F401  (registration)


def symptom_weight(entry: CatalogueRule, symptom: Symptom) -> float:
    """How well the reported symptom fits the rule: 0 rules it out; an exact error text raises it."""
    status = None if symptom.status is None or not entry.statuses else symptom.status in entry.statuses
    keyword = None if symptom.keyword is None else symptom.keyword.lower() in entry.texts
    if False in (status, keyword) and True not in (status, keyword):
        return 0.0
    weight = 0.6 if False in (status, keyword) else 1.0
    said = symptom.text()
    if said and any(len(t) > 12 and t in said for t in entry.texts):
        weight *= 1.25
    return weight


def diagnose(facts: Facts, symptom: Symptom) -> Diagnosis:
    _load_rules()
    symptom, keyword_note = known_keyword(symptom)
    facts = facts.model_copy(update={"match": match_request(facts, symptom)})
    rules = catalogue()
    findings: list[Finding] = []
    candidates: list[CatalogueRule] = []
    for rule_id, predicate in RULES.items():
        entry = rules[rule_id]
        weight = symptom_weight(entry, symptom)
        if facts.api_type not in entry.api_types or weight == 0:
            continue
        candidates.append(entry)
        hit = predicate(facts, symptom)
        if hit is None:
            continue
        finding = Finding(
            rule_id=rule_id,
            cause=hit.cause or entry.cause,
            confidence=round(min(1.0, hit.confidence * weight * _PRIOR.get(entry.prior, 0.9)), 2),
            evidence=hit.evidence,
            fix=hit.fix or Fix(manual=" ".join(entry.fix.split())),
            redeploy=entry.redeploy,
        )
        findings.append(mark(finding, facts, symptom))
    findings.sort(key=lambda f: (-f.confidence, -len(f.evidence), f.rule_id))
    asked = token_ask(facts, symptom)
    return Diagnosis(
        api_id=facts.api_id,
        api_type=facts.api_type,
        assumed="; ".join(a for a in (facts.match.assumed, keyword_note) if a),
        findings=[f for f in findings if f.confidence >= FLOOR][:MAX_FINDINGS],
        next_checks=([asked] if asked else []) + _next_checks(findings, candidates),
    )


def _next_checks(findings: list[Finding], candidates: list[CatalogueRule]) -> list[str]:
    if findings and findings[0].confidence >= CONCLUSIVE:
        return []
    found = {f.rule_id for f in findings}
    ranked = sorted((c for c in candidates if c.id not in found), key=lambda c: -_PRIOR.get(c.prior, 0.9))
    return [f"{c.id}: {c.evidence[0]}" for c in ranked[:3] if c.evidence]
