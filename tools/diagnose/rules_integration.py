"""Integration rules: Lambda permissions and errors, proxy response formats, timeouts, HTTP backends.

The helpers come first; WebSocket-only rules live in ``rules_websocket`` (imported at the bottom), which
reuses them. Log lines and what the client saw are classified into signals ("task-timeout", "permission",
...): a signal of the rule's own kind confirms it, a rival signal alone argues against it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ..netcheck import host_refusal
from .model import EvidenceItem, Facts, Fix, FunctionFacts, Symptom
from .registry import Hit, rule, seen
from .uris import lambda_arn_of

LOG_READ = "logs.filter_log_events"
_SIGNALS: tuple[tuple[str, tuple[str, ...]], ...] = (  # first match wins for each line
    ("task-timeout", ("task timed out after",)),
    ("throttled", ("status: 429", "rate exceeded", "toomanyrequestsexception")),
    ("permission", ("invalid permissions on lambda function", "permissions to call the integration")),
    ("not-found", ("function not found",)),
    ("malformed", ("malformed lambda proxy response", "doesn't match the format that api gateway expects")),
    ("function-error", ("customer function error", "function returned the following error")),
    (
        "gw-timeout",
        ("endpoint request timed out", "timeout error", "integrationtimeout", "integration_timeout"),
    ),
    ("mapping", ("output mapping", "unable to transform request", "unable to transform response")),
    ("tls", ("sslengine", "pkix path", "does not match the certificate")),
    ("network", ("network error communicating with endpoint", "invalid endpoint address", "unknownhost")),
    ("vpc-link", ("internal error while executing your request", "vpc link", "vpclink")),
)
LAMBDA_SIGNALS = frozenset(
    {"task-timeout", "throttled", "permission", "not-found", "malformed", "function-error", "gw-timeout"}
)
_SECRETS = re.compile(r"(?i)(bearer\s+\S+|eyJ[\w-]{8,}\.[\w-]+\.[\w-]*|x-api-key[=:]\s*\S+)")


def quote(line: str) -> str:
    """A log line or error text fit for evidence: trimmed, tokens and key values masked."""
    return _SECRETS.sub("***", line.strip())[:240]


def signals(facts: Facts, symptom: Symptom) -> dict[str, EvidenceItem]:
    """Known error texts in the client's response and the stage's recent log lines, by kind."""
    found: dict[str, EvidenceItem] = {}
    sources = [("client response", symptom.text())] + [(LOG_READ, line) for line in facts.logs.lines]
    for read, text in sources:
        low = text.lower()
        tag = next((t for t, needles in _SIGNALS if any(n in low for n in needles)), None)
        if tag and tag not in found:
            found[tag] = seen(
                read, "message" if read != LOG_READ else facts.logs.group or "line", quote(text)
            )
    return found


def conflicts(sig: dict[str, EvidenceItem], own: set[str], rivals: frozenset[str]) -> bool:
    """A rival cause's error text is present and none of this rule's own."""
    return not own & sig.keys() and bool((rivals - own) & sig.keys())


def unsure(facts: Facts, base: float) -> float:
    """Confidence without confirming evidence: lower when logs were read and said nothing about it."""
    return round(base * 0.6, 2) if facts.logs.lines else base


def said(symptom: Symptom, *needles: str) -> bool:
    return any(n in symptom.text() for n in needles)


def json_of(text: str | None) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return None


def call(op: str, ids: dict[str, str], **kwargs: object) -> str:
    """A boto3 call as text, the real ids filled in; "<...>" strings stay as placeholders."""
    args = {**ids, **kwargs}
    shown = [
        f"{k}={v if isinstance(v, str) and v.startswith('<') else json.dumps(v)}" for k, v in args.items()
    ]
    return f"{op}({', '.join(shown)})"


@dataclass(frozen=True)
class Integ:
    """The matched route's or method's integration, the same shape for REST and v2."""

    read: str
    raw: dict[str, Any]
    type: str
    uri: str
    timeout_ms: int
    connection: str
    connection_id: str
    payload: str
    credentials: str
    params: dict[str, Any]
    ids: dict[str, str]  # the keyword arguments naming it in a boto3 call

    @property
    def v2(self) -> bool:
        return self.read.startswith("apigatewayv2")

    def seen(self, field: str, value: object) -> EvidenceItem:
        """Evidence about this integration, the field named as the API spells it."""
        return seen(self.read, _V2_NAMES.get(field, field) if self.v2 else field, value)


_REST_KEYS = (
    "type", "uri", "timeoutInMillis", "connectionType", "connectionId", "credentials", "requestParameters",
)  # fmt: skip
_V2_KEYS = (
    "IntegrationType", "IntegrationUri", "TimeoutInMillis", "ConnectionType", "ConnectionId",
    "CredentialsArn", "RequestParameters",
)  # fmt: skip
_V2_NAMES = dict(zip(_REST_KEYS, _V2_KEYS, strict=True))


def _integ(read: str, raw: dict[str, Any], keys: tuple[str, ...], cap: int, ids: dict[str, str]) -> Integ:
    kind, uri, timeout, conn, conn_id, creds, params = (raw.get(k) for k in keys)
    payload = "1.0" if read.startswith("apigateway.") else str(raw.get("PayloadFormatVersion") or "")
    return Integ(
        read, raw, kind or "", uri or "", timeout or cap, conn or "INTERNET", conn_id or "", payload,
        creds or "", params or {}, ids,
    )  # fmt: skip


def route_by(facts: Facts, route_id: str | None, route_key: str | None) -> dict[str, Any] | None:
    for route in facts.routes:
        if (route_id and route.get("RouteId") == route_id) or (
            not route_id and route.get("RouteKey") == route_key
        ):
            return route
    return None


def matched_route(facts: Facts) -> dict[str, Any] | None:
    m = facts.match
    return route_by(facts, m.route_id, m.route_key) if m.kind == "route" else None


def matched_method(facts: Facts) -> dict[str, Any] | None:
    m = facts.match
    if m.kind != "resource":
        return None
    for res in facts.resources:
        if res.get("id") == m.resource_id or (not m.resource_id and res.get("path") == m.resource_path):
            methods: dict[str, Any] = res.get("resourceMethods") or {}
            found = methods.get((m.method or "").upper()) or methods.get("ANY")
            return found if isinstance(found, dict) else None
    return None


def integration_of_route(facts: Facts, route: dict[str, Any] | None) -> Integ | None:
    iid = str((route or {}).get("Target") or "").removeprefix("integrations/")
    raw = next((i for i in facts.integrations if iid and i.get("IntegrationId") == iid), None)
    cap = 29000 if facts.api_type == "WEBSOCKET" else 30000
    ids = {"ApiId": facts.api_id, "IntegrationId": iid}
    return _integ("apigatewayv2.get_integration", raw, _V2_KEYS, cap, ids) if raw else None


def integration(facts: Facts) -> Integ | None:
    """The integration that serves the matched request, or None when nothing matched."""
    if facts.api_type != "REST":
        return integration_of_route(facts, matched_route(facts))
    raw = (matched_method(facts) or {}).get("methodIntegration")
    m = facts.match
    ids = {
        "restApiId": facts.api_id,
        "resourceId": m.resource_id or "",
        "httpMethod": (m.method or "").upper(),
    }
    return (
        _integ("apigateway.get_integration", raw, _REST_KEYS, 29000, ids) if isinstance(raw, dict) else None
    )


def stage_name(facts: Facts, symptom: Symptom) -> str | None:
    return facts.match.stage or symptom.stage


def stage_of(facts: Facts, symptom: Symptom) -> dict[str, Any]:
    name = stage_name(facts, symptom)
    return next((s for s in facts.stages if name and name in (s.get("StageName"), s.get("stageName"))), {})


def resolve(text: str, facts: Facts, symptom: Symptom) -> str:
    """``${stageVariables.x}`` replaced by the matched stage's value (left as is when unknown)."""
    stage = stage_of(facts, symptom)
    variables: dict[str, str] = stage.get("variables") or stage.get("StageVariables") or {}
    return re.sub(r"\$\{stageVariables\.(\w+)\}", lambda m: variables.get(m.group(1), m.group(0)), text)


