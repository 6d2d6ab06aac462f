"""Runs calls of the official RunPod client (runpod-python) and prints what each returned, as JSON.

    .venv-runpod/bin/python runpod_oracle.py '[{"call": "get_pod", "args": ["abc"]}, ...]'

The key comes from RUNPOD_API_KEY and the API from RUNPOD_API_BASE_URL, both read by the client
itself; the suite points them at our fixture. A call that raises is reported with its error, and the
next one still runs. Test tooling: nothing here is shipped.
"""

import json
import os
import sys

import runpod


def main() -> None:
    runpod.api_key = os.environ["RUNPOD_API_KEY"]
    results = []
    for step in json.loads(sys.argv[1]):
        try:
            value = getattr(runpod, step["call"])(*step.get("args", []), **step.get("kwargs", {}))
            results.append({"call": step["call"], "value": value})
        except Exception as error:  # the suite asserts on which call failed and why
            results.append({"call": step["call"], "error": type(error).__name__, "message": str(error)})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
