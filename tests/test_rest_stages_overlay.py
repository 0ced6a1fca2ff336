"""overlay_stage (deploy_stage on a live REST stage): only the argument groups given change."""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.kinds.rest.stage_inputs import RestStageInput
from apigw_mcp.tools.kinds.rest.stage_live import live_rest_stages
from apigw_mcp.tools.kinds.rest.stage_overlay import overlay_stage
from tests.test_rest_stages_plan import CANARY_RAW, live_prod, plan, prod_raw


def ops_for(args: dict[str, Any], raw: dict[str, Any] | None = None) -> list[dict[str, str]]:
    (live,) = live_rest_stages([raw or prod_raw()], {})
    desired = overlay_stage(live.spec, RestStageInput.model_validate(args))
    b = plan([desired], [live])
    return [op for step in b.steps for op in step.params.get("patchOperations", [])]


def test_naming_only_the_stage_changes_nothing() -> None:
    (live,) = live_prod()
    assert overlay_stage(live.spec, RestStageInput(name="prod")) == live.spec
    assert ops_for({"name": "prod"}) == []


def test_logging_alone_leaves_caching_and_throttle_alone() -> None:
    assert ops_for({"name": "prod", "logging": {"level": "ERROR"}}) == [
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "false"},
    ]


def test_turning_caching_off_drops_the_cache_and_the_method_override() -> None:
    assert ops_for({"name": "prod", "caching": {"enabled": False}}) == [
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "false"},
        {"op": "remove", "path": "/~1orders/GET"},
    ]


def test_method_throttles_add_to_the_live_overrides() -> None:
    args = {"name": "prod", "method_throttles": {"GET /orders": {"rate_limit": 5, "burst_limit": 10}}}
    assert ops_for(args) == [
        {"op": "replace", "path": "/~1orders/GET/throttling/rateLimit", "value": "5"},
        {"op": "replace", "path": "/~1orders/GET/throttling/burstLimit", "value": "10"},
    ]


def test_promote_through_deploy_stage() -> None:
    ops = ops_for({"name": "prod", "canary": "promote"}, prod_raw(canarySettings=CANARY_RAW))
    assert ops[0] == {"op": "replace", "path": "/deploymentId", "value": "dep222"}
    assert ops[-1] == {"op": "remove", "path": "/canarySettings"}
