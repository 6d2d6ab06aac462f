"""One wrapper around torch's Module.to that the patches share, so neither depends on the other.

warm-device-moves registers a skip (a move to where the model already is, while the executor prepares
a node); cuda-cleanup-gate registers a listener told of every move that really ran. Either one alone
installs the wrapper and works alone (NODETOOL_WORKER_COMPAT_SKIP=<the other> measures it so); with
both, a skipped move tells no listener, since nothing moved.
"""

from __future__ import annotations

from typing import Any, Callable

# Asked before a move, in order: True skips it (the module is returned as torch would).
skips: list[Callable[[Any, tuple, dict], bool]] = []
# Told after every move that ran.
listeners: list[Callable[[], None]] = []


def install(torch: Any) -> None:
    """Wraps Module.to once per interpreter; later calls find it wrapped and do nothing."""
    module_class = torch.nn.Module
    if getattr(module_class.to, "_nodetool_compat", False):
        return
    released_to = module_class.to

    def to(self: Any, *args: Any, **kwargs: Any) -> Any:
        if any(skip(self, args, kwargs) for skip in skips):
            return self
        result = released_to(self, *args, **kwargs)
        for listener in listeners:
            listener()
        return result

    to._nodetool_compat = True  # type: ignore[attr-defined]
    module_class.to = to
