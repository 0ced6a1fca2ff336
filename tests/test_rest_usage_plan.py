"""configure_usage_plan's arguments and plan_usage_plan: inputs refused by field, golden plans, idempotence,
and no API key value anywhere in a plan (the live items below carry one, as AWS may return it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from apigw_mcp.tools.engine.errors import BadInput, validation_message
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.rest.plan_usage import plan_usage_plan
from apigw_mcp.tools.kinds.rest.usage_inputs import ConfigureUsagePlanArgs
from apigw_mcp.tools.kinds.rest.usage_live import (
    LiveUsagePlan,
    account_key_ids,
    live_usage_plan,
    usage_plan_named,
)
from apigw_mcp.tools.kinds.rest.usage_spec import UsagePlanSpec
from tests.test_rest_stages_plan import assert_golden, check_shapes, dump

SECRET = "s3cr3tKeyValue-0123456789abcdefghij"
BASIC: dict[str, Any] = {
    "name": "orders-basic",
    "api_stages": [{"api_id": "a1b2c3d4e5", "stage": "prod"}],
    "throttle": {"rate_limit": 100, "burst_limit": 200},
    "quota": {"limit": 10000, "period": "DAY"},
    "api_keys": ["partner-a"],
}
PLAN_RAW: dict[str, Any] = {
    "id": "up1234",
    "name": "orders-basic",
    "apiStages": [{"apiId": "a1b2c3d4e5", "stage": "prod"}],
    "throttle": {"burstLimit": 200, "rateLimit": 100.0},
    "quota": {"limit": 10000, "offset": 0, "period": "DAY"},
    "tags": {"apigw-mcp:managed": "true"},
}
PLAN_KEYS = [{"id": "key111", "type": "API_KEY", "name": "partner-a", "value": SECRET}]
API_KEYS = [{"id": "key111", "name": "partner-a", "enabled": True, "stageKeys": []}]


def spec(**overrides: Any) -> UsagePlanSpec:
    return ConfigureUsagePlanArgs.model_validate({**BASIC, **overrides}).to_spec()


def plan(live: LiveUsagePlan | None, desired: UsagePlanSpec | None, **kwargs: Any) -> Builder:
    b = Builder()
    plan_usage_plan(b, live, desired, **kwargs)
    check_shapes(b)
    assert SECRET not in json.dumps(dump(b))
    return b


def live(**overrides: Any) -> LiveUsagePlan:
    return live_usage_plan({**PLAN_RAW, **overrides}, PLAN_KEYS, API_KEYS)


REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"api_stages": []}, "api_stages"),
    ({"quota": {"limit": 10, "period": "FORTNIGHT"}}, "quota.period"),
    ({"quota": {"limit": 0, "period": "DAY"}}, "quota.limit"),
    ({"quota": {"limit": 10, "period": "DAY", "offset": 1}}, "quota"),
    ({"quota": {"limit": 10, "period": "WEEK", "offset": 7}}, "quota"),
    ({"throttle": {"rate_limit": 100, "burst_limit": 0}}, "throttle.burst_limit"),
    ({"throttle": {"rate_limit": 20000, "burst_limit": 10}}, "throttle.rate_limit"),
    ({"api_stages": [{"api_id": "a1", "stage": "$default"}]}, "api_stages.0.stage"),
    ({"api_stages": [{"api_id": "a1 b", "stage": "prod"}]}, "api_stages.0.api_id"),
    (
        {"api_stages": [{"api_id": "a1", "stage": "prod", "throttle": {"GET orders": {}}}]},
        "api_stages.0.throttle",
    ),
    ({"api_stages": [{"api_id": "a1", "stage": "prod"}, {"api_id": "a1", "stage": "prod"}]}, "api_stages"),
    ({"api_keys": ["k", "k"]}, "api_keys"),
    ({"api_keys": [{"name": "k", "value": SECRET}]}, "api_keys.0"),
    ({"api_key_values": [SECRET]}, "api_key_values"),
]


@pytest.mark.parametrize(("overrides", "field"), REFUSED)
def test_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ConfigureUsagePlanArgs.model_validate({**BASIC, **overrides})
    message = validation_message(error.value)
    assert message.removeprefix("arguments: ").startswith(field), message
    assert SECRET not in message


def test_api_names_resolve_to_ids_or_are_refused() -> None:
    args = ConfigureUsagePlanArgs.model_validate(
        {**BASIC, "api_stages": [{"api_id": "orders", "stage": "prod"}]}
    )
    assert args.to_spec({"orders": "a1b2c3d4e5"}).api_stages[0].api_id == "a1b2c3d4e5"
    with pytest.raises(BadInput) as error:
        args.to_spec({})
    assert error.value.field == "api_stages.0.api_id"


def test_new_usage_plan_with_one_key() -> None:
    b = plan(None, spec())
    assert_golden("usage_plan_new", dump(b))
    assert [s.operation for s in b.steps] == ["create_usage_plan", "create_api_key", "create_usage_plan_key"]
    assert b.steps[1].params["generateDistinctId"] is True
    assert "value" not in b.steps[1].params
    assert b.steps[2].params == {"usagePlanId": "${usage_plan}", "keyId": "${key_1}", "keyType": "API_KEY"}
    assert any("aws apigateway get-api-key --api-key" in w and "--include-value" in w for w in b.warnings)
    assert any("not authentication" in w for w in b.warnings)


def test_an_existing_account_key_is_linked_not_created() -> None:
    b = plan(None, spec(), account_keys=account_key_ids(API_KEYS))
    assert [s.operation for s in b.steps] == ["create_usage_plan", "create_usage_plan_key"]
    assert b.steps[1].params["keyId"] == "key111"


def test_the_live_plan_it_makes_plans_to_nothing() -> None:
    b = plan(live(), spec())
    assert (b.steps, b.diff) == ([], [])


def test_method_throttles_round_trip() -> None:
    stages = [
        {
            "api_id": "a1b2c3d4e5",
            "stage": "prod",
            "throttle": {"GET /orders": {"rate_limit": 5, "burst_limit": 10}},
        }
    ]
    raw_stage = {
        "apiId": "a1b2c3d4e5",
        "stage": "prod",
        "throttle": {"/orders/GET": {"burstLimit": 10, "rateLimit": 5.0}},
    }
    b = plan(live(apiStages=[raw_stage]), spec(api_stages=stages))
    assert (b.steps, b.diff) == ([], [])


def test_update_patches_limits_stages_and_method_throttles() -> None:
    stages = [
        {
            "api_id": "a1b2c3d4e5",
            "stage": "prod",
            "throttle": {"GET /orders/{id}": {"rate_limit": 5, "burst_limit": 10}},
        },
        {"api_id": "a1b2c3d4e5", "stage": "beta"},
    ]
    desired = spec(
        throttle={"rate_limit": 50, "burst_limit": 100}, quota={"limit": 300000, "period": "MONTH"}
    )
    b = plan(live(), desired.model_copy(update={"api_stages": spec(api_stages=stages).api_stages}))
    assert_golden("usage_plan_update", dump(b))
    ops = b.steps[0].params["patchOperations"]
    assert {"op": "replace", "path": "/throttle/rateLimit", "value": "50"} in ops
    assert {"op": "replace", "path": "/quota/period", "value": "MONTH"} in ops
    assert {"op": "add", "path": "/apiStages", "value": "a1b2c3d4e5:beta"} in ops
    path = "/apiStages/a1b2c3d4e5:prod/throttle/~1orders~1{id}/GET/rateLimit"
    assert {"op": "replace", "path": path, "value": "5"} in ops


def test_dropping_a_method_throttle_re_adds_the_stage() -> None:
    raw_stage = {
        "apiId": "a1b2c3d4e5",
        "stage": "prod",
        "throttle": {"/orders/GET": {"burstLimit": 10, "rateLimit": 5.0}},
    }
    b = plan(live(apiStages=[raw_stage]), spec())
    assert b.steps[0].params["patchOperations"] == [
        {"op": "remove", "path": "/apiStages", "value": "a1b2c3d4e5:prod"},
        {"op": "add", "path": "/apiStages", "value": "a1b2c3d4e5:prod"},
    ]


def test_removing_limits_and_unlinking_a_key() -> None:
    b = plan(live(), spec(throttle=None, quota=None, api_keys=[]))
    assert [s.operation for s in b.steps] == ["update_usage_plan", "delete_usage_plan_key"]
    assert b.steps[0].params["patchOperations"] == [
        {"op": "remove", "path": "/throttle"},
        {"op": "remove", "path": "/quota"},
    ]
    assert b.steps[1].params == {"usagePlanId": "up1234", "keyId": "key111"}


def test_disabling_a_linked_key() -> None:
    keys = [{"id": "key111", "name": "partner-a", "enabled": False}]
    desired = live_usage_plan(PLAN_RAW, PLAN_KEYS, keys).spec
    b = plan(live(), desired)
    assert [(s.operation, s.params) for s in b.steps] == [
        (
            "update_api_key",
            {
                "apiKey": "key111",
                "patchOperations": [{"op": "replace", "path": "/enabled", "value": "false"}],
            },
        )
    ]


def test_delete_detaches_stages_then_deletes() -> None:
    b = plan(live(), None)
    assert [s.operation for s in b.steps] == ["update_usage_plan", "delete_usage_plan"]
    assert any("partner-a" in w for w in b.warnings)


def test_api_key_spec_has_no_value_field() -> None:
    assert "value" not in live().spec.api_keys[0].model_dump()


def test_tags_of_an_existing_plan_stay_and_the_plan_says_so() -> None:
    b = plan(live(tags={"old": "x"}), spec(tags={"team": "orders"}))
    assert b.steps == []
    assert any("tags are set when a plan is created" in w for w in b.warnings)


def test_usage_plan_named_refuses_an_ambiguous_name() -> None:
    assert usage_plan_named([PLAN_RAW], "orders-basic") == PLAN_RAW
    assert usage_plan_named([PLAN_RAW], "other") is None
    with pytest.raises(ValueError, match=r"^name: 2 usage plans"):
        usage_plan_named([PLAN_RAW, {**PLAN_RAW, "id": "up9"}], "orders-basic")
