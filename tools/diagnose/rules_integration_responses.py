"""Non-proxy integration responses: Lambda errors answered as 200, mapping template and response errors."""

from __future__ import annotations

import re
from typing import Any

from .facts import matched_method
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_integration_helpers import (
    LAMBDA_SIGNALS,
    call,
    conflicts,
    deploy,
    integration,
    json_of,
    quote,
    said,
    signals,
    unsure,
)
from .rules_lambda_helpers import lambda_ctx, lambda_seen


def _full_match(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return False


@rule("rest-lambda-nonproxy-error-returns-200")
def _nonproxy_200(facts: Facts, symptom: Symptom) -> Hit | None:
    ctx = lambda_ctx(facts, symptom)
    if ctx is None or ctx.integ.type != "AWS" or symptom.status not in (None, 200):
        return None
    responses: dict[str, Any] = ctx.integ.raw.get("integrationResponses") or {}
    patterns = [str(r["selectionPattern"]) for r in responses.values() if r.get("selectionPattern")]
    body = json_of(symptom.error_body)
    message = body.get("errorMessage") if isinstance(body, dict) else None
    evidence = [*lambda_seen(ctx), ctx.integ.seen("integrationResponses.selectionPattern", patterns)]
    if patterns and message is None:
        return Hit(unsure(facts, 0.35), evidence)
    if message is not None and any(_full_match(p, str(message)) for p in patterns):
        return None  # an integration response maps this error to its status
    ids = ctx.integ.ids
    fix = (
        f"{call('apigateway.put_method_response', ids, statusCode='500')}; "
        f"{call('apigateway.put_integration_response', ids, statusCode='500', selectionPattern='.+')}; "
        f"then {deploy(facts, symptom)} (or switch to AWS_PROXY)"
    )
    if message is not None or said(symptom, '"errormessage"', '"errortype"'):
        return Hit(
            0.9, [*evidence, seen("client response", "errorMessage", quote(str(message)))], Fix(manual=fix)
        )
    return Hit(0.6, evidence, Fix(manual=fix))


@rule("rest-mapping-configuration-error")
def _mapping_error(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    if integ is None or integ.type in ("AWS_PROXY", "HTTP_PROXY"):
        return None
    sig, evidence = signals(facts, symptom), [integ.seen("type", integ.type)]
    if "mapping" in sig:
        return Hit(0.9, [*evidence, sig["mapping"]])
    if conflicts(sig, {"mapping"}, LAMBDA_SIGNALS | {"network", "tls", "vpc-link"}):
        return None
    templates = integ.raw.get("requestTemplates") or integ.raw.get("RequestTemplates")
    render = (
        Hit(unsure(facts, 0.35), [*evidence, integ.seen("requestTemplates", templates)])
        if templates
        else None
    )
    if integ.v2:
        return render  # WebSocket integration responses are not gathered
    responses: dict[str, Any] = integ.raw.get("integrationResponses") or {}
    declared = sorted((matched_method(facts) or {}).get("methodResponses") or {})
    unknown = sorted(code for code in responses if code not in declared)
    if unknown or not responses:
        mapped = integ.seen("integrationResponses", sorted(responses))
        return Hit(
            0.85 if unknown else 0.8,
            [*evidence, mapped, seen("apigateway.get_method", "methodResponses", declared)],
        )
    if all(r.get("selectionPattern") for r in responses.values()):
        return Hit(
            0.6, [*evidence, integ.seen("integrationResponses", "no default (empty selectionPattern)")]
        )
    return render
