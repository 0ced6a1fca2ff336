"""diagnose_error on the sandbox: one broken API per symptom family, then audit_api on one API.

Each scenario breaks one thing (as tests/test_diagnose_tool.py does), then calls diagnose_error once
through an in-memory MCP client and reports the top finding (rule id, confidence), the AWS calls it made
and their sequential rounds (wrapped ``AwsRuntime.call``/``paginate``, as in ``describe.py``), the o200k
tokens of the text content and of the structuredContent (compact JSON; targets are judged on the larger),
and the wall time.

Run (from the README venv, in the checkout): .venv/bin/python bench/diagnose.py [--json]
"""

from __future__ import annotations

import io
import logging
import statistics
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from _measure import Recorder, key_costs, response_tokens, text_of
from _shared import check_source, compact, emit_json, tokens, verdict

REGION = "us-east-1"
TARGET_ROUNDS = 3
TARGET_TYPICAL = 1000  # median response over the families (each the larger of text and structured)
TARGET_MAX = 1500  # every response (the larger of text and structured)
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench01"
AUDIENCE = "bench-client"
ORIGIN = "https://app.example.com"
HANDLER = "import time\n\ndef handler(event, context):\n    time.sleep(20)\n    return {'statusCode': 200}\n"


@dataclass
class Scenario:
    family: str
    expected: str
    build: Callable[[Any, Any], Awaitable[dict[str, Any]]]  # (client, box) -> diagnose_error arguments


def boto(service: str, endpoint: str) -> Any:
    import boto3

    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)  # type: ignore[call-overload]


def rs256_token(**claims: Any) -> str:
    """An RS256 JWT signed with a throwaway key (pyjwt + cryptography), valid for an hour."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 3600, "scope": "orders/write", **claims}
    return str(jwt.encode(body, key, algorithm="RS256", headers={"kid": "bench-k1"}))


def http_spec(name: str, function_arn: str, **extra: Any) -> dict[str, Any]:
    """create_http_api arguments: GET /orders open, POST /orders behind a JWT authorizer with a scope."""
    return {
        "name": name,
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": function_arn},
            {
                "route_key": "POST /orders",
                "lambda_arn": function_arn,
                "auth": "jwt",
                "scopes": ["orders/write"],
            },
        ],
        "authorizers": [{"name": "jwt", "issuer": ISSUER, "audience": [AUDIENCE]}],
        **extra,
    }


async def create_http(client: Any, spec: dict[str, Any]) -> str:
    """Preview, then apply with the plan token (not measured)."""
    preview = await client.call_tool("create_http_api", spec)
    if preview.is_error:
        raise RuntimeError(f"create_http_api dry run failed: {text_of(preview)}")
    token = preview.structured_content["plan"]["token"]
    applied = await client.call_tool("create_http_api", {**spec, "dry_run": False, "plan_token": token})
    if applied.is_error:
        raise RuntimeError(f"create_http_api apply failed: {text_of(applied)}")
    return str(applied.structured_content["api_id"])


def rest_api(endpoint: str, name: str, function_arn: str, timeout_ms: int | None = None) -> str:
    """A REST API with GET /orders (Lambda proxy) deployed to ``prod``, with its invoke permission."""
    apigw = boto("apigateway", endpoint)
    api_id = str(apigw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})["id"])
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    orders = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    apigw.put_method(restApiId=api_id, resourceId=orders, httpMethod="GET", authorizationType="NONE")
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    extra = {"timeoutInMillis": timeout_ms} if timeout_ms else {}
    apigw.put_integration(
        restApiId=api_id,
        resourceId=orders,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri,
        **extra,
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    account = function_arn.split(":")[4]
    boto("lambda", endpoint).add_permission(
        FunctionName=function_arn,
        StatementId=f"bench-{api_id}",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{account}:{api_id}/*/*/*",
    )
    return api_id


def make_function(endpoint: str, role_arn: str, name: str, timeout_s: int = 3) -> str:
    """A Lambda function of its own (so its policy holds only what the scenario gives it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    created = boto("lambda", endpoint).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handler",
        Timeout=timeout_s,
        Code={"ZipFile": buffer.getvalue()},
    )
    return str(created["FunctionArn"])


