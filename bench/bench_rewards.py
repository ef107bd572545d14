"""Benchmark: ProRL's verifiers on a paper-sized mixed batch, side by side with verl's built-ins.

Builds 256 prompts x 16 responses = 4096 items in the paper's domain mix (~30% math, ~18% code,
~18% STEM, ~27% reasoning-gym puzzles, ~7% instruction following) with right, wrong, malformed
and slow/looping answers, each with the score it should get (by construction: equivalent forms
are right, near misses wrong, a buggy program's pass fraction computed by running reference and
buggy functions directly). It prints, per domain and overall, items/s of
``reward_fns.compute_score_batch``, the slowest item, timeouts and disagreements with the
expected scores. Then, on a sample of the math and code items, it runs verl 0.9.1's built-in
scorers (``verl.utils.reward_score``: prime_math and math-verify for math, prime_code continuous
for code) in the same run on the same number of processes, and prints both throughputs, their
ratio, and how often each disagrees with the expectation and with the other. Throughput on a
shared machine moves with the other load, so it also prints CPU milliseconds per item for a
subset scored one by one (verl's math-verify route keeps a 4-process pool of its own per
caller, so its wall-clock figure uses more processes than ours). Last, it times reading the
answers that reasoning-gym scorers would evaluate with our readers, against isolating each
such item in a forked worker or a fresh sandbox instead.

    python bench/bench_rewards.py                 # the full batch + a 240-item verl comparison
    python bench/bench_rewards.py --prompts 32    # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import reasoning_gym
from tqdm import tqdm

import reward_fns
import reward_fns.dispatch as dispatch
from reward_fns import code_reward, math_reward, worker_pool
from reward_fns.code_reward import CODE_BUDGET_S
from reward_fns.extract import graded_text, last_boxed
from reward_fns.math_reward import MATH_BOUND_S
from reward_fns.sandbox import STARTUP_GRACE_S
from reward_fns.worker_pool import KillablePool, WorkerCrashed, WorkerTimeout

DOMAIN_MIX = {"math": 0.30, "code": 0.18, "stem": 0.18, "reasoning_gym": 0.27, "ifeval": 0.07}
HANG_TOWER = "\\dfrac{5^{\\left(5^{\\left(5^{\\left(5^5\\right)}\\right)} - 4\\right)} - 5}{16}"


@dataclass
class Item:
    domain: str
    kind: str  # which kind of answer this is (right, near_miss, loop, ...)
    data_source: str
    response: str
    ground_truth: object
    expected: float


# --- math ----------------------------------------------------------------------------------


def math_problem(rng: random.Random, p: int) -> tuple[str, list[str], list[str]]:
    """(gold, equivalent spellings, wrong answers incl. near misses) — fresh numbers per prompt."""
    kind = p % 7
    if kind == 0:
        a, b = rng.choice([(1, 2), (3, 4), (2, 5), (5, 8), (7, 10), (3, 20), (9, 16)])
        a = a + b * rng.randint(0, 5)  # still in lowest terms
        return (
            f"\\frac{{{a}}}{{{b}}}",
            [f"\\dfrac{{{a}}}{{{b}}}", f"{a}/{b}", f"{a / b:g}"],
            [f"\\frac{{{b}}}{{{a}}}", f"{a / b + 0.01:g}"],
        )
    if kind == 1:
        c, d = rng.randint(2, 9), rng.choice([2, 3, 5, 6, 7])
        return (
            f"{c}\\sqrt{{{d}}}",
            [f"\\sqrt{{{c * c * d}}}", f"{c} \\sqrt{{{d}}}"],
            [f"\\sqrt{{{c * d}}}", f"{c + 1}\\sqrt{{{d}}}"],
        )
    if kind == 2:
        n = rng.randint(2, 9999)
        spaced = f"{n:,}" if n >= 1000 else f"{n}.0"
        return str(n), [str(n), spaced], [str(n + 1), str(-n)]
    if kind == 3:
        a = rng.randint(1, 9)
        return f"x^2+{2 * a}x+{a * a}", [f"(x+{a})^2"], [f"x^2+{a * a}", f"(x-{a})^2"]
    if kind == 4:
        a, b = rng.sample(range(-9, 10), 2)
        return (
            f"({a},{b})",
            [f"({a}, {b})", f"\\left({a},{b}\\right)"],
            [f"({b},{a})", f"({a},{b + 1})"],
        )
    if kind == 5:
        k = rng.randint(2, 9)
        return f"{k}\\pi", [f"{k} \\pi", f"\\pi \\cdot {k}"], [f"{3.14 * k:.2f}", f"{k + 1}\\pi"]
    whole, half = rng.randint(1, 99), rng.choice([25, 5, 75])
    value = f"{whole}.{half}"
    return (
        value,
        [f"{value}0", f"\\frac{{{int(round(float(value) * 100))}}}{{100}}"],
        [f"{whole}.{half + 1}", str(whole)],
    )


def math_items(rng: random.Random, prompts: int, responses: int) -> list[Item]:
    items = []
    for p in range(prompts):
        gold, equivalent, wrong = math_problem(rng, p)
        for _ in range(responses):
            roll = rng.random()
            if roll < 0.003:
                kind, text, expected = "hang_input", f"\\boxed{{{HANG_TOWER}}}", 0.0
            elif roll < 0.35:
                kind, text, expected = "right", f"The answer is \\boxed{{{gold}}}.", 1.0
            elif roll < 0.55:
                kind, text, expected = "equivalent", f"So \\boxed{{{rng.choice(equivalent)}}}", 1.0
            elif roll < 0.80:
                kind, text, expected = "wrong", f"Thus \\boxed{{{rng.choice(wrong)}}}", 0.0
            elif roll < 0.88:
                kind, text, expected = "no_box", f"The answer is {gold}.", 0.0
            elif roll < 0.94:
                kind, text, expected = (
                    "think_then_answer",
                    f"<think>maybe \\boxed{{{rng.choice(wrong)}}}</think> \\boxed{{{gold}}}",
                    1.0,
                )
            else:
                kind, text, expected = (
                    "unclosed_think",
                    f"<think>I guess \\boxed{{{gold}}} and I keep going",
                    0.0,
                )
            items.append(Item("math", kind, "numina_olympiads", text, gold, expected))
    return items


# --- code ----------------------------------------------------------------------------------


@dataclass
class CodeProblem:
    name: str
    make_input: object  # rng -> test input (stdin text, or argument list)
    reference: object  # test input -> expected output
    buggy: object  # test input -> what the buggy program outputs
    correct_code: str
    buggy_code: str
    fn_name: str | None = None


def _list_input(rng):
    xs = [rng.randint(-50, 50) for _ in range(rng.randint(1, 8))]
    return f"{len(xs)}\n{' '.join(map(str, xs))}\n"


def _xs(text):
    return list(map(int, text.split("\n")[1].split()))


def _fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


CODE_BANK = [
    CodeProblem(
        "sum_pair",
        lambda rng: f"{rng.randint(-99, 99)} {rng.randint(-99, 99)}\n",
        lambda s: str(sum(map(int, s.split()))),
        lambda s: str(sum(abs(int(v)) for v in s.split())),
        "a, b = map(int, input().split())\nprint(a + b)",
        "a, b = map(int, input().split())\nprint(abs(a) + abs(b))",
    ),
    CodeProblem(
        "list_max",
        _list_input,
        lambda s: str(max(_xs(s))),
        lambda s: str(max(_xs(s)[:-1]) if len(_xs(s)) > 1 else _xs(s)[0]),
        "input()\nxs = list(map(int, input().split()))\nprint(max(xs))",
        "input()\nxs = list(map(int, input().split()))\nprint(max(xs[:-1]) if len(xs) > 1 else xs[0])",
    ),
    CodeProblem(
        "count_vowels",
        lambda rng: "".join(rng.choice("aAbEcdiOuxyz ") for _ in range(rng.randint(1, 20))) + "\n",
        lambda s: str(sum(c in "aeiouAEIOU" for c in s.rstrip("\n"))),
        lambda s: str(sum(c in "aeiou" for c in s.rstrip("\n"))),
        "s = input()\nprint(sum(c in 'aeiouAEIOU' for c in s))",
        "s = input()\nprint(sum(c in 'aeiou' for c in s))",
    ),
    CodeProblem(
        "fib",
        lambda rng: [rng.randint(0, 20)],
        lambda a: _fib(a[0]),
        lambda a: _fib(min(a[0], 10)),
        "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a",
        "def fib(n):\n    a, b = 0, 1\n    for _ in range(min(n, 10)):\n        a, b = b, a + b\n    return a",
        fn_name="fib",
    ),
    CodeProblem(
        "is_prime",
        lambda rng: [rng.randint(1, 60)],
        lambda a: a[0] > 1 and all(a[0] % d for d in range(2, int(a[0] ** 0.5) + 1)),
        lambda a: a[0] % 2 == 1,
        "def is_prime(n):\n    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))",
        "def is_prime(n):\n    return n % 2 == 1",
        fn_name="is_prime",
    ),
]
TESTS_PER_PROBLEM = 10


def _code_truth(problem: CodeProblem, inputs: list) -> str:
    outputs = [problem.reference(i) for i in inputs]
    if problem.fn_name is None:
        return json.dumps({"inputs": inputs, "outputs": [o + "\n" for o in outputs]})
    # PRIME/Eurus call form: one JSON argument per line, JSON outputs (what verl's prime_code reads)
    return json.dumps(
        {
            "fn_name": problem.fn_name,
            "inputs": ["\n".join(json.dumps(arg) for arg in i) for i in inputs],
            "outputs": [json.dumps(o) for o in outputs],
        }
    )


def code_items(rng: random.Random, prompts: int, responses: int) -> list[Item]:
    items = []
    for p in range(prompts):
        problem = CODE_BANK[p % len(CODE_BANK)]
        inputs = [problem.make_input(rng) for _ in range(TESTS_PER_PROBLEM)]
        truth = _code_truth(problem, inputs)
        buggy_fraction = sum(problem.buggy(i) == problem.reference(i) for i in inputs) / len(inputs)
        for _ in range(responses):
            roll = rng.random()
            if roll < 0.006:
                kind, code, expected = "infinite_loop", "while True:\n    pass", 0.0
            elif roll < 0.45:
                kind, code, expected = "right", problem.correct_code, 1.0
            elif roll < 0.70:
                kind, code, expected = "partial", problem.buggy_code, buggy_fraction
            elif roll < 0.78:
                kind, code, expected = "syntax_error", problem.correct_code + "\nprint((", 0.0
            elif roll < 0.85:
                kind, code, expected = "crash", "raise ValueError('no idea')", 0.0
            elif roll < 0.92:
                kind, code, expected = (
                    "wrong_output",
                    "print('no')\ndef fib(n):\n    return -1\ndef is_prime(n):\n    return None",
                    0.0,
                )
            elif roll < 0.96:
                kind, code, expected = (
                    "slow_but_ok",
                    "import time\ntime.sleep(0.1)\n" + problem.correct_code,
                    1.0,
                )
            else:
                items.append(
                    Item(
                        "code",
                        "no_code_block",
                        "codecontests",
                        "I would loop over the input.",
                        truth,
                        0.0,
                    )
                )
                continue
            text = f"<think>plan</think>Here is the program.\n```python\n{code}\n```"
            items.append(Item("code", kind, "codecontests", text, truth, expected))
    return items


# --- STEM ----------------------------------------------------------------------------------


def stem_items(rng: random.Random, prompts: int, responses: int) -> list[Item]:
    items = []
    for p in range(prompts):
        if p % 4 == 3:
            gold, right, wrong = "9.8", ["9.8", "\\frac{49}{5}"], ["9.81", "10"]
        else:
            gold = "ABCDEFGHIJ"[p % 10]
            right = [gold, f"({gold})", f"\\text{{{gold}}}", f"{gold}) the second option"]
            wrong = [c for c in "ABCD" if c != gold]
        for _ in range(responses):
            roll = rng.random()
            if roll < 0.5:
                kind, text, expected = "right", f"Hence \\boxed{{{rng.choice(right)}}}", 1.0
            elif roll < 0.85:
                kind, text, expected = "wrong", f"Hence \\boxed{{{rng.choice(wrong)}}}", 0.0
            else:
                kind, text, expected = "no_box", f"I pick {gold}", 0.0
            items.append(Item("stem", kind, "prorl/stem/bench", text, gold, expected))
    return items


# --- reasoning gym -------------------------------------------------------------------------

RG_TASKS = [
    "basic_arithmetic",
    "chain_sum",
    "word_sorting",
    "letter_counting",
    "graph_color",
    "game_of_life_halting",
    "coin_flip",
    "spell_backward",
    "number_sorting",
    "complex_arithmetic",
    "gcd",
]
EXPLOITS = {"game_of_life_halting": "junk", "coin_flip": "0", "complex_arithmetic": "nan"}


def _greedy_colouring(puzzle: dict) -> dict:
    colouring = {}
    for vertex in puzzle["vertices"]:
        taken = {
            colouring.get(str(b if a == vertex else a))
            for a, b in puzzle["edges"]
            if vertex in (a, b)
        }
        colouring[str(vertex)] = next(c for c in puzzle["color_options"] if c not in taken)
    return colouring


def reasoning_gym_items(rng: random.Random, prompts: int, responses: int) -> list[Item]:
    items = []
    datasets = {
        task: reasoning_gym.create_dataset(task, size=prompts, seed=17) for task in RG_TASKS
    }
    for p in range(prompts):
        task = RG_TASKS[p % len(RG_TASKS)]
        entry = json.loads(json.dumps(datasets[task][p], default=str))
        gold = (
            json.dumps(_greedy_colouring(entry["metadata"]["puzzle"]))
            if entry["answer"] is None
            else entry["answer"]
        )
        truth = json.dumps({"task": task, "entry": entry})
        for _ in range(responses):
            roll = rng.random()
            if roll < 0.45:
                kind, answer, expected = "right", gold, 1.0
            elif roll < 0.70:
                kind, answer, expected = (
                    "exploit_or_junk",
                    EXPLOITS.get(task, "42" + gold[-1:]),
                    0.0,
                )
            elif roll < 0.90:
                kind, answer, expected = "wrong", "wrong " + gold[::-1], 0.0
            else:
                items.append(
                    Item("reasoning_gym", "no_tag", f"prorl/reasoning_gym/{task}", gold, truth, 0.0)
                )
                continue
            text = f"<think>work</think><answer>{answer}</answer>"
            items.append(
                Item("reasoning_gym", kind, f"prorl/reasoning_gym/{task}", text, truth, expected)
            )
    return items


# --- instruction following -----------------------------------------------------------------

IFEVAL_CHOICES = [
    "change_case:english_lowercase",
    "punctuation:no_comma",
    "detectable_format:title",
]


def _ifeval_response(follow: set[str]) -> str:
    title = "<<a short title>>\n" if "detectable_format:title" in follow else ""
    body = (
        "here is my answer without any pauses"
        if "punctuation:no_comma" in follow
        else "here is my answer, with pauses"
    )
    if "change_case:english_lowercase" not in follow:
        body = body.title()
    return title + body + "."


def ifeval_items(rng: random.Random, prompts: int, responses: int) -> list[Item]:
    items = []
    for _ in range(prompts):
        ids = rng.sample(IFEVAL_CHOICES, 2)
        truth = json.dumps(
            {"instruction_id_list": ids, "kwargs": [{}, {}], "prompt": "Answer briefly."}
        )
        for _ in range(responses):
            follow = {i for i in IFEVAL_CHOICES if rng.random() < 0.6}
            expected = sum(i in follow for i in ids) / len(ids)
            items.append(
                Item(
                    "ifeval",
                    "mixed",
                    "prorl/ifeval/bench",
                    _ifeval_response(follow),
                    truth,
                    expected,
                )
            )
    return items


BUILDERS = {
    "math": math_items,
    "code": code_items,
    "stem": stem_items,
    "reasoning_gym": reasoning_gym_items,
    "ifeval": ifeval_items,
}


def build_batch(prompts: int, responses: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    counts = {domain: round(share * prompts) for domain, share in DOMAIN_MIX.items()}
    counts["reasoning_gym"] += prompts - sum(counts.values())
    items = []
    for domain, builder in BUILDERS.items():
        items.extend(builder(rng, counts[domain], responses))
    rng.shuffle(items)
    return items


# --- running -------------------------------------------------------------------------------


def agrees(score: float, expected: float) -> bool:
    """A score agrees with the expectation; 'wrong' means at most the 0.05 format credit."""
    if expected == 0.0:
        return score <= 0.05
    return abs(score - expected) < 1e-6


def fresh_workers() -> None:
    """A new, warm shared pool: every worker started (start-up is paid once per training job,
    not per batch) and no answer cache carried over from an earlier run."""
    worker_pool.close_shared_pool()
    pool = worker_pool.shared_pool()
    with ThreadPoolExecutor(pool.max_workers) as ex:
        list(ex.map(lambda _: pool.run("operator", "add", (1, 1), 300), range(pool.max_workers)))


@dataclass
class OursRun:
    results: list[dict]
    latencies: list[float]  # per item, queueing included
    elapsed: float
    slowest_pool_task: float  # math/STEM/puzzle/IFEval grading, queueing excluded
    slowest_sandbox: float  # one solution's sandbox, slot waiting excluded


def run_ours(items: list[Item], label: str) -> OursRun:
    """compute_score_batch over ``items`` on fresh workers, with timings."""
    fresh_workers()
    original_grade, original_run_tests = dispatch._grade, code_reward.run_tests
    latencies, sandbox_seconds = [], [0.0]
    progress = tqdm(total=len(items), desc=label, unit="item", file=sys.stderr)

    def timed_grade(domain, solution_str, parsed_truth):
        start = time.monotonic()
        try:
            return original_grade(domain, solution_str, parsed_truth)
        finally:
            latencies.append(time.monotonic() - start)
            progress.update(1)

    def timed_run_tests(*args, **kwargs):
        run = original_run_tests(*args, **kwargs)
        sandbox_seconds.append(run.seconds)
        return run

    dispatch._grade, code_reward.run_tests = timed_grade, timed_run_tests
    try:
        start = time.monotonic()
        results = reward_fns.compute_score_batch(
            [i.data_source for i in items],
            [i.response for i in items],
            [i.ground_truth for i in items],
            [{}] * len(items),
        )
        elapsed = time.monotonic() - start
    finally:
        dispatch._grade, code_reward.run_tests = original_grade, original_run_tests
        progress.close()
    return OursRun(
        results, latencies, elapsed, worker_pool.shared_pool().slowest_task_s, max(sandbox_seconds)
    )


VERL_ROUTES = {
    # route name -> (module, function, argument builder); the first is verl's default for these data sources
    "default": (
        "verl.utils.reward_score",
        "default_compute_score",
        lambda i: (i.data_source, i.response, i.ground_truth),
    ),
    "math_verify": (
        "verl.utils.reward_score.math_verify",
        "compute_score",
        lambda i: (i.response, i.ground_truth),
    ),
}


def run_verl(
    items: list[Item], route: str, processes: int, bound_s: float
) -> tuple[list[dict], float]:
    """One of verl's built-in routes on ``items`` with ``processes`` worker processes, each call bounded."""
    module, function, make_args = VERL_ROUTES[route]
    # Unconfined, as verl runs its scorers (its math-verify route starts processes of its own).
    pool = KillablePool(processes, preload=("verl.utils.reward_score", module), sandboxed=False)

    def call(item):
        start = time.monotonic()
        try:
            value = pool.run(module, function, make_args(item), bound_s).value
            score, status = float(value["score"] if isinstance(value, dict) else value), "ok"
        except WorkerTimeout:
            score, status = 0.0, "timeout"
        except (WorkerCrashed, RuntimeError):
            score, status = 0.0, "error"
        return {"score": score, "status": status, "seconds": time.monotonic() - start}

    try:
        # Start every worker and let verl's scorer set itself up (its math-verify route starts
        # a process pool of its own) before the clock runs; the warm-up results are dropped.
        with ThreadPoolExecutor(processes) as ex:
            list(ex.map(lambda _: call(items[0]), range(processes)))
        start = time.monotonic()
        with ThreadPoolExecutor(processes) as ex:
            results = list(
                tqdm(
                    ex.map(call, items),
                    total=len(items),
                    desc=f"verl {route}",
                    unit="item",
                    file=sys.stderr,
                )
            )
        elapsed = time.monotonic() - start
    finally:
        pool.close()
    return results, elapsed


