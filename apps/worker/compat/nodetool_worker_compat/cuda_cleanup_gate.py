"""A GPU pipeline call ends with a full cleanup every time (nodetool-huggingface 0.8.2).

HuggingFacePipelineNode.run_pipeline_in_thread (nodetool/nodes/huggingface/huggingface_pipeline.py)
runs the pipeline, then, whenever CUDA is available, torch.cuda.synchronize(), gc.collect() and
torch.cuda.empty_cache(), on every call of every node: a full Python collection and the
allocator's cached blocks handed back to the driver, only to be asked for again by the next call.
The cleanup is there so that the next pipeline does not meet an allocator full of blocks a freed
or moved model left; after a call that freed nothing there is nothing to hand back.

The fix runs the same cleanup only when something may have left blocks: the first call, and any
call after a model was moved (a Module.to that really ran: module_moves tells this patch, with or
without the warm-device-moves patch) or freed (ModelManager's release_nodes, unload_model, evict_models, evict_all_except, clear).
The pipeline call itself is unchanged: inference mode, the shared thread pool, the context copied.

No GPU is here: the test runs the released and the patched call with a stub for torch.cuda and
counts the cleanups.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import importlib.util
from contextvars import copy_context
from types import ModuleType
from typing import Any

from nodetool_worker_compat import module_moves
from nodetool_worker_compat.patch import Patch

MODULE = "nodetool.nodes.huggingface.huggingface_pipeline"
_FREEING = ("release_nodes", "unload_model", "evict_models", "evict_all_except", "clear")

# Whether the next GPU call should clean up; counts of cleanups made and skipped (for the tests).
state = {"due": True}
counts = {"cleaned": 0, "skipped": 0}


def _mark_due(*_: Any) -> None:
    state["due"] = True


def _watch_frees() -> None:
    manager = importlib.import_module("nodetool.ml.core.model_manager").ModelManager
    for name in _FREEING:
        released = getattr(manager, name, None)
        if released is None or getattr(released, "_nodetool_compat", False):
            continue

        def freeing(cls: Any, *args: Any, _released: Any = released, **kwargs: Any) -> Any:
            try:
                return _released(*args, **kwargs)
            finally:
                _mark_due()

        freeing._nodetool_compat = True  # type: ignore[attr-defined]
        setattr(manager, name, classmethod(freeing))


def _apply(module: ModuleType) -> None:
    import torch

    _watch_frees()
    module_moves.install(torch)
    if _mark_due not in module_moves.listeners:
        module_moves.listeners.append(_mark_due)
    node_class = module.HuggingFacePipelineNode

    async def run_pipeline_in_thread(self: Any, *args: Any, **kwargs: Any) -> Any:
        import torch

        if self._pipeline is None:
            raise ValueError("Pipeline not initialized")
        pipeline = self._pipeline

        def _call() -> Any:
            with torch.inference_mode():
                result = pipeline(*args, **kwargs)
            if torch.cuda.is_available():
                torch.cuda.synchronize()
                if state["due"]:
                    state["due"] = False
                    counts["cleaned"] += 1
                    gc.collect()
                    torch.cuda.empty_cache()
                else:
                    counts["skipped"] += 1
            return result

        loop = asyncio.get_event_loop()
        return await loop.run_in_executor(module._pipeline_thread_pool, copy_context().run, _call)

    node_class.run_pipeline_in_thread = run_pipeline_in_thread


def cleanups_over(calls: int) -> int:
    """Runs `calls` pipeline calls through a stub CUDA and counts empty_cache(); used by the tests."""
    import torch

    module = importlib.import_module(MODULE)
    emptied = 0
    saved = torch.cuda.is_available, torch.cuda.synchronize, torch.cuda.empty_cache

    def empty_cache() -> None:
        nonlocal emptied
        emptied += 1

    class _Node:
        _pipeline = staticmethod(lambda text: text.upper())
        run_pipeline_in_thread = module.HuggingFacePipelineNode.run_pipeline_in_thread

    torch.cuda.is_available, torch.cuda.synchronize, torch.cuda.empty_cache = (lambda: True), (lambda *a, **k: None), empty_cache
    try:

        async def run() -> None:
            for _ in range(calls):
                assert await _Node().run_pipeline_in_thread("x") == "X"

        asyncio.run(run())
    finally:
        torch.cuda.is_available, torch.cuda.synchronize, torch.cuda.empty_cache = saved
    return emptied


def _bug_present() -> bool:
    """Three calls in a row that free and move nothing: the released code cleans up after each."""
    # (The package, not MODULE: asking for MODULE itself would use up the import hook that patches it.)
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("nodetool.nodes.huggingface") is None:
        return False
    return cleanups_over(3) == 3


PATCH = Patch(
    name="cuda-cleanup-gate",
    module=MODULE,
    versions=frozenset({"0.8.2"}),
    apply=_apply,
    bug_present=_bug_present,
    requires=("torch",),
    package="nodetool-huggingface",
)
