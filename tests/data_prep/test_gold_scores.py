"""Every row data_prep writes is gradable: its gold answer scores 1.0 through
``reward_fns.compute_score`` and a wrong answer scores 0.

Rows come from the fixtures of every hub source and a small generation of every
reasoning-gym task (the `built` session fixture); responses are written the way each
prompt asks (``\\boxed{}``, a fenced code block, ``<answer>`` tags, plain text).
"""

from __future__ import annotations

import json

import pytest

from data_prep import reasoning_gym as rg
from data_prep.rows import read_rows
from reward_fns import compute_score_batch

# Known-correct programs for the fixture problems, keyed by the problem's first words.
SOLUTIONS = {
    "Read two integers a and b": "a, b = map(int, input().split())\nprint(a + b)",
    "Read an integer n": "n = int(input())\nprint(2 * n)",
    "Read integers on one line": "print(max(map(int, input().split())))",
    "Read A and B": "a, b = map(int, input().split())\nprint(a * b)",
    "Complete the following Python function": "def add(a, b):\n    return a + b",
    "Given num, repeatedly add": (
        "class Solution:\n    def addDigits(self, num: int) -> int:\n"
        "        return 0 if num == 0 else 1 + (num - 1) % 9"
    ),
}
WRONG_PROGRAM = "class Solution:\n    pass\n\ndef add(a, b):\n    return None\n\nprint(0)"
# Responses that follow every instruction of the fixture prompts, keyed by the prompt's start.
COMPLIANT = {
    "Write a short note about rain": "rain falls softly on the quiet town and the streets shine.",
    "Describe a cat": "A cat is a small furry animal that loves to sleep in warm sunny places all day.",
    "Tell me about the moon": "* The moon orbits the Earth.\n* It reflects the light of the Sun.",
    "Say hello": "Hello there my friend.",
}
NONCOMPLIANT = "YES, NO, MAYBE."
NO_GOLD = set(rg.OOD_TASKS) | {"propositional_logic", "rubiks_cube", "rush_hour"}


def _pick(table: dict, text: str) -> str:
    matches = [value for key, value in table.items() if key in text]
    assert len(matches) == 1, text[:80]
    return matches[0]


def responses(row: dict) -> tuple[str, str]:
    """(a correct response, a wrong response) for a row, written as its prompt asks."""
    domain, gold = row["extra_info"]["domain"], row["reward_model"]["ground_truth"]
    text = row["prompt"][-1]["content"]
    if domain == "math" or domain == "stem" and row["data_source"].endswith("scp"):
        return f"So the answer is \\boxed{{{gold}}}.", "So the answer is \\boxed{123456789}."
    if domain == "stem":
        wrong = "A" if gold != "A" else "B"
        return f"\\boxed{{{gold}}}", f"\\boxed{{{wrong}}}"
    if domain == "code":
        program = _pick(SOLUTIONS, text)
        return f"```python\n{program}\n```", f"```python\n{WRONG_PROGRAM}\n```"
    if domain == "ifeval":
        return _pick(COMPLIANT, text), NONCOMPLIANT
    entry = json.loads(gold)["entry"]
    answer = entry["answer"]
    if answer is None:  # graph_color stores a valid colouring instead of an answer
        answer = json.dumps({str(k): v for k, v in entry["metadata"]["possible_answer"].items()})
    return f"<answer>{answer}</answer>", "<answer>certainly not this</answer>"


def gradable_rows(built) -> list[dict]:
    rows = []
    for path in sorted(built.glob("*/*.parquet")):
        if path.parent.name == "blend":
            continue
        for row in read_rows(path):
            task = row["data_source"].rsplit("/", 1)[-1]
            if row["extra_info"]["domain"] == "reasoning_gym" and task in NO_GOLD:
                continue  # no stored gold to answer with; verified by the scorer instead
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def graded(built):
    rows = gradable_rows(built)
    pairs = [responses(row) for row in rows]
    args = [r["data_source"] for r in rows], [r["reward_model"]["ground_truth"] for r in rows]
    right = compute_score_batch(args[0], [p[0] for p in pairs], args[1], None)
    wrong = compute_score_batch(args[0], [p[1] for p in pairs], args[1], None)
    return rows, right, wrong


def test_every_domain_and_every_training_task_is_covered(graded):
    rows, _, _ = graded
    assert {r["extra_info"]["domain"] for r in rows} == {
        "math",
        "code",
        "stem",
        "reasoning_gym",
        "ifeval",
    }
    tasks = {
        r["data_source"].rsplit("/", 1)[-1]
        for r in rows
        if r["extra_info"]["domain"] == "reasoning_gym"
    }
    assert tasks == set(rg.TRAIN_TASKS) - NO_GOLD


def test_gold_answers_score_one(graded):
    rows, right, _ = graded
    failures = [
        (r["extra_info"]["source"], r["data_source"], result)
        for r, result in zip(rows, right, strict=True)
        if result["score"] != 1.0
    ]
    assert failures == []


def test_wrong_answers_score_zero(graded):
    rows, _, wrong = graded
    failures = [
        (r["extra_info"]["source"], r["data_source"], result)
        for r, result in zip(rows, wrong, strict=True)
        if result["acc"] != 0.0
        or result["score"] != 0.0
        and r["extra_info"]["domain"] != "reasoning_gym"
        # reasoning-gym's verifiers give a well-formed wrong answer at most a small format credit
        or result["score"] > 0.05
    ]
    assert failures == []
