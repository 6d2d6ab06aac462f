"""Worker health probe: a real WebSocket handshake with the worker, sending
`Authorization: Bearer <token>` when a token is set (NODETOOL_WORKER_TOKEN, or the
file NODETOOL_WORKER_TOKEN_FILE names), so a worker that requires a token stays
healthy. Exit 0 when the handshake succeeds.

Usage: python healthcheck.py [ws://127.0.0.1:PORT]   (default: the published port, wss:// when the image serves TLS)
"""

import os
import ssl
import sys

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


def published_port() -> str:
    """The worker's port as the entrypoint reads it: NODETOOL_WORKER_PORT_ENV may name the variable."""
    name = os.environ.get("NODETOOL_WORKER_PORT_ENV")
    return (os.environ.get(name) if name else os.environ.get("NODETOOL_WORKER_PORT")) or "7777"


def tls_on() -> bool:
    """The entrypoint puts stunnel on the published port when any TLS setting asks for it (a PEM value may come in parts)."""
    mode = os.environ.get("NODETOOL_WORKER_TLS", "")
    given = ("NODETOOL_WORKER_TLS_CERT", "NODETOOL_WORKER_TLS_CERT_PEM", "NODETOOL_WORKER_TLS_CERT_PEM__PARTS")
    return mode == "self-signed" or any(os.environ.get(name) for name in given)


# Through TLS when it is on, so the probe covers the terminator too; the certificate is not checked
# here (this is the container asking itself), the clients check it.
scheme = "wss" if tls_on() else "ws"
url = sys.argv[1] if len(sys.argv) > 1 else f"{scheme}://127.0.0.1:{published_port()}"
ssl_context = None
if url.startswith("wss://"):
    ssl_context = ssl.create_default_context()
    ssl_context.check_hostname = False
    ssl_context.verify_mode = ssl.CERT_NONE
token = os.environ.get("NODETOOL_WORKER_TOKEN")
token_file = os.environ.get("NODETOOL_WORKER_TOKEN_FILE")
if not token and token_file:
    try:
        with open(token_file, encoding="utf-8") as handle:
            token = handle.read().strip()
    except OSError as error:
        print(f"unhealthy: cannot read the token file: {error.strerror}", file=sys.stderr)
        sys.exit(1)
headers = {"Authorization": f"Bearer {token}"} if token else None

try:
    with connect(url, additional_headers=headers, open_timeout=4, close_timeout=2, ssl=ssl_context):
        pass
except InvalidStatus as error:
    # Never print the token; the status says enough.
    print(f"unhealthy: the worker answered HTTP {error.response.status_code}", file=sys.stderr)
    sys.exit(1)
except Exception as error:  # refused, timed out, reset
    print(f"unhealthy: {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
print("healthy")
