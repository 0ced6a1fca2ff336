"""The README's settings table and tool table stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mcp import Client

from apigw_mcp.server.app import build_server
from apigw_mcp.server.settings import Settings, load_settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_settings_table_lists_every_setting() -> None:
    documented = set(re.findall(r"^\| `APIGW_MCP_([A-Z_]+)`", README, flags=re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}


@pytest.mark.anyio
async def test_tool_table_lists_every_tool_and_argument() -> None:
    server = build_server(load_settings(region="us-east-1", audit_log="off"))
    async with Client(server) as session:
        tools = (await session.list_tools()).tools
    rows = {
        m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| (.*?) \|", README, flags=re.MULTILINE)
    }
    for tool in tools:
        assert tool.name in rows, tool.name
        for argument in tool.input_schema.get("properties", {}):
            assert f"`{argument}" in rows[tool.name], (tool.name, argument)


@pytest.mark.anyio
async def test_skill_and_references_are_resources_and_prompts_start_workflows() -> None:
    server = build_server(load_settings(region="us-east-1", audit_log="off"))
    async with Client(server) as session:
        uris = {str(r.uri) for r in (await session.list_resources()).resources}
        skill = await session.read_resource("skill://api-gateway/SKILL.md")
        prompts = {p.name for p in (await session.list_prompts()).prompts}
        review = await session.get_prompt(
            "diagnose-api", {"api_id": "abc123", "symptom": "GET /orders gives 403"}
        )
    assert "skill://api-gateway/SKILL.md" in uris
    assert all(u.startswith("skill://api-gateway/") for u in uris)
    assert "name: api-gateway" in getattr(skill.contents[0], "text", "")
    assert prompts == {"new-http-api", "diagnose-api", "secure-api-review"}
    assert "diagnose_error" in str(review.messages[0].content)


@pytest.mark.anyio
async def test_annotations_follow_the_operations_table() -> None:
    from apigw_mcp.tools.engine.tool_operations import TOOL_OPERATIONS, tool_access

    server = build_server(load_settings(region="us-east-1", audit_log="off"))
    async with Client(server) as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == set(TOOL_OPERATIONS)
    for name, tool in tools.items():
        annotations = tool.annotations
        assert annotations is not None
        access = tool_access(name)
        assert bool(annotations.read_only_hint) == (access == "read"), name
        if access != "read":  # destructiveHint only means something for tools that write
            assert (annotations.destructive_hint is not False) == (access == "delete"), name


@pytest.mark.anyio
async def test_readme_lists_every_prompt_and_its_arguments() -> None:
    server = build_server(load_settings(region="us-east-1", audit_log="off"))
    async with Client(server) as session:
        prompts = (await session.list_prompts()).prompts
    section = README.split("## Prompts", 1)[1].split("\n## ", 1)[0]
    for prompt in prompts:
        assert f"`{prompt.name}`" in section, prompt.name
        for argument in prompt.arguments or []:
            suffix = "" if argument.required else "?"
            assert f"`{argument.name}{suffix}`" in section, (prompt.name, argument.name)


def test_every_command_line_flag_has_help() -> None:
    import argparse

    from apigw_mcp.server.cli import _parser

    def missing_help(parser: argparse.ArgumentParser) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += [f"{name} {flag}" for flag in missing_help(sub)]
            elif action.option_strings and not action.help:
                found.append(action.option_strings[-1])
        return found

    assert missing_help(_parser()) == []
