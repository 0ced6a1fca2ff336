"""Every suggested fix runs as given: each tool call a diagnosis or an audit emits fits that tool's input.

Fixes are gathered from every positive case of every rule family table (the rule's own hit, and every
finding the engine ranks for the request the case describes) and from audit_api over those facts and
over APIs built to exercise each audit fix (JWT or Lambda authorizers to reuse or none, CORS with and
without named origins, REST and WebSocket stages). Each call's arguments are validated by the
argument model the MCP SDK built for that tool on a real server (``fn_metadata.arg_model``); the
authorizer tools also validate their authorizer the way the tool body does, and no argument may be a
placeholder. Running them against the sandbox is ``test_diag_scenarios.py``'s part.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from apigw_mcp.server.app import build_server
from apigw_mcp.server.settings import load_settings
from apigw_mcp.tools.diagnose.audit import audit
from apigw_mcp.tools.diagnose.engine import diagnose
from apigw_mcp.tools.diagnose.model import Facts, Fix, FunctionFacts, Symptom
from apigw_mcp.tools.diagnose.registry import RULES
from apigw_mcp.tools.kinds.http.inputs import AuthorizerInput
from tests import test_diag_auth, test_diag_integration, test_diag_routing, test_diag_traffic

from .conftest import HANDLE_KEY, REGION

CASES: list[tuple[str, Facts, Symptom]] = [
    case[:3]
    for module in (test_diag_auth, test_diag_integration, test_diag_traffic)
    for case in module.CASES
    if case[3]
] + list(test_diag_routing.POSITIVE)
API = "a1b2c3d4e5"
FN = "arn:aws:lambda:us-east-1:123456789012:function:authz"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
PLACEHOLDER = ("<", "YOUR", "example.com/<")


@cache
def arg_models() -> dict[str, type[BaseModel]]:
    settings = load_settings(
        region=REGION, endpoint_url="http://127.0.0.1:9", audit_log="off", handle_key=HANDLE_KEY
    )
    manager = build_server(settings)._tool_manager
    return {t.name: t.fn_metadata.arg_model for t in manager.list_tools()}


def check_fix(fix: Fix, where: str) -> None:
    """The fix as a call: its tool exists, its arguments validate, it previews, no placeholder in it."""
    if not fix.tool:
        return
    assert fix.tool in arg_models(), where
    assert fix.args is not None and fix.args.get("dry_run") is True, where
    try:
        arg_models()[fix.tool].model_validate(fix.args)
    except ValidationError as error:
        raise AssertionError(f"{where}: {fix.tool}({fix.args}) does not validate: {error}") from None
    if fix.tool in ("add_jwt_authorizer", "add_lambda_authorizer"):
        AuthorizerInput.model_validate(_authorizer_fields(fix.tool, fix.args))
    written = [v for v in _strings(fix.args)]
    assert not [v for v in written if any(p in v for p in PLACEHOLDER)], (where, fix.args)


def _authorizer_fields(tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """What add_jwt_authorizer / add_lambda_authorizer build from their arguments (mcp_tools/http.py)."""
    if tool == "add_jwt_authorizer":
        fields = {k: args.get(k) for k in ("name", "issuer", "cognito_user_pool_id", "cognito_app_client_id")}
        return {
            **fields,
            "audience": args.get("audience") or [],
            "identity_source": [args.get("identity_source", "$request.header.Authorization")],
        }
    keys = (
        "name",
        "function_arn",
        "payload_format_version",
        "simple_responses",
        "ttl_seconds",
        "identity_source",
    )
    return {k: args[k] for k in keys if k in args}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def as_requested(facts: Facts, symptom: Symptom) -> Symptom:
    """The symptom with what the case's Match says filled in (as ``helpers.check_rule_case`` runs it)."""
    fill = {"stage": facts.match.stage, "path": facts.match.path, "method": facts.match.method}
    return symptom.model_copy(
        update={k: v for k, v in fill.items() if v is not None and getattr(symptom, k) is None}
    )


