"""The task benchmark: build "the secured API" from nothing through an in-memory MCP client.

Two Lambda routes (GET /orders, POST /orders), CORS for one https origin, a JWT authorizer (Cognito issuer,
one audience) on one route with a scope, and a ``prod`` stage with throttling (burst 100, rate 50) and
access logs: one create_http_api preview, then one apply with its plan token. Reports the tool calls, the
o200k tokens of the requests and of the responses (text content and compact structuredContent; targets are
judged on the larger), where the preview's tokens go, the AWS calls (and HTTP requests) each call made, and
the wall time on the moto sandbox; then checks with plain boto3 that the API really is what was asked for.

Run (from the README venv, in the checkout): .venv/bin/python bench/task.py [--json]
"""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from _measure import Recorder, key_costs, preview_breakdown, print_breakdown, response_tokens, text_of
from _shared import check_source, compact, emit_json, tokens, verdict

REGION = "us-east-1"
TARGET_CALLS = 2
TARGET_TASK_TOKENS = 1200  # preview + apply, each response counted as the larger of text and structured
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
    preview_content = preview.structured_content or {}
    applied_content = applied.structured_content or {}
    return {
        "calls": [first, second],
        "seconds_total": total,
        "api_id": applied_content.get("api_id"),
        "texts": [text_of(preview), text_of(applied)],
        "same_text": [text_of(r) == compact(r.structured_content) for r in (preview, applied)],
        "preview": preview_breakdown(preview_content),
        "apply_keys": key_costs(applied_content, nested="plan"),
        "whatifs": whatifs(preview_content, applied_content),
        "preview_diff": len(preview_content.get("plan", {}).get("diff", [])),
    }


def whatifs(preview: dict[str, Any], applied: dict[str, Any]) -> dict[str, int]:
    """The task's tokens (compact structuredContent, preview + apply) with one field cut; diagnosis only."""

    def cut_plan(result: dict[str, Any], *keys: str) -> dict[str, Any]:
        plan = {k: v for k, v in result.get("plan", {}).items() if k not in keys}
        return {**result, "plan": plan}

    def without_log_format(step: dict[str, Any]) -> dict[str, Any]:
        params = dict(step.get("params") or {})
        if isinstance(params.get("AccessLogSettings"), dict):
            params["AccessLogSettings"] = {
                k: v for k, v in params["AccessLogSettings"].items() if k != "Format"
            }
        return {**step, "params": params}

    plan = preview.get("plan", {})
    no_format = {**preview, "plan": {**plan, "steps": [without_log_format(s) for s in plan.get("steps", [])]}}
    no_next = {k: v for k, v in applied.items() if k != "next"}
    options = {
        "as measured": (preview, applied),
        "preview without plan.steps (diff kept)": (cut_plan(preview, "steps"), applied),
        "preview without the access-log Format string": (no_format, applied),
        "preview without plan.account/region/caller": (
            cut_plan(preview, "account", "region", "caller"),
            applied,
        ),
        "apply without plan (summary; warnings if any)": (
            preview,
            {k: v for k, v in applied.items() if k != "plan"},
        ),
        "apply without next": (preview, no_next),
    }
    return {name: tokens(compact(p)) + tokens(compact(a)) for name, (p, a) in options.items()}


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


def print_calls(calls: list[dict[str, Any]], seconds_total: float) -> dict[str, int]:
    """One row per call and a total row; returns the summed response tokens."""
    print(
        f"{'call':<8}{'request':>8}{'text':>6}{'struct':>8}{'larger':>8}{'aws':>5}{'rounds':>7}{'http':>6}"
        f"{'secs':>7}"
    )
    for c in calls:
        r = c["response"]
        print(
            f"{c['step']:<8}{c['request']:>8}{r['text']:>6}{r['structured']:>8}{r['larger']:>8}"
            f"{c['aws_calls']:>5}{c['rounds']:>7}{c['http_requests']:>6}{c['seconds']:>7.3f}"
        )
    request = sum(c["request"] for c in calls)
    response = {k: sum(c["response"][k] for c in calls) for k in ("text", "structured", "larger")}
    aws_calls = sum(c["aws_calls"] for c in calls)
    http = sum(c["http_requests"] for c in calls)
    print(
        f"{'total':<8}{request:>8}{response['text']:>6}{response['structured']:>8}{response['larger']:>8}"
        f"{aws_calls:>5}{'':>7}{http:>6}{seconds_total:>7.3f}  (total wall time incl. session)"
    )
    print("('larger': the larger of text and structured, per response; the total sums those)")
    return {"request": request, "aws_calls": aws_calls, "http_requests": http, **response}


def print_diagnosis(figures: dict[str, Any]) -> None:
    print_breakdown(f"\npreview ({figures['preview_diff']} diff lines)", figures["preview"], each_step=True)
    print("apply, by field: " + ", ".join(f"{k} {v}" for k, v in figures["apply_keys"].items()))
    print(
        "\nwhat-ifs, task tokens (structured, preview + apply) with one field cut (the product is unchanged):"
    )
    for name, cost in figures["whatifs"].items():
        print(f"  {cost:>5}  {name}")


def main() -> None:
    from apigw_mcp.server.cli_support import sandbox_credentials
    from apigw_mcp.server.sandbox.launcher import Sandbox

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
    totals = print_calls(calls, figures["seconds_total"])
    print(f"text is the compact JSON of structuredContent (preview, apply): {figures['same_text']}")
    for c in calls:
        print(f"\nAWS calls in {c['step']}: {', '.join(c['call_names'])}")
    print_diagnosis(figures)
    print(f"\nbuilt (checked with boto3): stages {built['stages']}; {built['checks']}")
    largest = max(c["response"]["larger"] for c in calls)
    print(
        f"\ntarget: {TARGET_CALLS} tool calls: {len(calls)} {verdict(len(calls), TARGET_CALLS)} "
        f"(generic AWS MCP server: {GENERIC['calls']})"
    )
    print(
        f"target: preview + apply <= {TARGET_TASK_TOKENS} tokens (each the larger of text and structured): "
        f"{totals['larger']} {verdict(totals['larger'], TARGET_TASK_TOKENS)} (text {totals['text']}, "
        f"structured {totals['structured']}; generic AWS MCP server: {GENERIC['response_tokens']})"
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
                "request_tokens": totals["request"],
                "response_tokens": {k: totals[k] for k in ("text", "structured", "larger")},
                "largest_response": largest,
                "preview_fields": figures["preview"]["fields"],
                "per_call": [
                    {
                        k: c[k]
                        for k in (
                            "step",
                            "request",
                            "response",
                            "aws_calls",
                            "rounds",
                            "http_requests",
                            "seconds",
                        )
                    }
                    for c in calls
                ],
                "aws_calls": totals["aws_calls"],
                "http_requests": totals["http_requests"],
                "seconds_total": round(figures["seconds_total"], 3),
            }
        }
    )


if __name__ == "__main__":
    main()
