"""Destructive applies ask the user through MCP elicitation where the client can answer (server/consent.py).

Real in-memory MCP sessions in both protocol eras: ``auto`` (2026-07-28, the question
comes back as an ``InputRequiredResult`` and the SDK's client retries with the answer)
and ``legacy`` (``elicitation/create`` sent mid-call). For each destructive change
(delete a route, delete an API, remove CORS, replace an authorizer's issuer, take auth
off a route, an undo that deletes) only an accepted ``confirm: true`` writes; accept
with ``confirm: false``, decline and cancel write nothing at the endpoint (the
``recording``). The question names what goes and the account and region. Previews and
non-destructive applies are never asked; a client without the elicitation capability is
not asked and the plan token alone applies. On 2026-07-28 an answer counts only for the
call and plan it was given for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, MCPError
from mcp.client.session import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult, ErrorData, InputRequiredResult

from apigw_mcp.server.app import build_server
from apigw_mcp.server.settings import load_settings

from .conftest import ACCOUNT, HANDLE_KEY, REGION
from .helpers import FUNCTION, call_ok, preview_and_apply, text_of
from .recorder import Recording

pytestmark = pytest.mark.anyio

ISSUER = "https://issuer.example.com"
KEY = "apigw-mcp/confirm"
MODES = ["auto", "legacy"]
ACCEPT = ElicitResult(action="accept", content={"confirm": True})
REFUSALS = {
    "accept-false": ElicitResult(action="accept", content={"confirm": False}),
    "decline": ElicitResult(action="decline"),
    "cancel": ElicitResult(action="cancel"),
}
SHOP = {
    "name": "consent-shop",
    "routes": [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION, "auth": "users"},
        {"route_key": "GET /open", "lambda_arn": FUNCTION},
    ],
    "cors": {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET"]},
    "authorizers": [{"name": "users", "issuer": ISSUER, "audience": ["shop-api"]}],
}


class Asker:
    """The user behind the client: answers each question in turn and keeps what it was asked."""

    def __init__(self) -> None:
        self.answers: list[ElicitResult] = []
        self.asked: list[str] = []

    async def __call__(
        self, context: ClientRequestContext, params: ElicitRequestParams
    ) -> ElicitResult | ErrorData:
        self.asked.append(params.message)
        return self.answers.pop(0) if self.answers else ElicitResult(action="decline")


@asynccontextmanager
async def session(endpoint: str, tmp_path: Path, mode: str, asker: Asker | None) -> AsyncIterator[Client]:
    settings = load_settings(
        region=REGION,
        endpoint_url=endpoint,
        audit_log=str(tmp_path / "audit.jsonl"),
        handle_key=HANDLE_KEY,
        allow_deletes=True,
    )
    async with Client(build_server(settings), mode=mode, elicitation_callback=asker) as client:
        yield client


async def shop_api(client: Client) -> str:
    return str((await preview_and_apply(client, SHOP))["api_id"])


async def undo_args(client: Client, api_id: str) -> dict[str, Any]:
    """An undo that deletes: reverting an add_route (itself never asked) deletes the route."""
    added = await preview_and_apply(
        client, {"api_id": api_id, "route": {"route_key": "GET /extra", "lambda_arn": FUNCTION}}, "add_route"
    )
    return {"handle": added["undo"]}


async def fixed(args: dict[str, Any]) -> dict[str, Any]:
    return args


ArgsFor = Callable[[Client, str], Awaitable[dict[str, Any]]]
# tool, how its arguments follow from the shop API, what the question must name ({api}: the API's id)
DESTRUCTIVE: dict[str, tuple[str, ArgsFor, str]] = {
    "delete_route": (
        "delete_route",
        lambda _, api: fixed({"api_id": api, "route_key": "GET /open"}),
        "delete route GET /open",
    ),
    "remove_cors": ("configure_cors", lambda _, api: fixed({"api_id": api, "cors": None}), "remove CORS"),
    "replace_issuer": (
        "add_jwt_authorizer",
        lambda _, api: fixed(
            {
                "api_id": api,
                "name": "users",
                "routes": ["GET /orders"],
                "issuer": "https://other-issuer.example.com",
                "audience": ["shop-api"],
            }
        ),
        "replace authorizer users",
    ),
    "auth_none": (
        "update_route",
        lambda _, api: fixed({"api_id": api, "route_key": "GET /orders", "change": {"auth": "NONE"}}),
        "route GET /orders loses its authorization",
    ),
    "undo_deletes": ("undo", undo_args, "delete route GET /extra"),
    "delete_api": ("delete_api", lambda _, api: fixed({"api_id": api}), "delete api {api}"),
}


async def previewed(client: Client, case: str, api_id: str) -> tuple[str, dict[str, Any], str]:
    """The case's tool, its apply arguments (with the preview's token) and the question's fragment."""
    tool, make_args, names = DESTRUCTIVE[case]
    args = await make_args(client, api_id)
    preview = await call_ok(client, tool, args)
    assert preview["plan"]["steps"], preview
    return tool, {**args, "dry_run": False, "plan_token": preview["plan"]["token"]}, names.format(api=api_id)