def case_fixes() -> Iterator[tuple[str, Fix]]:
    for rule_id, facts, symptom in CASES:
        hit = RULES[rule_id](facts, symptom)
        if hit is not None and hit.fix is not None:
            yield rule_id, hit.fix
        for asked in (symptom, as_requested(facts, symptom)):
            for finding in diagnose(facts, asked).findings:
                yield f"{rule_id} -> {finding.rule_id}", finding.fix


# ---- APIs built to exercise each audit fix ----


def http(**api: Any) -> Facts:
    routes = [
        {
            "RouteId": "r1",
            "RouteKey": "GET /orders",
            "Target": "integrations/i1",
            "AuthorizationType": "NONE",
        },
        {"RouteId": "r2", "RouteKey": "$default", "Target": "integrations/i1", "AuthorizationType": "NONE"},
    ]
    return Facts.model_validate(
        {
            "api_type": "HTTP",
            "api_id": API,
            "region": REGION,
            "account": "123456789012",
            "api": {"ApiId": API, "Name": "shop", "ProtocolType": "HTTP", **api.pop("api", {})},
            "routes": routes,
            "stages": [{"StageName": "$default", "AutoDeploy": True}, {"StageName": "prod"}],
            **api,
        }
    )


JWT = {
    "AuthorizerId": "a1",
    "Name": "cognito",
    "AuthorizerType": "JWT",
    "IdentitySource": ["$request.header.Authorization"],
    "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["client-1"]},
}
LAMBDA = {
    "AuthorizerId": "a2",
    "Name": "custom",
    "AuthorizerType": "REQUEST",
    "AuthorizerUri": f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations",
    "AuthorizerPayloadFormatVersion": "2.0",
    "EnableSimpleResponses": True,
    "AuthorizerResultTtlInSeconds": 300,
    "IdentitySource": ["$request.header.Authorization"],
}
ANY_API = json.dumps(
    {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": FN,
            }
        ]
    }
)
WILDCARD_CREDENTIALS = {"AllowOrigins": ["*"], "AllowCredentials": True, "AllowMethods": ["GET"]}
AUDITED: dict[str, Facts] = {
    "no authorizer": http(),
    "jwt authorizer": http(authorizers=[JWT]),
    "lambda authorizer": http(authorizers=[LAMBDA]),
    "jwt without audience": http(authorizers=[{**JWT, "JwtConfiguration": {"Issuer": ISSUER}}]),
    "wildcard with credentials": http(api={"CorsConfiguration": WILDCARD_CREDENTIALS}),
    "named origins with credentials": http(
        api={"CorsConfiguration": {**WILDCARD_CREDENTIALS, "AllowOrigins": ["*", "https://app.example.com"]}}
    ),
    "zero throttle": http(
        stages=[{"StageName": "prod", "DefaultRouteSettings": {"ThrottlingBurstLimit": 0}}]
    ),
    "function open to any API": http(functions={FN: FunctionFacts(policy=ANY_API)}),
}


def audited_facts() -> Iterator[tuple[str, Facts]]:
    yield from AUDITED.items()
    for rule_id, facts, _ in CASES:
        yield f"facts of {rule_id}", facts


def audit_fixes() -> Iterator[tuple[str, Fix]]:
    for name, facts in audited_facts():
        for found in audit(facts).findings:
            yield f"audit {name}: {found.rule_id}", found.fix


def test_every_diagnosis_fix_validates_against_its_tool() -> None:
    calls = [(where, fix) for where, fix in case_fixes() if fix.tool]
    for where, fix in calls:
        check_fix(fix, where)
    print(f"\ndiagnosis fixes validated: {len(calls)} tool calls from {len(CASES)} positive cases")
    assert len({fix.tool for _, fix in calls}) >= 6  # every fixing tool is exercised


def test_rest_diagnoses_offer_the_rest_tools() -> None:
    """REST findings give ready calls where a tool does the fix (each validated by the test above)."""
    rest = {rule_id for rule_id, facts, _ in CASES if facts.api_type == "REST"}
    tools = {fix.tool for where, fix in case_fixes() if fix.tool and where.split(" -> ")[0] in rest}
    assert tools >= {"deploy_stage", "ensure_lambda_permission", "configure_cors"}


