"""The study's figures (PNG), one question each, drawn from :class:`StudyResults`.

Where several seeds ran, lines are means over seeds and the band spans their min..max.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from prorl_verl.demo_plot import moving_average  # noqa: E402
from prorl_verl.repro import results as R  # noqa: E402
from prorl_verl.repro.base_strata import STRATA  # noqa: E402
from prorl_verl.repro.data import EVAL_BUCKETS, eval_set_name  # noqa: E402
from prorl_verl.repro.plan import ARMS, model_name, run_name  # noqa: E402
from prorl_verl.repro.report import StudyResults, strata_k, strata_per_seed  # noqa: E402

COLORS = {"no_kl": "tab:gray", "kl": "tab:blue", "kl_reset": "tab:red", "kl_plateau": "tab:green"}


def _band(axis, xs, per_seed: list[list[float]], color: str, label: str, **style) -> None:
    values = np.asarray(per_seed, dtype=float)
    axis.plot(xs, values.mean(axis=0), color=color, label=label, **style)
    if len(values) > 1:
        axis.fill_between(xs, values.min(axis=0), values.max(axis=0), color=color, alpha=0.15)


def _save(fig, out: Path) -> Path:
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_passk(res: StudyResults, out: Path) -> Path | None:
    """Figure 4's view: pass@k against k per bucket, the base and each arm's final model."""
    if not res.base_evaluated():
        return None
    fig, axes = plt.subplots(1, len(EVAL_BUCKETS), figsize=(4 * len(EVAL_BUCKETS), 3.4))
    for axis, bucket in zip(axes, EVAL_BUCKETS, strict=True):
        name = eval_set_name(bucket)
        ks = sorted(res.passk["base"][name])
        axis.plot(ks, [res.passk["base"][name][k] for k in ks], "k--", label="base")
        for arm in res.study.arms:
            seeds = res.seeds_with(arm, res.study.steps)
            if seeds:
                models = [model_name(run_name(arm, s), res.study.steps) for s in seeds]
                per_seed = [[res.passk[m][name][k] for k in ks] for m in models]
                _band(axis, ks, per_seed, COLORS[arm], ARMS[arm].label, marker="o", markersize=3)
        axis.set_xscale("log", base=2)
        axis.set_title(f"{bucket.name} ({bucket.min_terms} terms)", fontsize=10)
        axis.set_xlabel("k")
        axis.set_ylim(0, 1.02)
    axes[0].set_ylabel("pass@k")
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"pass@k after {res.study.steps} steps vs. the base", fontsize=10)
    return _save(fig, out)


def plot_strata(res: StudyResults, out: Path) -> Path | None:
    """The paper's "widens where the base is weak, narrows where it is strong", prompt by
    prompt: pass@k per stratum of the base (``base_strata``), the base's held-out half against
    each arm's final model (bars: mean over seeds, whiskers: min..max)."""
    step = res.study.steps
    arms_done = [arm for arm in res.study.arms if res.seeds_with(arm, step)]
    if not res.base_evaluated() or not arms_done:
        return None
    k = strata_k(res)
    width = 0.8 / (1 + len(arms_done))
    fig, axes = plt.subplots(1, len(EVAL_BUCKETS), figsize=(4.4 * len(EVAL_BUCKETS), 3.6))
    for axis, bucket in zip(axes, EVAL_BUCKETS, strict=True):
        name = eval_set_name(bucket)
        per_arm = {arm: strata_per_seed(res, arm, name, k) for arm in arms_done}
        first = per_arm[arms_done[0]][0]
        xs = np.arange(len(STRATA))
        axis.bar(
            xs,
            [s.base for s in first],
            width,
            facecolor="white",
            edgecolor="black",
            hatch="///",
            label="base (held-out half)",
        )
        for offset, arm in enumerate(arms_done, start=1):
            values = np.array([[s.trained for s in seed] for seed in per_arm[arm]])
            mean = values.mean(axis=0)
            error = [mean - values.min(axis=0), values.max(axis=0) - mean]
            axis.bar(
                xs + offset * width,
                mean,
                width,
                yerr=error,
                color=COLORS[arm],
                label=ARMS[arm].label,
                error_kw={"linewidth": 0.8},
            )
        axis.set_xticks(
            xs + width * len(arms_done) / 2,
            [f"{label}\n({s.prompts:.0f} prompts)" for label, s in zip(STRATA, first, strict=True)],
            fontsize=7,
        )
        axis.set_title(f"{bucket.name} ({bucket.min_terms} terms)", fontsize=10)
        axis.set_ylim(0, 1.4)  # room for the legend above the bars
        axis.set_yticks(np.linspace(0, 1, 6))
    axes[0].set_ylabel(f"pass@{k}")
    axes[0].legend(fontsize=6, loc="upper left", ncol=2)
    fig.suptitle(
        f"pass@{k} by how often half of the base's samples solve a prompt "
        f"(base: the other half); step {step}",
        fontsize=10,
    )
    return _save(fig, out)


