"""Typed errors raised by :mod:`xroad_client`.

Everything the library raises derives from :class:`XRoadError`:

- :class:`IdentifierError` - a malformed identifier, raised before any request is sent;
- :class:`InvalidRequestError` - other call arguments that cannot make a valid request;
- :class:`XRoadFault` and its category subclasses - a Security Server refused or failed the
  call (``X-Road-Error`` header on REST, a SOAP Fault on SOAP);
- :class:`XRoadTransportError` / :class:`XRoadTimeout` - we could not talk to our Security
  Server (connection, TLS, read timeout);
- :class:`InvalidResponseError` and subclasses - something answered, but not like a Security
  Server (HTML from a proxy, truncated JSON, an XML bomb, inconsistent ids or hashes).

A provider's own HTTP error (for example 404 from the register) is *not* an error: it is a
normal response with that status.
"""

from __future__ import annotations

from xroad_client.codes import FaultCode

__all__ = [
    "ClientFault",
    "ClientProxyFault",
    "ClientProxyServiceFailed",
    "IdentifierError",
    "InconsistentResponseError",
    "InvalidRequestError",
    "InvalidResponseError",
    "MalformedMultipartError",
    "MissingAttachmentError",
    "RequestHashMismatchError",
    "ResponseTooLargeError",
    "ServerProxyFault",
    "ServerProxyServiceFailed",
    "ServiceFailedFault",
    "ServiceTypeFault",
    "XRoadError",
    "XRoadFault",
    "XRoadTimeout",
    "XRoadTransportError",
    "fault_from_code",
    "hint_for",
]


class XRoadError(Exception):
    """Base class of every error raised by xroad_client."""


class IdentifierError(XRoadError, ValueError):
    """An X-Road identifier or path is malformed (or breaks the strict character set)."""


class InvalidRequestError(XRoadError, ValueError):
    """The arguments of a call cannot make a valid X-Road request (raised before sending)."""


_LOGGING_FAILED = "LoggingFailed"
_HINT_WRONG_SERVER = (
    "This Security Server does not know the client. Send the request to the consumer's own"
    " Security Server (the one the client subsystem is registered on, not the provider's),"
    " and check X-Road-Client is spelled as registered there (instance/class/member/subsystem)."
)
_HINT_NO_PROVIDER = (
    "The global configuration has no Security Server for this provider. Check the service id"
    " (instance, member class, member code, subsystem) against the provider's listing, and"
    " that the provider's Security Server is registered."
)
_HINT_CONNECTION_TYPE = (
    "The client's connection type on the Security Server (Clients > Internal servers >"
    " Connection type) does not match how it connected. HTTP: an http:// URL (port 8080)."
    " HTTPS NO AUTH: an https:// URL (port 8443) and TLSConfig(ca_bundle=...). HTTPS: also"
    " TLSConfig(client_cert=..., client_key=...), with that certificate uploaded as the"
    " subsystem's Information System TLS certificate."
)
_HINT_LOGGING_FAILED = (
    "The request body is larger than the Security Server's message log accepts"
    " (message-log.max-loggable-body-size, 10 MiB by default). Send a smaller body, or ask the"
    " Security Server's administrator to raise the limit or set truncated-body-allowed."
    " Retrying does not help."
)


def hint_for(code: FaultCode, message: str) -> str | None:
    """What to check for the misconfigurations integrators meet most often (X-Road's own
    issue tracker: #471/#1137/#1728, #249/#1002/#2203, #179/#494); None otherwise."""
    if code == "Server.ClientProxy.UnknownMember":
        return _HINT_NO_PROVIDER if "service provider" in message else _HINT_WRONG_SERVER
    if code == "Server.ClientProxy.SslAuthenticationFailed":
        return _HINT_CONNECTION_TYPE
    if _LOGGING_FAILED in message:
        return _HINT_LOGGING_FAILED
    return None


