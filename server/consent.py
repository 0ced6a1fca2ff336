"""Asking the user before destructive steps, through MCP elicitation where the client declares it.

On 2026-07-28 connections the question travels as an ``InputRequiredResult`` and the
client retries the call with the answer; ``request_state`` carries the plan token, so
an answer counts only for the plan it was given for. On older connections the server
asks mid-call (``ctx.elicit``). A client without the elicitation capability is not
asked: the plan token, which only a preview hands out, is then the confirmation.
"""

from __future__ import annotations

from typing import Any

from mcp.server.elicitation import AcceptedElicitation, render_elicitation_schema
from mcp.server.mcpserver import Context
from mcp_types import ElicitRequest, ElicitRequestFormParams, ElicitResult, InputRequiredResult
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field

from apigw_mcp.tools.engine.consent import consent_message, consent_reasons
from apigw_mcp.tools.engine.errors import ApigwMcpError
from apigw_mcp.tools.engine.plan import Plan

KEY = "apigw-mcp/confirm"
_MODERN = "2026-07-28"


class Confirm(BaseModel):
    confirm: bool = Field(description="Apply the change")


class NeedsConsent(Exception):
    """Raised to return ``question`` to the client instead of a result."""

    def __init__(self, question: InputRequiredResult) -> None:
        self.question = question
        super().__init__("the user's consent is needed")


class NotConfirmed(ApigwMcpError):
    """The user declined or cancelled; nothing was written."""


class Consent:
    """Called with the plan about to be applied: returns when it may go ahead."""

    def __init__(self, ctx: Context[Any, Any] | None) -> None:
        self._ctx = ctx

    async def __call__(self, plan: Plan) -> None:
        reasons = consent_reasons(plan)
        if not reasons or not self._client_can_ask():
            return
        message = consent_message(plan, reasons)
        if self._modern():
            self._answer_for(plan, message)
            return
        assert self._ctx is not None
        outcome = await self._ctx.elicit(message, Confirm)
        if not (isinstance(outcome, AcceptedElicitation) and outcome.data.confirm):
            raise NotConfirmed(
                f"not applied: the user did not confirm ({outcome.action}); nothing was written"
            )

    def _client_can_ask(self) -> bool:
        capabilities = self._ctx.client_capabilities if self._ctx is not None else None
        elicitation = capabilities.elicitation if capabilities is not None else None
        return elicitation is not None and (elicitation.form is not None or elicitation.url is None)

    def _modern(self) -> bool:
        version = self._ctx.protocol_version if self._ctx is not None else None
        return version is not None and is_version_at_least(version, _MODERN)

    def _answer_for(self, plan: Plan, message: str) -> None:
        assert self._ctx is not None
        answer = (self._ctx.input_responses or {}).get(KEY)
        if answer is None or self._ctx.request_state != plan.token:
            request = ElicitRequest(
                params=ElicitRequestFormParams(
                    message=message, requested_schema=render_elicitation_schema(Confirm)
                )
            )
            raise NeedsConsent(InputRequiredResult(input_requests={KEY: request}, request_state=plan.token))
        accepted = (
            isinstance(answer, ElicitResult)
            and answer.action == "accept"
            and (answer.content or {}).get("confirm") is True
        )
        if not accepted:
            action = answer.action if isinstance(answer, ElicitResult) else "an invalid answer"
            raise NotConfirmed(f"not applied: the user did not confirm ({action}); nothing was written")