def patched(facts: Facts, symptom: Symptom, integ: Integ, patch: list[dict[str, str]]) -> str:
    """A REST integration patch and the redeployment it needs."""
    update = call("apigateway.update_integration", integ.ids, patchOperations=patch)
    return f"{update} then {deploy(facts, symptom)}"


def deploy(facts: Facts, symptom: Symptom) -> str:
    stage = stage_name(facts, symptom) or "<stage>"
    if facts.api_type == "REST":
        return call("apigateway.create_deployment", {"restApiId": facts.api_id}, stageName=stage)
    return (
        call("apigatewayv2.create_deployment", {"ApiId": facts.api_id}, StageName=stage)
        + " unless AutoDeploy"
    )


@dataclass(frozen=True)
class LambdaCtx:
    integ: Integ
    arn: str
    fn: FunctionFacts | None  # None: the function was not read


def lambda_ctx(facts: Facts, symptom: Symptom, integ: Integ | None = None) -> LambdaCtx | None:
    integ = integ or integration(facts)
    if integ is None or integ.type not in ("AWS", "AWS_PROXY"):
        return None
    arn = lambda_arn_of(resolve(integ.uri, facts, symptom)) or lambda_arn_of(integ.uri)
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
    stage = stage_name(facts, symptom)
    stages = [stage] if stage else [s.get("StageName") or s.get("stageName") or "" for s in facts.stages]
    partition = arn.split(":")[1] if arn.count(":") > 2 else "aws"
    base = f"arn:{partition}:execute-api:{facts.region}:{facts.account}:{facts.api_id}"
    return [f"{base}/{s}/{resource}" for s in stages if s and resource]


