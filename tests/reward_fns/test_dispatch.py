"""Routing, the thinking rule, the result shape and verl's loader, against the documented contract."""

import json
import os

import numpy as np
import pytest
from omegaconf import OmegaConf

import reward_fns
from reward_fns import UnknownDataSource, compute_score, compute_score_batch
from reward_fns.dispatch import domain_of
from reward_fns.result import FAILURE_FLAGS

KEYS = {"score", "acc", "domain", "pred", "error"} | set(FAILURE_FLAGS)


@pytest.mark.parametrize(
    ("data_source", "domain"),
    [
        ("prorl/math/deepscaler", "math"),
        ("prorl/code/apps", "code"),
        ("prorl/stem/scp", "stem"),
        ("prorl/reasoning_gym/graph_color", "reasoning_gym"),
        ("prorl/ifeval/nemotron", "ifeval"),
        ("apps", "code"),
        ("codecontests", "code"),
        ("codeforces", "code"),
        ("taco", "code"),
        ("numina_olympiads", "math"),
        ("numina_cn_k12", "math"),
    ],
)
def test_routes_by_prefix_and_common_verl_names(data_source, domain):
    assert domain_of(data_source) == domain


@pytest.mark.parametrize(
    "data_source", ["gsm8k", "prorl/poetry/x", "prorl", "", None, "Prorl/math/x", "xprorl/math/y"]
)
def test_unknown_data_source_raises_a_clear_error(data_source):
    with pytest.raises(UnknownDataSource, match="unknown data_source"):
        compute_score(data_source, "\\boxed{1}", "1")


def test_batch_checks_every_data_source_before_scoring_any(monkeypatch):
    graded = []
    monkeypatch.setattr(reward_fns.dispatch, "_grade", lambda *args: graded.append(args) or {})
    with pytest.raises(UnknownDataSource, match="batch item 2"):
        compute_score_batch(
            ["prorl/math/a", "prorl/math/a", "nope"], ["\\boxed{1}"] * 3, ["1"] * 3, [{}] * 3
        )
    assert graded == []


def test_batch_rejects_columns_of_different_length():
    with pytest.raises(ValueError, match="differ in length"):
        compute_score_batch(["prorl/math/a"], ["a", "b"], ["1"], None)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("<think>maybe \\boxed{2}</think> so \\boxed{4}", 1.0),  # graded after </think>
        (
            "<think>it is \\boxed{4}</think> I say \\boxed{5}",
            0.0,
        ),  # the thought's answer does not count
        ("<think>a</think><think>b</think>\\boxed{4}", 1.0),  # after the LAST </think>
        ("<think>\\boxed{4} and I never stop thinking", 0.0),  # opened, never closed
        (
            "<think>a</think><think>\\boxed{4}",
            0.0,
        ),  # reopened after the last </think>, never closed
        ("<think>a</think>\\boxed{4}<think>", 0.0),  # the answer is followed by thinking again
        ("\\boxed{4}", 1.0),  # no tags: whole text
    ],
)
def test_thinking_rule(response, expected):
    result = compute_score("prorl/math/t", response, "4")
    assert result["score"] == expected
    if expected == 0.0 and "<think>" in response.rsplit("</think>", 1)[-1]:
        assert "never closed" in result["error"]


