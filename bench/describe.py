"""describe_api on the sandbox: response tokens, and the AWS calls and sequential rounds it makes.

Builds an HTTP API through our create_http_api tool (dry run, then apply with the plan token, CORS
included), adds a JWT authorizer on about half the routes and a throttled, logged ``prod`` stage with
plain boto3, then calls describe_api. Done for 20 and for 100 routes. Responses are counted as text content
and as compact structuredContent; targets are judged on the larger. The dry run's tokens are broken down by
field and by AWS call.

Run (from the README venv, in the checkout): .venv/bin/python bench/describe.py [--json]
"""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from _measure import Recorder, key_costs, preview_breakdown, print_breakdown, response_tokens, text_of
from _shared import check_source, emit_json, verdict

REGION = "us-east-1"
TARGET_TOKENS_20 = 800  # describe_api of the 20-route API, the larger of text and structured
TARGET_DRY_RUN_20 = 1500  # create_http_api preview of the 20 routes, the larger of text and structured
TARGET_ROUNDS_100 = 4
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf"
CLIENT_ID = "4b2ljd8l1tq6c0e6u2p0sfmd3m"
RESOURCES = [
    "orders",
    "users",
    "products",
    "carts",
    "payments",
    "invoices",
    "shipments",
    "reviews",
    "coupons",
    "stores",
    "suppliers",
    "warehouses",
    "returns",
    "refunds",
    "customers",
    "addresses",
    "wishlists",
    "subscriptions",
    "notifications",
    "reports",
]
CORS = {
    "allow_origins": ["https://app.example.com"],
    "allow_methods": ["GET", "POST", "PUT", "DELETE"],
    "allow_headers": ["authorization", "content-type"],
    "max_age": 600,
}


