"""Pure-core safety: IDNA hosts, written-value checks, trust warnings, stage doors, redaction, leftovers."""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.engine.consent import consent_message, consent_reasons
from apigw_mcp.tools.engine.netcheck import url_refusal
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.redact import MASK, redact, redact_text, scrub
from apigw_mcp.tools.kinds.http.inputs import CreateHttpApiArgs
from apigw_mcp.tools.kinds.http.plan_delete import plan_leftovers
from apigw_mcp.tools.kinds.http.spec import DEFAULT_STAGE, AccessLog, HttpApiSpec, StageSpec, Throttle
from apigw_mcp.tools.kinds.http.spec_check import check_written
from apigw_mcp.tools.kinds.http.trust import trust_warnings
from tests.test_core_edits import FN, live_api, plan, route

JWT_ON = {"AuthorizationType": "JWT", "AuthorizerId": "a1", "AuthorizationScopes": ["orders:read"]}

REGION, ACCOUNT = "us-east-1", "123456789012"
LOG = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/apigateway/orders/prod"


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("https://\uff11\uff12\uff17.0.0.1/", "maps to '127.0.0.1'"),
        ("https://169.254.169\uff0e254/", "maps to '169.254.169.254'"),
        ("https://169.254.169.254\uff0e/", "maps to '169.254.169.254'"),
        ("https://metadata.google\uff61internal/", "maps to 'metadata.google.internal'"),
        ("https://127\u30020\u30020\u30021/", "maps to '127.0.0.1'"),
        ("https://b\u00fccher.de/", "write it as 'xn--bcher-kva.de'"),
        ("https://ex\u00e4mple.com\uff0e/", "write it as 'xn--exmple-cua.com'"),
        ("https://api.example.com\r\n.evil/", "whitespace or control"),
        ("https://api.example.com /x", "whitespace or control"),
    ],
    ids=[
        "fullwidth-digits",
        "fullwidth-dot",
        "trailing-fullwidth-dot",
        "halfwidth-ideographic-stop",
        "ideographic-full-stops",
        "idn-name-must-be-punycode",
        "idn-with-fullwidth-dot",
        "crlf",
        "space",
    ],
)
def test_hosts_are_judged_as_resolvers_map_them_and_must_be_ascii(url: str, fragment: str) -> None:
    refusal = url_refusal(url)
    assert refusal is not None and fragment in refusal


def test_punycode_host_is_accepted() -> None:
    assert url_refusal("https://xn--bcher-kva.de/api") is None


def _with_stage(stage: StageSpec) -> HttpApiSpec:
    return live_api().spec.model_copy(update={"stages": {"prod": stage}})


