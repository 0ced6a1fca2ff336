"""audit_api stage checks: access logging, throttling (0 or none), REST WAF, X-Ray and cache encryption."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .audit_base import AuditFinding, check, finding, stages_read
from .facts import stage_name_of
from .model import Facts, Fix


@check
def _stage_settings(facts: Facts) -> Iterator[AuditFinding]:
    for stage in facts.stages:
        yield from _stage_logging(facts, stage)
        yield from _stage_throttling(facts, stage)
        if facts.api_type == "REST":
            yield from _rest_stage(facts, stage)


def _stage_logging(facts: Facts, stage: dict[str, Any]) -> Iterator[AuditFinding]:
    name = str(stage_name_of(stage))
    access = stage.get("AccessLogSettings") or stage.get("accessLogSettings") or {}
    if not (access.get("DestinationArn") or access.get("destinationArn")):
        fix = (
            Fix(
                tool="deploy_stage",
                args={"api_id": facts.api_id, "stage_name": name, "access_log": True, "dry_run": True},
            )
            if facts.api_type == "HTTP"
            else Fix(
                manual=f"apigateway.update_stage(restApiId={facts.api_id!r}, stageName={name!r}, "
                "patchOperations="
                "[{op: replace, path: /accessLogSettings/destinationArn, value: LOG_GROUP_ARN}, "
                "{op: replace, path: /accessLogSettings/format, value: FORMAT}])"
            )
        )
        yield finding(
            "audit-access-logging-off",
            "medium",
            f"stage {name}: no access logging",
            stages_read(facts),
            "AccessLogSettings",
            None,
            fix,
        )


def _stage_throttling(facts: Facts, stage: dict[str, Any]) -> Iterator[AuditFinding]:
    name = str(stage_name_of(stage))
    if facts.api_type == "REST":
        settings = {
            k: (v.get("throttlingBurstLimit"), v.get("throttlingRateLimit"))
            for k, v in (stage.get("methodSettings") or {}).items()
        }
    else:
        default = stage.get("DefaultRouteSettings") or {}
        settings = {"$default": (default.get("ThrottlingBurstLimit"), default.get("ThrottlingRateLimit"))}
        settings |= {
            k: (v.get("ThrottlingBurstLimit"), v.get("ThrottlingRateLimit"))
            for k, v in (stage.get("RouteSettings") or {}).items()
        }
    zero = sorted(k for k, (burst, rate) in settings.items() if burst == 0 or rate == 0)
    if zero:
        yield finding(
            "audit-throttling-zero",
            "high",
            f"stage {name}: throttling of 0 rejects every request with 429",
            stages_read(facts),
            "throttling",
            zero,
            _throttle_fix(facts, name),
        )
    elif not any(b is not None or r is not None for b, r in settings.values()):
        yield finding(
            "audit-no-throttling",
            "low",
            f"stage {name}: no stage throttling; only the account-level limit protects the backend",
            stages_read(facts),
            "throttling",
            None,
            _throttle_fix(facts, name),
        )


def _throttle_fix(facts: Facts, stage: str) -> Fix:
    if facts.api_type == "HTTP":
        return Fix(
            tool="deploy_stage",
            args={
                "api_id": facts.api_id,
                "stage_name": stage,
                "throttle": {"burst": 100, "rate": 50},
                "dry_run": True,
            },
        )
    return Fix(
        manual=f"apigateway.update_stage(restApiId={facts.api_id!r}, stageName={stage!r}, patchOperations="
        "[{op: replace, path: /*/*/throttling/rateLimit, value: '50'}, "
        "{op: replace, path: /*/*/throttling/burstLimit, value: '100'}])"
    )


def _rest_stage(facts: Facts, stage: dict[str, Any]) -> Iterator[AuditFinding]:
    name = str(stage_name_of(stage))
    if not stage.get("webAclArn") and not facts.waf_acl_arn:
        yield finding(
            "audit-rest-without-waf",
            "medium",
            f"stage {name}: no AWS WAF web ACL",
            "apigateway.get_stages",
            "webAclArn",
            None,
            Fix(
                manual="wafv2.associate_web_acl(WebACLArn=ACL_ARN, ResourceArn="
                f"'arn:aws:apigateway:{facts.region}::/restapis/{facts.api_id}"
                f"/stages/{name}')"
            ),
        )
    if not stage.get("tracingEnabled"):
        yield finding(
            "audit-xray-off",
            "low",
            f"stage {name}: X-Ray tracing off",
            "apigateway.get_stages",
            "tracingEnabled",
            False,
            Fix(
                manual=f"apigateway.update_stage(restApiId={facts.api_id!r}, "
                f"stageName={name!r}, patchOperations=[{{op: replace, "
                "path: /tracingEnabled, value: 'true'}])"
            ),
        )
    unencrypted = [
        k
        for k, v in (stage.get("methodSettings") or {}).items()
        if v.get("cachingEnabled") and not v.get("cacheDataEncrypted")
    ]
    if stage.get("cacheClusterEnabled") and unencrypted:
        yield finding(
            "audit-cache-unencrypted",
            "medium",
            f"stage {name}: cached responses are not encrypted",
            "apigateway.get_stages",
            "methodSettings.cacheDataEncrypted",
            unencrypted,
            Fix(
                manual="apigateway.update_stage(... patchOperations=[{op: replace, "
                "path: /*/*/caching/dataEncrypted, value: 'true'}])"
            ),
        )
