"""HTTP API CORS configuration: what AWS accepts and what does not silently break browsers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from apigw_mcp.tools.engine.validate import HTTP_METHODS

_ORIGIN = re.compile(r"(https?)://(\*|[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?")
_HEADER = re.compile(r"\*|[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _origin(value: str) -> str:
    if value == "*":
        return value
    match = _ORIGIN.fullmatch(value)
    if match is None:
        raise ValueError(f"origin {value!r} must be '*' or scheme://host[:port] with no path or trailing '/'")
    if match.group(2) == "*" and match.group(3):
        raise ValueError(f"origin {value!r}: a wildcard host takes no port")
    return value


def _method(value: str) -> str:
    upper = value.upper()
    if upper != "*" and (upper not in HTTP_METHODS or upper == "ANY"):
        raise ValueError(
            f"method {value!r} must be '*' or one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
        )
    return upper


def _header(value: str) -> str:
    if not _HEADER.fullmatch(value):
        raise ValueError(f"header {value!r} is not a valid header name (or '*')")
    return value.lower()


Origin = Annotated[str, AfterValidator(_origin)]
Method = Annotated[str, AfterValidator(_method)]
Header = Annotated[str, AfterValidator(_header)]


class Cors(BaseModel):
    """CORS for an HTTP API; API Gateway then answers preflight itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_origins: list[Origin] = Field(min_length=1)
    allow_methods: list[Method] = Field(default_factory=lambda: ["*"])
    allow_headers: list[Header] = Field(default_factory=list)
    expose_headers: list[Header] = Field(default_factory=list)
    max_age: int | None = Field(None, ge=-1, le=86400)
    allow_credentials: bool = False

    @model_validator(mode="after")
    def _credentials_need_explicit_origins(self) -> Cors:
        if self.allow_credentials and any("*" in origin for origin in self.allow_origins):
            raise ValueError(
                "allow_credentials=true needs explicit origins: "
                "browsers reject a wildcard origin with credentials"
            )
        return self

    def to_aws(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "AllowOrigins": sorted(set(self.allow_origins)),
            "AllowMethods": sorted(set(self.allow_methods)),
        }
        if self.allow_credentials:  # false is AWS's default: left out
            config["AllowCredentials"] = True
        if self.allow_headers:
            config["AllowHeaders"] = sorted(set(self.allow_headers))
        if self.expose_headers:
            config["ExposeHeaders"] = sorted(set(self.expose_headers))
        if self.max_age is not None:
            config["MaxAge"] = self.max_age
        return config


def normalise_live(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """A live CorsConfiguration in the same canonical form as ``Cors.to_aws``."""
    if not config:
        return None
    out: dict[str, Any] = {"AllowCredentials": True} if config.get("AllowCredentials") else {}
    for key, lower in (
        ("AllowOrigins", False),
        ("AllowMethods", False),
        ("AllowHeaders", True),
        ("ExposeHeaders", True),
    ):
        values = config.get(key) or []
        if key == "AllowMethods":
            values = [v.upper() for v in values]
        if values:
            out[key] = sorted({v.lower() if lower else v for v in values})
    if config.get("MaxAge") is not None:
        out["MaxAge"] = config["MaxAge"]
    return out
