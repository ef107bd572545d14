"""Builders of what a study leaves on disk: verl's metric files and prorl_verl.eval's scores."""

import csv
import json
from pathlib import Path

import pytest


def _write_metrics(run_dir: Path, steps: dict[int, dict]) -> None:
    """One launch's metrics file, in the format of verl's file logger."""
    metrics = run_dir / "metrics"
    metrics.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"step": step, "data": data}) for step, data in sorted(steps.items())]
    (metrics / "launch-0.jsonl").write_text("\n".join(lines) + "\n")


def _write_scores(eval_dir: Path, model: str, eval_set: str, counts: list[tuple[int, int]]) -> None:
    """Per-prompt (samples, correct) as prorl_verl.eval writes them."""
    path = eval_dir / "scores" / model / f"{eval_set}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["index", "data_source", "samples", "correct", "mean_score", "reported_pass@1"]
        )
        for i, (n, c) in enumerate(counts):
            writer.writerow([i, "prorl/reasoning_gym/chain_sum", n, c, c / n, c / n])


@pytest.fixture
def write_metrics():
    return _write_metrics


@pytest.fixture
def write_scores():
    return _write_scores
