"""Keys for what the server hands out and takes back: signed plan tokens, sealed undo handles.

Both come back through the conversation, so both are input like any argument: a token
or a handle the server did not make (or one edited on the way) must be refused. Undo
handles are also sealed (AES-GCM), because they hold the before-state of an API, stage
variables included, which the conversation must not be able to read. The key comes from
the settings, so replicas behind one client share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MIN_KEY_BYTES = 32


class Signer:
    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the signing key must have at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def mac(self, purpose: str, data: bytes, size: int = 16) -> str:
        """A URL-safe signature of ``data`` for one ``purpose`` (a token never verifies as a handle)."""
        return base64.urlsafe_b64encode(self._digest(purpose, data)[:size]).decode().rstrip("=")

    def hex_mac(self, purpose: str, data: bytes, size: int = 8) -> str:
        return self._digest(purpose, data)[:size].hex()

    def _digest(self, purpose: str, data: bytes) -> bytes:
        return hmac.new(self._key, purpose.encode() + b"\0" + data, hashlib.sha256).digest()

    def verify(self, purpose: str, data: bytes, signature: str, size: int = 16) -> bool:
        return hmac.compare_digest(self.mac(purpose, data, size), signature)

    def seal(self, purpose: str, data: bytes) -> str:
        """``data`` encrypted and authenticated; the nonce is derived from the data, so sealing is pure."""
        nonce = self._digest(purpose + " nonce", data)[:12]
        sealed = self._aead().encrypt(nonce, data, purpose.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def unseal(self, purpose: str, text: str) -> bytes | None:
        """The sealed data, or None when ``text`` was not sealed by this key for this purpose."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            return self._aead().decrypt(raw[:12], raw[12:], purpose.encode())
        except (ValueError, InvalidTag):
            return None

    def _aead(self) -> AESGCM:
        return AESGCM(self._digest("aes-gcm key", b""))


def key_from_secret(secret: str) -> bytes:
    """A key from a configured secret of any form (at least 32 characters), so replicas derive the same."""
    if len(secret) < MIN_KEY_BYTES:
        raise ValueError(f"APIGW_MCP_HANDLE_KEY must have at least {MIN_KEY_BYTES} characters")
    return hashlib.sha256(b"apigw-mcp signing key\0" + secret.encode()).digest()
