"""audit_api: a security and reliability lint of one API's gathered facts (pure).

The checks register in ``audit_base``; the stage checks live in ``audit_stages``. Every fix that is a
tool call carries real values from the live API (an existing authorizer, the named CORS origins);
where none exist the fix is the exact change as text instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from apigw_mcp.tools.kinds.http.live import broad_statements

from . import audit_stages  # noqa: F401  (registration of the stage checks)
from .audit_base import CHECKS, ApiAudit, AuditFinding, check, finding, rest_methods
from .audit_fixes import authorize_fix, credentials_cors_fix
from .facts import http_cors
from .model import Facts, Fix

__all__ = ["ApiAudit", "AuditFinding", "audit"]
_ORDER = {"high": 0, "medium": 1, "low": 2}


def audit(facts: Facts) -> ApiAudit:
    findings = [f for c in CHECKS for f in c(facts)]
    findings.sort(key=lambda f: (_ORDER[f.severity], f.rule_id))
    name = str(facts.api.get("Name") or facts.api.get("name") or "")
    return ApiAudit(api_id=facts.api_id, name=name, type=facts.api_type, findings=findings)


@check
def _open_routes(facts: Facts) -> Iterator[AuditFinding]:
    if facts.api_type == "REST":
        keyed = [
            f"{m} {p}" for p, m, s in rest_methods(facts) if s.get("authorizationType", "NONE") == "NONE"
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
        yield finding(
            "audit-route-without-authorization",
            "medium",
            f"{len(keyed)} route(s) accept calls with no authorization",
            read,
            "AuthorizationType NONE",
            sorted(keyed)[:10],
            authorize_fix(facts, sorted(keyed)[:10]),
        )


@check
def _api_key_only(facts: Facts) -> Iterator[AuditFinding]:
    keyed = [
        f"{m} {p}"
        for p, m, s in rest_methods(facts)
        if s.get("apiKeyRequired") and s.get("authorizationType", "NONE") == "NONE"
    ]
    if keyed:
        yield finding(
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
def _cors(facts: Facts) -> Iterator[AuditFinding]:
    cors = http_cors(facts) or {}
    if cors.get("AllowCredentials") and "*" in (cors.get("AllowOrigins") or []):
        yield finding(
            "audit-cors-wildcard-with-credentials",
            "high",
            "CORS allows any origin with credentials: browsers refuse it; name the origins",
            "apigatewayv2.get_api",
            "CorsConfiguration",
            cors,
            credentials_cors_fix(facts),
        )


@check
def _domains(facts: Facts) -> Iterator[AuditFinding]:
    if facts.domains and not (
        facts.api.get("DisableExecuteApiEndpoint") or facts.api.get("disableExecuteApiEndpoint")
    ):
        yield finding(
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
            yield finding(
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
            yield finding(
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
