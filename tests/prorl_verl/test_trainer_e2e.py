"""verl's real trainer on the CPU: GRPO steps, a reference reset, a kill and a resume.

One run of the demo recipe on an untrained tiny model (digit-fraction reward, one policy
update per step so the KL of the reset step is measured before any update):
- steps 1-2 train; the reference is the initial model, so step 2's KL is positive;
- step 3 starts with a reset: the reference takes the weights the actor had after step 2
  (checked against that step's saved Hugging Face weights) and the step's KL is exactly 0;
- the run is killed after checkpoint 4, resumed, and the restored reference is the reset
  one, not the initial model verl would rebuild from ``model.path``.
"""

import time

import pytest
import torch
from safetensors.torch import load_file

pytestmark = pytest.mark.e2e


def l2(weights: dict[str, torch.Tensor]) -> float:
    return float(sum(t.double().square().sum() for t in weights.values()) ** 0.5)


def hf_weights(directory) -> dict[str, torch.Tensor]:
    return load_file(str(directory / "model.safetensors"))


def test_grpo_steps_reset_kill_and_resume(short_tmp, tiny_model, chain_sum_data, trainer_tools):
    t = trainer_tools
    run_dir = short_tmp / "run"
    overrides = t.overrides(run_dir, tiny_model, chain_sum_data) + [
        "actor_rollout_ref.actor.ppo_mini_batch_size=8",
        "prorl.reset.at_steps=[3]",
        "trainer.save_freq=1",
        "actor_rollout_ref.actor.checkpoint.save_contents=[model,optimizer,extra,hf_model]",
    ]
    marker = run_dir / "checkpoints" / "latest_checkpointed_iteration.txt"

    process = t.start(overrides + ["trainer.total_training_steps=6"], short_tmp / "first.log")
    try:
        deadline = time.time() + 900
        while not (marker.exists() and marker.read_text().strip() == "4"):
            assert process.poll() is None, (short_tmp / "first.log").read_text()[-4000:]
            assert time.time() < deadline, "no checkpoint 4 within 15 minutes"
            time.sleep(0.5)
    finally:
        t.stop(process)  # SIGKILL, mid-run
    first = t.read_metrics(run_dir)

    for step in (1, 2, 3, 4):
        for key in ("actor/pg_loss", "actor/kl_loss", "critic/score/mean", "timing_s/step"):
            assert key in first[step], (step, key)
    assert first[2]["actor/kl_loss"] > 1e-6  # the actor has left the initial reference
    assert first[3]["prorl/reset/happened"] == 1.0
    assert first[3]["prorl/reset/kl_after"] == 0.0
    assert first[3]["prorl/reference/optimizer_entries"] == 0
    assert first[3]["prorl/reference/l2"] == pytest.approx(
        first[3]["prorl/reference/actor_l2"], rel=1e-9
    )
    assert first[4]["actor/kl_loss"] > 0.0  # and it leaves the new reference again
    assert first[4]["prorl/reset/count"] == 1 and first[4]["prorl/reset/step_of_last"] == 3

    initial = hf_weights(tiny_model)
    after_step_2 = hf_weights(run_dir / "checkpoints" / "global_step_2" / "actor" / "huggingface")
    after_step_4 = hf_weights(run_dir / "checkpoints" / "global_step_4" / "actor" / "huggingface")
    assert any(not torch.equal(initial[k], after_step_4[k]) for k in initial)
    # The reset reference is the policy as it entered step 3.
    assert first[3]["prorl/reference/l2"] == pytest.approx(l2(after_step_2), rel=1e-6)
    assert abs(l2(after_step_2) - l2(initial)) > 1e-6

    t.run(overrides + ["trainer.total_training_steps=5"], short_tmp / "resumed.log")
    resumed = t.read_metrics(run_dir)
    assert "prorl: reference restored" in (short_tmp / "resumed.log").read_text()
    assert resumed[5]["prorl/reference/l2"] == pytest.approx(
        first[3]["prorl/reference/l2"], rel=1e-9
    )
    assert resumed[5]["prorl/reset/count"] == 1
