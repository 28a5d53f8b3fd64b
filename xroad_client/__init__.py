"""xroad_client: a typed X-Road client (REST r1, SOAP 4.0, metadata) and an emulator.

Standalone: depends on httpx, anyio and defusedxml only (the emulator's server also on
uvicorn); it never imports Django or the portal.
"""

from xroad_client.async_client import AsyncXRoadClient
from xroad_client.client import XRoadClient
from xroad_client.codes import ErrorSpelling, FaultCode, normalize_code
from xroad_client.config import Timeouts, TLSConfig
from xroad_client.errors import (
    ClientFault,
    ClientProxyFault,
    ClientProxyServiceFailed,
    IdentifierError,
    InconsistentResponseError,
    InvalidRequestError,
    InvalidResponseError,
    MalformedMultipartError,
    MissingAttachmentError,
    RequestHashMismatchError,
    ResponseTooLargeError,
    ServerProxyFault,
    ServerProxyServiceFailed,
    ServiceFailedFault,
    ServiceTypeFault,
    XRoadError,
    XRoadFault,
    XRoadTimeout,
    XRoadTransportError,
)
from xroad_client.hooks import Exchange, ExchangeHook
from xroad_client.identifiers import (
    ClientId,
    IdentifierWarning,
    RepresentedParty,
    SecurityServerId,
    ServiceId,
    parse_rest_target,
)
from xroad_client.metadata import ClientInfo, Endpoint, OpenApiDocument, RestServiceInfo
from xroad_client.rest import CallContext, RestResponse, XRoadHeaders
from xroad_client.retry import NO_RETRY, RetryPolicy
from xroad_client.soap import SoapHeader, SoapResponse, WsdlDocument
from xroad_client.streaming import AsyncStreamedResponse, StreamedResponse

__all__ = [
    "NO_RETRY",
    "AsyncStreamedResponse",
    "AsyncXRoadClient",
    "CallContext",
    "ClientFault",
    "ClientId",
    "ClientInfo",
    "ClientProxyFault",
    "ClientProxyServiceFailed",
    "Endpoint",
    "ErrorSpelling",
    "Exchange",
    "ExchangeHook",
    "FaultCode",
    "IdentifierError",
    "IdentifierWarning",
    "InconsistentResponseError",
    "InvalidRequestError",
    "InvalidResponseError",
    "MalformedMultipartError",
    "MissingAttachmentError",
    "OpenApiDocument",
    "RepresentedParty",
    "RequestHashMismatchError",
    "ResponseTooLargeError",
    "RestResponse",
    "RestServiceInfo",
    "RetryPolicy",
    "SecurityServerId",
    "ServerProxyFault",
    "ServerProxyServiceFailed",
    "ServiceFailedFault",
    "ServiceId",
    "ServiceTypeFault",
    "SoapHeader",
    "SoapResponse",
    "StreamedResponse",
    "TLSConfig",
    "Timeouts",
    "WsdlDocument",
    "XRoadClient",
    "XRoadError",
    "XRoadFault",
    "XRoadHeaders",
    "XRoadTimeout",
    "XRoadTransportError",
    "normalize_code",
    "parse_rest_target",
]
