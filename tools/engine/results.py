"""The one compact result shape every mutating tool returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.redact import redact


class AppliedStep(BaseModel):
    operation: str
    resource_id: str
    request_id: str | None = None


class FailedStep(BaseModel):
    operation: str
    resource: str
    error: str


class ChangeResult(BaseModel):
    """A dry run fills ``plan``; an apply adds what was applied, what failed and what remains.

    ``blocked``: why applying the previewed plan would be refused now (deletes off), so the
    preview can still show it.
    """

    plan: Plan
    applied: list[AppliedStep] = Field(default_factory=list)
    failed: FailedStep | None = None
    remaining: list[str] = Field(default_factory=list)
    undo: str | None = None
    api_id: str | None = None
    endpoint: str | None = None
    blocked: str | None = None
    preview_warnings: int = 0  # how many of plan.warnings the preview already showed

    def public(self) -> ChangeResult:
        """As shown to the client: secret-named values in the steps and the diff masked."""
        plan = self.plan.model_copy(
            update={
                "steps": [s.model_copy(update={"params": redact(s.params)}) for s in self.plan.steps],
                "diff": [
                    r.model_copy(update={"before": redact(r.before), "after": redact(r.after)})
                    for r in self.plan.diff
                ],
            }
        )
        return self.model_copy(update={"plan": plan})
