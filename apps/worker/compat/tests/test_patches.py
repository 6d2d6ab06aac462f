"""The compatibility patches: each still needed by the pinned worker, each doing its job.

Run in a worker environment (nx run worker:integration):
    python -m unittest discover -s apps/worker/compat/tests -t apps/worker/compat
Each case runs in a child interpreter, since a patch applies at the first import of its module.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path


def run_python(code: str, **env: str) -> dict:
    """Runs code in a fresh interpreter of this environment; it prints one JSON line."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise AssertionError(f"child failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class StillNeeded(unittest.TestCase):
    """Fails when the pinned worker changes, so a patch never outlives its bug (or misses it)."""

    def test_each_patch_is_gated_to_exactly_the_versions_with_the_bug(self) -> None:
        found = run_python(
            """
            import json
            import nodetool_worker_compat as compat
            version = compat.installed_worker_version()
            print(json.dumps({"version": version, "patches": [
                {"name": p.name, "gated_in": p.applies_to(version), "bug": p.bug_present()} for p in compat.PATCHES
            ]}))
            """,
            NODETOOL_WORKER_COMPAT="off",
        )
        for patch in found["patches"]:
            with self.subTest(patch=patch["name"]):
                if patch["gated_in"] and not patch["bug"]:
                    self.fail(
                        f"nodetool-core {found['version']} no longer has the bug {patch['name']} fixes: "
                        "remove the patch (apps/worker/compat) and its entry in docs/hf-worker-environment.md"
                    )
                if patch["bug"] and not patch["gated_in"]:
                    self.fail(
                        f"nodetool-core {found['version']} still has the bug {patch['name']} fixes, "
                        "but the patch is not gated to it: add the version to the patch"
                    )


