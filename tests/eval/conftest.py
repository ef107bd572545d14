"""Shared fixtures of the evaluation tests: the tiny model and small reasoning-gym eval sets."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import reasoning_gym

from data_prep.prompts import reasoning_gym_messages


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """The tiny model runs fastest single-threaded, above all on a busy machine."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """The tiny Qwen2 with random weights (seconds to build)."""
    from prorl_verl.tiny import ensure_tiny_model

    return ensure_tiny_model(tmp_path_factory.mktemp("tiny_model"), warmup=False)


def reasoning_gym_rows(task: str, size: int, seed: int, **task_config) -> list[dict]:
    """verl rows of one reasoning-gym task, with the entries they were made from."""
    dataset = reasoning_gym.create_dataset(task, size=size, seed=seed, **task_config)
    rows = []
    for i in range(size):
        entry = dataset[i]
        rows.append(
            {
                "data_source": f"prorl/reasoning_gym/{task}",
                "prompt": reasoning_gym_messages(entry["question"]),
                "ability": "logic",
                "reward_model": {
                    "style": "rule",
                    "ground_truth": json.dumps({"task": task, "entry": entry}),
                },
                "extra_info": {"index": i, "domain": "reasoning_gym", "variant": ""},
            }
        )
    return rows


def write_parquet(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def correct_answer(row: dict) -> str:
    """A response reasoning-gym grades 1.0 for this row."""
    entry = json.loads(row["reward_model"]["ground_truth"])["entry"]
    if entry["answer"] is None:  # graph_color stores a valid coloring instead of a gold answer
        return f"<answer>{json.dumps(entry['metadata']['possible_answer'])}</answer>"
    return f"<answer>{entry['answer']}</answer>"


class EvalSetBuilder:
    """What tests use to make eval sets (pytest's importlib mode keeps conftest unimportable)."""

    rows = staticmethod(reasoning_gym_rows)
    write = staticmethod(write_parquet)
    correct_answer = staticmethod(correct_answer)


@pytest.fixture
def sets() -> EvalSetBuilder:
    return EvalSetBuilder()
