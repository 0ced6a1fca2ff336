"""tools/kinds/http/edits.py: how each tool turns the live spec into the desired one, and the plan."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope
from apigw_mcp.tools.kinds.http import edits
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.edits import RouteUpdate, StageChange
from apigw_mcp.tools.kinds.http.inputs import AuthorizerInput, RouteInput
from apigw_mcp.tools.kinds.http.live import LiveHttpApi, live_http_api
from apigw_mcp.tools.kinds.http.planner import LiveExtras, PlanContext, plan_http_api
from apigw_mcp.tools.kinds.http.spec import AccessLog, HttpApiSpec, RouteSpec, Throttle

REGION = "us-east-1"
ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
FN2 = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:items"
AUTH_FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:authz"
URL = "https://legacy.example.com/api"
ISSUER = "https://issuer.example.com"
LOG_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/logs/prod"
CTX = PlanContext(scope=Scope(region=REGION), account=ACCOUNT, identity=f"arn:aws:iam::{ACCOUNT}:role/dev")
ORIGIN = {"allow_origins": ["https://app.example.com"]}
INTEGRATIONS = [
    {
        "IntegrationId": "i1",
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": FN,
        "PayloadFormatVersion": "2.0",
    },
    {
        "IntegrationId": "i2",
        "IntegrationType": "HTTP_PROXY",
        "IntegrationUri": URL,
        "IntegrationMethod": "ANY",
    },
    {
        "IntegrationId": "i3",
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": FN2,
        "PayloadFormatVersion": "2.0",
    },
]
JWT_AUTHORIZER = {
    "AuthorizerId": "a1",
    "Name": "users",
    "AuthorizerType": "JWT",
    "IdentitySource": ["$request.header.Authorization"],
    "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["web"]},
}
PROD = {
    "StageName": "prod",
    "AutoDeploy": False,
    "Description": "production",
    "StageVariables": {"env": "prod"},
    "DefaultRouteSettings": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0},
    "RouteSettings": {"GET /orders": {"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.0}},
    "AccessLogSettings": {"DestinationArn": LOG_ARN, "Format": "$context.requestId"},
}


def route(route_id: str, key: str, integration: str, **auth: Any) -> dict[str, Any]:
    return {"RouteId": route_id, "RouteKey": key, "Target": f"integrations/{integration}", **auth}


def live_api(
    *,
    routes: list[dict[str, Any]] | None = None,
    authorizers: list[dict[str, Any]] | None = None,
    stages: list[dict[str, Any]] | None = None,
    cors: dict[str, Any] | None = None,
    description: str = "",
) -> LiveHttpApi:
    """The live API 'orders' (abc123): GET /orders -> orders, ANY /items -> items, $default -> legacy URL."""
    api = {
        "ApiId": "abc123",
        "Name": "orders",
        "ApiEndpoint": "https://abc123.execute-api.us-east-1.amazonaws.com",
        "Description": description,
        "Tags": {MANAGED_TAG: "true"},
        **({"CorsConfiguration": cors} if cors else {}),
    }
    default_routes = [
        route("r1", "GET /orders", "i1"),
        route("r2", "ANY /items", "i3"),
        route("r3", "$default", "i2"),
    ]
    return live_http_api(
        api,
        default_routes if routes is None else routes,
        INTEGRATIONS,
        [{"StageName": "$default", "AutoDeploy": True}] if stages is None else stages,
        [JWT_AUTHORIZER] if authorizers is None else authorizers,
    )


def plan(desired: HttpApiSpec, live: LiveHttpApi, deploy: tuple[str, ...] = ()) -> Plan:
    permissions = {FN: True, FN2: True}
    return plan_http_api(
        desired, live, LiveExtras(permissions=permissions, log_groups=["/logs/prod"], deploy=deploy), CTX
    )


def ops(result: Plan) -> list[str]:
    return [f"{s.operation} {s.resource}" for s in result.steps]


def add(key: str, **fields: Any) -> Callable[[LiveHttpApi], HttpApiSpec]:
    return lambda live: edits.add_route(live, RouteInput.model_validate({"route_key": key, **fields}))


def update(key: str, **fields: Any) -> Callable[[LiveHttpApi], HttpApiSpec]:
    return lambda live: edits.update_route(live, key, RouteUpdate.model_validate(fields))


@pytest.mark.parametrize(
    ("edit", "key", "after", "steps"),
    [
        (
            add("POST /orders", lambda_arn=FN),
            "POST /orders",
            "lambda:orders",
            ["create_route route POST /orders"],
        ),
        (add("GET /orders", lambda_arn=FN), "GET /orders", "lambda:orders", []),
        (add("GET /old", integration_id="i2"), "GET /old", f"ANY {URL}", ["create_route route GET /old"]),
        (
            add("POST /x", lambda_arn=FN2, auth="users", scopes=["w"]),
            "POST /x",
            "lambda:items | JWT:users [w]",
            ["create_route route POST /x"],
        ),
        (
            update("GET /orders", auth="users", scopes=["orders:read"]),
            "GET /orders",
            "lambda:orders | JWT:users [orders:read]",
            ["update_route route GET /orders"],
        ),
        (
            update("GET /orders", auth="AWS_IAM"),
            "GET /orders",
            "lambda:orders | AWS_IAM",
            ["update_route route GET /orders"],
        ),
        (
            update("GET /orders", lambda_arn=FN2),
            "GET /orders",
            "lambda:items",
            ["update_route route GET /orders", "delete_integration integration i1"],
        ),
        (update("GET /orders"), "GET /orders", "lambda:orders", []),
        (
            lambda live: edits.delete_route(live, "ANY /items"),
            "ANY /items",
            None,
            ["delete_route route ANY /items", "delete_integration integration i3"],
        ),
    ],
    ids=[
        "add-new",
        "add-identical",
        "add-integration-id",
        "add-with-jwt",
        "update-auth",
        "update-iam",
        "update-backend",
        "update-nothing",
        "delete",
    ],
)
def test_route_edits(
    edit: Callable[[LiveHttpApi], HttpApiSpec], key: str, after: str | None, steps: list[str]
) -> None:
    live = live_api()
    desired = edit(live)
    changed = desired.routes.get(key)
    assert (changed.label() if changed else None) == after
    assert {k: v for k, v in desired.routes.items() if k != key} == {
        k: v for k, v in live.spec.routes.items() if k != key
    }
    assert ops(plan(desired, live)) == steps


def test_add_route_reuses_integration_by_id() -> None:
    live = live_api()
    desired = add("GET /old", integration_id="i2")(live)
    assert desired.routes["GET /old"].integration == live.integrations["i2"]
    assert plan(desired, live).steps[0].params["Target"] == "integrations/i2"


def test_added_route_with_authorizer_targets_its_id() -> None:
    live = live_api()
    params = plan(add("POST /x", lambda_arn=FN, auth="users")(live), live).steps[0].params
    assert (params["AuthorizerId"], params["AuthorizationType"], params["Target"]) == (
        "a1",
        "JWT",
        "integrations/i1",
    )


def test_update_route_timeout_only() -> None:
    """Only timeout_ms is given: the backend stays, its integration gets the new timeout."""
    live = live_api()
    desired = update("GET /orders", timeout_ms=5000)(live)
    integration = desired.routes["GET /orders"].integration
    assert integration is not None
    assert integration.timeout_ms == 5000
    assert ops(plan(desired, live)) == ["update_integration integration i1"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            add("GET /orders", lambda_arn=FN2),
            "route.route_key: 'GET /orders' exists with another backend or auth; use update_route",
        ),
        (add("GET /orders", lambda_arn=FN, auth="users"), "use update_route"),
        (
            add("GET /x", integration_id="zz"),
            "route.integration_id: no proxy integration 'zz' (known: i1, i2, i3)",
        ),
        (add("GET /x", lambda_arn=FN, auth="nobody"), "(known: users)"),
        (
            update("GET /nope", auth="NONE"),
            "route_key: no route 'GET /nope' (routes: $default, ANY /items, GET /orders)",
        ),
        (update("GET /orders", scopes=["a"]), "route.scopes: scopes need a JWT authorizer"),
        (lambda live: edits.delete_route(live, "GET /nope"), "route_key: no route 'GET /nope'"),
    ],
    ids=[
        "add-other-backend",
        "add-other-auth",
        "unknown-integration",
        "unknown-authorizer",
        "update-unknown",
        "update-scopes",
        "delete-unknown",
    ],
)
def test_route_edit_refused(edit: Callable[[LiveHttpApi], HttpApiSpec], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        edit(live_api())


def secured_routes(secured: str | None, *extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The default routes, with the JWT authorizer on ``secured``."""
    jwt_on = {"AuthorizationType": "JWT", "AuthorizerId": "a1"}
    base = [route("r1", "GET /orders", "i1"), route("r2", "ANY /items", "i3"), route("r3", "$default", "i2")]
    return [{**r, **(jwt_on if r["RouteKey"] == secured else {})} for r in base] + list(extra)


