"""``python -m sandbox``: the registries behind the X-Road emulator, the e-identity provider
and the sandbox bank.

Serves the emulated Security Server (with the population, tax, notary and payment registries
behind it) on --port and the OpenID provider on --idp-port, until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import os

import uvicorn

from sandbox.bank import bank_client, create_bank_app
from sandbox.identity import default_app
from sandbox.world import build_emulator


async def _serve(host: str, port: int, idp_port: int, bank_port: int) -> None:
    os.environ.setdefault("SANDBOX_IDP_ISSUER", f"http://{host}:{idp_port}")
    emulator = build_emulator()
    bank = create_bank_app(
        bank_client("http://emulator.invalid", transport=emulator.async_transport())
    )
    servers = [
        uvicorn.Server(uvicorn.Config(emulator, host=host, port=port, log_level="info")),
        uvicorn.Server(uvicorn.Config(default_app(), host=host, port=idp_port, log_level="info")),
        uvicorn.Server(uvicorn.Config(bank, host=host, port=bank_port, log_level="info")),
    ]
    await asyncio.gather(*(server.serve() for server in servers))


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the sandbox registries and e-identity.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8700")))
    parser.add_argument(
        "--idp-port", type=int, default=int(os.environ.get("SANDBOX_IDP_PORT", "8701"))
    )
    parser.add_argument(
        "--bank-port", type=int, default=int(os.environ.get("SANDBOX_BANK_PORT", "8702"))
    )
    args = parser.parse_args()
    print(f"X-Road Security Server (emulated): http://{args.host}:{args.port}")
    print(f"e-identity provider (sandbox):     http://{args.host}:{args.idp_port}")
    print(f"bank (sandbox):                    http://{args.host}:{args.bank_port}")
    asyncio.run(_serve(args.host, args.port, args.idp_port, args.bank_port))


if __name__ == "__main__":
    main()
