"""models.download ignores HF_ENDPOINT for the file transfers (nodetool-core 0.8.2).

The worker lists a repo through huggingface_hub, which honours HF_ENDPOINT (a mirror, a private
hub, a test fixture), but fetches every file through its own async downloader, whose URL builder
defaults to the literal https://huggingface.co. Behind a mirror the listing works and every file
then fails (or, worse, comes from a different host than the listing).

The fix gives the URL builder huggingface_hub's configured endpoint when the caller names none.
"""

from __future__ import annotations

from types import ModuleType

from nodetool_worker_compat.patch import Patch

MODULE = "nodetool.integrations.huggingface.async_downloader"
_PROBE_ENDPOINT = "http://127.0.0.1:9"


def _configured_endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def _apply(module: ModuleType) -> None:
    released = module.hf_hub_file_url

    def hf_hub_file_url(repo_id, filename, revision="main", repo_type="model", endpoint=None):  # noqa: ANN001 - released signature
        return released(repo_id, filename, revision=revision, repo_type=repo_type, endpoint=endpoint or _configured_endpoint())

    module.hf_hub_file_url = hf_hub_file_url


def _bug_present() -> bool:
    import importlib
    import os

    from huggingface_hub import constants

    module = importlib.import_module(MODULE)
    # A fixed release may read either the variable or huggingface_hub's constant: set both.
    saved = constants.ENDPOINT, os.environ.get("HF_ENDPOINT")
    constants.ENDPOINT = os.environ["HF_ENDPOINT"] = _PROBE_ENDPOINT
    try:
        return not module.hf_hub_file_url("org/repo", "config.json").startswith(_PROBE_ENDPOINT)
    finally:
        constants.ENDPOINT = saved[0]
        if saved[1] is None:
            os.environ.pop("HF_ENDPOINT", None)
        else:
            os.environ["HF_ENDPOINT"] = saved[1]


PATCH = Patch(
    name="download-endpoint",
    module=MODULE,
    versions=frozenset({"0.8.2"}),
    apply=_apply,
    bug_present=_bug_present,
)
