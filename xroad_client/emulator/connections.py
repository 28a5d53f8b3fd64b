"""How an information system may connect to the Security Server: the client's connection type.

A Security Server keeps, per client subsystem, one of three connection types (UG-SS §9.1):

- ``HTTP``: plain HTTP or HTTPS, nothing is checked;
- ``HTTPS_NO_AUTH``: HTTPS required, no client certificate needed;
- ``HTTPS``: HTTPS with a client certificate that is one of the client's registered
  "Information System TLS certificates".

A request breaking the rule is refused with ``Server.ClientProxy.SslAuthenticationFailed``
and the Security Server's own messages, which name the client (``Client (SUBSYSTEM:...)``).
"""

from __future__ import annotations

import enum
import ssl
from collections.abc import Iterable
from dataclasses import dataclass

from xroad_client import codes
from xroad_client.emulator.refusals import Refusal
from xroad_client.identifiers import ClientId

__all__ = ["Certificate", "Connection", "ConnectionType", "check_connection", "der_certificate"]

#: A certificate as PEM text, PEM bytes or DER bytes.
Certificate = str | bytes


class ConnectionType(enum.Enum):
    """X-Road's connection types between an information system and its Security Server."""

    HTTP = "HTTP"
    HTTPS_NO_AUTH = "HTTPS_NO_AUTH"
    HTTPS = "HTTPS"


def der_certificate(certificate: Certificate) -> bytes:
    """The DER bytes of a PEM (text or bytes) or DER certificate."""
    if isinstance(certificate, str):
        return ssl.PEM_cert_to_DER_cert(certificate)
    if certificate.lstrip().startswith(b"-----BEGIN"):
        return ssl.PEM_cert_to_DER_cert(certificate.decode("ascii"))
    return certificate


@dataclass(frozen=True, slots=True)
class Connection:
    """A client's connection rule.

    ``certificates`` are the client's registered certificates (DER). ``None`` is an emulator
    convenience: any certificate the server's TLS layer verified is accepted. An empty tuple
    is a client with no certificates, which a real Security Server refuses.
    """

    type: ConnectionType = ConnectionType.HTTP
    certificates: tuple[bytes, ...] | None = None

    @classmethod
    def of(
        cls, connection_type: ConnectionType, certificates: Iterable[Certificate] | None = None
    ) -> Connection:
        known = None if certificates is None else tuple(der_certificate(c) for c in certificates)
        return cls(connection_type, known)


def _refusal(client: ClientId, reason: str) -> Refusal:
    return Refusal(
        codes.SSL_AUTHENTICATION_FAILED, f"Client ({client.object_type}:{client}) {reason}"
    )


def check_connection(
    connection: Connection, client: ClientId, *, scheme: str, certificate: bytes | None
) -> None:
    """Refuse a request that breaks the client's connection rule, as a Security Server does.

    ``scheme`` is the request's (``http`` or ``https``); ``certificate`` the DER certificate
    the client presented in the TLS handshake, if any.
    """
    if connection.type is ConnectionType.HTTP:
        return
    if connection.type is ConnectionType.HTTPS_NO_AUTH:
        if scheme != "https":
            raise _refusal(client, "specifies HTTPS NO AUTH but client made plaintext connection")
        return
    if scheme != "https" or certificate is None:
        raise _refusal(client, "specifies HTTPS but did not supply TLS certificate")
    if connection.certificates is None:
        return
    if not connection.certificates:
        raise _refusal(client, "has no IS certificates")
    if certificate not in connection.certificates:
        raise _refusal(client, "TLS certificate does not match any IS certificates")
