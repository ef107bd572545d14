"""Reasoning gym: the task's verifier, hardened; one test per exploit, and the junk audit of all tasks."""

import json
import os
import socket
import subprocess
import sys

import pytest
import reasoning_gym

from reward_fns import compute_score, compute_score_batch
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


def test_a_data_source_naming_another_task_marks_the_row_malformed():
    entry = entry_of("basic_arithmetic")
    truth = json.dumps({"task": "basic_arithmetic", "entry": entry}, default=str)
    right = f"<answer>{entry['answer']}</answer>"
    wrong_task = compute_score("prorl/reasoning_gym/chain_sum", right, truth)
    assert wrong_task["score"] == 0.0
    assert "'chain_sum'" in wrong_task["error"] and "'basic_arithmetic'" in wrong_task["error"]
    batch = compute_score_batch(
        ["prorl/reasoning_gym/chain_sum", "prorl/reasoning_gym/basic_arithmetic"],
        [right, right],
        [truth, truth],
    )
    assert [r["score"] for r in batch] == [0.0, 1.0]
    # a last segment that is no task name is a label (a bucket), and the ground truth decides
    assert compute_score("prorl/reasoning_gym/basic_arithmetic_hard", right, truth)["score"] == 1.0


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
    full marks, and no junk answer or copy of the question earns more than the format credit."""
    offenders, gold_refused = {}, {}
    for task in sorted(TASKS):
        dataset = reasoning_gym.create_dataset(task, size=2, seed=11)
        for index in range(2):
            entry = json.loads(json.dumps(dataset[index], default=str))
            gold = str(entry.get("answer")).strip()
            if entry.get("answer") is not None and hardened_score(task, gold, entry)[0] != 1.0:
                gold_refused.setdefault(task, []).append(gold[:40])
            copies = [str(entry["question"]), str(entry["question"]).splitlines()[-1]]
            for junk in JUNK + copies:  # universal answers, and copies of the question
                if junk.strip() == gold:
                    continue
                value, _ = hardened_score(task, junk, entry)
                if value > FORMAT_CREDIT:
                    offenders.setdefault(task, []).append((junk, value))
    assert offenders == {}
    assert gold_refused == {}


# --- answers that scorers evaluate -----------------------------------------------------------

EVALUATING_TASKS = [
    "binary_matrix",
    "countdown",
    "intermediate_integration",
    "n_queens",
    "polynomial_multiplication",
    "puzzle24",
    "simple_integration",
    "spiral_matrix",
    "string_insertion",
]
# What each scorer gives an answer it cannot read (reasoning-gym's fallback; ours for the two
# puzzles scored by our own reader).
UNREADABLE_SCORE = dict.fromkeys(EVALUATING_TASKS, 0.0) | {"puzzle24": 0.01, "countdown": 0.01}

_AUDIT = """
import json, sys
MARK = "zqxprobe"
hits = {"raw": set(), "hardened": set()}
current = [None]

def hook(event, args):  # Python runs code objects through exec/eval: see which hold the probe
    if event == "exec" and current[0] and hasattr(args[0], "co_names"):
        if MARK in repr(args[0].co_names) + repr(args[0].co_consts):
            hits[current[0][0]].add(current[0][1])

sys.addaudithook(hook)
import reasoning_gym
from reasoning_gym.factory import DATASETS, get_score_answer_fn
tasks = sorted(set(DATASETS) - {"composite"})
entries = {t: json.loads(json.dumps(reasoning_gym.create_dataset(t, size=1, seed=5)[0], default=str)) for t in tasks}
probes = [MARK, f"[{MARK}]", f"[[{MARK}]]", f"{MARK}+1", f"1+{MARK}", f"({MARK})", f"{MARK}*x"]

def run(mode, score):
    for task in tasks:
        for probe in probes:
            current[0] = (mode, task)
            try:
                score(task, probe, entries[task])
            except Exception:
                pass
            current[0] = None

