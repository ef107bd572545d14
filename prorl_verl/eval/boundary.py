"""Reasoning-boundary analyses of the paper's §4: where RL gains, and how it scales with size.

Rule (Figure 3 left, "weaker start, stronger gain"): each task — a ``data_source`` inside a
benchmark, so reasoning-gym sets contribute one point per puzzle type — is a point with the base
model's pass@K on x and another model's pass@K minus the base's on y; the Pearson correlation
of the points is reported (negative: RL helps most where the base was weakest). K is 128 as in
the paper, or the largest k every prompt allows when fewer than 128 samples were drawn.

Rule (Figure 6): graph_color prompts grouped by vertex count; per group the reported pass@1 and
pass@K, K chosen the same way.

Files: ``tables/gain_vs_base.csv`` (the points and, per model, r) and
``tables/graph_color_by_size.csv``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prorl_verl.eval.scoring import PromptScores
from prorl_verl.eval.tables import Results, mean_pass_at_k

PAPER_K = 128


def boundary_k(results: Results) -> int:
    """128, or the largest k that every graded prompt has samples for."""
    smallest_n = min(
        p.n for by_model in results.values() for prompts in by_model.values() for p in prompts
    )
    return min(PAPER_K, smallest_n)


@dataclass(frozen=True)
class GainPoint:
    benchmark: str
    data_source: str
    model: str
    base_pass_at_k: float
    model_pass_at_k: float

    @property
    def gain(self) -> float:
        return self.model_pass_at_k - self.base_pass_at_k


def pearson_r(x: list[float], y: list[float]) -> float:
    """Pearson correlation; NaN when fewer than 3 points or either side is constant."""
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def _by_source(prompts: list[PromptScores]) -> dict[str, list[PromptScores]]:
    groups: dict[str, list[PromptScores]] = {}
    for p in prompts:
        groups.setdefault(p.data_source, []).append(p)
    return groups


def gain_points(results: Results, base: str, k: int) -> list[GainPoint]:
    """One point per (benchmark, data_source, non-base model) where the base was evaluated too."""
    points = []
    for benchmark, by_model in results.items():
        if base not in by_model:
            continue
        base_groups = _by_source(by_model[base])
        for model, prompts in by_model.items():
            if model == base:
                continue
            for source, group in sorted(_by_source(prompts).items()):
                if source in base_groups:
                    points.append(
                        GainPoint(
                            benchmark,
                            source,
                            model,
                            mean_pass_at_k(base_groups[source], k),
                            mean_pass_at_k(group, k),
                        )
                    )
    return points


def correlations(points: list[GainPoint]) -> dict[str, float]:
    """Per model, Pearson r between base pass@K and the gain."""
    models = sorted({p.model for p in points})
    return {
        m: pearson_r(
            [p.base_pass_at_k for p in points if p.model == m],
            [p.gain for p in points if p.model == m],
        )
        for m in models
    }


def write_gain_table(points: list[GainPoint], base: str, k: int, path: Path) -> None:
    r = correlations(points)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "benchmark",
                "data_source",
                "model",
                "k",
                f"{base}_pass@k",
                "model_pass@k",
                "gain",
                "pearson_r_of_model",
            ]
        )
        for p in points:
            writer.writerow(
                [
                    p.benchmark,
                    p.data_source,
                    p.model,
                    k,
                    p.base_pass_at_k,
                    p.model_pass_at_k,
                    p.gain,
                    r[p.model],
                ]
            )


@dataclass(frozen=True)
class SizeRow:
    benchmark: str
    model: str
    size: int
    prompts: int
    reported_pass_at_1: float
    pass_at_k: float


def graph_color_by_size(
    results: Results, sizes: dict[str, dict[int, int]], k: int
) -> list[SizeRow]:
    """Per benchmark holding graph_color rows, per model and vertex count: pass@1 and pass@K."""
    rows = []
    for benchmark, by_index in sizes.items():
        for model, prompts in results[benchmark].items():
            grouped: dict[int, list[PromptScores]] = {}
            for p in prompts:
                if p.index in by_index:
                    grouped.setdefault(by_index[p.index], []).append(p)
            for size, group in sorted(grouped.items()):
                rows.append(
                    SizeRow(
                        benchmark,
                        model,
                        size,
                        len(group),
                        float(np.mean([p.reported_pass_at_1 for p in group])),
                        mean_pass_at_k(group, k),
                    )
                )
    return rows


def write_size_table(rows: list[SizeRow], k: int, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["benchmark", "model", "graph_size", "prompts", "reported_pass@1", f"pass@{k}"]
        )
        for r in rows:
            writer.writerow(
                [r.benchmark, r.model, r.size, r.prompts, r.reported_pass_at_1, r.pass_at_k]
            )
