"""verl's own data sources: every name verl 0.9.1 scores is routed, read in verl's answer
convention and put on verl's scale; where verl's string comparison marks a right answer wrong,
ours does not. verl's ``default_compute_score`` runs beside ours as the reference."""

import ast
import inspect

import numpy as np
import pytest
from verl.utils import reward_score

from reward_fns import UnknownDataSource, compute_score, compute_score_batch
from reward_fns.dispatch import _delegate_to_verl, domain_of

CODE_NAMES = {"codecontests", "apps", "codeforces", "taco"}


def verl_data_source_names() -> tuple[set[str], set[str]]:
    """The exact names and the prefixes verl's default_compute_score tests for, read from its
    source (so a verl upgrade that adds a name fails this test)."""
    tree = ast.parse(inspect.getsource(reward_score.default_compute_score))
    names, prefixes = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and getattr(node.left, "id", "") == "data_source":
            for comparator in node.comparators:
                value = ast.literal_eval(comparator)
                names.update([value] if isinstance(value, str) else value)
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "startswith"
            and getattr(node.func.value, "id", "") == "data_source"
        ):
            prefixes.add(ast.literal_eval(node.args[0]))
    return names, prefixes


def correct_response(data_source: str) -> tuple[str, object]:
    """A correct answer in the convention verl's scorer for ``data_source`` expects."""
    if data_source == "openai/gsm8k":
        return "6 * 12 = 72.\n#### 72", "72"
    if data_source in ("math_dapo", "math", "math_dapo_reasoning") or data_source.startswith(
        "aime"
    ):
        return "So 40 + 2 = 42.\nAnswer: 42", "42"
    if data_source == "hiyouga/geometry3k":
        return "<think>the angle is 30</think> \\boxed{30}", "30"
    if data_source.startswith("searchR1_"):
        return "<answer>Paris</answer>", {"target": np.array(["Paris"])}
    return "The answer is \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}"


VERL_NAMES, VERL_PREFIXES = verl_data_source_names()


def test_verl_scores_the_names_this_test_reads():
    assert {"openai/gsm8k", "math_dapo", "hiyouga/geometry3k", "searchR1_nq"} <= VERL_NAMES
    assert VERL_PREFIXES == {"aime"}


@pytest.mark.parametrize("data_source", sorted(VERL_NAMES - CODE_NAMES) + ["aime2024", "aime25"])
def test_every_verl_data_source_scores_a_correct_answer_like_verl(data_source):
    response, truth = correct_response(data_source)
    ours = compute_score(data_source, response, truth)
    verls = reward_score.default_compute_score(data_source, response, truth)
    verl_score = verls["score"] if isinstance(verls, dict) else float(verls)
    assert ours["acc"] == 1.0 and ours["error"] == ""
    assert ours["score"] == verl_score == 1.0


@pytest.mark.parametrize("data_source", sorted(CODE_NAMES))
def test_verl_code_names_keep_prorl_code_rule(data_source, make_code_truth, as_fenced):
    truth = make_code_truth(["2 3\n", "1 1\n"], ["5\n", "2\n"])
    program = "print(sum(map(int, input().split())))"
    assert domain_of(data_source) == "code"
    assert compute_score(data_source, as_fenced(program), truth)["score"] == 1.0
    assert compute_score(data_source, as_fenced("print(5)"), truth)["score"] == 0.5
    assert compute_score(data_source, program, truth)["score"] == 0.0  # no fenced block


# (data_source, response, ground truth, right score, why verl's string comparison misses it)
VERL_MISSES = [
    ("openai/gsm8k", "#### 72.00", "72", 1.0, "72.00 is 72"),
    ("openai/gsm8k", "#### $1,072", "1072", 1.0, "a dollar sign before the number"),
    ("math_dapo", "Answer: \\frac{1}{2}", "0.5", 1.0, "1/2 is 0.5"),
    ("aime2024", "Answer: 0.5", "\\frac{1}{2}", 1.0, "0.5 is 1/2"),
    ("math_dapo", "Answer: x=1/2", "\\frac12", 1.0, "1/2 written two ways"),
]


@pytest.mark.parametrize(("data_source", "response", "truth", "right", "why"), VERL_MISSES)
def test_equal_answers_verl_marks_wrong_score_right(data_source, response, truth, right, why):
    verls = reward_score.default_compute_score(data_source, response, truth)
    verl_score = verls["score"] if isinstance(verls, dict) else float(verls)
    assert verl_score != right, f"verl now accepts it ({why}): drop the case"
    assert compute_score(data_source, response, truth)["score"] == right


