"""The reset's two operations on FSDP2-sharded modules, as verl's workers hold them."""

import pytest
import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import CPUOffloadPolicy, fully_shard
from torch.distributed.tensor import DTensor

from prorl_verl.reset.worker import _local, clear_optimizer_state, copy_parameters


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    store = tmp_path_factory.mktemp("pg") / "store"
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=0, world_size=1)
    yield init_device_mesh("cpu", (1,))
    dist.destroy_process_group()


def two_layer(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))


def test_reference_takes_the_actor_weights_and_log_probs(mesh):
    actor = fully_shard(two_layer(0), mesh=mesh)
    # verl builds the reference forward-only and offloaded
    reference = fully_shard(
        two_layer(1), mesh=mesh, offload_policy=CPUOffloadPolicy(pin_memory=False)
    )
    x = torch.randn(16, 4)

    def log_probs(module):
        with torch.no_grad():
            return torch.log_softmax(module(x), dim=-1)

    assert not torch.allclose(log_probs(actor), log_probs(reference), atol=1e-2)
    assert copy_parameters(actor, reference) == 4
    for a, r in zip(actor.parameters(), reference.parameters(), strict=True):
        assert isinstance(a, DTensor) and isinstance(r, DTensor)
        assert torch.equal(_local(r), _local(a))
    # identical policies: the KL between them is exactly zero
    torch.testing.assert_close(log_probs(actor), log_probs(reference), atol=0, rtol=0)


def test_copy_casts_to_the_reference_dtype(mesh):
    actor = fully_shard(two_layer(0), mesh=mesh)
    reference = fully_shard(two_layer(1).to(torch.bfloat16), mesh=mesh)
    copy_parameters(actor, reference)
    for a, r in zip(actor.parameters(), reference.parameters(), strict=True):
        assert r.dtype == torch.bfloat16
        assert torch.equal(_local(r), _local(a).to(torch.bfloat16))


def test_optimizer_state_is_emptied_in_place(mesh):
    model = fully_shard(two_layer(0), mesh=mesh)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(2):
        model(torch.randn(3, 4)).sum().backward()
        optimizer.step()
        optimizer.zero_grad()
    assert len(optimizer.state) == 4
    assert clear_optimizer_state(optimizer) == 4
    assert len(optimizer.state) == 0
    # the same optimizer object trains on, from a fresh state (step count restarts at 1)
    model(torch.randn(3, 4)).sum().backward()
    optimizer.step()
    first = next(iter(model.parameters()))
    assert float(optimizer.state[first]["step"]) == 1.0


def test_mismatched_models_are_refused(mesh):
    actor = fully_shard(two_layer(0), mesh=mesh)
    other = fully_shard(torch.nn.Sequential(torch.nn.Linear(4, 2)), mesh=mesh)
    with pytest.raises(RuntimeError, match="differ in parameters"):
        copy_parameters(actor, other)
