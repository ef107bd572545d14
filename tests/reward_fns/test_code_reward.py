"""Code: fraction of ALL tests passed, syntax error 0, shared 5 s budget, three ground-truth forms."""

import json

import pytest

from reward_fns import compute_score
from reward_fns.code_reward import CODE_BUDGET_S, parse_ground_truth


def grade(code, truth):
    return compute_score("prorl/code/test", f"Solution:\n```python\n{code}\n```", truth)


def stdio(inputs, outputs):
    return json.dumps({"inputs": inputs, "outputs": outputs})


ADD = "a, b = map(int, input().split())\nprint(a + b)"


def test_all_tests_run_and_partial_passes_score_the_fraction():
    # The program is wrong on the 2nd and 4th of five tests; verl's prime_code would stop at the first failure.
    truth = stdio(["1 2", "2 2", "5 5", "0 0", "7 1"], ["3", "5", "10", "1", "8"])
    result = grade(ADD, truth)
    assert result["score"] == pytest.approx(3 / 5)
    assert result["acc"] == 0.0
    assert grade(ADD, stdio(["1 2", "5 5"], ["3", "10"]))["acc"] == 1.0


def test_runtime_error_on_one_test_only_fails_that_test():
    code = "n = int(input())\nprint(10 // n)"
    assert grade(code, stdio(["2", "0", "5"], ["5", "0", "2"]))["score"] == pytest.approx(2 / 3)


def test_syntax_error_scores_zero():
    result = grade("def f(:\n  pass", stdio(["1"], ["1"]))
    assert result["score"] == 0.0 and "SyntaxError" in result["error"]


def test_last_fenced_block_is_graded_and_missing_block_scores_zero():
    truth = stdio(["1 2"], ["3"])
    two_blocks = f"```python\nprint('nope')\n```\nbetter:\n```python\n{ADD}\n```"
    assert compute_score("prorl/code/t", two_blocks, truth)["score"] == 1.0
    assert compute_score("prorl/code/t", ADD, truth)["error"] == "no fenced code block"


def test_output_comparison_is_token_wise_and_whitespace_insensitive():
    code = "print('1 2   ')\nprint('3')\nprint()\nprint()"
    assert grade(code, stdio([""], ["1 2\n3"]))["score"] == 1.0
    assert grade("print(' 3')", stdio([""], ["3"]))["score"] == 1.0
    assert grade("print('3\\n4')", stdio([""], ["3  4"]))["score"] == 1.0  # any whitespace splits
    assert grade("print('34')", stdio([""], ["3 4"]))["score"] == 0.0  # but tokens must match
    assert grade("print('3 4 5')", stdio([""], ["3 4"]))["score"] == 0.0


def test_abnormal_exit_fails_even_with_right_output():
    assert grade("print(3)\nraise SystemExit(2)", stdio([""], ["3"]))["score"] == 0.0
    assert grade("import sys\nprint(3)\nsys.exit(0)", stdio([""], ["3"]))["score"] == 1.0


@pytest.mark.timeout(60)
def test_infinite_loop_scores_zero_and_is_flagged():
    result = grade("while True:\n    pass", stdio(["1"], ["1"]))
    assert result["score"] == 0.0 and result["timeout"] == 1.0


@pytest.mark.timeout(60)
def test_tests_not_reached_within_the_shared_budget_count_as_failed():
    per_test = CODE_BUDGET_S * 0.4  # two tests fit the budget, the third does not
    code = f"import time\ntime.sleep({per_test})\nprint(input())"
    result = grade(code, stdio(["a", "b", "c"], ["a", "b", "c"]))
    assert result["score"] == pytest.approx(2 / 3) and result["timeout"] == 1.0


def test_call_based_function_with_positional_arguments():
    truth = json.dumps({"fn_name": "add", "inputs": [[1, 2], [3, 4], [0, 0]], "outputs": [3, 7, 1]})
    assert grade("def add(a, b):\n    return a + b", truth)["score"] == pytest.approx(2 / 3)


def test_call_based_solution_class_and_wrapped_expected_value():
    # APPS/TACO wrap the expected value in a one-element list; tuples come back as lists.
    truth = json.dumps({"fn_name": "pair", "inputs": [[2], [5]], "outputs": [[[2, 4]], [[5, 10]]]})
    code = "class Solution:\n    def pair(self, n):\n        return (n, 2 * n)"
    assert grade(code, truth)["score"] == 1.0
    assert grade("def pair(n):\n    return [n, 2 * n + 1]", truth)["score"] == 0.0