@pytest.mark.parametrize(
    ("routes", "added", "note"),
    [
        (secured_routes("$default"), "OPTIONS /{proxy+}", "Adds unauthenticated 'OPTIONS /{proxy+}'"),
        (secured_routes("ANY /items"), "OPTIONS /items", "Adds unauthenticated 'OPTIONS /items'"),
        (secured_routes("GET /orders"), None, "No OPTIONS route needed"),
        (secured_routes(None), None, "No OPTIONS route needed"),
        (secured_routes("ANY /items", route("r4", "OPTIONS /items", "i3")), None, "No OPTIONS route needed"),
    ],
    ids=["jwt-on-default", "jwt-on-any", "jwt-on-get", "no-authorizer", "options-exists"],
)
def test_configure_cors_preflight(routes: list[dict[str, Any]], added: str | None, note: str) -> None:
    live = live_api(routes=routes)
    desired, notes = edits.configure_cors(live, Cors.model_validate(ORIGIN))
    assert desired.cors == Cors.model_validate(ORIGIN).to_aws()
    assert len(notes) == 1
    assert notes[0].startswith(note)
    assert sorted(set(desired.routes) - set(live.spec.routes)) == ([added] if added else [])
    result = plan(desired, live)
    assert ops(result) == ["update_api api abc123"] + ([f"create_route route {added}"] if added else [])
    if added:
        source, target = ("$default", "i2") if added == "OPTIONS /{proxy+}" else ("ANY /items", "i3")
        assert desired.routes[added] == RouteSpec(integration=live.spec.routes[source].integration)
        # Open: no authorizer, and AuthorizationType left out (NONE is AWS's default for a new route).
        assert result.steps[1].params.get("AuthorizationType", "NONE") == "NONE"
        assert "AuthorizerId" not in result.steps[1].params
        assert result.steps[1].params["Target"] == f"integrations/{target}"


