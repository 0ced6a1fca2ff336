"""How a REST preview is shown: ``plan.api`` and ``plan.refs`` said once, and the steps rebuild exactly.

The rebuild follows the README's rule and nothing of ours: expand each ``${rN}`` that names a ref, then give
``restApiId = plan.api`` to every ``apigateway`` step whose operation has a ``restApiId`` parameter (read from
botocore's service model) and whose params leave it out. It must give back the executor's steps exactly,
for plans made by the real REST planners and for any steps hypothesis makes.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from typing import Any

from botocore import xform_name
from botocore.session import get_session
from hypothesis import given, settings
from hypothesis import strategies as st

from apigw_mcp.tools.engine.change_output import change_output
from apigw_mcp.tools.engine.change_output_rest import MIN_REF_CHARS
from apigw_mcp.tools.engine.plan import Plan, Step
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.results import ChangeResult
from apigw_mcp.tools.engine.scope import Scope
from apigw_mcp.tools.kinds.http.planner import PlanContext
from apigw_mcp.tools.kinds.rest.inputs import CreateRestApiArgs
from apigw_mcp.tools.kinds.rest.plan_stages import plan_rest_stages
from apigw_mcp.tools.kinds.rest.planner import plan_rest_api
from apigw_mcp.tools.kinds.rest.stage_inputs import RestStageInput

ACCOUNT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
INVOKE = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}/invocations"
POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_AbC123"
CTX = PlanContext(scope=Scope(region=REGION), account=ACCOUNT, identity=f"arn:aws:iam::{ACCOUNT}:role/dev")
ORDERS: dict[str, Any] = {
    "name": "orders",
    "routes": [
        {"route_key": "GET /orders", "lambda_arn": FN, "api_key_required": True},
        {"route_key": "POST /orders/{id}", "lambda_arn": FN, "auth": "users", "api_key_required": True},
        {"route_key": "DELETE /orders/{id}", "lambda_arn": FN, "auth": "users"},
    ],
    "authorizers": [{"name": "users", "cognito_user_pool_arns": [POOL]}],
    "cors": {"allow_origins": ["https://app.example.com"]},
    "stages": [{"name": "prod", "caching": {"enabled": True, "size": "0.5", "methods": ["GET /orders"]}}],
}
WHOLE_REF = re.compile(r"\$\{(\w+)\}")


@cache
def taking(parameter: str) -> frozenset[str]:
    """The apigateway operations (snake_case) that have ``parameter``, per botocore."""
    model = get_session().get_service_model("apigateway")
    return frozenset(
        xform_name(name)
        for name in model.operation_names
        if (shape := model.operation_model(name).input_shape) is not None and parameter in shape.members
    )


def shown(plan: Plan) -> dict[str, Any]:
    """The preview as the client receives it (JSON)."""
    out = change_output(ChangeResult(plan=plan), "create_rest_api", dry_run=True)
    return dict(json.loads(out.model_dump_json(exclude_none=True)))


def rebuild(preview: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The README's rule, applied to a shown preview: (service, operation, params) per step."""
    plan = preview["plan"]
    refs = plan.get("refs", {})

    def expand(value: Any) -> Any:
        if isinstance(value, str) and (m := WHOLE_REF.fullmatch(value)) and m.group(1) in refs:
            return copy.deepcopy(refs[m.group(1)])
        if isinstance(value, dict):
            return {k: expand(v) for k, v in value.items()}
        if isinstance(value, list):
            return [expand(v) for v in value]
        return value

    steps: list[tuple[str, str, Any]] = []
    for step in plan.get("steps", []):
        service, _, operation = step["call"].rpartition(".")
        service = service or plan["service"]
        params = expand(step["params"])
        if service == "apigateway" and operation in taking("restApiId") and "restApiId" not in params:
            params["restApiId"] = plan["api"]
        if service == "apigateway" and operation in taking("httpMethod") and "httpMethod" not in params:
            before = steps[-1][2]
            params |= {"resourceId": before["resourceId"], "httpMethod": before["httpMethod"]}
        steps.append((service, operation, params))
    return steps


def executed(plan: Plan) -> list[tuple[str, str, Any]]:
    return [(s.service, s.operation, json.loads(json.dumps(s.params))) for s in plan.steps]


