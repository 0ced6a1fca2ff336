"""The skill and its reference files as MCP resources, and prompts that start the main workflows."""

from __future__ import annotations

from pathlib import Path

from mcp.server import MCPServer
from mcp.server.mcpserver.resources import FileResource

SKILL_DIR = Path(__file__).resolve().parent.parent / "skill"
SKILL_URI = "skill://api-gateway/"
NEW_HTTP_API = (
    "Build an HTTP API named {name!r}{purpose}. Read {skill}SKILL.md first. Ask for the Lambda "
    "functions or HTTPS backends, the routes, who may call them (JWT issuer and audience, or a Lambda "
    "authorizer), the allowed browser origins and the stages. Then call create_http_api with dry_run=true, "
    "show me plan.diff and plan.warnings, and apply with plan_token only after I agree. Verify with "
    "describe_api and keep the undo handle."
)
DIAGNOSE_API = (
    "A request to API {api_id} fails: {symptom}. Do not change anything yet. Call diagnose_error with the "
    "status, the method, the path as the client sent it, the error body or message, the Origin for CORS "
    "problems and the JWT when auth is involved. Explain the top findings and their evidence; if a finding "
    "carries a fix, preview it (dry_run=true) and show me the plan before applying."
)
SECURE_API_REVIEW = (
    "Review the security and reliability of {target}. Call audit_api, group the findings by severity, "
    "explain each in one sentence, and preview each fix that is a tool call with dry_run=true. "
    "Apply nothing without my approval."
)


def register_skill(server: MCPServer) -> None:
    for path in sorted(SKILL_DIR.rglob("*.md")):
        relative = path.relative_to(SKILL_DIR).as_posix()
        server.add_resource(
            FileResource(
                uri=SKILL_URI + relative,
                name=f"api-gateway/{relative}",
                mime_type="text/markdown",
                path=path,
                description="API Gateway skill" if relative == "SKILL.md" else None,
            )
        )

    @server.prompt(name="new-http-api", title="Build a new HTTP API")
    def new_http_api(name: str, purpose: str = "") -> str:
        """Plan, preview and create an HTTP API with this server's tools."""
        return NEW_HTTP_API.format(name=name, purpose=f" for: {purpose}" if purpose else "", skill=SKILL_URI)

    @server.prompt(name="diagnose-api", title="Diagnose a failing API call")
    def diagnose_api(api_id: str, symptom: str) -> str:
        """Find out why a request to an API fails, before changing anything."""
        return DIAGNOSE_API.format(api_id=api_id, symptom=symptom)

    @server.prompt(name="secure-api-review", title="Review an API's security")
    def secure_api_review(api_id: str = "") -> str:
        """Audit one API (or all in scope) and propose fixes."""
        return SECURE_API_REVIEW.format(target=f"API {api_id}" if api_id else "every API in scope")
