"""Code evaluation sets whose tests can be run from a ground truth: HumanEval+ and LiveCodeBench.

HumanEval+ (evalplus/humanevalplus): its ``test`` code holds literal ``inputs`` and
``results`` lists for ``check(candidate)``; they become a call-based ground truth
``{"inputs", "outputs", "fn_name": entry_point}`` (inputs[i] is the argument list). A test
whose lists are not literals cannot be carried and the row is dropped as
``tests_not_literal``.

LiveCodeBench (livecodebench/code_generation_lite): stdin tests become
``{"inputs", "outputs"}``; functional (LeetCode) tests keep LiveCodeBench's own form, one
JSON argument per input line and a JSON output, with ``fn_name`` from its metadata (the
``prime_code`` form). Private tests are stored by LiveCodeBench either as JSON or as
base64(zlib(pickle(JSON))); both are read, the latter exactly as LiveCodeBench's own loader
does.
"""

from __future__ import annotations

import ast
import base64
import json
import pickle
import zlib

from data_prep.records import BadRow, require
from data_prep.sources.code import code_row


def _literal_assignments(test_code: str) -> dict:
    """Names assigned a Python literal anywhere in ``test_code``."""
    try:
        tree = ast.parse(test_code)
    except SyntaxError:
        raise BadRow("test", "not_python") from None
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
    return found


def humaneval_plus(record: dict) -> dict:
    task_id = require(record, "task_id")
    prompt = require(record, "prompt")
    fn_name = require(record, "entry_point")
    values = _literal_assignments(require(record, "test"))
    inputs, outputs = values.get("inputs"), values.get("results")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise BadRow("test", "tests_not_literal")
    if len(inputs) != len(outputs) or not inputs:
        raise BadRow("test", "inputs_outputs_mismatch")
    try:
        ground_truth = json.dumps(
            {"inputs": [list(i) for i in inputs], "outputs": outputs, "fn_name": fn_name},
            allow_nan=True,
        )
    except TypeError:
        raise BadRow("test", "not_json_serializable") from None
    problem = f"Complete the following Python function.\n\n```python\n{prompt.rstrip()}\n```"
    return code_row(
        problem,
        ground_truth,
        name="humaneval_plus",
        source_id=task_id,
        split="test",
        source="humaneval_plus",
    )


def _decode_tests(value, field: str) -> list:
    if isinstance(value, list):
        return value
    if not isinstance(value, str) or not value.strip():
        raise BadRow(field, "empty")
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        pass
    try:
        return json.loads(pickle.loads(zlib.decompress(base64.b64decode(value))))
    except Exception:
        raise BadRow(field, "undecodable") from None


def livecodebench(record: dict) -> dict:
    question_id = str(require(record, "question_id"))
    content = require(record, "question_content")
    tests = _decode_tests(require(record, "public_test_cases", (str, list)), "public_test_cases")
    if record.get("private_test_cases"):
        tests = tests + _decode_tests(record["private_test_cases"], "private_test_cases")
    if not tests or not all(isinstance(t, dict) and "input" in t and "output" in t for t in tests):
        raise BadRow("public_test_cases", "empty")
    kinds = {t.get("testtype", "stdin") for t in tests}
    if len(kinds) != 1:
        raise BadRow("public_test_cases", "mixed_test_types")
    truth = {"inputs": [t["input"] for t in tests], "outputs": [t["output"] for t in tests]}
    if kinds == {"functional"}:
        try:
            metadata = json.loads(record.get("metadata") or "{}")
        except json.JSONDecodeError:
            raise BadRow("metadata", "not_json") from None
        if not metadata.get("func_name"):
            raise BadRow("metadata", "no_func_name")
        truth["fn_name"] = metadata["func_name"]
    problem = content.strip()
    if (record.get("starter_code") or "").strip():
        problem += f"\n\nUse this starter code:\n```python\n{record['starter_code'].rstrip()}\n```"
    return code_row(
        problem,
        json.dumps(truth),
        name="livecodebench",
        source_id=question_id,
        split="test",
        source="livecodebench",
    )
