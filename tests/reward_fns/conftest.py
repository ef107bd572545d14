"""Shared builders for reward_fns tests: ground-truth JSON in each domain's documented form."""

import json

import pytest


def code_truth(inputs, outputs, fn_name=None) -> str:
    spec = {"inputs": inputs, "outputs": outputs}
    if fn_name:
        spec["fn_name"] = fn_name
    return json.dumps(spec)


def fenced(code: str) -> str:
    return f"Here is my solution.\n```python\n{code}\n```\n"


@pytest.fixture
def make_code_truth():
    return code_truth


@pytest.fixture
def as_fenced():
    return fenced
