"""Each mutating HTTP API tool through a real MCP client session against the moto sandbox.

For every tool: the preview writes nothing, the apply with its token does what the
plan said, asking again plans nothing, and the diff and warnings say the right
things. The ``rejects_*`` cases check every validation: an error naming the field
or setting, and no AWS write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import ACCOUNT, REGION, ClientFactory, moto_state
from .helpers import FUNCTION, call_ok, ops, sandbox_client, text_of
from .recorder import Recording
from .test_e2e import ISSUER, action, create_function, refused_while_deletes_are_off, statements, subject

pytestmark = pytest.mark.anyio

COGNITO_POOL = "us-east-1_Abc123"


def v2(endpoint: str) -> Any:
    return sandbox_client("apigatewayv2", endpoint)


def routes_of(endpoint: str, api_id: str) -> dict[str, dict[str, Any]]:
    return {r["RouteKey"]: r for r in v2(endpoint).get_routes(ApiId=api_id)["Items"]}


def integrations_of(endpoint: str, api_id: str) -> dict[str, dict[str, Any]]:
    return {i["IntegrationId"]: i for i in v2(endpoint).get_integrations(ApiId=api_id)["Items"]}


def authorizer_ids(endpoint: str, api_id: str) -> dict[str, str]:
    return {a["Name"]: a["AuthorizerId"] for a in v2(endpoint).get_authorizers(ApiId=api_id)["Items"]}


def rows(plan: dict[str, Any], resource: str) -> list[str]:
    """The diff lines about ``resource`` or one of its fields (``+ route GET /x = ...``,
    ``~ stage prod.throttle: a -> b``, ``- route GET /y (was ...)``)."""
    return [
        line
        for line in plan.get("diff", [])
        if subject(line) == resource or subject(line).startswith(f"{resource}.")
    ]


def after(line: str) -> str:
    """The value a diff line ends with: an addition's label or a change's new value."""
    return line.split(" = ", 1)[1] if action(line) == "+" else line.split(" -> ", 1)[1]


async def change(
    session: Client, tool: str, args: dict[str, Any], repeat: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Preview, apply with the token (every step applied), then ask again (empty plan)."""
    preview = await call_ok(session, tool, args)
    plan = preview["plan"]
    assert plan["steps"] and plan["diff"], plan
    applied = await call_ok(session, tool, {**args, "dry_run": False, "plan_token": plan["token"]})
    assert "failed" not in applied, applied
    assert applied["applied"] == len(ops(plan))
    assert applied["undo"]
    if repeat:
        again = (await call_ok(session, tool, args))["plan"]
        assert "steps" not in again and "diff" not in again, (tool, again)
        assert again["summary"].startswith("No changes")
    return plan, applied


def base_request(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "name": "shop",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION},
            {"route_key": "GET /orders/{id}", "lambda_arn": FUNCTION},
        ],
        "authorizers": [{"name": "users", "issuer": ISSUER, "audience": ["shop-api"]}],
    }
    request.update(overrides)
    return request


async def make_api(session: Client, **overrides: Any) -> str:
    """The managed ``shop`` API (two Lambda routes, a JWT authorizer, the $default stage)."""
    request = base_request(**overrides)
    preview = await call_ok(session, "create_http_api", request)
    applied = await call_ok(
        session, "create_http_api", {**request, "dry_run": False, "plan_token": preview["plan"]["token"]}
    )
    assert "failed" not in applied
    return str(applied["api_id"])


# add_route


