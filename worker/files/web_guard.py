"""Which addresses a feed may make us fetch from: public ones only, by default.

A feed is untrusted input: a photo URL naming ``169.254.169.254`` (a cloud's metadata
service), ``localhost`` or a LAN printer must not be fetched by a worker inside a data
centre. The rule is applied where the connection is made: the host of every request —
the first and each redirect hop — is resolved, every address it resolves to is checked, and
the connection goes to the address that was checked (a DNS answer that changes between the
check and the connection cannot slip through).

``PHOTOREEL_FETCH_ALLOW_PRIVATE=1`` lifts the rule (feeds on an intranet, tests); a
comma-separated list of addresses or networks (``10.1.0.0/16,127.0.0.1``) lifts it for those
only.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ALL = ("1", "true", "yes", "on")


class AddressRefused(httpx.TransportError):
    """The host resolves to an address the policy refuses; no connection was made."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_all: bool = False
    allowed: tuple[IpNetwork, ...] = ()

    @classmethod
    def from_setting(cls, value: str) -> AddressPolicy:
        """``PHOTOREEL_FETCH_ALLOW_PRIVATE``: ``1`` (all), ``0``/empty (none) or a list."""
        text = value.strip().lower()
        if text in ALL:
            return cls(allow_all=True)
        if text in ("", "0", "false", "no", "off"):
            return cls()
        networks = [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",")]
        return cls(allowed=tuple(networks))

    def refuses(self, address: IpAddress) -> str | None:
        """Why ``address`` may not be fetched from, or None when it may."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if self.allow_all or any(address in network for network in self.allowed):
            return None
        if address.is_loopback:
            return "a loopback address"
        if address.is_link_local:
            return "a link-local address (such as a cloud metadata service)"
        if address.is_private:
            return "a private address"
        if not address.is_global or address.is_multicast:
            return "not a public address"
        return None


def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address ``host`` resolves to (a literal address resolves to itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise httpx.ConnectError(f"cannot resolve {host}: {error.strerror}") from None
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def checked_address(host: str, port: int, policy: AddressPolicy) -> str:
    """The address to connect to for ``host``; AddressRefused when any of its addresses is
    refused (a name that also resolves to a private address is not trusted at all)."""
    addresses = resolve(host, port)
    for address in addresses:
        reason = policy.refuses(address)
        if reason is not None:
            shown = host if host == str(address) else f"{host} ({address})"
            raise AddressRefused(
                f"{shown} is {reason}: refused (PHOTOREEL_FETCH_ALLOW_PRIVATE=1 allows it)"
            )
    return str(addresses[0])


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to addresses the policy allows. TLS
    still verifies the certificate against the host name (httpcore passes it on as SNI)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple[int, int, int | bytes]] | None = None,
    ) -> httpcore.NetworkStream:
        address = checked_address(host, port, self.policy)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


def guarded_transport(policy: AddressPolicy, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes through ``GuardedBackend``.

    httpx takes no network backend as an argument; its connection pool keeps the one it
    uses in ``_network_backend``, set here (``tests/worker/test_web_guard.py`` proves that
    a refused address is never connected to, so a change in httpx cannot go unnoticed)."""
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool):
        raise TypeError("httpx's transport has no connection pool to guard")
    pool._network_backend = GuardedBackend(policy)
    return transport