@pytest.mark.parametrize(
    ("response", "score", "acc"),
    [
        ("Answer: 42", 1.0, 1.0),
        ("Answer: 41", -1.0, 0.0),
        ("no answer line at all", -1.0, 0.0),
        ("<think>never closed. Answer: 42", -1.0, 0.0),
        ("work...\n\\boxed{42}", 1.0, 1.0),  # DAPO's fallback: the boxed answer
    ],
)
def test_dapo_scale_is_plus_or_minus_one(response, score, acc):
    result = compute_score("math_dapo", response, "42")
    assert (result["score"], result["acc"]) == (score, acc)


@pytest.mark.parametrize(
    ("response", "score", "acc"),
    [
        ("<think>r</think> so \\boxed{30}", 1.0, 1.0),  # 0.9 answer + 0.1 format
        ("so \\boxed{30}", 0.9, 1.0),
        ("<think>r</think> so \\boxed{31}", 0.1, 0.0),
        ("so \\boxed{31}", 0.0, 0.0),
    ],
)
def test_geometry3k_scale_is_answer_plus_format(response, score, acc):
    result = compute_score("hiyouga/geometry3k", response, "30")
    assert result["score"] == pytest.approx(score) and result["acc"] == acc


@pytest.mark.parametrize(
    ("response", "score"),
    [
        ("<answer> the  Eiffel Tower! </answer>", 1.0),  # case, article, punctuation, spaces
        ("<answer>Tower</answer>", 0.0),
        ("no tags", 0.0),
        ("<answer>x</answer>" * 11 + "<answer>eiffel tower</answer>", 0.25),  # tag spam
    ],
)
def test_search_r1_exact_match(response, score):
    truth = {"target": ["Eiffel Tower", "La tour Eiffel"]}
    assert compute_score("searchR1_hotpotqa", response, truth)["score"] == score


def test_prime_math_names_keep_prorl_math_rule():
    assert domain_of("numina_olympiads") == "math"
    assert compute_score("numina_olympiads", "\\boxed{\\frac{1}{2}}", "0.5")["score"] == 1.0
    assert compute_score("numina_olympiads", "so the answer is 12.", "12")["score"] == 0.0


def test_an_unknown_name_lists_the_known_names_and_the_verl_option():
    with pytest.raises(UnknownDataSource) as raised:
        compute_score("my_dataset", "\\boxed{1}", "1")
    message = str(raised.value)
    for expected in ("openai/gsm8k", "aime*", "numina_*", "searchR1_*", "prorl/<domain>"):
        assert expected in message
    assert "unknown_data_source='verl'" in message


def test_unknown_to_verl_as_well_raises_even_when_delegating():
    with pytest.raises(UnknownDataSource, match="Reward function is not implemented"):
        compute_score("my_dataset", "\\boxed{1}", "1", unknown_data_source="verl")


def test_delegation_runs_verl_own_scorer_in_a_worker():
    correct = _delegate_to_verl("openai/gsm8k", "#### 72", "72", None)
    wrong = _delegate_to_verl("math_dapo", "Answer: 7", "8", None)
    assert (correct["score"], correct["acc"]) == (1.0, 1.0)
    assert (wrong["score"], wrong["acc"]) == (-1.0, 0.0)  # verl's own scale, kept


def test_options_are_checked():
    with pytest.raises(ValueError, match="unknown_data_source"):
        compute_score("openai/gsm8k", "#### 1", "1", unknown_data_source="maybe")
    with pytest.raises(ValueError, match="think_tags"):
        compute_score_batch(["openai/gsm8k"], ["#### 1"], ["1"], None, think_tags="off")


def test_batch_scores_verl_names_with_their_scales():
    sources = ["openai/gsm8k", "math_dapo", "hiyouga/geometry3k", "searchR1_nq"]
    responses = ["#### 5", "Answer: 6", "\\boxed{7}", "<answer>8</answer>"]
    truths = ["5", "7", "7", {"target": ["8"]}]
    scores = [r["score"] for r in compute_score_batch(sources, responses, truths, None)]
    assert scores == pytest.approx([1.0, -1.0, 0.9, 1.0])


def test_options_reach_us_through_verl_reward_kwargs():
    """The README's override, composed by Hydra against verl's own config and loaded by verl."""
    import os

    import verl
    from hydra import compose, initialize_config_dir
    from verl.trainer.ppo.reward import get_custom_reward_fn

    config_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    overrides = [
        "reward.custom_reward_function.path=pkg://reward_fns",
        "+reward.custom_reward_function.reward_kwargs.think_tags=ignore",
    ]
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        config = compose(config_name="ppo_trainer", overrides=overrides)
    fn = get_custom_reward_fn(config)
    result = fn(data_source="math_dapo", solution_str="<think>Answer: 7", ground_truth="7")
    assert result["score"] == 1.0  # unclosed <think>: graded whole, as the option asks
