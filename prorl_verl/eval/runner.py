"""The evaluation run: sample what is missing, grade everything, write tables and plots.

Rule: for each model and each eval set, the prompts without stored generations are sampled
(``n`` per prompt) and appended to the store one prompt at a time; then all stored
generations are graded afresh and the tables and figures are rebuilt from them. Running the
same command again therefore generates nothing and only re-scores; a run stopped half-way
continues with the first prompt it had not finished. A model is loaded only if something is
missing for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from prorl_verl.directory_lock import exclusive
from prorl_verl.eval import boundary, plots
from prorl_verl.eval.eval_sets import EvalSet, graph_color_size, load_eval_set
from prorl_verl.eval.samplers import Sampler, SamplingSettings, make_sampler
from prorl_verl.eval.scoring import score_generations
from prorl_verl.eval.store import GenerationStore, prompt_sha256
from prorl_verl.eval.tables import Results, write_tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    path: str

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """``name=path`` or a bare path (named after its last component)."""
        name, sep, path = text.partition("=")
        if not sep:
            path, name = text, Path(text.rstrip("/")).name
        if not name or not path:
            raise ValueError(f"model {text!r}: expected NAME=PATH or PATH")
        if "/" in name or name in {".", ".."}:
            raise ValueError(f"model name {name!r} must not contain '/' (it names output folders)")
        return cls(name, path)


@dataclass(frozen=True)
class EvalConfig:
    models: list[ModelSpec]
    sets: list[str]
    out_dir: Path
    sampling: SamplingSettings
    data_dir: Path = Path("data")
    seed: int = 0
    backend: str = "auto"
    batch_size: int = 16
    threads: int | None = None
    dtype: str = "auto"
    tensor_parallel_size: int = 1
    limit: int | None = None
    base: str | None = None  # the model gains are measured against; default: the first


@dataclass
class EvalReport:
    results: Results
    files: list[Path] = field(default_factory=list)


def _store_settings(model: ModelSpec, eval_set: EvalSet, config: EvalConfig) -> dict:
    s = config.sampling
    return {
        "model": str(Path(model.path).resolve()) if Path(model.path).exists() else model.path,
        "data_file": str(eval_set.path.resolve()),
        "n": s.n,
        "temperature": s.temperature,
        "top_p": s.top_p,
        "max_new_tokens": s.max_new_tokens,
        "seed": config.seed,
    }


def _check_names(config: EvalConfig, sets: list[EvalSet]) -> str:
    for kind, names in (
        ("model", [m.name for m in config.models]),
        ("eval set", [s.name for s in sets]),
    ):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"{kind} names must be unique, repeated: {duplicates}")
    base = config.base or config.models[0].name
    if base not in [m.name for m in config.models]:
        raise ValueError(
            f"--base {base!r} is not one of the models {[m.name for m in config.models]}"
        )
    return base


def run_eval(
    config: EvalConfig,
    *,
    on_prompt_stored: Callable[[str, str, int], None] | None = None,
) -> EvalReport:
    """Run the evaluation; ``on_prompt_stored(model, set, index)`` fires after each prompt is stored."""
    if not config.models or not config.sets:
        raise ValueError("need at least one model and one eval set")
    full_sets = [load_eval_set(spec, config.data_dir) for spec in config.sets]
    # --limit narrows what is evaluated, not what the store may hold from longer runs
    sets = [replace(s, rows=s.rows[: config.limit]) for s in full_sets]
    base = _check_names(config, sets)
    hashes = {s.name: [prompt_sha256(row.prompt) for row in s.rows] for s in full_sets}
    out_dir = Path(config.out_dir)
    with exclusive(out_dir, "evaluation"):
        return _generate_and_score(config, sets, hashes, base, out_dir, on_prompt_stored)


def _generate_and_score(
    config: EvalConfig,
    sets: list[EvalSet],
    hashes: dict[str, list[str]],
    base: str,
    out_dir: Path,
    on_prompt_stored: Callable[[str, str, int], None] | None,
) -> EvalReport:
    results: Results = {s.name: {} for s in sets}
    for model in config.models:
        sampler: Sampler | None = None
        for eval_set in sets:
            store = GenerationStore(
                out_dir / "generations" / model.name / f"{eval_set.name}.jsonl",
                _store_settings(model, eval_set, config),
            )
            stored = store.load(hashes[eval_set.name])
            generations = {i: stored[i] for i in range(len(eval_set.rows)) if i in stored}
            todo = [row for row in eval_set.rows if row.index not in generations]
            if todo:
                if sampler is None:
                    sampler = make_sampler(
                        config.backend,
                        model.path,
                        config.sampling,
                        batch_size=config.batch_size,
                        threads=config.threads,
                        dtype=config.dtype,
                        tensor_parallel_size=config.tensor_parallel_size,
                    )
                logger.info(
                    "%s / %s: %d of %d prompts already stored",
                    model.name,
                    eval_set.name,
                    len(generations),
                    len(eval_set.rows),
                )
                with tqdm(
                    total=len(eval_set.rows),
                    initial=len(generations),
                    desc=f"generate {model.name}/{eval_set.name}",
                    unit="prompt",
                ) as bar:
                    for start in range(0, len(todo), sampler.prompts_per_call):
                        chunk = todo[start : start + sampler.prompts_per_call]
                        try:
                            sampled = sampler.sample(
                                [r.prompt for r in chunk], [config.seed + r.index for r in chunk]
                            )
                        except ValueError as error:  # e.g. a prompt longer than the model's context
                            indices = [r.index for r in chunk]
                            raise ValueError(
                                f"{model.name} on {eval_set.path}, rows {indices}: {error}"
                            ) from error
                        for row, completions in zip(chunk, sampled, strict=True):
                            if len(completions) != config.sampling.n:
                                raise RuntimeError(
                                    f"sampler returned {len(completions)} completions, expected {config.sampling.n}"
                                )
                            store.append(row.index, hashes[eval_set.name][row.index], completions)
                            generations[row.index] = completions
                            bar.update(1)
                            if on_prompt_stored is not None:
                                on_prompt_stored(model.name, eval_set.name, row.index)
            results[eval_set.name][model.name] = score_generations(
                eval_set, generations, label=f"{model.name}/{eval_set.name}"
            )
        if sampler is not None:
            sampler.close()
    return EvalReport(results, _write_outputs(results, sets, base, out_dir))


def _write_outputs(results: Results, sets: list[EvalSet], base: str, out_dir: Path) -> list[Path]:
    files = write_tables(results, out_dir)
    files += plots.plot_passk_curves(results, out_dir / "plots")
    files += plots.plot_pass1_histograms(results, out_dir / "plots")
    k = boundary.boundary_k(results)
    points = boundary.gain_points(results, base, k)
    if points:
        boundary.write_gain_table(points, base, k, out_dir / "tables" / "gain_vs_base.csv")
        files += [
            out_dir / "tables" / "gain_vs_base.csv",
            plots.plot_gain_scatter(points, base, k, out_dir / "plots"),
        ]
    else:
        logger.info(
            "gain-vs-base figure skipped: it needs a second model besides the base %r", base
        )
    sizes = {
        s.name: {row.index: size for row in s.rows if (size := graph_color_size(row)) is not None}
        for s in sets
    }
    sizes = {name: by_index for name, by_index in sizes.items() if by_index}
    if sizes:
        size_rows = boundary.graph_color_by_size(results, sizes, k)
        boundary.write_size_table(size_rows, k, out_dir / "tables" / "graph_color_by_size.csv")
        files += [out_dir / "tables" / "graph_color_by_size.csv"]
        files += plots.plot_graph_color_by_size(size_rows, k, out_dir / "plots")
    return files