def plot_prolonged(res: StudyResults, out: Path) -> Path | None:
    """Figures 1/2's view: pass@1 and pass@k_max per bucket at each checkpoint of one arm."""
    arm = res.study.prolonged_arm
    steps = [s for s in res.study.checkpoint_steps() if res.seeds_with(arm, s)]
    if not res.base_evaluated() or not steps:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for axis, which in zip(axes, ("pass@1", "pass@k_max"), strict=True):
        for bucket, color in zip(
            EVAL_BUCKETS, ("tab:green", "tab:orange", "tab:purple"), strict=True
        ):
            name = eval_set_name(bucket)
            k = 1 if which == "pass@1" else max(res.passk["base"][name])
            means, lows, highs = [res.passk["base"][name][k]], [], []
            lows.append(means[0])
            highs.append(means[0])
            for step in steps:
                values = [
                    res.passk[model_name(run_name(arm, s), step)][name][k]
                    for s in res.seeds_with(arm, step)
                ]
                means.append(float(np.mean(values)))
                lows.append(min(values))
                highs.append(max(values))
            xs = [0, *steps]
            axis.plot(xs, means, marker="o", color=color, label=f"{bucket.name} (k={k})")
            axis.fill_between(xs, lows, highs, color=color, alpha=0.15)
        axis.set_title(f"{which} along the {ARMS[arm].label} run", fontsize=10)
        axis.set_xlabel("training step (0 = base)")
        axis.set_ylim(0, 1.02)
        axis.legend(fontsize=7)
    return _save(fig, out)


TRAINING_PANELS = (
    (R.REWARD, "reward"),
    (R.VAL_ACC, "validation accuracy"),
    (R.KL, "KL to reference (k3)"),
    (R.KL_SHARE, "KL share of loss"),
    (R.ENTROPY, "entropy"),
    (R.CLIP_FRACTION, "clipped-token fraction"),
)


def plot_training(res: StudyResults, out: Path, window: int = 5) -> Path | None:
    """Figure 8's view: training curves per arm (mean over seeds), resets marked; per-step
    metrics smoothed over ``window`` steps."""
    if not res.curves:
        return None
    fig, axes = plt.subplots(
        len(TRAINING_PANELS), 1, figsize=(8, 2.0 * len(TRAINING_PANELS)), sharex=True
    )
    for axis, (key, title) in zip(axes, TRAINING_PANELS, strict=True):
        for arm in res.study.arms:
            # every run with metrics, finished or not: the figure also shows a study in progress
            names = [run_name(arm, s) for s in res.study.seeds]
            runs = [res.curves[name] for name in names if name in res.curves]
            if not runs:
                continue
            xs = sorted(set.intersection(*(set(R.series(c, key)[0]) for c in runs)))
            if not xs:
                continue
            per_seed = [[float(c[x][key]) for x in xs] for c in runs]
            # per-step metrics swing from step to step; validations are already means
            if key != R.VAL_ACC:
                per_seed = [moving_average(v, window) for v in per_seed]
            marker = "o" if key == R.VAL_ACC else None
            _band(axis, xs, per_seed, COLORS[arm], ARMS[arm].label, marker=marker, markersize=3)
            for step in sorted({s for c in runs for s in R.reset_steps(c)}):
                axis.axvline(step, color=COLORS[arm], linestyle="--", linewidth=0.8, alpha=0.6)
        axis.set_ylabel(title, fontsize=8)
    axes[0].legend(fontsize=7, loc="lower right")
    axes[0].set_title(
        f"training curves per arm (per-step metrics: moving average over {window} steps); "
        "dashed lines: reference resets",
        fontsize=9,
    )
    axes[-1].set_xlabel("training step")
    return _save(fig, out)


def plot_all(res: StudyResults, out_dir: Path, prefix: str = "repro_") -> list[Path]:
    drawn = [
        plot_passk(res, out_dir / f"{prefix}passk.png"),
        plot_strata(res, out_dir / f"{prefix}strata.png"),
        plot_prolonged(res, out_dir / f"{prefix}prolonged.png"),
        plot_training(res, out_dir / f"{prefix}training.png"),
    ]
    return [path for path in drawn if path is not None]
