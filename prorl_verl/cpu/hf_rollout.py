"""Rollout with Hugging Face ``generate`` for CPU mode, plugged into verl's rollout registries.

verl 0.9.1 only knows server rollouts (vLLM, SGLang, TensorRT-LLM), none of which runs
without a GPU. This module supplies the three pieces verl asks a rollout backend for, under
the name ``hf`` (``actor_rollout_ref.rollout.name=hf``):

- :class:`HFGenerateServer`, a Ray actor holding the policy in a plain ``transformers`` model.
  It answers verl's token-in/token-out ``generate`` calls and batches concurrent requests
  with the same sampling settings into one ``generate`` call, which runs each distinct
  prompt through the model once (:mod:`prorl_verl.shared_prefill`).
- :class:`HFReplica`, the ``RolloutReplica`` that starts one server per replica.
- :class:`HFServerAdapter`, the ``BaseRollout`` living in the actor worker, which pushes
  the trained weights to the server after each step.

:mod:`prorl_verl.plugin` registers both with verl by name.

Log-probabilities are not returned (``rollout.calculate_log_probs`` is unsupported):
verl recomputes ``old_log_prob`` with the actor anyway.
"""

import asyncio
import logging
from collections import defaultdict
from typing import Any

import ray
import torch
from verl.workers.rollout.base import BaseRollout
from verl.workers.rollout.replica import RolloutReplica, TokenOutput

from prorl_verl.cpu import ROLLOUT_NAME
from prorl_verl.shared_prefill import generate_sharing_prompts

logger = logging.getLogger(__name__)
#: verl sends a batch's requests one by one; those that have arrived are generated together
#: once none has arrived for this long (or the oldest has waited BATCH_MAX_WAIT_S). Requests
#: trickle in over 1.5-2 s a step on 2 cores, so a step goes through in 2-4 calls; a 150 ms
#: window gathered all 128 into one call but made generation slower (2.9-3.2 s against
#: 2.4-2.5 s), as nothing was generated while they arrived.
BATCH_QUIET_S = 0.02
BATCH_MAX_WAIT_S = 1.0


def server_actor_name(replica_rank: int) -> str:
    return f"{ROLLOUT_NAME}_server_{replica_rank}"


def _sampling_key(sampling_params: dict[str, Any], max_tokens: int) -> tuple:
    """Requests can share one ``generate`` call only if they sample the same way."""
    return (
        float(sampling_params.get("temperature", 1.0)),
        float(sampling_params.get("top_p", 1.0)),
        int(sampling_params.get("top_k", -1)),
        float(sampling_params.get("repetition_penalty", 1.0)),
        max_tokens,
    )


