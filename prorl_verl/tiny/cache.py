"""The tiny model cache: build once, rebuild only when an input of the build changed.

``ensure_tiny_model(cache_dir, warmup)`` returns ``cache_dir/tiny-qwen2-base`` (warmed-up
base) or ``cache_dir/tiny-qwen2-init`` (random weights, seconds to build, for wiring tests).
A directory is reused when the key recorded in its ``tiny_model.json`` equals the content hash
of the requested spec; otherwise it is rebuilt in a sibling temporary directory and renamed into place,
so a reader never finds a half-written model there. A lock file serialises concurrent builders.

The build module (torch, transformers: seconds to import) loads on first use, so a command
that only reads its options, such as ``python -m prorl_verl.tiny --help``, answers at once.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prorl_verl.tiny.build import TinyModelSpec

INIT_DIR_NAME = "tiny-qwen2-init"
BASE_DIR_NAME = "tiny-qwen2-base"


def default_spec(warmup: bool) -> TinyModelSpec:
    from prorl_verl.tiny.build import TinyModelSpec

    spec = TinyModelSpec()
    return spec.with_warmup() if warmup else spec


def cached_key(model_dir: Path) -> str | None:
    """The key a finished build recorded, or None when there is no (readable) record."""
    from prorl_verl.tiny.build import BUILD_INFO_FILE

    try:
        return json.loads((model_dir / BUILD_INFO_FILE).read_text())["key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def _exclusive(lock_path: Path):
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_tiny_model(
    cache_dir: str | Path,
    warmup: bool,
    spec: TinyModelSpec | None = None,
    progress: bool = True,
    threads: int = 1,
) -> Path:
    """Path of an up-to-date tiny model directory under ``cache_dir``, building it if needed.

    ``spec`` overrides the default inputs (its ``warmup`` field must agree with ``warmup``);
    ``threads`` is the warm-up's torch thread count.
    """
    from prorl_verl.tiny.build import build_tiny_model, spec_key

    spec = spec or default_spec(warmup)
    if (spec.warmup is not None) != warmup:
        raise ValueError(f"warmup={warmup} but the spec's warmup settings are {spec.warmup!r}")
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    model_dir = cache_dir / (BASE_DIR_NAME if warmup else INIT_DIR_NAME)
    key = spec_key(spec)
    with _exclusive(cache_dir / f".{model_dir.name}.lock"):
        if cached_key(model_dir) == key:
            return model_dir
        staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-", dir=cache_dir))
        try:
            build_tiny_model(staging, spec, progress=progress, threads=threads)
            outdated = staging.with_name(staging.name + "-outdated")
            if model_dir.exists():
                model_dir.rename(outdated)
            staging.rename(model_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(staging.with_name(staging.name + "-outdated"), ignore_errors=True)
    return model_dir
