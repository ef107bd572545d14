"""Sampling with vLLM on GPU machines (install the ``gpu`` extra).

Rule: prompts are rendered with the model's chat template (the same text the Hugging Face path
feeds ``generate``) and submitted ``prompts_per_call`` at a time, each with its own seed, so
results can be stored between calls. vLLM marks a completion that stopped on EOS with
``finish_reason == "stop"`` and one that hit ``max_tokens`` with ``"length"``. vLLM is imported
only here, so CPU machines never need it.
"""

from __future__ import annotations

from collections.abc import Sequence

from prorl_verl.eval.completion import Completion
from prorl_verl.eval.hf_sampler import render_prompts
from prorl_verl.eval.samplers import SamplingSettings


class VLLMSampler:
    prompts_per_call = 64

    def __init__(
        self, model_path: str, settings: SamplingSettings, *, tensor_parallel_size: int, dtype: str
    ):
        try:
            from vllm import LLM
        except ImportError as error:
            raise ImportError(
                "the vllm backend needs vLLM: install the package with its gpu extra "
                "(make install GPU=1), or pass --backend hf"
            ) from error
        self.settings = settings
        self.llm = LLM(model=model_path, tensor_parallel_size=tensor_parallel_size, dtype=dtype)
        self.tokenizer = self.llm.get_tokenizer()

    def sample(self, prompts: Sequence[list[dict]], seeds: Sequence[int]) -> list[list[Completion]]:
        from vllm import SamplingParams

        texts = render_prompts(self.tokenizer, prompts)
        params = [
            SamplingParams(
                n=self.settings.n,
                temperature=self.settings.temperature,
                top_p=self.settings.top_p,
                max_tokens=self.settings.max_new_tokens,
                seed=seed,
            )
            for seed in seeds
        ]
        outputs = self.llm.generate(texts, params, use_tqdm=False)
        return [
            [
                Completion(o.text, len(o.token_ids), o.finish_reason == "stop")
                for o in sorted(request.outputs, key=lambda o: o.index)
            ]
            for request in outputs
        ]

    def close(self) -> None:
        del self.llm
