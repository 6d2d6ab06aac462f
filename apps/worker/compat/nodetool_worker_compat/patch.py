"""What a compatibility patch declares about itself."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from types import ModuleType
from typing import Callable


@dataclass(frozen=True)
class Patch:
    name: str
    # The module whose function is replaced, patched right after its first import.
    module: str
    # nodetool-core versions known to have the bug; any other version runs as released.
    versions: frozenset[str]
    apply: Callable[[ModuleType], None]
    # Runs the released code on a case that shows the bug; True while the bug is there.
    bug_present: Callable[[], bool]
    # Modules the bug lives in besides the worker (torch): without them there is nothing to fix.
    requires: tuple[str, ...] = ()
    # The distribution whose versions `versions` names: the worker (nodetool-core), or a node pack.
    package: str = "nodetool-core"

    def applies_to(self, core_version: str | None) -> bool:
        version = core_version if self.package == "nodetool-core" else _installed(self.package)
        return version in self.versions and all(importlib.util.find_spec(name) is not None for name in self.requires)


def _installed(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None
