"""The paper's evaluation figures as PNG files (matplotlib, Agg backend: no display needed).

- ``plots/passk_<set>.png``: pass@k against k (log2 axis), one line per model (Figure 4);
- ``plots/pass1_hist_<set>.png``: distribution over prompts of the reported pass@1, one
  histogram per model (Figure 7);
- ``plots/gain_vs_base.png``: base pass@K against the gain of each other model, with the
  Pearson r in the legend (Figure 3 left; K in the axis labels);
- ``plots/graph_color_size_<set>.png``: pass@1 and pass@K against graph size (Figure 6).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from prorl_verl.eval.boundary import GainPoint, SizeRow, correlations  # noqa: E402
from prorl_verl.eval.passk import k_values  # noqa: E402
from prorl_verl.eval.tables import Results, mean_pass_at_k, samples_per_prompt  # noqa: E402

MAX_POINT_LABELS = 30  # name the tasks on the gain scatter when there are few enough to read


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_passk_curves(results: Results, out_dir: Path) -> list[Path]:
    written = []
    for benchmark, by_model in results.items():
        fig, ax = plt.subplots(figsize=(5, 3.6))
        highest = 0.0
        for model, prompts in by_model.items():
            ks = k_values(samples_per_prompt(prompts))
            values = [100 * mean_pass_at_k(prompts, k) for k in ks]
            highest = max(highest, *values)
            ax.plot(ks, values, marker="o", label=model)
        ax.set_xscale("log", base=2)
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.set_ylim(0, min(100, max(10, 1.15 * highest)))
        ax.set_xlabel("k (samples)")
        ax.set_ylabel("pass@k (%)")
        ax.set_title(f"{benchmark}: pass@k")
        ax.grid(alpha=0.3)
        ax.legend()
        written.append(_save(fig, Path(out_dir) / f"passk_{benchmark}.png"))
    return written


def plot_pass1_histograms(results: Results, out_dir: Path) -> list[Path]:
    written = []
    bins = np.linspace(0, 1, 11)
    for benchmark, by_model in results.items():
        fig, ax = plt.subplots(figsize=(5, 3.6))
        for model, prompts in by_model.items():
            values = [p.reported_pass_at_1 for p in prompts]
            ax.hist(
                values, bins=bins, alpha=0.5, label=f"{model} (mean {100 * np.mean(values):.1f}%)"
            )
        ax.set_xlabel("pass@1 of a prompt")
        ax.set_ylabel("prompts")
        ax.set_title(f"{benchmark}: pass@1 distribution")
        ax.legend()
        written.append(_save(fig, Path(out_dir) / f"pass1_hist_{benchmark}.png"))
    return written


def plot_gain_scatter(points: list[GainPoint], base: str, k: int, out_dir: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5, 3.8))
    r = correlations(points)
    for model in sorted({p.model for p in points}):
        mine = [p for p in points if p.model == model]
        r_text = "r undefined" if np.isnan(r[model]) else f"r = {r[model]:.2f}"
        ax.scatter(
            [100 * p.base_pass_at_k for p in mine],
            [100 * p.gain for p in mine],
            label=f"{model} ({r_text}, {len(mine)} tasks)",
        )
        if len(points) <= MAX_POINT_LABELS:
            for p in mine:
                task = p.data_source.rsplit("/", 1)[-1]
                ax.annotate(task, (100 * p.base_pass_at_k, 100 * p.gain), fontsize=6, alpha=0.7)
    ax.axhline(0, color="grey", linewidth=0.8)
    paper_note = "" if k == 128 else " (largest k available; the paper uses 128)"
    ax.set_xlabel(f"{base} pass@{k} (%){paper_note}")
    ax.set_ylabel(f"gain in pass@{k} over {base} (%)")
    ax.set_title("weaker start, stronger gain")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, Path(out_dir) / "gain_vs_base.png")


def plot_graph_color_by_size(rows: list[SizeRow], k: int, out_dir: Path) -> list[Path]:
    written = []
    for benchmark in sorted({r.benchmark for r in rows}):
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
        for model in dict.fromkeys(r.model for r in rows if r.benchmark == benchmark):
            mine = [r for r in rows if r.benchmark == benchmark and r.model == model]
            sizes = [r.size for r in mine]
            left.plot(sizes, [100 * r.reported_pass_at_1 for r in mine], marker="o", label=model)
            right.plot(sizes, [100 * r.pass_at_k for r in mine], marker="o", label=model)
            left.set_xticks(sizes)
        left.set_ylabel("pass@1 (%)")
        right.set_ylabel(f"pass@{k} (%)")
        for ax in (left, right):
            ax.set_xlabel("graph size (vertices)")
            ax.grid(alpha=0.3)
            ax.legend()
        fig.suptitle(f"{benchmark}: graph coloring by size")
        written.append(_save(fig, Path(out_dir) / f"graph_color_size_{benchmark}.png"))
    return written
