"""o200k tokens of the tools/list answer, total and per tool, with where they go.

All tools (every toolset, the default), then the reduced list with toolsets ``read,http``
(``APIGW_MCP_TOOLSETS=read,http``; read and the non-deleting HTTP tools); also each toolset alone and
all but ``delete``.

Run (from the README venv, in the checkout): .venv/bin/python bench/tokens.py [--json]
"""

from __future__ import annotations

from typing import Any

import anyio
from _shared import check_source, compact, emit_json, tokens, verdict

TARGET_TOKENS = 4000
PARTS = ("description", "inputSchema", "outputSchema")
REDUCED = ["read", "http"]


async def tool_list(toolsets: list[str] | None = None) -> tuple[list[dict[str, Any]], str]:
    from mcp import Client

    from apigw_mcp.server.app import build_server
    from apigw_mcp.server.settings import load_settings

    settings = load_settings(
        region="us-east-1", endpoint_url="http://127.0.0.1:9", audit_log="off", toolsets=toolsets
    )
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


def toolset_of(name: str) -> str:
    from apigw_mcp.server.settings import TOOLSETS

    return next((toolset for toolset, names in TOOLSETS.items() if name in names), "?")


def per_tool_table(wire: list[dict[str, Any]], total: int) -> None:
    """One row per tool: its toolset, its tokens, its share of the list, and its top-level fields."""
    width = max(len(tool["name"]) for tool in wire) + 2
    print(
        f"{'tool':<{width}}{'set':<8}{'total':>6}{'share':>7}"
        + "".join(f"{p:>13}" for p in PARTS)
        + f"{'other':>7}{'titles':>7}"
    )
    for tool in wire:
        parts = breakdown(tool)
        other = sum(v for k, v in parts.items() if k not in PARTS)
        schemas = {k: tool[k] for k in ("inputSchema", "outputSchema") if k in tool}
        own = tokens(compact(tool))
        print(
            f"{tool['name']:<{width}}{toolset_of(tool['name']):<8}{own:>6}{own / total:>7.1%}"
            + "".join(f"{parts.get(p, 0):>13}" for p in PARTS)
            + f"{other:>7}{count_titles(schemas):>7}"
        )
    sums = {p: sum(breakdown(tool).get(p, 0) for tool in wire) for p in PARTS}
    print(f"{'sum of fields':<{width + 8}}{'':>13}" + "".join(f"{sums[p]:>13}" for p in PARTS))
    print(
        "('other' = name, title, annotations; 'titles' = tokens of auto-generated \"title\" keys inside "
        "the two schemas)"
    )


LIMITS = ("maxLength", "minLength", "maximum", "minimum", "maxItems", "minItems", "pattern")


def strip_limits(value: Any) -> Any:
    """Schemas without bounds, patterns, ``additionalProperties: false`` (what-if; server still checks)."""
    if isinstance(value, dict):
        return {
            k: strip_limits(v)
            for k, v in value.items()
            if k not in LIMITS and not (k == "additionalProperties" and v is False)
        }
    if isinstance(value, list):
        return [strip_limits(v) for v in value]
    return value


