"""Lambda integration helpers: the function behind the integration, its invoke permission, status fit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from .facts import request_stage, stage_names, with_stage_variables
from .model import EvidenceItem, Facts, Fix, FunctionFacts, Symptom
from .registry import Hit, seen
from .rules_integration_helpers import (
    LAMBDA_SIGNALS,
    Integ,
    call,
    conflicts,
    integration,
    json_of,
    signals,
)
from .uris import lambda_arn_of


@dataclass(frozen=True)
class LambdaCtx:
    integ: Integ
    arn: str
    fn: FunctionFacts | None  # None: the function was not read


def lambda_ctx(facts: Facts, symptom: Symptom, integ: Integ | None = None) -> LambdaCtx | None:
    integ = integ or integration(facts)
    if integ is None or integ.type not in ("AWS", "AWS_PROXY"):
        return None
    arn = lambda_arn_of(with_stage_variables(facts, integ.uri)) or lambda_arn_of(integ.uri)
    return LambdaCtx(integ, arn, facts.functions.get(arn)) if arn else None


def lambda_seen(ctx: LambdaCtx) -> list[EvidenceItem]:
    items = [ctx.integ.seen("type", ctx.integ.type), ctx.integ.seen("uri", ctx.arn)]
    if ctx.fn is not None and ctx.fn.timeout_s is not None:
        items.append(seen("lambda.get_function_configuration", "Timeout", ctx.fn.timeout_s))
    return items


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [] if value is None else [str(value)]


def apigw_statements(policy: str | None) -> list[dict[str, Any]] | None:
    """Allow statements letting apigateway.amazonaws.com invoke; None when the policy is not JSON."""
    doc = json_of(policy or "{}")
    if not isinstance(doc, dict):
        return None
    items = doc.get("Statement", [])
    items = items if isinstance(items, list) else [items]

    def principal_ok(p: Any) -> bool:
        names = _as_list(p.get("Service")) + _as_list(p.get("AWS")) if isinstance(p, dict) else _as_list(p)
        return "apigateway.amazonaws.com" in names or "*" in names

    return [
        s for s in items
        if isinstance(s, dict) and s.get("Effect") == "Allow" and principal_ok(s.get("Principal"))
        and {a.lower() for a in _as_list(s.get("Action"))} & {"lambda:invokefunction", "lambda:*", "*"}
    ]  # fmt: skip


def source_arns(statement: dict[str, Any]) -> list[str] | None:
    """The statement's AWS:SourceArn patterns; None when it has no such condition (any source)."""
    found = [
        arn
        for kv in (statement.get("Condition") or {}).values() if isinstance(kv, dict)
        for key, value in kv.items() if key.lower() == "aws:sourcearn"
        for arn in _as_list(value)
    ]  # fmt: skip
    return found or None


def arn_like(pattern: str, arn: str) -> bool:
    """IAM ArnLike: `*` matches any run of characters (across `/`), `?` one character."""
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), arn) is not None


@dataclass(frozen=True)
class Permission:
    state: Literal["missing", "mismatch", "covered", "unknown"]
    sources: list[str]


def permission(fn: FunctionFacts, arns: list[str]) -> Permission:
    statements = apigw_statements(fn.policy)
    if statements is None:
        return Permission("unknown", [])
    patterns = [source_arns(s) for s in statements]
    sources = [p for ps in patterns for p in ps or ["(no SourceArn condition)"]]
    if not statements or not arns:
        return Permission("unknown" if statements else "missing", sources)
    covered = any(ps is None or any(arn_like(p, a) for p in ps for a in arns) for ps in patterns)
    return Permission("covered" if covered else "mismatch", sources)


