"""The study's answers: tables and verdicts per question (Markdown), from the runs on disk.

Works on a partial study too (only what has been trained and evaluated is reported), so the
report of a study stopped half-way says exactly what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prorl_verl.launch import compose_stage
from prorl_verl.repro import results as R
from prorl_verl.repro.base_strata import STRATA, Stratum, held_out_size, strata
from prorl_verl.repro.data import EVAL_BUCKETS, eval_set_name
from prorl_verl.repro.plan import ARMS, Study, model_name, run_name


def kl_coefficient(arm: str, overrides: list[str]) -> float:
    """β of an arm as its recipe (with the study's overrides) sets it; 0 without the KL loss."""
    actor = compose_stage(ARMS[arm].recipe, overrides).actor_rollout_ref.actor
    return float(actor.kl_loss_coef) if actor.use_kl_loss else 0.0


@dataclass
class StudyResults:
    """Everything the report and figures need; runs and models not there yet are absent."""

    study: Study
    kl_coefs: dict[str, float]
    #: run name -> step -> metrics
    curves: dict[str, dict[int, dict]] = field(default_factory=dict)
    #: model name -> eval set -> k -> pass@k
    passk: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)
    #: model name -> eval set -> per-prompt counts
    counts: dict[str, dict[str, R.PromptCounts]] = field(default_factory=dict)

    def base_evaluated(self) -> bool:
        """The base has been evaluated on every bucket (a study stopped mid-way may not)."""
        return len(self.passk.get("base", {})) == len(EVAL_BUCKETS)

    def seeds_with(self, arm: str, step: int) -> list[int]:
        """Seeds of ``arm`` whose model at ``step`` has been evaluated on every bucket."""
        return [
            seed
            for seed in self.study.seeds
            if len(self.passk.get(model_name(run_name(arm, seed), step), {})) == len(EVAL_BUCKETS)
        ]

    def finished_seeds(self, arm: str) -> list[int]:
        """Seeds of ``arm`` trained to the end."""
        return [
            seed
            for seed in self.study.seeds
            if self.study.steps in self.curves.get(run_name(arm, seed), {})
        ]


def collect(study: Study, study_root: Path, overrides: list[str]) -> StudyResults:
    out = StudyResults(study, {arm: kl_coefficient(arm, overrides) for arm in study.arms})
    eval_dir = study_root / "eval"
    models = ["base"]
    for seed in study.seeds:
        for arm in study.arms:
            run = run_name(arm, seed)
            if (study_root / run / "metrics").is_dir():
                out.curves[run] = R.training_curves(study_root / run, out.kl_coefs[arm])
            models += [model_name(run, step) for step in study.checkpoint_steps()]
    for model in models:
        for bucket in EVAL_BUCKETS:
            name = eval_set_name(bucket)
            if (eval_dir / "scores" / model / f"{name}.csv").exists():
                counts = R.prompt_counts(eval_dir, model, name)
                out.counts.setdefault(model, {})[name] = counts
                out.passk.setdefault(model, {})[name] = counts.pass_at_ks()
    return out


def passk_over_seeds(res: StudyResults, arm: str, step: int, eval_set: str, k: int) -> R.Spread:
    """pass@k of ``arm``'s checkpoint at ``step`` over the seeds evaluated there."""
    values = [
        res.passk[model_name(run_name(arm, seed), step)][eval_set][k]
        for seed in res.seeds_with(arm, step)
    ]
    return R.Spread.of(values)


def _fmt(spread: R.Spread) -> str:
    mean = f"{spread.mean:.3f}".replace("-0.000", "0.000")  # a loss too small to print is none
    return mean if spread.n == 1 else f"{mean} ± {spread.std:.3f}"


def _fmt_count(values: list[float]) -> str:
    """A count over seeds: the count itself when every seed agrees, else mean ± std."""
    if len(set(values)) == 1:
        return f"{values[0]:.0f}"
    spread = R.Spread.of(values)
    return f"{spread.mean:.1f} ± {spread.std:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def bucket_rows(res: StudyResults):
    """(bucket, eval set, k, the base's pass@k) for each bucket at k = 1 and the largest k."""
    for bucket in EVAL_BUCKETS:
        name = eval_set_name(bucket)
        base = res.passk["base"][name]
        for k in (1, max(base)):
            yield bucket, name, k, base[k]