def report_ours(items: list[Item], run: OursRun) -> None:
    print(
        f"\n== reward_fns.compute_score_batch: {len(items)} items on {len(os.sched_getaffinity(0))} CPUs =="
    )
    print(f"total {run.elapsed:.1f} s, {len(items) / run.elapsed:.1f} items/s")
    print(
        f"slowest grading in a worker {run.slowest_pool_task:.2f} s (bound {MATH_BOUND_S:g} s), slowest sandbox "
        f"{run.slowest_sandbox:.2f} s (bound {CODE_BUDGET_S:g} + {STARTUP_GRACE_S:g} s); per item incl. queueing: "
        f"median {statistics.median(run.latencies) * 1000:.0f} ms, max {max(run.latencies):.1f} s"
    )
    by_domain = defaultdict(list)
    for item, result in zip(items, run.results, strict=True):
        by_domain[item.domain].append((item, result))
    print(f"{'domain':<14}{'items':>7}{'mean score':>12}{'timeouts':>10}{'disagree':>10}")
    for domain in DOMAIN_MIX:
        rows = by_domain[domain]
        wrong = [
            (i.kind, i.expected, r["score"], r["error"])
            for i, r in rows
            if not agrees(r["score"], i.expected)
        ]
        timeouts = sum(r["timeout"] for _, r in rows)
        print(
            f"{domain:<14}{len(rows):>7}{statistics.mean(r['score'] for _, r in rows):>12.3f}{timeouts:>10.0f}{len(wrong):>10}"
        )
        for kind, expected, score, error in wrong[:5]:
            print(f"    disagreement: kind={kind} expected={expected:.3f} got={score:.3f} {error}")
    kinds = Counter((i.domain, i.kind) for i in items)
    print("answer kinds:", ", ".join(f"{d}/{k}={n}" for (d, k), n in sorted(kinds.items())))


