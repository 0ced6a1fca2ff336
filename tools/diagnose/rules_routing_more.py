"""Helpers shared with rules_routing, plus the payload, media-type, validation, logging and cache rules."""

from __future__ import annotations

import json
import re
from datetime import datetime
from fnmatch import fnmatch
from typing import Any

from .matching import split_request, template_ranks
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen

Raw = dict[str, Any]
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_MEDIA = re.compile(r"\b(?:application|image|audio|video|font|text|multipart)/[a-z0-9.+*-]+")
_TEXTUAL = ("application/json", "application/xml", "application/x-www-form-urlencoded", "text/")
_ON = ("ERROR", "INFO")
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


def name_of(stage: Raw) -> str:
    return str(stage.get("stageName") or stage.get("StageName") or "")


def stage_names(facts: Facts) -> list[str]:
    return [name_of(s) for s in facts.stages]


def stage_read(facts: Facts) -> str:
    return STAGES if facts.api_type == "REST" else V2_STAGES


def deploy_call(facts: Facts, stage: str | None = None) -> str:
    return call("apigateway.create_deployment", restApiId=facts.api_id, stageName=stage or facts.match.stage)


def matched_stage(facts: Facts) -> Raw | None:
    return next((s for s in facts.stages if facts.match.stage and name_of(s) == facts.match.stage), None)


def matched_method(facts: Facts) -> Raw | None:
    """The REST resourceMethods entry that serves the request."""
    res = next((r for r in facts.resources if r.get("id") == facts.match.resource_id), None)
    methods: Raw = (res or {}).get("resourceMethods") or {}
    found = methods.get((facts.match.method or "").upper()) or methods.get("ANY")
    return found if isinstance(found, dict) else None


def matched_route(facts: Facts) -> Raw | None:
    return next(
        (r for r in facts.routes if facts.match.route_id and r.get("RouteId") == facts.match.route_id), None
    )


def matched_integration(facts: Facts) -> Raw | None:
    """REST methodIntegration, or the integration behind the matched HTTP/WebSocket route."""
    if facts.api_type == "REST":
        integ = (matched_method(facts) or {}).get("methodIntegration")
        return integ if isinstance(integ, dict) else None
    target = str((matched_route(facts) or {}).get("Target") or "").removeprefix("integrations/")
    return next((i for i in facts.integrations if target and i.get("IntegrationId") == target), None)


def _ids(facts: Facts) -> dict[str, object]:
    """restApiId, resourceId, httpMethod of the matched REST method (httpMethod "ANY" when ANY serves it)."""
    verb = (matched_method(facts) or {}).get("httpMethod") or facts.match.method
    return {"restApiId": facts.api_id, "resourceId": facts.match.resource_id, "httpMethod": verb}


def split(path: str | None) -> list[str]:
    return [p for p in (path or "").split("/") if p]


def request_url(symptom: Symptom) -> tuple[str, list[str]]:
    """The host the client called ("" when only a path was given) and the path segments."""
    host, segs = split_request(symptom.path or "")
    return (host or "").lower(), list(segs)


def join(segs: list[str]) -> str:
    return "/" + "/".join(segs)


def path_matches(template: str, path: str) -> bool:
    """A resource path or route path template ({p}, {p+}) against a concrete path (the matcher's rules)."""
    return template_ranks(template, tuple(split(path))) is not None


def resolves(facts: Facts, method: str | None, path: str) -> bool:
    """Whether the API's current configuration has a resource+method or route for the request."""
    verb = (method or "").upper()
    if facts.api_type == "REST":
        return any(
            path_matches(str(r.get("path", "")), path)
            and (
                not verb
                or verb in (r.get("resourceMethods") or {})
                or "ANY" in (r.get("resourceMethods") or {})
            )
            for r in facts.resources
        )
    for route in facts.routes:
        key_verb, _, tpl = str(route.get("RouteKey", "")).partition(" ")
        if key_verb == "$default" or ((key_verb in ("ANY", verb) or not verb) and path_matches(tpl, path)):
            return True
    return False


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


def method_settings(facts: Facts, stage: Raw) -> Raw:
    """REST methodSettings for the matched method: "*/*" overlaid with the method's own entry."""
    every: Raw = stage.get("methodSettings") or {}
    merged: Raw = dict(every.get("*/*") or {})
    path, verb = facts.match.resource_path or "", (facts.match.method or "").upper()
    keys = (f"{path.replace('/', '~1')}/{verb}", f"{path.lstrip('/')}/{verb}", f"{path}/{verb}")
    merged.update(next((every[k] for k in keys if path and verb and k in every), {}))
    return merged


