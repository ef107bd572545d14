"""Benchmark: a CPU-mode step of verl's trainer against the same GRPO step in plain PyTorch.

    .venv/bin/python bench/bench_cpu_step.py [--steps 12] [--work /tmp/prorl-bench-step]

Both sides train the demo's recipe (``recipes/demo_stage1.yaml``: the cold-started tiny
model, 16 three-term ``chain_sum`` prompts x 8 samples, responses up to 48 tokens, two
mini-batch updates, clip-higher, k3 KL to a reference) from the same model and data:

- **verl**: ``python -m prorl_verl.launch demo_stage1`` for ``--steps`` steps, timed by
  verl's own ``timing_s/*`` metrics (validation and checkpoints off, which time outside
  the step anyway; dynamic sampling off so both sides train the batch they generated);
- **plain**: one process, no Ray, no verl: Hugging Face ``generate`` for the 8 samples of each
  prompt, the same scorer (``reward_fns.compute_score``), old and reference log-prob
  forwards, GRPO advantages, and two AdamW mini-batch updates of the clipped loss with the
  k3 KL. This is the floor CPU mode is measured against. Half of its steps run before the
  trainer and half after, so a change in the machine's load hits both sides alike.

A third figure is the plain step with its generation done by a minimal sampling loop over
the model's KV cache instead of ``generate`` (run before the trainer only): what the floor
would be with a faster generation loop.

Prints the median seconds per phase (``gen``, ``reward``, ``old_log_prob``, ``ref``,
``update``, ``other``) side by side and the ratio, over steps 3.. of each side (the first
steps warm caches up). verl scores each sample as soon as it is generated, so its
``reward`` is part of its ``gen``.
"""

import argparse
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, AutoTokenizer

import reward_fns
from prorl_verl.cpu.mode import thread_settings
from prorl_verl.demo import demo_data
from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.tiny.cache import ensure_tiny_model

PHASES = ("gen", "reward", "old_log_prob", "ref", "update_actor")
#: The demo recipe's sizes (recipes/demo_stage1.yaml and base.yaml).
PROMPTS, SAMPLES, MAX_NEW_TOKENS = 16, 8, 48
MINI_BATCH_PROMPTS, LR, TEMPERATURE = 8, 1e-4, 1.0
CLIP_LOW, CLIP_HIGH, KL_COEF, GRAD_CLIP = 0.2, 0.4, 0.001, 1.0
WARMUP_STEPS = 2
REPO = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- verl side
def run_trainer(model: Path, data: dict, work: Path, steps: int, repo: Path) -> dict[int, dict]:
    overrides = [
        f"prorl.runs_root={work / 'runs'}",
        f"actor_rollout_ref.model.path={model}",
        f"data.train_files={data['train']}",
        f"data.val_files={data['val']}",
        f"prorl.stage_steps={steps}",
        "trainer.test_freq=-1",
        "trainer.save_freq=-1",
        "trainer.val_before_train=false",
        "trainer.logger=[console,file]",
        "algorithm.filter_groups.enable=false",
    ]
    log = work / "trainer.log"
    print(f"verl: {steps} steps of demo_stage1 (log: {log})", flush=True)
    with open(log, "w") as out:
        subprocess.run(
            [
                repo / ".venv" / "bin" / "python",
                "-m",
                "prorl_verl.launch",
                "demo_stage1",
                *overrides,
            ],
            cwd=repo,  # Hydra finds verl's configs through the repository's hydra_plugins
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return read_run_metrics(work / "runs" / "demo_stage1")


def trainer_phases(metrics: dict[int, dict]) -> list[dict[str, float]]:
    rows = []
    for step in sorted(metrics):
        m = metrics[step]
        if "timing_s/step" not in m:
            continue
        row = {phase: float(m.get(f"timing_s/{phase}", 0.0)) for phase in PHASES}
        row["step"] = float(m["timing_s/step"])
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- plain side
class Timer:
    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, phase: str):
        started = time.perf_counter()
        yield
        self.seconds[phase] += time.perf_counter() - started


def left_pad(rows: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, width - len(row) :] = torch.tensor(row)
        mask[i, width - len(row) :] = 1
    return ids, mask


@torch.no_grad()
def generate_hf(model, ids, mask, eos: int, pad: int) -> torch.Tensor:
    out = model.generate(
        input_ids=ids,
        attention_mask=mask,
        do_sample=True,
        temperature=TEMPERATURE,
        top_p=1.0,
        top_k=0,
        max_new_tokens=MAX_NEW_TOKENS,
        eos_token_id=eos,
        pad_token_id=pad,
    )
    return out[:, ids.shape[1] :]


