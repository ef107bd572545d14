"""``python -m prorl_verl.launch STAGE [key=value ...] [--dry-run] [--init-from DIR]``.

Runs one stage of the ProRL schedule (``recipes/<STAGE>.yaml``) through verl's trainer, and
chains the stages: a stage starts from the last checkpoint of ``prorl.previous_stage`` (found
under ``<prorl.runs_root>/<previous stage>/checkpoints``) unless it already has checkpoints of
its own (then it resumes itself after a crash), or ``--init-from`` names a ``global_step_N``
directory. Each stage trains ``prorl.stage_steps`` steps past the step it starts from.

Before Ray starts, a preflight checks the data files, the model, the GPUs and the run
directory, and stops in seconds with one message per problem. When the checkpoint a stage
starts from was saved by a different number of GPUs (trainer.nnodes x n_gpus_per_node), its
weights are converted with verl's model merger; the step, the data position, the reset
history and the reference carry over, the optimizer state does not.

``--dry-run`` prints the fully resolved config as YAML after verl's own config validation,
and exits without starting Ray.
"""

import argparse
import faulthandler
import json
import signal
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf, open_dict

from prorl_verl.cpu import cpu_mode_active
from prorl_verl.cpu.process_cost import collecting_less_often, exit_without_teardown
from prorl_verl.main import RECIPES_DIR
from prorl_verl.preflight import preflight_problems
from prorl_verl.resize import convert_for_world_size

LATEST_FILE = "latest_checkpointed_iteration.txt"
#: Written into a stage's run directory at its first launch: the step it started from.
STAGE_START_FILE = "stage_start.json"


@dataclass
class StartPoint:
    """Where a stage's weights come from, and what to tell the user about it."""

    checkpoint: Path | None
    step: int
    note: str


def latest_checkpoint(checkpoints_dir: Path) -> tuple[Path, int] | None:
    latest = checkpoints_dir / LATEST_FILE
    if not latest.exists():
        return None
    step = int(latest.read_text().strip())
    return checkpoints_dir / f"global_step_{step}", step


def step_of(checkpoint: Path) -> int:
    name = checkpoint.name
    if not name.startswith("global_step_") or not name[len("global_step_") :].isdigit():
        raise ValueError(
            f"--init-from must name a verl global_step_<N> directory, got {checkpoint}"
        )
    return int(name[len("global_step_") :])


def recorded_start_step(config: DictConfig) -> tuple[int, str]:
    """The step this stage started from, from ``stage_start.json``; if that file was lost,
    the previous stage's final step (or 0 for a first stage), said in the note."""
    record = Path(config.prorl.run_dir) / STAGE_START_FILE
    if record.exists():
        return int(json.loads(record.read_text())["step"]), ""
    previous = config.prorl.get("previous_stage", None)
    if not previous:
        return 0, f" ({record} missing: this stage has no previous stage, so it started at 0)"
    found = latest_checkpoint((Path(config.prorl.runs_root) / previous / "checkpoints").resolve())
    if found is None:
        raise SystemExit(
            f"{record} is missing and {previous} has no checkpoint to tell where this stage "
            f'started: write {{"step": N}} into {record}, N the step it started from'
        )
    return found[1], f" ({record} missing: taking {previous}'s final step {found[1]} as the start)"


def resolve_start(config: DictConfig, init_from: str | None) -> StartPoint:
    own = latest_checkpoint(Path(config.trainer.default_local_dir))
    if own is not None:
        first_step, how = recorded_start_step(config)
        return StartPoint(
            own[0], first_step, f"resuming this stage from its own checkpoint {own[0]}{how}"
        )
    if init_from:
        checkpoint = Path(init_from).resolve()
        if not (checkpoint / "actor").is_dir():
            raise FileNotFoundError(f"--init-from {checkpoint}: no verl actor checkpoint in it")
        return StartPoint(checkpoint, step_of(checkpoint), f"starting from {checkpoint} (given)")
    previous = config.prorl.get("previous_stage", None)
    if not previous:
        return StartPoint(None, 0, f"starting from {config.actor_rollout_ref.model.path}")
    checkpoints_dir = (Path(config.prorl.runs_root) / previous / "checkpoints").resolve()
    found = latest_checkpoint(checkpoints_dir)
    if found is None:
        return StartPoint(
            None,
            -1,
            f"{config.prorl.stage} starts from {previous}'s final checkpoint, but none was found: "
            f"{checkpoints_dir / LATEST_FILE} does not exist. Run `make {previous}` first, or pass "
            f"--init-from <.../global_step_N> (make {config.prorl.stage} ARGS='--init-from ...').",
        )
    return StartPoint(found[0], found[1], f"starting from {previous}'s final checkpoint {found[0]}")


