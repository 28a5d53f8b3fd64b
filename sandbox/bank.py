"""The sandbox bank: where a demo payment reference gets paid.

A bank, not the portal, tells the payments registry that a reference was paid; this page does
that over X-Road as the bank's own client subsystem, so the portal only ever learns it by
asking the registry.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from sandbox.catalogue import BANK, CATALOGUE
from xroad_client import AsyncXRoadClient, XRoadError

PAGE = """<!doctype html><html lang="es-MX"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Banco de prueba · Empresa24</title><link rel="icon" href="data:,"></head><body><main>
<h1>Banco de prueba (entorno de prueba)</h1>
<p>Sandbox bank: pays a payment reference of the payments registry.</p>
{message}
<form method="post" action="/pagar">
<label for="reference">Referencia de pago</label>
<input id="reference" name="reference" value="{reference}" required>
<button type="submit">Pagar</button>
</form></main></body></html>"""


def create_bank_app(xroad: AsyncXRoadClient) -> Starlette:
    service = CATALOGUE.service("payments").service_id

    async def page(request: Request) -> HTMLResponse:
        reference = escape(request.query_params.get("reference", ""))
        return HTMLResponse(PAGE.format(message="", reference=reference))

    async def pay(request: Request) -> HTMLResponse:
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        reference = form.get("reference", [""])[0].strip().upper()
        try:
            response = await xroad.post(
                service, f"/v1/referencias/{reference}/pay", idempotent=True
            )
        except XRoadError:
            message = "<p role='alert'>El registro de pagos no responde. Intenta de nuevo.</p>"
            return HTMLResponse(
                PAGE.format(message=message, reference=escape(reference)), status_code=503
            )
        if response.is_success:
            message = f"<p role='status'>Pagada: {escape(reference)}.</p>"
        else:
            message = (
                f"<p role='alert'>No se pudo pagar {escape(reference)} ({response.status}).</p>"
            )
        return HTMLResponse(
            PAGE.format(message=message, reference=escape(reference)), status_code=response.status
        )

    return Starlette(routes=[Route("/", page), Route("/pagar", pay, methods=["POST"])])


def bank_client(
    base_url: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncXRoadClient:
    return AsyncXRoadClient(base_url, str(BANK), transport=transport)