@torch.no_grad()
def generate_own_loop(model, ids, mask, eos: int, pad: int) -> torch.Tensor:
    """Temperature sampling over the KV cache, nothing else: the cost of the model itself."""
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True)
    cache, logits = out.past_key_values, out.logits[:, -1]
    done = torch.zeros(ids.shape[0], dtype=torch.bool)
    tokens = []
    for _ in range(MAX_NEW_TOKENS):
        token = torch.multinomial(torch.softmax(logits / TEMPERATURE, -1), 1).squeeze(-1)
        token = torch.where(done, torch.full_like(token, pad), token)
        tokens.append(token)
        done |= token == eos
        if done.all():
            break
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        positions = positions[:, -1:] + 1
        out = model(
            input_ids=token[:, None],
            attention_mask=mask,
            position_ids=positions,
            past_key_values=cache,
            use_cache=True,
        )
        cache, logits = out.past_key_values, out.logits[:, -1]
    return torch.stack(tokens, dim=1)


def response_mask(responses: torch.Tensor, eos: int) -> torch.Tensor:
    """1 up to and including the first EOS."""
    is_eos = (responses == eos).long()
    after_eos = (is_eos.cumsum(-1) - is_eos) > 0
    return (~after_eos).long()


def token_logprobs(model, sequences, attention, prompt_width: int) -> torch.Tensor:
    logits = model(input_ids=sequences, attention_mask=attention).logits[:, prompt_width - 1 : -1]
    return torch.gather(F.log_softmax(logits.float(), -1), 2, sequences[:, prompt_width:, None])[
        ..., 0
    ]


class PlainGRPO:
    """The demo recipe's GRPO step, written straight in PyTorch."""

    def __init__(self, model_path: Path, rows: list[dict], own_loop: bool = False):
        self.tokenizer = AutoTokenizer.from_pretrained(model_path)
        self.policy = AutoModelForCausalLM.from_pretrained(
            model_path, dtype=torch.float32, attn_implementation="sdpa"
        )
        self.reference = AutoModelForCausalLM.from_pretrained(
            model_path, dtype=torch.float32, attn_implementation="sdpa"
        ).eval()
        self.optimizer = torch.optim.AdamW(self.policy.parameters(), lr=LR, weight_decay=0.01)
        self.rows = rows
        self.own_loop = own_loop
        self.eos = self.tokenizer.eos_token_id
        self.pad = self.tokenizer.pad_token_id
        self.cursor = 0

    def next_prompts(self) -> list[dict]:
        batch = [self.rows[(self.cursor + i) % len(self.rows)] for i in range(PROMPTS)]
        self.cursor += PROMPTS
        return batch

    def step(self) -> dict[str, float]:
        timer = Timer()
        started = time.perf_counter()
        batch = self.next_prompts()
        with timer("gen"):
            prompts = [
                self.tokenizer.encode(
                    self.tokenizer.apply_chat_template(
                        list(row["prompt"]), add_generation_prompt=True, tokenize=False
                    ),
                    add_special_tokens=False,
                )
                for row in batch
                for _ in range(SAMPLES)
            ]
            ids, mask = left_pad(prompts, self.pad)
            self.policy.eval()
            generate = generate_own_loop if self.own_loop else generate_hf
            responses = generate(self.policy, ids, mask, self.eos, self.pad)
            resp_mask = response_mask(responses, self.eos)
            sequences = torch.cat([ids, responses], dim=1)
            attention = torch.cat([mask, resp_mask], dim=1)
        with timer("reward"):
            scores = []
            for i, row in enumerate(r for r in batch for _ in range(SAMPLES)):
                valid = responses[i][resp_mask[i].bool()]
                text = self.tokenizer.decode(valid, skip_special_tokens=True)
                result = reward_fns.compute_score(
                    row["data_source"],
                    text,
                    row["reward_model"]["ground_truth"],
                    dict(row["extra_info"]),
                )
                scores.append(float(result["score"]))
        width = ids.shape[1]
        with timer("old_log_prob"), torch.no_grad():
            old = token_logprobs(self.policy, sequences, attention, width)
        with timer("ref"), torch.no_grad():
            ref = token_logprobs(self.reference, sequences, attention, width)
        with timer("update_actor"):
            grouped = torch.tensor(scores).view(PROMPTS, SAMPLES)
            advantages = (grouped - grouped.mean(1, keepdim=True)) / (
                grouped.std(1, keepdim=True) + 1e-6
            )
            advantages = advantages.reshape(-1, 1)
            self.policy.train()
            per_update = MINI_BATCH_PROMPTS * SAMPLES
            for start in range(0, len(prompts), per_update):
                rows = slice(start, start + per_update)
                self.update(
                    sequences[rows],
                    attention[rows],
                    resp_mask[rows].float(),
                    old[rows],
                    ref[rows],
                    advantages[rows],
                    width,
                )
        seconds = dict(timer.seconds)
        seconds["step"] = time.perf_counter() - started
        return seconds

    def update(self, sequences, attention, mask, old, ref, advantages, width) -> None:
        logp = token_logprobs(self.policy, sequences, attention, width)
        ratio = torch.exp(logp - old)
        clipped = torch.clamp(ratio, 1 - CLIP_LOW, 1 + CLIP_HIGH)
        pg = torch.maximum(-advantages * ratio, -advantages * clipped)
        log_ratio = (ref - logp).clamp(-20, 20)
        k3 = (torch.exp(log_ratio) - log_ratio - 1).clamp(-10, 10)
        tokens = mask.sum().clamp(min=1)
        loss = ((pg + KL_COEF * k3) * mask).sum() / tokens
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.policy.parameters(), GRAD_CLIP)
        self.optimizer.step()


