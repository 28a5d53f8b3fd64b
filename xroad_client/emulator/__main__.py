"""``python -m xroad_client.emulator package.module:factory [--host H] [--port P] [--tls ...]``

``factory`` is a callable returning a :class:`Topology` or an :class:`Emulator`.
``--max-loggable-body-size BYTES`` overrides the topology's message-log limit (0: none).
"""

from __future__ import annotations

import argparse
import importlib

from xroad_client.emulator.app import Emulator
from xroad_client.emulator.server import ServerTLS, serve
from xroad_client.emulator.topology import Topology


def _load(spec: str) -> Emulator:
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        raise SystemExit(f"expected module:factory, got {spec!r}")
    built = getattr(importlib.import_module(module_name), attribute)()
    if isinstance(built, Topology):
        return Emulator(built)
    if isinstance(built, Emulator):
        return built
    raise SystemExit(f"{spec} returned {type(built).__name__}, not a Topology or Emulator")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the X-Road Security Server emulator.")
    parser.add_argument("factory", help="module:callable returning a Topology or Emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--certfile", help="server certificate (PEM) to serve HTTPS")
    parser.add_argument("--keyfile", help="server private key (PEM)")
    parser.add_argument(
        "--client-ca", help="CA bundle; when given, client certificates are checked"
    )
    parser.add_argument(
        "--client-certificate",
        choices=("required", "optional"),
        default="required",
        help="with --client-ca: refuse a TLS handshake without a certificate (required), or"
        " accept it and let each client's connection type decide (optional)",
    )
    parser.add_argument(
        "--max-loggable-body-size",
        type=int,
        metavar="BYTES",
        help="the message log's limit for a REST request body (default 10 MiB; 0 = no limit)",
    )
    args = parser.parse_args()
    emulator = _load(args.factory)
    if args.max_loggable_body_size is not None:
        limit = args.max_loggable_body_size
        emulator.topology.max_loggable_body_size = limit if limit > 0 else None
    tls = None
    if args.certfile:
        tls = ServerTLS(args.certfile, args.keyfile, args.client_ca, args.client_certificate)
    serve(emulator, host=args.host, port=args.port, tls=tls)


if __name__ == "__main__":
    main()