class HFGenerateServer:
    """The policy for generation, in its own process, fed new weights after each step."""

    def __init__(self, config, model_config, replica_rank: int = 0):
        from transformers import AutoModelForCausalLM

        self.config = config
        self.replica_rank = replica_rank
        self.global_steps = None
        path = model_config.get("local_path") or model_config.get("path")
        self.model = AutoModelForCausalLM.from_pretrained(
            path, dtype=torch.float32, attn_implementation="sdpa"
        )
        self.model.eval()
        self.eos_token_ids = self._eos_token_ids(model_config)
        self.pad_token_id = self.model.generation_config.pad_token_id
        if self.pad_token_id is None:
            self.pad_token_id = self.eos_token_ids[0]
        self._pending: dict[tuple, list[tuple[list[int], asyncio.Future]]] = defaultdict(list)
        self._flusher: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def _eos_token_ids(self, model_config) -> list[int]:
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.model.config.eos_token_id
        ids = [eos] if isinstance(eos, int) else list(eos or [])
        if not ids:
            raise ValueError(f"model at {model_config.get('path')} declares no eos_token_id")
        return ids

    def get_server_address(self) -> tuple[str, int]:
        return ray.util.get_node_ip_address(), 0

    async def generate(
        self, prompt_ids: list[int], sampling_params: dict[str, Any], request_id: str, **_: Any
    ) -> TokenOutput:
        sampling_params = dict(sampling_params)
        budget = self.config.prompt_length + self.config.response_length - len(prompt_ids)
        max_tokens = sampling_params.pop("max_tokens", None) or sampling_params.pop(
            "max_new_tokens", None
        )
        max_tokens = min(max_tokens or self.config.response_length, self.config.response_length)
        max_tokens = max(1, min(max_tokens, budget))
        future = asyncio.get_running_loop().create_future()
        self._pending[_sampling_key(sampling_params, max_tokens)].append((list(prompt_ids), future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())
        token_ids = await future
        extra = {"global_steps": self.global_steps}
        return TokenOutput(token_ids=token_ids, stop_reason="completed", extra_fields=extra)

    def _pending_count(self) -> int:
        return sum(len(requests) for requests in self._pending.values())

    async def _flush_soon(self) -> None:
        # One generate call for the whole batch, not one per slice that happened to arrive
        # first: each call costs the full number of decoding steps.
        deadline = asyncio.get_running_loop().time() + BATCH_MAX_WAIT_S
        seen = -1
        while seen != self._pending_count() and asyncio.get_running_loop().time() < deadline:
            seen = self._pending_count()
            await asyncio.sleep(BATCH_QUIET_S)
        async with self._lock:
            while self._pending:
                key, requests = self._pending.popitem()
                try:
                    outputs = await asyncio.to_thread(self._generate_batch, key, requests)
                except Exception as error:  # the callers see the error, the server lives on
                    for _, future in requests:
                        future.set_exception(error)
                    continue
                for (_, future), tokens in zip(requests, outputs, strict=True):
                    future.set_result(tokens)

    @torch.no_grad()
    def _generate_batch(self, key: tuple, requests: list) -> list[list[int]]:
        temperature, top_p, top_k, repetition_penalty, max_tokens = key
        prompts = [prompt for prompt, _ in requests]
        width = max(len(p) for p in prompts)
        input_ids = torch.full((len(prompts), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros_like(input_ids)
        for row, prompt in enumerate(prompts):  # left padding: generation continues at the right
            input_ids[row, width - len(prompt) :] = torch.tensor(prompt)
            attention_mask[row, width - len(prompt) :] = 1
        do_sample = temperature > 0
        sampling = (
            {"temperature": temperature, "top_p": top_p, "top_k": top_k if top_k > 0 else 0}
            if do_sample
            else {}
        )
        sequences = generate_sharing_prompts(
            self.model,
            input_ids,
            attention_mask,
            do_sample=do_sample,
            max_new_tokens=max_tokens,
            eos_token_id=self.eos_token_ids,
            pad_token_id=self.pad_token_id,
            repetition_penalty=repetition_penalty,
            **sampling,
        )
        return [self._until_eos(row[width:].tolist()) for row in sequences]

    def _until_eos(self, tokens: list[int]) -> list[int]:
        for position, token in enumerate(tokens):
            if token in self.eos_token_ids:
                return tokens[: position + 1]
        return tokens

    def load_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        missing, unexpected = self.model.load_state_dict(state_dict, strict=False)
        tied = set(getattr(self.model, "_tied_weights_keys", None) or [])
        if unexpected or set(missing) - tied:
            raise RuntimeError(
                f"weights pushed to the rollout do not fit its model: missing {missing}, unexpected {unexpected}"
            )

    def set_global_steps(self, global_steps: int) -> None:
        self.global_steps = global_steps

    # Memory and scheduling controls that verl calls on every server. On the CPU there is
    # no device memory to release and generation is never interrupted, so they do nothing.
    async def wake_up(self, tags: list[str] | None = None) -> None:
        return None

    async def sleep(self) -> None:
        return None

    async def clear_kv_cache(self) -> None:
        return None

    async def release_kv_cache(self) -> None:
        return None

    async def resume_kv_cache(self) -> None:
        return None

    async def abort_all_requests(self, **_: Any) -> dict[str, Any]:
        return {}

    async def resume_generation(self) -> None:
        return None

    async def start_profile(self, **_: Any) -> None:
        return None

    async def stop_profile(self) -> None:
        return None


class HFReplica(RolloutReplica):
    """One :class:`HFGenerateServer` per replica, next to the trainer's workers."""

    async def launch_servers(self) -> None:
        server = (
            ray.remote(HFGenerateServer)
            .options(
                name=server_actor_name(self.replica_rank) + self.name_suffix,
                num_cpus=0,
                max_concurrency=self.max_concurrency,
            )
            .remote(
                config=self.config, model_config=self.model_config, replica_rank=self.replica_rank
            )
        )
        self.servers = [server]
        self._server_handle = server
        host, port = await server.get_server_address.remote()
        self._server_address = f"{host}:{port}"


class HFServerAdapter(BaseRollout):
    """Lives in the actor worker; sends the trained weights to this replica's server."""

    def __init__(self, config, model_config, device_mesh, replica_rank: int = -1):
        super().__init__(config, model_config, device_mesh)
        rank = torch.distributed.get_rank() if torch.distributed.is_initialized() else 0
        world = self.config.tensor_model_parallel_size * self.config.data_parallel_size
        self.replica_rank = rank // world if replica_rank == -1 else replica_rank
        self._is_sender = rank % world == 0
        self._server = None

    def _server_handle(self):
        if self._server is None:
            self._server = ray.get_actor(server_actor_name(self.replica_rank))
        return self._server

    async def update_weights(self, weights, global_steps: int = None, **kwargs):
        wire_format = kwargs.get("wire_format", "named_tensors")
        if wire_format != "named_tensors":
            raise NotImplementedError(f"the hf rollout takes full tensors, not {wire_format!r}")
        # Every rank must drain the generator: it holds the collectives of sharded models.
        state_dict = {name: tensor.detach().to("cpu", copy=True) for name, tensor in weights}
        if not self._is_sender:
            return
        await self._server_handle().load_weights.remote(state_dict)
        if global_steps is not None:
            await self._server_handle().set_global_steps.remote(global_steps)

    async def resume(self, tags: list[str]):
        return None

    async def release(self):
        return None
