"""Runs calls of the official Vast.ai client (the vastai SDK) and prints what each returned, as JSON.

    .venv-vast/bin/python vast_oracle.py '[{"call": "search_offers", "kwargs": {"query": "gpu_name=RTX_4090"}}, ...]'

The key comes from VAST_API_KEY and the server from VAST_SERVER_URL (the SDK's server_url); the
suite points them at our fixture. A call that raises is reported with its error, and the next one
still runs. Test tooling: nothing here is shipped.
"""

import os

from oracle_steps import run_steps
from vastai import VastAI


def main() -> None:
    client = VastAI(api_key=os.environ["VAST_API_KEY"], server_url=os.environ["VAST_SERVER_URL"], retry=1, raw=True, quiet=True)
    run_steps(lambda name: getattr(client, name))


if __name__ == "__main__":
    main()
