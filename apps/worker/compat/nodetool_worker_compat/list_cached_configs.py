"""models.list_cached fails on every cached sentence-transformers repo (nodetool-core 0.8.2).

`_infer_model_type_from_local_configs` reads each cached `*config.json` through `_safe_load_json`,
which is declared to return a dict but returns whatever the file holds. sentence-transformers repos
carry `data_config.json`, a JSON list, so `.get` raises
`AttributeError: 'list' object has no attribute 'get'` and the whole listing fails.

The fix keeps the loader's declared contract: a file that is not a JSON object carries no type hint
and reads as `{}`, exactly as an unreadable file already does.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import ModuleType

from nodetool_worker_compat.patch import Patch

MODULE = "nodetool.integrations.huggingface.huggingface_models"


def _apply(module: ModuleType) -> None:
    released = module._safe_load_json

    def safe_load_json_object(file_path: Path) -> dict:
        data = released(file_path)
        return data if isinstance(data, dict) else {}

    module._safe_load_json = safe_load_json_object


def _bug_present() -> bool:
    import importlib

    module = importlib.import_module(MODULE)
    with tempfile.TemporaryDirectory() as snapshot:
        # The layout of a sentence-transformers snapshot: an untyped config first, then the list.
        Path(snapshot, "config.json").write_text(json.dumps({"model_type": "not-a-known-type"}))
        Path(snapshot, "data_config.json").write_text(json.dumps([{"name": "a dataset"}]))
        entries = [("config.json", 1), ("data_config.json", 1)]
        try:
            module._infer_model_type_from_local_configs(entries, Path(snapshot))
        except AttributeError:
            return True
    return False


PATCH = Patch(
    name="list-cached-configs",
    module=MODULE,
    versions=frozenset({"0.8.2"}),
    apply=_apply,
    bug_present=_bug_present,
)
