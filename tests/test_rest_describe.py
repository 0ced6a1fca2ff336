"""describe_api on REST APIs: the compact view (``describe_rest``) and the tool on the sandbox.

The view shows routes as HTTP APIs' do, CORS once instead of an OPTIONS method per resource,
each stage's invoke URL, caching and throttling; 30 resources with 2 methods each stay within
1,200 tokens; the tool finds a REST API by id or name and its reads do not grow with the routes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from apigw_mcp.tools.kinds.rest.describe import describe_rest
from apigw_mcp.tools.kinds.rest.inputs import CreateRestApiArgs
from apigw_mcp.tools.kinds.rest.live import LiveRestApi
from apigw_mcp.tools.kinds.rest.stage_live import LiveRestStage

from .conftest import ClientFactory
from .helpers import FUNCTION, call_ok, preview_and_apply, text_of
from .recorder import Recording

POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc123"
GATE = "arn:aws:lambda:us-east-1:123456789012:function:gate-fn"
TOKEN_BUDGET = 1200


def shop(resources: int, gate: str = GATE) -> dict[str, Any]:
    """create_rest_api's arguments: ``resources`` resources, each with a Cognito GET and a gated POST."""
    routes = []
    for index in range(resources):
        path = f"/catalogue/item{index:02d}"
        routes.append(
            {"route_key": f"GET {path}", "lambda_arn": FUNCTION, "auth": "users", "scopes": ["shop/read"]}
        )
        routes.append({"route_key": f"POST {path}", "lambda_arn": FUNCTION, "auth": "gate"})
    return {
        "name": "shop",
        "routes": routes,
        "authorizers": [
            {"name": "users", "cognito_user_pool_arns": [POOL]},
            {
                "name": "gate",
                "lambda_arn": gate,
                "type": "REQUEST",
                "identity_sources": ["method.request.header.X-Key"],
            },
        ],
        "cors": {"allow_origins": ["https://shop.example.com"]},
        "stages": [
            {
                "name": "prod",
                "throttle": {"rate_limit": 100, "burst_limit": 50},
                "method_throttles": {"POST /catalogue/item00": {"rate_limit": 5, "burst_limit": 2}},
                "caching": {"enabled": True, "size": "0.5", "methods": ["GET /catalogue/item00"]},
                "logging": {"level": "ERROR"},
            },
            {"name": "dev"},
        ],
    }


def view(resources: int, routes_matching: str | None = None) -> dict[str, Any]:
    spec = CreateRestApiArgs.model_validate(shop(resources)).to_spec("us-east-1", "123456789012")
    api = LiveRestApi(api_id="a1b2c3d4e5", root_resource_id="r0", managed=True, spec=spec)
    stages = [
        LiveRestStage(spec=s, deployment_id="dep123") for s in sorted(spec.stages, key=lambda s: s.name)
    ]
    described = describe_rest(api, stages, "us-east-1", routes_matching)
    return described.model_dump(mode="json", exclude_none=True)


def test_routes_read_like_an_http_apis_with_cors_summed_up() -> None:
    described = view(2)
    assert described["routes"] == {
        "GET /catalogue/item00": "lambda:apigw-mcp-sandbox-fn | COGNITO users [shop/read]",
        "GET /catalogue/item01": "lambda:apigw-mcp-sandbox-fn | COGNITO users [shop/read]",
        "POST /catalogue/item00": "lambda:apigw-mcp-sandbox-fn | CUSTOM gate",
        "POST /catalogue/item01": "lambda:apigw-mcp-sandbox-fn | CUSTOM gate",
    }
    assert described["cors"] == {"AllowOrigins": ["https://shop.example.com"], "AllowMethods": ["*"]}
    assert described["authorizers"][0] == {
        "name": "gate",
        "type": "REQUEST",
        "identity_source": "method.request.header.X-Key",
        "function": "gate-fn",
        "ttl": 300,
    }
    assert described["authorizers"][1]["user_pools"] == ["us-east-1_Abc123"]


def test_stages_show_their_invoke_url_caching_throttling_and_logging() -> None:
    dev, prod = view(2)["stages"]
    assert dev == {
        "name": "dev",
        "url": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev",
        "deployment": "dep123",
    }
    assert prod["url"].endswith("/prod")
    assert prod["throttle"] == "burst 50, rate 100.0/s"
    assert prod["method_throttle"] == {"POST /catalogue/item00": "burst 2, rate 5.0/s"}
    assert prod["cache"] == "0.5 GB: GET /catalogue/item00 300s"
    assert prod["logging"] == "ERROR"


def test_thirty_resources_with_two_methods_stay_within_the_token_budget() -> None:
    described = view(30)
    assert len(described["routes"]) == 30 and described["routes_total"] == 60
    # tiktoken is not installed here: a token is taken as 4 characters of the JSON the client reads
    assert len(json.dumps(described)) / 4 <= TOKEN_BUDGET


def test_routes_matching_filters_and_reports_the_total() -> None:
    described = view(30, routes_matching="ITEM07")
    assert list(described["routes"]) == ["GET /catalogue/item07", "POST /catalogue/item07"]
    assert described["routes_total"] == 60


@pytest.mark.anyio
@pytest.mark.usefixtures("sandbox")
async def test_describe_api_finds_a_rest_api_by_name_or_id(
    client: ClientFactory, recording: Recording
) -> None:
    async with client() as session:
        small = await preview_and_apply(session, shop(1, FUNCTION) | {"name": "small"}, "create_rest_api")
        await preview_and_apply(session, shop(6, FUNCTION), "create_rest_api")
        recording.clear()
        by_name = await call_ok(session, "describe_api", {"api_id": "small"})
        reads_small = len(recording.requests())
        recording.clear()
        by_id = await call_ok(session, "describe_api", {"api_id": small["api_id"]})
        recording.clear()
        large = await call_ok(session, "describe_api", {"api_id": "shop", "routes_matching": "item05"})
        reads_large = len(recording.requests())
        missing = await session.call_tool("describe_api", {"api_id": "nothing"})
    assert by_name == by_id and by_name["type"] == "REST" and by_name["endpoint_type"] == "REGIONAL"
    assert (
        by_name["stages"][1]["url"] == f"https://{small['api_id']}.execute-api.us-east-1.amazonaws.com/prod"
    )
    assert set(large["routes"]) == {"GET /catalogue/item05", "POST /catalogue/item05"}
    assert large["routes_total"] == 12
    assert reads_large == reads_small
    assert recording.writes() == []
    assert missing.is_error and "api_id: no API 'nothing'" in text_of(missing)
