"""Which steps of a plan need the user's explicit consent, in words a consent dialog can show (pure).

Deletes, taking authorization off a route, replacing or removing CORS and replacing an
authorizer cannot be taken back by a retry: where the client can ask its user, the
server asks before applying them (``server/consent.py``); elsewhere the plan token,
which only a preview hands out, is the confirmation.
"""

from __future__ import annotations

from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.redact import redact_text

MAX_NAMED = 5


def consent_reasons(plan: Plan) -> list[str]:
    reasons: list[str] = []
    for step in plan.steps:
        if step.effect == "delete":
            reasons.append(f"delete {step.resource}")
        elif step.operation == "delete_cors_configuration":
            reasons.append("remove CORS")
        elif step.operation == "update_api" and "CorsConfiguration" in step.params:
            reasons.append("replace the CORS configuration")
        elif step.operation == "update_authorizer":
            reasons.append(f"replace {step.resource}")
    reasons += [
        w.removeprefix("Trusts more: ").split(" and becomes")[0]
        for w in plan.warnings
        if w.startswith("Trusts more: route ") and "loses its authorization" in w
    ]
    return reasons


def consent_message(plan: Plan, reasons: list[str]) -> str:
    named = "; ".join(reasons[:MAX_NAMED])
    more = len(reasons) - MAX_NAMED
    tail = f"; and {more} more" if more > 0 else ""
    text = f"apigw-mcp will {named}{tail} in account {plan.account} ({plan.region}). Apply this change?"
    return redact_text(text)
