"""The few changes verl 0.9.1 needs beyond its registries to train on the CPU.

Applied by :func:`apply` only in CPU mode (``VERL_PLATFORM=cpu``), in every process, from
the ``verl.plugins`` entry point. Each one says what stops verl without it.
"""

import logging

logger = logging.getLogger(__name__)


def _register_fsdp_engines_for_cpu() -> None:
    # verl registers its FSDP engines for device "cuda" and "npu" only; the engines
    # themselves are device-agnostic, so the same classes serve device "cpu".
    from verl.workers.engine.base import EngineRegistry
    from verl.workers.engine.fsdp.transformer_impl import (
        FSDPEngineWithLMHead,
        FSDPEngineWithValueHead,
    )

    for model_type, engine in (
        ("language_model", FSDPEngineWithLMHead),
        ("value_model", FSDPEngineWithValueHead),
    ):
        registered = EngineRegistry._engines.get(model_type, {}).get("fsdp2", {})
        if "cpu" not in registered:
            EngineRegistry.register(model_type=model_type, backend=["fsdp", "fsdp2"], device="cpu")(
                engine
            )


def _unpinned_cpu_offload() -> None:
    # The forward-only reference model is built with CPUOffloadPolicy(pin_memory=True);
    # pinning host memory needs an accelerator and raises without one. On the CPU the
    # "offload" is a no-op anyway, so build the same policy unpinned.
    from torch.distributed.fsdp import CPUOffloadPolicy
    from verl.workers.engine.fsdp import transformer_impl

    class UnpinnedCPUOffloadPolicy(CPUOffloadPolicy):
        def __init__(self, pin_memory: bool = False):
            super().__init__(pin_memory=False)

    transformer_impl.CPUOffloadPolicy = UnpinnedCPUOffloadPolicy


def _gloo_process_group() -> None:
    # verl joins the process group with "cpu:gloo,<device>:<backend>", which for device
    # "cpu" names the CPU twice and torch refuses it; gloo alone serves the CPU.
    from verl.utils import distributed
    from verl.workers import engine_workers

    join_process_group = distributed.initialize_global_process_group_ray

    def join_gloo_process_group(timeout_second=None, backend=None):
        return join_process_group(timeout_second=timeout_second, backend=backend or "cpu:gloo")

    distributed.initialize_global_process_group_ray = join_gloo_process_group
    engine_workers.initialize_global_process_group_ray = join_gloo_process_group


#: Seconds between the sync trainer's looks for finished rollouts (verl's default is 2 s).
REPLAY_BUFFER_POLL_S = 0.05


def _fast_replay_buffer_poll() -> None:
    # verl's replay buffer sleeps 2 s between checks for finished rollouts, sized for GPU
    # steps of minutes. A CPU step's generation takes a second or two, so each step waited
    # up to 2 s for nothing; a check is one metadata request to TransferQueue.
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    build_replay_buffer = PPOTrainer._build_replay_buffer

    def build_fast_polling_replay_buffer(self):
        replay_buffer = build_replay_buffer(self)
        if hasattr(replay_buffer, "poll_interval"):
            replay_buffer.poll_interval = min(replay_buffer.poll_interval, REPLAY_BUFFER_POLL_S)
        return replay_buffer

    PPOTrainer._build_replay_buffer = build_fast_polling_replay_buffer


def apply() -> None:
    _gloo_process_group()
    _register_fsdp_engines_for_cpu()
    _unpinned_cpu_offload()
    _fast_replay_buffer_poll()
