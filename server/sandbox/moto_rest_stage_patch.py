"""``UpdateStage`` patch operations as AWS applies them to a REST stage (replaces moto's).

moto 5.2.5 ignored ``remove /*/*``, stored ``/~1pets/GET/...`` under ``~1pets/GET`` (AWS:
``pets/GET``), dropped nested paths, answered 500 to a non-number value, and ignored
``/canarySettings/*``. Here: method settings are keyed ``{resource path without its leading
slash}/{METHOD}`` (``*/*`` for all), canary settings are patched, replaced or removed (and
``copy /canarySettings/deploymentId -> /deploymentId`` promotes the canary), and a bad value is
``BadRequestException``.
"""

from __future__ import annotations

from typing import Any

from moto.apigateway.exceptions import BadRequestException

from apigw_mcp.server.sandbox.moto_rest_patch import to_bool, to_float, to_int, unescape

_METHODS = {"*", "ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
_SETTINGS = {
    "metrics/enabled": ("metricsEnabled", to_bool),
    "logging/loglevel": ("loggingLevel", None),
    "logging/dataTrace": ("dataTraceEnabled", to_bool),
    "throttling/burstLimit": ("throttlingBurstLimit", to_int),
    "throttling/rateLimit": ("throttlingRateLimit", to_float),
    "caching/enabled": ("cachingEnabled", to_bool),
    "caching/ttlInSeconds": ("cacheTtlInSeconds", to_int),
    "caching/dataEncrypted": ("cacheDataEncrypted", to_bool),
    "caching/requireAuthorizationForCacheControl": ("requireAuthorizationForCacheControl", to_bool),
    "caching/unauthorizedCacheControlHeaderStrategy": ("unauthorizedCacheControlHeaderStrategy", None),
}
_LOG_LEVELS = {"OFF", "ERROR", "INFO"}
_SCALARS: dict[str, tuple[str, Any]] = {
    "description": ("description", None),
    "deploymentId": ("deployment_id", None),
    "cacheClusterSize": ("cache_cluster_size", None),
    "tracingEnabled": ("tracing_enabled", to_bool),
    "clientCertificateId": ("client_certificate_id", None),
    "documentationVersion": ("documentation_version", None),
}
_CANARY: dict[str, Any] = {"percentTraffic": to_float, "deploymentId": None, "useStageCache": to_bool}

# What AWS reports for a method setting nobody set (moto's own defaults differ: encrypted cache data,
# 1000/2000 throttles), so that reading back what a plan wrote gives an empty plan, as on AWS.
AWS_METHOD_SETTINGS: dict[str, Any] = {
    "throttlingRateLimit": 10000.0,
    "throttlingBurstLimit": 5000,
    "dataTraceEnabled": False,
    "metricsEnabled": False,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "cachingEnabled": False,
    "requireAuthorizationForCacheControl": True,
}


def apply_stage_operations(stage: Any, operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        verb, path = operation.get("op", ""), operation.get("path", "")
        segments = path.lstrip("/").split("/")
        if verb == "copy":
            _copy(stage, operation)
        elif verb not in ("add", "replace", "remove"):
            raise BadRequestException(f"Invalid patch operation '{verb}' specified for path '{path}'")
        elif segments[0] == "variables":
            _variable(stage, verb, "/".join(segments[1:]), operation)
        elif segments[0] == "accessLogSettings":
            _access_log(stage, verb, segments[1:], operation)
        elif segments[0] == "canarySettings":
            _canary(stage, verb, segments[1:], operation)
        elif segments[0] == "cacheClusterEnabled":
            enabled = verb != "remove" and to_bool(operation.get("value"), path)
            stage.cache_cluster_enabled = enabled
            stage.cache_cluster_status = "AVAILABLE" if enabled else "NOT_AVAILABLE"
        elif segments[0] in _SCALARS and len(segments) == 1:
            attribute, convert = _SCALARS[segments[0]]
            value = None if verb == "remove" else operation.get("value")
            setattr(stage, attribute, convert(value, path) if convert and value is not None else value)
        else:
            _method_setting(stage, verb, segments, operation)


def _copy(stage: Any, operation: dict[str, Any]) -> None:
    canary = getattr(stage, "canary_settings", None) or {}
    source, target = operation.get("from"), operation.get("path")
    if (source, target) == ("/canarySettings/deploymentId", "/deploymentId") and canary:
        stage.deployment_id = canary["deploymentId"]
    elif (source, target) == ("/canarySettings/stageVariableOverrides", "/variables") and canary:
        stage.variables = {**stage.variables, **canary.get("stageVariableOverrides", {})}
    else:
        raise BadRequestException(f"Invalid copy from '{source}' to '{target}'")


def _variable(stage: Any, verb: str, name: str, operation: dict[str, Any]) -> None:
    if not name:
        raise BadRequestException(f"Invalid patch path '{operation['path']}'")
    if verb == "remove":
        stage.variables.pop(name, None)
    else:
        stage.variables[name] = operation.get("value")


def _access_log(stage: Any, verb: str, rest: list[str], operation: dict[str, Any]) -> None:
    if verb == "remove" and not rest:
        stage.access_log_settings = None
    elif len(rest) == 1 and rest[0] in ("destinationArn", "format"):
        settings = dict(stage.access_log_settings or {})
        if verb == "remove":
            settings.pop(rest[0], None)
        else:
            settings[rest[0]] = operation.get("value")
        stage.access_log_settings = settings or None
    else:
        raise BadRequestException(f"Invalid patch path '{operation['path']}'")


def _canary(stage: Any, verb: str, rest: list[str], operation: dict[str, Any]) -> None:
    path, value = operation["path"], operation.get("value")
    canary = dict(getattr(stage, "canary_settings", None) or {})
    if not rest and verb == "remove":
        stage.canary_settings = None
        return
    if rest and rest[0] == "stageVariableOverrides" and len(rest) == 2:
        overrides = dict(canary.get("stageVariableOverrides") or {})
        if verb == "remove":
            overrides.pop(rest[1], None)
        else:
            overrides[rest[1]] = value
        canary["stageVariableOverrides"] = overrides
    elif len(rest) == 1 and rest[0] in _CANARY and verb != "remove":
        convert = _CANARY[rest[0]]
        canary[rest[0]] = convert(value, path) if convert else value
    else:
        raise BadRequestException(f"Invalid patch path '{path}' specified for op '{verb}'")
    canary.setdefault("percentTraffic", 0.0)
    canary.setdefault("deploymentId", stage.deployment_id)
    stage.canary_settings = canary


def _method_setting(stage: Any, verb: str, segments: list[str], operation: dict[str, Any]) -> None:
    path = operation["path"]
    whole = segments[-1] in _METHODS
    resource = segments[:-1] if whole else segments[:-3]
    if not resource or (not whole and len(segments) < 4):
        raise BadRequestException(f"Invalid method setting path: {path}")
    method = segments[-1] if whole else segments[-3]
    key = unescape("/".join(resource)).lstrip("/") + "/" + method
    if whole:
        if verb != "remove":
            raise BadRequestException(f"Invalid method setting path: {path}")
        stage.method_settings.pop(key, None)
        return
    setting = _SETTINGS.get("/".join(segments[-2:]))
    if setting is None:
        raise BadRequestException(f"Invalid method setting path: {path}")
    name, convert = setting
    settings = stage.method_settings.setdefault(key, dict(AWS_METHOD_SETTINGS))
    if verb == "remove":
        settings.pop(name, None)
        return
    value = operation.get("value")
    if name == "loggingLevel" and str(value) not in _LOG_LEVELS:
        raise BadRequestException(f"Invalid logging level '{value}' for path '{path}'")
    settings[name] = convert(value, path) if convert else value
