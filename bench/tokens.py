"""o200k tokens of the tools/list answer, total and per tool, with where they go.

Run: PYTHONPATH=/tmp/devpath /tmp/v/bin/python bench/tokens.py [--json]
"""

from __future__ import annotations

from typing import Any

import anyio
from _shared import check_source, compact, emit_json, tokens, verdict

TARGET_TOKENS = 1200
PARTS = ("description", "inputSchema", "outputSchema")


async def tool_list() -> tuple[list[dict[str, Any]], str]:
    from mcp import Client

    from apigw_mcp.server.app import build_server
    from apigw_mcp.server.settings import load_settings

    settings = load_settings(region="us-east-1", endpoint_url="http://127.0.0.1:9", audit_log="off")
    server = build_server(settings)
    async with Client(server) as client:
        listed = await client.list_tools()
        instructions = client.instructions or ""
    wire = [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in listed.tools]
    return wire, instructions


def breakdown(tool: dict[str, Any]) -> dict[str, int]:
    """Tokens of each top-level field, as the compact `"key":value` fragment it adds."""
    return {key: tokens(compact({key: value})) - 2 for key, value in tool.items()}


def defs_cost(tool: dict[str, Any]) -> list[tuple[str, int]]:
    found = []
    for part in ("inputSchema", "outputSchema"):
        for name, schema in (tool.get(part, {}).get("$defs") or {}).items():
            found.append((f"{part}.$defs.{name}", tokens(compact(schema))))
        for name, schema in (tool.get(part, {}).get("properties") or {}).items():
            found.append((f"{part}.properties.{name}", tokens(compact(schema))))
    return sorted(found, key=lambda item: -item[1])


def count_titles(value: Any) -> int:
    """Tokens spent on pydantic's auto-generated "title" keys inside schemas."""
    if isinstance(value, dict):
        own = tokens(compact({"title": value["title"]})) - 1 if isinstance(value.get("title"), str) else 0
        return own + sum(count_titles(v) for k, v in value.items() if k != "title" or not isinstance(v, str))
    if isinstance(value, list):
        return sum(count_titles(v) for v in value)
    return 0


def strip_titles(value: Any) -> Any:
    """The schema without pydantic's auto-generated "title" keys (a what-if, for the diagnosis only)."""
    if isinstance(value, dict):
        return {k: strip_titles(v) for k, v in value.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(value, list):
        return [strip_titles(v) for v in value]
    return value


def collapse_nullable(value: Any) -> Any:
    """``anyOf: [X, {type: null}], default: null`` written as plain X (a what-if, for the diagnosis only)."""
    if isinstance(value, dict):
        out = {k: collapse_nullable(v) for k, v in value.items()}
        options = out.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options and len(options) == 2:
            out.pop("anyOf")
            out.update(next(o for o in options if o != {"type": "null"}))
            if out.get("default", 0) is None:
                out.pop("default")
        return out
    if isinstance(value, list):
        return [collapse_nullable(v) for v in value]
    return value


def main() -> None:
    where = check_source()
    wire, instructions = anyio.run(tool_list)
    per_tool = {tool["name"]: tokens(compact(tool)) for tool in wire}
    total = tokens(compact({"tools": wire}))
    print(f"apigw_mcp from {where}")
    print(
        f"tools/list result, compact JSON: {total} o200k tokens (target <= {TARGET_TOKENS}: "
        f"{verdict(total, TARGET_TOKENS)}); {len(wire)} tools; server instructions (initialize) "
        f"{tokens(instructions)} tokens\n"
    )
    print(f"{'tool':<18}{'total':>7}  " + "".join(f"{p:>14}" for p in PARTS) + f"{'other':>8}{'titles':>8}")
    for tool in wire:
        parts = breakdown(tool)
        other = sum(v for k, v in parts.items() if k not in PARTS)
        schemas = {k: tool[k] for k in ("inputSchema", "outputSchema") if k in tool}
        print(
            f"{tool['name']:<18}{per_tool[tool['name']]:>7}  "
            + "".join(f"{parts.get(p, 0):>14}" for p in PARTS)
            + f"{other:>8}{count_titles(schemas):>8}"
        )
    print("\n('titles' = tokens of the auto-generated \"title\" keys inside the two schemas)")
    whole = {"tools": wire}
    no_output = {"tools": [{k: v for k, v in tool.items() if k != "outputSchema"} for tool in wire]}
    print("\nwhat-ifs (diagnosis only; the product is unchanged):")
    print(f"  without outputSchema:            {tokens(compact(no_output)):>5}")
    print(f"  without schema titles:           {tokens(compact(strip_titles(whole))):>5}")
    print(f"  nullable anyOf collapsed:        {tokens(compact(collapse_nullable(whole))):>5}")
    print(f"  both of those:                   {tokens(compact(collapse_nullable(strip_titles(whole)))):>5}")
    print(
        f"  both, and without outputSchema:  {tokens(compact(collapse_nullable(strip_titles(no_output)))):>5}"
    )
    print("\nlargest schema pieces:")
    pieces = [(f"{tool['name']}.{name}", cost) for tool in wire for name, cost in defs_cost(tool)]
    for name, cost in sorted(pieces, key=lambda item: -item[1])[:10]:
        print(f"  {cost:>5}  {name}")
    emit_json({"tools_list_tokens": total, "per_tool": per_tool, "instructions_tokens": tokens(instructions)})


if __name__ == "__main__":
    main()