def permission_fix(facts: Facts, arn: str) -> Fix:
    if facts.api_type == "HTTP":
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
    if not ctx.fn.exists:
        return False
    arns = request_arns(facts, symptom, ctx.arn)
    return bool(ctx.integ.credentials) or permission(ctx.fn, arns).state not in ("missing", "mismatch")


def status_fit(integ: Integ, symptom: Symptom, rest_proxy_status: int) -> float:
    """REST Lambda proxy: function errors and timeouts answer 502, invoke failures 500; HTTP APIs 500."""
    if not integ.v2 and integ.type == "AWS_PROXY" and symptom.status in (500, 502):
        return 1.0 if symptom.status == rest_proxy_status else 0.6
    return 1.0


# --- Lambda: permission, existence, output format, errors ------------------------------------------------


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
    if ":function:" in integ.uri and "${stageVariables." in resolve(integ.uri, facts, symptom):
        stage = stage_of(facts, symptom)
        names = sorted(stage.get("variables") or stage.get("StageVariables") or {})
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
    hit = lambda_hit(facts, symptom, ctx, "throttled", 0.3, rest_status=500)
    if ctx is None or hit is None:
        return None
    fn = {"FunctionName": ctx.arn}
    fix = (
        f"{call('lambda.get_function_concurrency', fn)}; then "
        f"{call('lambda.put_function_concurrency', fn, ReservedConcurrentExecutions='<N>')} or "
        f"{call('lambda.delete_function_concurrency', fn)}; raise the account concurrency quota if reached"
    )
    return Hit(hit.confidence, hit.evidence, Fix(manual=fix))


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


# --- Timeouts ----------------------------------------------------------------------------------------------


def _timeout_hit(facts: Facts, symptom: Symptom, integ: Integ | None) -> Hit | None:
    """The integration waited its full timeout: confirmed by the error text or by a Lambda allowed to run
    longer than the gateway waits; ruled out by a Lambda that stops first."""
    if integ is None or integ.type == "MOCK":
        return None
    sig, evidence = signals(facts, symptom), [integ.seen("timeoutInMillis", integ.timeout_ms)]
    confidence = 0.9 if "gw-timeout" in sig else 0.0
    if confidence:
        evidence.append(sig["gw-timeout"])
    elif conflicts(sig, {"gw-timeout"}, LAMBDA_SIGNALS | {"network", "tls"}):
        return None
    ctx = lambda_ctx(facts, symptom, integ)
    if ctx is not None and ctx.fn is not None and ctx.fn.timeout_s is not None:
        evidence.append(seen("lambda.get_function_configuration", "Timeout", ctx.fn.timeout_s))
        if ctx.fn.timeout_s * 1000 > integ.timeout_ms:
            confidence = max(confidence, 0.85)
        elif not confidence:
            return None  # the function stops before the gateway gives up
        else:
            confidence = 0.5  # the gateway says it timed out, yet the function should have stopped first
    if not confidence:
        fits = symptom.status in (503, 504) or symptom.keyword == "timeout"
        confidence = unsure(facts, 0.6 if fits else 0.4)
        if integ.connection == "VPC_LINK":
            confidence = min(confidence, 0.45)  # an unhealthy VPC link answers the same way
    return Hit(confidence, evidence)


