"""Append-only JSONL audit log: one line per applied AWS call, never a secret."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apigw_mcp.tools.engine.redact import scrub


class AuditLog:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def record(self, **entry: Any) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        entry = scrub(json.loads(json.dumps(entry, default=str)))  # secret-shaped values in any field
        line = json.dumps({"time": datetime.now(UTC).isoformat(timespec="seconds"), **entry})
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
