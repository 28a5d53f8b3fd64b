"""A generic X-Road Security Server emulator (ASGI): our consumer Security Server and the
providers' Security Servers in one app, for tests and the local sandbox.

Build a :class:`Topology`, wrap it in an :class:`Emulator`, then either give
``emulator.async_transport()`` / ``emulator.sync_transport()`` to a client, or serve it with
``serve_in_thread(emulator)`` / ``serve(emulator, port=8080)``.
"""

from xroad_client.codes import ErrorSpelling
from xroad_client.emulator._asgi import ASGIApp, Receive, Scope, Send
from xroad_client.emulator.app import Emulator
from xroad_client.emulator.connections import Connection, ConnectionType
from xroad_client.emulator.exchange_log import ExchangeRecord
from xroad_client.emulator.faults import FaultSpec
from xroad_client.emulator.server import ServerTLS, serve, serve_in_thread, uvicorn_config
from xroad_client.emulator.topology import (
    MAX_LOGGABLE_BODY_SIZE,
    AccessRight,
    AsgiProvider,
    BadRequestStyle,
    HttpProvider,
    Member,
    Provider,
    RestService,
    SoapService,
    Topology,
)
from xroad_client.metadata import Endpoint

__all__ = [
    "MAX_LOGGABLE_BODY_SIZE",
    "ASGIApp",
    "AccessRight",
    "AsgiProvider",
    "BadRequestStyle",
    "Connection",
    "ConnectionType",
    "Emulator",
    "Endpoint",
    "ErrorSpelling",
    "ExchangeRecord",
    "FaultSpec",
    "HttpProvider",
    "Member",
    "Provider",
    "Receive",
    "RestService",
    "Scope",
    "Send",
    "ServerTLS",
    "SoapService",
    "Topology",
    "serve",
    "serve_in_thread",
    "uvicorn_config",
]