def report_comparison(sample, ours, ours_elapsed, route, verl_results, verl_elapsed) -> None:
    ours_rate, verl_rate = len(sample) / ours_elapsed, len(sample) / verl_elapsed
    print(f"\n== side by side: verl route '{route}' on {len(sample)} items ==")
    print(
        f"reward_fns {ours_rate:.1f} items/s, verl {verl_rate:.1f} items/s: ratio {ours_rate / verl_rate:.1f}x"
    )
    print(
        f"{'domain':<8}{'items':>7}{'verl!=expected':>16}{'ours!=expected':>16}{'verl!=ours':>12}{'verl hung':>11}{'verl slowest':>14}"
    )
    for domain in ("math", "code"):
        rows = [
            (i, m, t)
            for i, m, t in zip(sample, ours, verl_results, strict=True)
            if i.domain == domain
        ]
        if not rows:
            continue
        verl_wrong = [
            (i.kind, i.expected, t) for i, _, t in rows if not agrees(t["score"], i.expected)
        ]
        ours_wrong = sum(not agrees(m["score"], i.expected) for i, m, _ in rows)
        differ = sum(
            abs(t["score"] - m["score"]) > 1e-6 and max(t["score"], m["score"]) > 0.05
            for _, m, t in rows
        )
        hung = sum(t["status"] == "timeout" for _, _, t in rows)
        slowest = max(t["seconds"] for _, _, t in rows)
        print(
            f"{domain:<8}{len(rows):>7}{len(verl_wrong):>16}{ours_wrong:>16}{differ:>12}{hung:>11}{slowest:>13.1f}s"
        )
        by_kind = Counter(f"{kind} ({theirs['status']})" for kind, _, theirs in verl_wrong)
        if by_kind:
            print(
                "    verl differs from the expectation on:",
                ", ".join(f"{k} x{n}" for k, n in by_kind.most_common()),
            )


