"""Stock moto's server, on a port it binds itself and then announces.

``python -m moto.server -p PORT`` needs a port chosen beforehand, and between
choosing a free port and binding it another process (another test worker
starting a server) may take it: the test would then talk to that other
server without noticing. This launcher binds 127.0.0.1 first (``--port 0``:
a port the kernel picks), sets ``MOTO_PORT`` to it (moto builds some URLs
from it), prints ``AUTHGEN_ENDPOINT_URL=http://127.0.0.1:PORT`` as the
authgen emulator does, and then serves moto's own application, unchanged:
none of the operations authgen's emulator adds, no token endpoint.

Run by path, as tests/conftest.py does through
``generator.emulator.start_emulator(command=...)``::

    python tests/support/stock_moto.py --port 0

It imports nothing from the test suite.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(128)
    port = listener.getsockname()[1]
    os.environ["MOTO_PORT"] = str(port)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    server = make_server(
        "127.0.0.1",
        port,
        DomainDispatcherApplication(create_backend_app),
        threaded=True,
        request_handler=MotoRequestHandler,
        fd=listener.detach(),
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"AUTHGEN_ENDPOINT_URL=http://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
