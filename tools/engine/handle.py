"""Undo handles, whatever the API kind: a sealed, versioned, size-bounded record that names its kind.

A handle comes back through the conversation, so it is input like any argument: it is
sealed (AES-GCM with the server's key: an edited or forged handle is refused before it
is read, and nobody without the key can read the before-state it holds), and bounded in
size before and after decompression. What is inside is the kind's business: its ``kind``
field selects the kind that validates and restores it (``tools/kinds/<kind>/undo.py``).
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from apigw_mcp.tools.engine.signing import Signer

VERSION = 1
MAX_HANDLE = 64 * 1024
MAX_RECORD = 1024 * 1024
# Handles sealed before records named their kind were all of HTTP APIs.
UNNAMED_KIND = "http"
NOT_OURS = "not an undo handle from this server: pass the `undo` value of an apply unchanged"
_PREFIX = f"u{VERSION}"
_PURPOSE = "undo-handle"


def seal(record: dict[str, Any], signer: Signer) -> str:
    """The handle of ``record``, a JSON object whose ``kind`` names the kind that restores it."""
    raw = json.dumps(record, separators=(",", ":"), sort_keys=True)
    return f"{_PREFIX}.{signer.seal(_PURPOSE, zlib.compress(raw.encode(), 9))}"


def open_handle(handle: str, signer: Signer) -> tuple[str, dict[str, Any]]:
    """The kind and the record in ``handle``; ValueError when this server did not write it exactly so."""
    if len(handle) > MAX_HANDLE:
        raise ValueError(f"an undo handle is at most {MAX_HANDLE} characters; this is not one")
    version, _, sealed = handle.partition(".")
    if version != _PREFIX or not sealed:
        raise ValueError(NOT_OURS)
    compressed = signer.unseal(_PURPOSE, sealed)
    if compressed is None:
        raise ValueError(
            "undo handle does not open: it was edited, or made by a server with another APIGW_MCP_HANDLE_KEY"
        )
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(compressed, MAX_RECORD)
        if inflate.unconsumed_tail:
            raise ValueError("record too large")
        record = json.loads(raw)
    except (ValueError, RecursionError, zlib.error):
        raise ValueError(NOT_OURS) from None
    kind = record.get("kind", UNNAMED_KIND) if isinstance(record, dict) else None
    if not isinstance(kind, str):
        raise ValueError(NOT_OURS)
    return kind, record
