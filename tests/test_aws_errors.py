"""AWS error replies become one short line with the code and request id, whatever the endpoint sent."""

from __future__ import annotations

from apigw_mcp.server.aws import client_error


def test_an_html_error_page_becomes_one_line_with_code_and_request_id() -> None:
    page = (
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
        + "<p>x</p>\n" * 400
        + "</body></html>"
    )
    error = client_error(
        "apigatewayv2.create_route",
        {"Error": {"Code": "BadGateway", "Message": page}, "ResponseMetadata": {"RequestId": "req-1"}},
    )
    text = str(error)
    assert "\n" not in text and "<" not in text and len(text) < 500
    assert "BadGateway" in text and "req-1" in text and "502 Bad Gateway" in text


def test_advice_follows_the_code() -> None:
    throttled = client_error(
        "apigatewayv2.get_apis",
        {
            "Error": {"Code": "TooManyRequestsException", "Message": "slow"},
            "ResponseMetadata": {"HTTPStatusCode": 429},
        },
    )
    assert "throttled the call after retries" in str(throttled) and throttled.status == 429
