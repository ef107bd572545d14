"""Code (continuous). Graded: the last fenced code block of the graded text, a Python program.
Ground truth: JSON ``{"inputs": [...], "outputs": [...]}`` for stdin/stdout programs, or with
``"fn_name"`` for call-based problems (``inputs[i]`` the positional arguments, ``outputs[i]`` the
return value; PRIME/Eurus's form — each input a string of one JSON argument per line, each output
a JSON string — is accepted too). Score = fraction of ALL tests passed; no code block or a syntax
error scores 0. All tests of one solution share a ``CODE_BUDGET_S`` budget; tests not reached
count as failed. A stdin test passes when the program ends normally and its stdout matches
token by token (``output_match``: whitespace-insensitive, integers exact, a tolerance only where
the expected token is a float); a call test passes when the returned value matches the expected
one under the same rule (or its one-element-list wrapping, as in APPS/TACO).
Call-based programs (LeetCode's ``class Solution``) run with the imports LeetCode and
LiveCodeBench provide (``typing``, ``collections``, ``math``, ``heapq``, ``bisect``,
``itertools``, ``functools``...). A malformed test case (a null input, a wrong type) fails the
item with an error naming the field.
The code runs in ``sandbox`` (namespaces, unprivileged uid, limits); the expected outputs stay
here, and a test's output is read only up to ``output_cap`` of its expected size. Bound: budget +
sandbox start-up grace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reward_fns.extract import last_fenced_code
from reward_fns.ground_truth import load_json_object
from reward_fns.output_match import stdout_matches, values_match
from reward_fns.result import make_result
from reward_fns.sandbox import run_tests
from reward_fns.sandbox_harness import to_jsonable

CODE_BUDGET_S = 5.0
OUTPUT_SLACK_BYTES = 4096
# What a LeetCode-style solution may use without importing it, as the judges provide (the idea
# of LiveCodeBench's and APPS's prepended imports); builtins last, so ``math.pow`` does not
# shadow ``pow``.
CALL_PREAMBLE = (
    "import bisect, collections, copy, functools, heapq, itertools, math, operator, random, re,"
    " string, sys\n"
    "from typing import *\n"
    "from collections import *\n"
    "from heapq import *\n"
    "from bisect import *\n"
    "from itertools import *\n"
    "from functools import *\n"
    "from math import *\n"
    "from builtins import *\n"
)


@dataclass(frozen=True)
class CodeTests:
    inputs: list  # stdin strings, or argument lists for call-based tests
    expected: list  # stdout strings, or return values
    fn_name: str | None


def _as_text(value, field: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    raise ValueError(
        f"code ground truth field {field}: a stdin/stdout test needs a string, got {value!r:.80}"
    )


def _call_case(test_input, output, index: int) -> tuple[list, object]:
    if test_input is None:
        raise ValueError(f"code ground truth field inputs[{index}] is null")
    if isinstance(test_input, str):  # PRIME/Eurus: one JSON argument per line, JSON output
        try:
            args = [json.loads(line) for line in test_input.split("\n") if line.strip()]
        except ValueError as exc:
            raise ValueError(
                f"code ground truth field inputs[{index}]: an argument line is not JSON ({exc})"
            ) from None
        if isinstance(output, str):
            try:
                output = json.loads(output)
            except ValueError:
                pass
        return args, output
    return (list(test_input) if isinstance(test_input, list | tuple) else [test_input]), output


def parse_ground_truth(ground_truth) -> CodeTests:
    spec = load_json_object(ground_truth, "code")
    if not isinstance(spec.get("inputs"), list) or not isinstance(spec.get("outputs"), list):
        raise ValueError("code ground truth needs list fields 'inputs' and 'outputs'")
    inputs, outputs, fn_name = spec["inputs"], spec["outputs"], spec.get("fn_name") or None
    if len(inputs) != len(outputs) or not inputs:
        raise ValueError(
            f"code ground truth has {len(inputs)} inputs and {len(outputs)} outputs (need equal, > 0)"
        )
    if fn_name is None:
        return CodeTests(
            [_as_text(value, f"inputs[{k}]") for k, value in enumerate(inputs)],
            [_as_text(value, f"outputs[{k}]") for k, value in enumerate(outputs)],
            None,
        )
    if not isinstance(fn_name, str):
        raise ValueError(f"code ground truth field fn_name must be a string, got {fn_name!r:.80}")
    cases = [_call_case(i, o, k) for k, (i, o) in enumerate(zip(inputs, outputs, strict=True))]
    return CodeTests([args for args, _ in cases], [to_jsonable(out) for _, out in cases], fn_name)


def output_cap(expected, call_based: bool) -> int:
    """Bytes of a test's output worth reading: twice the expected output (whitespace may
    differ) plus some slack; anything longer cannot be right."""
    size = len((json.dumps(expected) if call_based else expected).encode("utf-8", "surrogatepass"))
    return 2 * size + OUTPUT_SLACK_BYTES


def _passed(record: dict, expected, call_based: bool) -> bool:
    if record.get("status") != "ok" or not isinstance(record.get("output"), str):
        return False
    if not call_based:
        return stdout_matches(record["output"], expected)
    try:
        got = json.loads(record["output"])
    except ValueError:
        return False
    wrapped = isinstance(expected, list) and len(expected) == 1
    return values_match(got, expected) or (wrapped and values_match(got, expected[0]))


def score(text: str, tests: CodeTests) -> dict:
    code = last_fenced_code(text)
    if code is None:
        return make_result("code", 0.0, error="no fenced code block")
    call_based = tests.fn_name is not None
    if call_based:
        code = CALL_PREAMBLE + code
    caps = [output_cap(expected, call_based) for expected in tests.expected]
    run = run_tests(code, tests.inputs, caps, fn_name=tests.fn_name, budget_s=CODE_BUDGET_S)
    if run.syntax_error is not None:
        return make_result("code", 0.0, error=run.syntax_error)
    if run.error:  # the sandbox could not run the tests, or was killed for its output
        return make_result(
            "code", 0.0, error=run.error, killed=run.killed, scorer_error=not run.killed
        )
    records = [run.tests.get(i) for i in range(len(tests.expected))]
    passed = sum(
        record is not None and _passed(record, expected, call_based)
        for record, expected in zip(records, tests.expected, strict=True)
    )
    out_of_time = run.killed or any(
        record is None or record["status"] == "timeout" for record in records
    )
    return make_result(
        "code",
        passed / len(records),
        pred=f"{passed}/{len(records)} tests passed",
        timeout=out_of_time,
        killed=run.killed,
    )