def boundary(res: StudyResults) -> str:
    """Q1: pass@k of the base and of the prolonged arm's final checkpoint, per bucket."""
    arm, step = res.study.prolonged_arm, res.study.steps
    seeds = res.seeds_with(arm, step)
    if not res.base_evaluated() or not seeds:
        return "Not evaluated yet.\n"
    rows = []
    for bucket, name, k, base in bucket_rows(res):
        trained = [res.passk[model_name(run_name(arm, s), step)][name][k] for s in seeds]
        delta = R.Spread.of([t - base for t in trained])
        rows.append(
            [
                bucket.name,
                str(k),
                f"{base:.3f}",
                _fmt(R.Spread.of(trained)),
                _fmt(delta),
                R.verdict(delta),
            ]
        )
    header = ["bucket", "k", "base", f"{ARMS[arm].label} @ {step}", "trained − base", "verdict"]
    return _table(header, rows)


def strata_per_seed(res: StudyResults, arm: str, name: str, k: int) -> list[list[Stratum]]:
    """Per evaluated seed of ``arm``'s last checkpoint, its strata against the base."""
    base = res.counts["base"][name]
    return [
        strata(base, res.counts[model_name(run_name(arm, seed), res.study.steps)][name], k)
        for seed in res.seeds_with(arm, res.study.steps)
    ]


def strata_k(res: StudyResults) -> int:
    """The k both halves of the base can be compared at, on every bucket."""
    return min(held_out_size(res.counts["base"][eval_set_name(b)]) for b in EVAL_BUCKETS)


#: strata with fewer prompts than this are named, not tabled: one prompt is no "where"
MIN_STRATUM_PROMPTS = 5


def _left_out(sizes: list[tuple[str, str, float]]) -> str:
    small = [
        f"{bucket} {label} ({n:.1f})"
        for bucket, label, n in sizes
        if 0.05 <= n < MIN_STRATUM_PROMPTS  # an empty stratum needs no mention
    ]
    if not small:
        return ""
    return f"\nLeft out, fewer than {MIN_STRATUM_PROMPTS} prompts: {', '.join(small)}.\n"


def boundary_by_base_strata(res: StudyResults) -> str:
    """Q1 prompt by prompt: the prolonged arm's final checkpoint against the base, on prompts
    grouped by how often half of the base's samples solve them (``base_strata``)."""
    arm, step = res.study.prolonged_arm, res.study.steps
    if not res.base_evaluated() or not res.seeds_with(arm, step):
        return "Not evaluated yet.\n"
    k = strata_k(res)
    rows, sizes = [], []
    for bucket in EVAL_BUCKETS:
        name = eval_set_name(bucket)
        at_1 = strata_per_seed(res, arm, name, 1)
        at_k = strata_per_seed(res, arm, name, k)
        for i, label in enumerate(STRATA):
            first = at_k[0][i]
            sizes.append((bucket.name, label, first.prompts))
            if first.prompts < MIN_STRATUM_PROMPTS:
                continue
            delta = R.Spread.of([seed[i].trained - seed[i].base for seed in at_k])
            rows.append(
                [
                    bucket.name,
                    label,
                    f"{first.prompts:.1f}",
                    f"{at_1[0][i].base:.3f}",
                    _fmt(R.Spread.of([seed[i].trained for seed in at_1])),
                    f"{first.base:.3f}",
                    _fmt(R.Spread.of([seed[i].trained for seed in at_k])),
                    _fmt(delta),
                    R.verdict(delta),
                ]
            )
    header = [
        "bucket",
        "half the base solves",
        "prompts",
        "base pass@1",
        "trained pass@1",
        f"base pass@{k}",
        f"trained pass@{k}",
        "trained − base",
        "verdict",
    ]
    return _table(header, rows) + _left_out(sizes)


