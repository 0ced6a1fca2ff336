"""audit_api: a security and reliability lint of one API's gathered facts (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..http_live import broad_statements
from .model import EvidenceItem, Facts, Fix

Severity = Literal["high", "medium", "low"]


class AuditFinding(BaseModel):
    rule_id: str
    severity: Severity
    message: str
    evidence: list[EvidenceItem] = Field(default_factory=list)
    fix: Fix = Field(default_factory=Fix)


class ApiAudit(BaseModel):
    api_id: str
    name: str
    type: str
    findings: list[AuditFinding] = Field(default_factory=list)


Check = Callable[[Facts], Iterator[AuditFinding]]
CHECKS: list[Check] = []
_ORDER = {"high": 0, "medium": 1, "low": 2}


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def audit(facts: Facts) -> ApiAudit:
    findings = [f for c in CHECKS for f in c(facts)]
    findings.sort(key=lambda f: (_ORDER[f.severity], f.rule_id))
    name = str(facts.api.get("Name") or facts.api.get("name") or "")
    return ApiAudit(api_id=facts.api_id, name=name, type=facts.api_type, findings=findings)


def _finding(
    rule_id: str, severity: Severity, message: str, read: str, field: str, value: Any, fix: Fix | None = None
) -> AuditFinding:
    return AuditFinding(
        rule_id=rule_id,
        severity=severity,
        message=message,
        evidence=[EvidenceItem(read=read, field=field, value=value)],
        fix=fix or Fix(),
    )


def _stage_name(stage: dict[str, Any]) -> str:
    return str(stage.get("StageName") or stage.get("stageName"))


def _rest_methods(facts: Facts) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for resource in facts.resources:
        for method, spec in (resource.get("resourceMethods") or {}).items():
            if method != "OPTIONS":
                yield resource.get("path", "?"), method, spec


@check
def _open_routes(facts: Facts) -> Iterator[AuditFinding]:
    if facts.api_type == "REST":
        keyed = [
            f"{m} {p}" for p, m, s in _rest_methods(facts) if s.get("authorizationType", "NONE") == "NONE"
        ]
        read = "apigateway.get_resources"
    else:
        keyed = [
            r["RouteKey"]
            for r in facts.routes
            if (r.get("AuthorizationType") or "NONE") == "NONE"
            and not r["RouteKey"].startswith("OPTIONS ")
            and r["RouteKey"] not in ("$disconnect",)
        ]
        read = "apigatewayv2.get_routes"
    if keyed:
        yield _finding(
            "audit-route-without-authorization",
            "medium",
            f"{len(keyed)} route(s) accept calls with no authorization",
            read,
            "AuthorizationType NONE",
            sorted(keyed)[:10],
            Fix(
                tool="add_jwt_authorizer",
                args={"api_id": facts.api_id, "routes": sorted(keyed)[:10], "dry_run": True},
            )
            if facts.api_type == "HTTP"
            else None,
        )


@check
def _api_key_only(facts: Facts) -> Iterator[AuditFinding]:
    keyed = [
        f"{m} {p}"
        for p, m, s in _rest_methods(facts)
        if s.get("apiKeyRequired") and s.get("authorizationType", "NONE") == "NONE"
    ]
    if keyed:
        yield _finding(
            "audit-api-key-only-auth",
            "high",
            "API keys are the only check on these methods: keys identify clients for usage plans, "
            "they do not authenticate them",
            "apigateway.get_resources",
            "apiKeyRequired true, authorizationType NONE",
            sorted(keyed)[:10],
            Fix(
                manual="add an IAM, Cognito or Lambda authorizer to each method "
                "(apigateway.update_method ... authorizationType), then create_deployment"
            ),
        )


@check
def _stage_settings(facts: Facts) -> Iterator[AuditFinding]:
    for stage in facts.stages:
        yield from _stage_logging(facts, stage)
        yield from _stage_throttling(facts, stage)
        if facts.api_type == "REST":
            yield from _rest_stage(facts, stage)


def _stage_logging(facts: Facts, stage: dict[str, Any]) -> Iterator[AuditFinding]:
    name = _stage_name(stage)
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
        yield _finding(
            "audit-access-logging-off",
            "medium",
            f"stage {name}: no access logging",
            _stages_read(facts),
            "AccessLogSettings",
            None,
            fix,
        )


def _stage_throttling(facts: Facts, stage: dict[str, Any]) -> Iterator[AuditFinding]:
    name = _stage_name(stage)
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
        yield _finding(
            "audit-throttling-zero",
            "high",
            f"stage {name}: throttling of 0 rejects every request with 429",
            _stages_read(facts),
            "throttling",
            zero,
            _throttle_fix(facts, name),
        )
    elif not any(b is not None or r is not None for b, r in settings.values()):
        yield _finding(
            "audit-no-throttling",
            "low",
            f"stage {name}: no stage throttling; only the account-level limit protects the backend",
            _stages_read(facts),
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
    name = _stage_name(stage)
    if not stage.get("webAclArn") and not facts.waf_acl_arn:
        yield _finding(
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
        yield _finding(
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
        yield _finding(
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


def _stages_read(facts: Facts) -> str:
    return "apigateway.get_stages" if facts.api_type == "REST" else "apigatewayv2.get_stages"


@check
def _cors(facts: Facts) -> Iterator[AuditFinding]:
    cors = facts.api.get("CorsConfiguration") or {}
    if cors.get("AllowCredentials") and "*" in (cors.get("AllowOrigins") or []):
        yield _finding(
            "audit-cors-wildcard-with-credentials",
            "high",
            "CORS allows any origin with credentials: browsers refuse it; name the origins",
            "apigatewayv2.get_api",
            "CorsConfiguration",
            cors,
            Fix(
                tool="configure_cors",
                args={
                    "api_id": facts.api_id,
                    "cors": {"allow_origins": ["https://YOUR-APP.example.com"], "allow_credentials": True},
                    "dry_run": True,
                },
            ),
        )


@check
def _domains(facts: Facts) -> Iterator[AuditFinding]:
    if facts.domains and not (
        facts.api.get("DisableExecuteApiEndpoint") or facts.api.get("disableExecuteApiEndpoint")
    ):
        yield _finding(
            "audit-default-endpoint-with-custom-domain",
            "medium",
            "the default execute-api endpoint is still on behind a custom domain, bypassing the domain's "
            "TLS policy and mTLS",
            "apigateway.get_domain_names",
            "DisableExecuteApiEndpoint",
            False,
            Fix(manual=f"update the API with DisableExecuteApiEndpoint=true (api {facts.api_id})"),
        )
    for domain in facts.domains:
        name = domain.get("DomainName") or domain.get("domainName")
        policies = [c.get("SecurityPolicy") for c in domain.get("DomainNameConfigurations") or []]
        policies.append(domain.get("securityPolicy"))
        if "TLS_1_0" in policies:
            yield _finding(
                "audit-tls-1-0",
                "high",
                f"custom domain {name} accepts TLS 1.0",
                "apigateway.get_domain_names",
                "SecurityPolicy",
                "TLS_1_0",
                Fix(manual=f"update domain {name} with SecurityPolicy TLS_1_2"),
            )


@check
def _broad_permissions(facts: Facts) -> Iterator[AuditFinding]:
    for arn, function in sorted(facts.functions.items()):
        for warning in broad_statements(arn, function.policy, facts.account):
            yield _finding(
                "audit-lambda-permission-broader-than-api",
                "high",
                warning,
                "lambda.get_policy",
                "Statement.Condition.ArnLike.AWS:SourceArn",
                arn,
                Fix(tool="ensure_lambda_permission", args={"api_id": facts.api_id, "dry_run": True})
                if facts.api_type == "HTTP"
                else None,
            )