def routes_for(count: int, function_arn: str) -> list[dict[str, Any]]:
    """``count`` routes: per resource GET list, GET one, POST, PUT, DELETE; about 1 in 7 is an HTTPS proxy."""
    shapes = [("GET", ""), ("GET", "/{id}"), ("POST", ""), ("PUT", "/{id}"), ("DELETE", "/{id}")]
    routes: list[dict[str, Any]] = []
    for index in range(count):
        resource = RESOURCES[index // len(shapes) % len(RESOURCES)]
        method, suffix = shapes[index % len(shapes)]
        route: dict[str, Any] = {"route_key": f"{method} /{resource}{suffix}"}
        if index % 7 == 6:
            route["url"] = f"https://legacy.example.com/{resource}{suffix}"
        else:
            route["lambda_arn"] = function_arn
        routes.append(route)
    return routes


def decorate(endpoint: str, api_id: str, route_keys: list[str]) -> None:
    """JWT authorizer on every other route, and a throttled, logged ``prod`` stage (plain boto3)."""
    import boto3

    v2 = boto3.client("apigatewayv2", endpoint_url=endpoint, region_name=REGION)
    authorizer = v2.create_authorizer(
        ApiId=api_id,
        Name="cognito",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": ISSUER, "Audience": [CLIENT_ID]},
    )["AuthorizerId"]
    by_key = {r["RouteKey"]: r["RouteId"] for r in v2.get_routes(ApiId=api_id)["Items"]}
    for key in route_keys[::2]:
        resource = key.split("/")[1]
        scope = f"{resource}/{'read' if key.startswith('GET') else 'write'}"
        v2.update_route(
            ApiId=api_id,
            RouteId=by_key[key],
            AuthorizationType="JWT",
            AuthorizerId=authorizer,
            AuthorizationScopes=[scope],
        )
    v2.create_stage(
        ApiId=api_id,
        StageName="prod",
        DefaultRouteSettings={"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50},
        AccessLogSettings={
            "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:/apigw/prod",
            "Format": '{"requestId":"$context.requestId"}',
        },
    )


async def measure(count: int, client: Any, box: Any, recorder: Recorder) -> dict[str, Any]:
    routes = routes_for(count, box.seed.function_arn)
    request = {
        "name": f"bench-{count}-routes",
        "description": f"bench API with {count} routes",
        "routes": routes,
        "cors": CORS,
    }
    preview = await client.call_tool("create_http_api", request)
    if preview.is_error:
        raise RuntimeError(f"create_http_api dry run failed: {text_of(preview)}")
    token = preview.structured_content["plan"]["token"]
    applied = await client.call_tool("create_http_api", {**request, "dry_run": False, "plan_token": token})
    if applied.is_error:
        raise RuntimeError(f"create_http_api apply failed: {text_of(applied)}")
    api_id = applied.structured_content["api_id"]
    await anyio.to_thread.run_sync(decorate, box.endpoint, api_id, [r["route_key"] for r in routes])

    recorder.reset()
    started = time.perf_counter()
    described = await client.call_tool("describe_api", {"api_id": api_id})
    elapsed = time.perf_counter() - started
    if described.is_error:
        raise RuntimeError(f"describe_api failed: {text_of(described)}")
    structured = described.structured_content or {}
    return {
        "routes": count,
        "api_id": api_id,
        "dry_run": response_tokens(preview),
        "describe": response_tokens(described),
        "calls": len(recorder.calls),
        "rounds": recorder.rounds(),
        "http_requests": recorder.http_requests,
        "call_names": sorted(c.what for c in recorder.calls),
        "seconds": elapsed,
        "text": text_of(described),
        "describe_keys": key_costs(structured),
        "dry_run_breakdown": preview_breakdown(preview.structured_content or {}),
        "dry_run_steps": len(preview.structured_content["plan"]["steps"]),
        "dry_run_diff": len(preview.structured_content["plan"]["diff"]),
        "seen": {
            "routes": len(structured.get("routes") or {}),
            "routes_total": structured.get("routes_total", len(structured.get("routes") or {})),
            "jwt_routes": sum("| JWT" in auth for auth in (structured.get("routes") or {}).values()),
            "authorizers": len(structured.get("authorizers") or []),
            "stages": [s["name"] for s in structured.get("stages", [])],
            "cors": bool(structured.get("cors")),
        },
    }


async def run(box: Any) -> list[dict[str, Any]]:
    from mcp import Client

    from apigw_mcp.server.app import build_server
    from apigw_mcp.server.settings import load_settings

    recorder = Recorder()
    recorder.install()
    server = build_server(load_settings(region=REGION, endpoint_url=box.endpoint, audit_log="off"))
    async with Client(server) as client:
        return [await measure(count, client, box, recorder) for count in (20, 100)]


def main() -> None:
    from apigw_mcp.server.cli_support import sandbox_credentials
    from apigw_mcp.server.sandbox.launcher import Sandbox

    where = check_source()
    logging.getLogger("botocore.credentials").setLevel(logging.WARNING)
    with Sandbox(REGION) as box:
        sandbox_credentials()
        results = anyio.run(run, box)
    print(f"apigw_mcp from {where}\n")
    small, large = results
    print(f"describe_api text for the {small['routes']}-route API:\n{small['text']}\n")
    print(
        f"{'routes':>6} {'text':>6} {'struct':>7} {'larger':>7} {'calls':>6} {'rounds':>7} {'http':>5} "
        f"{'secs':>6}  seen"
    )
    for r in results:
        d = r["describe"]
        print(
            f"{r['routes']:>6} {d['text']:>6} {d['structured']:>7} {d['larger']:>7} {r['calls']:>6} "
            f"{r['rounds']:>7} {r['http_requests']:>5} {r['seconds']:>6.3f}  {r['seen']}"
        )
    print(f"\ncalls made by describe_api: {', '.join(small['call_names'])}")
    print(
        "(moto returns every item in one page, so 'http' counts one request per paginated call; on AWS a "
        "listing larger than a page costs extra sequential pages inside its call)"
    )
    print(f"describe_api structured tokens by key (20 routes): {small['describe_keys']}")
    print(f"describe_api structured tokens by key (100 routes): {large['describe_keys']}")
    print_dry_runs(small, large)
    print_targets(small, large)
    emit_json(
        {
            f"describe_{r['routes']}": {
                k: r[k] for k in ("describe", "dry_run", "calls", "rounds", "http_requests", "seconds")
            }
            for r in results
        }
        | {
            "dry_run_20_fields": small["dry_run_breakdown"]["fields"],
            "dry_run_20_per_call": small["dry_run_breakdown"]["per_call"],
            "describe_20_fields": small["describe_keys"],
        }
    )


def print_dry_runs(small: dict[str, Any], large: dict[str, Any]) -> None:
    print()
    for r in (small, large):
        dry = r["dry_run"]
        print(
            f"create_http_api dry run, {r['routes']} routes: text {dry['text']}, structured "
            f"{dry['structured']}, larger {dry['larger']} tokens; {r['dry_run_steps']} steps, "
            f"{r['dry_run_diff']} diff lines"
        )
    print_breakdown("dry run, 20 routes", small["dry_run_breakdown"], each_step=False)


def print_targets(small: dict[str, Any], large: dict[str, Any]) -> None:
    described, dry = small["describe"]["larger"], small["dry_run"]["larger"]
    print(
        f"\ntarget: describe of the 20-route API <= {TARGET_TOKENS_20} tokens (larger of text and "
        f"structured): {described} {verdict(described, TARGET_TOKENS_20)}"
    )
    print(
        f"target: 20-route dry run <= {TARGET_DRY_RUN_20} tokens (larger of text and structured): {dry} "
        f"{verdict(dry, TARGET_DRY_RUN_20)}"
    )
    print(
        f"target: <= {TARGET_ROUNDS_100} sequential rounds with 100 routes: {large['rounds']} "
        f"{verdict(large['rounds'], TARGET_ROUNDS_100)}"
    )


if __name__ == "__main__":
    main()
