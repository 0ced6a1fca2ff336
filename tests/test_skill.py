"""The skill follows the Agent Skills format, names only tools the server has, and links files that exist.

A backticked span counts as a tool reference when it
  * is a call, ``name(...)`` with ``name`` in snake_case, or
  * is a bare snake_case identifier whose first word is an action verb (``list_apis``, ``add_route``), or
  * is the first cell of a row in SKILL.md's "Tools" section.
Argument and field names (``dry_run``, ``plan_token``, ``api_id``) start with no action verb, so they
are not tool references.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from mcp import Client

from apigw_mcp.server.app import build_server
from apigw_mcp.server.settings import load_settings

SKILL_DIR = Path(__file__).resolve().parents[1] / "skill"
SKILL = SKILL_DIR / "SKILL.md"
REFERENCES = sorted((SKILL_DIR / "references").glob("*.md"))
REQUIRED_REFERENCES = {"integrations", "authorization", "cors", "troubleshooting", "limits", "security"}

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VERBS = (
    "list|describe|create|add|update|delete|remove|configure|deploy|ensure|diagnose|audit|undo|get|put|set"
)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
CALL = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\(")
VERB_NAME = re.compile(rf"^(?:{VERBS})(?:_[a-z0-9]+)+$")
AWS_URL = re.compile(r"https://(?:docs\.aws\.amazon\.com|aws\.amazon\.com|repost\.aws)/\S+")
LINK = re.compile(r"\]\(((?!https?:|#)[^)#\s]+)(#[^)]*)?\)")


def split_frontmatter(text: str) -> tuple[dict[str, object], str]:
    lines = text.split("\n")
    assert lines[0] == "---", "SKILL.md must start with '---'"
    end = lines.index("---", 1)
    meta = yaml.safe_load("\n".join(lines[1:end]))
    assert isinstance(meta, dict)
    return {str(k): v for k, v in meta.items()}, "\n".join(lines[end + 1 :])


def tools_section_names(text: str) -> set[str]:
    """First-cell backticked names of table rows under a '## ...Tools...' heading."""
    names: set[str] = set()
    in_section = False
    for line in text.splitlines():
        if line.startswith("## "):
            in_section = line[3:].strip().lower() == "tools"
        elif in_section:
            match = re.match(r"^\| `([a-z_]+)` \|", line)
            if match:
                names.add(match.group(1))
    return names


def tool_references(text: str) -> set[str]:
    found = set()
    for span in CODE_SPAN.findall(text):
        call = CALL.match(span)
        if call:
            found.add(call.group(1))
        elif VERB_NAME.match(span):
            found.add(span)
    return found


async def server_tools() -> set[str]:
    async with Client(build_server(load_settings(region="us-east-1", audit_log="off"))) as client:
        return {tool.name for tool in (await client.list_tools()).tools}


def test_frontmatter_follows_agent_skills_format() -> None:
    meta, body = split_frontmatter(SKILL.read_text())
    name = meta.get("name")
    assert isinstance(name, str)
    assert NAME.match(name) and len(name) <= 64
    assert name == "api-gateway"
    description = meta.get("description")
    assert isinstance(description, str) and description.strip()
    assert len(description) <= 1024
    assert "Use when" in description, "the description says when to use the skill"
    assert len(body.splitlines()) < 500


def test_reference_extractor_rule() -> None:
    sample = "Call `describe_api(api_id)`, then `add_route`; pass `dry_run` and `plan_token`; `get_rest_api`."
    assert tool_references(sample) == {"describe_api", "add_route", "get_rest_api"}
    table = "## Tools\n\n| tool | use |\n|---|---|\n| `undo` | reverse |\n\n## Next\n| `x_y` | no |\n"
    assert tools_section_names(table) == {"undo"}


@pytest.mark.anyio
async def test_every_tool_named_exists_in_the_server() -> None:
    tools = await server_tools()
    skill = SKILL.read_text()
    listed = tools_section_names(skill)
    assert listed == tools, "the Tools section lists exactly the server's tools"
    for path in [SKILL, *REFERENCES]:
        unknown = tool_references(path.read_text()) - tools
        assert not unknown, f"{path.name} names tools the server lacks: {sorted(unknown)}"


def test_reference_files_exist_and_are_linked() -> None:
    assert {path.stem for path in REFERENCES} >= REQUIRED_REFERENCES
    skill = SKILL.read_text()
    linked = {match.group(1) for match in LINK.finditer(skill)}
    assert {f"references/{name}.md" for name in REQUIRED_REFERENCES} <= linked
    for path in [SKILL, *REFERENCES]:
        for match in LINK.finditer(path.read_text()):
            target = (path.parent / match.group(1)).resolve()
            assert target.is_file(), f"{path.name} links missing {match.group(1)}"


def test_reference_files_cite_aws_pages() -> None:
    for path in REFERENCES:
        urls = AWS_URL.findall(path.read_text())
        assert len(urls) >= 5, f"{path.name} cites too few AWS pages"
