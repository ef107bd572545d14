"""pass@k tables per benchmark and model, as CSV and Markdown.

Rule: for a benchmark whose prompts each have n graded samples, ``pass@k`` (k = 1, 2, 4, ...
n) is the mean over prompts of the unbiased estimator with c = samples whose ``acc`` is 1;
``reported_pass@1`` is the mean over prompts of the paper's pass@1 (equal to pass@1 for binary
rewards, the mean continuous score for puzzles and instruction following);
``mean_response_tokens`` and ``no_eos_fraction`` (responses that hit the length cap) describe
the samples themselves. Files:

- ``tables/<set>.csv`` / ``.md``: one row per model;
- ``tables/summary.csv`` / ``summary.md``: every benchmark and model;
- ``tables/by_task.csv``: the same per ``data_source`` inside each benchmark (reasoning-gym
  sets hold many tasks);
- ``scores/<model>/<set>.csv``: per prompt n, c, mean score and reported pass@1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from prorl_verl.eval.passk import k_values, pass_at_k
from prorl_verl.eval.scoring import PromptScores

Results = dict[str, dict[str, list[PromptScores]]]  # set -> model -> graded prompts


def samples_per_prompt(prompts: list[PromptScores]) -> int:
    counts = {p.n for p in prompts}
    if len(counts) != 1:
        raise ValueError(
            f"prompts have different sample counts {sorted(counts)}; pass@k needs one n"
        )
    return counts.pop()


def mean_pass_at_k(prompts: list[PromptScores], k: int) -> float:
    n = np.array([p.n for p in prompts])
    c = np.array([p.correct for p in prompts])
    return float(np.mean(pass_at_k(n, c, k)))


def summarize(prompts: list[PromptScores]) -> dict:
    """One table row: prompt and sample counts, reported pass@1, pass@k for every k."""
    n = samples_per_prompt(prompts)
    row = {
        "prompts": len(prompts),
        "samples_per_prompt": n,
        "reported_pass@1": float(np.mean([p.reported_pass_at_1 for p in prompts])),
        "mean_response_tokens": float(np.mean([t for p in prompts for t in p.num_tokens])),
        "no_eos_fraction": float(np.mean([not e for p in prompts for e in p.ended_with_eos])),
    }
    for k in k_values(n):
        row[f"pass@{k}"] = mean_pass_at_k(prompts, k)
    return row


def _write_csv(path: Path, rows: list[dict]) -> None:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _is_fraction(column: str) -> bool:
    """Columns shown in percent in Markdown (CSV keeps fractions)."""
    return column.startswith(("pass@", "reported_pass@")) or column.endswith("_fraction")


def _markdown(rows: list[dict]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]

    def cell(column: str, value) -> str:
        if value is None:
            return ""
        if _is_fraction(column):
            return f"{100 * value:.2f}"
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    header = [f"{c} (%)" if _is_fraction(c) else c for c in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(c, row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_tables(results: Results, out_dir: Path) -> list[Path]:
    """Write every table; returns the files written."""
    written: list[Path] = []
    tables = Path(out_dir) / "tables"
    summary_rows, task_rows, markdown = [], [], ["# pass@k\n"]
    for set_name, by_model in results.items():
        rows = [
            {"benchmark": set_name, "model": model, **summarize(prompts)}
            for model, prompts in by_model.items()
        ]
        summary_rows += rows
        _write_csv(tables / f"{set_name}.csv", rows)
        (tables / f"{set_name}.md").write_text(_markdown(rows))
        written += [tables / f"{set_name}.csv", tables / f"{set_name}.md"]
        markdown += [f"\n## {set_name}\n\n", _markdown(rows)]
        for model, prompts in by_model.items():
            for source in sorted({p.data_source for p in prompts}):
                group = [p for p in prompts if p.data_source == source]
                task_rows.append(
                    {
                        "benchmark": set_name,
                        "data_source": source,
                        "model": model,
                        **summarize(group),
                    }
                )
            per_prompt = Path(out_dir) / "scores" / model / f"{set_name}.csv"
            _write_csv(
                per_prompt,
                [
                    {
                        "index": p.index,
                        "data_source": p.data_source,
                        "samples": p.n,
                        "correct": p.correct,
                        "mean_score": p.mean_score,
                        "reported_pass@1": p.reported_pass_at_1,
                    }
                    for p in prompts
                ],
            )
            written.append(per_prompt)
    _write_csv(tables / "summary.csv", summary_rows)
    (tables / "summary.md").write_text("".join(markdown))
    _write_csv(tables / "by_task.csv", task_rows)
    written += [tables / "summary.csv", tables / "summary.md", tables / "by_task.csv"]
    return written
