"""A study's record: what it keeps, and a fresh machine continuing a study from it."""

import json
import subprocess
from pathlib import Path

import pytest

from prorl_verl.repro import driver, record
from prorl_verl.repro import results as R
from prorl_verl.repro.plan import Study, TrainUnit
from prorl_verl.repro.report import collect

SETS = ("chain_sum_easy", "chain_sum_hard", "chain_sum_ood")
STUDY = Study(
    "t",
    ("kl_reset", "no_kl"),
    (1,),
    steps=20,
    save_every=10,
    segment_steps=10,
    prolonged_arm="kl_reset",
    eval_samples=4,
    eval_prompts=2,
)


def identity(overrides=(), base="b" * 64):
    return {"overrides": list(overrides), "base_model_sha256": base}


def finish_evaluation(root, name):
    marker = driver.eval_marker(root, name)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("{}")


def step_metrics(step):
    return {
        R.REWARD: step / 100,
        R.KL: 0.01,
        R.PG_LOSS: -0.2,
        "timing_s/step": 3.0,
        "perf/max_memory_allocated_gb": 1.0,  # not kept
        "timing_s/update_actor": 1.5,  # not kept
    }


@pytest.fixture
def machine_a(tmp_path, write_metrics, write_scores):
    """A study that finished the base evaluation and the kl_reset run; no_kl half trained."""
    root = tmp_path / "a"
    eval_dir = root / "eval"
    for name in SETS:
        write_scores(eval_dir, "base", name, [(4, 0), (4, 2)])
        write_scores(eval_dir, "kl_reset-s1@10", name, [(4, 1), (4, 2)])
        write_scores(eval_dir, "kl_reset-s1@20", name, [(4, 2), (4, 4)])
    finish_evaluation(root, "base")
    write_metrics(root / "kl_reset-s1", {s: step_metrics(s) for s in range(1, 21)})
    finish_evaluation(root, "kl_reset-s1")
    write_metrics(root / "no_kl-s1", {s: step_metrics(s) for s in range(1, 11)})
    return root


def test_record_keeps_finished_units_only_and_the_reports_metrics(machine_a, tmp_path):
    rec = tmp_path / "record"
    assert record.save(STUDY, machine_a, rec, identity(["x=1"])) == ["base", "kl_reset-s1"]
    assert json.loads((rec / "study.json").read_text()) == identity(["x=1"])
    assert sorted(p.name for p in (rec / "done").iterdir()) == ["base.json", "kl_reset-s1.json"]
    # the unfinished run leaves nothing: its curves would describe a run that has no evaluation
    assert not (rec / "metrics" / "no_kl-s1.jsonl").exists()
    lines = (rec / "metrics" / "kl_reset-s1.jsonl").read_text().splitlines()
    assert len(lines) == 20
    first = json.loads(lines[0])
    assert first["step"] == 1
    assert set(first["data"]) == {R.REWARD, R.KL, R.PG_LOSS, "timing_s/step"}
    assert sorted(p.name for p in (rec / "scores").iterdir()) == [
        "base",
        "kl_reset-s1@10",
        "kl_reset-s1@20",
    ]
    # saving again adds nothing
    assert record.save(STUDY, machine_a, rec, identity(["x=1"])) == []


def test_a_fresh_machine_continues_from_the_record(machine_a, tmp_path, monkeypatch):
    rec = tmp_path / "record"
    record.save(STUDY, machine_a, rec, identity())
    fresh = tmp_path / "b"
    assert record.restore(STUDY, fresh, rec, identity()) == ["base", "kl_reset-s1"]

    # the report reads the same numbers on both machines
    before, after = collect(STUDY, machine_a, []), collect(STUDY, fresh, [])
    assert after.passk == before.passk
    assert after.passk["kl_reset-s1@20"]["chain_sum_hard"][1] == pytest.approx(0.75)
    assert after.curves["kl_reset-s1"][20][R.REWARD] == pytest.approx(0.20)
    # KL share 0.3 * 0.01 / (0.2 + 0.003), from the kept loss terms
    assert after.curves["kl_reset-s1"][5][R.KL_SHARE] == pytest.approx(0.003 / 0.203)

    # the driver trains only what the record lacks: the no_kl run, from step 0
    launched = []
    monkeypatch.setattr(subprocess, "run", lambda command, check: launched.append(command))
    with pytest.raises(RuntimeError, match="without a checkpoint at step 10"):
        driver.run_units(STUDY, fresh, tmp_path / "model", [])
    assert len(launched) == 1
    assert "trainer.experiment_name=no_kl-s1" in launched[0]
    assert driver.is_done(fresh, TrainUnit("kl_reset", 1, 20))


