"""Short text for diagnoses and audits; the structured content carries the same facts."""

from __future__ import annotations

import json
from typing import Any

from .audit import ApiAudit
from .model import Diagnosis, Fix


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def fix_text(fix: Fix) -> str:
    warning = " [widens trust: confirm first]" if fix.widens_trust else ""
    if fix.tool:
        return f"{fix.tool}({_value(fix.args or {})}){warning}"
    return f"manual: {fix.manual}{warning}" if fix.manual else "none"


def diagnosis_text(d: Diagnosis) -> str:
    lines = [f"{d.api_type} API {d.api_id}: {d.assumed}".rstrip(": ")]
    if not d.findings:
        lines.append("No rule matched the evidence.")
    for rank, f in enumerate(d.findings, start=1):
        lines.append(f"{rank}. [{f.confidence:.2f}] {f.rule_id}: {f.cause}")
        lines += [f"   seen: {e.read} {e.field} = {_value(e.value)}" for e in f.evidence]
        lines.append(f"   fix: {fix_text(f.fix)} (redeploy: {f.redeploy})")
        lines += [f"   confirm: {c}" for c in f.confirm]
    if d.next_checks:
        lines.append("Not conclusive; check next:")
        lines += [f"  - {c}" for c in d.next_checks]
    return "\n".join(lines)


def audit_text(audits: list[ApiAudit]) -> str:
    lines: list[str] = []
    for a in audits:
        lines.append(f"{a.type} API {a.name!r} {a.api_id}: {len(a.findings)} finding(s)")
        for f in a.findings:
            lines.append(f"  [{f.severity}] {f.rule_id}: {f.message} -> {fix_text(f.fix)}")
    return "\n".join(lines) or "No APIs in scope."
