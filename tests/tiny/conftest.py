"""Shared fixtures: one random-init tiny model built per test session (a few seconds)."""

import pytest
from transformers import AutoModelForCausalLM, AutoTokenizer

from prorl_verl.tiny import ensure_tiny_model


@pytest.fixture(scope="session")
def init_model_dir(tmp_path_factory):
    return ensure_tiny_model(tmp_path_factory.mktemp("tiny-cache"), warmup=False, progress=False)


@pytest.fixture(scope="session")
def tokenizer(init_model_dir):
    return AutoTokenizer.from_pretrained(init_model_dir)


@pytest.fixture(scope="session")
def model(init_model_dir):
    return AutoModelForCausalLM.from_pretrained(init_model_dir)
