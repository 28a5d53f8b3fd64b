"""Which connections may reach the agency API: only the register's X-Road Security Server.

The allowlist in ``access.py`` trusts X-Road-Client, which anyone can write; it means something
only when the request came through the Security Server, which checked the consumer first. So a
request is served only when one of these holds:

- the Security Server's TLS client certificate: the proxy that terminates TLS passes the
  certificate it verified in ``AGENCY_API_CLIENT_CERT_HEADER`` (PEM, URL-escaped PEM as nginx's
  ``$ssl_client_escaped_cert``, base64 DER, or its SHA-256 in hex), and its SHA-256 is one of
  ``AGENCY_API_SECURITY_SERVER_CERTS``. The header counts only behind a TLS proxy
  (``BEHIND_TLS_PROXY``), which must set or clear it on every request;
- the caller's address is in ``AGENCY_API_SECURITY_SERVERS``. Behind ``TRUSTED_PROXY_COUNT``
  proxies the caller is the X-Forwarded-For entry that many places from the right (the one the
  outermost proxy appended); entries further left are the caller's own words and never count.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import logging
import re
from functools import cache
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from companies.api.errors import ApiError, ErrorCode

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def certificate_sha256(value: str) -> str | None:
    """The SHA-256 (hex) of the first certificate in a proxy's header value, None if none."""
    text = unquote(value.strip())
    compact = text.replace(":", "").lower()
    if SHA256_HEX.fullmatch(compact):
        return compact
    pem = PEM_CERTIFICATE.search(text)
    encoded = re.sub(r"\s", "", pem.group(1) if pem else text.split(",")[0])
    try:
        der = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return hashlib.sha256(der).hexdigest() if der.startswith(b"\x30") else None


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def caller_address(request: HttpRequest) -> IPAddress | None:
    """The caller's address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return _address(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < proxies:
        return None
    return _address(forwarded[-proxies])


def _presented_certificate(request: HttpRequest) -> str | None:
    if not settings.BEHIND_TLS_PROXY:
        return None
    header = "HTTP_" + settings.AGENCY_API_CLIENT_CERT_HEADER.upper().replace("-", "_")
    value = request.META.get(header, "")
    return certificate_sha256(value) if value else None


def from_security_server(request: HttpRequest) -> bool:
    """Whether the request carries the Security Server's certificate or comes from its address."""
    pinned = _pinned(tuple(settings.AGENCY_API_SECURITY_SERVER_CERTS))
    if pinned and _presented_certificate(request) in pinned:
        return True
    address = caller_address(request)
    networks = _networks(tuple(settings.AGENCY_API_SECURITY_SERVERS))
    return address is not None and any(address in network for network in networks)


@cache
def _pinned(listed: tuple[str, ...]) -> frozenset[str]:
    """The configured fingerprints as hex, normalised once per list."""
    return frozenset(f.replace(":", "").lower() for f in listed)


@cache
def _networks(listed: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The configured networks, parsed once per list rather than on every request."""
    return tuple(ipaddress.ip_network(n) for n in listed)


def require_security_server(request: HttpRequest) -> None:
    """Refuse (403 ``untrusted_connection``) a request that did not come through X-Road."""
    if from_security_server(request):
        return
    logger.warning(
        "agency API refused a request that did not come from the Security Server",
        extra={
            "address": str(caller_address(request)),
            "remote_addr": request.META.get("REMOTE_ADDR"),
        },
    )
    message = _(
        "This API answers only the register's X-Road Security Server: send the request "
        "through X-Road."
    )
    raise ApiError(ErrorCode.UNTRUSTED_CONNECTION, message, status=403)
