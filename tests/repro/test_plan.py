"""The study's plan: arms, budgets and the order of its units of work."""

import pytest

from prorl_verl.repro.plan import FULL, QUICK, EvalUnit, Study, TrainUnit, units


def test_full_study_has_every_arm_and_three_seeds():
    assert set(FULL.arms) == {"no_kl", "kl", "kl_reset", "kl_plateau"}
    assert len(FULL.seeds) >= 3


def one_run_study(**changes) -> Study:
    """One arm, one seed, 200 steps in launches of 60; ``changes`` override any field."""
    fields = dict(
        name="t",
        arms=("kl",),
        seeds=(1,),
        steps=200,
        save_every=20,
        segment_steps=60,
        prolonged_arm="kl",
        eval_samples=4,
        eval_prompts=4,
    )
    return Study(**{**fields, **changes})


def test_segments_end_at_each_launch_and_at_the_last_step():
    study = one_run_study()
    assert study.segments() == [60, 120, 180, 200]
    assert study.checkpoint_steps() == [20, 40, 60, 80, 100, 120, 140, 160, 180, 200]


def test_units_evaluate_the_base_first_then_train_and_evaluate_each_run():
    study = Study(
        "t",
        ("kl", "kl_reset"),
        (1, 2),
        steps=20,
        save_every=10,
        segment_steps=10,
        prolonged_arm="kl_reset",
        eval_samples=4,
        eval_prompts=4,
    )
    plan = units(study)
    assert plan[0] == EvalUnit("base", (("base", "", 0),))
    # the prolonged arm first: every checkpoint evaluated
    assert plan[1:3] == [TrainUnit("kl_reset", 1, 10), TrainUnit("kl_reset", 1, 20)]
    assert plan[3].models == (
        ("kl_reset-s1@10", "kl_reset-s1", 10),
        ("kl_reset-s1@20", "kl_reset-s1", 20),
    )
    # the other arm: its last checkpoint only
    assert plan[4:6] == [TrainUnit("kl", 1, 10), TrainUnit("kl", 1, 20)]
    assert plan[6].models == (("kl-s1@20", "kl-s1", 20),)
    # seed 1 of every arm comes before seed 2: a stopped study has whole comparisons
    assert [u.seed for u in plan if isinstance(u, TrainUnit)] == [1, 1, 1, 1, 2, 2, 2, 2]
    assert len(plan) == 1 + 2 * 2 * (2 + 1)


def test_estimate_counts_steps_trainer_starts_and_evaluation_samples():
    study = Study(
        "t",
        ("kl", "no_kl"),
        (1, 2, 3),
        steps=100,
        save_every=50,
        segment_steps=50,
        prolonged_arm="kl",
        eval_samples=10,
        eval_prompts=10,
        minutes_per_step=0.2,
        minutes_per_launch=1.0,
        seconds_per_1k_eval_samples=60.0,
    )
    # 6 runs x (100 steps x 0.2 min + 2 launches x 1 min), and 1 base + 3 seeds x (1 final of
    # no_kl + 2 checkpoints of kl) = 10 models x 3 buckets x 100 samples at 1 min per 1000
    assert study.estimated_minutes() == pytest.approx(6 * 22 + 3.0)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"arms": ("kl", "nope")}, "unknown arms"),
        ({"steps": 45}, "multiples of save_every"),
        ({"prolonged_arm": "no_kl"}, "not run"),
        ({"seeds": (1, 1)}, "distinct"),
    ],
)
def test_inconsistent_studies_are_refused(changes, message):
    fields = dict(
        name="t",
        arms=("kl",),
        seeds=(1,),
        steps=40,
        save_every=10,
        segment_steps=20,
        prolonged_arm="kl",
        eval_samples=4,
        eval_prompts=4,
    )
    with pytest.raises(ValueError, match=message):
        Study(**{**fields, **changes})


def test_quick_study_fits_its_half_hour():
    assert QUICK.estimated_minutes() <= 30


def test_each_unit_has_its_share_of_the_estimate():
    study = one_run_study(
        steps=100,
        eval_samples=10,
        eval_prompts=10,
        minutes_per_step=0.2,
        minutes_per_launch=1.0,
        seconds_per_1k_eval_samples=60.0,
    )
    train = [u for u in units(study) if isinstance(u, TrainUnit)]
    # segments to 60 and to 100: 60 and 40 steps, each with a trainer start
    assert [study.unit_minutes(u) for u in train] == pytest.approx([13.0, 9.0])
    # the run's evaluation: 5 checkpoints x 3 buckets x 10 prompts x 10 samples at 1 min / 1000
    assert study.unit_minutes(units(study)[-1]) == pytest.approx(1.5)
