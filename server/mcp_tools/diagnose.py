"""diagnose_error and audit_api: gather facts once, then the pure engine ranks causes or lint findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from apigw_mcp.server.reads.diagnose import gather_facts
from apigw_mcp.server.results import guarded, result
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.diagnose.audit import ApiAudit, audit
from apigw_mcp.tools.diagnose.claims import read_token
from apigw_mcp.tools.diagnose.engine import diagnose
from apigw_mcp.tools.diagnose.model import Claims, Diagnosis, Symptom
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.scope import api_change_refusal

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
MAX_AUDITED = 20


class AuditResult(BaseModel):
    apis: list[ApiAudit]
    truncated: bool = False


def _symptom(
    status: int | None, keyword: str, fields: dict[str, str], token: str, claims: dict[str, Any] | None
) -> Symptom:
    read: Claims | None = None
    if token:
        try:
            read = read_token(token)
        except ValueError as error:
            raise BadInput("token", str(error).removeprefix("token: ")) from None
    elif claims:
        read = Claims(payload=claims)
    import time

    return Symptom(
        status=status,
        keyword=keyword.strip().lower() or None,  # an unknown one is noted by the engine, never refused
        claims=read,
        now=time.time(),
        **{k: v for k, v in fields.items() if v},
    )


def register_diagnose_tools(tool: Callable[[str, str], Decorator], rt: Runtime) -> None:
    @tool("diagnose_error", "Diagnose a failing request")
    async def diagnose_error(
        api_id: Annotated[str, Field(description="API id or name")],
        status: int | None = None,
        keyword: Annotated[str, Field(description="a hint, e.g. cors, timeout, no-logs, stale-deploy")] = "",
        method: str = "",
        path: Annotated[str, Field(description="as sent, with or without the stage")] = "",
        stage: str = "",
        error_body: str = "",
        error_type: Annotated[str, Field(description="x-amzn-ErrorType")] = "",
        message: str = "",
        origin: str = "",
        token: Annotated[str, Field(description="the JWT sent; read locally, never echoed")] = "",
        claims: dict[str, Any] | None = None,
        window_minutes: Annotated[int, Field(ge=1, le=1440)] = 60,
    ) -> Annotated[CallToolResult, Diagnosis]:
        """Explain a 401/403/404/429/5xx/504/CORS failure: likely causes ranked, with evidence read from AWS
        and a ready fix (a dry-run call of our tools where one exists)."""

        async def work() -> CallToolResult:
            fields = {
                "method": method.upper(),
                "path": path,
                "stage": stage,
                "error_body": error_body,
                "error_type": error_type,
                "message": message,
                "origin": origin,
            }
            symptom = _symptom(status, keyword, fields, token, claims)
            facts = await gather_facts(rt.aws, api_id, symptom, window_minutes)
            found = diagnose(facts, symptom)
            return result(found)

        return await guarded(work)

    @tool("audit_api", "Audit APIs")
    async def audit_api(
        api_id: Annotated[str, Field(description="one API; empty audits all in scope")] = "",
    ) -> Annotated[CallToolResult, AuditResult]:
        """Security and reliability lint: open routes, logging, throttling, WAF, API-key-only auth, CORS,
        default endpoint, TLS, cache encryption, X-Ray, over-broad Lambda permissions."""

        async def work() -> CallToolResult:
            ids = [api_id] if api_id else await _in_scope(rt)
            audits = [audit(await gather_facts(rt.aws, i, None)) for i in ids[:MAX_AUDITED]]
            found = AuditResult(apis=audits, truncated=len(ids) > MAX_AUDITED)
            return result(found)

        return await guarded(work)


async def _in_scope(rt: Runtime) -> list[str]:
    from apigw_mcp.server.aws import gather

    v2, rest = await gather(
        lambda: rt.aws.paginate("apigatewayv2", "get_apis", "Items"),
        lambda: rt.aws.paginate("apigateway", "get_rest_apis", "items"),
    )
    found = [(a["ApiId"], a.get("Name", ""), a.get("Tags")) for a in v2]
    found += [(a["id"], a.get("name", ""), a.get("tags")) for a in rest]
    return [i for i, name, tags in found if api_change_refusal(rt.scope, i, name, tags) is None]
