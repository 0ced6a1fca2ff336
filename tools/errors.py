"""One small error hierarchy; each becomes an actionable tool error at the edge."""

from __future__ import annotations

from pydantic import ValidationError


def validation_message(error: ValidationError) -> str:
    """pydantic's errors as 'field: message' pairs, without the rejected values (they may be secrets)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    )


class ApigwMcpError(Exception):
    """Base class: the message is what the user reads, so it must say what to do."""


class BadInput(ApigwMcpError):
    """An argument is invalid; names the field and what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class OutOfScope(ApigwMcpError):
    """A request touches something the server's scope does not allow."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"refused ({rule}): {message}")


class StalePlan(ApigwMcpError):
    """The plan token no longer matches what the live state and arguments produce."""


class AwsCallFailed(ApigwMcpError):
    """An AWS call failed; the message carries code, request id and advice. ``status``: HTTP, 0 if none."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        self.code = code
        self.status = status
        super().__init__(message)