def assert_question(asked: str, names: str) -> None:
    assert names in asked, asked
    assert ACCOUNT in asked and REGION in asked, asked


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(DESTRUCTIVE))
async def test_destructive_apply_writes_only_when_confirmed(
    moto_endpoint: str, tmp_path: Path, recording: Recording, mode: str, case: str
) -> None:
    asker = Asker()
    async with session(moto_endpoint, tmp_path, mode, asker) as client:
        tool, apply_args, names = await previewed(client, case, await shop_api(client))
        assert asker.asked == [], "creates, non-destructive applies and previews are never asked"
        recording.clear()
        for answer, reply in REFUSALS.items():
            asker.answers = [reply]
            refused = await client.call_tool(tool, apply_args)
            text = text_of(refused)
            assert refused.is_error, (answer, text)
            assert "not applied" in text and "nothing was written" in text, (answer, text)
            assert recording.writes() == [], (answer, recording.writes())
        asker.answers = [ACCEPT]
        applied = await call_ok(client, tool, apply_args)
    assert "failed" not in applied, applied
    assert applied["applied"] == len(recording.writes()) > 0, "the accepted apply wrote each step once"
    assert len(asker.asked) == len(REFUSALS) + 1, asker.asked
    for asked in asker.asked:
        assert_question(asked, names)


@pytest.mark.parametrize("mode", MODES)
async def test_client_without_elicitation_applies_on_the_token_alone(
    moto_endpoint: str, tmp_path: Path, recording: Recording, mode: str
) -> None:
    """Every destructive case in turn on one API (delete_api last), each applied with its token alone."""
    async with session(moto_endpoint, tmp_path, mode, None) as client:
        api_id = await shop_api(client)
        for case in DESTRUCTIVE:
            tool, apply_args, _ = await previewed(client, case, api_id)
            recording.clear()
            applied = await call_ok(client, tool, apply_args)
            assert "failed" not in applied, (case, applied)
            assert applied["applied"] == len(recording.writes()) > 0, case


@pytest.mark.parametrize("mode", MODES)
async def test_previews_and_non_destructive_applies_are_not_asked(
    moto_endpoint: str, tmp_path: Path, recording: Recording, mode: str
) -> None:
    asker = Asker()
    async with session(moto_endpoint, tmp_path, mode, asker) as client:
        api_id = await shop_api(client)
        recording.clear()
        route = {"api_id": api_id, "route": {"route_key": "POST /orders", "lambda_arn": FUNCTION}}
        added = await preview_and_apply(client, route, "add_route")
        stage = {"api_id": api_id, "stage_name": "prod", "throttle": {"burst": 10, "rate": 5.0}}
        staged = await preview_and_apply(client, stage, "deploy_stage")
        writes = len(recording.writes())
        for tool, args in dry_runs(api_id):
            await call_ok(client, tool, args)
    assert added["applied"] > 0 and staged["applied"] > 0 and writes == added["applied"] + staged["applied"]
    assert len(recording.writes()) == writes, "a preview wrote"
    assert asker.asked == []


def dry_runs(api_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("delete_api", {"api_id": api_id}),
        ("delete_route", {"api_id": api_id, "route_key": "GET /open"}),
        ("configure_cors", {"api_id": api_id, "cors": None}),
        ("update_route", {"api_id": api_id, "route_key": "GET /orders", "change": {"auth": "NONE"}}),
    ]


async def pending(client: Client, args: dict[str, Any]) -> InputRequiredResult:
    """Drive the 2026-07-28 flow by hand: the apply's first answer is the question."""
    question = await client.session.call_tool("delete_route", args, allow_input_required=True)
    assert isinstance(question, InputRequiredResult), question
    assert question.input_requests is not None and KEY in question.input_requests
    return question


async def two_delete_applies(client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    api_id = await shop_api(client)
    applies = []
    for route_key in ("GET /open", "GET /orders"):
        args = {"api_id": api_id, "route_key": route_key}
        token = (await call_ok(client, "delete_route", args))["plan"]["token"]
        applies.append({**args, "dry_run": False, "plan_token": token})
    return applies[0], applies[1]


async def test_an_answer_for_another_plan_does_not_count(
    moto_endpoint: str, tmp_path: Path, recording: Recording
) -> None:
    """The request_state of the question about deleting GET /orders, sent with the apply deleting GET /open.

    The SDK seals request_state and binds it to the call's arguments (the plan token
    among them), so the swapped answer is refused as a protocol error before the tool
    runs; server/consent.py's own check (request_state must equal the plan's token) is
    never reached this way, and is exercised by the next test (no request_state).
    """
    async with session(moto_endpoint, tmp_path, "auto", Asker()) as client:
        open_apply, orders_apply = await two_delete_applies(client)
        await pending(client, open_apply)
        other = await pending(client, orders_apply)
        recording.clear()
        with pytest.raises(MCPError) as refused:
            await client.session.call_tool(
                "delete_route",
                open_apply,
                input_responses={KEY: ACCEPT},
                request_state=other.request_state,
                allow_input_required=True,
            )
    assert "requestState" in str(refused.value)
    assert recording.writes() == []


async def test_an_answer_without_the_question_state_is_asked_again(
    moto_endpoint: str, tmp_path: Path, recording: Recording
) -> None:
    """A bare 'accept' with no request_state is bound to no plan: the server asks again and writes nothing."""
    async with session(moto_endpoint, tmp_path, "auto", Asker()) as client:
        open_apply, _ = await two_delete_applies(client)
        recording.clear()
        again = await client.session.call_tool(
            "delete_route", open_apply, input_responses={KEY: ACCEPT}, allow_input_required=True
        )
        assert isinstance(again, InputRequiredResult), again
        assert recording.writes() == []
        question = await pending(client, open_apply)
        answered = await client.session.call_tool(
            "delete_route",
            open_apply,
            input_responses={KEY: ACCEPT},
            request_state=question.request_state,
            allow_input_required=True,
        )
    assert not isinstance(answered, InputRequiredResult) and not answered.is_error, answered
    assert recording.writes()
