"""``python -m prorl_verl.repro [--full] [--max-minutes M] [key=value ...]`` (``make repro``).

Trains every arm and seed of the study through prorl_verl.launch (recipes/repro_<arm>.yaml),
evaluates the checkpoints with prorl_verl.eval, and writes the report (results.md and
repro_*.png) under <run-dir>/<quick|full>/report. Each step is skipped when already done,
so the same command continues an interrupted study. key=value arguments are Hydra overrides
given to every training run.
"""

import argparse
import json
import sys
import time
from contextlib import nullcontext
from pathlib import Path

from prorl_verl.directory_lock import DirectoryInUse, exclusive
from prorl_verl.repro.plan import FULL, QUICK, STUDIES, Study, units

#: the tiny base the documented studies started from, committed with the full study's record:
#: the warm-up that builds it repeats on one machine but not across machines
COMMITTED_BASE = Path(__file__).resolve().parents[2] / "docs" / "repro_full_record" / "base"
BUILD = "build"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m prorl_verl.repro",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help=f"the full study: {len(FULL.arms)} arms x {len(FULL.seeds)} seeds x {FULL.steps} "
        f"steps (about {FULL.estimated_minutes() / 60:.0f} h of training on 2 cores); default: "
        f"the quick one, {len(QUICK.arms)} arms x {len(QUICK.seeds)} seed x {QUICK.steps} steps",
    )
    parser.add_argument(
        "--run-dir", default="runs/repro", help="where studies write (default runs/repro)"
    )
    parser.add_argument(
        "--base-model",
        default=None,
        metavar=f"DIR|{BUILD}",
        help="the model every run starts from: a Hugging Face model folder, or 'build' to "
        "build the tiny base on this machine (about 7 min, kept in --tiny-cache). Default: "
        "the base in --record if it has one, else the committed base the documented studies "
        f"started from ({COMMITTED_BASE.relative_to(COMMITTED_BASE.parents[2])})",
    )
    parser.add_argument(
        "--tiny-cache",
        default="runs/tiny",
        help="where --base-model build keeps the tiny model (default runs/tiny)",
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="start no new unit of work after this many minutes; rerun to continue",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="only redraw the report from what exists"
    )
    parser.add_argument(
        "--report-dir", default=None, help="write the report here (default <study>/report)"
    )
    parser.add_argument(
        "--record",
        default=None,
        metavar="DIR",
        help="keep the study's record in DIR: finished runs' metrics and evaluations' scores "
        "(small text, no checkpoints) and the base model the runs start from. The study first "
        "takes from DIR what it lacks and trains from DIR's base, and adds each evaluation to "
        "DIR as it finishes, so it can continue on another machine from DIR",
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every training run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    study = STUDIES["full" if args.full else "quick"]
    study_root = (Path(args.run_dir) / study.name).resolve()
    # a report can be drawn while the study runs; training and evaluating cannot run twice
    holding = nullcontext() if args.report_only else exclusive(study_root, "make repro")
    try:
        with holding:
            return run_study(args, study, study_root)
    except DirectoryInUse as error:
        raise SystemExit(f"error: {error}") from None


def base_model(args: argparse.Namespace, recorded: Path | None) -> Path:
    """The model the study's runs start from (see ``--base-model``)."""
    from prorl_verl.repro.record import base_model_sha256
    from prorl_verl.tiny.cache import ensure_tiny_model

    if recorded is not None:
        if args.base_model is not None and (
            args.base_model == BUILD
            or base_model_sha256(Path(args.base_model)) != base_model_sha256(recorded)
        ):
            raise SystemExit(
                f"error: --record {args.record} holds runs that started from its own base "
                f"{recorded}; --base-model {args.base_model} is another model (leave out "
                "--base-model, or use another --record)"
            )
        return recorded.resolve()
    if args.base_model == BUILD:
        return ensure_tiny_model(Path(args.tiny_cache), warmup=True).resolve()
    model = Path(args.base_model) if args.base_model is not None else COMMITTED_BASE
    if not (model / "model.safetensors").is_file():
        raise SystemExit(
            f"error: --base-model {model}: no model.safetensors there; give a Hugging Face "
            f"model folder, or --base-model {BUILD} to build the tiny base on this machine"
        )
    return model.resolve()


def run_study(args: argparse.Namespace, study: Study, study_root: Path) -> int:
    # imported once the options are read: torch, Ray, verl and matplotlib take seconds
    from prorl_verl.repro.data import write_data
    from prorl_verl.repro.driver import is_done, run_units
    from prorl_verl.repro.figures import plot_all
    from prorl_verl.repro.record import (
        base_model_sha256,
        check_identity,
        recorded_base,
        restore,
        save,
    )
    from prorl_verl.repro.report import collect, write_report

    started = time.time()
    finished = True
    record = Path(args.record) if args.record else None
    identity = {"overrides": args.overrides, "base_model_sha256": None}
    model = None
    if not args.report_only:
        model = base_model(args, recorded_base(record) if record is not None else None)
        print(f"repro {study.name}: every run starts from {model}", flush=True)
        identity["base_model_sha256"] = base_model_sha256(model)
    # a study continues only with the overrides and the base it started with
    study_root.mkdir(parents=True, exist_ok=True)
    merged = check_identity(study_root, identity, "this study folder")
    (study_root / "study.json").write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")

    def save_record() -> None:
        if record is not None:
            for name in save(study, study_root, record, identity, base=model):
                print(f"record {record}: added {name}", flush=True)

    if record is not None:
        for name in restore(study, study_root, record, identity):
            print(f"record {record}: restored {name}", flush=True)
    if not args.report_only:
        left = [unit for unit in units(study) if not is_done(study_root, unit)]
        print(
            f"repro {study.name}: {len(left)} of {len(units(study))} units left, estimated at "
            f"{sum(study.unit_minutes(unit) for unit in left):.0f} min on 2 idle cores; "
            f"writing {study_root}",
            flush=True,
        )
        write_data(study_root / "data", study.eval_prompts)
        finished = run_units(
            study, study_root, model, args.overrides, args.max_minutes, save_record
        )
    save_record()
    report_dir = Path(args.report_dir) if args.report_dir else study_root / "report"
    results = collect(study, study_root, args.overrides)
    report = write_report(results, report_dir)
    figures = plot_all(results, report_dir)
    if not args.report_only:
        state = "finished" if finished else "stopped (run again to continue)"
        print(f"\nrepro {study.name} {state} after {(time.time() - started) / 60:.1f} min")
    print(f"report: {report}")
    for figure in figures:
        print(f"figure: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
