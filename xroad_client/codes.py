"""X-Road fault codes, their two spellings (7.7 CamelCase, 7.8 snake case) and normalisation.

X-Road up to 7.7 writes codes like ``Server.ServerProxy.AccessDenied``; 7.8.0 renamed every
code to ``server.serverproxy.access_denied``. Provider-side codes travel unchanged, so a
network running mixed versions emits both. :class:`FaultCode` compares codes by their
normalised form (lower case, underscores removed, one alias) so both spellings are equal.
"""

from __future__ import annotations

import enum
import re
from typing import Final

__all__ = [
    "ACCESS_DENIED",
    "BAD_REQUEST",
    "CLIENT_PROXY_INTERNAL_ERROR",
    "CLIENT_PROXY_IO_ERROR",
    "CLIENT_PROXY_NETWORK_ERROR",
    "DATABASE_ERROR",
    "INVALID_CLIENT_IDENTIFIER",
    "INVALID_REQUEST",
    "MAINTENANCE_MODE",
    "SERVER_PROXY_INTERNAL_ERROR",
    "SERVER_PROXY_IO_ERROR",
    "SERVER_PROXY_NETWORK_ERROR",
    "SERVICE_DISABLED",
    "SERVICE_FAILED_HTTP_ERROR",
    "SERVICE_FAILED_IO_ERROR",
    "SERVICE_FAILED_NETWORK_ERROR",
    "SERVICE_TYPE",
    "SSL_AUTHENTICATION_FAILED",
    "UNKNOWN_MEMBER",
    "UNKNOWN_SERVICE",
    "ErrorSpelling",
    "FaultCode",
    "normalize_code",
]

# 7.7 segment <-> 7.8 segment pairs that are not a plain CamelCase/snake_case conversion.
_ALIASES_77_TO_78: Final = {
    "OutdatedGlobalConf": "global_conf_outdated",
    "HashChainUnusedInputs": "hashchain_unused_inputs",
    "TokenReadOnly": "token_readonly",
}
_NORMALISED_ALIASES: Final = {"globalconfoutdated": "outdatedglobalconf"}
_ACRONYMS_78_TO_77: Final = {"io": "IO"}
_ORIGIN_SEGMENTS: Final = {"server", "client", "signer", "clientproxy", "serverproxy"}
_ORIGIN_77: Final = {
    "server": "Server",
    "client": "Client",
    "signer": "Signer",
    "clientproxy": "ClientProxy",
    "serverproxy": "ServerProxy",
}


class ErrorSpelling(enum.Enum):
    """How a Security Server spells its fault codes."""

    V7_7 = "7.7"
    V7_8 = "7.8"


def _normalise_segment(segment: str) -> str:
    flat = segment.replace("_", "").lower()
    return _NORMALISED_ALIASES.get(flat, flat)


def normalize_code(code: str) -> str:
    """Return the spelling-independent form of ``code`` used for comparisons."""
    return ".".join(_normalise_segment(part) for part in code.strip().split("."))


def _snake(segment: str) -> str:
    if segment in _ALIASES_77_TO_78:
        return _ALIASES_77_TO_78[segment]
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", segment)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced).lower()


def _camel(segment: str) -> str:
    for old, new in _ALIASES_77_TO_78.items():
        if segment == new:
            return old
    words = segment.split("_")
    return "".join(_ACRONYMS_78_TO_77.get(word, word[:1].upper() + word[1:]) for word in words)


def _spell_segment(index: int, segment: str, spelling: ErrorSpelling) -> str:
    is_origin = index < 2 and segment.replace("_", "").lower() in _ORIGIN_SEGMENTS
    if is_origin:
        flat = segment.replace("_", "").lower()
        return flat if spelling is ErrorSpelling.V7_8 else _ORIGIN_77[flat]
    if spelling is ErrorSpelling.V7_8:
        return _snake(segment)
    return _camel(segment) if segment.islower() or "_" in segment else segment


class FaultCode:
    """An X-Road fault code that compares equal across the 7.7 and 7.8 spellings.

    ``FaultCode("Server.ServerProxy.AccessDenied") == "server.serverproxy.access_denied"``
    is true; ``str(code)`` gives the code as it was received.
    """

    __slots__ = ("_normalised", "raw")

    def __init__(self, raw: str) -> None:
        self.raw = raw.strip()
        self._normalised = normalize_code(self.raw)

    @property
    def normalised(self) -> str:
        return self._normalised

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self._normalised.split("."))

    def startswith(self, prefix: FaultCode | str) -> bool:
        """True when ``prefix`` is this code or one of its leading dotted segment runs."""
        wanted = _as_code(prefix).segments
        return self.segments[: len(wanted)] == wanted

    def contains_segment(self, segment: str) -> bool:
        return _normalise_segment(segment) in self.segments

    def spelled(self, spelling: ErrorSpelling) -> str:
        """This code as a Security Server of the given version would write it."""
        parts = self.raw.split(".")
        return ".".join(_spell_segment(i, part, spelling) for i, part in enumerate(parts))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FaultCode):
            return self._normalised == other._normalised
        if isinstance(other, str):
            return self._normalised == normalize_code(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._normalised)

    def __str__(self) -> str:
        return self.raw

    def __repr__(self) -> str:
        return f"FaultCode({self.raw!r})"


def _as_code(value: FaultCode | str) -> FaultCode:
    return value if isinstance(value, FaultCode) else FaultCode(value)


UNKNOWN_MEMBER: Final = FaultCode("Server.ClientProxy.UnknownMember")
INVALID_CLIENT_IDENTIFIER: Final = FaultCode("Server.ClientProxy.InvalidClientIdentifier")
CLIENT_PROXY_NETWORK_ERROR: Final = FaultCode("Server.ClientProxy.NetworkError")
CLIENT_PROXY_IO_ERROR: Final = FaultCode("Server.ClientProxy.IOError")
CLIENT_PROXY_INTERNAL_ERROR: Final = FaultCode("Server.ClientProxy.InternalError")
MAINTENANCE_MODE: Final = FaultCode("Server.ClientProxy.MaintenanceMode")
SSL_AUTHENTICATION_FAILED: Final = FaultCode("Server.ClientProxy.SslAuthenticationFailed")
BAD_REQUEST: Final = FaultCode("Client.BadRequest")
UNKNOWN_SERVICE: Final = FaultCode("Server.ServerProxy.UnknownService")
ACCESS_DENIED: Final = FaultCode("Server.ServerProxy.AccessDenied")
SERVICE_DISABLED: Final = FaultCode("Server.ServerProxy.ServiceDisabled")
SERVICE_TYPE: Final = FaultCode("Server.ServerProxy.ServiceType")
INVALID_REQUEST: Final = FaultCode("Server.ServerProxy.InvalidRequest")
DATABASE_ERROR: Final = FaultCode("Server.ServerProxy.DatabaseError")
SERVER_PROXY_NETWORK_ERROR: Final = FaultCode("Server.ServerProxy.NetworkError")
SERVER_PROXY_IO_ERROR: Final = FaultCode("Server.ServerProxy.IOError")
SERVER_PROXY_INTERNAL_ERROR: Final = FaultCode("Server.ServerProxy.InternalError")
SERVICE_FAILED_HTTP_ERROR: Final = FaultCode("Server.ServerProxy.ServiceFailed.HttpError")
SERVICE_FAILED_NETWORK_ERROR: Final = FaultCode("Server.ServerProxy.ServiceFailed.NetworkError")
SERVICE_FAILED_IO_ERROR: Final = FaultCode("Server.ServerProxy.ServiceFailed.IOError")