def _cpu_seconds() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def report_cpu(sample: list[Item], others: list[Item]) -> None:
    """CPU seconds per item, one item after another in this process (plus the processes it
    starts): a figure the other load on a shared machine does not distort. Items that make
    verl's grader hang are left out (nothing here would stop them)."""
    from verl.utils.reward_score import default_compute_score

    sample = [i for i in sample if i.kind != "hang_input"]
    math_reward.clear_cache()
    print(f"\n== CPU per item, sequential, in-process ({len(sample)} items) ==")
    print(f"{'domain':<8}{'reward_fns ms':>15}{'verl default ms':>17}{'ratio':>8}")
    for domain in ("math", "code"):
        items = [i for i in sample if i.domain == domain]
        if not items:
            continue
        parsed = [dispatch.DOMAINS[domain].parse_ground_truth(i.ground_truth) for i in items]
        texts = [graded_text(i.response) for i in items]
        # An unmeasured pass over OTHER items first: lazy imports and the LaTeX parser's
        # automaton warm up over the first few hundred answers of a run (not a per-item cost
        # of a long training job), while no answer of the sample gets cached.
        warm_up = [i for i in others if i.domain == domain and i.kind != "hang_input"][
            : 200 if domain == "math" else 1
        ]
        for item in warm_up:
            default_compute_score(item.data_source, item.response, item.ground_truth)
            text = graded_text(item.response)
            if domain == "math" and text is not None and last_boxed(text) is not None:
                math_reward.is_correct(
                    last_boxed(text), math_reward.parse_ground_truth(item.ground_truth)
                )
        math_reward.clear_cache()
        start = _cpu_seconds()
        for text, truth in zip(texts, parsed, strict=True):
            if text is None:
                continue
            if domain == "math":
                pred = last_boxed(text)
                if pred is not None:
                    math_reward.is_correct(pred, truth)
            else:
                code_reward.score(text, truth)
        ours = (_cpu_seconds() - start) / len(items)
        start = _cpu_seconds()
        for item in items:
            default_compute_score(item.data_source, item.response, item.ground_truth)
        theirs = (_cpu_seconds() - start) / len(items)
        print(f"{domain:<8}{ours * 1000:>15.1f}{theirs * 1000:>17.1f}{theirs / ours:>7.1f}x")


