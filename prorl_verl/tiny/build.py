"""Building the tiny model directory from a spec: tokenizer, model, optional warm-up.

Everything that decides the files is in ``TinyModelSpec``; its content hash (``spec_key``) is
what the cache compares, so changing any field (or ``VERSION``, bumped when the build code
changes its output) makes the next ``ensure_tiny_model`` rebuild. Nothing is downloaded.

The directory is a plain Hugging Face model directory: ``config.json``, ``model.safetensors``,
``generation_config.json`` and the tokenizer files, loadable by ``AutoModelForCausalLM`` /
``AutoTokenizer`` and by verl as ``actor_rollout_ref.model.path``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import jinja2

from prorl_verl.tiny.model import TinyArchitecture, generation_config, init_model, qwen2_config
from prorl_verl.tiny.task import (
    EASY,
    HARD,
    ChainSumBucket,
    generate_problems,
    prompt_messages,
    target_response,
)
from prorl_verl.tiny.tokenizer import CHAT_TEMPLATE, train_tokenizer
from prorl_verl.tiny.warmup import WarmupSettings, warm_up

VERSION = "1"
BUILD_INFO_FILE = "tiny_model.json"

# reasoning-gym's default chain_sum range: the tokenizer sees every shape the buckets and the
# warm-up produce, and a little beyond.
_BROAD = ChainSumBucket("broad", min_terms=2, max_terms=6, min_digits=1, max_digits=4)


@dataclass(frozen=True)
class TinyModelSpec:
    """All inputs of a build. ``warmup=None`` builds the random-init model."""

    seed: int = 0
    architecture: TinyArchitecture = field(default_factory=TinyArchitecture)
    tokenizer_vocab_size: int = 1024
    tokenizer_problems_per_bucket: int = 1000
    tokenizer_buckets: tuple[ChainSumBucket, ...] = (EASY, HARD, _BROAD)
    warmup: WarmupSettings | None = None
    version: str = VERSION

    def with_warmup(self, settings: WarmupSettings | None = None) -> TinyModelSpec:
        return replace(self, warmup=settings or WarmupSettings())


def spec_key(spec: TinyModelSpec) -> str:
    """SHA-256 of the spec's canonical JSON: equal specs, equal keys."""
    canonical = json.dumps(asdict(spec), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def tokenizer_corpus(spec: TinyModelSpec) -> list[str]:
    """Full rendered chats (prompt, target response, EOS) of problems from every corpus bucket."""
    template = jinja2.Template(CHAT_TEMPLATE)
    texts = []
    for index, bucket in enumerate(spec.tokenizer_buckets):
        seed = spec.seed * 1_000_003 + index * spec.tokenizer_problems_per_bucket
        for entry in generate_problems(bucket, spec.tokenizer_problems_per_bucket, seed):
            messages = prompt_messages(entry) + [
                {"role": "assistant", "content": target_response(entry)}
            ]
            texts.append(template.render(messages=messages, add_generation_prompt=False))
    return texts


def build_tiny_model(
    out_dir: Path, spec: TinyModelSpec, progress: bool = True, threads: int = 1
) -> dict:
    """Write the model directory for ``spec`` into ``out_dir``; returns the build record.

    ``threads`` is the warm-up's torch thread count (it does not change the result's key).
    """
    tokenizer = train_tokenizer(tokenizer_corpus(spec), spec.tokenizer_vocab_size)
    config = qwen2_config(spec.architecture, tokenizer)
    model = init_model(config, spec.seed)
    record = {
        "key": spec_key(spec),
        "spec": asdict(spec),
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    if spec.warmup is not None:
        record["warmup"] = warm_up(
            model, tokenizer, spec.warmup, progress=progress, threads=threads
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    generation_config(tokenizer).save_pretrained(out_dir)
    (out_dir / BUILD_INFO_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record
