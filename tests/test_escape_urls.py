"""Escape suite, SSRF: no URL-taking field lets a non-public or non-HTTPS target through.

Every form of every address row (IPv4 literal forms of loopback and metadata, private
ranges, IPv6 and its embeddings, metadata and private names, Unicode forms that IDNA maps
onto them, other schemes, credentials, whitespace, encodings, bad ports) is tried in each
field that takes a URL: a route's url (create_http_api and add_route), update_route's
change.url, and the JWT issuer (add_jwt_authorizer and create_http_api authorizers). Each
is refused naming the field, before any AWS write. Hosts are judged as written, so public
names that happen to resolve to private addresses are out of this table by design.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from .escape_support import (
    Attempt,
    Call,
    World,
    add_route,
    attempt,
    create,
    create_route,
    ids,
    jwt_authorizer,
    open_world,
    row,
    update_route,
)
from .helpers import FUNCTION

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

BLOCKED = "loopback, private, link-local, metadata or reserved address"
PRIVATE_NAME = "loopback, metadata or private name"
UNICODE = "maps to"
# (id, url, fragment of the reason). No URL ends in '/', so an issuer is refused for its host, not its slash.
URLS: list[tuple[str, str, str]] = [
    ("v4-dotted-loopback", "https://127.0.0.1/x", BLOCKED),
    ("v4-decimal-loopback", "https://2130706433/x", BLOCKED),
    ("v4-hex-loopback", "https://0x7f000001/x", BLOCKED),
    ("v4-octal-loopback", "https://0177.0.0.1/x", BLOCKED),
    ("v4-hex-dotted-loopback", "https://0x7f.0.0.1/x", BLOCKED),
    ("v4-short-loopback", "https://127.1/x", BLOCKED),
    ("v4-loopback-other", "https://127.255.255.254/x", BLOCKED),
    ("v4-unspecified", "https://0.0.0.0/x", BLOCKED),
    ("v4-zero", "https://0/x", BLOCKED),
    ("v4-metadata", "https://169.254.169.254/latest", BLOCKED),
    ("v4-decimal-metadata", "https://2852039166/latest", BLOCKED),
    ("v4-hex-metadata", "https://0xa9fea9fe/latest", BLOCKED),
    ("v4-octal-metadata", "https://0251.0376.0251.0376/latest", BLOCKED),
    ("v4-short-metadata", "https://169.254.43518/latest", BLOCKED),
    ("v4-hex-dotted-metadata", "https://0xa9.0xfe.0xa9.0xfe/latest", BLOCKED),
    ("v4-metadata-with-port", "https://169.254.169.254:443/latest", BLOCKED),
    ("v4-ecs-metadata", "https://169.254.170.2/v2", BLOCKED),
    ("v4-private-10", "https://10.0.0.1/x", BLOCKED),
    ("v4-private-10-top", "https://10.255.255.254/x", BLOCKED),
    ("v4-private-172-16", "https://172.16.0.1/x", BLOCKED),
    ("v4-private-172-31", "https://172.31.255.254/x", BLOCKED),
    ("v4-private-192-168", "https://192.168.0.1/x", BLOCKED),
    ("v4-cgnat-100-64", "https://100.64.0.1/x", BLOCKED),
    ("v4-cgnat-100-127", "https://100.127.255.254/x", BLOCKED),
    ("v6-loopback", "https://[::1]/x", BLOCKED),
    ("v6-loopback-long", "https://[0:0:0:0:0:0:0:1]/x", BLOCKED),
    ("v6-mapped-loopback", "https://[::ffff:127.0.0.1]/x", BLOCKED),
    ("v6-mapped-metadata-hex", "https://[::ffff:a9fe:a9fe]/x", BLOCKED),
    ("v6-compatible-loopback", "https://[::127.0.0.1]/x", BLOCKED),
    ("v6-aws-metadata", "https://[fd00:ec2::254]/latest", BLOCKED),
    ("v6-nat64-metadata", "https://[64:ff9b::a9fe:a9fe]/latest", BLOCKED),
    ("v6-6to4-loopback", "https://[2002:7f00:1::]/x", BLOCKED),
    ("v6-unspecified", "https://[::]/x", BLOCKED),
    ("v6-link-local", "https://[fe80::1]/x", BLOCKED),
    ("v6-zone-id", "https://[fe80::1%25eth0]/x", "encoded or zoned"),
    ("name-gcp-metadata", "https://metadata.google.internal/x", PRIVATE_NAME),
    ("name-instance-data", "https://instance-data/x", PRIVATE_NAME),
    ("name-instance-data-ec2", "https://instance-data.ec2.internal/x", PRIVATE_NAME),
    ("name-metadata-aws", "https://metadata.aws/x", PRIVATE_NAME),
    ("name-metadata", "https://metadata/x", PRIVATE_NAME),
    ("name-internal", "https://db.internal/x", PRIVATE_NAME),
    ("name-local", "https://printer.local/x", PRIVATE_NAME),
    ("name-localhost", "https://localhost/x", PRIVATE_NAME),
    ("name-localhost-dot", "https://localhost./x", PRIVATE_NAME),
    ("name-localhost-upper", "https://LOCALHOST/x", PRIVATE_NAME),
    ("name-localhost-port", "https://localhost:8443/x", PRIVATE_NAME),
    ("name-sub-localhost", "https://api.localhost/x", PRIVATE_NAME),
    ("name-single-label", "https://intranet/x", "not a fully qualified public name"),
    ("idna-fullwidth-digits", "https://１２７.0.0.1/x", UNICODE),
    ("idna-fullwidth-dot", "https://169.254.169．254/latest", UNICODE),
    ("idna-halfwidth-ideographic-stop", "https://169｡254｡169｡254/latest", UNICODE),
    ("idna-ideographic-stop", "https://127。0。0。1/x", UNICODE),
    ("idna-trailing-fullwidth-dot", "https://127.0.0.1．/x", UNICODE),
    ("idna-fullwidth-localhost", "https://ｌｏｃａｌｈｏｓｔ/x", UNICODE),
    ("idna-circled-localhost", "https://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/x", UNICODE),
    ("idna-fullwidth-metadata-name", "https://metadata.google．internal/x", UNICODE),
    ("scheme-http", "http://example.com/x", "must use https://"),
    ("scheme-ftp", "ftp://example.com/x", "must use https://"),
    ("scheme-file", "file:///etc/passwd", "must use https://"),
    ("scheme-gopher", "gopher://127.0.0.1:6379/_x", "must use https://"),
    ("scheme-upper-loopback", "HTTPS://127.0.0.1/x", BLOCKED),
    ("creds-user-password", "https://user:pw@example.com/x", "credentials"),
    ("creds-user-only", "https://user@example.com/x", "credentials"),
    ("creds-host-confusion", "https://example.com@127.0.0.1/x", "credentials"),
    ("space-in-host", "https://example .com/x", "whitespace"),
    ("space-leading", " https://example.com/x", "whitespace"),
    ("tab-in-host", "https://exam\tple.com/x", "whitespace"),
    ("crlf-header-injection", "https://example.com/x\r\nHost: 127.0.0.1", "whitespace"),
    ("lf-in-path", "https://example.com/x\ny", "whitespace"),
    ("nul-in-host", "https://example.com\x00.127.0.0.1/x", "control"),
    ("percent-encoded-host", "https://%31%32%37.0.0.1/x", "encoded"),
    ("percent-encoded-dot", "https://127%2e0%2e0%2e1/x", "encoded"),
    ("port-zero", "https://example.com:0/x", "port 0"),
    ("port-out-of-range", "https://example.com:99999/x", "not a valid URL"),
    ("port-not-a-number", "https://example.com:abc/x", "not a valid URL"),
    ("broken-ipv6-bracket", "https://[::1/x", "not a valid URL"),
    ("no-host", "https:///x", "has no host"),
]


def _create_issuer(url: str) -> Call:
    secured = {"route_key": "GET /x", "lambda_arn": FUNCTION, "auth": "j"}
    return create(
        "esc-ssrf", routes=[secured], authorizers=[{"name": "j", "issuer": url, "audience": ["aud"]}]
    )


FIELDS: list[tuple[str, str, Callable[[str], Call]]] = [
    ("create-route-url", "routes.0.url: ", lambda url: create_route(url=url)),
    ("add-route-url", "route.url: ", lambda url: add_route(url=url)),
    ("update-route-url", "change.url: ", lambda url: update_route(url=url)),
    ("jwt-issuer", "issuer: ", lambda url: jwt_authorizer(issuer=url)),
    ("create-authorizer-issuer", "authorizers.0.issuer: ", _create_issuer),
]
ROWS = [
    row(f"{where}:{case}", build(url), field, reason)
    for where, field, build in FIELDS
    for case, url, reason in URLS
]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with open_world(moto_endpoint, tmp_path_factory.mktemp("escape-urls"), ["default"]) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_ssrf_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