def report_isolation_cost(count: int, seed: int) -> None:
    """Reading answers that reasoning-gym scorers would evaluate: what our readers cost per
    item, against what isolating each item would cost instead (a fork of a prepared worker
    per item, or a fresh sandbox per item). Wall-clock ms per item, one after another."""
    from reward_fns import reasoning_gym_policy
    from reward_fns.sandbox import run_tests

    tasks = ["puzzle24", "countdown", "polynomial_multiplication", "simple_integration"]
    tasks += ["string_insertion", "n_queens"]
    entries = [
        (task, json.loads(json.dumps(entry, default=str)))
        for task in tasks
        for entry in reasoning_gym.create_dataset(task, size=max(1, count // len(tasks)), seed=seed)
    ]
    answers = [(task, str(entry["answer"]), entry) for task, entry in entries]
    for task, answer, entry in answers[: len(tasks)]:  # lazy imports and parser tables
        reasoning_gym_policy.hardened_score(task, answer, entry)

    def per_item(run) -> float:
        start = time.monotonic()
        for task, answer, entry in answers:
            run(task, answer, entry)
        return (time.monotonic() - start) * 1000 / len(answers)

    def forked(task, answer, entry):
        pid = os.fork()
        if pid == 0:
            reasoning_gym_policy.hardened_score(task, answer, entry)
            os._exit(0)
        os.waitpid(pid, 0)

    import reward_fns.ifeval_checks  # noqa: F401  (a fork copies what a worker holds)
    import reward_fns.math_reward  # noqa: F401

    readers = per_item(reasoning_gym_policy.hardened_score)
    fork = per_item(forked)
    sandbox = per_item(lambda *_: run_tests("print(1)", [""]))
    print(f"\n== scoring answers that reasoning-gym evaluates ({len(answers)} items, {tasks}) ==")
    print(f"readers that cannot execute code (ours): {readers:8.2f} ms/item")
    print(f"a forked worker per item instead:        {fork:8.2f} ms/item ({fork / readers:.1f}x)")
    print(
        f"a fresh sandbox per item instead:        {sandbox:8.2f} ms/item ({sandbox / readers:.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--prompts", type=int, default=256, help="prompts in the batch (paper: 256)"
    )
    parser.add_argument(
        "--responses", type=int, default=16, help="responses per prompt (paper: 16)"
    )
    parser.add_argument(
        "--verl-items",
        type=int,
        default=240,
        help="math+code items also scored by verl's built-ins (0: skip)",
    )
    parser.add_argument(
        "--verl-bound", type=float, default=20.0, help="seconds before a verl call counts as hung"
    )
    parser.add_argument(
        "--cpu-items",
        type=int,
        default=80,
        help="of those, items timed one by one for CPU per item (0: skip)",
    )
    parser.add_argument(
        "--isolation-items",
        type=int,
        default=60,
        help="reasoning-gym answers timed with our readers vs per-item isolation (0: skip)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    items = build_batch(args.prompts, args.responses, args.seed)
    # Start the pool's workers before the clock runs (a training job pays this once).
    report_ours(items, run_ours(items, "reward_fns"))

    if args.verl_items:
        rng = random.Random(args.seed + 1)
        candidates = [i for i in items if i.domain in ("math", "code")]
        sample = rng.sample(candidates, min(args.verl_items, len(candidates)))
        ours = run_ours(sample, "reward_fns (sample)")
        processes = len(os.sched_getaffinity(0))
        verl_results, verl_elapsed = run_verl(sample, "default", processes, args.verl_bound)
        report_comparison(
            sample,
            ours.results,
            ours.elapsed,
            "default (prime_math / prime_code)",
            verl_results,
            verl_elapsed,
        )
        if args.cpu_items:
            report_cpu(sample[: args.cpu_items], [i for i in candidates if i not in sample])
        math_sample = [i for i in sample if i.domain == "math"]
        ours_math = run_ours(math_sample, "reward_fns (math sample)")
        verl_results, verl_elapsed = run_verl(
            math_sample, "math_verify", processes, args.verl_bound
        )
        report_comparison(
            math_sample,
            ours_math.results,
            ours_math.elapsed,
            "math_verify",
            verl_results,
            verl_elapsed,
        )
    if args.isolation_items:
        report_isolation_cost(args.isolation_items, args.seed)


if __name__ == "__main__":
    main()
