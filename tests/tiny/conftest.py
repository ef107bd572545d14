"""Shared fixtures: one random-init tiny model built per test session (a few seconds)."""

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from prorl_verl.tiny import ensure_tiny_model


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """The tiny model runs fastest on one thread, above all when other work shares the cores."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def init_model_dir(tmp_path_factory):
    return ensure_tiny_model(tmp_path_factory.mktemp("tiny-cache"), warmup=False, progress=False)


@pytest.fixture(scope="session")
def tokenizer(init_model_dir):
    return AutoTokenizer.from_pretrained(init_model_dir)


@pytest.fixture(scope="session")
def model(init_model_dir):
    return AutoModelForCausalLM.from_pretrained(init_model_dir)
