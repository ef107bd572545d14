"""The report of a (partial) study: tables and verdicts from files shaped like real runs."""

from dataclasses import replace

from prorl_verl.repro import results as R
from prorl_verl.repro.figures import plot_all
from prorl_verl.repro.plan import Study
from prorl_verl.repro.report import _fmt, _fmt_count, collect, write_report

SETS = ("chain_sum_easy", "chain_sum_hard", "chain_sum_ood")
STUDY = Study(
    "t",
    ("no_kl", "kl_reset"),
    (1, 2),
    steps=20,
    save_every=10,
    segment_steps=20,
    prolonged_arm="kl_reset",
    eval_samples=4,
    eval_prompts=2,
)


def curves(reward: float, kl: float, reset_at: int | None = None) -> dict[int, dict]:
    steps = {}
    for step in range(1, 21):
        steps[step] = {
            R.REWARD: reward,
            R.PG_LOSS: -0.1,
            R.KL: kl,
            R.ENTROPY: 0.5,
            R.CLIP_FRACTION: 0.01,
            "timing_s/step": 1.0,
        }
        if step == reset_at:
            steps[step][R.RESET] = 1.0
    steps[20][R.VAL_ACC] = reward
    return steps


def test_partial_study_reports_what_it_rests_on(tmp_path, write_metrics, write_scores):
    root = tmp_path / "study"
    # seed 1 of both arms trained; seed 2 not started
    write_metrics(root / "no_kl-s1", curves(0.4, 0.0))
    write_metrics(root / "kl_reset-s1", curves(0.5, 0.02, reset_at=11))
    eval_dir = root / "eval"
    for name in SETS:  # each pair of prompts five times over: strata of 5 prompts or more
        write_scores(eval_dir, "base", name, [(4, 0), (4, 2)] * 5)  # pass@1 .25, pass@4 .5
        write_scores(eval_dir, "kl_reset-s1@10", name, [(4, 1), (4, 2)] * 5)
        write_scores(eval_dir, "kl_reset-s1@20", name, [(4, 2), (4, 4)] * 5)  # .75; pass@4 1
        write_scores(eval_dir, "no_kl-s1@20", name, [(4, 1), (4, 3)] * 5)  # pass@1 .5
    results = collect(STUDY, root, [])
    assert results.kl_coefs == {"no_kl": 0.0, "kl_reset": 0.3}
    text = write_report(results, tmp_path / "report").read_text()

    assert "Runs finished: 2 of 4" in text
    # boundary: base .250 -> trained .750 at k=1, .500 -> 1.000 at k=4, one seed: no claim
    assert "| hard | 1 | 0.250 | 0.750 | 0.500 | not shown at this scale (1 seed(s)" in text
    assert "| hard | 4 | 0.500 | 1.000 | 0.500 |" in text
    # prompt by prompt, halves of 2 samples. A base prompt with 0 of 4 is always "never"; one
    # with 2 of 4 has 0, 1, 2 correct in its half with chances 1/6, 4/6, 1/6 and then 2, 1, 0
    # in the held-out half. "never" holds 5 × (1 + 1/6) prompts: base pass@1 (1/6) / (7/6),
    # trained (2 of 4, then 4 of 4) pass@1 (1/2 + 1/6) / (7/6) = 4/7, pass@2 (5/6 + 1/6) / (7/6)
    assert "| hard | never | 5.8 | 0.143 | 0.571 | 0.143 | 0.857 | 0.714 | not shown" in text
    # 5 × 4/6 and 5 × 1/6 prompts: too few to table, named instead
    assert "| hard | 1/4 to 3/4 |" not in text and "| hard | 3/4 or more |" not in text
    assert "hard 1/4 to 3/4 (3.3), hard 3/4 or more (0.8)" in text
    assert "under 1/4 (" not in text  # no prompt can land there: not worth a mention
    # every arm, pass@2: no KL (1 of 4, then 3 of 4) (1/2 + 1/6) / (7/6) - 1/7 = 3/7
    assert "| hard | never | 0.429 | 0.714 |" in text
    # prolonged: base, step 10 (pass@1 .375), step 20
    assert "| hard | 1 | 0.250 | 0.375 | 0.750 |" in text
    # arms: the KL share is 0.3 * 0.02 / (0.1 + 0.006); one reset
    share = 0.3 * 0.02 / (0.1 + 0.3 * 0.02)
    assert f"| KL + reset every 20 steps | 0.3 | 1 | 0.500 | 0.500 | 0.020 | {share:.3f} |" in text
    # clip, entropy, no second-half gain (one validation), resets, hard pass@1
    assert "| 0.010 | 0.500 | – | 1 | 0.750 |" in text
    assert "| no KL | 0 | 1 | 0.400 |" in text
    # no KL and KL + reset are not a compared pair (KL - no KL and KL + reset - KL are)
    assert "No compared pair of arms (KL − no KL, KL + reset every 20 steps − KL," in text

    figures = plot_all(results, tmp_path / "report")
    assert [f.name for f in figures] == [
        "repro_passk.png",
        "repro_strata.png",
        "repro_prolonged.png",
        "repro_training.png",
    ]
    assert all(f.stat().st_size > 10_000 for f in figures)


