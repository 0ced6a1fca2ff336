"""Which reads a diagnosis needs, decided from what was read so far (pure; ``server/reads/diagnose.py``)."""

from __future__ import annotations

from typing import Any

from .callbacks import backend_functions
from .facts import matched_stage
from .model import Facts, Symptom
from .uris import lambda_arn_of

_THROTTLE_TEXTS = ("429", "throttl", "rate exceeded", "toomanyrequests", "concurrency")
MAX_ROLES = 3


def function_arns(parts: dict[str, Any]) -> list[str]:
    """Every Lambda function an integration, an authorizer or a REST method integration names."""
    uris = [i.get("IntegrationUri") for i in parts.get("integrations", [])]
    uris += [a.get("AuthorizerUri") or a.get("authorizerUri") for a in parts.get("authorizers", [])]
    for resource in parts.get("resources", []):
        uris += [
            (m.get("methodIntegration") or {}).get("uri")
            for m in (resource.get("resourceMethods") or {}).values()
        ]
    return sorted({arn for uri in uris if (arn := lambda_arn_of(uri))})


def fits_throttling(symptom: Symptom | None) -> bool:
    """A symptom a throttled Lambda function can cause: its reserved concurrency is then read."""
    if symptom is None:
        return False
    status = symptom.status in (429, 500, 502, 503) or symptom.keyword == "throttle"
    return status or any(t in symptom.text() for t in _THROTTLE_TEXTS)


def wants_account(kind: str, symptom: Symptom | None) -> bool:
    """The account's CloudWatch role decides whether REST/WebSocket logging can work: read for no-logs."""
    if kind == "HTTP" or symptom is None:
        return False
    return symptom.keyword == "no-logs" or "cloudwatch" in symptom.text()


def log_group(facts: Facts) -> str | None:
    """The matched stage's access log group, else its execution log group when execution logging is on."""
    stage = matched_stage(facts)
    if stage is None:
        return None
    access = stage.get("AccessLogSettings") or stage.get("accessLogSettings") or {}
    arn = access.get("DestinationArn") or access.get("destinationArn")
    if arn:
        return str(arn).split(":log-group:", 1)[-1].removesuffix(":*")
    levels = {str(v.get("loggingLevel", "OFF")) for v in (stage.get("methodSettings") or {}).values()}
    if levels - {"OFF"}:
        return f"API-Gateway-Execution-Logs_{facts.api_id}/{facts.match.stage}"
    return None


def callback_roles(facts: Facts) -> list[str]:
    """The execution roles of the WebSocket API's Lambda integrations (at most ``MAX_ROLES``)."""
    return sorted({fn.role for fn in backend_functions(facts).values() if fn.role})[:MAX_ROLES]
