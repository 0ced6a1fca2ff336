"""The task benchmark: build "the secured API" from nothing through an in-memory MCP client.

Two Lambda routes (GET /orders, POST /orders), CORS for one https origin, a JWT authorizer (Cognito issuer,
one audience) on one route with a scope, and a ``prod`` stage with throttling (burst 100, rate 50) and
access logs: one create_http_api preview, then one apply with its plan token. Reports the tool calls, the
o200k tokens of the requests and responses, the AWS calls (and HTTP requests) each call made, and the wall
time on the moto sandbox; then checks with plain boto3 that the API really is what was asked for.

Run (from the README venv, in the checkout): .venv/bin/python bench/task.py [--json]
"""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from _shared import check_source, compact, emit_json, tokens, verdict
from describe import Recorder, key_costs, response_tokens, text_of

REGION = "us-east-1"
TARGET_CALLS = 2
TARGET_RESPONSE_TOKENS = 1400
TARGET_EACH_RESPONSE = 1500
GENERIC = {"calls": 3, "response_tokens": 2830}  # generic AWS MCP server, same task (given in the brief)
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf"
CLIENT_ID = "4b2ljd8l1tq6c0e6u2p0sfmd3m"
ORIGIN = "https://app.example.com"


def secured_api(function_arn: str) -> dict[str, Any]:
    """create_http_api arguments for the whole secured API (no dry_run/plan_token: a preview)."""
    return {
        "name": "orders-api",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": function_arn},
            {
                "route_key": "POST /orders",
                "lambda_arn": function_arn,
                "auth": "cognito",
                "scopes": ["orders/write"],
            },
        ],
        "cors": {"allow_origins": [ORIGIN]},
        "authorizers": [{"name": "cognito", "issuer": ISSUER, "audience": [CLIENT_ID]}],
        "stages": [{"name": "prod", "throttle": {"burst": 100, "rate": 50}, "access_log": True}],
        "default_stage": False,
    }


async def timed_call(
    client: Any, recorder: Recorder, arguments: dict[str, Any], step: str
) -> tuple[Any, dict[str, Any]]:
    recorder.reset()
    started = time.perf_counter()
    answer = await client.call_tool("create_http_api", arguments)
    elapsed = time.perf_counter() - started
    if answer.is_error:
        raise RuntimeError(f"create_http_api {step} failed: {text_of(answer)}")
    return answer, {
        "step": step,
        "request": tokens(compact(arguments)),
        "response": response_tokens(answer),
        "aws_calls": len(recorder.calls),
        "rounds": recorder.rounds(),
        "http_requests": recorder.http_requests,
        "call_names": sorted(c.what for c in recorder.calls),
        "seconds": elapsed,
    }


async def run(box: Any) -> dict[str, Any]:
    from mcp import Client

    from apigw_mcp.server.app import build_server
    from apigw_mcp.server.settings import load_settings

    recorder = Recorder()
    recorder.install()
    server = build_server(load_settings(region=REGION, endpoint_url=box.endpoint, audit_log="off"))
    request = secured_api(box.seed.function_arn)
    started = time.perf_counter()
    async with Client(server) as client:
        preview, first = await timed_call(client, recorder, request, "preview")
        token = preview.structured_content["plan"]["token"]
        applied, second = await timed_call(
            client, recorder, {**request, "dry_run": False, "plan_token": token}, "apply"
        )
    total = time.perf_counter() - started
    structured = applied.structured_content or {}
    return {
        "calls": [first, second],
        "seconds_total": total,
        "api_id": structured.get("api_id"),
        "texts": [text_of(preview), text_of(applied)],
        "preview_keys": key_costs(preview.structured_content or {}, nested="plan"),
        "apply_keys": key_costs(structured, nested="plan"),
        "whatifs": whatifs(preview.structured_content or {}, structured, text_of(preview), text_of(applied)),
        "step_costs": [
            (step.get("resource", step.get("id", "?")), tokens(compact(step)))
            for step in preview.structured_content["plan"].get("steps", [])
        ],
        "preview_steps": len(preview.structured_content["plan"].get("steps", [])),
        "preview_diff": len(preview.structured_content["plan"].get("diff", [])),
    }


