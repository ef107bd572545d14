"""Math edge cases found against math-verify's own test suite: several boxes are one answer,
multi-line golds reach both graders whole, the think-tag switch; and the agreement with
math-verify's published cases (tests/fixtures/reward_fns/math_verify.json)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from reward_fns import compute_score, compute_score_batch
from reward_fns.extract import all_boxed, boxed_answer
from reward_fns.math_grader import answers_match
from reward_fns.math_reward import _math_verify_accepts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "reward_fns"
MATRIX_GOLD = "\\begin{pmatrix}\n -7 & 6 \\\\\n 11 & -9\n \\end{pmatrix}"


def score(response, truth, **options):
    return compute_score("prorl/math/t", response, truth, **options)["score"]


@pytest.mark.parametrize(
    ("text", "boxes", "answer"),
    [
        ("\\boxed{1} and \\boxed{2}", ["1", "2"], "1, 2"),
        ("\\boxed{4}. Again: \\boxed{ 4 }", ["4", " 4 "], "4"),  # a repeat is one answer
        ("\\boxed{\\boxed{3}}", ["\\boxed{3}"], "\\boxed{3}"),  # nested: the outer box
        ("\\fbox{a} \\boxed 5 $", ["a", "5"], "a, 5"),
        ("\\boxed{1} then \\boxed{2", ["1", None], None),  # cut off: no answer
        ("use \\boxed{} for it", [""], None),
        ("no box", [], None),
    ],
)
def test_boxes_are_read_together(text, boxes, answer):
    assert all_boxed(text) == boxes
    assert boxed_answer(text) == answer


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("The points are \\boxed{(1,2)} and \\boxed{(3,4)}.", "(1,2), (3,4)", 1.0),
        ("The points are \\boxed{(3,4)} and \\boxed{(1,2)}.", "(1,2), (3,4)", 1.0),  # a set
        ("\\boxed{1} or \\boxed{2}", "1", 0.0),  # a hedge is a wrong list
        ("\\boxed{1} or \\boxed{2}", "2", 0.0),
        ("\\boxed{-2} and \\boxed{1}", "1, -2", 1.0),
        ("\\boxed{1}", "1, -2", 0.0),  # half of the solutions
        ("\\boxed{1}, \\boxed{-2}, \\boxed{3}", "1, -2", 0.0),  # one too many
        ("\\boxed{32, 349}", "32349", 0.0),  # a list is not a number
        ("\\boxed{1,000}", "1000", 1.0),  # a thousands separator is
    ],
)
def test_several_boxes_are_one_answer(response, gold, expected):
    assert score(response, gold) == expected


def test_a_gold_of_several_boxes_is_one_answer():
    gold = "\\boxed{x=-2} and \\boxed{x=1}"
    assert score("\\boxed{1}, \\boxed{-2}", gold) == 1.0
    assert score("\\boxed{1, -2}", gold) == 1.0
    assert score("\\boxed{1}", gold) == 0.0


def test_a_multi_line_gold_reaches_both_graders_whole():
    one_line = "\\begin{bmatrix} -7 & 6 \\\\ 11 & -9 \\end{bmatrix}"
    last_row_only = "\\begin{bmatrix} 11 & -9 \\end{bmatrix}"
    assert _math_verify_accepts(MATRIX_GOLD, one_line.replace("bmatrix", "pmatrix"))
    assert _math_verify_accepts(MATRIX_GOLD, one_line)  # pmatrix and bmatrix: one matrix
    assert not _math_verify_accepts(MATRIX_GOLD, "-9")  # before the fix: the last number
    assert not _math_verify_accepts(MATRIX_GOLD, last_row_only)
    assert answers_match(MATRIX_GOLD, one_line.replace("bmatrix", "pmatrix"))
    assert _math_verify_accepts("\\{1,\n2\\}", "\\{2, 1\\}")
    assert not _math_verify_accepts("\\{1,\n2\\}", "2")
    assert score(f"\\boxed{{{one_line}}}", MATRIX_GOLD) == 1.0


@pytest.mark.parametrize(
    ("response", "prorl", "ignore"),
    [
        ("<think>hmm</think> \\boxed{5}", 1.0, 1.0),
        ("<think>hmm \\boxed{5}", 0.0, 1.0),  # unclosed: ours 0, verl's whole-text reading 1
        ("<think>guess \\boxed{4}</think> \\boxed{5}", 1.0, 0.0),  # whole text: the list 4, 5
        ("\\boxed{5}", 1.0, 1.0),
    ],
)
def test_think_tag_rule_and_verl_switch(response, prorl, ignore):
    assert score(response, "5") == prorl
    assert score(response, "5", think_tags="ignore") == ignore


# math-verify's cases where we disagree, each with which side is right and why (README).
DISAGREEMENTS = {
    ("test_number_extraction", "1000.99", "1000,99"): "decimal comma: boxed, a list",
    ("test_number_extraction", "1,22", "1.22"): "decimal comma: boxed, a list",
    ("test_number_extraction", "0,111", "0.111"): "decimal comma gold, decimal answer exact",
    ("test_latex_notation", "$9$", "Answer $ \n 9 \n $"): "math-verify skips $ over lines",
    ("test_math_extraction_additional_cases", "$10455$", None): "boxes are intermediate",
    ("test_relations_math", "$x^2/4 + y^2/3 = 1$", None): "a cold worker's 2 s bound",
}


def test_agreement_with_math_verify_published_cases():
    fixture = json.loads((FIXTURES / "math_verify.json").read_text())
    cases = fixture["cases"]
    results = compute_score_batch(
        ["prorl/math/math_verify"] * len(cases),
        [case["response"] for case in cases],
        [case["ground_truth"] for case in cases],
        None,
    )
    disagreements = {
        (case["suite"], case["gold"], case["pred"])
        for case, result in zip(cases, results, strict=True)
        if result["score"] != case["expected"]
    }
    documented = {
        key
        for key in disagreements
        if key in DISAGREEMENTS or (key[0], key[1], None) in DISAGREEMENTS
    }
    assert disagreements == documented, f"undocumented: {disagreements - documented}"
    per_suite = Counter(case["suite"] for case in cases)
    assert sum(per_suite.values()) == 125 and len(disagreements) <= len(DISAGREEMENTS)


def test_many_boxes_are_read_in_one_pass():
    text = "\\boxed{1}" * 100_000 + " \\fbox{2}"
    contents = all_boxed(text)
    assert len(contents) == 100_001 and contents[-1] == "2"
    assert boxed_answer(text) == "1, 2"
