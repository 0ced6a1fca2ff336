"""Find an API by id or name, whatever its kind: HTTP and WebSocket (apigatewayv2) or REST (apigateway)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from apigw_mcp.server.aws import AwsRuntime, Identity, gather
from apigw_mcp.server.reads.v2 import all_v2_apis
from apigw_mcp.tools.engine.errors import AwsCallFailed, BadInput

V2_KINDS = frozenset({"HTTP", "WEBSOCKET"})
REST = "REST"
ALL_KINDS = V2_KINDS | {REST}
Found = tuple[str, str]  # (kind, api id)

_ID = re.compile(r"[A-Za-z0-9]{1,64}")


@dataclass(frozen=True)
class Located:
    """The caller, and the API found: its kind (HTTP, REST, WEBSOCKET) and id; both None when none is."""

    identity: Identity
    kind: str | None
    api_id: str | None


def looks_like_id(ref: str) -> bool:
    """API ids are letters and digits; anything else (``/``, a name with spaces) is looked up by name only,
    so it never becomes part of a request path."""
    return bool(_ID.fullmatch(ref))


async def locate_api(
    aws: AwsRuntime, api_id: str | None, name: str | None, kinds: Collection[str] = ALL_KINDS
) -> Located:
    """The API with id ``api_id``, else (or when no API has that id) the one named ``name``.

    ``api_id`` may itself be a name, as everywhere an API is named: when no API has that id,
    the API of that name is used. Only the services of ``kinds`` are read, and a name matches
    only APIs of those kinds; an id names one API, whose kind is reported even when it is not
    one of ``kinds``, so the caller can say what the API is. Every read runs in one round.
    """
    wanted = name or api_id or ""
    v2, rest = bool(V2_KINDS & set(kinds)), REST in kinds
    by_id: list[Callable[[], Awaitable[Found | None]]] = []
    if api_id is not None and looks_like_id(api_id):
        by_id += [lambda: _v2_by_id(aws, api_id)] if v2 else []
        by_id += [lambda: _rest_by_id(aws, api_id)] if rest else []
    named: list[Callable[[], Awaitable[list[Found]]]] = []
    named += [lambda: _v2_named(aws, wanted, kinds)] if v2 else []
    named += [lambda: _rest_named(aws, wanted)] if rest else []
    identity, *results = await gather(aws.identity, *by_id, *named)
    found = next((f for f in results[: len(by_id)] if f is not None), None)
    if found is None:
        matches = [f for listed in results[len(by_id) :] for f in listed]
        found = _one(matches, wanted, "name" if api_id is None else "api_id")
    return Located(identity, *found) if found else Located(identity, None, None)


async def _v2_by_id(aws: AwsRuntime, api_id: str) -> Found | None:
    try:
        api = await aws.call("apigatewayv2", "get_api", ApiId=api_id)
    except AwsCallFailed as error:
        if _not_found(error):
            return None
        raise
    return str(api.get("ProtocolType", "HTTP")), str(api["ApiId"])


async def _rest_by_id(aws: AwsRuntime, api_id: str) -> Found | None:
    try:
        api = await aws.call("apigateway", "get_rest_api", restApiId=api_id)
    except AwsCallFailed as error:
        if _not_found(error):
            return None
        raise
    return REST, str(api["id"])


async def _v2_named(aws: AwsRuntime, name: str, kinds: Collection[str]) -> list[Found]:
    return [
        (str(a.get("ProtocolType")), str(a["ApiId"]))
        for a in await all_v2_apis(aws)
        if a.get("Name") == name and a.get("ProtocolType") in kinds
    ]


async def _rest_named(aws: AwsRuntime, name: str) -> list[Found]:
    apis = await aws.paginate("apigateway", "get_rest_apis", "items")
    return [(REST, str(a["id"])) for a in apis if a.get("name") == name]


def _not_found(error: AwsCallFailed) -> bool:
    return error.code == "NotFoundException" or error.status in (400, 404)


def _one(found: list[Found], name: str, field: str) -> Found | None:
    """The one API of that name; BadInput when several share it, whose ids tell them apart."""
    if len(found) > 1:
        listed = ", ".join(f"{kind} API {api_id}" for kind, api_id in found)
        raise BadInput(
            field,
            f"{len(found)} APIs are named {name!r} ({listed}): pass the id of the one you mean as "
            "api_id, or rename one so the name is unique",
        )
    return found[0] if found else None
