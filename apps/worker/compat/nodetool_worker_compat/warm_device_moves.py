"""Every execute walks the whole model to move it where it already is (nodetool-core 0.8.2).

The executor prepares each node the same way, warm or not: pre_process, preload_model, then
move_to_device(ctx.device). The HF nodes implement that as `model.to(device)` (or a pipeline
helper that ends in it), and torch's Module.to walks every submodule through Module._apply,
converting each parameter and buffer, even when all of them are on that device already. With
the model kept loaded between runs that walk is most of a warm execute's overhead (about 2 of
3.5 ms for all-MiniLM-L6-v2 on this CPU), and on a GPU it runs for every node of every run.

The fix: while the executor prepares a node, `Module.to(device)` first checks every parameter
and buffer; when all are on that device (and no dtype or memory format is asked for) it returns
the module as torch would, without the walk. Anything else, anywhere, moves as released: a
model offloaded to the CPU, moved by a hook, or on another device is moved, since the check
reads where each tensor is now rather than remembering an earlier move.

It applies only where torch is installed (the HF environment), and only from the first
execute that finds torch imported, so the core worker's start-up is unchanged.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

from nodetool_worker_compat import module_moves
from nodetool_worker_compat.patch import Patch

MODULE = "nodetool.worker.executor"

# True while the executor prepares a node: the only time a move is skipped.
_preparing: contextvars.ContextVar[bool] = contextvars.ContextVar("nodetool_compat_preparing", default=False)
# Moves skipped and moves made (read by the tests and by anyone profiling a worker).
counts = {"skipped": 0, "moved": 0}


def _torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def _target(torch: Any, args: tuple, kwargs: dict) -> Any:
    """The device of a device-only `.to(...)`, else None (a dtype or memory format means a real conversion)."""
    try:
        device, dtype, _non_blocking, memory_format = torch._C._nn._parse_to(*args, **kwargs)
    except TypeError:
        return None
    if device is None or dtype is not None or memory_format is not None:
        return None
    if device.index is None and device.type == "cuda" and torch.cuda.is_available():
        device = torch.device("cuda", torch.cuda.current_device())
    return device


def _already_there(module: Any, device: Any) -> bool:
    """Whether every parameter and buffer is on `device`, read straight from each module's own
    tables: about 8x cheaper than the walk it saves (0.11 vs 0.89 ms for all-MiniLM-L6-v2's 120
    modules here), where parameters()/buffers() would cost a third of it."""
    pending = [module]
    while pending:
        current = pending.pop()
        for table in (current._parameters, current._buffers):
            for tensor in table.values():
                if tensor is None:
                    continue
                place = tensor.device
                if place.type != device.type or (device.index is not None and place.index != device.index):
                    return False
        pending.extend(child for child in current._modules.values() if child is not None)
    return True


def _skip_if_there(torch: Any) -> Any:
    """The skip this patch adds to Module.to (module_moves): only while the executor prepares a node."""

    def skip(module: Any, args: tuple, kwargs: dict) -> bool:
        if not _preparing.get():
            return False
        device = _target(torch, args, kwargs)
        if device is not None and _already_there(module, device):
            counts["skipped"] += 1
            return True
        counts["moved"] += 1
        return False

    skip._nodetool_compat = True  # type: ignore[attr-defined]
    return skip


def _patch_module_to(torch: Any) -> None:
    module_moves.install(torch)
    if not any(getattr(skip, "_nodetool_compat", False) for skip in module_moves.skips):
        module_moves.skips.append(_skip_if_there(torch))


def _apply(module: ModuleType) -> None:
    released_prepare = module._prepare_node

    async def _prepare_node(*args: Any, **kwargs: Any) -> Any:
        # torch is imported by the first node that loads a model; from then on its moves are checked.
        torch = sys.modules.get("torch")
        if torch is not None:
            _patch_module_to(torch)
        token = _preparing.set(True)
        try:
            return await released_prepare(*args, **kwargs)
        finally:
            _preparing.reset(token)

    module._prepare_node = _prepare_node


def _bug_present() -> bool:
    """Prepares a node whose model is already on the CPU, twice, counting Module._apply walks."""
    if not _torch_installed():
        return False
    import asyncio
    import tempfile

    import torch

    executor = importlib.import_module(MODULE)
    from nodetool.workflows.base_node import BaseNode

    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4))
    walks = 0
    released_apply = torch.nn.Module._apply

    def counting_apply(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal walks
        walks += 1
        return released_apply(self, *args, **kwargs)

    class _Probe(BaseNode):
        """A node whose model stays on the CPU (compat probe; never registered for use)."""

        async def move_to_device(self, device: str) -> None:
            model.to(device)

    class _Ctx:
        device = "cpu"

    torch.nn.Module._apply = counting_apply
    try:
        with tempfile.TemporaryDirectory() as temp_dir:
            # The second prepare is the warm case: the model has been on the CPU all along.
            for _ in range(2):
                walks = 0
                asyncio.run(executor._prepare_node(_Probe, {}, {}, temp_dir, _Ctx()))
    finally:
        torch.nn.Module._apply = released_apply
    return walks > 0


PATCH = Patch(
    name="warm-device-moves",
    module=MODULE,
    versions=frozenset({"0.8.2"}),
    apply=_apply,
    bug_present=_bug_present,
    requires=("torch",),
)
