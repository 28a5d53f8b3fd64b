"""The registered relying parties: lookup, secret checks and redirect URI matching."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from sandbox.identity.models import ClientRegistration

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ClientDirectory:
    def __init__(self, clients: list[ClientRegistration]) -> None:
        self._by_id = {client.client_id: client for client in clients}
        if len(self._by_id) != len(clients):
            raise ValueError("Two client registrations share a client_id.")

    def get(self, client_id: str) -> ClientRegistration | None:
        return self._by_id.get(client_id)

    def authenticate(self, client_id: str, client_secret: str) -> ClientRegistration | None:
        """The client if the secret is its own (compared in constant time), else None."""
        client = self._by_id.get(client_id)
        if client is None:
            return None
        given, expected = client_secret.encode(), client.client_secret.encode()
        return client if hmac.compare_digest(given, expected) else None


def redirect_uri_allowed(client: ClientRegistration, uri: str) -> bool:
    """Exact match with a registered redirect URI (any port on loopback, if allowed)."""
    return _registered(client, client.redirect_uris, uri)


def post_logout_redirect_uri_allowed(client: ClientRegistration, uri: str) -> bool:
    return _registered(client, client.post_logout_redirect_uris, uri)


def _registered(client: ClientRegistration, registered: tuple[str, ...], uri: str) -> bool:
    if uri in registered:
        return True
    if not client.allow_loopback_redirects:
        return False
    return any(_same_loopback_uri_but_port(uri, candidate) for candidate in registered)


def _same_loopback_uri_but_port(uri: str, registered: str) -> bool:
    """RFC 8252 section 7.3: plain http on a loopback host, any port, all else identical."""
    try:
        given, expected = urlsplit(uri), urlsplit(registered)
        given.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        return False
    return (
        given.scheme == expected.scheme == "http"
        and given.username is None
        and given.hostname in LOOPBACK_HOSTS
        and given.hostname == expected.hostname
        and (given.path, given.query, given.fragment)
        == (expected.path, expected.query, expected.fragment)
    )