HOSTILE = [
    None,
    b"\\boxed{4}",
    12345,
    "",
    "\x00\x00",
    "\\boxed{",
    "}" * 1000,
    "\\boxed{" * 5000,
    "\ud800",
    "a" * 2_000_000,
    "<answer>" * 50_000,  # quadratic for a regex scan
    "\\boxed{" + "\\text{" * 3000 + "B" + "}" * 3001,  # deep wrappers
    "```python\n" * 20_000,
]
RG_TRUTH = json.dumps(
    {"task": "basic_arithmetic", "entry": {"question": "1+1=?", "answer": "2", "metadata": {}}}
)
IFEVAL_TRUTH = json.dumps(
    {"instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}], "prompt": "p"}
)


@pytest.mark.timeout(120)  # a hang guard, not a speed check
@pytest.mark.parametrize("response", HOSTILE, ids=range(len(HOSTILE)))
def test_never_raises_on_model_output_and_keeps_one_shape(response):
    for data_source, truth in [
        ("prorl/math/x", "4"),
        ("prorl/stem/x", "B"),
        ("prorl/code/x", json.dumps({"inputs": ["1\n"], "outputs": ["1\n"]})),
        ("prorl/reasoning_gym/basic_arithmetic", RG_TRUTH),
        ("prorl/ifeval/x", IFEVAL_TRUTH),
    ]:
        result = compute_score(data_source, response, truth)
        assert set(result) == KEYS
        assert 0.0 <= result["score"] <= 1.0
        assert result["acc"] in (0.0, 1.0)


def test_batch_returns_the_same_results_as_single_calls():
    sources = ["prorl/math/a", "prorl/math/a", "prorl/stem/b", "prorl/stem/b"]
    responses = ["\\boxed{\\frac{1}{2}}", "\\boxed{0.49}", "\\boxed{(C)}", "\\boxed{D}"]
    truths = ["0.5", "0.5", "C", "C"]
    batch = compute_score_batch(sources, responses, truths, [{}] * 4)
    assert [r["score"] for r in batch] == [1.0, 0.0, 1.0, 0.0]
    assert batch == [
        compute_score(s, r, t) for s, r, t in zip(sources, responses, truths, strict=True)
    ]


def test_malformed_ground_truth_fails_its_item_with_the_reason():
    result = compute_score("prorl/code/x", "```python\nprint(1)\n```", "not json")
    assert result["score"] == 0.0 and "code ground truth" in result["error"]
    result = compute_score(
        "prorl/ifeval/x", "hi", json.dumps({"instruction_id_list": ["no:such_id"], "kwargs": [{}]})
    )
    assert result["score"] == 0.0 and "ifeval ground truth" in result["error"]


@pytest.mark.parametrize("path", ["verl_entry.py", None])
def test_verl_custom_reward_loader_scores_a_row(path):
    """verl 0.9.1's own loader (file path, or pkg:// module), as `reward.custom_reward_function` uses it."""
    from verl.trainer.ppo.reward import get_custom_reward_fn

    module_path = (
        os.path.join(os.path.dirname(reward_fns.__file__), path) if path else "pkg://reward_fns"
    )
    config = OmegaConf.create(
        {
            "reward": {
                "custom_reward_function": {
                    "path": module_path,
                    "name": "compute_score",
                    "reward_kwargs": {},
                }
            }
        }
    )
    fn = get_custom_reward_fn(config)
    row = {
        "data_source": "prorl/math/aime",
        "reward_model": {"ground_truth": "204"},
        "extra_info": {"index": 0},
    }
    result = fn(
        data_source=row["data_source"],
        solution_str="<think>hmm</think>The answer is \\boxed{204}.",
        ground_truth=row["reward_model"]["ground_truth"],
        extra_info=row["extra_info"],
    )
    assert result["score"] == 1.0 and result["acc"] == 1.0


def test_ground_truths_stored_as_parquet_structs_read_back_by_pandas(tmp_path):
    # pandas turns parquet lists into NumPy arrays and a struct's absent keys into None
    import pandas as pd

    rows = [
        {
            "data_source": "prorl/ifeval/x",
            "ground_truth": {
                "instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words"],
                "kwargs": [{}, {"relation": "at least", "num_words": 3}],
                "prompt": "p",
            },
            "responses": {"no comma here": 1.0, "a, b, c": 0.5, "short": 0.5},
        },
        {
            "data_source": "prorl/code/x",
            "ground_truth": {"inputs": ["1\n", "2\n"], "outputs": ["2\n", "4\n"]},
            "responses": {
                "```python\nprint(2 * int(input()))\n```": 1.0,
                "```python\nprint(2)\n```": 0.5,
            },
        },
        {
            "data_source": "prorl/math/x",
            "ground_truth": ["7", "seven"],
            "responses": {"\\boxed{7}": 1.0, "\\boxed{8}": 0.0},
        },
    ]
    for row in rows:
        path = tmp_path / "rows.parquet"
        pd.DataFrame([{"gt": row["ground_truth"]}]).to_parquet(path)
        stored = pd.read_parquet(path)["gt"][0]
        # the shape a pandas reader hands over, not the Python object written
        if isinstance(stored, dict):
            assert any(isinstance(value, np.ndarray) for value in stored.values())
        else:
            assert isinstance(stored, np.ndarray)
        for response, expected in row["responses"].items():
            result = compute_score(row["data_source"], response, stored)
            assert result["score"] == pytest.approx(expected), (
                row["data_source"],
                response,
                result,
            )
