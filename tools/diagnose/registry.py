"""Rule predicates register here by catalogue id; each reads Facts and the Symptom, returns a Hit or None."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from apigw_mcp.tools.engine.redact import redact

from .model import EvidenceItem, Facts, Fix, Symptom


@dataclass(frozen=True)
class Hit:
    """A rule that fits: how sure (0-1) given the evidence, what was seen, and the fix."""

    confidence: float
    evidence: list[EvidenceItem] = field(default_factory=list)
    fix: Fix | None = None
    cause: str | None = None


RuleFn = Callable[[Facts, Symptom], Hit | None]
RULES: dict[str, RuleFn] = {}


def rule(rule_id: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id!r} registered twice")
        RULES[rule_id] = fn
        return fn

    return register


def seen(read: str, field_name: str, value: object = None) -> EvidenceItem:
    """Shorthand for one piece of evidence: which AWS read, which field, the value seen (secrets masked)."""
    return EvidenceItem(read=read, field=field_name, value=redact({field_name: value})[field_name])