def orders_plan(**overrides: Any) -> Plan:
    spec = CreateRestApiArgs.model_validate(ORDERS | overrides).to_spec(REGION, ACCOUNT)
    return plan_rest_api(None, spec, CTX)


def test_a_new_rest_api_preview_rebuilds_the_executor_steps_exactly() -> None:
    plan = orders_plan()
    preview = shown(plan)
    assert rebuild(preview) == executed(plan)
    assert preview["plan"]["api"] == "${api}"


def test_the_api_id_and_the_lambda_uri_are_said_once() -> None:
    preview = shown(orders_plan())
    text = json.dumps(preview)
    assert text.count(INVOKE) == 1, "the invocation URI of the three methods is one ref"
    assert INVOKE in preview["plan"]["refs"].values()
    steps = preview["plan"]["steps"]
    assert not [s for s in steps if "restApiId" in s["params"]]
    integrations = [s["params"] for s in steps if s["call"] == "put_integration" and "uri" in s["params"]]
    assert {p["uri"] for p in integrations} == {
        f"${{{name}}}" for name, v in preview["plan"]["refs"].items() if v == INVOKE
    }


def test_a_method_is_named_by_its_first_step_only() -> None:
    parts = {"put_method", "put_integration", "put_method_response", "put_integration_response"}
    steps = [s for s in shown(orders_plan())["plan"]["steps"] if s["call"] in parts]
    named = [(s["call"], s["params"].get("httpMethod")) for s in steps if "httpMethod" in s["params"]]
    assert named == [("put_method", m) for m in ("GET", "OPTIONS", "DELETE", "OPTIONS", "POST")]
    assert all("resourceId" not in s["params"] for s in steps if s["call"] != "put_method")


def test_compaction_only_shortens_and_keeps_the_diff_and_the_calls() -> None:
    plan = orders_plan()
    preview = shown(plan)["plan"]
    plain = json.dumps([s.params for s in plan.steps], separators=(",", ":"))
    compacted = json.dumps(
        [preview["refs"], preview["api"], [s["params"] for s in preview["steps"]]], separators=(",", ":")
    )
    assert len(compacted) < 0.7 * len(plain), (len(compacted), len(plain))
    assert [s["call"].rpartition(".")[2] for s in preview["steps"]] == [s.operation for s in plan.steps]
    assert len(preview["diff"]) == len(plan.diff)


def test_thirty_resources_rebuild_exactly_at_half_the_size() -> None:
    words = [f"things{n}" for n in range(30)]
    routes = [
        {"route_key": f"{verb} /{word}", "lambda_arn": FN, **({"auth": "users"} if verb == "POST" else {})}
        for word in words
        for verb in ("GET", "POST")
    ]
    plan = orders_plan(routes=routes, stages=[])
    preview = shown(plan)
    assert rebuild(preview) == executed(plan)
    said = [preview["plan"]["refs"], [s["params"] for s in preview["plan"]["steps"]]]
    assert len(json.dumps(said)) < 0.5 * len(json.dumps([s.params for s in plan.steps]))


def test_an_existing_api_is_named_by_its_id_and_other_ids_stay_in_their_steps() -> None:
    b = Builder()
    stage = RestStageInput.model_validate(
        {"name": "prod", "caching": {"enabled": True, "size": "0.5", "methods": ["GET /orders"]}}
    )
    plan_rest_stages(b, "a1b2c3d4e5", [], [stage.to_spec()], True, region=REGION)
    b.add(
        "other",
        "apigateway",
        "update_rest_api",
        "update",
        "rest api other",
        {"restApiId": "zz9", "patchOperations": []},
    )
    plan = Plan(summary="s", account=ACCOUNT, region=REGION, steps=b.steps, diff=b.diff)
    preview = shown(plan)
    assert preview["plan"]["api"] == "a1b2c3d4e5"
    assert preview["plan"]["steps"][-1]["params"]["restApiId"] == "zz9"
    assert rebuild(preview) == executed(plan)


def test_one_step_is_shown_as_it_is() -> None:
    step = Step(
        id="u",
        service="apigateway",
        operation="update_rest_api",
        effect="update",
        resource="rest api a",
        params={
            "restApiId": "a1",
            "patchOperations": [{"op": "replace", "path": "/description", "value": "x"}],
        },
    )
    preview = shown(Plan(summary="s", account=ACCOUNT, region=REGION, steps=[step]))
    assert "api" not in preview["plan"] and "refs" not in preview["plan"]
    assert preview["plan"]["steps"][0]["params"] == step.params