async def test_add_route_lambda_reuses_the_identical_integration(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        before = integrations_of(moto_endpoint, api_id)
        route = {"route_key": "POST /orders", "lambda_arn": FUNCTION}
        plan, _ = await change(session, "add_route", {"api_id": api_id, "route": route})
    assert ops(plan) == ["create_route"]
    assert plan["diff"] == ["+ route POST /orders = lambda:apigw-mcp-sandbox-fn"]
    assert integrations_of(moto_endpoint, api_id) == before
    routes = routes_of(moto_endpoint, api_id)
    assert routes["POST /orders"]["Target"] == routes["GET /orders"]["Target"]


async def test_add_route_lambda_of_a_new_function_adds_integration_and_permission(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    second = create_function(moto_endpoint, sandbox)
    async with client() as session:
        api_id = await make_api(session)
        route = {"route_key": "POST /orders", "lambda_arn": second, "timeout_ms": 9000}
        plan, _ = await change(session, "add_route", {"api_id": api_id, "route": route})
    assert ops(plan) == ["create_integration", "create_route", "add_permission"]
    assert rows(plan, "integration lambda:apigw-mcp-second-fn") == [
        "+ integration lambda:apigw-mcp-second-fn"
    ]
    assert plan["steps"][0]["params"]["TimeoutInMillis"] == 9000
    (statement,) = statements(moto_endpoint, second)
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*"
    )
    target = routes_of(moto_endpoint, api_id)["POST /orders"]["Target"].removeprefix("integrations/")
    integration = integrations_of(moto_endpoint, api_id)[target]
    assert integration["IntegrationUri"] == second and integration["TimeoutInMillis"] == 9000


async def test_add_route_https(client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str) -> None:
    async with client() as session:
        api_id = await make_api(session)
        route = {"route_key": "ANY /legacy/{proxy+}", "url": "https://legacy.example.com/api"}
        plan, _ = await change(session, "add_route", {"api_id": api_id, "route": route})
    assert ops(plan) == ["create_integration", "create_route"]
    # A route to a new integration: the diff names both, the steps wire the route to it.
    assert plan["diff"] == [
        "+ integration ANY https://legacy.example.com/api",
        "+ route ANY /legacy/{proxy+}",
    ]
    new_integration, new_route = plan["steps"]
    assert new_route["params"]["Target"] == f"integrations/${{{new_integration['id']}}}"
    assert any("no authorization" in w for w in plan["warnings"])
    target = routes_of(moto_endpoint, api_id)["ANY /legacy/{proxy+}"]["Target"].removeprefix("integrations/")
    integration = integrations_of(moto_endpoint, api_id)[target]
    assert integration["IntegrationType"] == "HTTP_PROXY"
    assert integration["IntegrationUri"] == "https://legacy.example.com/api"
    assert integration["PayloadFormatVersion"] == "1.0"


async def test_add_route_to_an_existing_integration_id(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        (integration_id,) = integrations_of(moto_endpoint, api_id)
        route = {"route_key": "DELETE /orders/{id}", "integration_id": integration_id, "auth": "users"}
        plan, _ = await change(session, "add_route", {"api_id": api_id, "route": route})
    assert ops(plan) == ["create_route"]
    assert plan["steps"][0]["params"]["Target"] == f"integrations/{integration_id}"
    created = routes_of(moto_endpoint, api_id)["DELETE /orders/{id}"]
    assert created["Target"] == f"integrations/{integration_id}"
    assert created["AuthorizationType"] == "JWT"
    assert created["AuthorizerId"] == authorizer_ids(moto_endpoint, api_id)["users"]


async def test_add_route_that_exists_differently_points_to_update_route(
    client: ClientFactory, recording: Recording
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        recording.clear()
        route = {"route_key": "GET /orders", "url": "https://other.example.com"}
        result = await session.call_tool("add_route", {"api_id": api_id, "route": route})
    assert result.is_error and "update_route" in text_of(result) and "route.route_key" in text_of(result)
    assert recording.writes() == []


# update_route


async def test_update_route_changes_only_the_given_fields(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    second = create_function(moto_endpoint, sandbox)
    routes = [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION, "auth": "users", "scopes": ["orders/read"]},
        {"route_key": "GET /orders/{id}", "lambda_arn": FUNCTION},
    ]
    async with client() as session:
        api_id = await make_api(session, routes=routes)
        before = routes_of(moto_endpoint, api_id)["GET /orders"]
        args = {"api_id": api_id, "route_key": "GET /orders", "change": {"lambda_arn": second}}
        plan, _ = await change(session, "update_route", args)
    assert ops(plan) == ["create_integration", "update_route", "add_permission"]
    assert rows(plan, "route GET /orders") == [
        "~ route GET /orders: lambda:apigw-mcp-sandbox-fn | JWT:users [orders/read]"
        " -> lambda:apigw-mcp-second-fn | JWT:users [orders/read]"
    ]
    after = routes_of(moto_endpoint, api_id)["GET /orders"]
    assert after["Target"] != before["Target"]
    for kept in ("AuthorizationType", "AuthorizerId", "AuthorizationScopes"):
        assert after[kept] == before[kept], kept


async def test_update_route_timeout_alone_changes_the_timeout(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        args = {"api_id": api_id, "route_key": "GET /orders", "change": {"timeout_ms": 5000}}
        plan, _ = await change(session, "update_route", args)
    assert "update_integration" in ops(plan)
    assert [i["TimeoutInMillis"] for i in integrations_of(moto_endpoint, api_id).values()] == [5000]


async def test_update_route_to_jwt_with_scopes_and_back_to_none(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        secure = {"auth": "users", "scopes": ["orders/write", "orders/read"]}
        args = {"api_id": api_id, "route_key": "GET /orders/{id}", "change": secure}
        plan, _ = await change(session, "update_route", args)
        assert ops(plan) == ["update_route"]
        assert after(rows(plan, "route GET /orders/{id}")[0]) == (
            "lambda:apigw-mcp-sandbox-fn | JWT:users [orders/read orders/write]"
        )
        route = routes_of(moto_endpoint, api_id)["GET /orders/{id}"]
        assert route["AuthorizationType"] == "JWT"
        assert route["AuthorizerId"] == authorizer_ids(moto_endpoint, api_id)["users"]
        assert sorted(route["AuthorizationScopes"]) == ["orders/read", "orders/write"]

        args = {"api_id": api_id, "route_key": "GET /orders/{id}", "change": {"auth": "NONE", "scopes": []}}
        plan, _ = await change(session, "update_route", args)
    assert ops(plan) == ["update_route"]
    assert after(rows(plan, "route GET /orders/{id}")[0]) == "lambda:apigw-mcp-sandbox-fn"
    assert any("no authorization" in w for w in plan["warnings"])
    assert routes_of(moto_endpoint, api_id)["GET /orders/{id}"]["AuthorizationType"] == "NONE"


async def test_update_route_auth_none_alone_drops_the_scopes(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    """Scopes only mean something with a JWT authorizer: auth=NONE must not need scopes=[] as well."""
    routes = [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION, "auth": "users", "scopes": ["orders/read"]},
        {"route_key": "GET /orders/{id}", "lambda_arn": FUNCTION},
    ]
    async with client() as session:
        api_id = await make_api(session, routes=routes)
        args = {"api_id": api_id, "route_key": "GET /orders", "change": {"auth": "NONE"}}
        plan, _ = await change(session, "update_route", args)
    assert ops(plan) == ["update_route"]
    assert routes_of(moto_endpoint, api_id)["GET /orders"]["AuthorizationType"] == "NONE"


# delete_route


async def test_delete_route_needs_deletes_and_removes_its_orphan_integration(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, recording: Recording
) -> None:
    routes = [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION},
        {"route_key": "ANY /legacy/{proxy+}", "url": "https://legacy.example.com/api"},
    ]
    async with client() as session:
        api_id = await make_api(session, routes=routes)
    args = {"api_id": api_id, "route_key": "ANY /legacy/{proxy+}"}
    async with client() as session:
        refused = await refused_while_deletes_are_off(session, recording, "delete_route", args)
    assert ops(refused) == ["delete_route", "delete_integration"]
    async with client(allow_deletes=True) as session:
        plan, _ = await change(session, "delete_route", args, repeat=False)
    assert ops(plan) == ["delete_route", "delete_integration"]
    assert action(rows(plan, "route ANY /legacy/{proxy+}")[0]) == "-"
    assert any("deletes live resources" in w for w in plan["warnings"])
    assert set(routes_of(moto_endpoint, api_id)) == {"GET /orders"}
    assert [i["IntegrationType"] for i in integrations_of(moto_endpoint, api_id).values()] == ["AWS_PROXY"]


async def test_delete_route_keeps_an_integration_still_in_use(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await make_api(session)
        plan, _ = await change(
            session, "delete_route", {"api_id": api_id, "route_key": "GET /orders/{id}"}, repeat=False
        )
    assert ops(plan) == ["delete_route"]
    assert len(integrations_of(moto_endpoint, api_id)) == 1


# configure_cors


async def test_configure_cors_with_jwt_on_any_proxy_adds_an_open_options_route(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    routes = [{"route_key": "ANY /{proxy+}", "lambda_arn": FUNCTION, "auth": "users"}]
    cors = {"allow_origins": ["https://app.example.com"], "allow_headers": ["Authorization"]}
    async with client() as session:
        api_id = await make_api(session, routes=routes)
        plan, _ = await change(session, "configure_cors", {"api_id": api_id, "cors": cors})
        assert ops(plan) == ["update_api", "create_route"]
        assert action(rows(plan, "cors")[0]) == "+"
        assert after(rows(plan, "route OPTIONS /{proxy+}")[0]) == "lambda:apigw-mcp-sandbox-fn"
        assert any(
            "OPTIONS /{proxy+}" in w and "reject CORS preflight" in w and "ANY /{proxy+}" in w
            for w in plan["warnings"]
        ), plan["warnings"]
        options = routes_of(moto_endpoint, api_id)["OPTIONS /{proxy+}"]
        assert options["AuthorizationType"] == "NONE"
        api = v2(moto_endpoint).get_api(ApiId=api_id)
        assert api["CorsConfiguration"]["AllowOrigins"] == ["https://app.example.com"]

        removed, _ = await change(session, "configure_cors", {"api_id": api_id, "cors": None})
    assert ops(removed) == ["delete_cors_configuration"]
    assert action(rows(removed, "cors")[0]) == "-"
    assert not v2(moto_endpoint).get_api(ApiId=api_id).get("CorsConfiguration")


async def test_configure_cors_without_authorizers_needs_no_options_route(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    cors = {"allow_origins": ["*"], "allow_methods": ["GET"]}
    async with client() as session:
        api_id = await make_api(session)
        plan, _ = await change(session, "configure_cors", {"api_id": api_id, "cors": cors})
    assert ops(plan) == ["update_api"]
    assert any("No OPTIONS route needed" in w for w in plan["warnings"])
    assert any("any origin" in w for w in plan["warnings"])
    assert "OPTIONS /{proxy+}" not in routes_of(moto_endpoint, api_id)


# add_jwt_authorizer


async def test_add_jwt_authorizer_with_issuer_and_audience(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    args = {
        "name": "partners",
        "issuer": "https://login.partner.example.com",
        "audience": ["orders-api"],
        "routes": ["GET /orders"],
        "scopes": ["orders/read"],
    }
    async with client() as session:
        api_id = await make_api(session)
        plan, _ = await change(session, "add_jwt_authorizer", {"api_id": api_id, **args})
        described = await call_ok(session, "describe_api", {"api_id": api_id})
    assert ops(plan) == ["create_authorizer", "update_route"]
    assert rows(plan, "authorizer partners") == ["+ authorizer partners"]
    create = plan["steps"][0]["params"]
    assert (create["AuthorizerType"], create["IdentitySource"]) == ("JWT", ["$request.header.Authorization"])
    assert create["JwtConfiguration"] == {
        "Issuer": "https://login.partner.example.com",
        "Audience": ["orders-api"],
    }
    assert after(rows(plan, "route GET /orders")[0]).endswith("| JWT:partners [orders/read]")
    authorizer = next(
        a for a in v2(moto_endpoint).get_authorizers(ApiId=api_id)["Items"] if a["Name"] == "partners"
    )
    assert authorizer["JwtConfiguration"] == {
        "Issuer": "https://login.partner.example.com",
        "Audience": ["orders-api"],
    }
    route = routes_of(moto_endpoint, api_id)["GET /orders"]
    assert route["AuthorizerId"] == authorizer["AuthorizerId"]
    assert route["AuthorizationScopes"] == ["orders/read"]
    views = {a["name"]: a for a in described["authorizers"]}
    assert views["partners"]["issuer"] == "https://login.partner.example.com"
    assert views["partners"]["audience"] == ["orders-api"]
    assert described["routes"]["GET /orders"].endswith("| JWT:partners [orders/read]")


async def test_add_jwt_authorizer_updates_an_existing_one_field_by_field(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    args = {"name": "users", "issuer": ISSUER, "audience": ["shop-api", "mobile"], "routes": []}
    async with client() as session:
        api_id = await make_api(session)
        plan, _ = await change(session, "add_jwt_authorizer", {"api_id": api_id, **args})
    assert ops(plan) == ["update_authorizer"]
    assert rows(plan, "authorizer users") == [
        '~ authorizer users.audience: ["shop-api"] -> ["mobile","shop-api"]'
    ]
    (authorizer,) = v2(moto_endpoint).get_authorizers(ApiId=api_id)["Items"]
    assert sorted(authorizer["JwtConfiguration"]["Audience"]) == ["mobile", "shop-api"]


async def test_add_jwt_authorizer_from_a_cognito_pool(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    args = {
        "name": "cognito",
        "cognito_user_pool_id": COGNITO_POOL,
        "cognito_app_client_id": "client123",
        "routes": ["GET /orders/{id}"],
    }
    async with client() as session:
        api_id = await make_api(session)
        plan, _ = await change(session, "add_jwt_authorizer", {"api_id": api_id, **args})
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{COGNITO_POOL}"
    assert ops(plan) == ["create_authorizer", "update_route"]
    assert rows(plan, "authorizer cognito") == ["+ authorizer cognito"]
    assert plan["steps"][0]["params"]["JwtConfiguration"]["Issuer"] == issuer
    assert any("client_id" in w and "aud" in w for w in plan["warnings"]), plan["warnings"]
    authorizer = next(
        a for a in v2(moto_endpoint).get_authorizers(ApiId=api_id)["Items"] if a["Name"] == "cognito"
    )
    assert authorizer["JwtConfiguration"] == {"Issuer": issuer, "Audience": ["client123"]}


# add_lambda_authorizer


async def test_add_lambda_authorizer_plans_its_invoke_permission(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    checker = create_function(moto_endpoint, sandbox, "apigw-mcp-authorizer-fn")
    args = {
        "name": "keys",
        "function_arn": checker,
        "routes": ["GET /orders/{id}"],
        "ttl_seconds": 300,
        "identity_source": ["$request.header.X-Api-Key"],
    }
    async with client() as session:
        api_id = await make_api(session)
        plan, _ = await change(session, "add_lambda_authorizer", {"api_id": api_id, **args})
        described = await call_ok(session, "describe_api", {"api_id": api_id})
    assert ops(plan) == ["create_authorizer", "update_route", "add_permission"]
    create = plan["steps"][0]["params"]
    assert create["AuthorizerType"] == "REQUEST"
    assert create["AuthorizerUri"] == (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{checker}/invocations"
    )
    assert create["AuthorizerResultTtlInSeconds"] == 300 and create["EnableSimpleResponses"] is True
    permission = plan["steps"][2]["params"]
    assert permission["FunctionName"] == checker
    assert [action(line) for line in rows(plan, "permission apigw-mcp-authorizer-fn")] == ["+"]
    assert after(rows(plan, "route GET /orders/{id}")[0]).endswith("| CUSTOM:keys")
    (statement,) = statements(moto_endpoint, checker)
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*"
    )
    route = routes_of(moto_endpoint, api_id)["GET /orders/{id}"]
    assert route["AuthorizationType"] == "CUSTOM"
    assert route["AuthorizerId"] == authorizer_ids(moto_endpoint, api_id)["keys"]
    views = {a["name"]: a for a in described["authorizers"]}
    assert views["keys"]["function"] == checker and views["keys"]["ttl"] == 300


# deploy_stage


async def test_deploy_stage_creates_prod_with_throttle_and_access_log(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    args = {"stage_name": "prod", "throttle": {"burst": 200, "rate": 100}, "access_log": True}
    group = "/aws/apigateway/shop/prod"
    async with client() as session:
        api_id = await make_api(session)
        plan, _ = await change(session, "deploy_stage", {"api_id": api_id, **args})
        described = await call_ok(session, "describe_api", {"api_id": api_id})
    assert ops(plan) == ["create_log_group", "create_stage"]
    assert plan["steps"][0]["params"] == {"logGroupName": group, "tags": {"apigw-mcp:managed": "true"}}
    stage_params = plan["steps"][1]["params"]
    assert stage_params["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100.0}
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    assert stage_params["AccessLogSettings"]["DestinationArn"] == arn
    assert "$context.requestId" in stage_params["AccessLogSettings"]["Format"]
    assert rows(plan, "stage prod") == ["+ stage prod"]
    stage = v2(moto_endpoint).get_stage(ApiId=api_id, StageName="prod")
    assert stage["AccessLogSettings"]["DestinationArn"] == arn
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 200
    logs = sandbox_client("logs", moto_endpoint)
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]] == [
        group
    ]
    stages = {s["name"]: s for s in described["stages"]}
    assert set(stages) == {"$default", "prod"}
    assert stages["prod"]["access_log"] == arn and stages["prod"]["url"].endswith("/prod")


async def test_deploy_stage_again_changes_only_what_differs(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        first = {"api_id": api_id, "stage_name": "prod", "throttle": {"burst": 200, "rate": 100}}
        await change(session, "deploy_stage", {**first, "variables": {"env": "prod"}})
        plan, _ = await change(session, "deploy_stage", {**first, "throttle": {"burst": 0, "rate": 100}})
    assert ops(plan) == ["update_stage"]
    params = plan["steps"][0]["params"]
    assert params == {
        "ApiId": api_id,
        "StageName": "prod",
        "DefaultRouteSettings": {"ThrottlingBurstLimit": 0, "ThrottlingRateLimit": 100.0},
    }
    assert plan["diff"] == ["~ stage prod.throttle: burst 200, rate 100/s -> burst 0, rate 100/s"]
    assert any("429" in w and "stage prod" in w for w in plan["warnings"]), plan["warnings"]
    stage = v2(moto_endpoint).get_stage(ApiId=api_id, StageName="prod")
    assert stage["StageVariables"] == {"env": "prod"}
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 0


async def test_deploy_stage_route_throttle(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    args = {"stage_name": "prod", "route_throttle": {"GET /orders": {"burst": 10, "rate": 5}}}
    async with client() as session:
        api_id = await make_api(session)
        plan, _ = await change(session, "deploy_stage", {"api_id": api_id, **args})
    assert plan["steps"][0]["params"]["RouteSettings"] == {
        "GET /orders": {"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.0}
    }
    stage = v2(moto_endpoint).get_stage(ApiId=api_id, StageName="prod")
    assert stage["RouteSettings"]["GET /orders"]["ThrottlingBurstLimit"] == 10


async def test_deploy_stage_with_a_json_log_format(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    """The usual access log format is JSON text: it must reach the stage as that text."""
    log_format = '{"requestId":"$context.requestId","status":"$context.status"}'
    async with client() as session:
        api_id = await make_api(session)
        args = {"api_id": api_id, "stage_name": "prod", "log_format": log_format}
        plan, _ = await change(session, "deploy_stage", args)
    assert ops(plan) == ["create_log_group", "create_stage"]
    stage = v2(moto_endpoint).get_stage(ApiId=api_id, StageName="prod")
    assert stage["AccessLogSettings"]["Format"] == log_format


async def test_deploy_true_on_a_manual_stage_plans_a_deployment(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        await change(session, "deploy_stage", {"api_id": api_id, "stage_name": "beta", "auto_deploy": False})
        plan, applied = await change(
            session,
            "deploy_stage",
            {"api_id": api_id, "stage_name": "beta", "deploy": True},
            repeat=False,
        )
        manual = await call_ok(
            session, "add_route", {"api_id": api_id, "route": {"route_key": "PUT /x", "lambda_arn": FUNCTION}}
        )
    assert ops(plan) == ["create_deployment"]
    assert plan["steps"][0]["params"] == {"ApiId": api_id, "StageName": "beta"}
    assert rows(plan, "deployment of stage beta") == ["+ deployment of stage beta"]
    assert applied["applied"] == 1
    assert v2(moto_endpoint).get_stage(ApiId=api_id, StageName="beta")["DeploymentId"]
    assert any("beta" in w and "deploy=true" in w for w in manual["plan"]["warnings"])


async def test_deploy_true_on_an_auto_deploy_stage_is_refused(
    client: ClientFactory, recording: Recording
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        recording.clear()
        result = await session.call_tool(
            "deploy_stage", {"api_id": api_id, "stage_name": "$default", "deploy": True}
        )
    assert result.is_error and "deploy" in text_of(result) and "auto_deploy=false" in text_of(result)
    assert recording.writes() == []


# ensure_lambda_permission


async def test_ensure_lambda_permission_restores_a_removed_statement(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        empty = await call_ok(session, "ensure_lambda_permission", {"api_id": api_id})
        assert "steps" not in empty["plan"] and "diff" not in empty["plan"]
        lam = sandbox_client("lambda", moto_endpoint)
        lam.remove_permission(FunctionName=FUNCTION, StatementId=f"apigw-mcp-{api_id}")
        plan, _ = await change(session, "ensure_lambda_permission", {"api_id": api_id})
    assert ops(plan) == ["add_permission"]
    params = plan["steps"][0]["params"]
    assert params["FunctionName"] == FUNCTION and params["StatementId"] == f"apigw-mcp-{api_id}"
    assert params["SourceArn"] == f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*"
    assert action(rows(plan, "permission apigw-mcp-sandbox-fn")[0]) == "+"
    assert [s["Sid"] for s in statements(moto_endpoint, FUNCTION)] == [f"apigw-mcp-{api_id}"]


# delete_stage and delete_api


async def test_delete_stage(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, recording: Recording
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        await change(session, "deploy_stage", {"api_id": api_id, "stage_name": "prod"})
        args = {"api_id": api_id, "stage_name": "prod"}
        assert ops(await refused_while_deletes_are_off(session, recording, "delete_stage", args)) == [
            "delete_stage"
        ]
    async with client(allow_deletes=True) as session:
        plan, _ = await change(
            session, "delete_stage", {"api_id": api_id, "stage_name": "prod"}, repeat=False
        )
    assert ops(plan) == ["delete_stage"]
    assert action(rows(plan, "stage prod")[0]) == "-"
    assert [s["StageName"] for s in v2(moto_endpoint).get_stages(ApiId=api_id)["Items"]] == ["$default"]


async def test_delete_api_lists_what_is_lost_and_needs_deletes(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, recording: Recording
) -> None:
    async with client() as session:
        api_id = await make_api(session, stages=[{"name": "prod"}], default_stage=True)
        refused = await refused_while_deletes_are_off(session, recording, "delete_api", {"api_id": api_id})
        assert "Applying is refused now: the plan deletes 2 resource(s)" in " ".join(refused["warnings"])
    async with client(allow_deletes=True) as session:
        plan, applied = await change(session, "delete_api", {"api_id": api_id}, repeat=False)
        assert (await call_ok(session, "list_apis", {}))["apis"] == []
    assert ops(plan) == ["remove_permission", "delete_api"]
    lost = {subject(line) for line in plan["diff"] if action(line) == "-"}
    assert lost >= {
        "api shop",
        "route GET /orders",
        "route GET /orders/{id}",
        "authorizer users",
        "stage $default",
        "stage prod",
        "permission apigw-mcp-sandbox-fn",
    }
    assert any(api_id in w and "invoke URL" in w for w in plan["warnings"])
    assert statements(moto_endpoint, FUNCTION) == []
    assert applied["api_id"] == api_id


# undo


async def test_undo_of_add_route_deletes_it(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, recording: Recording
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        route = {"route_key": "POST /orders", "lambda_arn": FUNCTION}
        _, applied = await change(session, "add_route", {"api_id": api_id, "route": route})
        refused = await refused_while_deletes_are_off(session, recording, "undo", {"handle": applied["undo"]})
        assert ops(refused) == ["delete_route"]
    async with client(allow_deletes=True) as session:
        plan, _ = await change(session, "undo", {"handle": applied["undo"]})
    assert ops(plan) == ["delete_route"]
    assert action(rows(plan, "route POST /orders")[0]) == "-"
    assert any("cannot come back" in w for w in plan["warnings"])
    assert "POST /orders" not in routes_of(moto_endpoint, api_id)


async def test_undo_of_a_stage_update_restores_the_old_throttle(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        first = {"api_id": api_id, "stage_name": "prod", "throttle": {"burst": 200, "rate": 100}}
        await change(session, "deploy_stage", first)
        _, applied = await change(session, "deploy_stage", {**first, "throttle": {"burst": 5, "rate": 1}})
        plan, _ = await change(session, "undo", {"handle": applied["undo"]})
    assert ops(plan) == ["update_stage"]
    assert after(rows(plan, "stage prod")[0]) == "burst 200, rate 100/s"
    settings = v2(moto_endpoint).get_stage(ApiId=api_id, StageName="prod")["DefaultRouteSettings"]
    assert settings["ThrottlingBurstLimit"] == 200 and settings["ThrottlingRateLimit"] == 100


async def test_undo_of_create_http_api_deletes_the_api(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    nothing = moto_state(moto_endpoint)
    request = base_request()
    async with client() as session:
        _, applied = await change(session, "create_http_api", request)
    async with client(allow_deletes=True) as session:
        plan, _ = await change(session, "undo", {"handle": applied["undo"]}, repeat=False)
        assert (await call_ok(session, "list_apis", {}))["apis"] == []
    assert ops(plan) == ["remove_permission", "delete_api"]
    assert moto_state(moto_endpoint) == nothing


async def test_undo_of_create_http_api_again_is_an_empty_plan(
    client: ClientFactory, sandbox: SeedInfo
) -> None:
    """Undo is idempotent like every mutating tool: once the API is gone, asking again plans nothing."""
    async with client() as session:
        _, applied = await change(session, "create_http_api", base_request())
    async with client(allow_deletes=True) as session:
        await change(session, "undo", {"handle": applied["undo"]}, repeat=False)
        again = await session.call_tool("undo", {"handle": applied["undo"]})
    assert not again.is_error, text_of(again)
    plan = (again.structured_content or {})["plan"]
    assert "steps" not in plan and "token" not in plan and plan["summary"].startswith("No changes")


async def test_undo_of_delete_api_recreates_it_under_a_new_id(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    routes = [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION, "auth": "users", "scopes": ["orders/read"]},
        {"route_key": "ANY /legacy/{proxy+}", "url": "https://legacy.example.com/api"},
    ]
    async with client(allow_deletes=True) as session:
        api_id = await make_api(session, routes=routes, stages=[{"name": "prod", "access_log": True}])
        _, deleted = await change(session, "delete_api", {"api_id": api_id}, repeat=False)
        plan, recreated = await change(session, "undo", {"handle": deleted["undo"]}, repeat=False)
        described = await call_ok(session, "describe_api", {"api_id": recreated["api_id"]})
    assert recreated["api_id"] != api_id
    assert ops(plan)[0] == "create_api" and "add_permission" in ops(plan)
    assert {k: v.split(" | ", 1)[1] if " | " in v else "NONE" for k, v in described["routes"].items()} == {
        "GET /orders": "JWT:users [orders/read]",
        "ANY /legacy/{proxy+}": "NONE",
    }
    assert {s["name"] for s in described["stages"]} == {"prod"}
    assert [a["name"] for a in described["authorizers"]] == ["users"]
    (statement,) = statements(moto_endpoint, FUNCTION)
    assert recreated["api_id"] in statement["Condition"]["ArnLike"]["AWS:SourceArn"]


async def test_undo_of_delete_api_twice_does_not_make_a_second_api(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    """Repeating an applied undo of delete_api must not plan another copy of the API."""
    async with client(allow_deletes=True) as session:
        api_id = await make_api(session)
        _, deleted = await change(session, "delete_api", {"api_id": api_id}, repeat=False)
        await change(session, "undo", {"handle": deleted["undo"]}, repeat=False)
        again = await session.call_tool("undo", {"handle": deleted["undo"]})
    plan = (again.structured_content or {}).get("plan", {})
    assert again.is_error or "steps" not in plan, plan.get("summary")
    assert len(v2(moto_endpoint).get_apis()["Items"]) == 1


async def test_undo_with_a_garbage_handle_names_handle(client: ClientFactory, recording: Recording) -> None:
    async with client(allow_deletes=True) as session:
        result = await session.call_tool("undo", {"handle": "not-a-handle!"})
    assert result.is_error
    assert text_of(result).startswith("handle:") or "handle:" in text_of(result)
    assert "undo" in text_of(result) and "Traceback" not in text_of(result)
    assert recording.writes() == []


async def test_describe_api_shows_authorizers_and_stages(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = await make_api(session)
        await change(
            session,
            "deploy_stage",
            {"api_id": api_id, "stage_name": "prod", "throttle": {"burst": 10, "rate": 5}},
        )
        result = await session.call_tool("describe_api", {"api_id": api_id})
    described: dict[str, Any] = result.structured_content or {}
    (users,) = described["authorizers"]
    assert users["name"] == "users" and users["type"] == "JWT" and users["issuer"] == ISSUER
    assert users["identity_source"] == "$request.header.Authorization"
    stages = {s["name"]: s for s in described["stages"]}
    assert stages["prod"]["throttle"] == "burst 10, rate 5.0/s"
    assert stages["$default"]["auto_deploy"] is True
    assert json.loads(text_of(result)) == described, "the text carries the same facts"


# rejects

Args = Callable[[str], dict[str, Any]]


def jwt(**fields: Any) -> Args:
    base = {"name": "partners", "issuer": "https://login.example.com", "audience": ["a"], "routes": []}
    return lambda api_id: {"api_id": api_id, **base, **fields}


def lam(**fields: Any) -> Args:
    base = {"name": "keys", "function_arn": FUNCTION, "routes": []}
    return lambda api_id: {"api_id": api_id, **base, **fields}


def add(**fields: Any) -> Args:
    route = {"route_key": "POST /orders", "lambda_arn": FUNCTION, **fields}
    return lambda api_id: {"api_id": api_id, "route": route}


def stage(**fields: Any) -> Args:
    return lambda api_id: {"api_id": api_id, "stage_name": "prod", **fields}


def create(**fields: Any) -> Args:
    return lambda _: base_request(name="other", **fields)


THROTTLE = {"burst": 10, "rate": 5}
REJECTS: list[tuple[str, str, Args, list[str]]] = [
    (
        "rejects_http_issuer",
        "add_jwt_authorizer",
        jwt(issuer="http://login.example.com"),
        ["issuer", "https"],
    ),
    ("rejects_empty_audience", "add_jwt_authorizer", jwt(audience=[]), ["audience", "must not be empty"]),
    (
        "rejects_jwt_identity_source_from_context",
        "add_jwt_authorizer",
        jwt(identity_source="$context.identity.sourceIp"),
        ["identity_source", "$request.header"],
    ),
    (
        "rejects_two_jwt_identity_sources",
        "create_http_api",
        create(
            authorizers=[
                {
                    "name": "users",
                    "issuer": ISSUER,
                    "audience": ["a"],
                    "identity_source": ["$request.header.Authorization", "$request.querystring.token"],
                }
            ]
        ),
        ["identity_source", "exactly one"],
    ),
    (
        "rejects_lambda_ttl_without_identity_source",
        "add_lambda_authorizer",
        lam(ttl_seconds=300),
        ["ttl_seconds", "identity_source"],
    ),
    (
        "rejects_simple_responses_with_payload_1",
        "add_lambda_authorizer",
        lam(payload_format_version="1.0", simple_responses=True),
        ["simple_responses", "payload_format_version 2.0"],
    ),
    (
        "rejects_lambda_authorizer_out_of_region",
        "add_lambda_authorizer",
        lam(function_arn=FUNCTION.replace("us-east-1", "eu-west-1")),
        ["function_arn", "region us-east-1"],
    ),
    (
        "rejects_unknown_authorizer_in_route_auth",
        "add_route",
        add(auth="nobody"),
        ["route.auth", "'nobody'", "users"],
    ),
    ("rejects_scopes_with_auth_none", "add_route", add(scopes=["orders/read"]), ["route.scopes", "JWT"]),
    (
        "rejects_more_than_10_scopes_on_a_route",
        "add_route",
        add(auth="users", scopes=[f"s{i}" for i in range(11)]),
        ["scopes", "10"],
    ),
    (
        "rejects_more_than_10_scopes_for_a_jwt_authorizer",
        "add_jwt_authorizer",
        jwt(routes=["GET /orders"], scopes=[f"s{i}" for i in range(11)]),
        ["scopes", "10"],
    ),
    (
        "rejects_stage_name_with_bad_characters",
        "deploy_stage",
        stage(stage_name="prod stage!"),
        ["stage_name", "letters, digits"],
    ),
    (
        "rejects_bad_stage_variable_name",
        "deploy_stage",
        stage(variables={"bad-name": "x"}),
        ["variables", "bad-name"],
    ),
    (
        "rejects_log_format_without_request_id",
        "deploy_stage",
        stage(log_format="$context.status $context.routeKey"),
        ["log_format", "$context.requestId"],
    ),
    (
        "rejects_route_throttle_for_missing_route",
        "deploy_stage",
        stage(route_throttle={"GET /nope": THROTTLE}),
        ["route_throttle", "GET /nope"],
    ),
    (
        "rejects_throttle_burst_above_5000",
        "deploy_stage",
        stage(throttle={"burst": 5001, "rate": 10}),
        ["throttle.burst", "5000"],
    ),
    (
        "rejects_update_route_on_missing_route",
        "update_route",
        lambda api_id: {"api_id": api_id, "route_key": "GET /nope", "change": {"auth": "NONE"}},
        ["route_key", "GET /nope"],
    ),
    (
        "rejects_delete_route_on_missing_route",
        "delete_route",
        lambda api_id: {"api_id": api_id, "route_key": "GET /nope"},
        ["route_key", "GET /nope"],
    ),
    (
        "rejects_delete_stage_on_missing_stage",
        "delete_stage",
        lambda api_id: {"api_id": api_id, "stage_name": "nope"},
        ["stage_name", "nope"],
    ),
    (
        "rejects_unknown_api_id",
        "add_route",
        lambda _: add()("nope123"),
        ["api_id", "nope123", "list_apis"],
    ),
]


@pytest.mark.parametrize(("case", "tool", "args", "expected"), REJECTS, ids=[c[0] for c in REJECTS])
async def test_rejects(
    case: str,
    tool: str,
    args: Args,
    expected: list[str],
    client: ClientFactory,
    recording: Recording,
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await make_api(session)
        recording.clear()
        result = await session.call_tool(tool, args(api_id))
    assert result.is_error, (case, result.structured_content)
    for fragment in expected:
        assert fragment in text_of(result), (case, text_of(result))
    assert "Traceback" not in text_of(result) and "validation error for" not in text_of(result)
    assert recording.writes() == []


UNMANAGED: list[tuple[str, Args]] = [
    ("add_route", add()),
    ("update_route", lambda api_id: {"api_id": api_id, "route_key": "GET /x", "change": {"auth": "NONE"}}),
    ("configure_cors", lambda api_id: {"api_id": api_id, "cors": {"allow_origins": ["*"]}}),
    ("add_jwt_authorizer", jwt()),
    ("deploy_stage", stage()),
    ("ensure_lambda_permission", lambda api_id: {"api_id": api_id}),
    ("delete_route", lambda api_id: {"api_id": api_id, "route_key": "GET /x"}),
    ("delete_api", lambda api_id: {"api_id": api_id}),
]


@pytest.mark.parametrize(
    ("tool", "args"), UNMANAGED, ids=[f"rejects_unmanaged_api_{c[0]}" for c in UNMANAGED]
)
async def test_rejects_unmanaged_api(
    tool: str, args: Args, client: ClientFactory, moto_endpoint: str, recording: Recording
) -> None:
    api_id = v2(moto_endpoint).create_api(Name="legacy", ProtocolType="HTTP")["ApiId"]
    v2(moto_endpoint).create_route(ApiId=api_id, RouteKey="GET /x")
    recording.clear()
    async with client(allow_deletes=True) as session:
        result = await session.call_tool(tool, args(api_id))
    assert result.is_error, tool
    assert "APIGW_MCP_API_IDS" in text_of(result) and api_id in text_of(result), text_of(result)
    assert recording.writes() == []