def every_arm_by_base_strata(res: StudyResults) -> str:
    """Q1 prompt by prompt across arms: trained − base pass@k per stratum at the last step."""
    step = res.study.steps
    arms_done = [arm for arm in res.study.arms if res.seeds_with(arm, step)]
    if not res.base_evaluated() or not arms_done:
        return "Not evaluated yet.\n"
    k = strata_k(res)
    rows, sizes = [], []
    for bucket in EVAL_BUCKETS:
        name = eval_set_name(bucket)
        per_arm = {arm: strata_per_seed(res, arm, name, k) for arm in arms_done}
        for i, label in enumerate(STRATA):
            sizes.append((bucket.name, label, per_arm[arms_done[0]][0][i].prompts))
            if sizes[-1][2] < MIN_STRATUM_PROMPTS:
                continue
            cells = [
                _fmt(R.Spread.of([seed[i].trained - seed[i].base for seed in per_arm[arm]]))
                for arm in arms_done
            ]
            rows.append([bucket.name, label, *cells])
    header = ["bucket", "half the base solves", *(ARMS[arm].label for arm in arms_done)]
    table = _table(header, rows) + _left_out(sizes)
    return f"trained − base, pass@{k}, every arm at step {step}:\n\n" + table


def final_passk(res: StudyResults) -> str:
    """Q1 across arms: pass@1 and pass@k_max of every arm's final checkpoint, per bucket."""
    step = res.study.steps
    arms_done = [arm for arm in res.study.arms if res.seeds_with(arm, step)]
    if not res.base_evaluated() or not arms_done:
        return "Not evaluated yet.\n"
    rows = []
    for bucket, name, k, base in bucket_rows(res):
        cells = [_fmt(passk_over_seeds(res, arm, step, name, k)) for arm in arms_done]
        rows.append([bucket.name, str(k), f"{base:.3f}", *cells])
    header = ["bucket", "k", "base", *(ARMS[arm].label for arm in arms_done)]
    return _table(header, rows)


def prolonged(res: StudyResults) -> str:
    """Q2: pass@1 and pass@k_max of the prolonged arm at each checkpoint, per bucket."""
    arm = res.study.prolonged_arm
    if not res.base_evaluated():
        return "Not evaluated yet.\n"
    steps = [s for s in res.study.checkpoint_steps() if res.seeds_with(arm, s)]
    rows = []
    for bucket, name, k, base in bucket_rows(res):
        cells = [_fmt(passk_over_seeds(res, arm, step, name, k)) for step in steps]
        rows.append([bucket.name, str(k), f"{base:.3f}", *cells])
    return _table(["bucket", "k", "base", *(f"step {s}" for s in steps)], rows)


