"""The demo's two stages through verl's real trainer on the CPU, stopped in the middle.

An untrained tiny model and a digit-fraction reward (so every group has a signal), one
policy update per step:
- demo_stage1 trains steps 1-2; the reference is the initial model, so step 2's KL > 0;
- demo_stage2 starts from stage 1's final checkpoint with a reference reset: at step 3 the
  reference holds the weights the actor had after step 2 (checked against that checkpoint's
  Hugging Face weights) and the step's KL is exactly 0; the optimizer state is empty;
- stage 2 is stopped with SIGTERM (as a scheduler or ``kill`` stops a job) after its
  checkpoint 4 and step 4's metrics: the launch exits with status 1 (Ray's handler) and
  leaves no Ray process behind; relaunched, the stage resumes itself, restores the reset reference (not
  the initial model verl would rebuild) and does not reset again; it ends at step 5 (a
  SIGKILL in the middle of a stage is ``make chain``'s);
- the demo's figure and its before/after evaluation are produced from these runs.
"""

import signal

import pytest
import torch
from safetensors.torch import load_file

from prorl_verl import demo
from prorl_verl.demo_plot import plot_training, read_run_metrics

pytestmark = pytest.mark.e2e


def l2(weights: dict[str, torch.Tensor]) -> float:
    return float(sum(t.double().square().sum() for t in weights.values()) ** 0.5)


def hf_weights(directory) -> dict[str, torch.Tensor]:
    return load_file(str(directory / "model.safetensors"))


def test_two_stages_reset_stop_resume_plot_and_eval(
    short_tmp, tiny_model, chain_sum_data, trainer_tools
):
    t = trainer_tools
    runs = short_tmp / "runs"
    overrides = t.overrides(runs, tiny_model, chain_sum_data)
    stage1, stage2 = runs / "demo_stage1", runs / "demo_stage2"

    t.run("demo_stage1", overrides + ["prorl.stage_steps=2"], short_tmp / "stage1.log")
    log = short_tmp / "stage2.log"
    process = t.start("demo_stage2", overrides + ["prorl.stage_steps=3"], log)
    try:
        t.wait_for_step(stage2, 4, process, log)
        t.interrupt(process, signal.SIGTERM, stage2, log)  # mid-stage
    finally:
        t.stop(process)
    first, stopped = read_run_metrics(stage1), read_run_metrics(stage2)

    for step, metrics in [(1, first[1]), (2, first[2]), (3, stopped[3]), (4, stopped[4])]:
        for key in ("actor/pg_loss", "actor/kl_loss", "critic/score/mean", "timing_s/step"):
            assert key in metrics, (step, key)
    assert "prorl/dynamic_sampling/dropped_fraction" in first[1]
    assert 0.0 <= first[1]["prorl/dynamic_sampling/reward_all_groups"] <= 1.0
    assert first[2]["actor/kl_loss"] > 1e-6  # the actor has left the initial reference
    assert stopped[3]["prorl/reset/happened"] == 1.0
    assert stopped[3]["prorl/reset/reason/stage_start"] == 1.0
    assert stopped[3]["prorl/reset/kl_after"] == 0.0
    assert stopped[3]["prorl/reference/optimizer_entries"] == 0
    assert stopped[3]["prorl/reference/l2"] == pytest.approx(
        stopped[3]["prorl/reference/actor_l2"], rel=1e-9
    )
    assert stopped[4]["actor/kl_loss"] > 0.0  # and it leaves the new reference again

    initial = hf_weights(tiny_model)
    after_stage1 = hf_weights(stage1 / "checkpoints" / "global_step_2" / "actor" / "huggingface")
    assert any(not torch.equal(initial[k], after_stage1[k]) for k in initial)
    # the reset reference is the policy as it entered step 3: stage 1's final weights
    assert stopped[3]["prorl/reference/l2"] == pytest.approx(l2(after_stage1), rel=1e-6)
    assert abs(l2(after_stage1) - l2(initial)) > 1e-6

    t.run("demo_stage2", overrides + ["prorl.stage_steps=3"], short_tmp / "resumed.log")
    resumed = read_run_metrics(stage2)
    assert "resuming this stage from its own checkpoint" in (short_tmp / "resumed.log").read_text()
    assert "prorl: reference restored" in (short_tmp / "resumed.log").read_text()
    assert sorted(resumed) == [3, 4, 5]
    assert resumed[5]["prorl/reference/l2"] == pytest.approx(
        stopped[3]["prorl/reference/l2"], rel=1e-9
    )
    assert resumed[5]["prorl/reset/count"] == 1 and resumed[5]["prorl/reset/step_of_last"] == 3

    figure = plot_training([stage1, stage2], short_tmp / "demo.png")
    assert figure.stat().st_size > 10_000
    final = demo.final_hf_weights(stage2)
    assert final.parent.parent.name == "global_step_5"
    pass1 = demo.evaluate(
        {"base": tiny_model, "prorl": final}, chain_sum_data["val"], short_tmp / "eval", samples=2
    )
    assert set(pass1) == {"base", "prorl"} and all(0.0 <= v <= 1.0 for v in pass1.values())
