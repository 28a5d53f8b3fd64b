"""The sandbox registries: plain ASGI apps that the X-Road emulator routes to.

One module per registry (`population`, `tax`, `notaries`, `payments`), each with a
`create_app(data_dir=None)` factory and its `OPENAPI` document; `sandbox.catalogue` says
where each sits in the X-Road topology.
"""
