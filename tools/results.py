"""The one compact result shape every mutating tool returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .plan import Plan


class AppliedStep(BaseModel):
    operation: str
    resource_id: str
    request_id: str | None = None


class FailedStep(BaseModel):
    operation: str
    resource: str
    error: str


class ChangeResult(BaseModel):
    """A dry run fills ``plan``; an apply adds what was applied, what failed and what remains."""

    plan: Plan
    applied: list[AppliedStep] = Field(default_factory=list)
    failed: FailedStep | None = None
    remaining: list[str] = Field(default_factory=list)
    undo: str | None = None
    api_id: str | None = None
    endpoint: str | None = None
