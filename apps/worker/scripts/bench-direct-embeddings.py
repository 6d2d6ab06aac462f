"""The smoke workflow's two embeddings computed directly in Python, in the worker
environment, with the same pipeline and pooling as the SentenceSimilarity node.
Prints JSON timings: cold (import + load + first pair) and warm pairs (model loaded).

Usage: python bench-direct-embeddings.py [RUNS]
"""

import json
import sys
import time

started = time.perf_counter()
import numpy as np  # noqa: E402
from transformers import pipeline  # noqa: E402

SENTENCES = ["The cat sits on the mat.", "A feline rests on the rug."]
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20

extract = pipeline("feature-extraction", model="sentence-transformers/all-MiniLM-L6-v2")


def pair() -> list:
    return [np.mean(extract(sentence)[0], axis=0) for sentence in SENTENCES]


pair()
cold_ms = (time.perf_counter() - started) * 1000
warm = []
for _ in range(runs):
    t = time.perf_counter()
    pair()
    warm.append((time.perf_counter() - t) * 1000)
warm.sort()
print(json.dumps({"cold_process_ms": round(cold_ms, 1), "warm_pair_p50_ms": round(warm[len(warm) // 2], 2), "runs": runs}))