@pytest.mark.parametrize(
    ("desired", "fragment"),
    [
        (_with_stage(StageSpec(variables={"a": "x\r\ny"})), "stages.prod"),
        (
            _with_stage(
                StageSpec(
                    access_log=AccessLog(
                        destination_arn=LOG.replace(ACCOUNT, "210987654321"), format="$context.requestId"
                    )
                )
            ),
            "log group",
        ),
        (_with_stage(StageSpec(route_throttle={"GET /nope": Throttle(burst=1, rate=1)})), "no route"),
        (live_api().spec.model_copy(update={"description": "x" * 2000}), "description"),
        (live_api().spec.model_copy(update={"tags": {"aws:x": "y"}}), "tags"),
        (live_api().spec.model_copy(update={"cors": {"AllowOrigins": ["https://a.com/x"]}}), "cors"),
    ],
    ids=[
        "stage-variable-crlf",
        "log-other-account",
        "throttle-unknown-route",
        "long-description",
        "reserved-tag",
        "bad-origin",
    ],
)
def test_written_parts_pass_the_input_models(desired: HttpApiSpec, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        check_written(desired, live_api().spec, REGION, ACCOUNT)


def test_route_restored_with_traversal_or_unknown_authorizer_is_refused() -> None:
    spec = live_api().spec
    route = next(iter(spec.routes.values()))
    for key, broken in (("GET /a/../b", route), ("GET /a", route.model_copy(update={"authorizer": "ghost"}))):
        with pytest.raises(ValueError, match="routes"):
            check_written(spec.model_copy(update={"routes": {key: broken}}), spec, REGION, ACCOUNT)


def test_unchanged_live_parts_are_not_rejudged() -> None:
    odd = _with_stage(StageSpec(variables={"a": "x\ry"}))
    check_written(odd, odd, REGION, ACCOUNT)


def _args(**fields: Any) -> CreateHttpApiArgs:
    return CreateHttpApiArgs.model_validate({"name": "orders", "routes": [], **fields})


def test_default_stage_only_when_no_stages_are_given_or_asked() -> None:
    assert set(_args().spec(REGION, ACCOUNT).stages) == {DEFAULT_STAGE}
    assert set(_args(stages=[{"name": "prod"}]).spec(REGION, ACCOUNT).stages) == {"prod"}
    both = _args(stages=[{"name": "prod"}], default_stage=True).spec(REGION, ACCOUNT).stages
    assert set(both) == {DEFAULT_STAGE, "prod"}
    assert _args(default_stage=False).spec(REGION, ACCOUNT).stages == {}


def test_log_group_in_another_account_is_refused_at_input() -> None:
    stage = {"name": "prod", "log_group_arn": LOG.replace(ACCOUNT, "210987654321")}
    with pytest.raises(ValueError, match=r"stages\.0\.log_group_arn"):
        _args(stages=[stage]).spec(REGION, ACCOUNT)


def test_a_stage_left_open_next_to_a_guarded_one_is_said() -> None:
    guarded = StageSpec(
        throttle=Throttle(burst=10, rate=5), access_log=AccessLog(destination_arn=LOG, format="x")
    )
    spec = live_api().spec.model_copy(update={"stages": {"prod": guarded, "dev": StageSpec()}})
    warnings = plan(spec, live_api()).warnings
    assert any("dev have no throttling while prod do" in w for w in warnings)
    assert any("dev have no access logs while prod do" in w for w in warnings)


def test_new_trust_is_named_in_the_plan() -> None:
    authorized = [route("r1", "GET /orders", "i1", **JWT_ON)]
    live = live_api(routes=authorized, cors={"AllowOrigins": ["https://app.example.com"]})
    users = live.spec.authorizers["users"]
    wider = users.model_copy(
        update={"audience": (*users.audience, "stranger"), "issuer": "https://other.example"}
    )
    routes = {
        k: r.model_copy(update={"authorization": "NONE", "authorizer": None, "scopes": ()})
        for k, r in live.spec.routes.items()
    }
    cors = {"AllowOrigins": ["https://evil.example"], "AllowCredentials": False}
    desired = live.spec.model_copy(update={"authorizers": {"users": wider}, "routes": routes, "cors": cors})
    said = " | ".join(trust_warnings(desired, live))
    assert "stranger" in said and "https://other.example" in said and "https://evil.example" in said
    assert "loses its authorization" in said
    assert trust_warnings(live.spec, live) == []


def test_destructive_steps_ask_for_consent_in_plain_words() -> None:
    live = live_api(cors={"AllowOrigins": ["https://app.example.com"]})
    desired = live.spec.model_copy(update={"routes": {}, "cors": None})
    the_plan = plan(desired, live)
    reasons = consent_reasons(the_plan)
    assert any(r.startswith("delete route") for r in reasons) and "remove CORS" in reasons
    assert f"account {the_plan.account}" in consent_message(the_plan, reasons)
    assert consent_reasons(plan(live.spec, live)) == []


def test_redaction_by_name_and_by_form() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"
    params = {
        "StageVariables": {"API_KEY": "plain", "note": jwt, "url": "https://x.example"},
        "AuthorizationType": "JWT",
    }
    masked = redact(params)
    assert masked["StageVariables"] == {"API_KEY": MASK, "note": MASK, "url": "https://x.example"}
    assert masked["AuthorizationType"] == "JWT"
    assert redact_text("key AKIAABCDEFGHIJKLMNOP and Bearer abcdefghijk") == f"key {MASK} and {MASK}"
    assert scrub({"token": "1a2b.c3d4", "undo": "u1." + "Ab0" * 300 + ".sig"}) == {
        "token": "1a2b.c3d4",
        "undo": "u1." + "Ab0" * 300 + ".sig",
    }
    patch = [
        {"op": "replace", "path": "/description", "value": "hi"},
        {"op": "replace", "path": "/variables/DB_PASSWORD", "value": "s"},
    ]
    assert [p["value"] for p in redact(patch)] == ["hi", MASK]


def test_undo_removes_what_the_apply_created_outside_the_api() -> None:
    live = live_api()
    empty = Plan(summary="No changes", account=ACCOUNT, region=REGION)
    other = "arn:aws:lambda:us-east-1:123456789012:function:other"
    managed, existing = {"/aws/x"}, {"/aws/x", "/aws/foreign"}
    dropped = ["/aws/x", "/aws/gone", "/aws/foreign"]
    restored = plan_leftovers(empty, live.spec, live, managed, existing, dropped, [FN, other])
    ops = [
        (s.operation, s.params.get("logGroupName") or s.params.get("FunctionName")) for s in restored.steps
    ]
    assert ops == [("delete_log_group", "/aws/x"), ("remove_permission", FN), ("remove_permission", other)]
    assert any("Deletes log group /aws/x" in w for w in restored.warnings)
    assert any("Keeps log group /aws/foreign" in w for w in restored.warnings)


def test_a_credentials_role_arn_is_shown_but_other_credentials_are_masked() -> None:
    """A REST integration's or authorizer's ``credentials`` names an IAM role: who, not a secret."""
    from apigw_mcp.tools.engine.redact import MASK, redact

    role = "arn:aws:iam::123456789012:role/apigw-sqs"
    shown = redact({"credentials": role, "authorizerCredentials": "arn:aws:iam::*:user/*"})
    assert shown == {"credentials": role, "authorizerCredentials": "arn:aws:iam::*:user/*"}
    assert redact({"credentials": "hunter2", "password": role}) == {"credentials": MASK, "password": MASK}