def whatifs(
    preview: dict[str, Any], applied: dict[str, Any], preview_text: str, apply_text: str
) -> dict[str, int]:
    """Response tokens (text + structured) of both calls under a few alternatives; diagnosis only."""

    def both(text: str, structured: dict[str, Any]) -> int:
        return tokens(text) + tokens(compact(structured))

    plan = preview.get("plan", {})
    no_steps = {**preview, "plan": {k: v for k, v in plan.items() if k != "steps"}}
    log_format = [
        s.get("params", {}).get("AccessLogSettings", {}).get("Format", "") for s in plan.get("steps", [])
    ]
    slim_steps = [
        {k: v for k, v in s.items() if k in ("id", "operation")}
        | {"params": {k: v for k, v in s.get("params", {}).items() if k != "AccessLogSettings"}}
        for s in plan.get("steps", [])
    ]
    slim = {**preview, "plan": {**plan, "steps": slim_steps}}
    no_request_ids = {
        **applied,
        "applied": [{k: v for k, v in a.items() if k != "request_id"} for a in applied.get("applied", [])],
    }
    short_apply = {k: v for k, v in no_request_ids.items() if k != "plan"}
    now = both(preview_text, preview) + both(apply_text, applied)
    return {
        "as measured": now,
        "text only (no structuredContent)": tokens(preview_text) + tokens(apply_text),
        "structuredContent only (no text)": tokens(compact(preview)) + tokens(compact(applied)),
        "preview without plan.steps (diff kept)": both(preview_text, no_steps) + both(apply_text, applied),
        "preview steps without service/effect/resource and access-log settings": both(preview_text, slim)
        + both(apply_text, applied),
        "access-log Format string alone (preview structured)": sum(
            tokens(compact(f)) for f in log_format if f
        ),
        "apply without request_id": both(preview_text, preview) + both(apply_text, no_request_ids),
        "apply without request_id and without the repeated plan": both(preview_text, preview)
        + both(apply_text, short_apply),
        "preview without plan.steps; apply without request_id and plan": both(preview_text, no_steps)
        + both(apply_text, short_apply),
        "same, text only for the preview": tokens(preview_text) + both(apply_text, short_apply),
    }


def check_built(endpoint: str, api_id: str) -> dict[str, Any]:
    """What AWS (the sandbox) now holds, read with plain boto3 (not counted as the tool's calls)."""
    import boto3

    v2 = boto3.client("apigatewayv2", endpoint_url=endpoint, region_name=REGION)
    api = v2.get_api(ApiId=api_id)
    routes = v2.get_routes(ApiId=api_id)["Items"]
    authorizers = v2.get_authorizers(ApiId=api_id)["Items"]
    stages = v2.get_stages(ApiId=api_id)["Items"]
    prod: dict[str, Any] = next((dict(s) for s in stages if s["StageName"] == "prod"), {})
    throttle = prod.get("DefaultRouteSettings", {})
    checks = {
        "routes GET+POST /orders": sorted(r["RouteKey"] for r in routes) == ["GET /orders", "POST /orders"],
        "CORS origin": api.get("CorsConfiguration", {}).get("AllowOrigins") == [ORIGIN],
        "JWT authorizer": [
            (a["AuthorizerType"], a.get("JwtConfiguration", {}).get("Issuer")) for a in authorizers
        ]
        == [("JWT", ISSUER)],
        "JWT + scope on POST only": sorted(
            (r["RouteKey"], r.get("AuthorizationType"), tuple(r.get("AuthorizationScopes") or ()))
            for r in routes
        )
        == [("GET /orders", "NONE", ()), ("POST /orders", "JWT", ("orders/write",))],
        "prod throttle 100/50": (throttle.get("ThrottlingBurstLimit"), throttle.get("ThrottlingRateLimit"))
        == (100, 50),
        "prod access logs": bool(prod.get("AccessLogSettings", {}).get("DestinationArn")),
    }
    return {"checks": checks, "stages": sorted(s["StageName"] for s in stages)}


