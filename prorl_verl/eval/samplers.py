"""Choosing a generation backend: Hugging Face ``generate`` (CPU) or vLLM (GPU).

Rule: ``auto`` picks vLLM when CUDA is available and Hugging Face otherwise. Both sample a
prompt with a per-prompt seed (the run's seed plus the prompt's index), so a resumed run
draws the same samples as one that was never interrupted, whatever the chunking.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from prorl_verl.eval.completion import Completion

logger = logging.getLogger(__name__)

BACKENDS = ("auto", "hf", "vllm")


@dataclass(frozen=True)
class SamplingSettings:
    """How responses are drawn; the paper's evaluation uses temperature 0.6, top_p 0.95."""

    n: int
    temperature: float
    top_p: float
    max_new_tokens: int


class Sampler(Protocol):
    prompts_per_call: int

    def sample(
        self, prompts: Sequence[list[dict]], seeds: Sequence[int]
    ) -> list[list[Completion]]: ...

    def close(self) -> None: ...


class HFSampler:
    """One prompt per call: its n copies are batched ``batch_size`` at a time."""

    prompts_per_call = 1

    def __init__(
        self,
        model_path: str,
        settings: SamplingSettings,
        batch_size: int,
        dtype: str,
        threads: int | None,
    ):
        import torch

        from prorl_verl.eval.hf_sampler import load_model

        if threads is not None:
            torch.set_num_threads(threads)

        self.settings = settings
        self.batch_size = batch_size
        self.model, self.tokenizer = load_model(model_path, dtype=dtype)

    def sample(self, prompts: Sequence[list[dict]], seeds: Sequence[int]) -> list[list[Completion]]:
        from prorl_verl.eval.hf_sampler import sample_completions

        out = []
        for prompt, seed in zip(prompts, seeds, strict=True):
            out.extend(
                sample_completions(
                    self.model,
                    self.tokenizer,
                    [prompt],
                    self.settings.n,
                    temperature=self.settings.temperature,
                    top_p=self.settings.top_p,
                    max_new_tokens=self.settings.max_new_tokens,
                    batch_size=self.batch_size,
                    seed=seed,
                )
            )
        return out

    def close(self) -> None:
        del self.model


def resolve_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
    if backend != "auto":
        return backend
    import torch

    return "vllm" if torch.cuda.is_available() else "hf"


def make_sampler(
    backend: str,
    model_path: str,
    settings: SamplingSettings,
    *,
    batch_size: int = 16,
    threads: int | None = None,
    dtype: str = "auto",
    tensor_parallel_size: int = 1,
) -> Sampler:
    backend = resolve_backend(backend)
    logger.info("loading %s with the %s backend", model_path, backend)
    if backend == "hf":
        return HFSampler(model_path, settings, batch_size=batch_size, dtype=dtype, threads=threads)
    from prorl_verl.eval.vllm_sampler import VLLMSampler

    return VLLMSampler(model_path, settings, tensor_parallel_size=tensor_parallel_size, dtype=dtype)
