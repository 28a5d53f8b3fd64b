"""The SOAP 4.0 path through the emulated Security Servers (everything not /rN, not meta)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Final
from xml.sax.saxutils import escape

import httpx

from xroad_client._http import RawResponse, media_type
from xroad_client._xml import (
    NS_ID,
    NS_SOAP_ENV,
    NS_XRD,
    XMLRejected,
    find_child,
    local_name,
    parse_xml,
    text_of,
)
from xroad_client.emulator._asgi import Request, Response
from xroad_client.emulator.exchange_log import ExchangeDraft
from xroad_client.emulator.get_wsdl import GET_WSDL, described_wsdl, multipart_answer
from xroad_client.emulator.metaservices import SOAP_METASERVICES, soap_service_list
from xroad_client.emulator.providers import Forward, ProviderAnswer
from xroad_client.emulator.refusals import Refusal, soap_fault_response
from xroad_client.emulator.runtime import Runtime
from xroad_client.errors import IdentifierError, InvalidResponseError
from xroad_client.identifiers import ClientId, ServiceId
from xroad_client.soap import (
    SHA512,
    client_id_from_xml,
    client_id_xml,
    request_hash,
    service_id_from_xml,
    service_id_xml,
    soap_part,
)
from xroad_client.soap.wsdl import split_related

__all__ = ["handle_soap", "insert_request_hash"]

_REQUIRED: Final = ("client", "service", "id", "protocolVersion")
_CONTENT_TYPE: Final = [("content-type", "text/xml; charset=UTF-8")]
_FAILED: Final = "Server.ServerProxy.ServiceFailed."


@dataclass(frozen=True, slots=True)
class SoapRequestHeader:
    client: ClientId
    service: ServiceId
    id: str
    protocol_version: str
    user_id: str | None
    issue: str | None


def _envelope(request: Request) -> tuple[bytes, ET.Element]:
    if request.method != "POST":
        raise Refusal(
            "Client.InvalidHttpMethod", f"Must use POST request method instead of {request.method}"
        )
    content_type = request.header("content-type") or ""
    if media_type(content_type) not in ("text/xml", "multipart/related"):
        raise Refusal(
            "Client.InvalidContentType", f"Invalid content type: {content_type or '(none)'}"
        )
    try:
        soap = soap_part(request.body, content_type)
        root = parse_xml(soap)
    except (XMLRejected, ValueError) as exc:
        raise Refusal("Client.InvalidXml", f"Malformed SOAP message: {exc}") from exc
    if root.tag != f"{{{NS_SOAP_ENV}}}Envelope":
        raise Refusal("Client.InvalidSoap", "Malformed SOAP message: not a SOAP 1.1 Envelope")
    return soap, root


def _check_fields(header: ET.Element) -> None:
    counts = Counter(local_name(c.tag) for c in header if c.tag.startswith(f"{{{NS_XRD}}}"))
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    if duplicated:
        raise Refusal(
            "Client.DuplicateHeaderField", f"SOAP header contains duplicate field(s) {duplicated}"
        )
    for name in _REQUIRED:
        if find_child(header, NS_XRD, name) is None:
            raise Refusal("Client.MissingHeaderField", f"Required field 'xrd:{name}' is missing")


def _read_header(envelope: ET.Element) -> SoapRequestHeader:
    if find_child(envelope, NS_SOAP_ENV, "Body") is None:
        raise Refusal(
            "Server.ClientProxy.ServiceFailed.MissingBody", "Malformed SOAP message: body missing"
        )
    header = find_child(envelope, NS_SOAP_ENV, "Header")
    if header is None:
        raise Refusal("Client.MissingHeader", "Malformed SOAP message: header missing")
    _check_fields(header)
    version = text_of(find_child(header, NS_XRD, "protocolVersion")) or ""
    if not version.startswith("4."):
        raise Refusal("Client.InvalidProtocolVersion", f"Invalid protocol version: {version!r}")
    message_id = text_of(find_child(header, NS_XRD, "id")) or ""
    if not message_id:
        raise Refusal("Client.MissingHeaderField", "Required field 'xrd:id' is empty")
    try:
        client = client_id_from_xml(_present(header, "client"))
        service = service_id_from_xml(_present(header, "service"))
    except IdentifierError as exc:
        raise Refusal("Client.InvalidSoap", f"Malformed SOAP header identifier: {exc}") from exc
    user_id = text_of(find_child(header, NS_XRD, "userId"))
    issue = text_of(find_child(header, NS_XRD, "issue"))
    return SoapRequestHeader(client, service, message_id, version, user_id, issue)


def _present(header: ET.Element, name: str) -> ET.Element:
    element = find_child(header, NS_XRD, name)
    assert element is not None  # _check_fields made sure
    return element


def _check_body(envelope: ET.Element, service: ServiceId) -> None:
    body = find_child(envelope, NS_SOAP_ENV, "Body")
    elements = [child for child in body if isinstance(child.tag, str)] if body is not None else []
    if len(elements) != 1:
        raise Refusal(
            "Client.InvalidBody", "Malformed SOAP message: body must hold exactly one element"
        )
    name = local_name(elements[0].tag)
    if not name.startswith(service.service_code):
        raise Refusal(
            "Client.InvalidBody",
            f"Malformed SOAP message: body element '{name}' does not match service code"
            f" '{service.service_code}'",
        )


def _hash_element(digest: str) -> str:
    return (
        f'<xrd:requestHash xmlns:xrd="{NS_XRD}" algorithmId="{SHA512}">{digest}</xrd:requestHash>'
    )


def _xrd_prefixes(envelope: bytes) -> list[bytes]:
    """The prefixes bound to the xrd namespace (b"" for a default namespace)."""
    uri = re.escape(NS_XRD.encode())
    bound = re.findall(rb"xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*[\"']" + uri + rb"[\"']", envelope)
    return sorted(set(bound), key=len, reverse=True)


def _qualified(prefix: bytes, local: bytes) -> bytes:
    return re.escape(prefix + b":" + local if prefix else local)


def insert_request_hash(envelope: bytes, digest: str) -> bytes:
    """Put our ``xrd:requestHash`` right after the header's ``xrd:id``, as the provider's
    Security Server does (ServerMessageProcessor): any requestHash the provider wrote is
    removed first. The other bytes stay as they were."""
    prefixes = _xrd_prefixes(envelope)
    for prefix in prefixes:
        name = _qualified(prefix, b"requestHash")
        own = rb"<" + name + rb"(?:\s[^>]*)?(?:/>|>.*?</" + name + rb"\s*>)"
        envelope = re.sub(own, b"", envelope, flags=re.DOTALL)
    for prefix in prefixes:
        name = _qualified(prefix, b"id")
        closing = re.search(
            rb"<" + name + rb"(?:\s[^>]*)?>.*?</" + name + rb"\s*>", envelope, re.DOTALL
        )
        if closing is not None:
            at = closing.end()
            return envelope[:at] + _hash_element(digest).encode() + envelope[at:]
    raise Refusal(_FAILED + "MissingHeaderField", "Required field 'id' is missing")


def _echoed(header: ET.Element, sent: SoapRequestHeader) -> None:
    wanted = [("client", sent.client), ("service", sent.service), ("id", sent.id)]
    wanted += [("protocolVersion", sent.protocol_version)]
    wanted += [(n, v) for n, v in (("userId", sent.user_id), ("issue", sent.issue)) if v]
    for name, value in wanted:
        element = find_child(header, NS_XRD, name)
        if element is None:
            raise Refusal(_FAILED + "MissingHeaderField", f"Required field '{name}' is missing")
        try:
            got: object = (
                client_id_from_xml(element)
                if name == "client"
                else service_id_from_xml(element)
                if name == "service"
                else text_of(element)
            )
        except IdentifierError as exc:
            raise Refusal(_FAILED + "InvalidSoap", f"Malformed field '{name}': {exc}") from exc
        if got != value:
            raise Refusal(
                "Server.ClientProxy.InconsistentResponse",
                f"Response field '{name}' differs from the request",
            )


def _checked_envelope(envelope: bytes, sent: SoapRequestHeader, digest: str) -> bytes:
    """The provider's SOAP message, its header checked and our requestHash written."""
    try:
        root = parse_xml(envelope)
    except XMLRejected as exc:
        raise Refusal(_FAILED + "InvalidXml", f"Malformed provider response: {exc}") from exc
    body = find_child(root, NS_SOAP_ENV, "Body")
    if root.tag != f"{{{NS_SOAP_ENV}}}Envelope" or body is None:
        raise Refusal(
            _FAILED + "InvalidSoap", "Provider response is not a SOAP envelope with a Body"
        )
    if find_child(body, NS_SOAP_ENV, "Fault") is not None:
        return envelope  # provider faults are passed through unchanged
    header = find_child(root, NS_SOAP_ENV, "Header")
    if header is None:
        raise Refusal(_FAILED + "MissingHeader", "Malformed SOAP message: header missing")
    _echoed(header, sent)
    return insert_request_hash(envelope, digest)


