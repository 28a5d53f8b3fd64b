"""X-Road REST header names (case-insensitive on the wire)."""

from __future__ import annotations

from typing import Final

X_ROAD_CLIENT: Final = "X-Road-Client"
X_ROAD_ID: Final = "X-Road-Id"
X_ROAD_USER_ID: Final = "X-Road-UserId"
X_ROAD_ISSUE: Final = "X-Road-Issue"
X_ROAD_REPRESENTED_PARTY: Final = "X-Road-Represented-Party"
X_ROAD_SECURITY_SERVER: Final = "X-Road-Security-Server"
X_ROAD_REQUEST_ID: Final = "X-Road-Request-Id"
X_ROAD_REQUEST_HASH: Final = "X-Road-Request-Hash"
X_ROAD_SERVICE: Final = "X-Road-Service"
X_ROAD_ERROR: Final = "X-Road-Error"

#: Headers a caller may not set by hand: the client manages them.
MANAGED_REQUEST_HEADERS: Final = frozenset(
    name.lower()
    for name in (
        X_ROAD_CLIENT,
        X_ROAD_ID,
        X_ROAD_USER_ID,
        X_ROAD_ISSUE,
        X_ROAD_REPRESENTED_PARTY,
        X_ROAD_SECURITY_SERVER,
        X_ROAD_REQUEST_ID,
        X_ROAD_REQUEST_HASH,
        X_ROAD_SERVICE,
    )
)

#: Hop-by-hop and regenerated headers a Security Server does not forward.
FILTERED_HEADERS: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "user-agent",
        "server",
        "content-length",
        "expect",
    }
)