@rule("rest-integration-timeout")
def _rest_timeout(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _timeout_hit(facts, symptom, integ)
    if hit is None or integ is None:
        return None
    if integ.v2 or integ.timeout_ms < 29000:
        patch = [{"op": "replace", "path": "/timeoutInMillis", "value": "29000"}]
        fix = (
            call("apigatewayv2.update_integration", integ.ids, TimeoutInMillis=29000)
            if integ.v2
            else patched(facts, symptom, integ, patch)
        )
        return Hit(hit.confidence, hit.evidence, Fix(manual=f"{fix}; beyond 29 s make the work asynchronous"))
    types = (facts.api.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
    evidence = [*hit.evidence, seen("apigateway.get_rest_api", "endpointConfiguration.types", types)]
    if "EDGE" not in types:
        return Hit(hit.confidence, evidence)  # the catalogue's fix: quota increase, then a longer timeout
    edge = "An edge-optimized API cannot wait longer than 29 s: make the backend faster or asynchronous"
    return Hit(
        hit.confidence, evidence, Fix(manual=f"{edge} (return 202 and poll), or use response streaming")
    )


@rule("http-integration-timeout")
def _http_timeout(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _timeout_hit(facts, symptom, integ)
    if hit is None or integ is None or not facts.match.route_key:
        return hit
    if integ.timeout_ms >= 30000:
        fix = Fix(
            manual="TimeoutInMillis is already at the 30000 ms maximum: make the work faster or asynchronous"
        )
        return Hit(hit.confidence, hit.evidence, fix)
    ctx = lambda_ctx(facts, symptom, integ)
    need = (ctx.fn.timeout_s or 30) * 1000 + 1000 if ctx and ctx.fn else 30000
    change = {"timeout_ms": max(50, min(30000, need))}
    args = {"api_id": facts.api_id, "route_key": facts.match.route_key, "change": change, "dry_run": True}
    return Hit(hit.confidence, hit.evidence, Fix(tool="update_route", args=args))


# --- HTTP backends and private integrations ---------------------------------------------------------------

_BACKEND_SIGNALS = LAMBDA_SIGNALS | {"tls", "network", "vpc-link"}


def http_backend(facts: Facts, symptom: Symptom) -> tuple[Integ, str] | None:
    """The matched HTTP/HTTP_PROXY integration and its URI with stage variables resolved."""
    integ = integration(facts)
    if integ is None or integ.type not in ("HTTP", "HTTP_PROXY"):
        return None
    return integ, resolve(integ.uri, facts, symptom)


@rule("http-backend-tls-certificate-invalid")
def _backend_tls(facts: Facts, symptom: Symptom) -> Hit | None:
    found = http_backend(facts, symptom)
    if found is None:
        return None
    integ, uri = found
    tls: dict[str, Any] = integ.raw.get("tlsConfig") or integ.raw.get("TlsConfig") or {}
    https = uri.lower().startswith("https://") or (integ.connection == "VPC_LINK" and bool(tls))
    if not https or tls.get("insecureSkipVerification"):
        return None
    sig, evidence = signals(facts, symptom), [integ.seen("uri", uri), integ.seen("tlsConfig", tls or None)]
    if "tls" in sig:
        return Hit(0.9, [*evidence, sig["tls"]])
    return None if conflicts(sig, {"tls"}, _BACKEND_SIGNALS) else Hit(unsure(facts, 0.3), evidence)


def private_host(host: str) -> bool:
    return host_refusal(host) is not None or (
        host.startswith("internal-") and host.endswith(".elb.amazonaws.com")
    )


@rule("http-backend-unreachable")
def _backend_unreachable(facts: Facts, symptom: Symptom) -> Hit | None:
    found = http_backend(facts, symptom)
    if found is None or found[0].connection == "VPC_LINK":
        return None
    integ, uri = found
    try:
        host = (urlsplit(uri).hostname or "").lower()
    except ValueError:
        host = ""
    sig = signals(facts, symptom)
    evidence = [integ.seen("connectionType", integ.connection), integ.seen("uri", uri)]
    confidence = 0.85 if host and private_host(host) else 0.0
    if "network" in sig:
        confidence = 0.9 if confidence else 0.8
        evidence.append(sig["network"])
    elif not confidence:
        if conflicts(sig, {"network"}, _BACKEND_SIGNALS | {"gw-timeout"}):
            return None
        confidence = unsure(facts, 0.3)
    if integ.v2:
        link = call(
            "apigatewayv2.create_vpc_link", {}, Name="<name>", SubnetIds="<[...]>", SecurityGroupIds="<[...]>"
        )
        use = call("apigatewayv2.update_integration", integ.ids, ConnectionType="VPC_LINK",
                   ConnectionId="<vpcLinkId>", IntegrationUri="<load balancer listener ARN>")  # fmt: skip
    else:
        link = call("apigateway.create_vpc_link", {}, name="<name>", targetArns="<[NLB ARN]>")
        patch = [{"op": "replace", "path": "/connectionType", "value": "VPC_LINK"}]
        patch += [{"op": "replace", "path": "/connectionId", "value": "<vpcLinkId>"}]
        use = patched(facts, symptom, integ, patch)
    return Hit(
        confidence, evidence, Fix(manual=f"Use a public endpoint, or a private integration: {link}; {use}")
    )


def _vpc_link_hit(facts: Facts, symptom: Symptom, integ: Integ | None, base: float) -> Hit | None:
    """A private integration whose VPC link or targets fail (the link status itself is not gathered)."""
    if integ is None or integ.connection != "VPC_LINK":
        return None
    sig = signals(facts, symptom)
    evidence = [integ.seen("connectionType", "VPC_LINK"), integ.seen("connectionId", integ.connection_id)]
    if "${stageVariables." in resolve(integ.connection_id, facts, symptom):
        return Hit(
            0.7, [*evidence, seen("get_stages", "stage variables", "no value for the connectionId variable")]
        )
    for own, confidence in (("vpc-link", 0.8), ("network", 0.7), ("gw-timeout", 0.6)):
        if own in sig:
            return Hit(confidence, [*evidence, sig[own]])
    return None if conflicts(sig, set(), _BACKEND_SIGNALS) else Hit(unsure(facts, base), evidence)


@rule("rest-vpc-link-nlb-failure")
def _rest_vpc_link(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _vpc_link_hit(facts, symptom, integ, 0.5)
    if hit is None or integ is None:
        return None
    cid = resolve(integ.connection_id, facts, symptom)
    check = (
        call("apigatewayv2.get_vpc_link", {"VpcLinkId": cid})
        if integ.raw.get("integrationTarget")
        else call("apigateway.get_vpc_link", {"vpcLinkId": cid})
    )
    patch = [{"op": "replace", "path": "/connectionId", "value": "<new link id>"}]
    fix = (
        f"{check} -> status; elbv2.describe_target_health(TargetGroupArn=<each target group>); fix "
        "targets, security groups and listener ports, or recreate the link and "
        f"{patched(facts, symptom, integ, patch)}"
    )
    return Hit(hit.confidence, hit.evidence, Fix(manual=fix))


@rule("http-vpc-link-unavailable")
def _http_vpc_link(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    hit = _vpc_link_hit(facts, symptom, integ, 0.55)
    if hit is None or integ is None:
        return None
    fix = (
        f"{call('apigatewayv2.get_vpc_link', {'VpcLinkId': integ.connection_id})} -> VpcLinkStatus; send "
        "traffic to reactivate an INACTIVE link, or recreate it (apigatewayv2.create_vpc_link(Name, "
        "SubnetIds, SecurityGroupIds) and "
        f"{call('apigatewayv2.update_integration', integ.ids, ConnectionId='<new id>')}); allow the link's "
        "security group on the load balancer listener port"
    )
    return Hit(hit.confidence, hit.evidence, Fix(manual=fix))


@rule("http-proxy-path-not-forwarded")
def _proxy_path(facts: Facts, symptom: Symptom) -> Hit | None:
    found = http_backend(facts, symptom)
    where = (facts.match.resource_path if facts.api_type == "REST" else facts.match.route_key) or ""
    if found is None or "{proxy+}" not in where or found[0].connection == "VPC_LINK":
        return None
    integ, uri = found
    target = f"{integ.uri.rstrip('/')}/{{proxy}}"
    if integ.v2:
        if "{proxy}" in uri or "overwrite:path" in integ.params or integ.type != "HTTP_PROXY":
            return None
        args = {"api_id": facts.api_id, "route_key": where, "change": {"url": target}, "dry_run": True}
        return Hit(0.75, [integ.seen("uri", uri)], Fix(tool="update_route", args=args))
    if "{proxy}" in uri and integ.params.get("integration.request.path.proxy") == "method.request.path.proxy":
        return None
    patch = [{"op": "replace", "path": "/uri", "value": target}]
    patch += [{"op": "add", "path": "/requestParameters/integration.request.path.proxy",
               "value": "method.request.path.proxy"}]  # fmt: skip
    fix = patched(facts, symptom, integ, patch)
    return Hit(
        0.75, [integ.seen("uri", uri), integ.seen("requestParameters", integ.params or None)], Fix(manual=fix)
    )


def integration_status(line: str) -> tuple[str, str] | None:
    """(integration status, gateway error response type) from a JSON access log or REST execution log line."""
    found = re.search(r"(?i)received response\. status: (\d{3})", line)
    if found:
        return found.group(1), ""
    doc = json_of(line)
    if not isinstance(doc, dict):
        return None
    flat = {re.sub(r"[^a-z]", "", str(k).lower()): str(v) for k, v in doc.items()}
    status = flat.get("integrationstatus") or flat.get("integrationintegrationstatus")
    kind = next((v for k, v in flat.items() if k.endswith("responsetype")), "")
    return (status, kind.strip("- ")) if status else None


@rule("backend-error-passthrough")
def _passthrough(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    if integ is None or integ.type not in ("HTTP", "HTTP_PROXY", "AWS_PROXY") or symptom.status is None:
        return None
    evidence = [integ.seen("type", integ.type)]
    for line in reversed(facts.logs.lines):
        found = integration_status(line)
        if found and found[0] == str(symptom.status) and not found[1]:
            return Hit(0.9, [*evidence, seen(LOG_READ, "integration status", found[0])])
    body = json_of(symptom.error_body)
    keys = {str(k).lower() for k in body} if isinstance(body, dict) else set()
    if (
        symptom.error_type
        or keys in ({"message"}, {"message", "connectionid", "requestid"})
        or signals(facts, symptom)
    ):
        return None  # the answer looks generated by API Gateway
    return Hit(unsure(facts, 0.6 if symptom.error_body else 0.35), evidence)


@rule("http-private-integration-stage-prefix-in-path")
def _stage_prefix(facts: Facts, symptom: Symptom) -> Hit | None:
    integ = integration(facts)
    stage = stage_name(facts, symptom)
    if (
        integ is None
        or integ.connection != "VPC_LINK"
        or stage in (None, "$default")
        or "overwrite:path" in integ.params
    ):
        return None
    evidence = [
        integ.seen("connectionType", "VPC_LINK"),
        integ.seen("RequestParameters", integ.params or None),
    ]
    fix = call(
        "apigatewayv2.update_integration", integ.ids, RequestParameters={"overwrite:path": "$request.path"}
    )
    return Hit(0.7, [*evidence, seen("apigatewayv2.get_stages", "StageName", stage)], Fix(manual=fix))


from . import rules_websocket  # noqa: E402, F401  (registration; it reuses the helpers above)