def main() -> None:
    where = check_source()
    wire, instructions = anyio.run(tool_list)
    per_tool = {tool["name"]: tokens(compact(tool)) for tool in wire}
    total = tokens(compact({"tools": wire}))
    print(f"apigw_mcp from {where}")
    print(
        f"tools/list result, all toolsets, compact JSON: {total} o200k tokens (target <= {TARGET_TOKENS}: "
        f"{verdict(total, TARGET_TOKENS)}); {len(wire)} tools; server instructions (initialize) "
        f"{tokens(instructions)} tokens\n"
    )
    per_tool_table(wire, total)
    by_set: dict[str, int] = {}
    for name, cost in per_tool.items():
        by_set[toolset_of(name)] = by_set.get(toolset_of(name), 0) + cost
    print(f"\nby toolset (sum of the tools' own JSON): {by_set}")
    from apigw_mcp.server.settings import TOOLSETS

    alone = {name: tokens(compact({"tools": anyio.run(tool_list, [name])[0]})) for name in TOOLSETS}
    print(f"tools/list with one toolset alone (APIGW_MCP_TOOLSETS=<name>): {alone}")
    no_delete = tokens(compact({"tools": anyio.run(tool_list, ["read", "http", "diagnose"])[0]}))
    print(f"tools/list with toolsets read,http,diagnose (all but delete): {no_delete}")
    reduced, _ = anyio.run(tool_list, REDUCED)
    reduced_total = tokens(compact({"tools": reduced}))
    print(
        f"\nwith toolsets {','.join(REDUCED)} (APIGW_MCP_TOOLSETS={','.join(REDUCED)}): "
        f"{reduced_total} tokens, "
        f"{len(reduced)} tools ({verdict(reduced_total, TARGET_TOKENS)} against {TARGET_TOKENS}); "
        f"left out: {', '.join(sorted(set(per_tool) - {t['name'] for t in reduced}))}"
    )
    reduced_no_output = {
        "tools": [
            {k: v for k, v in t.items() if k != "outputSchema" or t["name"] in ("list_apis", "describe_api")}
            for t in reduced
        ]
    }
    print(
        f"  what-if: the same without outputSchema on its mutating tools: "
        f"{tokens(compact(reduced_no_output))} tokens"
    )
    whole = {"tools": wire}
    no_output = {"tools": [{k: v for k, v in tool.items() if k != "outputSchema"} for tool in wire]}
    reads = {tool["name"] for tool in wire if (tool.get("annotations") or {}).get("readOnlyHint")}
    mutating_no_output = {
        "tools": [
            {k: v for k, v in tool.items() if k != "outputSchema" or tool["name"] in reads} for tool in wire
        ]
    }
    no_annotations = {"tools": [{k: v for k, v in tool.items() if k != "annotations"} for tool in wire]}
    slim = collapse_nullable(strip_limits(strip_titles(mutating_no_output)))
    whatifs = [
        ("as measured", total),
        ("without outputSchema (all tools)", tokens(compact(no_output))),
        (
            f"without outputSchema on the {len(wire) - len(reads)} mutating tools (one ChangeResult each)",
            tokens(compact(mutating_no_output)),
        ),
        ("without annotations", tokens(compact(no_annotations))),
        ("without bounds, patterns, additionalProperties:false", tokens(compact(strip_limits(whole)))),
        ('without any "title" key (tool titles included)', tokens(compact(strip_titles(whole)))),
        ("nullable anyOf collapsed", tokens(compact(collapse_nullable(whole)))),
        ("mutating outputSchema, titles and bounds all dropped", tokens(compact(slim))),
    ]
    print("\nwhat-ifs, whole tools/list (diagnosis only; the product is unchanged):")
    for label, cost in whatifs:
        print(f"  {cost:>5}  {label}")
    copies: dict[str, list[int]] = {}
    for tool in wire:
        for name, schema in (tool.get("inputSchema", {}).get("$defs") or {}).items():
            copies.setdefault(name, []).append(tokens(compact(schema)))
    repeated = {name: sum(c[1:]) for name, c in copies.items() if len(c) > 1}
    print(f"  $defs repeated in more than one tool (tokens of the extra copies): {repeated}")
    print("\nlargest schema pieces:")
    pieces = [(f"{tool['name']}.{name}", cost) for tool in wire for name, cost in defs_cost(tool)]
    for name, cost in sorted(pieces, key=lambda item: -item[1])[:10]:
        print(f"  {cost:>5}  {name}")
    emit_json(
        {
            "tools_list_tokens": total,
            "tools_count": len(wire),
            "per_tool": per_tool,
            "instructions_tokens": tokens(instructions),
            "tools_list_by_toolset": alone,
            "tools_list_no_delete": no_delete,
            "tools_list_reduced": {
                "toolsets": ",".join(REDUCED),
                "tokens": reduced_total,
                "tools_count": len(reduced),
            },
        }
    )


if __name__ == "__main__":
    main()
