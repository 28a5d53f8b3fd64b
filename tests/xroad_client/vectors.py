"""The shared X-Road test vectors and converters from their summaries to bytes.

The vectors are facts from the X-Road specifications (their source is the file's
``generated_from`` line), vendored as ``tests/xroad_client/data/vectors.json`` so that the
repository alone runs them; ``XROAD_VECTORS`` names another copy (a newer one, say).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

import httpx

from xroad_client._http import RawResponse

Vector = dict[str, Any]

NS = {
    "SOAP-ENV": "http://schemas.xmlsoap.org/soap/envelope/",
    "xrd": "http://x-road.eu/xsd/xroad.xsd",
    "id": "http://x-road.eu/xsd/identifiers",
}
_ID_ORDER = (
    "xRoadInstance",
    "memberClass",
    "memberCode",
    "subsystemCode",
    "serviceCode",
    "serviceVersion",
)


VENDORED = Path(__file__).resolve().parent / "data" / "vectors.json"


def vectors_path() -> Path:
    override = os.environ.get("XROAD_VECTORS")
    return Path(override) if override else VENDORED


@cache
def all_vectors() -> tuple[Vector, ...]:
    data = json.loads(vectors_path().read_text(encoding="utf-8"))
    return tuple(data["vectors"])


def vector(name: str) -> Vector:
    return next(v for v in all_vectors() if v["name"] == name)


def names(predicate: Any) -> list[str]:
    return [v["name"] for v in all_vectors() if predicate(v)]


def has_concrete_rest_request(v: Vector) -> bool:
    path = v["request"]["path"]
    return v["protocol"].startswith(("REST", "META")) and path.startswith("/") and "..." not in path


# -- REST ------------------------------------------------------------------------------------


def split_rest_path(path: str) -> tuple[list[str], str, dict[str, str]]:
    """Naive split of ``/r1/A/B/C/D/E/rest?q`` into decoded ids, provider path and params."""
    route, _, query = path.partition("?")
    segments = route.split("/")
    ids = [unquote(part) for part in segments[2:7]]
    provider_path = "/" + "/".join(segments[7:]) if len(segments) > 7 else ""
    return ids, provider_path, dict(parse_qsl(query))


def header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def body_bytes(body: Any) -> bytes:
    return b"" if body is None else json.dumps(body).encode()


def raw_response(v: Vector) -> RawResponse:
    response = v["response"]
    return RawResponse(
        response["status"], httpx.Headers(response["headers"]), body_bytes(response["body"])
    )


# -- SOAP ------------------------------------------------------------------------------------


def _id_xml(tag: str, fields: dict[str, str]) -> str:
    inner = "".join(
        f"<id:{name}>{escape(fields[name])}</id:{name}>" for name in _ID_ORDER if name in fields
    )
    return f'<{tag} id:objectType="{fields["objectType"]}">{inner}</{tag}>'


def soap_header_xml(header: dict[str, Any]) -> str:
    parts = []
    for name in ("client", "service"):
        if name in header:
            parts.append(_id_xml(f"xrd:{name}", header[name]))
    for name in ("id", "userId", "issue", "protocolVersion"):
        if name in header:
            parts.append(f"<xrd:{name}>{escape(header[name])}</xrd:{name}>")
    if "requestHash" in header:
        digest = header["requestHash"]
        parts.append(
            f'<xrd:requestHash algorithmId="{digest["algorithmId"]}">'
            f"{digest['value']}</xrd:requestHash>"
        )
    return "<SOAP-ENV:Header>" + "".join(parts) + "</SOAP-ENV:Header>"


def _child_xml(name: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_child_xml(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def soap_body_xml(summary: dict[str, Any]) -> str:
    if "fault" in summary:
        fault = summary["fault"]
        return (
            "<SOAP-ENV:Fault>"
            f"<faultcode>{fault['faultcode']}</faultcode>"
            f"<faultstring>{escape(fault['faultstring'])}</faultstring>"
            f"<faultactor>{fault['faultactor']}</faultactor>"
            f'<detail><faultDetail xmlns="">{fault["detail.faultDetail"]}</faultDetail></detail>'
            "</SOAP-ENV:Fault>"
        )
    if "body_element" not in summary:  # a request summary that only gives the header
        code = summary["header"]["service"]["serviceCode"]
        return f'<ns1:{code} xmlns:ns1="http://producer.x-road.eu"/>'
    namespace, _, local = summary["body_element"][1:].partition("}")
    prefix = "xrd" if namespace == NS["xrd"] else "ns1"
    declaration = "" if prefix == "xrd" else f' xmlns:ns1="{namespace}"'
    children = "".join(_child_xml(k, v) for k, v in summary.get("body_children", {}).items())
    children += "".join(_id_xml("xrd:service", s) for s in summary.get("services", []))
    return f"<{prefix}:{local}{declaration}>{children}</{prefix}:{local}>"


def soap_envelope(summary: dict[str, Any], *, body: bool = True) -> bytes:
    """An envelope for a vector's request/response summary (Body left out when asked)."""
    declarations = " ".join(f'xmlns:{p}="{uri}"' for p, uri in NS.items())
    header = soap_header_xml(summary["header"]) if "header" in summary else ""
    payload = f"<SOAP-ENV:Body>{soap_body_xml(summary)}</SOAP-ENV:Body>" if body else ""
    text = f"<SOAP-ENV:Envelope {declarations}>{header}{payload}</SOAP-ENV:Envelope>"
    return ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode()
