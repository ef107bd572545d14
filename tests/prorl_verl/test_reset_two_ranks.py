"""The reset at world size 2 (two gloo processes), with models wrapped as verl wraps them.

A Qwen2 causal LM is sharded unit by unit with verl's own ``apply_fsdp2`` (each decoder layer
a unit, the root holding embeddings, final norm and lm_head). The reference is offloaded and
has run a forward pass before the reset, so its root (and, with ``reshard_after_forward=False``,
every unit) holds gathered parameters; the actor has trained one AdamW step and run forward too.
Right after the reset both must give bitwise-equal log-probs on every rank.
Under FSDP1 the reset is refused with a message naming the fix.
"""

import subprocess
import sys
import traceback

import pytest
import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import CPUOffloadPolicy, FullyShardedDataParallel
from transformers import Qwen2Config, Qwen2ForCausalLM
from verl.utils.fsdp_utils import apply_fsdp2

from prorl_verl.reset.worker import clear_optimizer_state, copy_parameters, reshard_all_units

WORLD_SIZE = 2


def qwen2(seed: int) -> Qwen2ForCausalLM:
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        tie_word_embeddings=False,
        attn_implementation="sdpa",
    )
    return Qwen2ForCausalLM(config)


def log_probs(model: torch.nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        logits = model(input_ids=tokens).logits[:, :-1]
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, tokens[:, 1:, None]).squeeze(-1)


def join(rank: int, store: str) -> None:
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=WORLD_SIZE)


def fsdp2_reset(rank: int, reference_reshards: bool) -> None:
    mesh = init_device_mesh("cpu", (WORLD_SIZE,))
    actor = qwen2(seed=0)
    apply_fsdp2(actor, {"mesh": mesh}, {})
    reference = qwen2(seed=0)
    offload = CPUOffloadPolicy(pin_memory=False)
    apply_fsdp2(
        reference,
        {"mesh": mesh, "offload_policy": offload, "reshard_after_forward": reference_reshards},
        {},
    )
    generator = torch.Generator().manual_seed(rank)
    tokens = torch.randint(0, 64, (3, 12), generator=generator)

    before = log_probs(reference, tokens)  # leaves gathered parameters behind
    optimizer = torch.optim.AdamW(actor.parameters(), lr=1e-2)
    (-log_probs_with_grad(actor, tokens).mean()).backward()
    optimizer.step()
    optimizer.zero_grad()
    trained = log_probs(actor, tokens)
    assert not torch.allclose(trained, before, atol=1e-4), "the actor did not move"

    assert copy_parameters(actor, reference) == len(list(actor.parameters()))
    assert clear_optimizer_state(optimizer) > 0
    torch.testing.assert_close(log_probs(reference, tokens), trained, atol=0, rtol=0)
    torch.testing.assert_close(log_probs(actor, tokens), trained, atol=0, rtol=0)
    reshard_all_units(actor)
    reshard_all_units(reference)
    for (name, a), r in zip(actor.named_parameters(), reference.parameters(), strict=True):
        assert a.placements == r.placements, name
        assert torch.equal(a.to_local(), r.to_local().to(a.dtype)), name


def log_probs_with_grad(model: torch.nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    logits = model(input_ids=tokens).logits[:, :-1]
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, tokens[:, 1:, None]).squeeze(-1)


def fsdp1_refused(rank: int) -> None:
    actor = FullyShardedDataParallel(qwen2(seed=0), device_id=torch.device("cpu"))
    reference = FullyShardedDataParallel(qwen2(seed=1), device_id=torch.device("cpu"))
    log_probs(reference, torch.zeros(1, 4, dtype=torch.long))
    with pytest.raises(RuntimeError, match="needs FSDP2.*strategy=fsdp2"):
        copy_parameters(actor, reference)


SCENARIOS = {
    "fsdp2-reshard": lambda rank: fsdp2_reset(rank, reference_reshards=True),
    "fsdp2-no-reshard": lambda rank: fsdp2_reset(rank, reference_reshards=False),
    "fsdp1-refused": fsdp1_refused,
}


def run_rank(rank: int, store: str) -> None:
    """Every scenario in one process group (each rank pays verl's import once), one line
    per scenario: ``<name>: ok`` or ``<name>: failed`` and the traceback."""
    join(rank, store)
    for name, scenario in SCENARIOS.items():
        try:
            scenario(rank)
            print(f"{name}: ok", flush=True)
        except Exception:
            print(f"{name}: failed\n{traceback.format_exc()}", flush=True)
        dist.barrier()
    dist.destroy_process_group()


@pytest.fixture(scope="module")
def rank_outputs(tmp_path_factory) -> list[str]:
    """Two ranks, each a fresh Python running this file (no fork of a process whose
    OpenMP threads may hold locks)."""
    store = str(tmp_path_factory.mktemp("two_ranks") / "store")
    ranks = [
        subprocess.Popen(
            [sys.executable, __file__, str(rank), store],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for rank in range(WORLD_SIZE)
    ]
    outputs = [rank.communicate(timeout=600)[0] for rank in ranks]
    for rank, (process, output) in enumerate(zip(ranks, outputs, strict=True)):
        assert process.returncode == 0, f"rank {rank} failed:\n{output[-3000:]}"
    return outputs


def assert_passed(outputs: list[str], scenario: str) -> None:
    for rank, output in enumerate(outputs):
        assert f"{scenario}: ok" in output.splitlines(), f"rank {rank}:\n{output[-3000:]}"


@pytest.mark.parametrize("reference_reshards", [True, False], ids=["reshard", "no-reshard"])
def test_fsdp2_reference_equals_actor_after_reset(rank_outputs, reference_reshards):
    assert_passed(rank_outputs, "fsdp2-reshard" if reference_reshards else "fsdp2-no-reshard")


def test_fsdp1_is_refused(rank_outputs):
    assert_passed(rank_outputs, "fsdp1-refused")


if __name__ == "__main__":
    run_rank(int(sys.argv[1]), sys.argv[2])