def test_http_plans_are_not_compacted() -> None:
    long = "arn:aws:lambda:us-east-1:123456789012:function:a-long-function-name"
    steps = [
        Step(
            id=f"i{n}",
            service="apigatewayv2",
            operation="create_integration",
            effect="create",
            resource="integration",
            params={"ApiId": "${api}", "IntegrationUri": long},
        )
        for n in range(3)
    ]
    preview = shown(Plan(summary="s", account=ACCOUNT, region=REGION, steps=steps))
    assert "api" not in preview["plan"] and "refs" not in preview["plan"]
    assert [s["params"] for s in preview["plan"]["steps"]] == [s.params for s in steps]


def test_ref_names_never_take_a_step_id_or_a_placeholder_already_in_the_params() -> None:
    value = "x" * MIN_REF_CHARS
    steps = [
        Step(
            id="r1",
            service="apigateway",
            operation="create_resource",
            effect="create",
            resource="r",
            params={"restApiId": "${api}", "parentId": "${r3}", "pathPart": "a", "note": value},
        ),
        Step(
            id="r2",
            service="apigateway",
            operation="create_resource",
            effect="create",
            resource="r",
            params={"restApiId": "${api}", "parentId": "${r1}", "pathPart": "b", "note": value},
        ),
    ]
    plan = Plan(summary="s", account=ACCOUNT, region=REGION, steps=steps)
    preview = shown(plan)
    assert list(preview["plan"]["refs"]) == ["r4"]
    assert rebuild(preview) == executed(plan)


def test_short_or_single_values_are_left_in_place() -> None:
    short = "y" * (MIN_REF_CHARS - 3)
    steps = [
        Step(
            id=f"m{n}",
            service="apigateway",
            operation="put_method",
            effect="create",
            resource="m",
            params={
                "restApiId": "a1",
                "resourceId": "r",
                "httpMethod": "GET",
                "authorizationType": short,
                "authorizerId": "z" * (MIN_REF_CHARS + n),
            },
        )
        for n in range(2)
    ]
    preview = shown(Plan(summary="s", account=ACCOUNT, region=REGION, steps=steps))
    assert "refs" not in preview["plan"]


# Values drawn from a small pool, so that steps repeat them; some look like references.
LEAVES = (
    st.sampled_from(
        ["${api}", "${r1}", "${s0}", "GET", "x" * 45, "y" * 60, "arn:" + "z" * 50, "${r2}", "", "NONE"]
    )
    | st.integers(-2, 2)
    | st.booleans()
    | st.none()
)


def nest(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abcdef"), inner, max_size=3)
    )


VALUES = st.recursive(LEAVES, nest, max_leaves=8)
API_IDS = st.sampled_from(["${api}", "a1b2c3d4e5", "other99"])
METHODS = st.sampled_from(["GET", "POST"])
OPERATIONS = st.sampled_from(
    [
        ("apigateway", "put_method"),
        ("apigateway", "put_integration"),
        ("apigateway", "put_integration_response"),
        ("apigateway", "create_rest_api"),
        ("apigateway", "create_usage_plan"),
        ("lambda", "add_permission"),
    ]
)


@st.composite
def steps_of(draw: st.DrawFn) -> list[Step]:
    steps = []
    for index in range(draw(st.integers(1, 8))):
        service, operation = draw(OPERATIONS)
        params = draw(st.dictionaries(st.sampled_from(["uri", "name", "p", "q", "tags"]), VALUES, max_size=4))
        if operation in taking("restApiId") or (service == "lambda" and draw(st.booleans())):
            params["restApiId"] = draw(API_IDS)
        if operation in taking("httpMethod"):
            params |= {"resourceId": draw(st.sampled_from(["${res2}", "abc"])), "httpMethod": draw(METHODS)}
        step = Step(
            id=f"s{index}", service=service, operation=operation, effect="create", resource="x", params=params
        )
        steps.append(step)
    return steps


@settings(max_examples=300, deadline=None)
@given(steps_of())
def test_any_steps_rebuild_exactly(steps: list[Step]) -> None:
    plan = Plan(summary="s", account=ACCOUNT, region=REGION, steps=steps)
    assert rebuild(shown(plan)) == executed(plan)
