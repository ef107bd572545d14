"""Reasoning gym: the task's verifier, hardened; one test per exploit, and the junk audit of all tasks."""

import json

import pytest
import reasoning_gym

from reward_fns import compute_score
from reward_fns.reasoning_gym_policy import FORMAT_CREDIT, TASKS, VERIFIED_TASKS, hardened_score

JUNK = [
    "",
    "0",
    "1",
    "-1",
    "0.0",
    "nan",
    "inf",
    "1e308",
    "yes",
    "No",
    "True",
    "None",
    "[]",
    "junk",
    "A",
    "?",
]


def entry_of(task, index=0, seed=3):
    return reasoning_gym.create_dataset(task, size=index + 1, seed=seed)[index]


def grade(task, answer_text, entry):
    truth = json.dumps({"task": task, "entry": entry}, default=str)
    return compute_score(f"prorl/reasoning_gym/{task}", answer_text, truth)


def test_correct_answer_in_the_last_answer_tag_scores_one():
    entry = entry_of("basic_arithmetic")
    answer = entry["answer"]
    assert (
        grade(
            "basic_arithmetic", f"<answer>wrong</answer> then <answer> {answer} </answer>", entry
        )["score"]
        == 1.0
    )
    assert (
        grade("basic_arithmetic", f"<answer>{answer}</answer> then <answer>wrong</answer>", entry)[
            "score"
        ]
        <= 0.05
    )
    assert grade("basic_arithmetic", f"the answer is {answer}", entry)["score"] == 0.0  # no tag


def test_exploit_game_of_life_halting_any_answer_passes():
    entry = entry_of("game_of_life_halting")
    wrong = "True" if entry["answer"] == "False" else "False"
    for junk in ["junk", "A", wrong, "yes"]:
        assert (
            grade("game_of_life_halting", f"<answer>{junk}</answer>", entry)["score"]
            <= FORMAT_CREDIT
        )
    assert (
        grade("game_of_life_halting", f"<answer>{entry['answer']}</answer>", entry)["score"] == 1.0
    )


def test_exploit_substring_partial_credit_of_the_default_scorer():
    entry = {"question": "?", "answer": "2", "metadata": {}}
    # reasoning-gym's default scorer: "42" contains "2" -> 0.5
    assert hardened_score("gcd", "42", entry) == (FORMAT_CREDIT, "")
    assert hardened_score("gcd", "2", entry) == (1.0, "")


def test_exploit_coin_flip_prefix_credit():
    entry = entry_of("coin_flip")
    assert 0 < float(entry["answer"]) < 1
    assert grade("coin_flip", "<answer>0</answer>", entry)["score"] <= FORMAT_CREDIT
    assert grade("coin_flip", f"<answer>{entry['answer']}</answer>", entry)["score"] == 1.0


def test_exploit_complex_arithmetic_nan():
    entry = entry_of("complex_arithmetic")
    assert grade("complex_arithmetic", "<answer>nan</answer>", entry)["score"] <= FORMAT_CREDIT
    assert grade("complex_arithmetic", f"<answer>{entry['answer']}</answer>", entry)["score"] == 1.0


@pytest.mark.parametrize("task", ["boxnet", "game_of_life", "prime_factorization"])
def test_scorers_that_raise_on_junk_score_zero(task):
    entry = entry_of(task)
    for junk in ["0", "{}", "junk"]:
        result = grade(task, f"<answer>{junk}</answer>", entry)
        assert result["score"] <= FORMAT_CREDIT


@pytest.mark.parametrize("task", ["arc_agi", "rearc"])
def test_entries_survive_a_json_round_trip(task):
    entry = json.loads(json.dumps(entry_of(task), default=str))
    assert grade(task, f"<answer>{entry['answer']}</answer>", entry)["score"] == 1.0


def test_tasks_without_gold_are_verified_by_their_scorer():
    entry = json.loads(json.dumps(entry_of("graph_color"), default=str))
    assert entry["answer"] is None
    puzzle = entry["metadata"]["puzzle"]
    colouring = {}
    for vertex in puzzle["vertices"]:  # greedy: the first colour no coloured neighbour has
        taken = {
            colouring.get(str(b if a == vertex else a))
            for a, b in puzzle["edges"]
            if vertex in (a, b)
        }
        colouring[str(vertex)] = next(c for c in puzzle["color_options"] if c not in taken)
    assert grade("graph_color", f"<answer>{json.dumps(colouring)}</answer>", entry)["score"] == 1.0
    a, b = puzzle["edges"][0]
    clash = {**colouring, str(b): colouring[str(a)]}
    assert (
        grade("graph_color", f"<answer>{json.dumps(clash)}</answer>", entry)["score"]
        <= FORMAT_CREDIT
    )
    assert sorted(VERIFIED_TASKS) == [
        "boxnet",
        "graph_color",
        "propositional_logic",
        "rubiks_cube",
        "rush_hour",
    ]


def test_every_task_has_been_audited():
    assert len(TASKS) == 105


@pytest.mark.timeout(170)
def test_junk_audit_of_all_105_tasks():
    """On every task (2 entries each, JSON round-tripped): the stored gold answer still earns
    full marks, and no junk answer earns more than the format credit."""
    offenders, gold_refused = {}, {}
    for task in sorted(TASKS):
        dataset = reasoning_gym.create_dataset(task, size=2, seed=11)
        for index in range(2):
            entry = json.loads(json.dumps(dataset[index], default=str))
            gold = str(entry.get("answer")).strip()
            if entry.get("answer") is not None and hardened_score(task, gold, entry)[0] != 1.0:
                gold_refused.setdefault(task, []).append(gold[:40])
            for junk in JUNK:
                if junk.strip() == gold:
                    continue
                value, _ = hardened_score(task, junk, entry)
                if value > FORMAT_CREDIT:
                    offenders.setdefault(task, []).append((junk, value))
    assert offenders == {}
    assert gold_refused == {}
