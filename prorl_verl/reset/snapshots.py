"""Retention of reference snapshots (``<run_dir>/reference/step_<k>``, one per reset).

A snapshot holds a full copy of the reference weights (about 7 GB in fp32 for a 1.5B model),
so a long run with many resets keeps only the newest ``prorl.reset.keep_snapshots``. The
snapshot the run currently depends on is never removed; older checkpoints of the run whose
snapshot was removed cannot be resumed from: the trainer stops with an error naming the
missing folder rather than fall back to ``model.path`` as reference.
"""

import shutil
from pathlib import Path

SNAPSHOT_PREFIX = "step_"


def _reset_step(path: Path) -> int:
    return int(path.name[len(SNAPSHOT_PREFIX) :])


def prune_snapshots(folder: Path, keep: int, current: Path) -> list[Path]:
    """Remove all but the ``keep`` newest snapshots in ``folder`` (0 keeps all); return them."""
    if keep <= 0:
        return []
    snapshots = sorted(
        (p for p in folder.glob(f"{SNAPSHOT_PREFIX}*") if p.name[len(SNAPSHOT_PREFIX) :].isdigit()),
        key=_reset_step,
    )
    removed = [p for p in snapshots[:-keep] if p.resolve() != current.resolve()]
    for path in removed:
        shutil.rmtree(path)
    return removed