def _provider_answer(answer: ProviderAnswer, sent: SoapRequestHeader, digest: str) -> Response:
    """A plain SOAP answer, or a multipart/related one (SOAP part first, then attachments,
    as X-Road relays them): the SOAP part is checked and hashed, the rest kept as sent."""
    content_type = next((v for k, v in answer.headers if k.lower() == "content-type"), "")
    kind = media_type(content_type)
    if kind in ("text/xml", "application/xml"):
        envelope = _checked_envelope(answer.body, sent, digest)
        return Response(200, list(_CONTENT_TYPE), envelope)
    if kind != "multipart/related":
        raise Refusal(
            _FAILED + "InvalidContentType",
            f"Invalid content type of the provider response: {content_type or '(none)'}"
            f" (HTTP {answer.status})",
        )
    raw = RawResponse(answer.status, httpx.Headers(answer.headers), answer.body)
    try:
        soap, _ = split_related(raw)
    except InvalidResponseError as exc:
        raise Refusal(_FAILED + "MimeParsingFailed", f"Malformed provider response: {exc}") from exc
    at = answer.body.find(soap.payload)
    if at < 0:  # an encoded SOAP part: not relayed byte for byte
        raise Refusal(_FAILED + "MimeParsingFailed", "the SOAP part must be sent unencoded")
    envelope = _checked_envelope(soap.payload, sent, digest)
    body = answer.body[:at] + envelope + answer.body[at + len(soap.payload) :]
    return Response(200, [("content-type", content_type)], body)


