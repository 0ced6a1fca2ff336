"""The route, CORS and authorizer intents on a REST API, through a real MCP session on the sandbox.

Each intent takes the arguments it takes on an HTTP API: the preview plans the REST change and says it
is not live until deployed, the apply with the token does it, asking again plans nothing, and undo
brings describe_api back to what it showed before. Arguments without a REST meaning, unknown routes
and issuers a REST API cannot check are refused naming the field, with no AWS write.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.edits import RouteUpdate
from apigw_mcp.tools.kinds.http.inputs import RouteInput
from apigw_mcp.tools.kinds.rest import edits
from apigw_mcp.tools.kinds.rest.describe import cors_of
from apigw_mcp.tools.kinds.rest.inputs import CreateRestApiArgs
from apigw_mcp.tools.kinds.rest.live import LiveRestApi
from apigw_mcp.tools.kinds.rest.plan_cors import with_cors

from .conftest import ClientFactory
from .helpers import FUNCTION, call_ok, preview_and_apply, sandbox_client, text_of
from .recorder import Recording

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("sandbox")]
NAME = "shop-rest"
POOL_ID = "us-east-1_Abc123"
COGNITO_ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"


async def rest_api(session: Client) -> str:
    """A REST API with two Lambda routes, made by create_rest_api; its id."""
    routes = [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION},
        {"route_key": "GET /orders/{id}", "lambda_arn": FUNCTION},
    ]
    applied = await preview_and_apply(session, {"name": NAME, "routes": routes}, "create_rest_api")
    return str(applied["api_id"])


async def intent(session: Client, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Preview, apply, re-preview (empty), undo; the plan and describe_api after the apply."""
    before = await call_ok(session, "describe_api", {"api_id": NAME})
    plan = (await call_ok(session, tool, args))["plan"]
    assert plan["steps"] and plan["diff"], plan
    assert any("deploy" in w.lower() for w in plan.get("warnings", [])), plan
    applied = await call_ok(session, tool, {**args, "dry_run": False, "plan_token": plan["token"]})
    assert "failed" not in applied and applied["undo"], applied
    again = await session.call_tool(tool, args)
    if tool == "delete_route":  # as on HTTP APIs: a route that is gone is an unknown route
        assert again.is_error and "route_key: no route" in text_of(again)
    else:
        assert again.structured_content and "steps" not in again.structured_content["plan"], text_of(again)
    after = await call_ok(session, "describe_api", {"api_id": NAME})
    assert after != before
    undo = await call_ok(session, "undo", {"handle": applied["undo"]})
    token = undo["plan"]["token"]
    await call_ok(session, "undo", {"handle": applied["undo"], "dry_run": False, "plan_token": token})
    assert await call_ok(session, "describe_api", {"api_id": NAME}) == before
    return plan, after


async def test_add_route_creates_the_method_and_its_parent_resources(client: ClientFactory) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        route = {"route_key": "POST /orders/{id}/items", "lambda_arn": FUNCTION, "auth": "AWS_IAM"}
        plan, after = await intent(session, "add_route", {"api_id": NAME, "route": route})
        calls = [s["call"] for s in plan["steps"]]
        assert calls.count("create_resource") == 1 and "put_integration" in calls
        assert after["routes"]["POST /orders/{id}/items"] == "lambda:apigw-mcp-sandbox-fn | AWS_IAM"


