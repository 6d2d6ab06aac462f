"""Runs calls of the official RunPod client (runpod-python) and prints what each returned, as JSON.

    .venv-runpod/bin/python runpod_oracle.py '[{"call": "get_pod", "args": ["abc"]}, ...]'

The key comes from RUNPOD_API_KEY and the API from RUNPOD_API_BASE_URL, both read by the client
itself; the suite points them at our fixture. A call that raises is reported with its error, and the
next one still runs. Test tooling: nothing here is shipped.
"""

import os

import runpod
from oracle_steps import run_steps


def main() -> None:
    runpod.api_key = os.environ["RUNPOD_API_KEY"]
    run_steps(lambda name: getattr(runpod, name))


if __name__ == "__main__":
    main()
