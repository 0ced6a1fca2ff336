"""The request path: host and percent-decoded segments, and how a path template matches them (pure)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_HOST = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?::\d+)?$")


def split_request(raw: str) -> tuple[str | None, tuple[str, ...]]:
    """The host (when ``raw`` is a URL) and the percent-decoded path segments, without query or empty ones."""
    text = raw.strip()
    host: str | None = None
    if "://" in text:
        parts = urlsplit(text)
        host, text = (parts.hostname or None), parts.path
    elif not text.startswith("/"):
        first, slash, rest = text.partition("/")
        if _HOST.match(first) and (slash or first.count(".") >= 2):
            host, text = first.split(":")[0].lower(), rest
    text = text.split("?", 1)[0].split("#", 1)[0]
    return host, tuple(unquote(s) for s in text.split("/") if s)


def template_ranks(template: str, segments: tuple[str, ...]) -> tuple[int, ...] | None:
    """Per segment how the template matches: 0 literal, 1 ``{param}``, 2 greedy; None when it does not."""
    parts = [p for p in template.split("/") if p]
    ranks: list[int] = []
    for i, part in enumerate(parts):
        if part.startswith("{") and part.endswith("+}"):
            return (*ranks, 2) if i == len(parts) - 1 and len(segments) > i else None
        if i >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            ranks.append(1)
        elif part == segments[i]:
            ranks.append(0)
        else:
            return None
    return tuple(ranks) if len(parts) == len(segments) else None


def as_path(segments: tuple[str, ...]) -> str:
    return "/" + "/".join(segments)
