"""Integration URLs must be public HTTPS hosts, judged as written."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apigw_mcp.tools.engine.netcheck import url_refusal


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.com",
        "https://api.example.com/",
        "https://api.example.com:8443",
        "https://api.example.com/v1/orders?x=1",
        "https://203.0.113.9.nip.io/",
        "https://8.8.8.8/",
        "https://[2606:4700:4700::1111]/",
    ],
    ids=["host", "root-path", "port", "path-and-query", "name-with-digits", "public-ipv4", "public-ipv6"],
)
def test_public_https_is_accepted(url: str) -> None:
    assert url_refusal(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://api.example.com/", "https"),
        ("ftp://api.example.com/", "https"),
        ("https://user:pw@api.example.com/", "credentials"),
        ("https://user@api.example.com/", "credentials"),
        ("https://localhost/", "loopback"),
        ("https://LOCALHOST./", "loopback"),
        ("https://app.localhost/", "private name"),
        ("https://127.0.0.1/", "loopback"),
        ("https://127.1/", "loopback"),
        ("https://0x7f000001/", "loopback"),
        ("https://2130706433/", "loopback"),
        ("https://0177.0.0.1/", "loopback"),
        ("https://10.1.2.3/", "private"),
        ("https://172.16.0.1/", "private"),
        ("https://192.168.1.1/", "private"),
        ("https://100.64.0.1/", "reserved"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[::1]/", "loopback"),
        ("https://[fd00:ec2::254]/", "private"),
        ("https://[::ffff:127.0.0.1]/", "loopback"),
        ("https://[::ffff:169.254.169.254]/", "link-local"),
        ("https://[2002:c0a8:0101::1]/", "private"),
        ("https://[64:ff9b::a9fe:a9fe]/", "reserved"),
        ("https://metadata.google.internal/", "metadata"),
        ("https://db.internal/", "private name"),
        ("https://intranet/", "fully qualified"),
        ("https://0.0.0.0/", "reserved"),
        ("https://224.0.0.1/", "reserved"),
        ("https://%6c%6fcalhost/", "encoded"),
        ("https://[fe80::1%25eth0]/", "zoned"),
        ("https://api.example.com:0/", "port 0"),
        ("https://api.example.com:99999/", "not a valid URL"),
        ("https:///path", "no host"),
    ],
    ids=[
        "http",
        "ftp",
        "credentials",
        "username",
        "localhost",
        "localhost-upper-dot",
        "sub-localhost",
        "loopback",
        "short-loopback",
        "hex-loopback",
        "decimal-loopback",
        "octal-loopback",
        "10/8",
        "172.16/12",
        "192.168/16",
        "shared-100.64/10",
        "ec2-metadata",
        "ipv6-loopback",
        "ec2-metadata-ipv6",
        "mapped-loopback",
        "mapped-metadata",
        "6to4-private",
        "nat64-metadata",
        "gcp-metadata",
        "internal-suffix",
        "single-label",
        "unspecified",
        "multicast",
        "percent-encoded",
        "ipv6-zone",
        "port-0",
        "port-out-of-range",
        "empty-host",
    ],
)
def test_unsafe_urls_are_refused(url: str, why: str) -> None:
    refusal = url_refusal(url)
    assert refusal is not None
    assert why in refusal


_NETWORKS = [ipaddress.IPv4Network(n) for n in ("127.0.0.0/8", "10.0.0.0/8", "169.254.0.0/16")]


@given(
    network=st.sampled_from(_NETWORKS),
    offset=st.integers(min_value=0, max_value=2**24 - 1),
    port=st.one_of(st.none(), st.integers(min_value=1, max_value=65535)),
    path=st.sampled_from(["", "/", "/x/y"]),
    trailing_dot=st.booleans(),
)
def test_private_dotted_hosts_are_never_accepted(
    network: ipaddress.IPv4Network, offset: int, port: int | None, path: str, trailing_dot: bool
) -> None:
    host = str(network[offset % network.num_addresses]) + ("." if trailing_dot else "")
    url = f"https://{host}{f':{port}' if port else ''}{path}"
    assert url_refusal(url) is not None