class Patched(unittest.TestCase):
    def test_the_patches_apply_on_import_and_fix_their_bug(self) -> None:
        found = run_python(
            """
            import json
            import nodetool_worker_compat as compat
            bugs = {p.name: p.bug_present() for p in compat.PATCHES}
            here = sorted(p.name for p in compat.PATCHES if p.applies_to(compat.installed_worker_version()))
            print(json.dumps({"applied": compat.applied, "bugs": bugs, "here": here}))
            """
        )
        # Every environment gets the three; the HF one (with torch) the device-move and CUDA cleanup patches as well.
        self.assertTrue({"asset-offload", "download-endpoint", "list-cached-configs"} <= set(found["here"]))
        self.assertEqual(sorted(found["applied"]), found["here"])
        self.assertEqual(
            found["bugs"],
            {"asset-offload": False, "download-endpoint": False, "list-cached-configs": False, "warm-device-moves": False, "cuda-cleanup-gate": False},
        )

    @unittest.skipUnless(importlib.util.find_spec("torch"), "the device-move patch applies only where torch is installed (the HF environment)")
    def test_a_warm_model_is_not_walked_but_a_model_elsewhere_still_moves(self) -> None:
        code = """
            import asyncio, json, tempfile
            import torch
            from nodetool.worker import executor
            from nodetool.workflows.base_node import BaseNode

            model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4))
            walks = []
            released_apply = torch.nn.Module._apply
            def counting_apply(self, *args, **kwargs):
                walks.append(type(self).__name__)
                return released_apply(self, *args, **kwargs)
            torch.nn.Module._apply = counting_apply

            class Probe(BaseNode):
                async def move_to_device(self, device):
                    model.to(device)

            class Ctx:
                def __init__(self, device):
                    self.device = device

            def prepare(device):
                walks.clear()
                with tempfile.TemporaryDirectory() as temp_dir:
                    asyncio.run(executor._prepare_node(Probe, {}, {}, temp_dir, Ctx(device)))
                return len(walks)

            warm = prepare("cpu")
            # The context's device changed (the meta device stands for another one here): the model moves.
            moved = prepare("meta")
            assert all(p.device.type == "meta" for p in model.parameters())
            # A dtype change is a real conversion, never skipped, even outside the check.
            half = len(walks) if model.to(torch.float64) is model else -1
            print(json.dumps({"warm": warm, "moved": moved, "dtype_walks": half}))
            """
        patched = run_python(code)
        self.assertEqual(patched["warm"], 0)
        self.assertGreater(patched["moved"], 0)
        self.assertGreater(patched["dtype_walks"], 0)
        released = run_python(code, NODETOOL_WORKER_COMPAT="off")
        self.assertGreater(released["warm"], 0)

    @unittest.skipUnless(importlib.util.find_spec("torch"), "the CUDA cleanup patch applies only where torch is installed (the HF environment)")
    def test_a_gpu_call_cleans_up_only_after_a_model_was_freed_or_moved(self) -> None:
        code = """
            import asyncio, json, tempfile
            import torch
            from nodetool.ml.core.model_manager import ModelManager
            from nodetool.worker import executor
            from nodetool.workflows.base_node import BaseNode
            from nodetool_worker_compat import cuda_cleanup_gate

            model = torch.nn.Linear(2, 2)

            class Probe(BaseNode):
                async def move_to_device(self, device):
                    model.to(device)

            class Ctx:
                device = "meta"

            counts = {"quiet": cuda_cleanup_gate.cleanups_over(3)}
            ModelManager.clear()
            counts["after_free"] = cuda_cleanup_gate.cleanups_over(2)
            with tempfile.TemporaryDirectory() as temp_dir:
                asyncio.run(executor._prepare_node(Probe, {}, {}, temp_dir, Ctx()))
            counts["after_move"] = cuda_cleanup_gate.cleanups_over(2)
            print(json.dumps(counts))
            """
        # Through a stub CUDA (no GPU here): empty_cache() calls counted.
        self.assertEqual(run_python(code), {"quiet": 1, "after_free": 1, "after_move": 1})
        # Alone, without the patch that skips warm moves, it still learns of the move.
        self.assertEqual(run_python(code, NODETOOL_WORKER_COMPAT_SKIP="warm-device-moves"), {"quiet": 1, "after_free": 1, "after_move": 1})
        self.assertEqual(run_python(code, NODETOOL_WORKER_COMPAT="off"), {"quiet": 3, "after_free": 2, "after_move": 2})

    def test_nothing_is_patched_with_compat_off(self) -> None:
        found = run_python(
            """
            import json
            import nodetool.integrations.huggingface.huggingface_models
            import nodetool_worker_compat as compat
            print(json.dumps({"applied": compat.applied}))
            """,
            NODETOOL_WORKER_COMPAT="off",
        )
        self.assertEqual(found["applied"], [])

    def test_a_patch_named_in_compat_skip_is_left_out(self) -> None:
        found = run_python(
            """
            import json
            import nodetool.integrations.huggingface.huggingface_models
            import nodetool.integrations.huggingface.async_downloader
            import nodetool_worker_compat as compat
            print(json.dumps({"applied": sorted(compat.applied)}))
            """,
            NODETOOL_WORKER_COMPAT_SKIP="list-cached-configs",
        )
        self.assertEqual(found["applied"], ["download-endpoint"])

    def test_nothing_is_imported_at_interpreter_start(self) -> None:
        found = run_python(
            """
            import json, sys
            print(json.dumps({"loaded": sorted(m for m in sys.modules if m.startswith("nodetool."))}))
            """
        )
        self.assertEqual(found["loaded"], [])

    def test_a_cached_sentence_transformers_repo_is_listed(self) -> None:
        with tempfile.TemporaryDirectory() as home:
            snapshot = Path(home, "hub", "models--sentence-transformers--tiny", "snapshots", "0" * 40)
            snapshot.mkdir(parents=True)
            Path(snapshot.parent.parent, "refs").mkdir()
            Path(snapshot.parent.parent, "refs", "main").write_text("0" * 40)
            Path(snapshot, "config.json").write_text(json.dumps({"model_type": "bert", "architectures": ["BertModel"]}))
            Path(snapshot, "data_config.json").write_text(json.dumps([{"name": "sentence pairs"}]))
            Path(snapshot, "modules.json").write_text(json.dumps([{"idx": 0, "type": "sentence_transformers.models.Transformer"}]))
            code = """
            import asyncio, json
            from nodetool.integrations.huggingface.huggingface_models import read_cached_hf_models
            models = asyncio.run(read_cached_hf_models())
            print(json.dumps({"repos": sorted(m.repo_id for m in models)}))
            """
            self.assertEqual(run_python(code, HF_HOME=home)["repos"], ["sentence-transformers/tiny"])
            with self.assertRaisesRegex(AssertionError, "'list' object has no attribute 'get'"):
                run_python(code, HF_HOME=home, NODETOOL_WORKER_COMPAT="off")


if __name__ == "__main__":
    unittest.main()
