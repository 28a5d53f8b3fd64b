"""Safe XML parsing (defusedxml, DTDs refused) and small ElementTree helpers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final

from defusedxml import ElementTree as _defused  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "NS_ID",
    "NS_REPR",
    "NS_SOAP_ENV",
    "NS_XRD",
    "XMLRejected",
    "find_child",
    "local_name",
    "parse_xml",
    "qname",
    "text_of",
]

NS_SOAP_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
NS_XRD: Final = "http://x-road.eu/xsd/xroad.xsd"
NS_ID: Final = "http://x-road.eu/xsd/identifiers"
NS_REPR: Final = "http://x-road.eu/xsd/representation.xsd"


class XMLRejected(ValueError):
    """The bytes are not well-formed XML, or use DTDs/entities (bomb protection)."""


def parse_xml(data: bytes) -> ET.Element:
    """Parse untrusted XML: no DTD, no entity expansion, no external references."""
    try:
        root = _defused.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, ValueError) as exc:
        raise XMLRejected(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(root, ET.Element):
        raise XMLRejected("parser returned no element")
    return root


def qname(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find_child(element: ET.Element, namespace: str | None, name: str) -> ET.Element | None:
    """First direct child called ``name`` (in ``namespace``; any namespace when None)."""
    for child in element:
        if not isinstance(child.tag, str) or local_name(child.tag) != name:
            continue
        if namespace is None or child.tag == qname(namespace, name):
            return child
    return None


def text_of(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    return (element.text or "").strip()