def websocket_api(endpoint: str, function_arn: str) -> str:
    """A WebSocket API selecting on $request.body.action: $connect, $disconnect, sendMessage; no $default."""
    v2 = boto("apigatewayv2", endpoint)
    api_id = str(
        v2.create_api(
            Name="bench-chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
        )["ApiId"]
    )
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=uri)
    for key in ("$connect", "$disconnect", "sendMessage"):
        v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration['IntegrationId']}")
    deployment = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.create_stage(ApiId=api_id, StageName="prod", DeploymentId=deployment)
    account = function_arn.split(":")[4]
    boto("lambda", endpoint).add_permission(
        FunctionName=function_arn,
        StatementId=f"bench-{api_id}",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{account}:{api_id}/*",
    )
    return api_id


async def jwt_401(client: Any, box: Any) -> dict[str, Any]:
    api_id = await create_http(client, http_spec("bench-jwt", box.seed.function_arn))
    sent = rs256_token(aud="some-other-client")
    return {"api_id": api_id, "status": 401, "method": "POST", "path": "/orders", "token": sent}


async def rest_403(client: Any, box: Any) -> dict[str, Any]:
    api_id = await anyio.to_thread.run_sync(rest_api, box.endpoint, "bench-legacy", box.seed.function_arn)
    body = '{"message":"Missing Authentication Token"}'
    return {"api_id": api_id, "status": 403, "method": "POST", "path": "/prod/orders", "error_body": body}


async def http_404(client: Any, box: Any) -> dict[str, Any]:
    api_id = await create_http(client, http_spec("bench-404", box.seed.function_arn))
    return {
        "api_id": api_id,
        "status": 404,
        "method": "GET",
        "path": "/users",
        "error_body": '{"message":"Not Found"}',
    }


async def throttle_429(client: Any, box: Any) -> dict[str, Any]:
    stages = [{"name": "prod", "throttle": {"burst": 0, "rate": 0}}]
    api_id = await create_http(client, http_spec("bench-429", box.seed.function_arn, stages=stages))
    body = '{"message":"Too Many Requests"}'
    return {"api_id": api_id, "status": 429, "method": "GET", "path": "/prod/orders", "error_body": body}


async def permission_500(client: Any, box: Any, shared: bool = False) -> dict[str, Any]:
    """The invoke permission create_http_api added is removed; the function is the API's own, or
    (``shared``) the sandbox function that other APIs' permissions also name."""
    if shared:
        function = box.seed.function_arn
    else:
        function = await anyio.to_thread.run_sync(make_function, box.endpoint, box.seed.role_arn, "bench-own")
    api_id = await create_http(client, http_spec(f"bench-500{'-shared' if shared else ''}", function))

    def remove() -> None:
        boto("lambda", box.endpoint).remove_permission(
            FunctionName=function, StatementId=f"apigw-mcp-{api_id}"
        )

    await anyio.to_thread.run_sync(remove)
    body = '{"message":"Internal Server Error"}'
    return {"api_id": api_id, "status": 500, "method": "GET", "path": "/orders", "error_body": body}


async def permission_500_shared(client: Any, box: Any) -> dict[str, Any]:
    return await permission_500(client, box, shared=True)


async def timeout_504(client: Any, box: Any) -> dict[str, Any]:
    def build() -> str:
        function = make_function(box.endpoint, box.seed.role_arn, "bench-slow", timeout_s=30)
        return rest_api(box.endpoint, "bench-slow-api", function, timeout_ms=3000)

    api_id = await anyio.to_thread.run_sync(build)
    body = '{"message": "Endpoint request timed out"}'
    return {"api_id": api_id, "status": 504, "method": "GET", "path": "/prod/orders", "error_body": body}


async def cors(client: Any, box: Any) -> dict[str, Any]:
    api_id = await create_http(client, http_spec("bench-cors", box.seed.function_arn))
    return {"api_id": api_id, "keyword": "cors", "method": "GET", "path": "/orders", "origin": ORIGIN}


async def websocket(client: Any, box: Any) -> dict[str, Any]:
    api_id = await anyio.to_thread.run_sync(websocket_api, box.endpoint, box.seed.function_arn)
    body = '{"message": "Forbidden", "connectionId":"L0SM9cOFvHcCIhw=", "requestId":"L0SM9FYDvHcFlzQ="}'
    return {
        "api_id": api_id,
        "path": "/prod",
        "message": '{"action":"sendmessage","text":"hi"}',
        "error_body": body,
    }


async def no_logs(client: Any, box: Any) -> dict[str, Any]:
    api_id = await create_http(client, http_spec("bench-nologs", box.seed.function_arn))
    return {"api_id": api_id, "keyword": "no-logs", "method": "GET", "path": "/orders"}


SCENARIOS = [
    Scenario("401 JWT wrong aud (HTTP)", "http-jwt-audience-mismatch", jwt_401),
    Scenario("403 REST missing method", "rest-missing-resource-or-method", rest_403),
    Scenario("404 HTTP no route", "http-route-not-found", http_404),
    Scenario("429 throttling 0 (HTTP)", "http-stage-route-throttle-zero", throttle_429),
    Scenario("500 no Lambda permission", "lambda-invoke-permission-missing", permission_500),
    Scenario("504 REST integ. timeout", "rest-integration-timeout", timeout_504),
    Scenario("CORS not configured", "http-cors-not-configured", cors),
    Scenario("WebSocket no route match", "ws-route-selection-no-match", websocket),
    Scenario("no-logs (HTTP)", "http-access-logging-not-configured", no_logs),
    # a variant, not a family: the function's policy still names the other APIs built above
    Scenario("500, fn shared (variant)", "lambda-permission-source-arn-mismatch", permission_500_shared),
]


def finding_costs(structured: dict[str, Any]) -> dict[str, Any]:
    """Where the structured tokens go: per top-level key, per finding, and per finding field."""
    findings = structured.get("findings") or []
    fields: dict[str, int] = {}
    for finding in findings:
        for key, value in finding.items():
            fields[key] = fields.get(key, 0) + tokens(compact({key: value})) - 2
    return {
        "keys": key_costs(structured),
        "per_finding": [tokens(compact(f)) for f in findings],
        "finding_fields": dict(sorted(fields.items(), key=lambda item: -item[1])),
    }


async def measured(client: Any, recorder: Recorder, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    recorder.reset()
    started = time.perf_counter()
    result = await client.call_tool(tool, args)
    elapsed = time.perf_counter() - started
    structured = {} if result.is_error else (result.structured_content or {})
    return {
        "error": text_of(result) if result.is_error else None,
        "response": response_tokens(result),
        "calls": len(recorder.calls),
        "rounds": recorder.rounds(),
        "http_requests": recorder.http_requests,
        "call_names": sorted(c.what for c in recorder.calls),
        "round_names": recorder.round_names(),
        "seconds": elapsed,
        "text": text_of(result),
        "structured": structured,
        "costs": finding_costs(structured),
    }


async def run(box: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from mcp import Client

    from apigw_mcp.server.app import build_server
    from apigw_mcp.server.settings import load_settings

    recorder = Recorder()
    recorder.install()
    settings = load_settings(region=REGION, endpoint_url=box.endpoint, audit_log="off", allow_deletes=True)
    server = build_server(settings)
    rows: list[dict[str, Any]] = []
    async with Client(server) as client:
        await client.call_tool(
            "list_apis", {}
        )  # the session's one sts.get_caller_identity, not counted below
        for scenario in SCENARIOS:
            args = await scenario.build(client, box)
            row = await measured(client, recorder, "diagnose_error", args)
            findings = row["structured"].get("findings") or []
            top = findings[0] if findings else {}
            sent = str(args.get("token", ""))
            row.update(
                family=scenario.family,
                expected=scenario.expected,
                rule_id="ERROR" if row["error"] else top.get("rule_id", "-"),
                confidence=float(top.get("confidence", 0.0)),
                findings=len(findings),
                token_echoed=bool(sent) and (sent in row["text"] or sent in compact(row["structured"])),
                api_id=args["api_id"],
            )
            rows.append(row)
        audited = await measured(client, recorder, "audit_api", {"api_id": rows[0]["api_id"]})
    audited["findings"] = sum(len(a.get("findings") or []) for a in audited["structured"].get("apis", []))
    return rows, audited


def print_table(rows: list[dict[str, Any]]) -> None:
    width = max(len(r["family"]) for r in rows) + 2
    rule_width = max(len(r["rule_id"]) for r in rows) + 2
    print(
        f"{'family':<{width}}{'top rule':<{rule_width}}{'conf':>5} {'ok':>3}{'n':>3}{'calls':>6}{'rounds':>7}"
        f"{'text':>6}{'struct':>7}{'larger':>7}{'secs':>7}"
    )
    for r in rows:
        t = r["response"]
        ok = "yes" if r["rule_id"] == r["expected"] else "NO"
        print(
            f"{r['family']:<{width}}{r['rule_id']:<{rule_width}}{r['confidence']:>5.2f} {ok:>3}"
            f"{r['findings']:>3}{r['calls']:>6}{r['rounds']:>7}{t['text']:>6}{t['structured']:>7}"
            f"{t['larger']:>7}{r['seconds']:>7.3f}"
        )
    print("(ok: the top rule is the one the scenario was built for; n: findings returned)")
    for r in rows:
        if r["error"]:
            print(f"ERROR from diagnose_error for {r['family']}: {r['error']}")
    wrong = [r["family"] for r in rows if r["rule_id"] != r["expected"]]
    if wrong:
        print(f"unexpected top finding for: {', '.join(wrong)}")
    if any(r["token_echoed"] for r in rows):
        print("WARNING: the JWT sent was echoed in the response")
    print("\nAWS calls per round:")
    for r in rows:
        rounds = " | ".join(", ".join(sorted(names)) for names in r["round_names"])
        print(f"  {r['family']}: {rounds}")


def print_costs(rows: list[dict[str, Any]], audited: dict[str, Any]) -> None:
    a = audited["response"]
    print(
        f"\naudit_api on one HTTP API ({audited['findings']} findings): {audited['calls']} calls, "
        f"{audited['rounds']} rounds, text {a['text']} / structured {a['structured']} / larger {a['larger']} "
        f"tokens, {audited['seconds']:.3f} s"
    )
    print("\nwhere the structured tokens go (top-level keys; per finding; finding fields summed):")
    for r in rows:
        c = r["costs"]
        print(f"  {r['family']}: {c['keys']}; findings {c['per_finding']}; fields {c['finding_fields']}")
    print(f"  audit_api: {audited['costs']['keys']}")


def report(rows: list[dict[str, Any]], audited: dict[str, Any]) -> dict[str, Any]:
    print_table(rows)
    print_costs(rows, audited)
    answered = [r for r in rows if not r["error"]]
    largest = max(answered, key=lambda r: r["response"]["larger"])
    print(f"\ndiagnose_error text for the largest response ({largest['family']}):\n{largest['text']}\n")
    larger = [r["response"]["larger"] for r in answered]
    texts = [r["response"]["text"] for r in answered]
    structs = [r["response"]["structured"] for r in answered]
    most_rounds = max(r["rounds"] for r in rows)
    typical = statistics.median(larger)
    errors = [r["family"] for r in rows if r["error"]]
    print(
        f"target: every diagnosis answered (no tool error): {len(answered)}/{len(rows)} "
        f"{'PASS' if not errors else 'MISS'}" + (f" (failed: {', '.join(errors)})" if errors else "")
    )
    print(
        f"target: <= {TARGET_ROUNDS} sequential rounds per diagnosis: max {most_rounds} "
        f"{verdict(most_rounds, TARGET_ROUNDS)}"
    )
    print(
        f"target: typical (median) response <= {TARGET_TYPICAL} tokens, larger of text and structured: "
        f"{typical:.0f} {verdict(typical, TARGET_TYPICAL)} (text alone {statistics.median(texts):.0f}, "
        f"structured alone {statistics.median(structs):.0f})"
    )
    print(
        f"target: every response <= {TARGET_MAX} tokens, larger of text and structured: max {max(larger)} "
        f"{verdict(max(larger), TARGET_MAX)} (text alone max {max(texts)}, "
        f"structured alone max {max(structs)})"
    )
    keys = ("family", "expected", "rule_id", "confidence", "calls", "rounds", "http_requests", "response")
    return {
        "diagnose": {
            "families": [{k: r[k] for k in (*keys, "seconds", "error")} for r in rows],
            "errors": errors,
            "max_rounds": most_rounds,
            "median_larger": typical,
            "max_larger": max(larger),
            "all_expected": all(r["rule_id"] == r["expected"] for r in rows),
        },
        "audit": {
            k: audited[k] for k in ("calls", "rounds", "http_requests", "response", "seconds", "findings")
        },
    }


def main() -> None:
    from apigw_mcp.server.cli_support import sandbox_credentials
    from apigw_mcp.server.sandbox.launcher import Sandbox

    where = check_source()
    logging.getLogger("botocore.credentials").setLevel(logging.WARNING)
    with Sandbox(REGION) as box:
        sandbox_credentials()
        rows, audited = anyio.run(run, box)
    print(f"apigw_mcp from {where}\n")
    emit_json(report(rows, audited))


if __name__ == "__main__":
    main()
