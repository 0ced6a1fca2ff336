"""What a plan newly trusts, said in its warnings (pure).

A plan that accepts a new token audience or issuer, lets a new browser origin in, or
takes authorization off a route widens who can call the API. Such values may have come
from a failing request (a diagnosis fix) or a typo; either way the preview says so.
"""

from __future__ import annotations

from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec


def trust_warnings(desired: HttpApiSpec, live: LiveHttpApi | None) -> list[str]:
    before = live.spec if live else None
    if before is None:
        return []
    warnings: list[str] = []
    for name, authorizer in sorted(desired.authorizers.items()):
        old = before.authorizers.get(name)
        if old is None or authorizer.type != "JWT":
            continue
        added = sorted(set(authorizer.audience) - set(old.audience))
        if added:
            warnings.append(
                f"Trusts more: authorizer {name} will accept tokens issued for {', '.join(added)}; "
                "confirm each is your own app client."
            )
        if authorizer.issuer != old.issuer:
            warnings.append(
                f"Trusts more: authorizer {name} will accept tokens signed by {authorizer.issuer}; "
                "confirm it is your identity provider."
            )
    new_origins = sorted(
        set((desired.cors or {}).get("AllowOrigins", [])) - set((before.cors or {}).get("AllowOrigins", []))
    )
    if new_origins:
        warnings.append(
            f"Trusts more: browsers on {', '.join(new_origins)} may call this API from their pages; "
            "confirm each origin is yours."
        )
    for key, route in sorted(desired.routes.items()):
        old_route = before.routes.get(key)
        if old_route and old_route.authorization != "NONE" and route.authorization == "NONE":
            warnings.append(
                f"Trusts more: route {key} loses its authorization and becomes callable by anyone."
            )
    return warnings
