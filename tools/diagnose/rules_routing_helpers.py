"""Routing helpers: boto3 calls as text, paths, deployments, policies, logging (the lookups: ``facts``)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from .facts import matched_method_entry, serves
from .matching_paths import split_request
from .model import Facts, Symptom

Raw = dict[str, Any]
_MEDIA = re.compile(r"\b(?:application|image|audio|video|font|text|multipart)/[a-z0-9.+*-]+")
_TEXTUAL = ("application/json", "application/xml", "application/x-www-form-urlencoded", "text/")
LOG_ON = ("ERROR", "INFO")
STAGES = "apigateway.get_stages"
V2_STAGES = "apigatewayv2.get_stages"
RESOURCES = "apigateway.get_resources"
METHOD = "apigateway.get_method"
INTEG = "apigateway.get_integration"
REST_API = "apigateway.get_rest_api"
ROUTES = "apigatewayv2.get_routes"


def call(op: str, **kwargs: object) -> str:
    """A boto3 call with the real ids filled in, as text for Fix(manual=...)."""
    return f"{op}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def kw(symptom: Symptom) -> str:
    return (symptom.keyword or "").lower()


def is_mat(symptom: Symptom) -> bool:
    """The client saw API Gateway's disguised 404, "Missing Authentication Token"."""
    said = symptom.text()
    return "missing authentication token" in said or "missingauthenticationtoken" in said


def stage_read(facts: Facts) -> str:
    return STAGES if facts.api_type == "REST" else V2_STAGES


def deploy_call(facts: Facts, stage: str | None = None) -> str:
    return call("apigateway.create_deployment", restApiId=facts.api_id, stageName=stage or facts.match.stage)


def rest_ids(facts: Facts) -> dict[str, object]:
    """restApiId, resourceId, httpMethod of the matched REST method (httpMethod "ANY" when ANY serves it)."""
    found = matched_method_entry(facts)
    verb = found[0] if found else facts.match.method
    return {"restApiId": facts.api_id, "resourceId": facts.match.resource_id, "httpMethod": verb}


def split(path: str | None) -> list[str]:
    return [p for p in (path or "").split("/") if p]


def resolves(facts: Facts, method: str | None, path: str) -> bool:
    """Whether the API's current configuration has a resource+method or route for the request."""
    return serves(facts, method, tuple(split(path)))


def request_url(symptom: Symptom) -> tuple[str, list[str]]:
    """The host the client called ("" when only a path was given) and the path segments."""
    host, segs = split_request(symptom.path or "")
    return (host or "").lower(), list(segs)


def join(segs: list[str]) -> str:
    return "/" + "/".join(segs)


def ts(value: object) -> float | None:
    """Epoch seconds from a boto3 datetime, an ISO string or a number."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def newest_deployment(facts: Facts) -> Raw | None:
    dated = [(ts(d.get("createdDate", d.get("CreatedDate"))), d) for d in facts.deployments]
    known = [(t, d) for t, d in dated if t is not None]
    return max(known, key=lambda td: td[0])[1] if known else None


def policy_doc(raw: object) -> Raw | None:
    """The REST resource policy (get_rest_api returns it as an escaped JSON string)."""
    for _ in range(3):
        if not isinstance(raw, str) or not raw.strip():
            break
        text: str = raw
        try:
            raw = json.loads(text)
        except ValueError:
            raw = text.replace('\\"', '"').replace("\\\\", "\\")
    return raw if isinstance(raw, dict) else None


def stage_logging_on(facts: Facts, stage: Raw) -> bool:
    if facts.api_type == "REST":
        levels = [s.get("loggingLevel") for s in (stage.get("methodSettings") or {}).values()]
        return any(lv in LOG_ON for lv in levels) or bool(
            (stage.get("accessLogSettings") or {}).get("destinationArn")
        )
    level = (stage.get("DefaultRouteSettings") or {}).get("LoggingLevel")
    return level in LOG_ON or bool((stage.get("AccessLogSettings") or {}).get("DestinationArn"))


def media_types(symptom: Symptom, binary_only: bool = False) -> list[str]:
    found = list(dict.fromkeys(_MEDIA.findall(symptom.text())))
    return [m for m in found if not m.startswith(_TEXTUAL)] if binary_only else found
