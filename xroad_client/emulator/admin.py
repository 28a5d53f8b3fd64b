"""The emulator's control surface under ``/_emulator`` (outside the X-Road paths).

- ``GET    /_emulator/health``                  -> ``{"status": "ok"}``
- ``GET    /_emulator/faults``                  -> ``{"faults": {service: spec}}``
- ``POST   /_emulator/faults/{service-id}``     JSON ``{latency_ms, error_rate, timeout, down,
  error_code, error_message}`` (all optional) -> the stored spec
- ``DELETE /_emulator/faults/{service-id}``     -> that service behaves again
- ``DELETE /_emulator/faults``                  -> every service behaves again
- ``GET    /_emulator/exchanges?x_road_id=..&service=..`` -> ``{"exchanges": [...]}``
- ``DELETE /_emulator/exchanges``               -> empties the log

``{service-id}`` is the REST form ``INSTANCE/CLASS/MEMBER/SUBSYSTEM/CODE`` (percent-encoded).
"""

from __future__ import annotations

import json
from typing import Final
from urllib.parse import parse_qs

from xroad_client.emulator._asgi import Request, Response, json_response
from xroad_client.emulator.faults import FaultSpec
from xroad_client.emulator.runtime import Runtime
from xroad_client.errors import IdentifierError
from xroad_client.identifiers import ServiceId

__all__ = ["ADMIN_PREFIX", "handle_admin"]

ADMIN_PREFIX: Final = "/_emulator"
_FAULTS: Final = f"{ADMIN_PREFIX}/faults"


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def _service(runtime: Runtime, text: str) -> ServiceId | Response:
    try:
        service = ServiceId.decode(text)
    except IdentifierError as exc:
        return _error(400, str(exc))
    if runtime.topology.find_service(service) is None:
        return _error(404, f"no service {text} in the topology")
    return service


def _set_fault(runtime: Runtime, service: ServiceId, body: bytes) -> Response:
    try:
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        spec = FaultSpec.from_json(data)
    except ValueError as exc:
        return _error(400, str(exc))
    runtime.faults.set(service, spec)
    return json_response(200, {"service": service.encode(), "fault": spec.to_json()})


def _faults(runtime: Runtime, request: Request) -> Response:
    if request.raw_path == _FAULTS:
        if request.method == "GET":
            snapshot = runtime.faults.snapshot()
            faults = {service.encode(): spec.to_json() for service, spec in snapshot.items()}
            return json_response(200, {"faults": faults})
        if request.method == "DELETE":
            runtime.faults.clear()
            return json_response(200, {"faults": {}})
        return _error(405, "use GET or DELETE")
    found = _service(runtime, request.raw_path.removeprefix(_FAULTS + "/"))
    if isinstance(found, Response):
        return found
    if request.method == "POST":
        return _set_fault(runtime, found, request.body)
    if request.method == "DELETE":
        runtime.faults.clear(found)
        return json_response(200, {"service": found.encode(), "fault": None})
    return _error(405, "use POST or DELETE")


def _exchanges(runtime: Runtime, request: Request) -> Response:
    if request.method == "DELETE":
        runtime.log.clear()
        return json_response(200, {"exchanges": []})
    if request.method != "GET":
        return _error(405, "use GET or DELETE")
    query = parse_qs(request.query)
    records = runtime.log.query(
        x_road_id=query.get("x_road_id", [None])[-1],
        service=query.get("service", [None])[-1],
    )
    return json_response(200, {"exchanges": [record.to_json() for record in records]})


def handle_admin(runtime: Runtime, request: Request) -> Response:
    path = request.raw_path
    if path == f"{ADMIN_PREFIX}/health":
        return json_response(200, {"status": "ok"})
    if path == _FAULTS or path.startswith(_FAULTS + "/"):
        return _faults(runtime, request)
    if path == f"{ADMIN_PREFIX}/exchanges":
        return _exchanges(runtime, request)
    return _error(404, f"unknown emulator endpoint {path}")