def stage_logging_on(facts: Facts, stage: Raw) -> bool:
    if facts.api_type == "REST":
        levels = [s.get("loggingLevel") for s in (stage.get("methodSettings") or {}).values()]
        return any(lv in _ON for lv in levels) or bool(
            (stage.get("accessLogSettings") or {}).get("destinationArn")
        )
    level = (stage.get("DefaultRouteSettings") or {}).get("LoggingLevel")
    return level in _ON or bool((stage.get("AccessLogSettings") or {}).get("DestinationArn"))


def media_types(symptom: Symptom, binary_only: bool = False) -> list[str]:
    found = list(dict.fromkeys(_MEDIA.findall(symptom.text())))
    return [m for m in found if not m.startswith(_TEXTUAL)] if binary_only else found


@rule("integration-uri-stage-variable-undefined")
def _stage_variable(facts: Facts, symptom: Symptom) -> Hit | None:
    stage, one = matched_stage(facts), matched_integration(facts)
    if stage is None:
        return None
    methods = [m for r in facts.resources for m in (r.get("resourceMethods") or {}).values()]
    integs = [one] if one else [m.get("methodIntegration") or {} for m in methods] + facts.integrations
    variables: Raw = stage.get("variables") or stage.get("StageVariables") or {}
    for integ in integs:
        uri = " ".join(
            str(integ.get(k) or "") for k in ("uri", "IntegrationUri", "connectionId", "ConnectionId")
        )
        names = list(dict.fromkeys(_STAGE_VAR.findall(uri)))
        missing = [n for n in names if n not in variables]
        bad = [n for n in names if n in variables and not re.fullmatch(r"[\w.:/?#&=,~-]+", str(variables[n]))]
        if not missing and not bad:
            continue
        ev = [
            seen("get_integration", "stage variables used", names),
            seen(stage_read(facts), "variables", sorted(variables)),
        ]
        ev.append(seen(stage_read(facts), "undefined" if missing else "empty or invalid", missing or bad))
        name, var = name_of(stage), (missing or bad)[0]
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
    fix = call("apigateway.update_integration", **_ids(facts), patchOperations=patch)
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


@rule("rest-account-cloudwatch-role-missing")
def _account_role(facts: Facts, symptom: Symptom) -> Hit | None:
    note = seen("apigateway.get_account", "cloudwatchRoleArn", "not read (not in Facts)")
    if "cloudwatch logs role arn must be set" in symptom.text():
        return Hit(0.9, [seen("client response", "message", "CloudWatch Logs role ARN must be set"), note])
    stage = matched_stage(facts)
    if facts.api_type != "REST" or kw(symptom) != "no-logs" or stage is None:
        return None
    levels = {k: v.get("loggingLevel") for k, v in (stage.get("methodSettings") or {}).items()}
    if not any(lv in _ON for lv in levels.values()):
        return None
    return Hit(0.5, [seen(STAGES, "methodSettings loggingLevel", levels), note])