def test_restore_adds_nothing_twice_and_never_overwrites(machine_a, tmp_path):
    rec = tmp_path / "record"
    record.save(STUDY, machine_a, rec, identity())
    assert record.restore(STUDY, machine_a, rec, identity()) == []
    fresh = tmp_path / "b"
    record.restore(STUDY, fresh, rec, identity())
    assert record.restore(STUDY, fresh, rec, identity()) == []


def test_a_missing_record_restores_nothing(tmp_path):
    assert record.restore(STUDY, tmp_path / "b", tmp_path / "no-record", []) == []


def test_a_record_refuses_a_study_with_other_overrides(machine_a, tmp_path):
    rec = tmp_path / "record"
    record.save(STUDY, machine_a, rec, identity(["actor_rollout_ref.actor.kl_loss_coef=0.1"]))
    with pytest.raises(SystemExit, match="kl_loss_coef=0.1"):
        record.restore(STUDY, tmp_path / "b", rec, identity())
    with pytest.raises(SystemExit, match="kl_loss_coef=0.1"):
        record.save(STUDY, machine_a, rec, identity())


def test_an_interrupted_save_is_not_restored(machine_a, tmp_path):
    rec = tmp_path / "record"
    record.save(STUDY, machine_a, rec, identity())
    # a copy cut short before its marker: the unit is not in the record
    (rec / "done" / "kl_reset-s1.json").unlink()
    assert record.restore(STUDY, tmp_path / "b", rec, identity()) == ["base"]
    assert not driver.is_done(tmp_path / "b", TrainUnit("kl_reset", 1, 10))


def test_a_record_refuses_runs_from_another_base_model(machine_a, tmp_path):
    rec = tmp_path / "record"
    record.save(STUDY, machine_a, rec, identity(base="a" * 64))
    with pytest.raises(SystemExit, match="base_model_sha256"):
        record.restore(STUDY, tmp_path / "b", rec, identity(base="c" * 64))
    # a report drawn without the base model built checks the overrides only
    assert record.restore(STUDY, tmp_path / "b", rec, identity(base=None)) == [
        "base",
        "kl_reset-s1",
    ]
    record.save(STUDY, machine_a, rec, identity(base=None))
    assert json.loads((rec / "study.json").read_text())["base_model_sha256"] == "a" * 64


