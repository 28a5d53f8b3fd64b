"""X-Road SOAP 4.0: envelopes, responses, faults and requestHash checks."""

from xroad_client.soap.envelope import (
    PROTOCOL_VERSION,
    SOAP_CONTENT_TYPE,
    SoapBody,
    build_envelope,
    build_soap_request,
    metaservice_body,
)
from xroad_client.soap.ids import (
    client_id_from_xml,
    client_id_xml,
    server_id_xml,
    service_id_from_xml,
    service_id_xml,
)
from xroad_client.soap.response import (
    SHA512,
    Expected,
    SoapHeader,
    SoapResponse,
    interpret_soap,
    request_hash,
    soap_part,
)
from xroad_client.soap.wsdl import (
    DEFAULT_MAX_WSDL_BYTES,
    WsdlDocument,
    get_wsdl_body,
    interpret_wsdl,
    split_related,
)

__all__ = [
    "DEFAULT_MAX_WSDL_BYTES",
    "PROTOCOL_VERSION",
    "SHA512",
    "SOAP_CONTENT_TYPE",
    "Expected",
    "SoapBody",
    "SoapHeader",
    "SoapResponse",
    "WsdlDocument",
    "build_envelope",
    "build_soap_request",
    "client_id_from_xml",
    "client_id_xml",
    "get_wsdl_body",
    "interpret_soap",
    "interpret_wsdl",
    "metaservice_body",
    "request_hash",
    "server_id_xml",
    "service_id_from_xml",
    "service_id_xml",
    "soap_part",
    "split_related",
]
