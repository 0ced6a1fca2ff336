"""The packaging manifests keep to their published formats and to this project; the wheel installs on its own.

Formats followed (required fields, name patterns, path rules), as documented at:

- Claude Code plugin manifest and layout (``.claude-plugin/plugin.json``, ``skills/<name>/SKILL.md``,
  ``.mcp.json`` at the plugin root, paths relative and starting with ``./``, symlinks followed when a
  plugin is copied to the cache): https://code.claude.com/docs/en/plugins-reference
  and https://code.claude.com/docs/en/plugins/manifest-reference
- Plugin name pattern ``^[a-z][a-z0-9]*(-[a-z0-9]+)*$``:
  https://github.com/anthropics/claude-code/blob/main/plugins/plugin-dev/skills/plugin-structure/references/manifest-reference.md
- Claude Code marketplace (``.claude-plugin/marketplace.json``: ``name``, ``owner.name``, ``plugins[]`` with
  ``name`` and ``source``; reserved names; version in one place only):
  https://code.claude.com/docs/en/plugin-marketplaces
- ``.mcp.json`` server entries (``command``, ``args``, ``env``): https://code.claude.com/docs/en/mcp
- MCP registry ``server.json`` (schema 2025-12-11: ``name`` reverse-DNS with one slash, ``description``
  at most 100 characters, ``packages[]`` with ``registryType``, ``identifier``, ``version``, ``transport``,
  ``environmentVariables[]`` with ``name``, ``isRequired``, ``isSecret``, ``format``):
  https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json
  https://github.com/modelcontextprotocol/registry/blob/main/docs/reference/server-json/generic-server-json.md
  https://github.com/modelcontextprotocol/registry/blob/main/docs/reference/server-json/official-registry-requirements.md
- PyPI packages in the MCP registry (``registryType: pypi``, ``https://pypi.org`` only, ownership shown by
  ``mcp-name: <server name>`` in the README): https://modelcontextprotocol.io/registry/package-types
- The registry's own name check (namespace and name start and end alphanumeric):
  https://github.com/modelcontextprotocol/registry/blob/main/internal/validators/validators.go
- Semantic versions: https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from apigw_mcp.server.cli import _parser
from apigw_mcp.server.settings import Settings

from .conftest import SERIAL
from .helpers import orders_request, text_of

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
RESERVED_MARKETPLACES = {
    "claude-code-marketplace",
    "claude-code-plugins",
    "claude-plugins-official",
    "anthropic-marketplace",
    "anthropic-plugins",
    "agent-skills",
    "life-sciences",
}
PLUGIN_METADATA = {
    "name": str,
    "version": str,
    "description": str,
    "author": dict,
    "homepage": str,
    "repository": str,
    "license": str,
    "keywords": list,
}
PLUGIN_COMPONENTS = {"commands", "agents", "skills", "hooks", "mcpServers", "outputStyles", "lspServers"}
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SERVER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]/[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$")
INPUT_FORMATS = {"string", "number", "boolean", "filepath"}
VERSION_RANGE = re.compile(r"^\s*(\^|~|>=|<=|>|<|=)|\|\||\s-\s|(^|\.)[xX*](\.|$|-)")


def load(relative: str) -> dict[str, Any]:
    data = json.loads((ROOT / relative).read_text())
    assert isinstance(data, dict), relative
    return data


def env_names() -> set[str]:
    return {f"APIGW_MCP_{field.upper()}" for field in Settings.model_fields}


def plugin_path(value: str) -> Path:
    """A component path as the plugin docs require it: relative, ``./``-prefixed, inside the plugin root."""
    assert value.startswith("./"), value
    assert "\\" not in value and ".." not in Path(value).parts, value
    return ROOT / value


def frontmatter(skill_md: Path) -> dict[str, str]:
    text = skill_md.read_text()
    match = re.match(r"^---\n(.*?)\n---\n", text, flags=re.DOTALL)
    assert match, skill_md
    return dict(line.split(": ", 1) for line in match.group(1).splitlines() if ": " in line)


# --- Claude Code plugin ---------------------------------------------------------------------------------


def test_plugin_manifest_fields() -> None:
    plugin = load(".claude-plugin/plugin.json")
    assert KEBAB.fullmatch(plugin["name"]), plugin["name"]
    assert plugin["name"] == PYPROJECT["name"]
    assert SEMVER.fullmatch(plugin["version"]) and plugin["version"] == PYPROJECT["version"]
    assert plugin["license"] == PYPROJECT["license"]
    for field, kind in PLUGIN_METADATA.items():
        if field in plugin:
            assert isinstance(plugin[field], kind), field
    assert isinstance(plugin["author"]["name"], str) and plugin["author"]["name"]
    assert all(isinstance(k, str) and k for k in plugin["keywords"])
    assert set(plugin) <= set(PLUGIN_METADATA) | PLUGIN_COMPONENTS, set(plugin)
    for field in PLUGIN_COMPONENTS & set(plugin):
        paths = plugin[field] if isinstance(plugin[field], list) else [plugin[field]]
        for path in paths:
            if isinstance(path, str):
                assert plugin_path(path).exists(), path


def test_plugin_components_sit_at_the_plugin_root() -> None:
    assert sorted(p.name for p in (ROOT / ".claude-plugin").iterdir()) == ["marketplace.json", "plugin.json"]
    assert (ROOT / ".mcp.json").is_file()
    assert (ROOT / "skills").is_dir()


def test_marketplace_fields_and_sources() -> None:
    market = load(".claude-plugin/marketplace.json")
    assert KEBAB.fullmatch(market["name"]) and market["name"] not in RESERVED_MARKETPLACES
    assert isinstance(market["owner"]["name"], str) and market["owner"]["name"]
    assert isinstance(market["metadata"]["description"], str)
    entries = market["plugins"]
    assert entries and len({e["name"] for e in entries}) == len(entries)
    for entry in entries:
        assert KEBAB.fullmatch(entry["name"]), entry["name"]
        assert isinstance(entry["description"], str) and entry["description"]
        source = plugin_path(entry["source"])
        manifest = json.loads((source / ".claude-plugin" / "plugin.json").read_text())
        assert manifest["name"] == entry["name"]
        # "avoid setting the version in both places": plugin.json carries it.
        assert "version" not in entry
        assert entry.get("license", manifest.get("license")) == manifest.get("license")


def test_mcp_json_starts_the_server_with_uvx() -> None:
    servers = load(".mcp.json")["mcpServers"]
    assert set(servers) == {PYPROJECT["name"]}
    server = servers[PYPROJECT["name"]]
    assert set(server) <= {"command", "args", "env", "cwd", "type"}
    assert server["command"] == "uvx"
    assert server["args"] == [PYPROJECT["name"], "serve"]
    assert all(isinstance(a, str) for a in server["args"])
    assert set(server.get("env", {})) <= env_names()
    assert PYPROJECT["scripts"][PYPROJECT["name"]] == "apigw_mcp.server.cli:main"
    assert _parser().parse_args(server["args"][1:]).command == "serve"


def test_skills_layout_is_the_one_skill_copy() -> None:
    link = ROOT / "skills" / "api-gateway"
    assert link.is_symlink(), "skills/api-gateway must link to skill/, not copy it"
    target = Path(os.readlink(link))
    assert not target.is_absolute()
    assert link.resolve() == (ROOT / "skill").resolve()
    assert ROOT.resolve() in link.resolve().parents, "the link must stay inside the plugin root"
    assert (link / "SKILL.md").resolve() == (ROOT / "skill" / "SKILL.md").resolve()
    for skill_dir in (ROOT / "skills").iterdir():
        assert frontmatter(skill_dir / "SKILL.md")["name"] == skill_dir.name


# --- MCP registry server.json ---------------------------------------------------------------------------


def test_server_json_top_level() -> None:
    server = load("server.json")
    assert server["$schema"] == SCHEMA_URL
    name = server["name"]
    assert SERVER_NAME.fullmatch(name) and name.count("/") == 1 and 3 <= len(name) <= 200, name
    assert name.startswith("io.github.") and name.split("/")[1] == PYPROJECT["name"]
    assert 1 <= len(server["description"]) <= 100
    assert 1 <= len(server.get("title", "x")) <= 100
    assert SEMVER.fullmatch(server["version"]) and server["version"] == PYPROJECT["version"]
    assert set(server) <= {
        "$schema",
        "name",
        "title",
        "description",
        "version",
        "repository",
        "websiteUrl",
        "icons",
        "packages",
        "remotes",
        "_meta",
    }


def test_readme_carries_the_registry_ownership_marker() -> None:
    name = load("server.json")["name"]
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"mcp-name: {re.escape(name)}(\s|<|-->|$)", readme), name


def test_server_json_packages() -> None:
    server = load("server.json")
    packages = server["packages"]
    assert {p["transport"]["type"] for p in packages} == {"stdio", "streamable-http"}
    settings = {f"APIGW_MCP_{n.upper()}": f for n, f in Settings.model_fields.items()}
    for package in packages:
        assert {"registryType", "identifier", "version", "transport"} <= set(package)
        assert package["registryType"] == "pypi" and package["registryBaseUrl"] == "https://pypi.org"
        assert package["identifier"] == PYPROJECT["name"] and " " not in package["identifier"]
        assert package["version"] == PYPROJECT["version"] and package["version"] != "latest"
        assert not VERSION_RANGE.search(package["version"])
        assert package["runtimeHint"] == "uvx"
        transport = package["transport"]
        if transport["type"] == "stdio":
            assert set(transport) == {"type"}
        else:
            assert re.fullmatch(r"https?://[^\s]+", transport["url"]), transport
        argv = []
        for argument in package["packageArguments"]:
            assert argument["type"] in {"positional", "named"}
            if argument["type"] == "positional":
                assert "value" in argument or "valueHint" in argument
            else:
                assert re.fullmatch(r"-{1,2}[a-z][a-z-]*", argument["name"]), argument
                argv.append(argument["name"])
                assert not argument.get("value", "").startswith(argument["name"])
            argv.append(argument["value"])
        assert argv[0] == "serve" and _parser().parse_args(argv).command == "serve"
        variables = package["environmentVariables"]
        assert [v["name"] for v in variables] == list(settings), "one entry per setting, in order"
        for variable in variables:
            field = settings[variable["name"]]
            assert isinstance(variable["description"], str) and variable["description"]
            secret = "SecretStr" in str(field.annotation)
            assert variable["isSecret"] is secret, variable["name"]
            assert variable["isRequired"] is (variable["name"] == "APIGW_MCP_REGION")
            assert variable["format"] in INPUT_FORMATS
            assert (variable["format"] == "boolean") is (field.annotation is bool), variable["name"]
            if "default" in variable:
                assert isinstance(variable["default"], str)
                if field.annotation is bool:
                    assert variable["default"] == str(field.default).lower()
    assert {v["name"] for v in packages[0]["environmentVariables"]} == env_names()


def test_stdio_package_and_plugin_run_the_same_command() -> None:
    stdio = next(p for p in load("server.json")["packages"] if p["transport"]["type"] == "stdio")
    mcp = load(".mcp.json")["mcpServers"][PYPROJECT["name"]]
    assert [mcp["command"], *mcp["args"]] == [
        stdio["runtimeHint"],
        stdio["identifier"],
        *(a["value"] for a in stdio["packageArguments"]),
    ]


# --- the wheel ------------------------------------------------------------------------------------------


@SERIAL
def test_wheel_carries_the_skill_once(built_wheel: Path) -> None:
    with zipfile.ZipFile(built_wheel) as wheel:
        names = wheel.namelist()
        assert len(names) == len(set(names)), "duplicate entries in the wheel"
        assert "apigw_mcp/skill/SKILL.md" in names
        assert not [n for n in names if "skills/" in n or (n.endswith("SKILL.md") and "/skill/" not in n)]
        assert wheel.read("apigw_mcp/skill/SKILL.md") == (ROOT / "skill" / "SKILL.md").read_bytes()
        skill_files = {n.removeprefix("apigw_mcp/skill/") for n in names if n.startswith("apigw_mcp/skill/")}
    expected = {str(p.relative_to(ROOT / "skill")) for p in (ROOT / "skill").rglob("*") if p.is_file()}
    assert skill_files == {e for e in expected if "__pycache__" not in e}


def fresh_env() -> dict[str, str]:
    """No AWS or APIGW_MCP settings and no PYTHONPATH: only what the wheel installed is importable."""
    drop = ("AWS_", "APIGW_MCP_", "PYTHON", "VIRTUAL_ENV")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(drop)}, "APIGW_MCP_AUDIT_LOG": "off"}


@SERIAL
@pytest.mark.anyio
async def test_wheel_with_sandbox_extra_serves_from_a_fresh_venv(built_wheel: Path, tmp_path: Path) -> None:
    """What ``uvx --from 'apigw-mcp[sandbox]' apigw-mcp serve --sandbox`` does, with pip into a new venv."""
    home = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(home)
    python, script = home / "bin" / "python", home / "bin" / "apigw-mcp"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"{built_wheel}[sandbox]"],
        check=True,
        capture_output=True,
        timeout=600,
        cwd=tmp_path,
        env=fresh_env(),
    )
    version = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=fresh_env()
    )
    assert version.stdout.strip() == f"apigw-mcp {PYPROJECT['version']}", version.stderr
    params = StdioServerParameters(
        command=str(script), args=["serve", "--sandbox"], env=fresh_env(), cwd=str(tmp_path)
    )
    async with Client(params, read_timeout_seconds=60) as session:
        assert {"list_apis", "create_http_api"} <= {t.name for t in (await session.list_tools()).tools}
        skill = await session.read_resource("skill://api-gateway/SKILL.md")
        assert "name: api-gateway" in getattr(skill.contents[0], "text", "")
        result = await session.call_tool("create_http_api", orders_request())
        assert not result.is_error, text_of(result)
        assert json.loads(text_of(result)) == result.structured_content, "the text is the same object"
        assert "plan_token=plan.token" in (result.structured_content or {})["next"]
