"""Secrets never leave the server: masked by the name they are kept under and by their form.

By name: a value kept under a secret-sounding key (``API_KEY``, ``dbPassword``,
``Authorization``, ``value`` of an API key) is masked, at any depth. By form: JWTs,
AWS access key ids and secret keys, bearer tokens, private keys and common vendor
token prefixes are masked wherever they appear in text, so a secret put into a stage
variable called ``X`` or quoted in an AWS error message is caught too.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "***"
_IAM_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|\*):(role|user)/[\w+=,.@/*-]+$")
_SECRET_NAME = re.compile(
    r"(?i)(^value$|secret|passw|^token$|[-_]token$|^authorization$|api[-_]?key$|(^|[-_])credentials?$|"
    r"private[-_]?key$|session[-_]?token$)"
)
_SECRET_FORMS = re.compile(
    "|".join(
        (
            r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",  # a JWT
            r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",  # an AWS access key id
            # an AWS secret access key: 40 of base64's characters, mixed case and digits, standing alone
            r"(?<![A-Za-z0-9/+=_.:-])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*\d)"
            r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_.-])",
            r"[Bb][Ee][Aa][Rr][Ee][Rr]\s+[A-Za-z0-9._~+/-]{8,}=*",
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}",
            r"\bgh[pousr]_[A-Za-z0-9]{30,}",
            r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
            r"(?<=://)[^/@\s:]*:[^/@\s]+(?=@)",  # user:password in a URL
        )
    )
)


# A secret-named key and its quoted value inside text (a mapping template, a JSON string, a query):
# the value is masked, the key kept, so ``{"api_key": "abc..."}`` reads ``{"api_key": "***"}``.
_NAMED_IN_TEXT = re.compile(
    r"""(?i)((?<![\w.])["']?(?:[\w-]*(?:secret|passw(?:or)?d|api[-_]?key|token|credentials?)|authorization)["']?"""
    r"""\s*[:=]\s*)(["'])(?!\$)([^"'\n]{4,})\2"""
)


def redact_text(text: str) -> str:
    """``text`` with every secret-shaped value masked."""
    text = _NAMED_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    return _SECRET_FORMS.sub(MASK, text)


def scrub(value: Any) -> Any:
    """A copy of ``value`` with secret-shaped strings masked at any depth, keys included (a route key
    can hold one)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {redact_text(k) if isinstance(k, str) else k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def redact(value: Any) -> Any:
    """A copy of AWS parameters or settings with secret-named values and secret-shaped strings masked."""
    if isinstance(value, dict):
        if "op" in value and "path" in value:  # a patch operation: its value is secret if its path is
            secret = bool(_SECRET_NAME.search(str(value["path"]).rsplit("/", 1)[-1]))
            return {k: MASK if k == "value" and secret else redact(v) for k, v in value.items()}
        return {k: MASK if _secret_named(k, v) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return scrub(value)


def _secret_named(key: object, value: Any) -> bool:
    # An IAM ARN (a REST integration's or authorizer's ``credentials`` role) names who, not a secret.
    role = isinstance(value, str) and bool(_IAM_ARN.match(value))
    if isinstance(key, str) and key.lower().endswith("credentials") and role:
        return False
    return isinstance(key, str) and bool(_SECRET_NAME.search(key)) and value not in (None, "", {}, [])
