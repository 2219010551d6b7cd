"""Who the client is: the one function that derives a request's client address.

Used by sign-in lockouts (django-axes, `AXES_CLIENT_IP_CALLABLE`), the audit log's IP column and
the request log. X-Forwarded-For is believed only when the request came from a trusted proxy
(`TRUSTED_PROXIES`), and only as far back as `TRUSTED_PROXY_COUNT` proxies: each proxy appends
the address it received the request from, so the client's own entries (which it can forge) are
the ones further left and are never read.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: “{entry}” is not an IP address or network (e.g. 127.0.0.1, "
                "10.0.0.0/8)."
            ) from exc
    return tuple(networks)


def _address(text: str | None) -> Address | None:
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent `request`, as text (None when unknown)."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    hops = max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)))
    if not networks or not hops:
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = remote
    # Walk from the nearest hop outwards: each trusted proxy vouches for the entry it appended.
    for _ in range(hops):
        if not _is_trusted(client, networks) or not forwarded:
            break
        previous = _address(forwarded.pop())
        if previous is None:  # garbage where an address should be: keep the last proxy
            break
        client = previous
    return str(client)
