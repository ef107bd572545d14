"""Creativity figures as PNG files (matplotlib, Agg backend).

- ``plots/creativity_by_task.png``: the mean Creativity Index per task, one bar per model
  side by side with standard-error whiskers (ProRL Figure 1, middle: base vs RL per task);
- ``plots/creativity_uniqueness_curve.png``: mean L-uniqueness against L, one line per model
  (the curve whose area is the index, as in Lu et al. 2024).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from prorl_verl.eval.plots import _save  # noqa: E402


def _task_label(benchmark: str, data_source: str) -> str:
    task = data_source.rsplit("/", 1)[-1]
    return task if task == benchmark else f"{benchmark}\n{task}"


def plot_by_task(tasks: list[dict], out_dir: Path, min_n: int, max_n: int) -> Path:
    models = list(dict.fromkeys(r["model"] for r in tasks))
    keys = list(dict.fromkeys((r["benchmark"], r["data_source"]) for r in tasks))
    by_key = {(r["benchmark"], r["data_source"], r["model"]): r for r in tasks}
    width = 0.8 / len(models)
    x = np.arange(len(keys))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.0 + 0.9 * len(keys) * max(1, len(models) / 2)), 3.8))
    for i, model in enumerate(models):
        rows = [by_key.get((*key, model)) for key in keys]
        values = [r["creativity_index"] if r else math.nan for r in rows]
        errors = [
            r["creativity_index_sem"] if r and not math.isnan(r["creativity_index_sem"]) else 0.0
            for r in rows
        ]
        ax.bar(
            x + (i - (len(models) - 1) / 2) * width,
            values,
            width,
            yerr=errors,
            capsize=2,
            label=model,
        )
    ax.set_xticks(
        x, [_task_label(*key) for key in keys], fontsize=7, rotation=30 if len(keys) > 6 else 0
    )
    ax.set_ylim(0, max_n - min_n + 1)
    ax.set_ylabel(f"Creativity Index (L = {min_n}…{max_n})")
    ax.set_title("creativity of responses per task")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, Path(out_dir) / "creativity_by_task.png")


def plot_uniqueness_curve(models: list[dict], out_dir: Path, min_n: int, max_n: int) -> Path:
    lengths = list(range(min_n, max_n + 1))
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for row in models:
        ax.plot(
            lengths,
            [100 * row[f"uniqueness@{n}"] for n in lengths],
            marker="o",
            label=f"{row['model']} (index {row['creativity_index']:.2f})",
        )
    ax.set_xticks(lengths)
    ax.set_ylim(0, 100)
    ax.set_xlabel("L (words in a corpus span)")
    ax.set_ylabel("L-uniqueness (% of words)")
    ax.set_title("words in no verbatim corpus span of ≥ L words")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, Path(out_dir) / "creativity_uniqueness_curve.png")
