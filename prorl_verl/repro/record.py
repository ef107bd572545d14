"""A study's record: the small part of its results the report needs, kept in a folder of
plain text that can be carried to another machine (or committed) and picked up there.

A full study trains for hours; its checkpoints are large and tied to the machine that made
them. What the report reads is small: each run's training metrics and each evaluated model's
per-prompt (samples, correct) counts. ``save`` copies those of every finished run and every
finished evaluation into the record; ``restore`` copies them back into a study folder that
lacks them, so the driver counts those units as done and continues with the rest. A run
counts as finished once its evaluation is done (its last training unit comes before it).

Layout of a record folder::

    study.json                      the study's Hydra overrides and base model's hash (must match)
    base/                           the base model every run started from (Hugging Face folder)
    metrics/<run>.jsonl             {"step": s, "data": {...}} per step, the keys in KEPT_METRICS
    scores/<model>/<eval set>.csv   prorl_verl.eval's per-prompt scores
    done/<evaluation unit>.json     the driver's marker of a finished evaluation
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.repro.driver import eval_marker
from prorl_verl.repro.plan import EvalUnit, Study, units

#: metric keys (exact, or a prefix ending in "/") a record keeps of every step: what the
#: report and figures read, and the step's timing
KEPT_METRICS = (
    "actor/",
    "critic/score/mean",
    "response_length/mean",
    "prorl/",
    "val-core/",
    "timing_s/step",
    "timing_s/gen",
    "training/global_step",
)

#: the record's copy of the base model: a study continued elsewhere trains from the same
#: weights (the warm-up that builds the tiny base need not give the same bits on another CPU)
BASE_DIR = "base"

#: the file a restored run's metrics are written to: read_run_metrics reads launch-*.jsonl in
#: name order, so the record's steps come after (and win over) a local launch-NNN.jsonl
RESTORED_METRICS = "launch-restored.jsonl"


def kept(key: str) -> bool:
    return any(key.startswith(p) if p.endswith("/") else key == p for p in KEPT_METRICS)


def _finished_evaluations(study: Study, study_root: Path) -> list[EvalUnit]:
    return [
        unit
        for unit in units(study)
        if isinstance(unit, EvalUnit) and eval_marker(study_root, unit.name).exists()
    ]


def base_model_sha256(model_dir: Path) -> str:
    """Content hash of a model's weight files: runs from different bases must not be mixed."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.glob("*.safetensors")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def check_identity(folder: Path, identity: dict, name: str) -> dict:
    """``folder/study.json`` merged with ``identity``; a value both have must be equal.

    ``name`` says in the error what ``folder`` is ("the record", "this study folder")."""
    path = folder / "study.json"
    before = json.loads(path.read_text()) if path.exists() else {}
    for key, value in identity.items():
        if value is not None and key in before and before[key] != value:
            raise SystemExit(
                f"{path}: {name} was made with {key} {before[key]}, this study has {value}; "
                f"use the same, or another {'--record' if name == 'the record' else '--run-dir'}"
            )
    return {**before, **{k: v for k, v in identity.items() if v is not None}}


def recorded_base(record: Path) -> Path | None:
    """The base model a record's runs started from, if the record carries it."""
    base = record / BASE_DIR
    return base if (base / "model.safetensors").exists() else None


def _copy_if_missing(source: Path, target: Path) -> bool:
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, partial)
    partial.rename(target)
    return True


def _write_text(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(text)
    partial.rename(target)


def save(
    study: Study, study_root: Path, record: Path, identity: dict, base: Path | None = None
) -> list[str]:
    """Copy every finished evaluation (and, for a run's own evaluation, the run's metrics)
    from ``study_root`` into ``record``, and the ``base`` model once; returns the names of
    the units added.

    ``identity`` is what must match between the machines: ``{"overrides": [...],
    "base_model_sha256": ...}`` (a value of None is not checked, e.g. a report drawn where
    the base model is not at hand)."""
    merged = check_identity(record, identity, "the record")
    _write_text(record / "study.json", json.dumps(merged, indent=1, sort_keys=True) + "\n")
    if base is not None and not (record / BASE_DIR).exists():
        partial = record / f"{BASE_DIR}.tmp"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(base, partial)
        partial.rename(record / BASE_DIR)
    added = []
    for unit in _finished_evaluations(study, study_root):
        if (record / "done" / f"{unit.name}.json").exists():
            continue
        for model, _run, _step in unit.models:
            for scores in sorted((study_root / "eval" / "scores" / model).glob("*.csv")):
                _copy_if_missing(scores, record / "scores" / model / scores.name)
        runs = {run for _model, run, _step in unit.models if run}
        for run in sorted(runs):
            lines = []
            for step, metrics in sorted(read_run_metrics(study_root / run).items()):
                data = {key: value for key, value in metrics.items() if kept(key)}
                lines.append(json.dumps({"step": step, "data": data}, sort_keys=True))
            _write_text(record / "metrics" / f"{run}.jsonl", "\n".join(lines) + "\n")
        # the marker last: a record interrupted mid-copy holds no half unit
        _copy_if_missing(eval_marker(study_root, unit.name), record / "done" / f"{unit.name}.json")
        added.append(unit.name)
    return added


def restore(study: Study, study_root: Path, record: Path, identity: dict) -> list[str]:
    """Copy into ``study_root`` every finished unit of ``record`` it lacks; returns their names."""
    if not record.is_dir():
        return []
    check_identity(record, identity, "the record")
    restored = []
    for unit in units(study):
        if not isinstance(unit, EvalUnit):
            continue
        marker = record / "done" / f"{unit.name}.json"
        if not marker.exists() or eval_marker(study_root, unit.name).exists():
            continue
        for model, _run, _step in unit.models:
            for scores in sorted((record / "scores" / model).glob("*.csv")):
                _copy_if_missing(scores, study_root / "eval" / "scores" / model / scores.name)
        for run in sorted({run for _model, run, _step in unit.models if run}):
            metrics = study_root / run / "metrics" / RESTORED_METRICS
            _copy_if_missing(record / "metrics" / f"{run}.jsonl", metrics)
        _copy_if_missing(marker, eval_marker(study_root, unit.name))
        restored.append(unit.name)
    return restored
