"""Request rules: undefined stage variables, payload size, media types and request validation."""

from __future__ import annotations

import re
from fnmatch import fnmatch

from .facts import (
    STAGE_VARIABLE,
    matched_integration,
    matched_method,
    matched_stage,
    stage_name_of,
    stage_variables,
)
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_routing_helpers import (
    INTEG,
    METHOD,
    REST_API,
    call,
    deploy_call,
    kw,
    media_types,
    rest_ids,
    stage_read,
)


@rule("integration-uri-stage-variable-undefined")
def _stage_variable(facts: Facts, symptom: Symptom) -> Hit | None:
    stage, one = matched_stage(facts), matched_integration(facts)
    if stage is None:
        return None
    methods = [m for r in facts.resources for m in (r.get("resourceMethods") or {}).values()]
    integs = [one] if one else [m.get("methodIntegration") or {} for m in methods] + facts.integrations
    variables = stage_variables(facts)
    for integ in integs:
        uri = " ".join(
            str(integ.get(k) or "") for k in ("uri", "IntegrationUri", "connectionId", "ConnectionId")
        )
        names = list(dict.fromkeys(STAGE_VARIABLE.findall(uri)))
        missing = [n for n in names if n not in variables]
        bad = [n for n in names if n in variables and not re.fullmatch(r"[\w.:/?#&=,~-]+", str(variables[n]))]
        if not missing and not bad:
            continue
        ev = [
            seen("get_integration", "stage variables used", names),
            seen(stage_read(facts), "variables", sorted(variables)),
        ]
        ev.append(seen(stage_read(facts), "undefined" if missing else "empty or invalid", missing or bad))
        name, var = stage_name_of(stage), (missing or bad)[0]
        patch = [{"op": "replace", "path": f"/variables/{var}", "value": "<value>"}]
        fix = (
            call("apigateway.update_stage", restApiId=facts.api_id, stageName=name, patchOperations=patch)
            if facts.api_type == "REST"
            else f"deploy_stage(api_id={facts.api_id!r}, stage_name={name!r}, "
            f"variables=<all existing variables plus {var!r}>, dry_run=True)"
        )
        conf = (0.9 if missing else 0.7) if one else 0.6
        return Hit(conf, ev, Fix(manual=fix + "; grant Lambda permission for the function it resolves to"))
    return None


@rule("payload-too-large")
def _payload(facts: Facts, symptom: Symptom) -> Hit | None:
    said, logged = symptom.text(), " ".join(facts.logs.lines).lower()
    if symptom.status == 413 or "request entity too large" in said or "request_too_large" in said:
        return Hit(
            0.9, [seen("client response", "status/body", symptom.status or "Request Entity Too Large")]
        )
    if facts.api_type == "WEBSOCKET" and (
        symptom.status == 1009 or re.search(r"(?:code|status)\W*1009", said) or "message too big" in said
    ):
        return Hit(0.9, [seen("client websocket", "close code", 1009)])
    marks = ("requestentitytoolarge", "payload size exceeded", "body size is too long", "response size")
    for where, text in (("client response", said), ("logs.filter_log_events", logged)):
        mark = next((m for m in marks if m in text), None)
        if mark:
            return Hit(0.85, [seen(where, "message", mark)])
    return None


@rule("rest-binary-media-types-missing")
def _binary(facts: Facts, symptom: Symptom) -> Hit | None:
    listed = [str(t) for t in facts.api.get("binaryMediaTypes") or []]
    if "*/*" in listed:
        return None
    ev = [seen(REST_API, "binaryMediaTypes", listed)]
    if handling := (matched_integration(facts) or {}).get("contentHandling"):
        ev.append(seen(INTEG, "contentHandling", handling))
    if types := media_types(symptom, binary_only=True):
        unlisted = [t for t in types if not any(fnmatch(t, pat) for pat in listed)]
        if not unlisted:
            return None
        patch = [{"op": "add", "path": "/binaryMediaTypes/" + unlisted[0].replace("/", "~1"), "value": ""}]
        fix = call("apigateway.update_rest_api", restApiId=facts.api_id, patchOperations=patch)
        deploy = deploy_call(facts)
        return Hit(
            0.9, [*ev, seen("client request", "media type", unlisted[0])], Fix(manual=f"{fix}, then {deploy}")
        )
    said = symptom.text() + " ".join(facts.logs.lines).lower()
    if kw(symptom) == "binary-corruption":
        return Hit(0.5 if listed else 0.7, ev)
    if symptom.status == 500 and ("base64" in said or "binary" in said):
        return Hit(0.6, ev)
    return Hit(0.4, ev) if kw(symptom) == "wrong-response" and not listed else None


@rule("rest-unsupported-media-type")
def _unsupported(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = matched_integration(facts)
    if not integ or str(integ.get("type", "")).endswith("_PROXY"):
        return None
    behaviour = str(integ.get("passthroughBehavior") or "WHEN_NO_MATCH")
    templates = sorted(integ.get("requestTemplates") or {})
    sent = media_types(symptom)
    if (
        behaviour == "WHEN_NO_MATCH"
        or (behaviour == "WHEN_NO_TEMPLATES" and not templates)
        or set(sent) & set(templates)
    ):
        return None
    ev = [seen(INTEG, "passthroughBehavior", behaviour)]
    ev.append(seen(INTEG, "requestTemplates keys", templates))
    patch = [{"op": "replace", "path": "/passthroughBehavior", "value": "WHEN_NO_MATCH"}]
    fix = call("apigateway.update_integration", **rest_ids(facts), patchOperations=patch)
    return Hit(
        0.9 if sent or not templates else 0.7,
        ev,
        Fix(manual=f"{fix} (or add a template), then create_deployment"),
    )


@rule("rest-request-validation-failed")
def _validation(facts: Facts, symptom: Symptom) -> Hit | None:
    method = matched_method(facts)
    if not method or not method.get("requestValidatorId"):
        return None
    required = sorted(k for k, v in (method.get("requestParameters") or {}).items() if v)
    models = method.get("requestModels")
    ev = [seen(METHOD, "requestValidatorId", method["requestValidatorId"])]
    ev += [seen(METHOD, "required requestParameters", required)]
    ev += [seen(METHOD, "requestModels", models)] if models else []
    said = symptom.text()
    if "missing required request parameters" in said:
        return Hit(0.9 if required else 0.5, ev)
    return Hit(0.9 if models else 0.6, ev) if "invalid request body" in said else Hit(0.6, ev)
