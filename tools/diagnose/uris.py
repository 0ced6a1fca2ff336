"""Lambda ARNs inside integration and authorizer URIs (pure)."""

from __future__ import annotations

import re

_LAMBDA = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?")


def lambda_arn_of(uri: str | None) -> str | None:
    """The function ARN in a Lambda ARN or an apigateway ...:lambda:path/.../functions/ARN/invocations URI."""
    if not uri:
        return None
    found = _LAMBDA.search(uri)
    return found.group(0) if found else None
