"""Run the sandbox OpenID provider: `python -m sandbox.identity --port 8701`.

Unless `SANDBOX_IDP_ISSUER` is set, the issuer is `http://<host>:<port>`; the rest of the
configuration comes from the environment (see `sandbox.identity.settings`).
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from sandbox.identity.settings import default_app


def main() -> None:
    parser = argparse.ArgumentParser(description="Sandbox OpenID provider (Querétaro e-identity)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    args = parser.parse_args()
    issuer = os.environ.get("SANDBOX_IDP_ISSUER") or f"http://{args.host}:{args.port}"
    app = default_app({**os.environ, "SANDBOX_IDP_ISSUER": issuer})
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
