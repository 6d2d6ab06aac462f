"""Runs SkyPilot's RunPod provisioner calls and prints what each returned, as JSON.

    .venv-skypilot/bin/python skypilot_oracle.py '[{"call": "create_spot_pod", "kwargs": {...}}]'

create_spot_pod builds its mutation with generate_spot_pod_deployment_mutation and sends it through
runpod-python's GraphQL call; the key comes from RUNPOD_API_KEY and the API from RUNPOD_API_BASE_URL,
which the suite points at our fixture. `mutation` returns the document generate_spot_pod_deployment_mutation
writes, unsent. A call that raises is reported with its error, and the next one still runs. Test
tooling: nothing here is shipped.
"""

import os

import runpod
from oracle_steps import run_steps
from sky.provision.runpod.api import commands, pods


def main() -> None:
    runpod.api_key = os.environ["RUNPOD_API_KEY"]
    calls = {"create_spot_pod": commands.create_spot_pod, "mutation": pods.generate_spot_pod_deployment_mutation}
    run_steps(lambda name: calls[name])


if __name__ == "__main__":
    main()
