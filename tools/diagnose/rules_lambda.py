"""Lambda integration rules: invoke permission, missing function, proxy responses, errors, throttles."""

from __future__ import annotations

import re

from .facts import stage_variables, with_stage_variables
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_integration_helpers import (
    LAMBDA_SIGNALS,
    LOG_READ,
    call,
    conflicts,
    integration,
    json_of,
    patched,
    quote,
    signals,
    unsure,
)
from .rules_lambda_helpers import (
    LambdaCtx,
    invokable,
    lambda_ctx,
    lambda_seen,
    permission_hit,
    permitted,
    status_fit,
)


@rule("lambda-invoke-permission-missing")
def _permission_missing(facts: Facts, symptom: Symptom) -> Hit | None:
    return permission_hit(facts, symptom, lambda_ctx(facts, symptom), "missing")


@rule("lambda-permission-source-arn-mismatch")
def _permission_mismatch(facts: Facts, symptom: Symptom) -> Hit | None:
    return permission_hit(facts, symptom, lambda_ctx(facts, symptom), "mismatch")


@rule("lambda-integration-function-not-found")
def _function_not_found(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    if integ is None or integ.type not in ("AWS", "AWS_PROXY"):
        return None
    if integ.v2:
        fix = call("apigatewayv2.update_integration", integ.ids, IntegrationUri="<existing function ARN>")
    else:
        uri = f"arn:aws:apigateway:{facts.region}:lambda:path/2015-03-31/functions/<function ARN>/invocations"
        patch = [{"op": "replace", "path": "/uri", "value": uri}]
        fix = patched(facts, symptom, integ, patch)
    if ":function:" in integ.uri and "${stageVariables." in with_stage_variables(facts, integ.uri):
        names = sorted(stage_variables(facts))
        return Hit(
            0.7, [integ.seen("uri", integ.uri), seen("get_stages", "stage variables", names)], Fix(manual=fix)
        )
    ctx = lambda_ctx(facts, symptom, integ)
    sig = signals(facts, symptom)
    if ctx is None or (ctx.fn is None and "not-found" not in sig) or (ctx.fn is not None and ctx.fn.exists):
        return None
    if ctx.fn is None:
        return Hit(0.6, [*lambda_seen(ctx), sig["not-found"]], Fix(manual=fix))
    missing = seen("lambda.get_function", "error", "ResourceNotFoundException")
    return Hit(0.9, [*lambda_seen(ctx), missing], Fix(manual=fix))


def lambda_hit(
    facts: Facts, symptom: Symptom, ctx: LambdaCtx | None, own: str, base: float, rest_status: int = 502
) -> Hit | None:
    """A Lambda problem of kind ``own``: confirmed by its error text, else consistent at ``base``."""
    if ctx is None or not invokable(ctx, facts, symptom):
        return None
    sig, evidence = signals(facts, symptom), lambda_seen(ctx)
    if ctx.integ.v2 and ctx.integ.payload:
        evidence.append(seen(ctx.integ.read, "PayloadFormatVersion", ctx.integ.payload))
    fit = status_fit(ctx.integ, symptom, rest_status)
    if own in sig:
        return Hit(0.9 * fit, [*evidence, sig[own]])
    return None if conflicts(sig, {own}, LAMBDA_SIGNALS) else Hit(unsure(facts, base) * fit, evidence)


def proxy_ctx(facts: Facts, symptom: Symptom, payload: str | None) -> LambdaCtx | None:
    ctx = lambda_ctx(facts, symptom)
    if ctx is None or ctx.integ.type != "AWS_PROXY" or (payload and ctx.integ.payload != payload):
        return None
    return ctx


@rule("rest-lambda-proxy-malformed-response")
def _rest_malformed(facts: Facts, symptom: Symptom) -> Hit | None:
    return lambda_hit(facts, symptom, proxy_ctx(facts, symptom, None), "malformed", 0.55)


@rule("http-lambda-payload-v1-malformed-response")
def _http_v1_malformed(facts: Facts, symptom: Symptom) -> Hit | None:
    return lambda_hit(facts, symptom, proxy_ctx(facts, symptom, "1.0"), "malformed", 0.55)


_V1_FIELDS = re.compile(
    r"(?i)(keyerror|typeerror|undefined|nullpointer|cannot read|nil)[^\n]{0,80}"
    r"(httpmethod|multivalueheaders|multivaluequerystring)|(httpmethod|multivalueheaders)[^\n]{0,40}(undefined|none)"
)


@rule("http-lambda-event-format-mismatch")
def _http_event_format(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = proxy_ctx(facts, symptom, "2.0")
    hit = lambda_hit(facts, symptom, ctx, "function-error", 0.4)
    if ctx is None or hit is None:
        return None
    for read, line in [("client response", symptom.text()), *((LOG_READ, x) for x in facts.logs.lines)]:
        if _V1_FIELDS.search(line):
            return Hit(0.85, [*hit.evidence, seen(read, "message", quote(line))])
    return Hit(
        min(hit.confidence, unsure(facts, 0.4)), hit.evidence
    )  # a crash fits; the 1.0 field names would confirm


@rule("http-lambda-v2-inferred-response")
def _http_v2_inferred(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = proxy_ctx(facts, symptom, "2.0")
    if ctx is None or symptom.status not in (None, 200):
        return None
    evidence = [*lambda_seen(ctx), seen(ctx.integ.read, "PayloadFormatVersion", "2.0")]
    body = json_of(symptom.error_body)
    if (
        isinstance(body, dict)
        and {"statusCode", "status", "headers", "body", "isBase64Encoded"} & body.keys()
    ):
        return Hit(0.85, [*evidence, seen("client response", "body keys", sorted(body.keys()))])
    return Hit(0.4 if isinstance(body, dict) or not symptom.error_body else 0.3, evidence)


@rule("lambda-function-error")
def _function_error(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = lambda_ctx(facts, symptom)
    hit = lambda_hit(facts, symptom, ctx, "function-error", 0.5)
    state = ctx.fn.state if ctx is not None and ctx.fn is not None else None
    if hit is None or (state or "active").lower() == "active" or "function-error" in signals(facts, symptom):
        return hit
    return Hit(
        max(hit.confidence, 0.8), [*hit.evidence, seen("lambda.get_function_configuration", "State", state)]
    )


@rule("lambda-function-timeout")
def _function_timeout(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = lambda_ctx(facts, symptom)
    timeout = ctx.fn.timeout_s if ctx is not None and ctx.fn is not None else None
    if ctx is None or "task-timeout" in signals(facts, symptom) or timeout is None:
        hit = lambda_hit(facts, symptom, ctx, "task-timeout", 0.35)
    elif timeout * 1000 >= ctx.integ.timeout_ms:
        return None  # the gateway gives up first: see the integration-timeout rules
    else:
        hit = lambda_hit(facts, symptom, ctx, "task-timeout", 0.55 if timeout <= 6 else 0.4)
    if ctx is None or hit is None:
        return None
    seconds = max(1, ctx.integ.timeout_ms // 1000 - 1)
    fix = call("lambda.update_function_configuration", {"FunctionName": ctx.arn}, Timeout=seconds)
    evidence = [*hit.evidence, ctx.integ.seen("timeoutInMillis", ctx.integ.timeout_ms)]
    return Hit(
        hit.confidence, evidence, Fix(manual=f"{fix} (below the integration timeout), or make it async")
    )


@rule("lambda-throttled")
def _throttled(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = lambda_ctx(facts, symptom)
    reserved = ctx.fn.reserved_concurrency if ctx is not None and ctx.fn is not None else None
    if ctx is None or reserved != 0:
        hit = lambda_hit(facts, symptom, ctx, "throttled", 0.3, rest_status=500)
        return None if ctx is None or hit is None else _throttle_fix(ctx, hit, reserved)
    # a reservation of 0 throttles every invocation: no log line is needed to be sure
    if ctx.fn is None or not ctx.fn.exists or not permitted(ctx, facts, symptom):
        return None
    evidence = [*lambda_seen(ctx), seen("lambda.get_function", "Concurrency.ReservedConcurrentExecutions", 0)]
    sig = signals(facts, symptom)
    if "throttled" in sig:
        evidence.append(sig["throttled"])
    return _throttle_fix(ctx, Hit(0.95 * status_fit(ctx.integ, symptom, 500), evidence), 0)


def _throttle_fix(ctx: LambdaCtx, hit: Hit, reserved: int | None) -> Hit:
    fn = {"FunctionName": ctx.arn}
    delete = call("lambda.delete_function_concurrency", fn)
    if reserved == 0:
        fix = (
            f"{delete} (the function then shares the account's unreserved concurrency), or "
            f"{call('lambda.put_function_concurrency', fn, ReservedConcurrentExecutions='<N above 0>')}"
        )
        return Hit(hit.confidence, hit.evidence, Fix(manual=fix))
    evidence = list(hit.evidence)
    if ctx.fn is not None:
        shown = reserved if reserved is not None else "none reserved (the account's unreserved pool)"
        evidence.append(seen("lambda.get_function", "Concurrency.ReservedConcurrentExecutions", shown))
    if reserved is not None:
        higher = call(
            "lambda.put_function_concurrency", fn, ReservedConcurrentExecutions=max(10, 2 * reserved)
        )
        fix = f"{higher}, or {delete}"
    else:
        fix = (
            "raise the account's Lambda concurrency quota (lambda.get_account_settings shows it), or reserve "
        )
        fix += call("lambda.put_function_concurrency", fn, ReservedConcurrentExecutions="<N>")
    return Hit(hit.confidence, evidence, Fix(manual=fix))
