"""The loop the oracle drivers share: run each step of argv[1] (a JSON list of {call, args, kwargs})
through `resolve(name)`, and print what each returned, or the error it raised, as one JSON list. A
call that raises does not stop the next. Test tooling: nothing here is shipped.
"""

import json
import sys
from typing import Any, Callable


def run_steps(resolve: Callable[[str], Callable[..., Any]]) -> None:
    results = []
    for step in json.loads(sys.argv[1]):
        try:
            value = resolve(step["call"])(*step.get("args", []), **step.get("kwargs", {}))
            results.append({"call": step["call"], "value": value})
        except Exception as error:  # the suite asserts on which call failed and why
            results.append({"call": step["call"], "error": type(error).__name__, "message": str(error)})
    print(json.dumps(results, default=str))
