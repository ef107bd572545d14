"""Code grading against published test data: verl's PRIME cases, HumanEval's asserts (run by
HumanEval's own ``check`` beside us); LeetCode-style programs; malformed test cases."""

import json
from pathlib import Path

import pytest

from reward_fns import compute_score, compute_score_batch

FIXTURES = Path(__file__).parents[1] / "fixtures" / "reward_fns"


def load(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text())["cases"]


def test_verl_reward_score_cases():
    """verl's tests/utils/reward_score/test_sandbox_on_cpu.py: PRIME math pairs (equivalent by
    the test's own comments) and PRIME code samples with their asserted scores 1.0 and 0.9.

    verl's responses are bare (an unboxed expression, a program outside any code fence), which
    ProRL's rule scores 0: an answer must be boxed, a program fenced. Boxed and fenced, every
    case agrees but one, where ours is right: the second code sample changes one of 11
    expected outputs (the 4th), so 10 of 11 tests pass; verl's 0.9 comes from re-running only
    the first 10 tests one by one after a failure (9 of 10). ProRL scores ALL tests."""
    cases = load("verl_reward_score.json")
    sources = [case["data_source"] for case in cases]
    truths = [case["ground_truth"] for case in cases]
    bare = compute_score_batch(sources, [case["response"] for case in cases], truths, None)
    assert [r["score"] for r in bare] == [0.0] * len(cases)
    marked = [
        f"```python\n{c['response']}\n```"
        if c["data_source"] == "codecontests"
        else f"\\boxed{{{c['response']}}}"
        for c in cases
    ]
    results = compute_score_batch(sources, marked, truths, None)
    expected = [case["expected"] for case in cases]
    assert expected[4] == 0.9 and len(json.loads(cases[4]["ground_truth"])["outputs"]) == 11
    expected[4] = 10 / 11
    assert [r["score"] for r in results] == pytest.approx(expected)


LEETCODE = """
class Solution:
    def topKFrequent(self, nums: List[int], k: int) -> List[int]:
        counts = Counter(nums)
        best = heapq.nlargest(k, counts, key=counts.get)
        queue = deque(sorted(best))
        return [queue.popleft() for _ in range(len(queue))]

    @lru_cache(maxsize=None)
    def unused(self, n: int) -> int:
        return bisect_left([1, 2, 3], n) + floor(sqrt(n)) + pow(2, 10, 1000)
"""


def test_leetcode_solution_runs_with_the_judge_imports(make_code_truth, as_fenced):
    truth = make_code_truth([[[1, 1, 1, 2, 2, 3], 2], [[1], 1]], [[1, 2], [1]], "topKFrequent")
    assert compute_score("prorl/code/leetcode", as_fenced(LEETCODE), truth)["score"] == 1.0


def test_builtin_pow_is_not_shadowed_by_math(make_code_truth, as_fenced):
    code = "class Solution:\n    def f(self, a):\n        return pow(a, 3, 5)"
    truth = make_code_truth([[2]], [3], "f")
    assert compute_score("prorl/code/x", as_fenced(code), truth)["score"] == 1.0


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"inputs": ["1\n", None], "outputs": ["1\n", "2\n"]}, "inputs[1]"),
        ({"inputs": ["1\n", 5], "outputs": ["1\n", "2\n"]}, "inputs[1]"),
        ({"inputs": ["1\n"], "outputs": [{"x": 1}]}, "outputs[0]"),
        ({"inputs": [None], "outputs": [1], "fn_name": "f"}, "inputs[0]"),
        ({"inputs": ["1\nnot json"], "outputs": ["1"], "fn_name": "f"}, "inputs[0]"),
        ({"inputs": [[1]], "outputs": [1], "fn_name": 7}, "fn_name"),
    ],
)
def test_a_malformed_test_case_fails_its_item_naming_the_field(spec, field, as_fenced):
    result = compute_score("prorl/code/x", as_fenced("print(1)"), json.dumps(spec))
    assert result["score"] == 0.0 and field in result["error"]


def test_a_malformed_item_does_not_fail_the_batch(make_code_truth, as_fenced):
    good = make_code_truth(["3\n"], ["3\n"])
    bad = json.dumps({"inputs": [None], "outputs": ["3\n"]})
    results = compute_score_batch(
        ["prorl/code/x", "apps", "prorl/math/x"],
        [as_fenced("print(input())")] * 2 + ["\\boxed{3}"],
        [good, bad, "3"],
        None,
    )
    assert [r["score"] for r in results] == [1.0, 0.0, 1.0]
    assert "inputs[0]" in results[1]["error"]


def humaneval_passes(case: dict, program: str) -> bool:
    """HumanEval's own verdict: its ``check(candidate)`` on the program (trusted code only)."""
    namespace: dict = {}
    exec(program, namespace)
    exec(case["test"], namespace)
    try:
        namespace["check"](namespace[case["entry_point"]])
    except AssertionError:
        return False
    return True


def constant_program(case: dict) -> str:
    """A wrong solution that returns the first test's expected value for every call."""
    first = case["ground_truth"]["outputs"][0]
    return f"def {case['entry_point']}(*args):\n    return {first!r}\n"


def test_agreement_with_humaneval_check():
    cases = load("humaneval.json")
    programs = [c["prompt"] + c["canonical_solution"] for c in cases]
    programs += [constant_program(c) for c in cases]
    cases2 = cases + cases
    results = compute_score_batch(
        ["prorl/code/humaneval"] * len(programs),
        [f"```python\n{program}\n```" for program in programs],
        [json.dumps(c["ground_truth"]) for c in cases2],
        None,
    )
    for case, program, result in zip(cases2, programs, results, strict=True):
        outputs = case["ground_truth"]["outputs"]
        assert (result["score"] == 1.0) == humaneval_passes(case, program), case["task_id"]
    canonical, constant = results[: len(cases)], results[len(cases) :]
    assert all(r["score"] == 1.0 for r in canonical)
    for case, result in zip(cases, constant, strict=True):  # fraction of asserts it satisfies
        outputs = case["ground_truth"]["outputs"]
        expected = sum(json.dumps(o) == json.dumps(outputs[0]) for o in outputs) / len(outputs)
        assert result["score"] == pytest.approx(expected), case["task_id"]