def test_configure_cors_none_removes_cors() -> None:
    live = live_api(cors={"AllowOrigins": ["https://app.example.com"]})
    desired, notes = edits.configure_cors(live, None)
    assert (desired.cors, notes) == (None, [])
    result = plan(desired, live)
    assert ops(result) == ["delete_cors_configuration api abc123"]
    assert result.steps[0].params == {"ApiId": "abc123"}


def jwt(**fields: Any) -> AuthorizerInput:
    return AuthorizerInput.model_validate(
        {"name": "staff", "issuer": ISSUER, "audience": ["admin"], **fields}
    )


def test_add_authorizer_attaches_with_scopes() -> None:
    live = live_api()
    desired, notes = edits.add_authorizer(live, jwt(), ["get /orders"], ["orders:read", "orders:read"])
    assert notes == []
    assert desired.routes["GET /orders"].auth_label() == "JWT:staff [orders:read]"
    assert desired.routes["GET /orders"].integration == live.spec.routes["GET /orders"].integration
    result = plan(desired, live)
    assert ops(result) == ["create_authorizer authorizer staff", "update_route route GET /orders"]
    assert result.steps[1].params["AuthorizerId"] == "${auth1}"  # the id the create_authorizer step makes
    assert result.steps[1].params["AuthorizationScopes"] == ["orders:read"]


def test_add_authorizer_on_any_route_with_cors_adds_preflight_route() -> None:
    live = live_api(cors={"AllowOrigins": ["https://app.example.com"]})
    desired, notes = edits.add_authorizer(live, jwt(), ["ANY /items"], [])
    assert "OPTIONS /items" in desired.routes
    assert notes[0].startswith("Adds unauthenticated 'OPTIONS /items'")
    assert ops(plan(desired, live))[-2:] == [
        "update_route route ANY /items",
        "create_route route OPTIONS /items",
    ]


def test_add_lambda_authorizer_needs_its_permission() -> None:
    live = live_api()
    gate = AuthorizerInput.model_validate({"name": "gate", "function_arn": AUTH_FN})
    desired, _ = edits.add_authorizer(live, gate, ["$default"], [])
    assert desired.routes["$default"].auth_label() == "CUSTOM:gate"
    result = plan(desired, live)
    assert ops(result) == [
        "create_authorizer authorizer gate",
        "update_route route $default",
        f"add_permission permission {AUTH_FN}",
    ]


def test_add_authorizer_updates_one_of_the_same_name() -> None:
    live = live_api()
    desired, _ = edits.add_authorizer(live, jwt(name="users", audience=["web", "mobile"]), [], [])
    result = plan(desired, live)
    assert ops(result) == ["update_authorizer authorizer users"]
    assert result.steps[0].params["AuthorizerId"] == "a1"
    assert result.steps[0].params["JwtConfiguration"]["Audience"] == ["mobile", "web"]


def test_add_cognito_authorizer_notes_access_tokens() -> None:
    pool = AuthorizerInput.model_validate(
        {"name": "pool", "cognito_user_pool_id": "us-east-1_Abc", "cognito_app_client_id": "client1"}
    )
    _, notes = edits.add_authorizer(live_api(), pool, ["GET /orders"], [])
    assert notes == [edits.COGNITO_NOTE]


