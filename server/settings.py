"""Server settings from ``APIGW_MCP_*`` environment variables, overridden by CLI flags."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from apigw_mcp.tools.engine.scope import Scope

TOOLSETS: dict[str, tuple[str, ...]] = {
    "read": ("list_apis", "describe_api", "list_functions"),
    "http": (
        "create_http_api",
        "add_route",
        "update_route",
        "configure_cors",
        "add_jwt_authorizer",
        "add_lambda_authorizer",
        "deploy_stage",
        "ensure_lambda_permission",
        "undo",
    ),
    "rest": ("create_rest_api", "configure_usage_plan"),
    "delete": ("delete_api", "delete_stage", "delete_route"),
    "diagnose": ("diagnose_error", "audit_api"),
}
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
CommaList = Annotated[list[str], NoDecode]


def state_dir() -> Path:
    """Where per-user state lives: the audit log and the generated signing key."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "apigw-mcp"


def default_audit_log() -> str:
    return str(state_dir() / "audit.jsonl")


class Settings(BaseSettings):
    """Every field is documented in the README's settings table (a test keeps them in step)."""

    model_config = SettingsConfigDict(env_prefix="APIGW_MCP_", extra="forbid", frozen=True)

    region: str | None = Field(
        None,
        validation_alias=AliasChoices("APIGW_MCP_REGION", "AWS_REGION", "AWS_DEFAULT_REGION", "region"),
        description="AWS region the server works in (required; no default)",
    )
    profile: str | None = Field(None, description="AWS profile for credentials")
    endpoint_url: str | None = Field(None, description="AWS endpoint override (set by --sandbox)")
    account: str | None = Field(
        None, description="refuse to act unless the credentials are for this account id"
    )
    api_ids: CommaList = Field(default_factory=list, description="ids of existing APIs that may be changed")
    api_name_prefixes: CommaList = Field(
        default_factory=list, description="API name prefixes that may be changed"
    )
    lambda_arns: CommaList = Field(
        default_factory=list, description="allowed Lambda ARN patterns (default: this account and region)"
    )
    read_only: bool = Field(False, description="refuse every write")
    allow_deletes: bool = Field(False, description="allow plans that delete resources")
    toolsets: CommaList = Field(
        default_factory=lambda: list(TOOLSETS), description=f"tool groups to expose: {', '.join(TOOLSETS)}"
    )
    audit_log: str = Field(default_factory=default_audit_log, description="JSONL audit log path, or 'off'")
    http_token: SecretStr | None = Field(
        None,
        description="bearer token every HTTP client must send (Authorization: Bearer ...); "
        "required to serve HTTP off loopback",
    )
    allowed_hosts: CommaList = Field(
        default_factory=list,
        description="Host header values the HTTP transport accepts (host:port or host:*); "
        "required to serve HTTP off loopback",
    )
    allowed_origins: CommaList = Field(
        default_factory=list,
        description="browser Origin values the HTTP transport accepts (default: none off loopback)",
    )
    handle_key: SecretStr | None = Field(
        None,
        description="secret (32+ characters) that signs plan tokens and undo handles; "
        "replicas behind one client share it (default: generated per user)",
    )

    _given: frozenset[str] = PrivateAttr(default=frozenset())  # set by flags rather than the environment

    @field_validator(
        "api_ids",
        "api_name_prefixes",
        "lambda_arns",
        "toolsets",
        "allowed_hosts",
        "allowed_origins",
        mode="before",
    )
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("toolsets")
    @classmethod
    def _toolsets(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(TOOLSETS))
        if unknown:
            raise ValueError(f"unknown toolset {unknown[0]!r}: choose from {', '.join(TOOLSETS)}")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.fullmatch(value):
            raise ValueError(f"{value!r} is not an AWS region name such as us-east-1")
        return value

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{12}", value):
            raise ValueError(f"{value!r} is not a 12-digit AWS account id")
        return value

    def require_region(self) -> str:
        if self.region is None:
            raise SettingsError(
                "no AWS region set: export APIGW_MCP_REGION=us-east-1 (or AWS_REGION), or pass --region"
            )
        return self.region

    def scope(self) -> Scope:
        return Scope(
            region=self.require_region(),
            account=self.account,
            api_ids=tuple(self.api_ids),
            api_name_prefixes=tuple(self.api_name_prefixes),
            lambda_arns=tuple(self.lambda_arns),
            read_only=self.read_only,
            allow_deletes=self.allow_deletes,
            read_only_by="--read-only" if "read_only" in self._given else "APIGW_MCP_READ_ONLY=true",
            deletes_by="--allow-deletes" if "allow_deletes" in self._given else "APIGW_MCP_ALLOW_DELETES",
        )

    @property
    def audit_path(self) -> Path | None:
        return None if self.audit_log.lower() in ("off", "", "none") else Path(self.audit_log).expanduser()


class SettingsError(Exception):
    """Bad or missing settings; printed as one line at start."""


def load_settings(**overrides: object) -> Settings:
    """Environment plus CLI overrides (None means 'not given'); one-line SettingsError on bad values."""
    given = {k: v for k, v in overrides.items() if v is not None and v != []}
    try:
        settings = Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        raise SettingsError(f"setting {field}: {first['msg'].removeprefix('Value error, ')}") from None
    settings.require_region()
    settings._given = frozenset(given)
    return settings
