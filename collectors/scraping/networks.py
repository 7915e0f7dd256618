"""Which addresses the scraper may connect to: a centre must not aim it at our own network."""

from __future__ import annotations

import errno
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Loopback, link-local (cloud metadata at 169.254.169.254), "this network" and multicast:
# an exporter is never there, and a target there would read the service's own host.
DEFAULT_DENIED = "127.0.0.0/8,::1/128,169.254.0.0/16,fe80::/10,0.0.0.0/8,224.0.0.0/4,ff00::/8"


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


@dataclass(frozen=True)
class AddressPolicy:
    """Refuses addresses inside any denied network."""

    denied: tuple[Network, ...]

    def allows(self, address: str) -> bool:
        """Whether the scraper may connect to this IP address."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return not any(ip in network for network in self.denied)

    def check_literal(self, host: str) -> None:
        """Refuse a URL whose host is a denied IP literal (no resolver sees those)."""
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return  # a name: the resolver checks what it resolves to, at connect time
        if not self.allows(host.strip("[]")):
            raise AddressRefused(f"the address {host} is not one the scraper may reach")


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
            raise AddressRefused(f"{host} resolves only to addresses the scraper may not reach")
        return allowed

    async def close(self) -> None:
        """Release the inner resolver."""
        await self.inner.close()


def connector_options(policy: AddressPolicy) -> dict[str, Any]:
    """Keyword arguments for the scraper's TCPConnector."""
    return {"resolver": GuardedResolver(policy)}
