"""The smoke workflow's two SentenceSimilarity executes through the worker's own execute_node,
in process (no bridge, no server), warm: what one execute costs the worker itself.

Usage: python bench-execute-node.py [RUNS] [--profile]
Prints JSON: the warm pair's p50 and, with --profile, the top functions by own time over the
warm pairs (cProfile). Compare NODETOOL_WORKER_COMPAT=off (the released worker) with the default.
"""

import asyncio
import cProfile
import json
import pstats
import sys
import time

from nodetool.worker.executor import NODE_BY_TYPE, execute_node  # noqa: F401 (loads the node registry)

SENTENCES = ["The cat sits on the mat.", "A feline rests on the rug."]
MODEL = {"type": "hf.sentence_similarity", "repo_id": "sentence-transformers/all-MiniLM-L6-v2"}
runs = int(next((a for a in sys.argv[1:] if a.isdigit()), "30"))
profile = "--profile" in sys.argv


async def pair() -> None:
    for index, sentence in enumerate(SENTENCES):
        await execute_node(
            "huggingface.sentence_similarity.SentenceSimilarity",
            {"model": MODEL, "inputs": sentence},
            {},
            {},
            node_id=f"embed_{index}",
            job_id="bench-keep-alive",
        )


async def main() -> None:
    from nodetool.worker.node_loader import load_nodes  # the worker's own discovery

    load_nodes(["huggingface"])
    await pair()
    await pair()
    profiler = cProfile.Profile() if profile else None
    warm = []
    for _ in range(runs):
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        await pair()
        warm.append((time.perf_counter() - started) * 1000)
        if profiler:
            profiler.disable()
    warm.sort()
    result = {"warm_pair_p50_ms": round(warm[len(warm) // 2], 2), "runs": runs}
    if profiler:
        stats = pstats.Stats(profiler)
        rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:12]
        result["top_own_time_ms_per_pair"] = [
            {"function": f"{func[2]} ({func[0].split('site-packages/')[-1]}:{func[1]})", "ms": round(own * 1000 / runs, 3)} for func, (_, _, own, _, _) in rows
        ]
    print(json.dumps(result, indent=1))


asyncio.run(main())
