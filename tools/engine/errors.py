"""One small error hierarchy; each becomes an actionable tool error at the edge."""

from __future__ import annotations

from pydantic import ValidationError

_SHOWN_ERRORS = 5
_LONGEST = 200


def validation_message(error: ValidationError) -> str:
    """pydantic's errors as one line of 'field: message' pairs, without the rejected values (they may be
    secrets); field names a caller made up are escaped, and every part is bounded."""
    errors = error.errors()
    parts = [
        f"{_bounded('.'.join(_shown(p) for p in e['loc'])) or 'arguments'}: "
        f"{_bounded(e['msg'].removeprefix('Value error, '))}"
        for e in errors[:_SHOWN_ERRORS]
    ]
    more = len(errors) - _SHOWN_ERRORS
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _shown(part: object) -> str:
    text = str(part)
    return text if text.isprintable() else text.encode("unicode_escape").decode()


def _bounded(text: str, limit: int = _LONGEST) -> str:
    flat = " ".join(text.split()) if not text.isprintable() else text
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class ApigwMcpError(Exception):
    """Base class: the message is what the user reads, so it must say what to do."""


class BadInput(ApigwMcpError):
    """An argument is invalid; names the field and what is allowed (one line, bounded)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{_bounded(_shown(field))}: {_bounded(message, 400)}")


class OutOfScope(ApigwMcpError):
    """A request touches something the server's scope does not allow (one line, bounded)."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"refused ({rule}): {_bounded(message, 800)}")


class StalePlan(ApigwMcpError):
    """The plan token no longer matches what the live state and arguments produce."""


class AwsCallFailed(ApigwMcpError):
    """An AWS call failed; the message carries code, request id and advice. ``status``: HTTP, 0 if none."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        self.code = code
        self.status = status
        super().__init__(message)