async def test_add_route_with_a_url_is_an_http_proxy_and_the_same_route_again_changes_nothing(
    client: ClientFactory,
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await rest_api(session)
        route = {"route_key": "ANY /legacy/{proxy+}", "url": "https://legacy.example.com/{proxy}"}
        _, after = await intent(session, "add_route", {"api_id": api_id, "route": route})
        assert after["routes"]["ANY /legacy/{proxy+}"] == "HTTP_PROXY ANY https://legacy.example.com/{proxy}"
        same = {"route_key": "GET /orders", "lambda_arn": FUNCTION}
        unchanged = await call_ok(session, "add_route", {"api_id": api_id, "route": same})
        assert "steps" not in unchanged["plan"]


async def test_update_route_changes_only_the_fields_given(client: ClientFactory) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        args = {"api_id": NAME, "route_key": "GET /orders", "change": {"timeout_ms": 5000, "auth": "AWS_IAM"}}
        plan, after = await intent(session, "update_route", args)
        assert after["routes"]["GET /orders"] == "lambda:apigw-mcp-sandbox-fn 5000ms | AWS_IAM"
        assert after["routes"]["GET /orders/{id}"] == "lambda:apigw-mcp-sandbox-fn"
        assert "create_resource" not in [s["call"] for s in plan["steps"]]


async def test_delete_route_removes_the_method_and_the_resource_it_leaves_empty(
    client: ClientFactory, moto_endpoint: str
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await rest_api(session)
        args = {"api_id": NAME, "route_key": "GET /orders/{id}"}
        plan, after = await intent(session, "delete_route", args)
        assert [s["call"] for s in plan["steps"] if s["call"].startswith("delete")] == ["delete_resource"]
        assert list(after["routes"]) == ["GET /orders"]
        paths = sandbox_client("apigateway", moto_endpoint).get_resources(restApiId=api_id)["items"]
        assert "/orders/{id}" in {p["path"] for p in paths}  # undone


async def test_configure_cors_adds_preflight_methods(client: ClientFactory) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        cors = {"allow_origins": ["https://app.example.com"]}
        plan, after = await intent(session, "configure_cors", {"api_id": NAME, "cors": cors})
        assert after["cors"]["AllowOrigins"] == ["https://app.example.com"]
        assert "OPTIONS /orders" not in after["routes"]
        assert any("backend must add" in w for w in plan["warnings"])


async def test_a_route_added_with_cors_on_gets_a_preflight(client: ClientFactory) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        cors = {"allow_origins": ["https://app.example.com"], "max_age": 300}
        await preview_and_apply(session, {"api_id": NAME, "cors": cors}, "configure_cors")
        route = {"route_key": "PUT /orders/{id}/status", "lambda_arn": FUNCTION}
        plan, after = await intent(session, "add_route", {"api_id": NAME, "route": route})
        subjects = {s.split(" = ")[0] for s in plan["diff"]}
        assert "+ method OPTIONS /orders/{id}/status" in subjects, plan["diff"]
        assert not [
            line for line in plan["diff"] if "OPTIONS /orders " in line or line.endswith("OPTIONS /orders")
        ]
        assert after["cors"]["MaxAge"] == 300


async def test_configure_cors_null_removes_the_preflight_methods(client: ClientFactory) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        cors = {"allow_origins": ["https://app.example.com"]}
        await preview_and_apply(session, {"api_id": NAME, "cors": cors}, "configure_cors")
        removed, _ = await intent(session, "configure_cors", {"api_id": NAME, "cors": None})
        assert [s["call"] for s in removed["steps"]].count("delete_method") == 2


async def test_add_lambda_authorizer_makes_a_request_authorizer_on_the_routes(client: ClientFactory) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        args = {
            "api_id": NAME,
            "name": "gate",
            "function_arn": FUNCTION,
            "routes": ["GET /orders"],
            "ttl_seconds": 60,
            "identity_source": ["$request.header.X-Token"],
        }
        plan, after = await intent(session, "add_lambda_authorizer", args)
        assert after["routes"]["GET /orders"] == "lambda:apigw-mcp-sandbox-fn | CUSTOM gate"
        assert after["authorizers"] == [
            {
                "name": "gate",
                "type": "REQUEST",
                "identity_source": "method.request.header.X-Token",
                "function": "apigw-mcp-sandbox-fn",
                "ttl": 60,
            }
        ]
        assert "create_authorizer" in [s["call"] for s in plan["steps"]]


async def test_add_jwt_authorizer_with_a_cognito_issuer_is_a_user_pool_authorizer(
    client: ClientFactory,
) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        args = {
            "api_id": NAME,
            "name": "users",
            "issuer": COGNITO_ISSUER,
            "routes": ["GET /orders/{id}"],
            "scopes": ["orders/read"],
        }
        _, after = await intent(session, "add_jwt_authorizer", args)
        assert (
            after["routes"]["GET /orders/{id}"] == "lambda:apigw-mcp-sandbox-fn | COGNITO users [orders/read]"
        )
        assert after["authorizers"][0]["type"] == "COGNITO_USER_POOLS"
        assert after["authorizers"][0]["user_pools"] == [POOL_ID]


REFUSALS = [
    ("add_route", {"route": {"route_key": "GET /x", "integration_id": "abc123"}}, "route.integration_id"),
    (
        "add_route",
        {"route": {"route_key": "GET /x", "lambda_arn": FUNCTION, "payload_format_version": "2.0"}},
        "route.payload_format_version",
    ),
    ("add_route", {"route": {"route_key": "$default", "lambda_arn": FUNCTION}}, "route.route_key"),
    (
        "add_route",
        {"route": {"route_key": "GET /x", "lambda_arn": FUNCTION, "timeout_ms": 30000}},
        "timeout_ms",
    ),
    ("add_route", {"route": {"route_key": "GET /orders", "url": "https://example.com"}}, "use update_route"),
    ("add_route", {"route": {"route_key": "GET /orders/{name}", "lambda_arn": FUNCTION}}, "route.route_key"),
    ("add_route", {"route": {"route_key": "GET /x", "lambda_arn": FUNCTION, "auth": "nobody"}}, "route.auth"),
    ("update_route", {"route_key": "GET /nowhere", "change": {"timeout_ms": 1000}}, "route_key"),
    ("update_route", {"route_key": "GET /orders", "change": {"http_method": "POST"}}, "change.http_method"),
    ("update_route", {"route_key": "GET /orders", "change": {"scopes": ["a"]}}, "change.scopes"),
    ("delete_route", {"route_key": "DELETE /orders"}, "route_key"),
    (
        "configure_cors",
        {"cors": {"allow_origins": ["https://a.example", "https://b.example"]}},
        "allow_origins",
    ),
    ("add_jwt_authorizer", {"name": "j", "routes": [], "issuer": "https://auth.example.com/"}, "issuer"),
    (
        "add_jwt_authorizer",
        {"name": "j", "routes": [], "issuer": COGNITO_ISSUER, "audience": ["client1"]},
        "audience",
    ),
    ("add_jwt_authorizer", {"name": "j", "routes": ["GET /none"], "issuer": COGNITO_ISSUER}, "routes.0"),
    (
        "add_jwt_authorizer",
        {"name": "j", "routes": [], "cognito_user_pool_id": "pool1"},
        "cognito_user_pool_id",
    ),
    (
        "add_jwt_authorizer",
        {"name": "j", "routes": [], "issuer": COGNITO_ISSUER, "cognito_user_pool_id": "us-east-1_Other1"},
        "issuer: names pool",
    ),
    ("add_jwt_authorizer", {"name": "j", "routes": []}, "issuer"),
    (
        "add_lambda_authorizer",
        {"name": "l", "function_arn": FUNCTION, "routes": [], "payload_format_version": "2.0"},
        "payload_format_version",
    ),
    (
        "add_lambda_authorizer",
        {"name": "l", "function_arn": FUNCTION, "routes": [], "simple_responses": True},
        "simple_responses",
    ),
]


@pytest.mark.parametrize(("tool", "args", "named"), REFUSALS, ids=[f"{t}-{n}" for t, _, n in REFUSALS])
async def test_refusals_name_the_field_and_write_nothing(
    client: ClientFactory, recording: Recording, tool: str, args: dict[str, Any], named: str
) -> None:
    async with client(allow_deletes=True) as session:
        await rest_api(session)
        recording.clear()
        result = await session.call_tool(
            tool, {"api_id": NAME, **args} if tool != "create_http_api" else args
        )
        assert result.is_error and named in text_of(result), text_of(result)
        assert recording.writes() == []


async def test_an_api_of_a_kind_without_the_intent_is_refused_saying_so(
    client: ClientFactory, moto_endpoint: str, recording: Recording
) -> None:
    socket = sandbox_client("apigatewayv2", moto_endpoint).create_api(
        Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    recording.clear()
    async with client() as session:
        cors = {"allow_origins": ["https://app.example.com"]}
        result = await session.call_tool("configure_cors", {"api_id": socket["ApiId"], "cors": cors})
        assert result.is_error and "api_id" in text_of(result) and "WEBSOCKET" in text_of(result)
        jwt = {"api_id": "chat", "name": "j", "routes": [], "issuer": COGNITO_ISSUER}
        result = await session.call_tool("add_jwt_authorizer", jwt)
        assert result.is_error and "WEBSOCKET" in text_of(result)
    assert recording.writes() == []


def live_api(*route_keys: str, cors: bool = False) -> LiveRestApi:
    routes = [{"route_key": key, "lambda_arn": FUNCTION} for key in route_keys]
    request = {"name": NAME, "routes": routes} | ({"cors": {"allow_origins": ["*"]}} if cors else {})
    spec = CreateRestApiArgs.model_validate(request).to_spec("us-east-1", "123456789012")
    return LiveRestApi(api_id="a1", root_resource_id="r0", managed=True, spec=spec)


def test_delete_route_prunes_empty_resources_up_the_tree_but_keeps_used_ones() -> None:
    live = live_api("GET /a/b/c", "GET /a", "POST /a/b/c", cors=True)
    after = edits.delete_route(live, "POST /a/b/c")
    assert set(after.resources) == {"/", "/a", "/a/b", "/a/b/c"}
    after = edits.delete_route(live.model_copy(update={"spec": after}), "GET /a/b/c")
    assert set(after.resources) == {"/", "/a"}
    assert set(after.resources["/a"].methods) == {"GET", "OPTIONS"}


def test_update_route_to_a_url_maps_the_path_parameters_it_names() -> None:
    live = live_api("GET /orders/{id}")
    change = RouteUpdate.model_validate({"url": "https://backend.example.com/o/{id}", "http_method": "POST"})
    method = (
        edits.update_route(live, "GET /orders/{id}", change, "us-east-1").resources["/orders/{id}"].methods
    )
    integration = method["GET"].integration
    assert integration is not None and integration.type == "HTTP_PROXY"
    assert integration.integration_http_method == "POST"
    assert integration.request_parameters == {"integration.request.path.id": "method.request.path.id"}


def test_add_route_on_a_resource_without_methods_adds_only_the_method() -> None:
    live = live_api("GET /a/b")
    route = RouteInput.model_validate({"route_key": "ANY /a", "lambda_arn": FUNCTION})
    after = edits.add_route(live, route, "us-east-1")
    assert set(after.resources) == {"/", "/a", "/a/b"} and set(after.resources["/a"].methods) == {"ANY"}


def test_a_route_added_to_an_api_with_cors_gets_its_preflight_and_nothing_else_changes() -> None:
    live = live_api("GET /orders", cors=True)
    route = RouteInput.model_validate({"route_key": "POST /orders/{id}", "lambda_arn": FUNCTION})
    after = edits.add_route(live, route, "us-east-1")
    assert set(after.resources["/orders/{id}"].methods) == {"OPTIONS", "POST"}
    assert after.resources["/orders"] == live.spec.resources["/orders"]
    assert after.gateway_responses == live.spec.gateway_responses


CORS_SETTINGS = [
    {"allow_origins": ["*"]},
    {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET", "POST"], "max_age": 600},
    {
        "allow_origins": ["https://app.example.com"],
        "allow_credentials": True,
        "allow_headers": ["Authorization", "X-Trace"],
        "expose_headers": ["X-Request-Id"],
    },
]


@pytest.mark.parametrize("cors", CORS_SETTINGS)
def test_the_cors_read_back_from_the_preflights_writes_the_same_api(cors: dict[str, Any]) -> None:
    live = live_api("GET /orders", "ANY /items/{proxy+}", "POST /orders")
    written = with_cors(live.spec, Cors.model_validate(cors))
    found = cors_of(written)
    assert found is not None and with_cors(written, found) == written
    assert found.allow_origins == cors["allow_origins"]
