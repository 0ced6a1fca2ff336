"""Accumulates a plan's steps, diff rows and warnings while a planner walks the spec."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from apigw_mcp.tools.engine.plan import DiffRow, Plan, Step


@dataclass
class Builder:
    steps: list[Step] = field(default_factory=list)
    diff: list[DiffRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(
        self, step_id: str, service: str, operation: str, effect: str, resource: str, params: dict[str, Any]
    ) -> None:
        self.steps.append(
            Step.model_validate(
                {
                    "id": step_id,
                    "service": service,
                    "operation": operation,
                    "effect": effect,
                    "resource": resource,
                    "params": params,
                }
            )
        )

    def change(
        self, action: str, resource: str, field_name: str = "", before: Any = None, after: Any = None
    ) -> None:
        self.diff.append(
            DiffRow.model_validate(
                {
                    "action": action,
                    "resource": resource,
                    "field": field_name,
                    "before": before,
                    "after": after,
                }
            )
        )

    def changes(self, resource: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        """One '~' row per field that differs."""
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                self.change("~", resource, key, before.get(key), after.get(key))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def summary(self, what: str, api_id: str | None) -> str:
        """One line for a plan on ``what`` (e.g. "HTTP API 'orders'"): no changes, or calls by effect."""
        if not self.steps:
            return f"No changes: {what} ({api_id or '?'}) already matches the request."
        tally = ", ".join(f"{n} to {effect}" for effect, n in Counter(s.effect for s in self.steps).items())
        target = f"{what} ({api_id})" if api_id else f"new {what}"
        return f"{len(self.steps)} AWS call(s) for {target}: {tally}."

    def plan(self, summary: str, account: str, region: str, caller: str) -> Plan:
        return Plan(
            summary=summary,
            account=account,
            region=region,
            caller=caller,
            steps=self.steps,
            diff=self.diff,
            warnings=self.warnings,
        )
