"""audit_api's shape and check registry: findings with severity, evidence and a fix; shared helpers (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field

from .model import EvidenceItem, Facts, Fix

Severity = Literal["high", "medium", "low"]


class AuditFinding(BaseModel):
    rule_id: str
    severity: Severity
    message: str
    evidence: list[EvidenceItem] = Field(default_factory=list)
    fix: Fix = Field(default_factory=Fix)


class ApiAudit(BaseModel):
    api_id: str
    name: str
    type: str
    findings: list[AuditFinding] = Field(default_factory=list)


Check = Callable[[Facts], Iterator[AuditFinding]]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def finding(
    rule_id: str, severity: Severity, message: str, read: str, field: str, value: Any, fix: Fix | None = None
) -> AuditFinding:
    return AuditFinding(
        rule_id=rule_id,
        severity=severity,
        message=message,
        evidence=[EvidenceItem(read=read, field=field, value=value)],
        fix=fix or Fix(),
    )


def rest_methods(facts: Facts) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for resource in facts.resources:
        for method, spec in (resource.get("resourceMethods") or {}).items():
            if method != "OPTIONS":
                yield resource.get("path", "?"), method, spec


def stages_read(facts: Facts) -> str:
    return "apigateway.get_stages" if facts.api_type == "REST" else "apigatewayv2.get_stages"