def request_arns(facts: Facts, symptom: Symptom, arn: str = "", route_key: str | None = None) -> list[str]:
    """The execute-api ARN(s) API Gateway invokes with: {api}/{stage}/{METHOD}/{path}, {api}/{stage}/$default
    for the HTTP $default route, {api}/{stage}/{routeKey} for WebSocket; every stage when it is unknown."""
    key = route_key or facts.match.route_key or ""
    resource: str | None = key or None
    if facts.api_type != "WEBSOCKET" and key != "$default":
        method = (symptom.method or facts.match.method or key.partition(" ")[0] or "").upper()
        path = facts.match.path if facts.match.path is not None else symptom.path
        resource = f"{method}/{path.lstrip('/')}" if method and method != "ANY" and path is not None else None
    stage = request_stage(facts, symptom)
    stages = [stage] if stage else stage_names(facts)
    partition = arn.split(":")[1] if arn.count(":") > 2 else "aws"
    base = f"arn:{partition}:execute-api:{facts.region}:{facts.account}:{facts.api_id}"
    return [f"{base}/{s}/{resource}" for s in stages if s and resource]


def permission_fix(facts: Facts, arn: str) -> Fix:
    if facts.api_type in ("HTTP", "REST"):
        return Fix(tool="ensure_lambda_permission", args={"api_id": facts.api_id, "dry_run": True})
    source = f"arn:{arn.split(':')[1]}:execute-api:{facts.region}:{facts.account}:{facts.api_id}/*"
    args = {"FunctionName": arn, "StatementId": f"apigw-{facts.api_id}-invoke"}
    return Fix(
        manual=call("lambda.add_permission", args, Action="lambda:InvokeFunction",
                    Principal="apigateway.amazonaws.com", SourceArn=source)
    )  # fmt: skip


def invokable(ctx: LambdaCtx, facts: Facts, symptom: Symptom) -> bool:
    """False when the reads show the function cannot run for this request (gone, or no invoke permission)."""
    if ctx.fn is None:
        return True
    if not ctx.fn.exists or ctx.fn.reserved_concurrency == 0:
        return False  # gone, or throttled before it runs (lambda-throttled)
    return permitted(ctx, facts, symptom)


def permitted(ctx: LambdaCtx, facts: Facts, symptom: Symptom) -> bool:
    """False when the function's policy does not let API Gateway invoke it for this request."""
    if ctx.fn is None:
        return True
    arns = request_arns(facts, symptom, ctx.arn)
    return bool(ctx.integ.credentials) or permission(ctx.fn, arns).state not in ("missing", "mismatch")


def status_fit(integ: Integ, symptom: Symptom, rest_proxy_status: int) -> float:
    """REST Lambda proxy: function errors and timeouts answer 502, invoke failures 500; HTTP APIs 500."""
    if not integ.v2 and integ.type == "AWS_PROXY" and symptom.status in (500, 502):
        return 1.0 if symptom.status == rest_proxy_status else 0.6
    return 1.0


def permission_hit(
    facts: Facts, symptom: Symptom, ctx: LambdaCtx | None, want: str, key: str = ""
) -> Hit | None:
    """A ``want`` ("missing"/"mismatch") invoke permission for the Lambda behind ``ctx`` (route ``key``)."""
    if ctx is None or ctx.integ.credentials or (ctx.fn is not None and not ctx.fn.exists):
        return None
    sig, evidence = signals(facts, symptom), lambda_seen(ctx)
    if ctx.fn is None:  # the function was not read: only the error text speaks
        return (
            Hit(0.6, [*evidence, sig["permission"]], permission_fix(facts, ctx.arn))
            if "permission" in sig
            else None
        )
    arns = request_arns(facts, symptom, ctx.arn, key or None)
    perm = permission(ctx.fn, arns)
    if perm.state != want:
        return None
    evidence.append(
        seen("lambda.get_policy", "Statement[apigateway.amazonaws.com] AWS:SourceArn", perm.sources)
    )
    if want == "mismatch":
        evidence.append(seen("execute-api", "invoking SourceArn", arns[0] if len(arns) == 1 else arns))
    confidence = 0.5 if conflicts(sig, {"permission"}, LAMBDA_SIGNALS) else 0.9
    if "permission" in sig:
        confidence = 0.95
        evidence.append(sig["permission"])
    return Hit(confidence, evidence, permission_fix(facts, ctx.arn))
