"""The Cors request model and the canonical form shared with live configurations."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from apigw_mcp.tools.kinds.http.cors import Cors, normalise_live


def make_cors(**config: Any) -> Cors:
    return Cors.model_validate(config)


@pytest.mark.parametrize(
    "origin",
    ["*", "https://a.example.com", "http://localhost:3000", "https://*", "https://[::1]:8443"],
    ids=["any", "https-host", "http-localhost-port", "https-wildcard", "ipv6"],
)
def test_origin_accepted(origin: str) -> None:
    assert Cors.model_validate({"allow_origins": [origin]}).allow_origins == [origin]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"allow_origins": ["https://a.example.com/app"]}, "no path"),
        ({"allow_origins": ["https://a.example.com/"]}, "trailing"),
        ({"allow_origins": ["a.example.com"]}, "scheme://host"),
        ({"allow_origins": ["https://*:443"]}, "takes no port"),
        ({"allow_origins": []}, "at least 1"),
        ({"allow_origins": ["*"], "allow_credentials": True}, "explicit origins"),
        ({"allow_origins": ["https://*"], "allow_credentials": True}, "explicit origins"),
        ({"allow_origins": ["*"], "max_age": -2}, "greater than or equal to -1"),
        ({"allow_origins": ["*"], "max_age": 86401}, "less than or equal to 86400"),
        ({"allow_origins": ["*"], "allow_methods": ["ANY"]}, "method 'ANY'"),
        ({"allow_origins": ["*"], "allow_methods": ["FOO"]}, "method 'FOO'"),
        ({"allow_origins": ["*"], "allow_headers": ["bad header"]}, "header name"),
        ({"allow_origins": ["*"], "allowOrigins": ["*"]}, "Extra inputs"),
    ],
    ids=[
        "origin-path",
        "origin-trailing-slash",
        "origin-no-scheme",
        "wildcard-port",
        "no-origins",
        "star-credentials",
        "https-star-credentials",
        "max-age-minus-2",
        "max-age-86401",
        "method-any",
        "method-foo",
        "bad-header",
        "unknown-field",
    ],
)
def test_invalid_config_rejected(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Cors.model_validate(config)


@pytest.mark.parametrize("max_age", [-1, 0, 86400], ids=["minus-1", "zero", "max"])
def test_max_age_bounds_accepted(max_age: int) -> None:
    assert Cors.model_validate({"allow_origins": ["*"], "max_age": max_age}).to_aws()["MaxAge"] == max_age


def test_to_aws_is_sorted_and_deduplicated() -> None:
    cors = make_cors(
        allow_origins=["https://b.example.com", "https://a.example.com", "https://b.example.com"],
        allow_methods=["post", "GET", "POST"],
        allow_headers=["X-Trace", "Content-Type", "x-trace"],
        expose_headers=["X-Request-Id"],
        max_age=600,
        allow_credentials=True,
    )
    assert cors.to_aws() == {
        "AllowOrigins": ["https://a.example.com", "https://b.example.com"],
        "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["content-type", "x-trace"],
        "ExposeHeaders": ["x-request-id"],
        "MaxAge": 600,
        "AllowCredentials": True,
    }


def test_to_aws_defaults_omit_empty_lists() -> None:
    """And credentials off, AWS's default: a call leaves out what AWS assumes anyway."""
    assert make_cors(allow_origins=["*"]).to_aws() == {"AllowOrigins": ["*"], "AllowMethods": ["*"]}


@pytest.mark.parametrize(
    "cors",
    [
        make_cors(allow_origins=["*"]),
        make_cors(allow_origins=["https://a.example.com"], allow_methods=["GET", "post"], max_age=0),
        make_cors(
            allow_origins=["https://b.example.com", "http://localhost:3000"],
            allow_headers=["Authorization", "*"],
            expose_headers=["ETag"],
            allow_credentials=True,
            max_age=-1,
        ),
    ],
    ids=["minimal", "methods-max-age-0", "full"],
)
def test_normalise_live_round_trips(cors: Cors) -> None:
    assert normalise_live(cors.to_aws()) == cors.to_aws()


def test_normalise_live_canonicalises_aws_shape() -> None:
    live = {
        "AllowOrigins": ["https://b.example.com", "https://a.example.com"],
        "AllowMethods": ["post", "GET"],
        "AllowHeaders": ["X-Trace", "content-type"],
        "ExposeHeaders": [],
    }
    expected = make_cors(
        allow_origins=["https://a.example.com", "https://b.example.com"],
        allow_methods=["GET", "POST"],
        allow_headers=["content-type", "x-trace"],
    ).to_aws()
    assert normalise_live(live) == expected


@pytest.mark.parametrize("live", [None, {}], ids=["none", "empty"])
def test_normalise_live_absent(live: dict[str, Any] | None) -> None:
    assert normalise_live(live) is None