def apply_start(config: DictConfig, start: StartPoint) -> None:
    own = Path(config.trainer.default_local_dir).resolve()
    with open_dict(config):
        if start.checkpoint is not None:
            config.trainer.resume_mode = "resume_path"
            config.trainer.resume_from_path = str(start.checkpoint)
            if start.checkpoint.resolve().parent != own:  # from another stage, not a resume
                config.prorl.starts_from_checkpoint = str(start.checkpoint)
        if start.step >= 0 and config.trainer.total_training_steps is None:
            config.trainer.total_training_steps = start.step + int(config.prorl.stage_steps)


def compose_stage(stage: str, overrides: list[str]) -> DictConfig:
    if not (RECIPES_DIR / f"{stage}.yaml").exists():
        known = sorted(p.stem for p in RECIPES_DIR.glob("*.yaml"))
        raise SystemExit(f"no recipe {stage!r} in {RECIPES_DIR}; known: {', '.join(known)}")
    with (
        collecting_less_often(),
        initialize_config_dir(config_dir=str(RECIPES_DIR), version_base=None),
    ):
        return compose(config_name=stage, overrides=overrides)


def validate(config: DictConfig) -> None:
    """verl's own start-up validation of the config (no Ray, no GPU needed)."""
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    validate_config(
        config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config)
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m prorl_verl.launch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stage", help="recipe name: stage1 ... stage8, demo_stage1, ...")
    parser.add_argument(
        "overrides", nargs="*", help="Hydra overrides, e.g. actor_rollout_ref.rollout.n=8"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the resolved config and exit")
    parser.add_argument(
        "--init-from", help="start from this verl global_step_N checkpoint directory"
    )
    return parser.parse_intermixed_args(argv)


def _stop_on_sigterm(signum, frame):
    # Until Ray starts: SystemExit unwinds through verl's run_ppo. Once verl's ray.init has
    # started the cluster, Ray's own SIGTERM handler replaces this one: it stops Ray's
    # processes and exits with status 1.
    raise SystemExit(128 + signum)


def train(config: DictConfig) -> None:
    """verl's trainer; Ray is shut down however this ends (error, Ctrl-C, SIGTERM)."""
    from prorl_verl.main import run

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Ctrl-C interrupts even a launch started in the background by a non-interactive shell,
    # which would otherwise inherit SIGINT ignored (and train on to the end)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run(config)
    finally:
        import ray

        if ray.is_initialized():
            ray.shutdown()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = compose_stage(args.stage, args.overrides)
    start = resolve_start(config, args.init_from)
    apply_start(config, start)
    if args.dry_run:
        validate(config)
        print(f"# {start.note}")
        print(OmegaConf.to_yaml(config, resolve=True))
        return 0
    print(f"prorl: {start.note}", flush=True)
    if start.step < 0:
        return 2
    problems = preflight_problems(config)
    if problems:
        print(f"prorl: {args.stage} cannot start:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    conversion = convert_for_world_size(config, start.checkpoint, start.step)
    if conversion:
        print(f"prorl: {conversion}", flush=True)
    record = Path(config.prorl.run_dir) / STAGE_START_FILE
    if not record.exists():
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"step": start.step, "from": str(start.checkpoint or "")}))
    train(config)
    return 0


def _exit_status(error: BaseException) -> int:
    """The status Python would exit with on ``error``, after printing what it would print."""
    if isinstance(error, SystemExit):
        if error.code is None or isinstance(error.code, int):
            return error.code or 0
        print(error.code, file=sys.stderr)
        return 1
    traceback.print_exception(error)
    return 128 + signal.SIGINT if isinstance(error, KeyboardInterrupt) else 1


def cli() -> int:
    """:func:`main` as a command; a CPU run's process then ends without Python's teardown."""
    # a fatal error in native code (Ray's core worker, torch) prints every thread's Python
    # stack before the process dies, so the log says where it was
    faulthandler.enable()
    try:
        status = main()
    except BaseException as error:
        if not cpu_mode_active():
            raise
        status = _exit_status(error)
    if cpu_mode_active():
        exit_without_teardown(status)
    return status


if __name__ == "__main__":
    sys.exit(cli())
