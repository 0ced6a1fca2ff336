"""What a tool call needs from the server: AWS access, the scope, the audit log and the signing key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from apigw_mcp.tools.engine.scope import Scope
from apigw_mcp.tools.engine.signing import Signer

from .audit import AuditLog
from .aws import AwsRuntime
from .keys import signer_for


@dataclass(frozen=True)
class Runtime:
    aws: AwsRuntime
    scope: Scope
    audit: AuditLog

    @cached_property
    def signer(self) -> Signer:
        """Loaded on first use, so start-up reads and writes no file."""
        return signer_for(self.aws.settings)
