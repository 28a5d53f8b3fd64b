"""``python -m sandbox``: the registries behind the X-Road emulator, the e-identity provider,
the sandbox bank and the sandbox Time-Stamping Authority.

Serves the emulated Security Server (with the population, tax, notary and payment registries
behind it, and the status of e.firma certificates, whose files are made on first start: see
:mod:`sandbox.efirma`) on --port, the OpenID provider on --idp-port, the bank on --bank-port and
the TSA on --tsa-port (its root and key kept in --tsa-dir, see :mod:`sandbox.tsa`) and SAT's OCSP
responder over plain HTTP on --ocsp-port (the address the demo certificates name, for standard
tools; the portal asks over X-Road), until Ctrl-C. With
--portal-api (or PORTAL_API_URL), the emulator also offers the portal's agency API as provider
MX-DEV/GOV/QRO-SEDESU/registro (see :mod:`sandbox.register_api`); the portal need not be up yet.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

import uvicorn

from sandbox import efirma
from sandbox.bank import bank_client, create_bank_app
from sandbox.identity import default_app
from sandbox.providers import certificates
from sandbox.register_api import PROVIDER, describe_when_reachable, register_in_emulator
from sandbox.tsa import CA_FILE, create_tsa_app, default_folder, load_or_create_authority
from sandbox.world import build_emulator
from xroad_client.emulator import Emulator


def sandbox_emulator(portal_api: str | None) -> Emulator:
    """The emulator ``python -m sandbox`` serves: the registries, and the portal's agency API
    when ``portal_api`` (its root, e.g. ``http://127.0.0.1:8000/api/v1``) is given."""
    emulator = build_emulator()
    if portal_api:
        register_in_emulator(emulator.topology, portal_api)
    return emulator


async def _describe_agency_api(emulator: Emulator, portal_api: str) -> None:
    await describe_when_reachable(emulator.topology, portal_api)
    print(f"agency API described from {portal_api}/openapi.json", flush=True)


async def _serve(args: argparse.Namespace) -> None:
    host = args.host
    os.environ.setdefault("SANDBOX_IDP_ISSUER", f"http://{host}:{args.idp_port}")
    emulator = sandbox_emulator(args.portal_api)
    bank = create_bank_app(
        bank_client("http://emulator.invalid", transport=emulator.async_transport())
    )
    tsa = create_tsa_app(load_or_create_authority(args.tsa_dir))
    servers = [
        uvicorn.Server(uvicorn.Config(emulator, host=host, port=args.port, log_level="info")),
        uvicorn.Server(
            uvicorn.Config(default_app(), host=host, port=args.idp_port, log_level="info")
        ),
        uvicorn.Server(uvicorn.Config(bank, host=host, port=args.bank_port, log_level="info")),
        uvicorn.Server(uvicorn.Config(tsa, host=host, port=args.tsa_port, log_level="info")),
        uvicorn.Server(
            uvicorn.Config(
                certificates.create_app(), host=host, port=args.ocsp_port, log_level="info"
            )
        ),
    ]
    work: list[Coroutine[Any, Any, None]] = [server.serve() for server in servers]
    if args.portal_api:
        work.append(_describe_agency_api(emulator, args.portal_api))
    await asyncio.gather(*work)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the sandbox registries and e-identity.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8700")))
    parser.add_argument(
        "--idp-port", type=int, default=int(os.environ.get("SANDBOX_IDP_PORT", "8701"))
    )
    parser.add_argument(
        "--bank-port", type=int, default=int(os.environ.get("SANDBOX_BANK_PORT", "8702"))
    )
    parser.add_argument(
        "--tsa-port", type=int, default=int(os.environ.get("SANDBOX_TSA_PORT", "8703"))
    )
    parser.add_argument(
        "--ocsp-port",
        type=int,
        default=int(os.environ.get("SANDBOX_OCSP_PORT", str(efirma.OCSP_PORT))),
        help="SAT's OCSP responder over plain HTTP (POST /v1/ocsp), the one the demo "
        "certificates name in their Authority Information Access",
    )
    parser.add_argument(
        "--tsa-dir",
        type=Path,
        default=Path(os.environ.get("SANDBOX_TSA_DIR") or default_folder()),
        help="where the TSA keeps its root (ca.pem, the portal's SEAL_TSA_CA_PATH), "
        "certificate and key; made on first start (default: $VAR_DIR/sandbox-tsa)",
    )
    parser.add_argument(
        "--portal-api",
        default=os.environ.get("PORTAL_API_URL") or None,
        help="the portal's agency API root (e.g. http://127.0.0.1:8000/api/v1), offered over "
        f"X-Road as {PROVIDER}",
    )
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    print(f"X-Road Security Server (emulated): http://{args.host}:{args.port}")
    print(f"e-identity provider (sandbox):     http://{args.host}:{args.idp_port}")
    print(f"bank (sandbox):                    http://{args.host}:{args.bank_port}")
    print(
        f"time-stamping authority (sandbox): http://{args.host}:{args.tsa_port}/"
        f"  (root: {args.tsa_dir / CA_FILE})"
    )
    print(f"e.firma demo files (sandbox SAT):  {efirma.default_folder() / efirma.PEOPLE_FOLDER}")
    print(f"SAT's OCSP (sandbox, plain HTTP):  http://{args.host}:{args.ocsp_port}/v1/ocsp")
    if args.portal_api:
        print(f"agency API over X-Road:            {PROVIDER} -> {args.portal_api}")
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
