"""Worker health probe: a real WebSocket handshake with the worker, sending
`Authorization: Bearer <token>` when a token is set (NODETOOL_WORKER_TOKEN, or the
file NODETOOL_WORKER_TOKEN_FILE names), so a worker that requires a token stays
healthy. Exit 0 when the handshake succeeds.

Usage: python healthcheck.py [ws://127.0.0.1:PORT]   (default: NODETOOL_WORKER_PORT, else 7777)
"""

import os
import sys

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

url = sys.argv[1] if len(sys.argv) > 1 else f"ws://127.0.0.1:{os.environ.get('NODETOOL_WORKER_PORT') or '7777'}"
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
    with connect(url, additional_headers=headers, open_timeout=4, close_timeout=2):
        pass
except InvalidStatus as error:
    # Never print the token; the status says enough.
    print(f"unhealthy: the worker answered HTTP {error.response.status_code}", file=sys.stderr)
    sys.exit(1)
except Exception as error:  # refused, timed out, reset
    print(f"unhealthy: {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
print("healthy")