run("raw", lambda task, answer, entry: get_score_answer_fn(task)(answer, entry))
from reward_fns.reasoning_gym_policy import hardened_score  # disarms the scorers on import
run("hardened", hardened_score)
print("\\nAUDIT " + json.dumps({mode: sorted(found) for mode, found in hits.items()}))
"""


@pytest.mark.timeout(300)
def test_audit_which_scorers_evaluate_answer_text():
    """Every task scores probe answers while Python's audit hook watches code being run: the
    raw scorers of exactly these nine tasks run code built from the answer; hardened, none."""
    out = subprocess.run(
        [sys.executable, "-c", _AUDIT], capture_output=True, text=True, check=True, timeout=280
    ).stdout
    found = json.loads(out.split("\nAUDIT ")[-1])  # generators print progress dots
    assert found == {"raw": EVALUATING_TASKS, "hardened": []}


@pytest.mark.parametrize("task", EVALUATING_TASKS)
def test_code_in_an_answer_is_never_run(task, tmp_path):
    """Through the real path (sandboxed worker): the answer is refused, not run; nothing
    happened outside, the caller is alive and the next item is graded normally."""
    entry = entry_of(task)
    marker = tmp_path / "pwned"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    attacks = [
        f"__import__('os').system('touch {marker}')",
        f"[__import__('os').system('touch {marker}')]",
        f"x + __import__('socket').create_connection(('127.0.0.1', {port}))",
        f"[__import__('os').kill({os.getpid()}, 9)]",
        "__import__('subprocess').Popen(['sleep', '300'], start_new_session=True)",
        "[exec(\"import reward_fns.reasoning_gym_policy as p; p.hardened_score = lambda *a: (1.0, '')\")]",
    ]
    for attack in attacks:
        result = grade(task, f"<answer>{attack}</answer>", entry)
        assert result["score"] == UNREADABLE_SCORE[task], attack
        assert result["sandbox_kill"] == 0.0 and result["scorer_error"] == 0.0
    assert not marker.exists()
    with pytest.raises(TimeoutError):
        listener.accept()
    listener.close()
    gold = entry["answer"]
    assert grade(task, f"<answer>{gold}</answer>", entry)["score"] == 1.0  # not patched
    assert grade(task, "<answer>junk</answer>", entry)["score"] == UNREADABLE_SCORE[task]


def test_puzzle24_needs_exactly_the_puzzles_numbers_and_exactly_24():
    entry = {"question": "?", "answer": "4*8 - 6 - 2", "metadata": {"numbers": [4, 8, 6, 2]}}
    assert hardened_score("puzzle24", "4*8 - 6 - 2", entry) == (1.0, "")
    assert hardened_score("puzzle24", "(8 - 6) * 2 * 4 + 8", entry) == (0.01, "")  # 8 twice
    assert hardened_score("puzzle24", "6*4*1*1", entry) == (0.01, "")  # other numbers
    assert hardened_score("puzzle24", "24", entry) == (0.01, "")  # the constant smuggled in
    assert hardened_score("puzzle24", "8*(6/4)*2 + 0", entry) == (0.01, "")  # an extra 0
    # reasoning-gym's scorer truncates with int(): 24.5 "is" 24 there.
    truncating = {"question": "?", "answer": "", "metadata": {"numbers": [25, 1, 2, 1]}}
    assert hardened_score("puzzle24", "25 - 1/2 * 1", truncating) == (0.01, "")
    assert hardened_score("puzzle24", "0x8*(6-4)-8+2", entry) == (0.01, "")  # hex


def test_countdown_checks_the_multiset_and_the_exact_target():
    entry = entry_of("countdown")
    numbers, target = entry["metadata"]["numbers"], entry["metadata"]["target"]
    assert grade("countdown", f"<answer>{entry['answer']}</answer>", entry)["score"] == 1.0
    for smuggled in [
        str(target),
        f"{target} + 0",
        " + ".join(map(str, numbers)) + f" - ({' + '.join(map(str, numbers))}) + {target}",
        f"{target}.0",
        f"{target:#x}",
        f"1_{target}",
    ]:
        assert grade("countdown", f"<answer>{smuggled}</answer>", entry)["score"] <= 0.05
    assert hardened_score("countdown", "1 + 1", entry)[0] == 0.05  # well formed, wrong numbers


@pytest.mark.parametrize("task", ["simple_integration", "intermediate_integration"])
def test_integration_answered_by_an_unevaluated_integral_scores_zero(task):
    """reasoning-gym's scorer differentiates the answer: ``Integral(<integrand>, x) + C`` — the
    question copied — differentiates back to the integrand and earned 1.0 on every item."""
    entry = entry_of(task)
    metadata = entry["metadata"]
    copied = f"Integral({metadata['integrand']}, {metadata['variable']}) + C"
    assert grade(task, f"<answer>{copied}</answer>", entry)["score"] == 0.0
    assert grade(task, f"<answer>{entry['answer']}</answer>", entry)["score"] == 1.0