def _meta_envelope(sent: SoapRequestHeader, digest: str, body: str) -> bytes:
    optional = "".join(
        f"<xrd:{name}>{escape(value)}</xrd:{name}>"
        for name, value in (("userId", sent.user_id), ("issue", sent.issue))
        if value
    )
    header = (
        client_id_xml("xrd:client", sent.client)
        + service_id_xml("xrd:service", sent.service)
        + f"<xrd:id>{escape(sent.id)}</xrd:id>{optional}"
        + f"<xrd:protocolVersion>{escape(sent.protocol_version)}</xrd:protocolVersion>"
        + f'<xrd:requestHash algorithmId="{SHA512}">{digest}</xrd:requestHash>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{NS_SOAP_ENV}" xmlns:xrd="{NS_XRD}" xmlns:id="{NS_ID}">'
        f"<SOAP-ENV:Header>{header}</SOAP-ENV:Header><SOAP-ENV:Body>{body}</SOAP-ENV:Body>"
        "</SOAP-ENV:Envelope>"
    ).encode()


async def _proxy(runtime: Runtime, request: Request, draft: ExchangeDraft) -> Response:
    soap, envelope = _envelope(request)
    sent = _read_header(envelope)
    draft.client, draft.service, draft.x_road_id = str(sent.client), str(sent.service), sent.id
    _check_body(envelope, sent.service)
    digest = request_hash(soap)
    draft.request_hash = digest
    runtime.check_strict(sent.client)
    runtime.require_local_client(sent.client)
    runtime.require_connection(sent.client, request)
    if sent.service.service_code == GET_WSDL:
        runtime.require_provider(sent.service)
        wrapper, wsdl = described_wsdl(runtime, sent.service.provider, envelope)
        return multipart_answer(_meta_envelope(sent, digest, wrapper), wsdl)
    if sent.service.service_code in SOAP_METASERVICES:
        runtime.require_provider(sent.service)
        listing = soap_service_list(
            runtime, sent.service.provider, sent.client, sent.service.service_code
        )
        return Response(200, list(_CONTENT_TYPE), _meta_envelope(sent, digest, listing))
    service = runtime.require_service(sent.service)
    if service.kind != "SOAP":
        raise Refusal(
            "Server.ServerProxy.ServiceType",
            "Service is a REST service and cannot be called using SOAP interface",
        )
    runtime.require_access(service, sent.client, "POST", "")
    await runtime.misbehave(service)
    headers = [("content-type", request.header("content-type") or "text/xml")]
    action = request.header("soapaction")
    if action is not None:
        headers.append(("soapaction", action))
    answer = await runtime.providers.call(
        service.provider, Forward("POST", "", headers, request.body), timeout_s=service.timeout_s
    )
    return _provider_answer(answer, sent, digest)


async def handle_soap(runtime: Runtime, request: Request, draft: ExchangeDraft) -> Response:
    """Answer a SOAP request; every error is a SOAP Fault with HTTP 200."""
    try:
        response = await _proxy(runtime, request, draft)
    except Refusal as refusal:
        spelling = runtime.topology.error_spelling
        response = soap_fault_response(refusal, spelling)
        draft.fault_code = refusal.spelled(spelling)
    draft.status = response.status
    return response