def test_prime_code_call_form_from_eurus_data():
    # Each input: one JSON argument per line; each output: a JSON string.
    truth = json.dumps(
        {"fn_name": "f", "inputs": ["[1, 2, 3]\n2", "[]\n5"], "outputs": ["[2, 4, 6]", "[]"]}
    )
    assert grade("def f(xs, k):\n    return [x * k for x in xs]", truth)["score"] == 1.0
    tests = parse_ground_truth(truth)
    assert tests.inputs == [[[1, 2, 3], 2], [[], 5]] and tests.expected == [[2, 4, 6], []]


def test_float_return_values_compare_within_1e6_not_looser():
    truth = json.dumps({"fn_name": "f", "inputs": [[]], "outputs": [0.3]})
    assert grade("def f():\n    return 0.1 + 0.2", truth)["score"] == 1.0
    assert grade("def f():\n    return 0.3000001", truth)["score"] == 1.0
    assert grade("def f():\n    return 0.3001", truth)["score"] == 0.0


def test_solutions_can_import_installed_packages():
    code = "import numpy as np\nprint(int(np.arange(int(input())).sum()))"
    assert grade(code, stdio(["5", "10"], ["10", "45"]))["score"] == 1.0


# --- comparison loopholes and output caps ------------------------------------------------------


def test_integers_compare_exactly_and_floats_within_the_tolerance():
    big = "12345678901234567890"
    assert grade(f"print({big})", stdio([""], [big]))["score"] == 1.0
    assert grade(f"print({big} + 1)", stdio([""], [big]))["score"] == 0.0  # off by one
    assert grade(f"print(float({big}))", stdio([""], [big]))["score"] == 0.0
    assert grade("print(10.0)", stdio([""], ["10"]))["score"] == 0.0  # not an integer token
    assert grade("print(1/3)", stdio([""], ["0.333333"]))["score"] == 1.0  # a float token
    assert grade("print(0.3334)", stdio([""], ["0.333333"]))["score"] == 0.0


def test_call_based_integers_compare_exactly():
    truth = json.dumps({"fn_name": "f", "inputs": [[]], "outputs": [10**20]})
    assert grade("def f():\n    return 10**20", truth)["score"] == 1.0
    assert grade("def f():\n    return 10**20 + 1", truth)["score"] == 0.0
    assert grade("def f():\n    return 1e20", truth)["score"] == 0.0  # a float is not the int
    assert (
        grade("def f():\n    return True", json.dumps({**json.loads(truth), "outputs": [1]}))[
            "score"
        ]
        == 0.0
    )


@pytest.mark.timeout(60)
def test_output_beyond_the_cap_is_not_read_and_fails():
    """A program printing 12 MB against a 1-byte expected output: the sandbox reports it as too
    long without reading it (cap: 2 x expected + 4 KiB), the test fails, the next passes."""
    truth = stdio(["big", "small"], ["1", "1"])
    code = "s = input()\nprint('1' * (12 << 20) if s == 'big' else 1)"
    result = grade(code, truth)
    assert result["score"] == 0.5 and result["sandbox_kill"] == 0.0
    from reward_fns.code_reward import output_cap
    from reward_fns.sandbox import run_tests

    run = run_tests(code, ["big", "small"], [output_cap("1", False)] * 2)
    assert run.tests[0]["status"] == "too_long" and "output" not in run.tests[0]
    assert run.tests[1] == {"test": 1, "status": "ok", "output": "1\n"}


@pytest.mark.timeout(60)
def test_a_huge_returned_value_is_not_read():
    truth = json.dumps({"fn_name": "f", "inputs": [[]], "outputs": [[1, 2]]})
    assert grade("def f():\n    return list(range(3_000_000))", truth)["score"] == 0.0


def test_a_sandbox_sending_more_than_its_result_cap_is_killed_and_flagged(monkeypatch):
    """The scorer's last bound: a result pipe over its cap (here shrunk to 100 bytes) is cut,
    the namespace killed, the solution scored 0 and the kill counted."""
    import reward_fns.sandbox as sandbox

    monkeypatch.setattr(sandbox, "result_bytes_cap", lambda caps: 100)
    result = grade("print('x' * 200)", stdio([""] * 3, ["x" * 200] * 3))
    assert (
        result["score"] == 0.0 and result["error"] == "the sandbox wrote more than its output cap"
    )
    assert result["sandbox_kill"] == 1.0 and result["scorer_error"] == 0.0
    assert grade(ADD, stdio(["1 2"], ["3"]))["sandbox_kill"] == 0.0
