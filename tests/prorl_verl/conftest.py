"""Shared set-up for tests that run verl's trainer on the CPU."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from verl import DataProto

from data_prep.reasoning_gym import build_rows
from prorl_verl.chain import kill_launch
from prorl_verl.cpu.mode import ray_directory
from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.tiny import digit_reward
from prorl_verl.tiny.cache import ensure_tiny_model
from prorl_verl.tiny.task import EASY

REPO = Path(__file__).resolve().parents[2]
DIGIT_REWARD = Path(digit_reward.__file__)


@pytest.fixture(scope="session")
def short_tmp():
    """A short directory: Ray's socket paths under the run directory must fit 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="prorl-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_model(short_tmp) -> Path:
    return ensure_tiny_model(short_tmp / "models", warmup=False, progress=False)


@pytest.fixture(scope="session")
def chain_sum_data(short_tmp) -> dict:
    out = short_tmp / "data"
    out.mkdir(exist_ok=True)
    files = {}
    for split, size, seed in (("train", 64, 1), ("val", 8, 2)):
        rows = build_rows("chain_sum", size, seed, split, EASY.config())
        files[split] = out / f"{split}.parquet"
        pd.DataFrame(rows).to_parquet(files[split])
    return files


def trainer_overrides(runs_root: Path, model: Path, data: dict) -> list[str]:
    """The demo recipes on an untrained tiny model with the digit reward: 8 prompts x 4 samples,
    one policy update per step (so a step's KL is measured before it changes the policy)."""
    return [
        f"prorl.runs_root={runs_root}",
        f"actor_rollout_ref.model.path={model}",
        f"data.train_files={data['train']}",
        f"data.val_files={data['val']}",
        f"reward.custom_reward_function.path={DIGIT_REWARD}",
        "reward.custom_reward_function.name=compute_score",
        "data.train_batch_size=8",
        "data.max_response_length=32",
        "actor_rollout_ref.rollout.n=4",
        "actor_rollout_ref.actor.ppo_mini_batch_size=8",
        "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=16",
        "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=16",
        "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=16",
        "trainer.save_freq=1",
        "trainer.logger=[console,file]",
        "trainer.val_before_train=false",
        "trainer.test_freq=-1",
    ]


def start_trainer(stage: str, overrides: list[str], log: Path) -> subprocess.Popen:
    """``python -m prorl_verl.launch <stage>``, as ``make <stage>`` runs it."""
    command = [sys.executable, "-m", "prorl_verl.launch", stage, *overrides]
    return subprocess.Popen(
        command,
        cwd=REPO,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def run_trainer(stage: str, overrides: list[str], log: Path, timeout: float = 900) -> None:
    process = start_trainer(stage, overrides, log)
    try:
        code = process.wait(timeout=timeout)
    finally:
        stop(process)
    assert code == 0, f"trainer failed ({code}); last lines:\n" + "".join(
        log.read_text().splitlines(True)[-40:]
    )


def stop(process: subprocess.Popen) -> None:
    """Kill the trainer and everything it started, then give its daemons a moment to go."""
    kill_launch(process)
    time.sleep(1)


def wait_for_step(run_dir: Path, step: int, process, log: Path, timeout: float = 900) -> None:
    """Until ``step`` is checkpointed and its metrics logged (verl logs them after the save)."""
    marker = run_dir / "checkpoints" / "latest_checkpointed_iteration.txt"
    deadline = time.time() + timeout
    while not (
        marker.exists()
        and marker.read_text().strip() == str(step)
        and step in read_run_metrics(run_dir)
    ):
        assert process.poll() is None, log.read_text()[-4000:]
        assert time.time() < deadline, f"no checkpoint {step} within {timeout}s"
        time.sleep(0.5)


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{proc.name}: {cmdline[:200]}")
    return found


#: a launch's exit status when signalled while training: Ctrl-C unwinds the launcher (130, as
#: a shell reports it); SIGTERM is handled by the Ray cluster the launch started, which stops
#: its processes and exits with 1
STATUS_WHEN_TRAINING = {signal.SIGINT: 130, signal.SIGTERM: 1}


def interrupt(process: subprocess.Popen, signum: int, run_dir: Path, log: Path) -> None:
    """Send ``signum`` to the launcher only (as ``kill <pid>`` or Ctrl-C would reach it) and
    check its exit status and that no Ray process of its session is left behind."""
    sessions = str(ray_directory(run_dir))
    assert processes_mentioning(sessions)  # Ray's daemons name their session directory
    process.send_signal(signum)
    try:
        code = process.wait(timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"still running 300 s after {signal.Signals(signum).name}:\n{log.read_text()[-3000:]}"
        )
    assert code == STATUS_WHEN_TRAINING[signum], log.read_text()[-3000:]
    deadline = time.monotonic() + 60
    while processes_mentioning(sessions) and time.monotonic() < deadline:
        time.sleep(1)
    assert processes_mentioning(sessions) == []


@pytest.fixture(scope="session")
def trainer_tools():
    """The helpers above, for test modules (pytest's importlib mode cannot import conftest)."""
    return SimpleNamespace(
        overrides=trainer_overrides,
        start=start_trainer,
        run=run_trainer,
        stop=stop,
        wait_for_step=wait_for_step,
        interrupt=interrupt,
    )


@pytest.fixture(scope="session")
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


def response_item(
    tokenizer, text: str, *, eos: bool, data_source: str, ground_truth, width: int = 24
) -> DataProto:
    """One scored-sample row as verl's reward loop hands it to a reward manager."""
    ids = tokenizer.encode(text, add_special_tokens=False)
    if eos:
        ids.append(tokenizer.eos_token_id)
    assert len(ids) <= width
    responses = torch.full((1, width), tokenizer.pad_token_id)
    responses[0, : len(ids)] = torch.tensor(ids)
    response_mask = torch.zeros(1, width, dtype=torch.long)
    response_mask[0, : len(ids)] = 1
    return DataProto.from_dict(
        tensors={
            "responses": responses,
            "prompts": torch.zeros(1, 4, dtype=torch.long),
            "attention_mask": torch.cat([torch.ones(1, 4, dtype=torch.long), response_mask], dim=1),
        },
        non_tensors={
            "data_source": np.array([data_source], dtype=object),
            "reward_model": np.array(
                [{"style": "rule", "ground_truth": ground_truth}], dtype=object
            ),
            "extra_info": np.array([{"index": 0}], dtype=object),
        },
    )


@pytest.fixture(scope="session", name="response_item")
def response_item_fixture(tokenizer):
    return lambda *args, **kwargs: response_item(tokenizer, *args, **kwargs)


@pytest.fixture
def sync_replay_buffer():
    """verl's sync replay buffer with group filtering on ``group_signal``, one prompt per
    generation request: what the dynamic-sampling tests run verl's filter against."""
    from verl.trainer.ppo.v1 import replay_buffer

    def build(train_batch_size: int):
        return replay_buffer.ReplayBuffer(
            trainer_mode="sync",
            trainer_config={},
            max_off_policy_threshold=None,
            max_off_policy_strategy="drop",
            sampler_kwargs={},
            refill_fn=lambda n: n,
            filter_groups_metric="group_signal",
            train_batch_size=train_batch_size,
            gen_batch_size=1,
        )

    return build