class XRoadFault(XRoadError):
    """A Security Server fault: ``X-Road-Error`` on REST, a SOAP Fault on SOAP.

    ``code`` compares equal across spellings:
    ``fault.code == "server.serverproxy.access_denied"`` holds for a 7.7 server too.
    ``hint`` says what to check, for the common misconfigurations (wrong Security Server,
    connection type, message-log size); it is None for the other faults.
    """

    def __init__(
        self,
        code: FaultCode | str,
        message: str = "",
        detail: str | None = None,
        *,
        x_road_id: str | None = None,
        http_status: int | None = None,
        actor: str | None = None,
    ) -> None:
        self.code = code if isinstance(code, FaultCode) else FaultCode(code)
        self.message = message
        self.detail = detail
        self.x_road_id = x_road_id
        self.http_status = http_status
        self.actor = actor
        self.hint = hint_for(self.code, message)
        super().__init__(self._describe())

    @property
    def logging_failed(self) -> bool:
        """The message log refused the request (its body is over the size limit)."""
        return _LOGGING_FAILED in self.message

    def _describe(self) -> str:
        text = f"{self.code}: {self.message}" if self.message else str(self.code)
        if self.detail:
            text += f" (detail {self.detail})"
        if self.x_road_id:
            text += f" [X-Road-Id {self.x_road_id}]"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


class ClientFault(XRoadFault):
    """``Client.*``: the request we sent was invalid."""


class ClientProxyFault(XRoadFault):
    """``Server.ClientProxy.*``: our (consumer) Security Server refused or failed."""


class ServerProxyFault(XRoadFault):
    """``Server.ServerProxy.*``: the provider's Security Server refused or failed."""


class ServiceTypeFault(ServerProxyFault):
    """``Server.ServerProxy.ServiceType``: a REST call to a SOAP service, or the reverse
    (``get_wsdl`` of a REST service, say)."""


class ServiceFailedFault(XRoadFault):
    """``*.ServiceFailed.*``: the provider information system failed or answered badly."""


class ClientProxyServiceFailed(ClientProxyFault, ServiceFailedFault):
    """``Server.ClientProxy.ServiceFailed.*``."""


class ServerProxyServiceFailed(ServerProxyFault, ServiceFailedFault):
    """``Server.ServerProxy.ServiceFailed.*``."""


class XRoadTransportError(XRoadError):
    """We could not exchange HTTP with our Security Server (connection, TLS, protocol)."""

    def __init__(self, message: str, *, x_road_id: str | None = None) -> None:
        self.x_road_id = x_road_id
        super().__init__(message)


class XRoadTimeout(XRoadTransportError):
    """A connect, read, write or pool timeout, or the retry deadline, ran out."""


class InvalidResponseError(XRoadError):
    """The answer is not shaped like a Security Server answer."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        content_type: str | None = None,
        x_road_id: str | None = None,
    ) -> None:
        self.http_status = http_status
        self.content_type = content_type
        self.x_road_id = x_road_id
        super().__init__(message)


class ResponseTooLargeError(InvalidResponseError):
    """The response body exceeded the client's ``max_response_bytes``."""


class InconsistentResponseError(InvalidResponseError):
    """The response's ids do not match the request (X-Road-Id, client or service)."""


class MalformedMultipartError(InvalidResponseError):
    """A ``multipart/related`` answer that cannot be split safely: no boundary, no closing
    boundary, a malformed or duplicated Content-ID, or a first part that is not SOAP."""


class MissingAttachmentError(InvalidResponseError):
    """The answer lacks the attachment it must carry (getWsdl's WSDL)."""


class RequestHashMismatchError(InconsistentResponseError):
    """A SOAP response's ``requestHash`` is not the SHA-512 of the bytes we sent."""


def _category(code: FaultCode) -> type[XRoadFault]:
    failed = code.contains_segment("ServiceFailed")
    if code.startswith("Server.ClientProxy"):
        return ClientProxyServiceFailed if failed else ClientProxyFault
    if code.startswith("Server.ServerProxy"):
        if code == "Server.ServerProxy.ServiceType":
            return ServiceTypeFault
        return ServerProxyServiceFailed if failed else ServerProxyFault
    if code.startswith("Client"):
        return ClientFault
    return ServiceFailedFault if failed else XRoadFault


def fault_from_code(
    code: FaultCode | str,
    message: str = "",
    detail: str | None = None,
    *,
    x_road_id: str | None = None,
    http_status: int | None = None,
    actor: str | None = None,
) -> XRoadFault:
    """Build the :class:`XRoadFault` subclass matching the code's origin and category."""
    fault_code = code if isinstance(code, FaultCode) else FaultCode(code)
    cls = _category(fault_code)
    return cls(
        fault_code,
        message,
        detail,
        x_road_id=x_road_id,
        http_status=http_status,
        actor=actor,
    )