def with_validations(steps: dict[int, dict], accuracies: list[float]) -> dict[int, dict]:
    """``steps`` with validations at steps 5, 10, 15, 20."""
    for step, acc in zip((5, 10, 15, 20), accuracies, strict=True):
        steps[step][R.VAL_ACC] = acc
    return steps


def test_two_seeds_compare_the_second_half_gain_and_every_arms_final_pass_at_k(
    tmp_path, write_metrics, write_scores
):
    study = replace(STUDY, arms=("kl", "kl_reset"))
    root = tmp_path / "study"
    # four validations: the gain is the last one minus the second (quarters of one point)
    write_metrics(root / "kl-s1", with_validations(curves(0.5, 0.02), [0.5, 0.6, 0.6, 0.6]))
    write_metrics(root / "kl-s2", with_validations(curves(0.5, 0.02), [0.4, 0.6, 0.7, 0.6]))
    reset_s1 = with_validations(curves(0.5, 0.02, reset_at=11), [0.5, 0.6, 0.65, 0.7])
    reset_s2 = with_validations(curves(0.5, 0.02, reset_at=11), [0.5, 0.5, 0.6, 0.7])
    for step in range(16, 21):  # the last quarter: entropy 0.6 and 0.7 against KL's 0.5
        reset_s1[step][R.ENTROPY] = 0.6
        reset_s2[step][R.ENTROPY] = 0.7
    write_metrics(root / "kl_reset-s1", reset_s1)
    write_metrics(root / "kl_reset-s2", reset_s2)
    eval_dir = root / "eval"
    for name in SETS:
        write_scores(eval_dir, "base", name, [(4, 0), (4, 2)])  # pass@1 .25, pass@4 .5
        write_scores(eval_dir, "kl-s1@20", name, [(4, 0), (4, 4)])  # pass@1 .5, pass@4 .5
        write_scores(eval_dir, "kl-s2@20", name, [(4, 0), (4, 4)])
        write_scores(eval_dir, "kl_reset-s1@20", name, [(4, 2), (4, 4)])  # .75, 1
        write_scores(eval_dir, "kl_reset-s2@20", name, [(4, 1), (4, 4)])  # .625, 1
    text = write_report(collect(study, root, []), tmp_path / "report").read_text()

    # every arm at step 20: KL .5 on both seeds; KL + reset (.75 + .625) / 2, std .125 / √2
    assert "| bucket | k | base | KL | KL + reset every 20 steps |" in text
    assert "| hard | 1 | 0.250 | 0.500 ± 0.000 | 0.688 ± 0.088 |" in text
    assert "| ood | 4 | 0.500 | 0.500 ± 0.000 | 1.000 ± 0.000 |" in text
    # gains: KL 0.0 and 0.0; KL + reset 0.1 and 0.2 -> difference 0.15 ± 0.1 / √2
    assert "| KL + reset every 20 steps − KL | late entropy | 0.150 ± 0.071 |" in text
    assert "| KL + reset every 20 steps − KL | val acc gain, 2nd half | 0.150 ± 0.071 |" in text
    assert "| KL + reset every 20 steps − KL | hard pass@1 | 0.188 ± 0.088 |" in text
    # arms: KL + reset's gain, one reset on both seeds (a count), final hard pass@1
    assert "| 0.150 ± 0.071 | 1 | 0.688 ± 0.088 |" in text
    assert "| 0.000 ± 0.000 | 0 | 0.500 ± 0.000 |" in text


def test_a_mean_that_rounds_to_zero_prints_without_a_sign():
    assert _fmt(R.Spread.of([-0.0002])) == "0.000"
    assert _fmt(R.Spread.of([-0.0002, -0.0004])) == "0.000 ± 0.000"
    assert _fmt(R.Spread.of([-0.0006])) == "-0.001"


def test_reset_counts_print_as_counts_and_spread_only_when_seeds_differ():
    assert _fmt_count([10.0, 10.0, 10.0]) == "10"
    assert _fmt_count([9.0, 10.0]) == "9.5 ± 0.7"  # std of (9, 10) = 1/√2


def test_empty_study_says_nothing_has_run(tmp_path):
    text = write_report(collect(STUDY, tmp_path, []), tmp_path / "report").read_text()
    assert "Runs finished: 0 of 4" in text
    assert "Not evaluated yet." in text
    assert "No run has finished yet." in text
    assert plot_all(collect(STUDY, tmp_path, []), tmp_path / "report") == []


def test_a_base_evaluated_on_some_buckets_only_reports_what_it_can(
    tmp_path, write_metrics, write_scores
):
    # the evaluation stopped after the base's first bucket; the trained model is complete
    root = tmp_path / "study"
    write_metrics(root / "kl_reset-s1", curves(0.5, 0.02, reset_at=11))
    write_scores(root / "eval", "base", SETS[0], [(4, 0), (4, 2)])
    for name in SETS:
        write_scores(root / "eval", "kl_reset-s1@20", name, [(4, 2), (4, 4)])
    results = collect(STUDY, root, [])
    text = write_report(results, tmp_path / "report").read_text()
    assert "Not evaluated yet." in text
    assert "| KL + reset every 20 steps | 0.3 | 1 | 0.500 |" in text  # the arms still report
    assert [f.name for f in plot_all(results, tmp_path / "report")] == ["repro_training.png"]
