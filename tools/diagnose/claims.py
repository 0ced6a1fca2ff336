"""Read a JWT's header and claims locally, without verifying it; the token itself goes no further."""

from __future__ import annotations

from typing import Any

from .model import Claims

_KEPT = (
    "iss",
    "aud",
    "client_id",
    "token_use",
    "exp",
    "nbf",
    "iat",
    "scope",
    "scp",
    "sub",
    "azp",
    "cognito:groups",
)


def read_token(token: str) -> Claims:
    """The claims diagnosis compares with the authorizer; a ValueError (never the token) if not a JWT."""
    import jwt

    token = token.strip().removeprefix("Bearer ").strip()
    try:
        header = jwt.get_unverified_header(token)
        payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise ValueError(f"token: not a readable JWT ({type(error).__name__})") from None
    return Claims(
        header={k: header[k] for k in ("alg", "kid", "typ") if k in header},
        payload={k: payload[k] for k in _KEPT if k in payload},
    )
