"""What this server may touch: region, account, APIs, Lambda functions, deletes."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

MANAGED_TAG = "apigw-mcp:managed"


class Scope(BaseModel):
    model_config = ConfigDict(frozen=True)

    region: str
    account: str | None = None
    api_ids: tuple[str, ...] = ()
    api_name_prefixes: tuple[str, ...] = ()
    lambda_arns: tuple[str, ...] = ()
    read_only: bool = False
    allow_deletes: bool = False
    read_only_by: str = "APIGW_MCP_READ_ONLY=true"  # how read-only was set, for the refusal
    deletes_by: str = "APIGW_MCP_ALLOW_DELETES"  # where deletes are switched on

    def lambda_patterns(self, account: str) -> tuple[str, ...]:
        """Allowed Lambda ARN patterns; by default every function of this account and region."""
        return self.lambda_arns or (f"arn:aws:lambda:{self.region}:{account}:function:*",)


def is_managed(tags: Mapping[str, str] | None) -> bool:
    return (tags or {}).get(MANAGED_TAG) == "true"


def api_change_refusal(scope: Scope, api_id: str, name: str, tags: Mapping[str, str] | None) -> str | None:
    """None when the API may be changed, else the reason and the setting that would allow it."""
    if is_managed(tags) or api_id in scope.api_ids:
        return None
    if any(name.startswith(prefix) for prefix in scope.api_name_prefixes):
        return None
    return (
        f"API {api_id} ({name!r}) is not managed by apigw-mcp and not listed in scope; "
        f"add it with APIGW_MCP_API_IDS={api_id} (or --api-id {api_id}) to allow changes"
    )


def lambda_refusal(scope: Scope, arn: str, account: str) -> str | None:
    patterns = scope.lambda_patterns(account)
    if any(fnmatch.fnmatchcase(arn, pattern) for pattern in patterns):
        return None
    return (
        f"Lambda function {arn} is outside the allowed functions ({', '.join(patterns)}); "
        "set APIGW_MCP_LAMBDA_ARNS to allow it"
    )
