"""The sandbox child process: a moto server on 127.0.0.1, extended and seeded.

It prints one JSON line (port and seed names) when ready, re-seeds after every
``POST /moto-api/reset``, and exits when its standard input closes, so it never
outlives the server that started it.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from apigw_mcp.server.sandbox.ext import apply_moto_extensions, seed


def main() -> None:
    region = sys.argv[1] if len(sys.argv) > 1 else "us-east-1"
    apply_moto_extensions()
    from moto.moto_api._internal.models import MotoAPIBackend
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    info = seed(endpoint, region)
    original_reset = MotoAPIBackend.reset

    def reset_and_reseed(self: Any) -> None:
        original_reset(self)
        seed(endpoint, region)

    MotoAPIBackend.reset = reset_and_reseed  # type: ignore[method-assign]
    print(json.dumps({"endpoint": endpoint, **info.model_dump()}), flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
