"""Integration targets must be public HTTPS hosts, judged as written (no DNS).

``socket.inet_aton`` is used only as a parser: it reads every IPv4 literal form
browsers and libc accept (``127.1``, ``0x7f000001``, ``2130706433``, octal parts),
which is exactly the set an attacker would try. A host that is not ASCII is first
mapped the way resolvers map it (IDNA with UTS #46: fullwidth digits and dots, the
ideographic full stop), so fullwidth ``127.0.0.1`` is judged as ASCII ``127.0.0.1``; and it is
refused either way, since what reaches AWS must be the form that was judged.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import idna

_METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal", "metadata.aws"}
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_PRIVATE_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".intranet", ".corp", ".home.arpa")


def url_refusal(url: str) -> str | None:
    """None when ``url`` is an acceptable public HTTPS target, else why not."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return "must not contain whitespace or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme != "https":
        return "must use https://"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (user:password@); use an authorizer or a header mapping"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "has no host"
    if port == 0:
        return "port 0 is not a valid port"
    return host_refusal(host)


def host_refusal(host: str) -> str | None:
    host = host.lower().strip("[]")
    if not host.isascii():
        return _unicode_host_refusal(host)
    if "%" in host:
        return f"host {host!r} has an encoded or zoned part; write the plain host name"
    address = _as_ip(host)
    if address is not None:
        return _ip_refusal(host, address)
    if host == "localhost" or host in _METADATA_NAMES or host.endswith(_PRIVATE_SUFFIXES):
        return f"host {host!r} is a loopback, metadata or private name"
    if "." not in host:
        return f"host {host!r} is not a fully qualified public name"
    return None


def _unicode_host_refusal(host: str) -> str:
    try:
        ascii_host = idna.encode(host, uts46=True, transitional=False).decode().rstrip(".")
    except idna.IDNAError:
        return f"host {host!r} is not a valid internationalised domain name"
    refusal = host_refusal(ascii_host)
    if refusal is not None:
        return f"host {host!r} maps to {ascii_host!r}: {refusal}"
    return f"host {host!r} is not ASCII: write it as {ascii_host!r}"


def _as_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    if all(c in "0123456789abcdefx." for c in host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _ip_refusal(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    embedded: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        embedded += [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
        low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address in _NAT64 or int(address) >> 32 == 0:
            embedded.append(low32)  # NAT64 (64:ff9b::/96) and IPv4-compatible (::a.b.c.d) forms
        if address.teredo is not None:
            embedded += list(address.teredo)
    if all(a.is_global and not a.is_multicast for a in embedded):
        return None
    return f"host {host!r} is a loopback, private, link-local, metadata or reserved address"
