"""Refuse URLs that point inside the bot's own network (SSRF guard) for user-requested reads.

The host is resolved (getaddrinfo, in a thread) and every address it resolves to must be public:
loopback, private, link-local, multicast, reserved, unspecified and cloud metadata addresses are
refused. The fetcher calls this again on every redirect hop. `allow_private` (config
`fetch.allow_private`) lifts the check, e.g. for a LAN-only deployment or tests on 127.0.0.1.

Known limit: the address is resolved again by the HTTP client when it connects, so a DNS server
answering differently the second time (DNS rebinding) is not caught here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset({
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud metadata
})

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedURL(Exception):
    """A URL the guard refuses; the message says which host and why."""


class _Unresolved(Exception):
    """The host did not resolve (guard_url turns it into BlockedURL unless told otherwise)."""


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (getaddrinfo in a worker thread). Tests monkeypatch this."""
    infos = await asyncio.to_thread(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def forbidden_reason(address: IPAddress) -> str | None:
    """Why an address must not be fetched, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 carried inside IPv6 (mapped, NAT64, 6to4, Teredo) is judged as the IPv4 it reaches.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            inner = forbidden_reason(embedded)
            if inner is not None:
                return f"{inner} (inside an IPv6 address)"
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        ("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
        ("link-local", address.is_link_local), ("multicast", address.is_multicast),
        ("private", address.is_private), ("reserved", address.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return f"a {name} address"
    if isinstance(address, ipaddress.IPv4Address) and address in ipaddress.ip_network("100.64.0.0/10"):
        return "a shared (carrier-grade NAT) address"
    if not address.is_global:
        return "not a public address"
    return None


async def guard_url(url: str, allow_private: bool, *, allow_unresolved: bool = False) -> None:
    """Raise BlockedURL unless `url` is http(s) and its host resolves only to public addresses.

    `allow_unresolved`: a host that does not resolve now passes (`sources add` of a URL that is
    fetched later, when every hop is guarded again); otherwise it is refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(f"{url!r}: not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BlockedURL(f"{url!r}: only http and https URLs can be read")
    host = parts.hostname
    if not host:
        raise BlockedURL(f"{url!r}: no host in the URL")
    if allow_private:
        return
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = await _addresses(host, port)
    except _Unresolved as exc:
        if allow_unresolved:
            return
        raise BlockedURL(str(exc)) from None
    for address in addresses:
        reason = forbidden_reason(address)
        if reason is not None:
            raise BlockedURL(f"{host}: refused, {address} is {reason} (fetch.allow_private is off)")


async def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = await resolve(host, port)
    except OSError as exc:
        raise _Unresolved(f"{host}: cannot be resolved ({exc})") from None
    addresses: list[IPAddress] = []
    for raw in found:
        try:
            addresses.append(ipaddress.ip_address(raw.split("%", 1)[0]))
        except ValueError:
            continue
    if not addresses:
        raise BlockedURL(f"{host}: resolves to no address")
    return addresses
