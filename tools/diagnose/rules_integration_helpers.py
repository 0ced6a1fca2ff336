"""Integration helpers: error signals in logs and responses, the matched integration, boto3 calls.

Log lines and what the client saw are classified into signals ("task-timeout", "permission", ...): a signal
of the rule's own kind confirms it, a rival signal alone argues against it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .facts import (
    matched_integration,
    matched_method_entry,
    matched_route,
    request_stage,
    route_integration,
)
from .model import EvidenceItem, Facts, Symptom
from .registry import seen

LOG_READ = "logs.filter_log_events"
_SIGNALS: tuple[tuple[str, tuple[str, ...]], ...] = (  # first match wins for each line
    ("task-timeout", ("task timed out after",)),
    ("throttled", ("status: 429", "rate exceeded", "toomanyrequestsexception")),
    ("permission", ("invalid permissions on lambda function", "permissions to call the integration")),
    ("not-found", ("function not found",)),
    ("malformed", ("malformed lambda proxy response", "doesn't match the format that api gateway expects")),
    ("function-error", ("customer function error", "function returned the following error")),
    (
        "gw-timeout",
        ("endpoint request timed out", "timeout error", "integrationtimeout", "integration_timeout"),
    ),
    ("mapping", ("output mapping", "unable to transform request", "unable to transform response")),
    ("tls", ("sslengine", "pkix path", "does not match the certificate")),
    ("network", ("network error communicating with endpoint", "invalid endpoint address", "unknownhost")),
    ("vpc-link", ("internal error while executing your request", "vpc link", "vpclink")),
)
LAMBDA_SIGNALS = frozenset(
    {"task-timeout", "throttled", "permission", "not-found", "malformed", "function-error", "gw-timeout"}
)
_SECRETS = re.compile(r"(?i)(bearer\s+\S+|eyJ[\w-]{8,}\.[\w-]+\.[\w-]*|x-api-key[=:]\s*\S+)")


def quote(line: str) -> str:
    """A log line or error text fit for evidence: trimmed, tokens and key values masked."""
    return _SECRETS.sub("***", line.strip())[:240]


def signals(facts: Facts, symptom: Symptom) -> dict[str, EvidenceItem]:
    """Known error texts in the client's response and the stage's recent log lines, by kind."""
    found: dict[str, EvidenceItem] = {}
    sources = [("client response", symptom.text())] + [(LOG_READ, line) for line in facts.logs.lines]
    for read, text in sources:
        low = text.lower()
        tag = next((t for t, needles in _SIGNALS if any(n in low for n in needles)), None)
        if tag and tag not in found:
            found[tag] = seen(
                read, "message" if read != LOG_READ else facts.logs.group or "line", quote(text)
            )
    return found


def conflicts(sig: dict[str, EvidenceItem], own: set[str], rivals: frozenset[str]) -> bool:
    """A rival cause's error text is present and none of this rule's own."""
    return not own & sig.keys() and bool((rivals - own) & sig.keys())


def unsure(facts: Facts, base: float) -> float:
    """Confidence without confirming evidence: lower when logs were read and said nothing about it."""
    return round(base * 0.6, 2) if facts.logs.lines else base


def said(symptom: Symptom, *needles: str) -> bool:
    return any(n in symptom.text() for n in needles)


def json_of(text: str | None) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return None


def call(op: str, ids: dict[str, str], **kwargs: object) -> str:
    """A boto3 call as text, the real ids filled in; "<...>" strings stay as placeholders."""
    args = {**ids, **kwargs}
    shown = [
        f"{k}={v if isinstance(v, str) and v.startswith('<') else json.dumps(v)}" for k, v in args.items()
    ]
    return f"{op}({', '.join(shown)})"


@dataclass(frozen=True)
class Integ:
    """The matched route's or method's integration, the same shape for REST and v2."""

    read: str
    raw: dict[str, Any]
    type: str
    uri: str
    timeout_ms: int
    connection: str
    connection_id: str
    payload: str
    credentials: str
    params: dict[str, Any]
    ids: dict[str, str]  # the keyword arguments naming it in a boto3 call

    @property
    def v2(self) -> bool:
        return self.read.startswith("apigatewayv2")

    def seen(self, field: str, value: object) -> EvidenceItem:
        """Evidence about this integration, the field named as the API spells it."""
        return seen(self.read, _V2_NAMES.get(field, field) if self.v2 else field, value)


_REST_KEYS = (
    "type", "uri", "timeoutInMillis", "connectionType", "connectionId", "credentials", "requestParameters",
)  # fmt: skip
_V2_KEYS = (
    "IntegrationType", "IntegrationUri", "TimeoutInMillis", "ConnectionType", "ConnectionId",
    "CredentialsArn", "RequestParameters",
)  # fmt: skip
_V2_NAMES = dict(zip(_REST_KEYS, _V2_KEYS, strict=True))


def _integ(read: str, raw: dict[str, Any], keys: tuple[str, ...], cap: int, ids: dict[str, str]) -> Integ:
    kind, uri, timeout, conn, conn_id, creds, params = (raw.get(k) for k in keys)
    payload = "1.0" if read.startswith("apigateway.") else str(raw.get("PayloadFormatVersion") or "")
    return Integ(
        read, raw, kind or "", uri or "", timeout or cap, conn or "INTERNET", conn_id or "", payload,
        creds or "", params or {}, ids,
    )  # fmt: skip


def integration_of_route(facts: Facts, route: dict[str, Any] | None) -> Integ | None:
    raw = route_integration(facts, route)
    cap = 29000 if facts.api_type == "WEBSOCKET" else 30000
    ids = {"ApiId": facts.api_id, "IntegrationId": str((raw or {}).get("IntegrationId") or "")}
    return _integ("apigatewayv2.get_integration", raw, _V2_KEYS, cap, ids) if raw else None


def integration(facts: Facts) -> Integ | None:
    """The integration that serves the matched request, or None when nothing matched."""
    if facts.api_type != "REST":
        return integration_of_route(facts, matched_route(facts))
    raw, found = matched_integration(facts), matched_method_entry(facts)
    if raw is None or found is None:
        return None
    ids = {"restApiId": facts.api_id, "resourceId": facts.match.resource_id or "", "httpMethod": found[0]}
    return _integ("apigateway.get_integration", raw, _REST_KEYS, 29000, ids)


def patched(facts: Facts, symptom: Symptom, integ: Integ, patch: list[dict[str, str]]) -> str:
    """A REST integration patch and the redeployment it needs."""
    update = call("apigateway.update_integration", integ.ids, patchOperations=patch)
    return f"{update} then {deploy(facts, symptom)}"


def deploy(facts: Facts, symptom: Symptom) -> str:
    stage = request_stage(facts, symptom) or "<stage>"
    if facts.api_type == "REST":
        return call("apigateway.create_deployment", {"restApiId": facts.api_id}, stageName=stage)
    return (
        call("apigatewayv2.create_deployment", {"ApiId": facts.api_id}, StageName=stage)
        + " unless AutoDeploy"
    )
