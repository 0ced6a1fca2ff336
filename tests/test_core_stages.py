"""Stages in the plan (tools/http_plan_stages.py): log groups, create, update, delete, deploys."""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import MANAGED_TAG
from apigw_mcp.tools.kinds.http.live import LiveHttpApi, stage_spec
from apigw_mcp.tools.kinds.http.plan_stages import (
    effective_stage,
    log_group_name,
    plan_log_groups,
    plan_stages,
)
from apigw_mcp.tools.kinds.http.spec import AccessLog, HttpApiSpec, StageSpec, Throttle
from tests.test_core_edits import LOG_ARN, PROD, live_api, ops, plan, update

LIVE_PROD = stage_spec(PROD)
T = Throttle(burst=100, rate=50)
FULL = StageSpec(
    auto_deploy=False,
    description="production",
    variables={"env": "prod"},
    throttle=T,
    route_throttle={"GET /orders": Throttle(burst=10, rate=5)},
    access_log=AccessLog(destination_arn=LOG_ARN, format="$context.requestId"),
)


def run(stages: dict[str, StageSpec], live: LiveHttpApi | None, deploy: tuple[str, ...] = ()) -> Builder:
    b = Builder()
    plan_stages(b, HttpApiSpec(name="orders", stages=stages), live, "abc123", deploy)
    return b


def calls(b: Builder) -> list[tuple[str, dict[str, Any]]]:
    """Each step's operation and params, less the ApiId and StageName every one of them carries."""
    return [
        (s.operation, {k: v for k, v in s.params.items() if k not in ("ApiId", "StageName")}) for s in b.steps
    ]


def test_live_prod_reads_as_full() -> None:
    assert LIVE_PROD == FULL


def test_create_with_all_settings() -> None:
    b = run({"prod": FULL}, None)
    assert calls(b) == [
        (
            "create_stage",
            {
                "AutoDeploy": False,
                "Description": "production",
                "StageVariables": {"env": "prod"},
                "DefaultRouteSettings": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0},
                "RouteSettings": {"GET /orders": {"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.0}},
                "AccessLogSettings": {"DestinationArn": LOG_ARN, "Format": "$context.requestId"},
            },
        )
    ]
    assert b.steps[0].params["StageName"] == "prod"
    assert [(r.action, r.resource) for r in b.diff] == [("+", "stage prod")]


def changed(**update: Any) -> StageSpec:
    return FULL.model_copy(update=update)


@pytest.mark.parametrize(
    ("desired", "expected"),
    [
        (FULL, []),
        (
            changed(description="new", variables={}),
            [("update_stage", {"Description": "new", "StageVariables": {}})],
        ),
        (changed(auto_deploy=True), [("update_stage", {"AutoDeploy": True})]),
        (
            changed(throttle=Throttle(burst=1, rate=2)),
            [
                (
                    "update_stage",
                    {"DefaultRouteSettings": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 2.0}},
                )
            ],
        ),
        (changed(throttle=None), []),
        (
            changed(
                route_throttle={
                    "GET /orders": Throttle(burst=10, rate=5),
                    "ANY /items": Throttle(burst=1, rate=1),
                }
            ),
            [
                (
                    "update_stage",
                    {
                        "RouteSettings": {
                            "ANY /items": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1.0}
                        }
                    },
                )
            ],
        ),
        (changed(route_throttle={}), [("delete_route_settings", {"RouteKey": "GET /orders"})]),
        (changed(access_log=None), [("delete_access_log_settings", {})]),
        (
            changed(access_log=AccessLog(destination_arn=LOG_ARN, format="$context.extendedRequestId")),
            [
                (
                    "update_stage",
                    {
                        "AccessLogSettings": {
                            "DestinationArn": LOG_ARN,
                            "Format": "$context.extendedRequestId",
                        }
                    },
                )
            ],
        ),
        (
            changed(description="", route_throttle={}, access_log=None),
            [
                ("update_stage", {"Description": ""}),
                ("delete_route_settings", {"RouteKey": "GET /orders"}),
                ("delete_access_log_settings", {}),
            ],
        ),
    ],
    ids=[
        "same",
        "description-and-variables",
        "auto-deploy",
        "throttle",
        "throttle-none-keeps-live",
        "route-throttle-added",
        "route-throttle-removed",
        "access-log-removed",
        "access-log-format",
        "several",
    ],
)
def test_update_only_changed_fields(desired: StageSpec, expected: list[tuple[str, dict[str, Any]]]) -> None:
    b = run({"prod": desired}, live_api(stages=[PROD]))
    assert calls(b) == expected
    assert all(s.effect == "update" for s in b.steps)
    assert bool(b.diff) == bool(expected)


