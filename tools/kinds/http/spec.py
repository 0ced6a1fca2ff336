"""Desired state of an HTTP API, normalised so that a live API reads into the same model.

One reconciler diffs live against desired. Children are matched by natural keys:
routes by route key, authorizers and stages by name, integrations by type +
target + method + payload version; never by position or id.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_STAGE = "$default"


class IntegrationSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["AWS_PROXY", "HTTP_PROXY"]
    uri: str
    method: str
    payload_format_version: str
    timeout_ms: int = 30000

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.type, self.uri, self.method, self.payload_format_version)

    def label(self) -> str:
        """``lambda:NAME`` (with ``(1.0)`` when not the default payload 2.0), or ``METHOD URL``."""
        if self.type == "AWS_PROXY":
            name = self.uri.split(":function:")[-1]
            return f"lambda:{name}" if self.payload_format_version == "2.0" else f"lambda:{name} (1.0)"
        return f"{self.method} {self.uri}"


class RouteSpec(BaseModel):
    """A route's backend and authorization; ``authorizer`` is the authorizer's name."""

    model_config = ConfigDict(frozen=True)

    integration: IntegrationSpec | None = None
    authorization: Literal["NONE", "JWT", "AWS_IAM", "CUSTOM"] = "NONE"
    authorizer: str | None = None
    scopes: tuple[str, ...] = ()

    def auth_label(self) -> str:
        if self.authorization in ("NONE", "AWS_IAM"):
            return self.authorization
        scopes = f" [{' '.join(self.scopes)}]" if self.scopes else ""
        return f"{self.authorization}:{self.authorizer}{scopes}"

    def label(self) -> str:
        target = self.integration.label() if self.integration else "no target"
        return target if self.authorization == "NONE" else f"{target} | {self.auth_label()}"


class AuthorizerSpec(BaseModel):
    """A JWT authorizer (issuer, audience) or a Lambda REQUEST authorizer (function ARN)."""

    model_config = ConfigDict(frozen=True)

    type: Literal["JWT", "REQUEST"]
    identity_source: tuple[str, ...] = ()
    issuer: str | None = None
    audience: tuple[str, ...] = ()
    function_arn: str | None = None
    payload_format_version: str | None = None
    simple_responses: bool = False
    ttl_seconds: int = 0

    def summary(self) -> dict[str, Any]:
        return self.model_dump(exclude_defaults=True, exclude_none=True)


class Throttle(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    burst: int = Field(ge=0, le=5000)
    rate: float = Field(ge=0, le=10000)

    def label(self) -> str:
        return f"burst {self.burst}, rate {self.rate:g}/s"


class AccessLog(BaseModel):
    model_config = ConfigDict(frozen=True)

    destination_arn: str
    format: str


class StageSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    auto_deploy: bool = True
    description: str = ""
    variables: dict[str, str] = Field(default_factory=dict)
    throttle: Throttle | None = None
    route_throttle: dict[str, Throttle] = Field(default_factory=dict)
    access_log: AccessLog | None = None


class HttpApiSpec(BaseModel):
    """Everything about an HTTP API that the tools own."""

    name: str
    description: str = ""
    cors: dict[str, Any] | None = None
    routes: dict[str, RouteSpec] = Field(default_factory=dict)
    authorizers: dict[str, AuthorizerSpec] = Field(default_factory=dict)
    stages: dict[str, StageSpec] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)

    def functions(self) -> list[str]:
        """Lambda functions this API invokes (route backends and authorizers), each needing a permission."""
        found = {
            r.integration.uri
            for r in self.routes.values()
            if r.integration and r.integration.type == "AWS_PROXY"
        }
        found |= {a.function_arn for a in self.authorizers.values() if a.function_arn}
        return sorted(found)
