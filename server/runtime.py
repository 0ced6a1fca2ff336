"""What a tool call needs from the server: AWS access, the scope and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from apigw_mcp.tools.scope import Scope

from .audit import AuditLog
from .aws import AwsRuntime


@dataclass(frozen=True)
class Runtime:
    aws: AwsRuntime
    scope: Scope
    audit: AuditLog