def test_every_audit_fix_validates_against_its_tool() -> None:
    calls = [(where, fix) for where, fix in audit_fixes() if fix.tool]
    for where, fix in calls:
        check_fix(fix, where)
    print(f"\naudit fixes validated: {len(calls)} tool calls over {len(list(audited_facts()))} APIs")
    assert {fix.tool for _, fix in calls} >= {
        "add_jwt_authorizer",
        "add_lambda_authorizer",
        "configure_cors",
        "deploy_stage",
        "ensure_lambda_permission",
    }


def _only(facts: Facts, rule_id: str) -> Fix:
    return next(f.fix for f in audit(facts).findings if f.rule_id == rule_id)


def test_open_routes_get_the_apis_own_authorizer() -> None:
    jwt = _only(AUDITED["jwt authorizer"], "audit-route-without-authorization")
    assert jwt.tool == "add_jwt_authorizer" and jwt.args is not None
    assert (jwt.args["name"], jwt.args["issuer"], jwt.args["audience"]) == ("cognito", ISSUER, ["client-1"])
    assert jwt.args["routes"] == ["$default", "GET /orders"]
    custom = _only(AUDITED["lambda authorizer"], "audit-route-without-authorization")
    assert custom.tool == "add_lambda_authorizer" and custom.args is not None
    assert (custom.args["function_arn"], custom.args["ttl_seconds"]) == (FN, 300)
    for name in ("no authorizer", "jwt without audience"):
        manual = _only(AUDITED[name], "audit-route-without-authorization")
        assert manual.tool is None and "issuer" in str(manual.manual), name


def test_cors_fix_keeps_named_origins_and_never_makes_one_up() -> None:
    named = _only(AUDITED["named origins with credentials"], "audit-cors-wildcard-with-credentials")
    assert named.tool == "configure_cors" and named.args is not None
    assert named.args["cors"]["allow_origins"] == ["https://app.example.com"]
    assert named.args["cors"]["allow_methods"] == ["GET"] and named.args["cors"]["allow_credentials"]
    wildcard = _only(AUDITED["wildcard with credentials"], "audit-cors-wildcard-with-credentials")
    assert wildcard.tool is None and "allow_origins" in str(wildcard.manual)
    assert "YOUR-APP" not in str(wildcard.manual)


@pytest.mark.parametrize("tool", ["add_jwt_authorizer", "configure_cors", "add_route"])
def test_the_checker_refuses_a_call_that_would_fail(tool: str) -> None:
    """The check is not vacuous: the calls audit_api used to emit fail it."""
    broken = {
        "add_jwt_authorizer": {"api_id": API, "routes": ["GET /orders"], "dry_run": True},
        "configure_cors": {
            "api_id": API,
            "cors": {"allow_origins": ["https://<your app>"], "allow_credentials": True},
            "dry_run": True,
        },
        "add_route": {
            "api_id": API,
            "route": {"route_key": "GET /x", "integration_id": "<id>"},
            "dry_run": True,
        },
    }[tool]
    with pytest.raises((AssertionError, ValidationError)):
        check_fix(Fix(tool=tool, args=broken), tool)


def test_an_issuer_ending_in_a_slash_can_be_configured() -> None:
    """Auth0 issues ``iss`` with a trailing '/', and AWS needs the authorizer's issuer to equal it."""
    AuthorizerInput.model_validate(
        {"name": "auth0", "issuer": "https://shop.eu.auth0.com/", "audience": ["api"]}
    )
    issuer = test_diag_auth.ISS + "/"
    hit = RULES["http-jwt-issuer-mismatch"](test_diag_auth.jwt_route(), test_diag_auth.token(iss=issuer))
    assert hit is not None and hit.fix is not None and hit.fix.tool == "add_jwt_authorizer"


def test_a_fix_the_tool_would_refuse_is_given_as_the_aws_call() -> None:
    issuer = test_diag_auth.ISS.replace("https://", "http://")
    hit = RULES["http-jwt-issuer-mismatch"](test_diag_auth.jwt_route(), test_diag_auth.token(iss=issuer))
    assert hit is not None and hit.fix is not None and hit.fix.tool is None
    assert "apigatewayv2.update_authorizer(ApiId='h1', AuthorizerId='jw1'" in str(hit.fix.manual)
    assert issuer in str(hit.fix.manual) and "https" in str(hit.fix.manual)
