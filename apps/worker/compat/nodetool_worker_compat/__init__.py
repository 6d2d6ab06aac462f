"""Compatibility patches for released nodetool-core workers.

We pin and ship the released worker; we do not fork it. Where a released version has a bug that
stands in the way of what the bridge offers, a patch here fixes that one function, for the worker
versions known to have it, and nothing else (docs/hf-worker-environment.md lists them). An extension
(asset_offload) adds what the released worker lacks, in the same way: gated by version, off unless the
client asks for it, and able to show on the released code that it is still missing.

Nothing is imported at interpreter start: the .pth file only installs an import hook, and a patch
runs right after the module it fixes is first imported, so the worker's start-up is unchanged.
Each patch also knows how to show its bug on the unpatched code, which is what the tests use to
fail once a newer pinned worker no longer needs it.

NODETOOL_WORKER_COMPAT=off runs the worker exactly as released; NODETOOL_WORKER_COMPAT_SKIP=name,... leaves
out the patches named.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.metadata
import os
import sys
from types import ModuleType

from nodetool_worker_compat import asset_offload, cuda_cleanup_gate, download_endpoint, list_cached_configs, warm_device_moves
from nodetool_worker_compat.patch import Patch

PATCHES: tuple[Patch, ...] = (list_cached_configs.PATCH, download_endpoint.PATCH, asset_offload.PATCH, warm_device_moves.PATCH, cuda_cleanup_gate.PATCH)

# Names of the patches applied in this process, in order (read by the tests).
applied: list[str] = []


def enabled() -> bool:
    return os.environ.get("NODETOOL_WORKER_COMPAT", "on").strip().lower() not in ("off", "0", "false", "no")


def skipped() -> set[str]:
    """NODETOOL_WORKER_COMPAT_SKIP: patches left out by name (to measure one patch against the released code)."""
    return {name.strip() for name in os.environ.get("NODETOOL_WORKER_COMPAT_SKIP", "").split(",") if name.strip()}


def installed_worker_version() -> str | None:
    try:
        return importlib.metadata.version("nodetool-core")
    except importlib.metadata.PackageNotFoundError:
        return None


class _PatchAfterExec(importlib.abc.Loader):
    """Runs the real loader, then the patches for that module."""

    def __init__(self, loader: importlib.abc.Loader, patches: list[Patch]) -> None:
        self._loader = loader
        self._patches = patches

    def create_module(self, spec):  # noqa: ANN001 - the importlib signature
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        version = installed_worker_version()
        for patch in self._patches:
            if patch.applies_to(version):
                patch.apply(module)
                applied.append(patch.name)

    def __getattr__(self, name: str):
        # Resource readers, get_source and friends: whatever the real loader offers.
        return getattr(self._loader, name)


class _PatchFinder(importlib.abc.MetaPathFinder):
    def __init__(self, patches: tuple[Patch, ...]) -> None:
        self._by_module: dict[str, list[Patch]] = {}
        for patch in patches:
            self._by_module.setdefault(patch.module, []).append(patch)

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001 - the importlib signature
        patches = self._by_module.pop(fullname, None)
        if not patches:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _PatchAfterExec(spec.loader, patches)
        return spec


def install() -> None:
    """Called from the .pth file at interpreter start."""
    if enabled() and not any(isinstance(finder, _PatchFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchFinder(tuple(patch for patch in PATCHES if patch.name not in skipped())))
