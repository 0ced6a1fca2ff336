"""Syntax rules in apigw_mcp.tools.engine.validate: route keys, shapes, Lambda ARNs, names and tags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apigw_mcp.tools.engine import validate

FN = "arn:aws:lambda:us-east-1:123456789012:function:orders"


@pytest.mark.parametrize(
    ("given_key", "expected"),
    [
        ("$default", "$default"),
        ("GET /", "GET /"),
        ("GET /orders/{id}", "GET /orders/{id}"),
        ("ANY /{proxy+}", "ANY /{proxy+}"),
        ("POST /a/{id}/b/{rest+}", "POST /a/{id}/b/{rest+}"),
        ("get /orders", "GET /orders"),
        ("Delete /orders/{id}", "DELETE /orders/{id}"),
    ],
    ids=["default", "root", "param", "greedy", "nested", "lower-method", "mixed-case-method"],
)
def test_route_key_accepts(given_key: str, expected: str) -> None:
    assert validate.route_key(given_key) == expected


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("/orders", "is not a route key"),
        ("GET", "is not a route key"),
        ("FOO /orders", "method 'FOO'"),
        ("GET orders", "must start with '/'"),
        ("GET /orders/", "trailing '/'"),
        ("GET //orders", "empty segment"),
        ("GET /{proxy+}/x", "must be the last segment"),
        ("GET /a/{id}/b/{id}", "appears twice"),
        ("GET /a b", "characters"),
        ("GET /a?b", "characters"),
        ("GET /a{b}", "characters"),
        ("GET /{}", "characters"),
        ("GET /%20", "characters"),
        ("$DEFAULT", "is not a route key"),
    ],
    ids=[
        "missing-method",
        "missing-path",
        "unknown-method",
        "no-leading-slash",
        "trailing-slash",
        "double-slash",
        "greedy-not-last",
        "duplicate-param",
        "space",
        "query",
        "brace-in-literal",
        "empty-param",
        "percent",
        "default-wrong-case",
    ],
)
def test_route_key_rejects(bad: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate.route_key(bad)


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("GET /a/{id}", "GET /a/{name}", True),
        ("GET /a/{proxy+}", "GET /a/{rest+}", True),
        ("GET /a/{id}", "GET /a/{proxy+}", False),
        ("GET /a/{id}", "POST /a/{id}", False),
        ("GET /a/{id}", "GET /a/id", False),
    ],
    ids=["param-names", "greedy-names", "param-vs-greedy", "other-method", "param-vs-literal"],
)
def test_route_shape_conflicts(a: str, b: str, conflict: bool) -> None:
    assert (validate.route_shape(a) == validate.route_shape(b)) is conflict


@pytest.mark.parametrize(
    "arn",
    [
        FN,
        f"{FN}:prod",
        f"{FN}:7",
        f"{FN}:$LATEST",
        "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f",
    ],
    ids=["unqualified", "alias", "version", "latest", "gov-partition"],
)
def test_lambda_arn_accepts(arn: str) -> None:
    assert validate.lambda_arn(arn) == arn


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:us-east-1:123456789012:function:orders",
        "arn:aws:lambda:us-east-1:12345678901:function:orders",
        "arn:aws:lambda:us-east-1:123456789012:function:my.fn",
        "arn:aws:lambda:us-east-1:123456789012:function:" + "f" * 65,
        "arn:aws:lambda:us-east-1:123456789012:function:orders:",
        "arn:aws:lambda:us-east-1:123456789012:function:orders:prod:x",
        "arn:aws:lambda:useast1:123456789012:function:orders",
        "orders",
    ],
    ids=[
        "wrong-service",
        "short-account",
        "bad-name",
        "long-name",
        "empty-qualifier",
        "two-qualifiers",
        "bad-region",
        "bare-name",
    ],
)
def test_lambda_arn_rejects(arn: str) -> None:
    with pytest.raises(ValueError, match="not a Lambda function ARN"):
        validate.lambda_arn(arn)


def test_lambda_region_account() -> None:
    assert validate.lambda_region_account(f"{FN}:prod") == ("us-east-1", "123456789012")


@pytest.mark.parametrize(
    "name", ["orders", "a", "x" * 128, "orders api (v2)"], ids=["plain", "1", "128", "spaces"]
)
def test_api_name_accepts(name: str) -> None:
    assert validate.api_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "1 to 128"),
        ("x" * 129, "1 to 128"),
        (" orders", "blanks"),
        ("orders ", "blanks"),
        ("a\nb", "printable"),
    ],
    ids=["empty", "129", "leading-blank", "trailing-blank", "newline"],
)
def test_api_name_rejects(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate.api_name(name)


@pytest.mark.parametrize(
    "tags",
    [{}, {"team": "payments"}, {"k" * 128: "v" * 256}, {"env": ""}, {f"t{i}": "v" for i in range(50)}],
    ids=["none", "one", "max-lengths", "empty-value", "fifty"],
)
def test_tags_accept(tags: dict[str, str]) -> None:
    assert validate.tags(tags) == tags


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"aws:cloudformation:stack": "x"}, "reserved"),
        ({"AWS:thing": "x"}, "reserved"),
        ({"apigw-mcp:managed": "true"}, "reserved"),
        ({"": "x"}, "1-128"),
        ({"k" * 129: "x"}, "1-128"),
        ({"k": "v" * 257}, "at most 256"),
        ({f"t{i}": "v" for i in range(51)}, "at most 50"),
        ({"a<b": "x"}, "letters, digits"),
    ],
    ids=[
        "aws-prefix",
        "aws-prefix-upper",
        "managed-prefix",
        "empty-key",
        "long-key",
        "long-value",
        "51-tags",
        "bad-char",
    ],
)
def test_tags_reject(tags: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate.tags(tags)


_LITERAL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~:@!$&'()*+,;=-"
_literal = st.text(alphabet=_LITERAL_CHARS, min_size=1, max_size=12).filter(lambda t: t not in (".", ".."))
_param_name = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1, max_size=8
)


@st.composite
def valid_route_keys(draw: st.DrawFn) -> str:
    method = draw(st.sampled_from(validate.HTTP_METHODS))
    names = draw(st.lists(_param_name, unique=True, max_size=3))
    literals = draw(st.lists(_literal, max_size=4))
    segments = draw(st.permutations([*literals, *(f"{{{n}}}" for n in names)]))
    if draw(st.booleans()):
        segments = [*segments, "{" + draw(_param_name.filter(lambda n: n not in names)) + "+}"]
    return f"{method} /{'/'.join(segments)}"


@given(valid_route_keys())
def test_valid_route_keys_round_trip(key: str) -> None:
    assert validate.route_key(key) == key


_arbitrary = st.one_of(
    st.text(),
    st.builds(lambda m, t: f"{m} /{t}", st.sampled_from(validate.HTTP_METHODS), st.text()),
    st.builds(lambda t: f"GET /{t}", st.text(alphabet="{}+/a-_ ", max_size=20)),
)


@given(_arbitrary)
def test_route_key_raises_only_value_error(text: str) -> None:
    try:
        result = validate.route_key(text)
    except ValueError:
        return
    assert result == "$default" or result.split(" ", 1)[0] in validate.HTTP_METHODS
