"""Creativity of stored responses: per-response scores, per-task and per-model tables.

Rule: every response gets its word count, its L-uniqueness for L = min_n … max_n and its
Creativity Index (the sum). A response with no words has no scores (blank cells) and is
counted in ``empty_responses``; the means are over the other responses, with the standard
error of the mean of the index. Files, under the output directory:

- ``creativity/<model>/<set>.csv``: one row per response;
- ``tables/creativity_by_task.csv``: one row per model, eval set and ``data_source``;
- ``tables/creativity_by_model.csv``: one row per model over all its responses;
- ``tables/creativity.md``: the index per task side by side for every model, with each
  model's change from the base (the first model), then the per-model summary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from prorl_verl.eval.creativity.coverage import (
    NgramIndex,
    creativity_from_curve,
    text_words,
)
from prorl_verl.eval.creativity.generations import Response
from prorl_verl.eval.tables import _write_csv


@dataclass(frozen=True)
class ScoredResponse:
    """A response's scores and where it came from (its text is not kept)."""

    model: str
    eval_set: str
    data_source: str
    prompt_index: int
    sample: int
    words: int
    curve: dict[int, float]  # L -> L-uniqueness (NaN for a response with no words)

    @property
    def creativity_index(self) -> float:
        return creativity_from_curve(self.curve)


def score_responses(
    index: NgramIndex, responses: Iterable[Response], min_n: int, max_n: int
) -> list[ScoredResponse]:
    """Scores of every response, ordered by model (as they come), set, prompt and sample."""
    scored = [
        ScoredResponse(
            r.model,
            r.eval_set,
            r.data_source,
            r.prompt_index,
            r.sample,
            len(text_words(r.text)),
            index.uniqueness_curve(r.text, min_n, max_n),
        )
        for r in tqdm(responses, desc="creativity", unit="response", mininterval=1.0)
    ]
    model_rank = {m: i for i, m in enumerate(dict.fromkeys(s.model for s in scored))}
    scored.sort(key=lambda s: (model_rank[s.model], s.eval_set, s.prompt_index, s.sample))
    return scored


def _stats(group: list[ScoredResponse]) -> dict:
    lengths = sorted({n for s in group for n in s.curve})
    kept = [s for s in group if s.words]
    index = np.array([s.creativity_index for s in kept])
    row = {
        "responses": len(group),
        "empty_responses": len(group) - len(kept),
        "mean_words": float(np.mean([s.words for s in kept])) if kept else math.nan,
        "creativity_index": float(index.mean()) if kept else math.nan,
        "creativity_index_sem": (
            float(index.std(ddof=1) / math.sqrt(len(kept))) if len(kept) > 1 else math.nan
        ),
    }
    for n in lengths:
        row[f"uniqueness@{n}"] = float(np.mean([s.curve[n] for s in kept])) if kept else math.nan
    return row


def _blank_nan(row: dict) -> dict:
    return {k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def task_rows(scored: list[ScoredResponse]) -> list[dict]:
    groups: dict[tuple, list[ScoredResponse]] = {}
    for s in scored:
        groups.setdefault((s.model, s.eval_set, s.data_source), []).append(s)
    return [
        {"model": m, "benchmark": b, "data_source": d, **_stats(group)}
        for (m, b, d), group in groups.items()
    ]


def model_rows(scored: list[ScoredResponse]) -> list[dict]:
    groups: dict[str, list[ScoredResponse]] = {}
    for s in scored:
        groups.setdefault(s.model, []).append(s)
    return [{"model": m, **_stats(group)} for m, group in groups.items()]


def _fmt(value: float, sem: float | None = None) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "–"
    text = f"{value:.2f}"
    if sem is not None and not math.isnan(sem):
        text += f" ± {sem:.2f}"
    return text


def markdown(tasks: list[dict], models: list[dict], min_n: int, max_n: int) -> str:
    """Index per task side by side (with the change from the first model), then per model."""
    names = list(dict.fromkeys(r["model"] for r in models))
    base = names[0]
    by_key = {(r["benchmark"], r["data_source"], r["model"]): r for r in tasks}
    keys = list(dict.fromkeys((r["benchmark"], r["data_source"]) for r in tasks))
    header = ["benchmark", "task", *[f"{m}" for m in names]]
    header += [f"{m} − {base}" for m in names[1:]]
    lines = [
        f"# Creativity Index (sum of L-uniqueness, L = {min_n}…{max_n}; range 0–{max_n - min_n + 1})\n",
        "mean ± standard error over responses; higher = less of the response is found verbatim "
        "in the reference corpus\n",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for benchmark, source in keys:
        cells = [benchmark, source]
        values = {}
        for m in names:
            row = by_key.get((benchmark, source, m))
            values[m] = row["creativity_index"] if row else math.nan
            cells.append(_fmt(values[m], row["creativity_index_sem"]) if row else "–")
        cells += [_fmt(values[m] - values[base]) for m in names[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "\n## Per model\n",
        f"| model | responses | empty | mean words | index | uniqueness@{min_n} | uniqueness@{max_n} |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in models:
        lines.append(
            f"| {r['model']} | {r['responses']} | {r['empty_responses']} | {_fmt(r['mean_words'])} | "
            f"{_fmt(r['creativity_index'], r['creativity_index_sem'])} | "
            f"{_fmt(r[f'uniqueness@{min_n}'])} | {_fmt(r[f'uniqueness@{max_n}'])} |"
        )
    return "\n".join(lines) + "\n"


def response_rows(scored: list[ScoredResponse]) -> list[dict]:
    rows = []
    for s in scored:
        row = {
            "index": s.prompt_index,
            "sample": s.sample,
            "data_source": s.data_source,
            "words": s.words,
            "creativity_index": s.creativity_index,
        }
        row.update({f"uniqueness@{n}": u for n, u in s.curve.items()})
        rows.append(_blank_nan(row))
    return rows


def write_report(scored: list[ScoredResponse], out_dir: Path, min_n: int, max_n: int) -> list[Path]:
    """Write the per-response files and the tables; returns the files written."""
    out_dir = Path(out_dir)
    written = []
    per_file: dict[tuple[str, str], list[ScoredResponse]] = {}
    for s in scored:
        per_file.setdefault((s.model, s.eval_set), []).append(s)
    for (model, eval_set), group in per_file.items():
        path = out_dir / "creativity" / model / f"{eval_set}.csv"
        _write_csv(path, response_rows(group))
        written.append(path)
    tasks, models = task_rows(scored), model_rows(scored)
    tables = out_dir / "tables"
    _write_csv(tables / "creativity_by_task.csv", [_blank_nan(r) for r in tasks])
    _write_csv(tables / "creativity_by_model.csv", [_blank_nan(r) for r in models])
    (tables / "creativity.md").write_text(markdown(tasks, models, min_n, max_n))
    written += [
        tables / "creativity_by_task.csv",
        tables / "creativity_by_model.csv",
        tables / "creativity.md",
    ]
    return written
