"""describe_api of a REST API on the sandbox: response tokens, AWS calls, sequential rounds; and the dry run.

Builds a REST API through our create_rest_api tool (dry run, then apply with the plan token): N resources
``/<name>`` with GET (Lambda proxy, open) and POST (Lambda proxy, a Cognito user pool authorizer), CORS for
one origin, and a ``prod`` stage with a cache on every GET; then calls describe_api. Done for 30 resources
x 2 methods (the target) and for 150 x 2 = 300 methods (the rounds must not grow with size). Responses are
counted as text content and as compact structuredContent; targets are judged on the larger. The dry run's
tokens (no target) are broken down by field and by AWS call.

Run (from the README venv, in the checkout): .venv/bin/python bench/describe_rest.py [--json]
"""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from _measure import Recorder, key_costs, preview_breakdown, print_breakdown, response_tokens, text_of
from _shared import check_source, emit_json, verdict

REGION = "us-east-1"
TARGET_TOKENS_60 = 1200  # describe_api of 30 resources x 2 methods, the larger of text and structured
TARGET_ROUNDS = 3  # at any size: checked with 300 methods
SIZES = (30, 150)  # resources, each with GET and POST
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf"
WORDS = [
    *("orders", "users", "products", "carts", "payments", "invoices", "shipments", "reviews", "coupons"),
    *("stores", "suppliers", "warehouses", "returns", "refunds", "customers", "addresses", "wishlists"),
    *("subscriptions", "notifications", "reports", "categories", "brands", "promotions", "messages"),
    *("sessions", "devices", "accounts", "teams", "projects", "tasks"),
]


def rest_api(resources: int, function_arn: str) -> dict[str, Any]:
    names = [
        WORDS[i % len(WORDS)] + (str(i // len(WORDS)) if i >= len(WORDS) else "") for i in range(resources)
    ]
    routes: list[dict[str, Any]] = []
    for name in names:
        routes.append({"route_key": f"GET /{name}", "lambda_arn": function_arn})
        routes.append({"route_key": f"POST /{name}", "lambda_arn": function_arn, "auth": "users"})
    return {
        "name": f"bench-rest-{resources * 2}-methods",
        "routes": routes,
        "authorizers": [{"name": "users", "cognito_user_pool_arns": [POOL]}],
        "cors": {"allow_origins": ["https://app.example.com"]},
        "stages": [{"name": "prod", "caching": {}}],
    }


async def measure(resources: int, client: Any, box: Any, recorder: Recorder) -> dict[str, Any]:
    request = rest_api(resources, box.seed.function_arn)
    preview = await client.call_tool("create_rest_api", request)
    if preview.is_error:
        raise RuntimeError(f"create_rest_api dry run failed: {text_of(preview)}")
    token = preview.structured_content["plan"]["token"]
    applied = await client.call_tool("create_rest_api", {**request, "dry_run": False, "plan_token": token})
    if applied.is_error:
        raise RuntimeError(f"create_rest_api apply failed: {text_of(applied)}")
    api_id = applied.structured_content["api_id"]

    recorder.reset()
    started = time.perf_counter()
    described = await client.call_tool("describe_api", {"api_id": api_id})
    elapsed = time.perf_counter() - started
    if described.is_error:
        raise RuntimeError(f"describe_api failed: {text_of(described)}")
    structured = described.structured_content or {}
    plan = preview.structured_content["plan"]
    return {
        "methods": resources * 2,
        "describe": response_tokens(described),
        "dry_run": response_tokens(preview),
        "calls": len(recorder.calls),
        "rounds": recorder.rounds(),
        "round_names": recorder.round_names(),
        "seconds": elapsed,
        "text": text_of(described),
        "describe_keys": key_costs(structured),
        "dry_run_breakdown": preview_breakdown(preview.structured_content or {}),
        "dry_run_steps": len(plan["steps"]),
        "routes_shown": len(structured.get("routes") or {}),
        "routes_total": structured.get("routes_total", len(structured.get("routes") or {})),
    }


async def run(box: Any) -> list[dict[str, Any]]:
    from mcp import Client

    from apigw_mcp.server.app import build_server
    from apigw_mcp.server.settings import load_settings

    recorder = Recorder()
    recorder.install()
    server = build_server(load_settings(region=REGION, endpoint_url=box.endpoint, audit_log="off"))
    async with Client(server) as client:
        return [await measure(size, client, box, recorder) for size in SIZES]


def main() -> None:
    from apigw_mcp.server.cli_support import sandbox_credentials
    from apigw_mcp.server.sandbox.launcher import Sandbox

    where = check_source()
    logging.getLogger("botocore.credentials").setLevel(logging.WARNING)
    with Sandbox(REGION) as box:
        sandbox_credentials()
        small, large = anyio.run(run, box)
    print(f"apigw_mcp from {where}\n")
    print(f"describe_api text, {small['methods']} methods:\n{small['text']}\n")
    header = f"{'methods':>7} {'text':>6} {'struct':>7} {'larger':>7} {'calls':>6} {'rounds':>7} {'secs':>6}"
    print(f"{header}  routes")
    for r in (small, large):
        d = r["describe"]
        print(
            f"{r['methods']:>7} {d['text']:>6} {d['structured']:>7} {d['larger']:>7} {r['calls']:>6} "
            f"{r['rounds']:>7} {r['seconds']:>6.3f}  {r['routes_shown']} shown of {r['routes_total']}"
        )
    for r in (small, large):
        print(f"rounds of describe_api, {r['methods']} methods: {r['round_names']}")
    print(f"describe_api structured tokens by key ({small['methods']} methods): {small['describe_keys']}")
    for r in (small, large):
        dry = r["dry_run"]
        print(
            f"create_rest_api dry run, {r['methods']} methods (+ CORS preflights): text {dry['text']}, "
            f"structured {dry['structured']}, larger {dry['larger']} tokens; {r['dry_run_steps']} steps"
        )
    print_breakdown(f"dry run, {small['methods']} methods", small["dry_run_breakdown"], each_step=False)
    described = small["describe"]["larger"]
    rounds = max(small["rounds"], large["rounds"])
    print(
        f"\ntarget: describe of {small['methods']} methods <= {TARGET_TOKENS_60} tokens: {described} "
        f"{verdict(described, TARGET_TOKENS_60)}"
    )
    print(
        f"target: <= {TARGET_ROUNDS} sequential rounds at any size ({small['methods']} and "
        f"{large['methods']} methods): {rounds} {verdict(rounds, TARGET_ROUNDS)}"
    )
    emit_json(
        {
            f"describe_rest_{r['methods']}": {
                k: r[k] for k in ("describe", "dry_run", "calls", "rounds", "seconds", "dry_run_steps")
            }
            for r in (small, large)
        }
        | {"dry_run_rest_60_fields": small["dry_run_breakdown"]["fields"]}
    )


if __name__ == "__main__":
    main()