def test_throttle_none_keeps_live_throttle() -> None:
    assert effective_stage(changed(throttle=None), LIVE_PROD).throttle == T
    assert effective_stage(changed(throttle=None), None).throttle is None


@pytest.mark.parametrize(
    ("desired", "warning"),
    [
        (changed(throttle=Throttle(burst=0, rate=10)), "stage prod: throttling of 0 rejects every request"),
        (changed(throttle=Throttle(burst=10, rate=0)), "stage prod: throttling of 0 rejects every request"),
        (
            changed(route_throttle={"GET /orders": Throttle(burst=0, rate=0)}),
            "stage prod: a route throttle of 0",
        ),
    ],
    ids=["burst-0", "rate-0", "route-0"],
)
def test_throttle_zero_warns(desired: StageSpec, warning: str) -> None:
    for live in (None, live_api(stages=[PROD])):
        warnings = run({"prod": desired}, live).warnings
        assert len(warnings) == 1
        assert warnings[0].startswith(warning)


def test_no_warning_for_nonzero_throttle() -> None:
    assert run({"prod": FULL}, None).warnings == []


def test_stage_not_desired_is_deleted() -> None:
    live = live_api(stages=[PROD, {"StageName": "$default", "AutoDeploy": True}, {"StageName": "dev-1"}])
    b = run({"$default": StageSpec()}, live)
    assert [(s.id, s.operation, s.effect, s.params) for s in b.steps] == [
        ("del_stage_dev_1", "delete_stage", "delete", {"ApiId": "abc123", "StageName": "dev-1"}),
        ("del_stage_prod", "delete_stage", "delete", {"ApiId": "abc123", "StageName": "prod"}),
    ]
    assert [(r.action, r.resource) for r in b.diff] == [("-", "stage dev-1"), ("-", "stage prod")]


def test_deploy_comes_after_every_api_change() -> None:
    live = live_api(stages=[PROD])
    desired = update("GET /orders", auth="users")(live)
    desired = desired.model_copy(update={"stages": {"prod": changed(description="v2")}})
    result = plan(desired, live, deploy=("prod",))
    assert ops(result) == [
        "update_route route GET /orders",
        "update_stage stage prod",
        "create_deployment deployment prod",
    ]
    assert result.steps[-1].params == {"ApiId": "abc123", "StageName": "prod"}
    assert not [w for w in result.warnings if "do not auto-deploy" in w], "this plan deploys prod itself"


def test_manual_stage_warning_without_deploy() -> None:
    live = live_api(stages=[PROD])
    result = plan(update("GET /orders", auth="users")(live), live)
    warning = "Stage(s) prod do not auto-deploy: call deploy_stage with deploy=true to publish."
    assert warning in result.warnings


@pytest.mark.parametrize(
    ("arns", "existing", "created"),
    [
        ([LOG_ARN], [], ["/logs/prod"]),
        ([LOG_ARN], ["/logs/prod"], []),
        ([LOG_ARN, LOG_ARN], [], ["/logs/prod"]),
        ([f"{LOG_ARN}:*", LOG_ARN.replace("prod", "beta")], ["/other"], ["/logs/beta", "/logs/prod"]),
        ([], [], []),
    ],
    ids=["missing", "exists", "shared", "star-suffix-and-sorted", "no-logs"],
)
def test_plan_log_groups(arns: list[str], existing: list[str], created: list[str]) -> None:
    stages = {
        f"s{i}": StageSpec(access_log=AccessLog(destination_arn=a, format="$context.requestId"))
        for i, a in enumerate(arns)
    }
    b = Builder()
    plan_log_groups(b, HttpApiSpec(name="orders", stages={**stages, "plain": StageSpec()}), existing)
    assert [(s.operation, s.params) for s in b.steps] == [
        ("create_log_group", {"logGroupName": n, "tags": {MANAGED_TAG: "true"}}) for n in created
    ]
    assert [s.id for s in b.steps] == [f"log{i}" for i in range(1, len(created) + 1)]


def test_log_group_name() -> None:
    assert log_group_name(LOG_ARN) == log_group_name(f"{LOG_ARN}:*") == "/logs/prod"
