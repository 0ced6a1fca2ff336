"""Small helpers shared by the CLI commands."""

from __future__ import annotations

import os


def sandbox_credentials() -> None:
    """The sandbox accepts any credentials; fake ones keep real ones from ever being sent to it."""
    fake = "testing"
    os.environ.update(AWS_ACCESS_KEY_ID=fake, AWS_SECRET_ACCESS_KEY=fake, AWS_SESSION_TOKEN=fake)
    for name in ("AWS_PROFILE", "APIGW_MCP_PROFILE"):
        os.environ.pop(name, None)
