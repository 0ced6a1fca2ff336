"""Serving MCP over HTTP: loopback as is; anywhere else only with a bearer token and allowed hosts.

On 127.0.0.1 the SDK already checks Host and Origin against DNS rebinding. Off
loopback anyone on the network could call the tools, so the server refuses to start
unless it has a bearer token (``APIGW_MCP_HTTP_TOKEN``, checked by the SDK's token
verifier on every request) and an explicit list of Host values (and, for browsers,
Origins) to accept.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl

from apigw_mcp.tools.engine.redact import MASK

from .settings import Settings, SettingsError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class HttpBinding:
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/mcp"


class StaticTokenVerifier(TokenVerifier):
    """Accepts exactly the configured token (compared in constant time)."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if not hmac.compare_digest(token.encode(), self._token):
            return None
        # The verified token itself is not kept on the request context.
        return AccessToken(
            token=MASK, client_id="apigw-mcp-http", scopes=[], expires_at=int(time.time()) + 3600
        )


def server_auth(settings: Settings, binding: HttpBinding | None) -> dict[str, Any]:
    """MCPServer keyword arguments for bearer-token auth, when a token is configured for HTTP."""
    if binding is None or settings.http_token is None:
        return {}
    url = AnyHttpUrl(binding.url)
    return {
        "token_verifier": StaticTokenVerifier(settings.http_token.get_secret_value()),
        "auth": AuthSettings(issuer_url=url, resource_server_url=url, validate_token_resource=False),
    }


def transport_security(settings: Settings, binding: HttpBinding) -> TransportSecuritySettings | None:
    """Host/Origin checks for ``binding``; SettingsError when it is off loopback without the protections."""
    if binding.host in LOOPBACK:
        if not settings.allowed_hosts and not settings.allowed_origins:
            return None  # the SDK's own loopback defaults
        return TransportSecuritySettings(
            allowed_hosts=[*settings.allowed_hosts, f"{binding.host}:{binding.port}"],
            allowed_origins=settings.allowed_origins,
        )
    missing = [
        name
        for name, given in (
            ("APIGW_MCP_HTTP_TOKEN (or --http-token-file)", settings.http_token),
            ("APIGW_MCP_ALLOWED_HOSTS (or --allowed-host)", settings.allowed_hosts),
        )
        if not given
    ]
    if missing:
        raise SettingsError(
            f"serving HTTP on {binding.host} (not loopback) needs {' and '.join(missing)}: without them "
            "anyone who reaches the port could change your APIs"
        )
    return TransportSecuritySettings(
        allowed_hosts=settings.allowed_hosts, allowed_origins=settings.allowed_origins
    )
