"""What diagnosis works on (the symptom, the gathered facts) and what it returns (ranked findings)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, PrivateAttr

ApiType = Literal["HTTP", "REST", "WEBSOCKET"]
T = TypeVar("T")


class Claims(BaseModel):
    """A JWT's header and payload, decoded locally without verification; the token itself is never kept."""

    header: dict[str, Any] = Field(default_factory=dict)
    payload: dict[str, Any] = Field(default_factory=dict)


class Symptom(BaseModel):
    status: int | None = None
    keyword: str | None = None
    method: str | None = None
    path: str | None = None
    stage: str | None = None
    error_body: str | None = None
    error_type: str | None = None
    message: str | None = None
    origin: str | None = None
    claims: Claims | None = None
    now: float | None = Field(default=None, description="epoch seconds, to judge token expiry")

    def text(self) -> str:
        """Everything the client saw, lower-cased, for case-insensitive substring matching."""
        return " ".join(t for t in (self.error_body, self.error_type, self.message) if t).lower()


class Match(BaseModel):
    """What would serve the request: an HTTP/WebSocket route, a REST resource and method, or nothing."""

    kind: Literal["route", "resource", "none"] = "none"
    route_key: str | None = None
    route_id: str | None = None
    resource_id: str | None = None
    resource_path: str | None = None
    method: str | None = None
    stage: str | None = None
    path: str | None = None
    assumed: str = ""


class FunctionFacts(BaseModel):
    """One Lambda function an integration or authorizer names (``lambda.get_function``, ``get_policy``).

    ``reserved_concurrency``: None when nothing is reserved; 0 throttles every invocation.
    ``callback_env``: only the environment variables whose values point at execute-api / @connections
    (a WebSocket callback URL): other values can be secrets and are never kept.
    """

    exists: bool = True
    policy: str | None = None
    timeout_s: int | None = None
    state: str | None = None
    reserved_concurrency: int | None = None
    role: str | None = None
    callback_env: dict[str, str] = Field(default_factory=dict)


class RoleFacts(BaseModel):
    """A function's execution role and its policy documents (``iam.*``), read for WebSocket callbacks.

    ``inline`` maps policy name to document, ``attached`` policy ARN to its default version's
    document (None when it could not be read); ``unreadable`` names the IAM error that stopped the read.
    """

    arn: str
    inline: dict[str, Any] = Field(default_factory=dict)
    attached: dict[str, Any] = Field(default_factory=dict)
    unreadable: str | None = None

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


class LogFacts(BaseModel):
    enabled: bool = False
    group: str | None = None
    lines: list[str] = Field(default_factory=list)


class Facts(BaseModel):
    """Everything read from AWS for one diagnosis (raw AWS dicts, as boto3 returns them)."""

    api_type: ApiType
    api_id: str
    region: str
    account: str
    api: dict[str, Any] = Field(default_factory=dict)
    routes: list[dict[str, Any]] = Field(default_factory=list)
    integrations: list[dict[str, Any]] = Field(default_factory=list)
    authorizers: list[dict[str, Any]] = Field(default_factory=list)
    stages: list[dict[str, Any]] = Field(default_factory=list)
    resources: list[dict[str, Any]] = Field(default_factory=list)
    deployments: list[dict[str, Any]] = Field(default_factory=list)
    gateway_responses: list[dict[str, Any]] = Field(default_factory=list)
    usage_plans: list[dict[str, Any]] = Field(default_factory=list)
    api_keys: list[dict[str, Any]] = Field(default_factory=list)
    domains: list[dict[str, Any]] = Field(default_factory=list)
    functions: dict[str, FunctionFacts] = Field(default_factory=dict)
    roles: dict[str, RoleFacts] = Field(default_factory=dict)
    logs: LogFacts = Field(default_factory=LogFacts)
    waf_acl_arn: str | None = None
    apigw_account: dict[str, Any] | None = Field(
        default=None, description="apigateway.get_account (read for no-logs symptoms; None: not read)"
    )
    match: Match = Field(default_factory=Match)
    _lookups: dict[str, Any] = PrivateAttr(default_factory=dict)

    def once(self, name: str, compute: Callable[[Facts], T]) -> T:
        """``compute(self)``, cached for as long as the match and the evidence lists are the same objects."""
        stamp = (self.match, self.routes, self.resources, self.stages, self.integrations, self.authorizers)
        seen: tuple[Any, ...] = self._lookups.get("", ())
        if len(seen) != len(stamp) or any(a is not b for a, b in zip(seen, stamp, strict=True)):
            self._lookups = {"": stamp}  # a fresh dict: a model_copy shares the old one
        if name not in self._lookups:
            self._lookups[name] = compute(self)
        value: T = self._lookups[name]
        return value


class EvidenceItem(BaseModel):
    read: str
    field: str
    value: Any = None


class Fix(BaseModel):
    """A ready call of one of our tools (dry run first), or the exact AWS change marked manual.

    ``widens_trust``: the fix writes a value the failing request supplied (see ``trust.py``).
    """

    tool: str | None = None
    args: dict[str, Any] | None = None
    manual: str | None = None
    widens_trust: bool = False


class Finding(BaseModel):
    rule_id: str
    cause: str
    confidence: float
    evidence: list[EvidenceItem] = Field(default_factory=list)
    fix: Fix = Field(default_factory=Fix)
    redeploy: str = "n/a"
    confirm: list[str] = Field(default_factory=list)


class Diagnosis(BaseModel):
    api_id: str
    api_type: ApiType
    assumed: str = ""
    findings: list[Finding] = Field(default_factory=list)
    next_checks: list[str] = Field(default_factory=list)
