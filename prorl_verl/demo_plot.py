"""The training-curve figure of a multi-stage run: reward, KL, entropy, dropped groups,
response length and validation accuracy over steps, with the reference resets marked."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PANELS = (
    ("prorl/dynamic_sampling/reward_all_groups", "reward, all groups (moving avg.)"),
    ("actor/kl_loss", "KL to reference (k3)"),
    ("actor/entropy", "entropy"),
    ("prorl/dynamic_sampling/dropped_fraction", "dropped-group fraction"),
    ("response_length/mean", "response length (tokens)"),
    ("val-core/domain/all/acc/mean@1", "validation accuracy"),
)


def read_run_metrics(run_dir: Path) -> dict[int, dict]:
    """Step -> metrics over every launch of one run (``<run_dir>/metrics/launch-*.jsonl``).

    A line counts once its newline is written: a launch killed (or still running) mid-write
    leaves an unfinished last line, which is left out.
    """
    steps: dict[int, dict] = {}
    for path in sorted((run_dir / "metrics").glob("launch-*.jsonl")):
        *complete, _unfinished = path.read_text().split("\n")
        for line in complete:
            if line.strip():
                record = json.loads(line)
                steps.setdefault(int(record["step"]), {}).update(record["data"])
    return steps


def moving_average(values: list[float], window: int) -> list[float]:
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out


def plot_training(run_dirs: list[Path], out: Path, window: int = 5) -> Path:
    """One PNG for the stages in ``run_dirs`` (in order); later stages win on shared steps."""
    steps: dict[int, dict] = {}
    for run_dir in run_dirs:
        for step, metrics in read_run_metrics(run_dir).items():
            steps.setdefault(step, {}).update(metrics)
    train_steps = sorted(s for s, m in steps.items() if "timing_s/step" in m)
    if not train_steps:
        raise ValueError(f"no training metrics under {[str(r) for r in run_dirs]}")
    resets = [s for s in train_steps if steps[s].get("prorl/reset/happened")]

    fig, axes = plt.subplots(len(PANELS), 1, figsize=(8, 2.2 * len(PANELS)), sharex=True)
    for axis, (key, title) in zip(axes, PANELS, strict=True):
        xs = sorted(s for s in steps if key in steps[s])
        ys = [float(steps[s][key]) for s in xs]
        if key == PANELS[0][0] and ys:
            axis.plot(xs, ys, color="0.75", linewidth=1, label="per step")
            ys = moving_average(ys, window)
            axis.legend(loc="lower right", fontsize=8)
        axis.plot(
            xs, ys, linewidth=1.8, marker="o" if key.startswith("val-") else None, markersize=3
        )
        axis.set_ylabel(title, fontsize=8)
        for step in resets:
            axis.axvline(step, color="tab:red", linestyle="--", linewidth=1)
    axes[0].set_title("ProRL demo on CPU — dashed red lines: reference resets", fontsize=10)
    axes[-1].set_xlabel("training step")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