@pytest.mark.parametrize(
    ("routes", "scopes", "message"),
    [
        (["GET /nope"], [], "routes.0: no route 'GET /nope' (routes: $default, ANY /items, GET /orders)"),
        (["GET /orders", "bad"], [], "'bad' is not a route key"),
    ],
    ids=["unknown-route", "bad-key"],
)
def test_add_authorizer_refused(routes: list[str], scopes: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        edits.add_authorizer(live_api(), jwt(), routes, scopes)


def test_lambda_authorizer_refuses_scopes() -> None:
    gate = AuthorizerInput.model_validate({"name": "gate", "function_arn": AUTH_FN})
    with pytest.raises(ValueError, match=re.escape("routes.0.scopes: scopes apply to JWT authorizers only")):
        edits.add_authorizer(live_api(), gate, ["GET /orders"], ["a"])


def deploy(name: str, deploy_now: bool = False, **fields: Any) -> HttpApiSpec:
    live = live_api(stages=[PROD])
    return edits.deploy_stage(live, name, StageChange.model_validate(fields), REGION, ACCOUNT, deploy_now)


def test_deploy_stage_merges_with_live_settings() -> None:
    live = live_api(stages=[PROD])
    desired = deploy("prod", True, description="new")
    stage = desired.stages["prod"]
    assert stage == live.spec.stages["prod"].model_copy(update={"description": "new"})
    result = plan(desired, live, deploy=("prod",))
    assert ops(result) == ["update_stage stage prod", "create_deployment deployment prod"]
    assert result.steps[0].params == {"ApiId": "abc123", "StageName": "prod", "Description": "new"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"throttle": {"burst": 1, "rate": 2}}, {"throttle": Throttle(burst=1, rate=2)}),
        (
            {"route_throttle": {"get /orders": {"burst": 1, "rate": 2}}},
            {"route_throttle": {"GET /orders": Throttle(burst=1, rate=2)}},
        ),
        ({"variables": {}}, {"variables": {}}),
        ({"auto_deploy": True}, {"auto_deploy": True}),
        (
            {"log_format": "$context.extendedRequestId"},
            {"access_log": AccessLog(destination_arn=LOG_ARN, format="$context.extendedRequestId")},
        ),
        ({"access_log": False}, {"access_log": None}),
    ],
    ids=["throttle", "route-throttle", "variables", "auto-deploy", "log-format", "access-log-off"],
)
def test_deploy_stage_changes_only_given_fields(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    live = live_api(stages=[PROD])
    assert deploy("prod", **fields).stages["prod"] == live.spec.stages["prod"].model_copy(update=expected)


def test_deploy_stage_turning_access_log_off_plans_its_removal() -> None:
    live = live_api(stages=[PROD])
    assert ops(plan(deploy("prod", access_log=False), live)) == ["delete_access_log_settings stage prod"]


def test_deploy_new_stage_with_access_log() -> None:
    live = live_api(stages=[PROD])
    desired = deploy("beta", access_log=True, throttle={"burst": 10, "rate": 5})
    result = plan(desired, live)
    assert ops(result) == [
        "create_log_group log group /aws/apigateway/orders/beta",
        "create_stage stage beta",
    ]
    assert result.steps[1].params["AutoDeploy"] is True


@pytest.mark.parametrize(
    ("name", "deploy_now", "fields", "message"),
    [
        (
            "prod",
            False,
            {"route_throttle": {"GET /nope": {"burst": 1, "rate": 1}}},
            "route_throttle: no route 'GET /nope'",
        ),
        ("$default", True, {}, "deploy: stage auto-deploys every change"),
        ("prod", True, {"auto_deploy": True}, "deploy: stage auto-deploys every change"),
        ("prod", False, {"log_format": "$context.status"}, "$context.requestId"),
        ("bad name", False, {}, "stage name 'bad name'"),
    ],
    ids=[
        "route-throttle-unknown-route",
        "deploy-auto-deploy-stage",
        "deploy-while-turning-auto-on",
        "bad-log-format",
        "bad-name",
    ],
)
def test_deploy_stage_refused(name: str, deploy_now: bool, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        deploy(name, deploy_now, **fields)


def test_delete_stage() -> None:
    live = live_api(stages=[PROD, {"StageName": "$default", "AutoDeploy": True}])
    desired = edits.delete_stage(live, "prod")
    assert set(desired.stages) == {"$default"}
    assert ops(plan(desired, live)) == ["delete_stage stage prod"]
    with pytest.raises(ValueError, match=re.escape("stage_name: no stage 'beta' (stages: $default, prod)")):
        edits.delete_stage(live, "beta")
