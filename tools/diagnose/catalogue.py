"""The rule catalogue shipped with the package (rules.yaml), loaded once on first use."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field


class CatalogueRule(BaseModel):
    id: str
    api_types: list[str]
    symptoms: list[int | str] = Field(default_factory=list)
    cause: str
    prior: str = "medium"
    evidence: list[str] = Field(default_factory=list)
    fix: str = ""
    redeploy: str = "n/a"
    source: str = ""
    also: list[str] = Field(default_factory=list)

    @property
    def statuses(self) -> set[int]:
        return {s for s in self.symptoms if isinstance(s, int)}

    @property
    def texts(self) -> list[str]:
        return [s.lower() for s in self.symptoms if isinstance(s, str)]


@cache
def catalogue() -> dict[str, CatalogueRule]:
    import yaml

    raw: dict[str, Any] = yaml.safe_load(resources.files(__package__).joinpath("rules.yaml").read_text())
    return {r["id"]: CatalogueRule.model_validate(r) for r in raw["rules"]}
