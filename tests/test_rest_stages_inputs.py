"""RestStageInput: what a REST stage accepts, what it refuses (naming the field), and the spec it becomes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from apigw_mcp.tools.engine.errors import validation_message
from apigw_mcp.tools.kinds.rest.stage_inputs import DEFAULT_ACCESS_LOG_FORMAT, RestStageInput
from apigw_mcp.tools.kinds.rest.stage_live import live_rest_stages
from apigw_mcp.tools.kinds.rest.stage_spec import MethodSettingSpec, RestStageSpec, patch_prefix

LOG_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders"
FIREHOSE = "arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-orders"
ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/orders/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"

ACCEPTED: list[dict[str, Any]] = [
    {"name": "prod"},
    {"name": "v1_beta-2", "description": "beta", "variables": {"url": "https://example.com/a"}},
    {"name": "prod", "throttle": {"rate_limit": 10000, "burst_limit": 5000}},
    {"name": "prod", "method_throttles": {"GET /orders/{id}": {"rate_limit": 0.5, "burst_limit": 1}}},
    {"name": "prod", "caching": {"size": "237", "ttl_seconds": 3600, "methods": ["GET /orders"]}},
    {
        "name": "prod",
        "caching": {"ttl_seconds": 0, "cache_key_parameters": ["method.request.querystring.page"]},
    },
    {"name": "prod", "logging": {"level": "ERROR"}, "tracing": True},
    {"name": "prod", "access_log_destination_arn": FIREHOSE},
    {
        "name": "prod",
        "access_log_destination_arn": LOG_ARN,
        "access_log_format": "$context.requestId $context.status",
    },
    {"name": "prod", "variables": {"v": "1"}, "canary": {"percent_traffic": 100, "variables": {"v": "2"}}},
    {"name": "prod", "canary": "promote"},
    {"name": "prod", "canary": "rollback", "web_acl_arn": ACL, "tags": {"team": "orders"}},
]

REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"name": "$default"}, "name"),
    ({"name": "prod stage"}, "name"),
    ({"name": "prod", "throttle": {"rate_limit": 10001, "burst_limit": 1}}, "throttle.rate_limit"),
    ({"name": "prod", "throttle": {"rate_limit": 1, "burst_limit": 5001}}, "throttle.burst_limit"),
    ({"name": "prod", "throttle": {"rate_limit": 1}}, "throttle.burst_limit"),
    (
        {"name": "prod", "method_throttles": {"$default": {"rate_limit": 1, "burst_limit": 1}}},
        "method_throttles",
    ),
    (
        {"name": "prod", "method_throttles": {"FETCH /x": {"rate_limit": 1, "burst_limit": 1}}},
        "method_throttles",
    ),
    ({"name": "prod", "caching": {"size": "0.7"}}, "caching.size"),
    ({"name": "prod", "caching": {"ttl_seconds": 3601}}, "caching.ttl_seconds"),
    ({"name": "prod", "caching": {"ttl_seconds": -1}}, "caching.ttl_seconds"),
    ({"name": "prod", "caching": {"methods": ["GET orders"]}}, "caching.methods.0"),
    ({"name": "prod", "caching": {"enabled": False, "methods": ["GET /orders"]}}, "caching"),
    (
        {"name": "prod", "caching": {"cache_key_parameters": ["querystring.page"]}},
        "caching.cache_key_parameters.0",
    ),
    ({"name": "prod", "logging": {"level": "DEBUG"}}, "logging.level"),
    ({"name": "prod", "access_log_destination_arn": "arn:aws:s3:::bucket"}, "access_log_destination_arn"),
    (
        {"name": "prod", "access_log_destination_arn": FIREHOSE.replace("amazon-apigateway-", "")},
        "access_log_destination_arn",
    ),
    (
        {"name": "prod", "access_log_destination_arn": LOG_ARN, "access_log_format": "$context.status"},
        "access_log_format",
    ),
    ({"name": "prod", "access_log_format": "$context.requestId"}, "access_log_format"),
    ({"name": "prod", "canary": {"percent_traffic": 100.5}}, "canary.CanaryInput.percent_traffic"),
    ({"name": "prod", "canary": "release"}, "canary"),
    (
        {"name": "prod", "web_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y"},
        "web_acl_arn",
    ),
    ({"name": "prod", "tags": {"aws:owner": "me"}}, "tags"),
    ({"name": "prod", "variables": {"bad name": "x"}}, "variables"),
    ({"name": "prod", "cache": {}}, "cache"),
]


@pytest.mark.parametrize("args", ACCEPTED)
def test_accepted(args: dict[str, Any]) -> None:
    assert isinstance(RestStageInput.model_validate(args).to_spec(), RestStageSpec)


@pytest.mark.parametrize(("args", "field"), REFUSED)
def test_refused_naming_the_field(args: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        RestStageInput.model_validate(args)
    message = validation_message(error.value)
    # A rule across fields comes from the model ("arguments: FIELD: ..."); either way the field leads.
    assert message.removeprefix("arguments: ").startswith(field), message


def test_canary_may_introduce_new_stage_variables() -> None:
    args = {
        "name": "prod",
        "variables": {"v": "1"},
        "canary": {"percent_traffic": 5, "variables": {"w": "2"}},
    }
    canary = RestStageInput.model_validate(args).to_spec().canary
    assert canary is not None and canary.stage_variable_overrides == {"w": "2"}


def test_spec_puts_each_setting_in_its_place() -> None:
    spec = RestStageInput.model_validate(
        {
            "name": "prod",
            "throttle": {"rate_limit": 100, "burst_limit": 200},
            "method_throttles": {"POST /orders": {"rate_limit": 5, "burst_limit": 10}},
            "caching": {"ttl_seconds": 60, "methods": ["GET /orders", "GET /"]},
            "logging": {"level": "INFO"},
            "access_log_destination_arn": LOG_ARN,
        }
    ).to_spec()
    assert spec.throttle is not None and spec.throttle.label() == "rate 100/s, burst 200"
    assert spec.method_settings == {
        "*/*": MethodSettingSpec(logging_level="INFO"),
        "/orders/GET": MethodSettingSpec(caching_enabled=True, cache_ttl_seconds=60),
        "/GET": MethodSettingSpec(caching_enabled=True, cache_ttl_seconds=60),
        "/orders/POST": MethodSettingSpec(throttling_rate_limit=5, throttling_burst_limit=10),
    }
    assert (spec.cache_cluster_enabled, spec.cache_cluster_size) == (True, "0.5")
    assert spec.access_log is not None and spec.access_log.format == DEFAULT_ACCESS_LOG_FORMAT


def test_caching_without_methods_caches_the_whole_stage() -> None:
    spec = RestStageInput.model_validate({"name": "prod", "caching": {}}).to_spec()
    assert spec.method_settings["*/*"].caching_enabled


@pytest.mark.parametrize(
    ("key", "prefix"),
    [
        ("*/*", "/*/*"),
        ("/orders/{id}/GET", "/~1orders~1{id}/GET"),
        ("/GET", "/~1/GET"),
        ("/a~b/PUT", "/~1a~0b/PUT"),
    ],
)
def test_patch_prefix_escapes_the_resource_path(key: str, prefix: str) -> None:
    assert patch_prefix(key) == prefix


def test_live_reader_normalises_aws_shapes() -> None:
    raw = {
        "stageName": "prod",
        "deploymentId": "d1",
        "cacheClusterEnabled": False,
        "cacheClusterSize": "0.5",
        "methodSettings": {
            "*/*": {"throttlingBurstLimit": 5, "throttlingRateLimit": 2.0, "loggingLevel": "OFF"},
            "orders/{id}/GET": {
                "throttlingBurstLimit": -1,
                "throttlingRateLimit": -1.0,
                "metricsEnabled": True,
            },
        },
        "tags": {"apigw-mcp:managed": "true", "team": "orders"},
    }
    (live,) = live_rest_stages([raw], {"prod": ACL})
    assert live.deployment_id == "d1"
    assert live.spec.throttle is not None and live.spec.throttle.burst_limit == 5
    assert live.spec.method_settings == {"/orders/{id}/GET": MethodSettingSpec(metrics_enabled=True)}
    assert live.spec.cache_cluster_size is None  # a disabled cache's size means nothing
    assert (live.spec.web_acl_arn, live.spec.tags) == (ACL, {"team": "orders"})


def test_cache_keys_go_to_the_cached_methods() -> None:
    caching = {"methods": ["GET /orders"], "cache_key_parameters": ["method.request.querystring.page"]}
    stage = RestStageInput.model_validate({"name": "prod", "caching": caching})
    assert stage.cache_keys() == {"GET /orders": ["method.request.querystring.page"]}
    assert RestStageInput(name="prod").cache_keys() == {}
