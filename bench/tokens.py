"""o200k tokens of the tools/list answer, total and per tool, with where they go.

All tools (every toolset, the default; target <= 6,000), the read+diagnose subset (``APIGW_MCP_TOOLSETS=
read,diagnose``; target <= 1,500), then the reduced list with toolsets ``read,http`` (read and the
non-deleting HTTP tools); also each toolset alone and all but ``delete``.

Run (from the README venv, in the checkout): .venv/bin/python bench/tokens.py [--json]
"""

from __future__ import annotations

from typing import Any

import anyio
from _shared import check_source, compact, emit_json, tokens, verdict

TARGET_TOKENS = 6000
TARGET_READ_DIAGNOSE = 1500
PARTS = ("description", "inputSchema", "outputSchema")
REDUCED = ["read", "http"]
READ_DIAGNOSE = ["read", "diagnose"]


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


def strip_titles(value: Any) -> Any:
    """The schema without pydantic's auto-generated "title" keys (a what-if, for the diagnosis only)."""
    if isinstance(value, dict):
        return {k: strip_titles(v) for k, v in value.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(value, list):
        return [strip_titles(v) for v in value]
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
        + f"{'other':>7}"
    )
    for tool in wire:
        parts = breakdown(tool)
        other = sum(v for k, v in parts.items() if k not in PARTS)
        own = tokens(compact(tool))
        print(
            f"{tool['name']:<{width}}{toolset_of(tool['name']):<8}{own:>6}{own / total:>7.1%}"
            + "".join(f"{parts.get(p, 0):>13}" for p in PARTS)
            + f"{other:>7}"
        )
    sums = {p: sum(breakdown(tool).get(p, 0) for tool in wire) for p in PARTS}
    print(f"{'sum of fields':<{width + 8}}{'':>13}" + "".join(f"{sums[p]:>13}" for p in PARTS))
    print("('other' = name, title, annotations)")


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


def list_tokens(toolsets: list[str]) -> tuple[int, list[str]]:
    """tools/list tokens with only ``toolsets``, and the tools listed."""
    wire, _ = anyio.run(tool_list, toolsets)
    return tokens(compact({"tools": wire})), [tool["name"] for tool in wire]


def subsets(all_names: list[str]) -> dict[str, Any]:
    """tools/list with fewer toolsets: each alone, all but delete, read+diagnose (target), read+http."""
    from apigw_mcp.server.settings import TOOLSETS

    alone = {name: list_tokens([name])[0] for name in TOOLSETS}
    print(f"tools/list with one toolset alone (APIGW_MCP_TOOLSETS=<name>): {alone}")
    no_delete = list_tokens(["read", "http", "diagnose"])[0]
    print(f"tools/list with toolsets read,http,diagnose (all but delete): {no_delete}")
    read_diagnose, read_diagnose_names = list_tokens(READ_DIAGNOSE)
    print(
        f"tools/list with toolsets {','.join(READ_DIAGNOSE)} ({len(read_diagnose_names)} tools: "
        f"{', '.join(read_diagnose_names)}): {read_diagnose} tokens, target <= {TARGET_READ_DIAGNOSE}: "
        f"{verdict(read_diagnose, TARGET_READ_DIAGNOSE)}"
    )
    reduced, reduced_names = list_tokens(REDUCED)
    print(
        f"tools/list with toolsets {','.join(REDUCED)}: {reduced} tokens, {len(reduced_names)} tools; "
        f"left out: {', '.join(sorted(set(all_names) - set(reduced_names)))}"
    )
    return {
        "tools_list_by_toolset": alone,
        "tools_list_no_delete": no_delete,
        "tools_list_read_diagnose": {
            "toolsets": ",".join(READ_DIAGNOSE),
            "tokens": read_diagnose,
            "tools_count": len(read_diagnose_names),
        },
        "tools_list_reduced": {
            "toolsets": ",".join(REDUCED),
            "tokens": reduced,
            "tools_count": len(reduced_names),
        },
    }


def whatifs(wire: list[dict[str, Any]], total: int) -> None:
    """The whole list with one kind of content dropped (diagnosis only; the product is unchanged)."""
    whole = {"tools": wire}
    no_output = {"tools": [{k: v for k, v in tool.items() if k != "outputSchema"} for tool in wire]}
    reads = {tool["name"] for tool in wire if (tool.get("annotations") or {}).get("readOnlyHint")}
    mutating_no_output = {
        "tools": [
            {k: v for k, v in tool.items() if k != "outputSchema" or tool["name"] in reads} for tool in wire
        ]
    }
    no_annotations = {"tools": [{k: v for k, v in tool.items() if k != "annotations"} for tool in wire]}
    slim = strip_limits(strip_titles(mutating_no_output))
    rows = [
        ("as measured", total),
        ("without outputSchema (all tools)", tokens(compact(no_output))),
        (
            f"without outputSchema on the {len(wire) - len(reads)} mutating tools (one ChangeOutput each)",
            tokens(compact(mutating_no_output)),
        ),
        ("without annotations", tokens(compact(no_annotations))),
        ("without bounds, patterns, additionalProperties:false", tokens(compact(strip_limits(whole)))),
        ('without any "title" key (tool titles included)', tokens(compact(strip_titles(whole)))),
        ("mutating outputSchema, titles and bounds all dropped", tokens(compact(slim))),
    ]
    print("\nwhat-ifs, whole tools/list (diagnosis only; the product is unchanged):")
    for label, cost in rows:
        print(f"  {cost:>5}  {label}")
    copies: dict[str, list[int]] = {}
    for tool in wire:
        for name, schema in (tool.get("inputSchema", {}).get("$defs") or {}).items():
            copies.setdefault(name, []).append(tokens(compact(schema)))
    repeated = {name: sum(c[1:]) for name, c in copies.items() if len(c) > 1}
    print(f"  $defs repeated in more than one tool (tokens of the extra copies): {repeated}")


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
    smaller = subsets(list(per_tool))
    whatifs(wire, total)
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
            **smaller,
        }
    )


if __name__ == "__main__":
    main()
