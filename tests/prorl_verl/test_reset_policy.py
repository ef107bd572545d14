"""ResetPolicy triggers on each condition, with hand-made metric sequences."""

import pytest

from prorl_verl.reset.policy import ResetConfig, ResetPolicy


def policy(**config) -> ResetPolicy:
    return ResetPolicy(ResetConfig(**config))


def resets_over(p: ResetPolicy, steps, validations=None, kls=None) -> list[tuple[int, str]]:
    """Drive the policy like the trainer: decide at step start, observe after the step."""
    done = []
    for step in steps:
        reason = p.reason_to_reset(step)
        if reason:
            p.record_reset(step, reason)
            done.append((step, reason))
        if kls and step in kls:
            p.observe_step_metrics(step, {"actor/kl_loss": kls[step]})
        if validations and step in validations:
            p.observe_validation(step, {"val/acc": validations[step]})
    return done


def test_nothing_configured_never_resets():
    assert resets_over(policy(), range(1, 100)) == []


def test_listed_steps():
    assert resets_over(policy(at_steps=[7, 3]), range(1, 10)) == [
        (3, "at_step:3"),
        (7, "at_step:7"),
    ]


def test_every_n_steps():
    assert [s for s, _ in resets_over(policy(every_n_steps=4), range(1, 13))] == [4, 8, 12]


def test_stage_start_once_even_after_resume():
    p = policy(at_stage_start=True, stage="stage2")
    assert resets_over(p, [101, 102]) == [(101, "stage_start:stage2")]
    resumed = ResetPolicy(ResetConfig(at_stage_start=True, stage="stage2"))
    resumed.load_state_dict(p.state_dict())
    assert resets_over(resumed, [150, 151]) == []
    # the next stage, resumed from this one's state, resets at its own start
    next_stage = ResetPolicy(ResetConfig(at_stage_start=True, stage="stage3"))
    next_stage.load_state_dict(p.state_dict())
    assert resets_over(next_stage, [201]) == [(201, "stage_start:stage3")]


def test_plateau_after_patience_validations_without_a_new_best():
    p = policy(val_metric="val/acc", patience=2)
    # best 0.5 at step 2; 0.5 (not better) at 4, 0.45 at 6 -> 2 without improvement -> reset at 7
    done = resets_over(p, range(1, 12), validations={2: 0.5, 4: 0.5, 6: 0.45, 8: 0.6, 10: 0.6})
    assert [s for s, _ in done] == [7]
    assert done[0][1].startswith("val_plateau")


def test_degradation_by_more_than_max_drop():
    p = policy(val_metric="val/acc", max_drop=0.1)
    done = resets_over(p, range(1, 9), validations={2: 0.6, 4: 0.55, 6: 0.49})
    # 0.55 is within 0.1 of the best 0.6; 0.49 is 0.11 below it -> reset at the next step
    assert [s for s, _ in done] == [7]
    assert done[0][1].startswith("val_degraded")


def test_min_mode_watches_a_loss():
    p = policy(val_metric="val/acc", val_mode="min", max_drop=0.5)
    done = resets_over(p, range(1, 6), validations={1: 2.0, 2: 1.0, 3: 1.6})
    assert [s for s, _ in done] == [4]


def test_kl_threshold():
    p = policy(kl_threshold=0.05)
    done = resets_over(p, range(1, 6), kls={1: 0.01, 2: 0.049, 3: 0.08})
    assert done == [(4, "kl:0.08>0.05")]


def test_min_gap_holds_a_trigger_until_the_gap_has_passed():
    p = policy(at_steps=[10], kl_threshold=0.05, min_gap_steps=5)
    done = resets_over(p, range(1, 20), kls={11: 0.1})
    # KL fires after step 11, but the last reset was at 10: it waits until step 15
    assert [s for s, _ in done] == [10, 15]


def test_combined_reasons_are_reported_together():
    p = policy(at_steps=[6], every_n_steps=3)
    assert resets_over(p, [6]) == [(6, "at_step:6+every_3_steps")]


def test_state_round_trip_decides_like_the_original():
    config = dict(val_metric="val/acc", patience=3, max_drop=0.2, kl_threshold=1.0)
    original = policy(**config)
    resets_over(original, range(1, 6), validations={2: 0.5, 4: 0.4})
    copy = policy(**config)
    copy.load_state_dict(original.state_dict())
    later = {6: 0.45, 8: 0.2}
    assert resets_over(copy, range(6, 10), validations=later) == resets_over(
        original, range(6, 10), validations=later
    )


def test_unknown_val_metric_is_a_clear_error():
    p = policy(val_metric="val/missing", patience=1)
    with pytest.raises(KeyError, match="val/missing"):
        p.observe_validation(1, {"val/acc": 1.0})


@pytest.mark.parametrize(
    "bad",
    [{"val_mode": "up"}, {"patience": 2}, {"every_n_steps": -1}],
)
def test_bad_config_is_rejected(bad):
    with pytest.raises(ValueError):
        ResetConfig(**bad)


def test_unknown_key_is_rejected():
    with pytest.raises(ValueError, match="evry_n_steps"):
        ResetConfig.from_mapping({"evry_n_steps": 3})