def main() -> None:
    from apigw_mcp.server.cli_support import sandbox_credentials
    from apigw_mcp.server.sandbox import Sandbox

    where = check_source()
    logging.getLogger("botocore.credentials").setLevel(logging.WARNING)
    with Sandbox(REGION) as box:
        sandbox_credentials()
        figures = anyio.run(run, box)
        built = check_built(box.endpoint, figures["api_id"])
    calls = figures["calls"]
    print(f"apigw_mcp from {where}\n")
    for call, text in zip(calls, figures["texts"], strict=True):
        print(f"--- {call['step']} text:\n{text}\n")
    print(
        f"{'call':<8}{'request':>8}{'text':>6}{'struct':>8}{'both':>6}{'aws':>5}{'rounds':>7}{'http':>6}"
        f"{'secs':>7}"
    )
    for c in calls:
        r = c["response"]
        print(
            f"{c['step']:<8}{c['request']:>8}{r['text']:>6}{r['structured']:>8}{r['both']:>6}"
            f"{c['aws_calls']:>5}{c['rounds']:>7}{c['http_requests']:>6}{c['seconds']:>7.3f}"
        )
    request = sum(c["request"] for c in calls)
    response = {k: sum(c["response"][k] for c in calls) for k in ("text", "structured", "both")}
    aws_calls = sum(c["aws_calls"] for c in calls)
    http = sum(c["http_requests"] for c in calls)
    print(
        f"{'total':<8}{request:>8}{response['text']:>6}{response['structured']:>8}{response['both']:>6}"
        f"{aws_calls:>5}{'':>7}{http:>6}{figures['seconds_total']:>7.3f}  (total wall time incl. session)"
    )
    for c in calls:
        print(f"\nAWS calls in {c['step']}: {', '.join(c['call_names'])}")
    print(
        f"\npreview: {figures['preview_steps']} plan steps, {figures['preview_diff']} diff rows; "
        f"structured tokens by key: {figures['preview_keys']}"
    )
    print(f"apply structured tokens by key: {figures['apply_keys']}")
    print("preview plan.steps, tokens per step: " + ", ".join(f"{n} {c}" for n, c in figures["step_costs"]))
    print("\nwhat-ifs, response tokens of both calls (diagnosis only; the product is unchanged):")
    for name, cost in figures["whatifs"].items():
        print(f"  {cost:>5}  {name}")
    print(f"\nbuilt (checked with boto3): stages {built['stages']}; {built['checks']}")
    largest = max(c["response"]["both"] for c in calls)
    print(
        f"\ntarget: {TARGET_CALLS} tool calls: {len(calls)} {verdict(len(calls), TARGET_CALLS)} "
        f"(generic AWS MCP server: {GENERIC['calls']})"
    )
    print(
        f"target: responses together <= {TARGET_RESPONSE_TOKENS} tokens (text + structured): "
        f"{response['both']} {verdict(response['both'], TARGET_RESPONSE_TOKENS)} "
        f"(generic AWS MCP server: {GENERIC['response_tokens']})"
    )
    print(
        f"target: each response <= {TARGET_EACH_RESPONSE} tokens: largest {largest} "
        f"{verdict(largest, TARGET_EACH_RESPONSE)}"
    )
    if not all(built["checks"].values()):
        failed = [name for name, ok in built["checks"].items() if not ok]
        raise SystemExit(f"the built API is not the secured API: {failed}")
    emit_json(
        {
            "task": {
                "tool_calls": len(calls),
                "request_tokens": request,
                "response_tokens": response,
                "largest_response": largest,
                "per_call": [
                    {
                        k: c[k]
                        for k in ("step", "request", "response", "aws_calls", "http_requests", "seconds")
                    }
                    for c in calls
                ],
                "aws_calls": aws_calls,
                "http_requests": http,
                "seconds_total": round(figures["seconds_total"], 3),
            }
        }
    )


if __name__ == "__main__":
    main()
