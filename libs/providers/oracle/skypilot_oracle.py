"""Runs SkyPilot's RunPod provisioner calls and prints what each returned, as JSON.

    .venv-skypilot/bin/python skypilot_oracle.py '[{"call": "create_spot_pod", "kwargs": {...}}]'

create_spot_pod builds its mutation with generate_spot_pod_deployment_mutation and sends it through
runpod-python's GraphQL call; the key comes from RUNPOD_API_KEY and the API from RUNPOD_API_BASE_URL,
which the suite points at our fixture. `mutation` returns the document generate_spot_pod_deployment_mutation
writes, unsent. A call that raises is reported with its error, and the next one still runs. Test
tooling: nothing here is shipped.
"""

import json
import os
import sys

import runpod
from sky.provision.runpod.api import commands, pods


def main() -> None:
    runpod.api_key = os.environ["RUNPOD_API_KEY"]
    calls = {"create_spot_pod": commands.create_spot_pod, "mutation": pods.generate_spot_pod_deployment_mutation}
    results = []
    for step in json.loads(sys.argv[1]):
        try:
            value = calls[step["call"]](*step.get("args", []), **step.get("kwargs", {}))
            results.append({"call": step["call"], "value": value})
        except Exception as error:  # the suite asserts on which call failed and why
            results.append({"call": step["call"], "error": type(error).__name__, "message": str(error)})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
