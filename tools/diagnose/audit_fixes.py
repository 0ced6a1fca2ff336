"""audit_api fixes that are tool calls, built from the live API so that they run as given (pure).

An open route gets the API's own authorizer (the first JWT one, else the first Lambda one) with its
live settings, so the call only attaches it; with no authorizer to reuse, the issuer and audience
are the user's to name and the fix is text. A credentials-with-wildcard CORS keeps the origins the
API already names; with none named the fix is text too, never a made-up origin.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from apigw_mcp.tools.kinds.http.inputs import AuthorizerInput

from .cors_fixes import cors_fix
from .model import Facts, Fix, Symptom
from .uris import lambda_arn_of

_DEFAULT_SOURCE = "$request.header.Authorization"


def authorize_fix(facts: Facts, routes: list[str]) -> Fix | None:
    """Attach an existing authorizer of this HTTP API to ``routes`` (the authorizer itself unchanged)."""
    if facts.api_type != "HTTP":
        return None
    authorizers = sorted(facts.authorizers, key=lambda a: str(a.get("Name")))
    for kind, build in (("JWT", _jwt_args), ("REQUEST", _lambda_args)):
        for authorizer in (a for a in authorizers if a.get("AuthorizerType") == kind):
            fields = build(authorizer)
            if fields is not None and _valid(fields):
                tool = "add_jwt_authorizer" if kind == "JWT" else "add_lambda_authorizer"
                args = {"api_id": facts.api_id, **fields, "routes": routes, "dry_run": True}
                if kind == "JWT":
                    args["identity_source"] = (fields.get("identity_source") or [_DEFAULT_SOURCE])[0]
                return Fix(tool=tool, args=args)
    return Fix(
        manual=f"add_jwt_authorizer(api_id={facts.api_id!r}, name='jwt', issuer=<your identity provider's "
        f"issuer URL>, audience=[<your app client id>], routes={routes}, dry_run=True): the API has no "
        "authorizer to reuse, and only you know the issuer and audience"
    )


def _jwt_args(authorizer: dict[str, Any]) -> dict[str, Any] | None:
    config = authorizer.get("JwtConfiguration") or {}
    if not config.get("Issuer"):
        return None
    return {
        "name": authorizer.get("Name"),
        "issuer": config["Issuer"],
        "audience": list(config.get("Audience") or []),
        "identity_source": list(authorizer.get("IdentitySource") or [_DEFAULT_SOURCE])[:1],
    }


def _lambda_args(authorizer: dict[str, Any]) -> dict[str, Any] | None:
    arn = lambda_arn_of(str(authorizer.get("AuthorizerUri") or ""))
    if not arn:
        return None
    return {
        "name": authorizer.get("Name"),
        "function_arn": arn,
        "payload_format_version": authorizer.get("AuthorizerPayloadFormatVersion") or "2.0",
        "simple_responses": authorizer.get("EnableSimpleResponses"),
        "ttl_seconds": int(authorizer.get("AuthorizerResultTtlInSeconds") or 0),
        "identity_source": list(authorizer.get("IdentitySource") or []) or None,
    }


def _valid(fields: dict[str, Any]) -> bool:
    try:
        AuthorizerInput.model_validate(fields)
    except ValidationError:
        return False
    return True


def credentials_cors_fix(facts: Facts) -> Fix:
    """configure_cors keeping the live CORS with only its named origins, else the change as text."""
    found = cors_fix(facts, Symptom(), credentials=True)
    if found is not None:
        return found
    return Fix(
        manual=f"configure_cors(api_id={facts.api_id!r}, cors={{allow_origins: [<each origin your pages "
        "are served from, e.g. https://app.example.com>], allow_credentials: true, ...the other current "
        "settings}}, dry_run=True): the API names no origin to keep, and a made-up one would be trusted"
    )
