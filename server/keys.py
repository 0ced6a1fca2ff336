"""The signing key for plan tokens and undo handles: from the settings, else generated once per user."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from apigw_mcp.tools.engine.signing import Signer, key_from_secret

from .settings import Settings, state_dir

KEY_FILE = "handle.key"


def signer_for(settings: Settings) -> Signer:
    if settings.handle_key is not None:
        return Signer(key_from_secret(settings.handle_key.get_secret_value()))
    return Signer(key_from_secret(_generated_secret(state_dir() / KEY_FILE)))


def _generated_secret(path: Path) -> str:
    """The per-user secret, created (mode 0600) on first use; a concurrent first use reads the winner's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic, and fails if another process got there first
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return _read(path)


def _read(path: Path) -> str:
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise OSError(f"{path} holds no usable signing key: delete it to have a new one generated")
    return secret