def test_base_model_hash_reads_the_weights(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    (tmp_path / "config.json").write_text("{}")
    # `printf weights | sha256sum`
    assert record.base_model_sha256(tmp_path) == (
        "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c"
    )


def test_make_repro_carries_a_study_to_another_machine(tmp_path, write_metrics, write_scores):
    """``--record`` on the command line: the report drawn on machine b from a's record."""
    from prorl_verl.repro.__main__ import main

    a = tmp_path / "a" / "quick"
    for name in SETS:
        write_scores(a / "eval", "base", name, [(32, 8), (32, 0)])  # pass@1 0.125
        write_scores(a / "eval", "kl_reset-s1@20", name, [(32, 16), (32, 0)])
        write_scores(a / "eval", "kl_reset-s1@40", name, [(32, 24), (32, 8)])  # pass@1 0.5
    finish_evaluation(a, "base")
    write_metrics(a / "kl_reset-s1", {s: step_metrics(s) for s in range(1, 41)})
    finish_evaluation(a, "kl_reset-s1")
    rec = tmp_path / "record"
    main(["--run-dir", str(tmp_path / "a"), "--record", str(rec), "--report-only"])
    assert (rec / "done" / "kl_reset-s1.json").exists()

    main(["--run-dir", str(tmp_path / "b"), "--record", str(rec), "--report-only"])
    report = (tmp_path / "b" / "quick" / "report" / "results.md").read_text()
    assert "Runs finished: 1 of 3" in report
    assert "| hard | 1 | 0.125 | 0.500 |" in report


def base_folder(path, weights: bytes):
    path.mkdir(parents=True)
    (path / "model.safetensors").write_bytes(weights)
    (path / "config.json").write_text("{}")
    return path


def test_the_record_carries_the_base_model_once(machine_a, tmp_path):
    rec = tmp_path / "record"
    assert record.recorded_base(rec) is None
    record.save(STUDY, machine_a, rec, identity(), base=base_folder(tmp_path / "m1", b"one"))
    assert record.recorded_base(rec) == rec / "base"
    assert (rec / "base" / "model.safetensors").read_bytes() == b"one"
    assert (rec / "base" / "config.json").exists()
    record.save(STUDY, machine_a, rec, identity(), base=base_folder(tmp_path / "m2", b"two"))
    assert (rec / "base" / "model.safetensors").read_bytes() == b"one"


@pytest.fixture
def no_training(monkeypatch):
    """The driver's heavy parts replaced: what model would the study have trained?"""
    from prorl_verl.repro import data
    from prorl_verl.tiny import cache

    trained_from = []
    monkeypatch.setattr(
        cache, "ensure_tiny_model", lambda *a, **k: pytest.fail("the record's base is there")
    )
    monkeypatch.setattr(data, "write_data", lambda *a, **k: None)
    monkeypatch.setattr(
        driver, "run_units", lambda study, root, model, *a: trained_from.append(model) or True
    )
    return trained_from


def test_a_fresh_machine_trains_from_the_records_base(machine_a, tmp_path, no_training):
    from prorl_verl.repro.__main__ import main

    rec = tmp_path / "record"
    base = base_folder(tmp_path / "m1", b"one")
    record.save(STUDY, machine_a, rec, identity([], record.base_model_sha256(base)), base=base)
    main(["--run-dir", str(tmp_path / "b"), "--record", str(rec)])
    assert no_training == [(rec / "base").resolve()]
    study = json.loads((tmp_path / "b" / "quick" / "study.json").read_text())
    assert study["base_model_sha256"] == record.base_model_sha256(base)


def test_a_study_folder_refuses_a_base_it_did_not_start_from(machine_a, tmp_path, no_training):
    from prorl_verl.repro.__main__ import main

    folder = tmp_path / "b" / "quick"
    folder.mkdir(parents=True)
    (folder / "study.json").write_text(json.dumps(identity([], "a" * 64)))
    rec = tmp_path / "record"
    record.save(STUDY, machine_a, rec, identity(base=None), base=base_folder(tmp_path / "m", b"x"))
    with pytest.raises(
        SystemExit, match="this study folder was made with base_model_sha256.*--run-dir"
    ):
        main(["--run-dir", str(tmp_path / "b"), "--record", str(rec)])
    assert no_training == []


def test_a_study_folder_refuses_other_overrides(tmp_path):
    from prorl_verl.repro.__main__ import main

    main(["--run-dir", str(tmp_path), "--report-only", "data.seed=3"])
    with pytest.raises(SystemExit, match=r"overrides \['data.seed=3'\].*--run-dir"):
        main(["--run-dir", str(tmp_path), "--report-only", "data.seed=4"])


def test_a_study_without_a_record_trains_from_the_committed_base(tmp_path, no_training):
    from prorl_verl.repro.__main__ import COMMITTED_BASE, main

    main(["--run-dir", str(tmp_path)])
    assert no_training == [COMMITTED_BASE.resolve()]
    # the base the committed full study's record says its runs started from
    committed = json.loads((COMMITTED_BASE.parent / "study.json").read_text())
    study = json.loads((tmp_path / "quick" / "study.json").read_text())
    assert study["base_model_sha256"] == committed["base_model_sha256"]


def test_base_model_build_builds_the_tiny_base_here(tmp_path, no_training, monkeypatch):
    from prorl_verl.repro.__main__ import main
    from prorl_verl.tiny import cache

    built = base_folder(tmp_path / "cache" / "tiny-qwen2-base", b"built")
    asked = []
    monkeypatch.setattr(
        cache, "ensure_tiny_model", lambda root, warmup: asked.append((root, warmup)) or built
    )
    main(["--run-dir", str(tmp_path / "runs"), "--base-model", "build", "--tiny-cache", "c"])
    assert asked == [(Path("c"), True)]
    assert no_training == [built.resolve()]


def test_a_base_model_folder_without_weights_is_named(tmp_path, no_training):
    from prorl_verl.repro.__main__ import main

    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit, match=r"--base-model .*empty: no model.safetensors.*build"):
        main(["--run-dir", str(tmp_path / "runs"), "--base-model", str(tmp_path / "empty")])
    assert no_training == []


def test_a_record_with_a_base_refuses_another_base_model(machine_a, tmp_path, no_training):
    from prorl_verl.repro.__main__ import main

    rec = tmp_path / "record"
    record.save(STUDY, machine_a, rec, identity(base=None), base=base_folder(tmp_path / "m", b"x"))
    other = base_folder(tmp_path / "other", b"y")
    same = base_folder(tmp_path / "same", b"x")
    for refused in (other, "build"):
        with pytest.raises(SystemExit, match=r"--record .*its own base.*--base-model"):
            main(
                [
                    "--run-dir",
                    str(tmp_path / "b"),
                    "--record",
                    str(rec),
                    "--base-model",
                    str(refused),
                ]
            )
    assert no_training == []
    main(["--run-dir", str(tmp_path / "b"), "--record", str(rec), "--base-model", str(same)])
    assert no_training == [(rec / "base").resolve()]
