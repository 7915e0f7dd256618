"""Which addresses the scraper may connect to: a centre must not aim it at our own network."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.helpers import is_ip_address
from aiohttp.resolver import ThreadedResolver

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

SETTING = "INCENTIVES_SCRAPE_DENY"
# Loopback, "this network" and the unspecified addresses (both reach the host itself),
# link-local and the cloud metadata services (AWS/GCP/Azure 169.254.169.254 and AWS's
# fd00:ec2::254, Alibaba's 100.100.100.200) and multicast: an exporter is never there, and
# a target there would read the service's own host or its cloud credentials.
DEFAULT_DENIED = ",".join(
    (
        "127.0.0.0/8",
        "::1/128",
        "0.0.0.0/8",
        "::/128",
        "169.254.0.0/16",
        "169.254.169.254/32",
        "fe80::/10",
        "fd00:ec2::254/128",
        "100.100.100.200/32",
        "224.0.0.0/4",
        "ff00::/8",
    )
)

NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
# RFC 6052 places the IPv4 address around bits 64-71 ("u", always zero) by prefix length.
NAT64_LAYOUTS = {48: (48, 88), 56: (56, 96), 64: (72, 104), 96: (96, 128)}  # bit ranges
V4_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")


class AddressRefused(OSError):
    """The target's host resolves only to addresses the scraper may not reach."""

    def __init__(self, message: str) -> None:
        # errno and strerror, so aiohttp's connection error carries the message on.
        super().__init__(errno.EACCES, message)

    def __str__(self) -> str:
        return str(self.strerror)


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated CIDRs; an empty string is no network."""
    return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip())


def _v4_number(part: str) -> int:
    if part[:2] in ("0x", "0X"):
        return int(part[2:] or "0", 16)
    return int(part, 8 if part.startswith("0") else 10)


def ipv4_spelling(text: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address as inet_aton reads it (`2130706433`, `0177.0.0.1`, `127.1`, `0x7f.1`)."""
    parts = text.removesuffix(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(V4_PART.fullmatch(p) for p in parts):
        return None
    *head, last = (_v4_number(p) for p in parts)
    # Leading parts are single bytes; the last one fills the bytes that remain.
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = last
    for i, n in enumerate(head):
        value |= n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def literal_address(host: str) -> Address | None:
    """The address a URL's host spells, in any form a resolver would take; None for a name."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        return ipv4_spelling(bare) if bare.isascii() else None


def _bits(ip: ipaddress.IPv6Address, start: int, end: int) -> int:
    return (int(ip) >> (128 - end)) & ((1 << (end - start)) - 1)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, compatible, NAT64, 6to4, Teredo."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if int(ip) >> 32 == 0:  # IPv4-compatible ::a.b.c.d (deprecated, still routed by some)
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in NAT64_WELL_KNOWN:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in NAT64_LOCAL:
        # The local-use prefix may be any RFC 6052 length inside the /48: try every layout,
        # skipping the "u" octet (bits 64-71) that the shorter layouts straddle.
        for start, end in NAT64_LAYOUTS.values():
            if start < 64:
                value = _bits(ip, start, 64) << (end - 72) | _bits(ip, 72, end)
            else:
                value = _bits(ip, start, end)
            found.append(ipaddress.IPv4Address(value))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client); the client is the one reached
    return found


def forms(ip: Address) -> list[Address]:
    """The address itself and every IPv4 address it carries: what a deny list must see."""
    if isinstance(ip, ipaddress.IPv6Address):
        return [ip, *embedded_ipv4(ip)]
    return [ip]


@dataclass(frozen=True)
class AddressPolicy:
    """Refuses addresses inside any denied network, in whatever form they are written."""

    denied: tuple[Network, ...]

    def allows(self, address: str | Address) -> bool:
        """Whether the scraper may connect to this IP address."""
        ip = address if not isinstance(address, str) else literal_address(address)
        if ip is None:
            return False
        return not any(form in network for form in forms(ip) for network in self.denied)

    def literal_refusal(self, host: str) -> str | None:
        """Why a URL's host may not be used as an address, or None (a name, or allowed)."""
        ip = literal_address(host)
        if ip is None:
            if is_ip_address(host):
                # aiohttp would connect to this without asking the resolver: never let it.
                return f"the host {host} is not an IP address the scraper understands"
            return None  # a name: the resolver checks what it resolves to, at connect time
        if not self.allows(ip):
            return f"the address {host} is in {SETTING}, which the scraper may not reach"
        return None

    def check_literal(self, host: str) -> None:
        """Refuse a URL whose host is a denied IP literal (no resolver sees those)."""
        refusal = self.literal_refusal(host)
        if refusal is not None:
            raise AddressRefused(refusal)

    async def name_refusal(self, host: str, seconds: float) -> str | None:
        """Why a host name may not be used: all it resolves to within `seconds` is denied."""
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), seconds
            )
        except (OSError, TimeoutError, UnicodeError):
            return None  # not resolvable now: the scrape checks it again when it connects
        addresses = {str(info[4][0]) for info in infos}
        if addresses and not any(self.allows(a) for a in addresses):
            return _resolves_denied(host)
        return None


def _resolves_denied(host: str) -> str:
    return f"{host} resolves only to addresses in {SETTING}, which the scraper may not reach"


class GuardedResolver(AbstractResolver):
    """DNS through the system resolver, keeping only allowed addresses (no rebinding around it)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self.inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The host's allowed addresses, or AddressRefused."""
        found = await self.inner.resolve(host, port, family)
        allowed = [r for r in found if self.policy.allows(r["host"])]
        if not allowed:
            raise AddressRefused(_resolves_denied(host))
        return allowed

    async def close(self) -> None:
        """Release the inner resolver."""
        await self.inner.close()


def connector_options(policy: AddressPolicy) -> dict[str, Any]:
    """Keyword arguments for the scraper's TCPConnector."""
    return {"resolver": GuardedResolver(policy)}