@rule("rest-execution-logging-off")
def _exec_logging(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None or facts.logs.enabled:
        return None
    name, conf = name_of(stage), 0.9 if kw(symptom) == "no-logs" else 0.3
    level = method_settings(facts, stage).get("loggingLevel") or "OFF"
    rest_on = level in _ON or (stage.get("accessLogSettings") or {}).get("destinationArn")
    if rest_on if facts.api_type == "REST" else stage_logging_on(facts, stage):
        return None
    if facts.api_type == "REST":
        group = (
            f"arn:aws:logs:{facts.region}:{facts.account}:log-group:API-Gateway-Access-Logs_{facts.api_id}"
        )
        group += f"/{name}"
        patch = [
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": group},
            {
                "op": "replace",
                "path": "/accessLogSettings/format",
                "value": "$context.requestId $context.status "
                "$context.error.message $context.integrationErrorMessage",
            },
        ]
        ev = [seen(STAGES, "methodSettings loggingLevel", level)]
        ev.append(seen(STAGES, "accessLogSettings", stage.get("accessLogSettings")))
        fix = call("apigateway.update_stage", restApiId=facts.api_id, stageName=name, patchOperations=patch)
        return Hit(conf, ev, Fix(manual=fix + " (needs the account CloudWatch role)"))
    settings: Raw = {**(stage.get("DefaultRouteSettings") or {}), "LoggingLevel": "ERROR"}
    ev = [seen(V2_STAGES, "DefaultRouteSettings.LoggingLevel", None)]
    fix = call("apigatewayv2.update_stage", ApiId=facts.api_id, StageName=name, DefaultRouteSettings=settings)
    return Hit(
        conf, ev, Fix(manual=fix + " (keeps the other route settings; needs the account CloudWatch role)")
    )


_HTTP_FORMAT = (
    '{"requestId":"$context.requestId","status":"$context.status","error":"$context.error.message",'
    '"integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}'
)


@rule("http-access-logging-not-configured")
def _http_access_log(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None:
        return None
    log: Raw = stage.get("AccessLogSettings") or {}
    args = {
        "api_id": facts.api_id,
        "stage_name": name_of(stage),
        "access_log": True,
        "log_format": _HTTP_FORMAT,
    }
    fix = Fix(tool="deploy_stage", args={**args, "dry_run": True})
    if not log.get("DestinationArn"):
        conf = 0.9 if kw(symptom) == "no-logs" else 0.5 if (symptom.status or 0) >= 500 else 0.3
        return Hit(conf, [seen(V2_STAGES, f"{name_of(stage)}.AccessLogSettings", None)], fix)
    fmt = str(log.get("Format") or "")
    if (symptom.status or 0) >= 500 and "$context.integrationErrorMessage" not in fmt:
        return Hit(0.45, [seen(V2_STAGES, "AccessLogSettings.Format", fmt)], fix)
    return None


@rule("no-logs-request-rejected-before-logging")
def _rejected_early(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if not (facts.logs.enabled or (stage is not None and stage_logging_on(facts, stage))):
        return None
    ev = [seen(stage_read(facts), "logging enabled for stage", facts.match.stage)]
    ev.append(seen("logs.filter_log_events", f"lines in window ({facts.logs.group})", len(facts.logs.lines)))
    if facts.logs.lines:
        return Hit(0.5, ev) if kw(symptom) == "no-logs" else None
    if symptom.status == 413:
        return Hit(0.8, ev)
    if kw(symptom) == "no-logs":
        return Hit(0.7, ev)
    return Hit(0.6, ev) if facts.logs.group else None  # the window was read and holds nothing


def _cached(facts: Facts) -> tuple[Raw, Raw] | None:
    stage = matched_stage(facts)
    if facts.api_type != "REST" or stage is None or not stage.get("cacheClusterEnabled"):
        return None
    settings = method_settings(facts, stage)
    return (stage, settings) if settings.get("cachingEnabled") else None


@rule("rest-cache-key-missing-parameters")
def _cache_key(facts: Facts, symptom: Symptom) -> Hit | None:
    method = matched_method(facts)
    if _cached(facts) is None or method is None:
        return None
    keys = list((method.get("methodIntegration") or {}).get("cacheKeyParameters") or [])
    params = sorted(method.get("requestParameters") or {})
    missing = [p for p in params if p not in keys]
    auth = str(method.get("authorizationType") or "NONE") != "NONE"
    ev = [seen(STAGES, "cacheClusterEnabled / cachingEnabled", True)]
    ev += [seen(INTEG, "cacheKeyParameters", keys)]
    ev += [seen(METHOD, "requestParameters", params)]
    if missing:
        conf, add = 0.85, missing
    elif auth and "method.request.header.Authorization" not in keys:
        conf, add = 0.6, ["method.request.header.Authorization"]
    elif not params:
        conf, add = 0.5, ["method.request.querystring.<name>"]
    else:
        return None
    patch = [{"op": "add", "path": f"/cacheKeyParameters/{p}"} for p in add]
    fix = call("apigateway.update_integration", **_ids(facts), patchOperations=patch)
    deploy = deploy_call(facts)
    return Hit(
        conf, ev, Fix(manual=f"{fix} (declare them in the method requestParameters too), then {deploy}")
    )


@rule("rest-cache-serving-stale-responses")
def _cache_stale(facts: Facts, symptom: Symptom) -> Hit | None:
    found = _cached(facts)
    if found is None or not found[1].get("cacheTtlInSeconds", 300):
        return None
    stage, settings = found
    ev = [
        seen(
            STAGES,
            "cachingEnabled / cacheTtlInSeconds",
            settings.get("cacheTtlInSeconds", 300),
        )
    ]
    strategy = settings.get("unauthorizedCacheControlHeaderStrategy")
    if kw(symptom) in ("stale-data", "wrong-response"):
        conf = 0.8 if kw(symptom) == "stale-data" else 0.6
    elif settings.get("requireAuthorizationForCacheControl") and strategy == "FAIL_WITH_403":
        conf = 0.6
        ev.append(seen(STAGES, "unauthorizedCacheControlHeaderStrategy", strategy))
    else:
        return None
    fix = call("apigateway.flush_stage_cache", restApiId=facts.api_id, stageName=name_of(stage))
    return Hit(conf, ev, Fix(manual=fix + "; lower the TTL (update_stage path '/*/*/caching/ttlInSeconds')"))