def prolonged_verdict(res: StudyResults) -> str:
    """Does the second half of the run still improve hard-bucket pass@1? (per seed)."""
    arm, steps = res.study.prolonged_arm, res.study.checkpoint_steps()
    middle, last = steps[len(steps) // 2 - 1] if len(steps) > 1 else steps[0], steps[-1]
    seeds = sorted(set(res.seeds_with(arm, middle)) & set(res.seeds_with(arm, last)))
    if not seeds or middle == last:
        return "Not evaluated yet.\n"
    name = eval_set_name(EVAL_BUCKETS[1])
    gains = [
        res.passk[model_name(run_name(arm, s), last)][name][1]
        - res.passk[model_name(run_name(arm, s), middle)][name][1]
        for s in seeds
    ]
    delta = R.Spread.of(gains)
    return f"hard-bucket pass@1, step {last} − step {middle}: {_fmt(delta)} → {R.verdict(delta)}\n"


ARM_COLUMNS = (
    ("late reward", R.REWARD),
    ("late val acc", R.VAL_ACC),
    ("late KL", R.KL),
    ("KL share of loss", R.KL_SHARE),
    ("clip fraction", R.CLIP_FRACTION),
    ("late entropy", R.ENTROPY),
)


#: the plateau question: validation accuracy's rise over the second half of the run
VAL_GAIN = "val acc gain, 2nd half"


def arm_values(res: StudyResults, arm: str, seed: int) -> dict[str, float]:
    """One run's numbers: late means of the training metrics (last quarter), the validation
    accuracy's second-half gain, resets, and the final checkpoint's hard-bucket pass@1."""
    curves = res.curves[run_name(arm, seed)]
    values = {}
    for label, key in ARM_COLUMNS:
        if R.series(curves, key)[1]:
            fraction = 1.0 if key in (R.KL_SHARE, R.CLIP_FRACTION) else 0.25
            values[label] = R.late_mean(curves, key, fraction)
    if len(R.series(curves, R.VAL_ACC)[1]) >= 4:
        values[VAL_GAIN] = R.second_half_gain(curves, R.VAL_ACC)
    values["resets"] = float(len(R.reset_steps(curves)))
    final = res.passk.get(model_name(run_name(arm, seed), res.study.steps), {})
    if eval_set_name(EVAL_BUCKETS[1]) in final:
        values["hard pass@1"] = final[eval_set_name(EVAL_BUCKETS[1])][1]
    return values


def arms(res: StudyResults) -> str:
    """Q3: each arm's late training metrics and final hard pass@1, mean ± std over seeds."""
    labels = [label for label, _ in ARM_COLUMNS] + [VAL_GAIN, "resets", "hard pass@1"]
    rows = []
    for arm in res.study.arms:
        per_seed = [arm_values(res, arm, s) for s in res.finished_seeds(arm)]
        if not per_seed:
            continue
        cells = []
        for label in labels:
            values = [v[label] for v in per_seed if label in v]
            if not values:
                cells.append("–")
            else:
                cells.append(_fmt_count(values) if label == "resets" else _fmt(R.Spread.of(values)))
        rows.append([ARMS[arm].label, f"{res.kl_coefs[arm]:g}", str(len(per_seed)), *cells])
    if not rows:
        return "No run has finished yet.\n"
    return _table(["arm", "β", "seeds", *labels], rows)


#: paired comparisons of Q3: (arm, against)
COMPARISONS = (("kl", "no_kl"), ("kl_reset", "kl"), ("kl_plateau", "kl"))
#: what they compare: the late reward, the policy's entropy (what the KL term is said to keep
#: up), the plateau measure and the final hard-bucket pass@1
COMPARED_METRICS = ("late reward", "late entropy", VAL_GAIN, "hard pass@1")


def arm_comparisons(res: StudyResults) -> str:
    """Per-seed differences between arms (same seeds) in ``COMPARED_METRICS``."""
    rows = []
    for arm, other in COMPARISONS:
        if arm not in res.study.arms or other not in res.study.arms:
            continue
        seeds = sorted(set(res.finished_seeds(arm)) & set(res.finished_seeds(other)))
        for label in COMPARED_METRICS:
            pairs = [(arm_values(res, arm, s), arm_values(res, other, s)) for s in seeds]
            diffs = [a[label] - b[label] for a, b in pairs if label in a and label in b]
            if diffs:
                delta = R.Spread.of(diffs)
                rows.append(
                    [
                        f"{ARMS[arm].label} − {ARMS[other].label}",
                        label,
                        _fmt(delta),
                        R.verdict(delta),
                    ]
                )
    if not rows:
        compared = ", ".join(f"{ARMS[a].label} − {ARMS[b].label}" for a, b in COMPARISONS)
        return f"No compared pair of arms ({compared}) has finished the same seed yet.\n"
    return _table(["comparison", "metric", "difference", "verdict"], rows)


def write_report(res: StudyResults, out: Path) -> Path:
    """``results.md``: the tables and verdicts of the four questions."""
    study = res.study
    done_runs = sum(len(res.finished_seeds(arm)) for arm in study.arms)
    parts = [
        f"# ProRL micro-reproduction: {study.name} configuration\n\n",
        f"Runs finished: {done_runs} of {len(study.arms) * len(study.seeds)} "
        f"({len(study.arms)} arms × seeds {list(study.seeds)}, {study.steps} steps each). ",
        f"pass@k: {study.eval_prompts} prompts per bucket × {study.eval_samples} samples.\n\n",
        "## 1. Boundary: pass@k, base vs. trained\n\n",
        boundary(res),
        f"\nEvery arm at step {study.steps} (mean ± std over its evaluated seeds):\n\n",
        final_passk(res),
        "\nPrompt by prompt: each prompt is placed by how often one half of the base's "
        "samples solve it, and the base is scored on the other half (so the grouping does "
        "not favour the trained model; averaged over every split). "
        f"{ARMS[study.prolonged_arm].label} at step {study.steps}:\n\n",
        boundary_by_base_strata(res),
        "\n",
        every_arm_by_base_strata(res),
        "\n## 2. Prolonged: along one run\n\n",
        prolonged(res),
        "\n",
        prolonged_verdict(res),
        "\n## 3. KL and reset: the arms\n\n",
        arms(res),
        "\n",
        arm_comparisons(res),
    ]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.md"
    path.write_text("".join(parts))
    return path