def run_plain(plain: PlainGRPO, steps: int, label: str) -> list[dict[str, float]]:
    rows = []
    for step in range(steps):
        rows.append(plain.step())
        print(f"{label}: step {step + 1}/{steps} {rows[-1]['step']:.2f}s", flush=True)
    return rows


# ----------------------------------------------------------------------------- report
def medians(rows: list[dict[str, float]]) -> dict[str, float]:
    out = {key: statistics.median(r.get(key, 0.0) for r in rows) for key in (*PHASES, "step")}
    out["other"] = statistics.median(r["step"] - sum(r.get(p, 0.0) for p in PHASES) for r in rows)
    return out


def report(columns: dict[str, dict[str, float]], counts: dict[str, int]) -> str:
    names = list(columns)
    lines = [
        f"{'phase (median s)':<18}" + "".join(f"{n:>14}" for n in names) + f"{'verl/plain':>12}"
    ]
    for phase in (*PHASES, "other", "step"):
        cells = "".join(f"{columns[n][phase]:>14.3f}" for n in names)
        plain = columns["plain"][phase]
        ratio = f"{columns['verl'][phase] / plain:.2f}" if plain > 0.01 else "-"
        lines.append(f"{phase:<18}{cells}{ratio:>12}")
    lines.append("steps measured: " + ", ".join(f"{n} {counts[n]}" for n in names))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=12, help="steps per side (default 12)")
    parser.add_argument("--work", default=None, help="a short directory (default: new in /tmp)")
    parser.add_argument(
        "--tiny-cache", default="runs/tiny", help="tiny model cache (default runs/tiny)"
    )
    parser.add_argument(
        "--model", default=None, help="a Hugging Face model directory instead of the tiny base"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(thread_settings()["OMP_NUM_THREADS"]),
        help="torch threads of the plain step (default: what CPU mode gives its processes)",
    )
    parser.add_argument(
        "--trainer-repo",
        type=Path,
        default=REPO,
        help="the prorl-verl checkout (and its .venv) whose trainer runs, e.g. another "
        "checkout to compare before and after a change (default: this one)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.steps <= WARMUP_STEPS:
        parser.error(f"--steps must exceed the {WARMUP_STEPS} warm-up steps")
    work = Path(args.work or tempfile.mkdtemp(prefix="prorl-bench-", dir="/tmp"))
    model = Path(args.model or ensure_tiny_model(Path(args.tiny_cache), warmup=True)).resolve()
    data = demo_data(work / "data")
    rows = pd.read_parquet(data["train"]).to_dict("records")

    torch.manual_seed(0)
    plain = PlainGRPO(model, rows)
    own_loop = PlainGRPO(model, rows, own_loop=True)
    half = args.steps // 2 + WARMUP_STEPS
    plain_rows = run_plain(plain, half, "plain")[WARMUP_STEPS:]
    own_rows = run_plain(own_loop, half, "plain, own generation loop")[WARMUP_STEPS:]
    verl_rows = trainer_phases(
        run_trainer(model, data, work, args.steps, args.trainer_repo.resolve())
    )[WARMUP_STEPS:]
    plain_rows += run_plain(plain, args.steps - half + WARMUP_STEPS, "plain")

    columns = {"verl": medians(verl_rows), "plain": medians(plain_rows)}
    print(f"\nCPU step, demo recipe, torch threads {torch.get_num_threads()} in the plain process")
    print(report(columns, {"verl": len(verl_rows), "plain": len(plain_rows)}))
    own = medians(own_rows)
    print(
        f"\nplain step with its own generation loop: gen {own['gen']:.3f}s, step {own['step']:.3f}s "
        f"(verl/that = {columns['verl']['step'] / own['step']:.2f})"
    )


if __name__ == "__main__":
    main()
