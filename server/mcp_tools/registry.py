"""What the tool modules share: the registrar, result types, and running a change inside the guard."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, InputRequiredResult, ToolAnnotations

from apigw_mcp.server.consent import Consent, NeedsConsent
from apigw_mcp.server.kinds.base import Kind, LiveT
from apigw_mcp.server.kinds.registry import KINDS
from apigw_mcp.server.reads.locate import locate_api
from apigw_mcp.server.reconciler import Change, run_change
from apigw_mcp.server.results import guarded, result
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine.change_output import ChangeOutput, change_output
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.tool_operations import tool_access

# Only what differs from MCP's defaults (not read-only, destructive, not idempotent, open world) is sent;
# which applies follows from the access of the tool's operations in the operations table.
ANNOTATIONS = {
    "read": ToolAnnotations(read_only_hint=True),
    "write": ToolAnnotations(destructive_hint=False, idempotent_hint=True),
    "delete": ToolAnnotations(idempotent_hint=True),
}
Out = Annotated[CallToolResult, ChangeOutput] | InputRequiredResult
if TYPE_CHECKING:
    Ctx = Context[Any, Any]
else:
    Ctx = Context  # the SDK finds the context parameter by its bare class
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
Register = Callable[[str, str], Decorator]
# Optional text arguments are plain `str` with "" for "not given": the SDK parses JSON-looking text
# (a JSON log format, a numeric client id) into objects for any argument not annotated exactly `str`.
Text = str


MakeChange = Callable[[], Change[Any, Any] | Awaitable[Change[Any, Any]]]
Maker = Callable[[str], Change[Any, Any]]  # the change, given the id of the API it is on


async def run_tool(
    rt: Runtime, make: MakeChange, dry_run: bool, plan_token: str, ctx: Ctx | None
) -> CallToolResult | InputRequiredResult:
    """Build the change inside the guard, so that argument errors come back as actionable tool errors.

    Destructive applies first ask the user where the client can (``consent.py``); the question
    goes back to the client as an ``InputRequiredResult`` on protocol 2026-07-28.
    """

    async def work() -> CallToolResult:
        made = make()
        change = await made if inspect.isawaitable(made) else made
        changed = await run_change(rt, change, dry_run, plan_token or None, Consent(ctx))
        return result(change_output(changed.public(), change.tool, dry_run))

    try:
        return await guarded(work)
    except NeedsConsent as asking:
        return asking.question


def require_live(live: LiveT | None) -> LiveT:
    assert live is not None  # run_change refuses a missing API before asking for the desired spec
    return live


async def kind_of(rt: Runtime, api_ref: str) -> tuple[Kind[Any, Any], str]:
    """The kind of the API with this id or name, and its id (BadInput when there is none, or when this
    server does not change APIs of its kind)."""
    located = await locate_api(rt.aws, api_ref, None)
    if located.kind is None or located.api_id is None:
        raise BadInput("api_id", f"no API {api_ref!r} in {rt.scope.region}: list_apis shows what exists")
    kind = KINDS.get(located.kind)
    if kind is None:
        raise BadInput("api_id", f"{api_ref} is a {located.kind} API: this server does not change those yet")
    return kind, located.api_id


def by_kind(rt: Runtime, tool: str, api_ref: str, makers: Mapping[str, Maker]) -> MakeChange:
    """The change ``tool`` makes on the API ``api_ref`` names, built by its kind's maker from the id."""

    async def make() -> Change[Any, Any]:
        kind, found = await kind_of(rt, api_ref)
        maker = makers.get(kind.name)
        if maker is None:
            raise BadInput("api_id", kind.supports(tool) or f"{tool} does not apply to {kind.name} APIs")
        return maker(found)

    return make


async def edit_any_kind(
    rt: Runtime,
    tool: str,
    args: dict[str, Any],
    edits: Mapping[str, Callable[[Any], Any]],
    dry_run: bool,
    plan_token: str,
    ctx: Ctx | None,
) -> Out:
    """A change that edits the live spec of the API named in ``args``, by its kind's edit in ``edits``
    (a kind missing there: the kind says what to do instead)."""

    def maker(kind: Kind[Any, Any], edit: Callable[[Any], Any]) -> Maker:
        return lambda api_id: Change(
            kind, tool, args, lambda live, _: edit(require_live(live)), api_id=api_id
        )

    makers = {name: maker(KINDS[name], edit) for name, edit in edits.items()}
    return await run_tool(rt, by_kind(rt, tool, str(args["api_id"]), makers), dry_run, plan_token, ctx)


def registrar(server: MCPServer, enabled: set[str]) -> Register:
    """A decorator factory that registers a tool only when its toolset is enabled."""

    def tool(name: str, title: str) -> Decorator:
        if name not in enabled:
            return lambda fn: fn
        decorate: Decorator = server.tool(name=name, title=title, annotations=ANNOTATIONS[tool_access(name)])
        return decorate

    return tool
