"""Reasoning-gym rows, generated locally with reasoning-gym 0.1.25 (no download).

Task set (:data:`TRAIN_TASKS`, pinned): the paper trained on 96 reasoning-gym tasks, naming
``acre``, ``boxnet`` and ``game_of_life_halting`` as held out (out-of-distribution). Our
list starts from the 101 tasks reasoning-gym registered in May 2025 (the 105 of 0.1.25 minus
``coin_flip``, ``kakurasu``, ``path_star`` and ``survo``, added later; ``composite`` is a
mixer, not a task), removes the three OOD tasks, and removes two more the paper does not
name: ``arc_agi`` and ``rearc``, the ARC grid puzzles. We chose those two because (1)
``arc_agi`` serves the public ARC-AGI-1 puzzles, its evaluation set included by default, and
``rearc`` regenerates the ARC training puzzles, so training on them would contaminate the
ARC-AGI benchmark; and (2) they are the only tasks whose gold answer does not survive the
JSON ground truth: their boards are tuples, JSON makes them lists, and reasoning-gym's own
scorers then give the gold answer 0 (measured: 20 of 20 items each; our reward_fns repairs
this, a plain reasoning-gym verifier in someone else's verl run would not).

Each row's ground truth is ``{"task": name, "entry": <the reasoning-gym entry>}`` as JSON,
which reward_fns re-scores with the task's own verifier; the prompt is
:func:`data_prep.prompts.reasoning_gym_messages`. Every (seed, task, split) draws from its
own generator seed (:func:`generator_seed`), so splits never share an item seed; prompts
duplicated across splits are then removed from train (and val) by the source build.
Generation runs in a process pool in chunks of items, in a fixed order, with string hashing
fixed in the workers, so the output depends on the seed alone: not on the number of workers,
nor on the run.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext, redirect_stdout
from multiprocessing import get_context

import reasoning_gym
from tqdm import tqdm

from data_prep.prompts import reasoning_gym_messages
from data_prep.rows import make_row

OOD_TASKS = ("acre", "boxnet", "game_of_life_halting")
ADDED_AFTER_PAPER = ("coin_flip", "kakurasu", "path_star", "survo")
ARC_TASKS = ("arc_agi", "rearc")
TRAIN_TASKS = (
    "ab", "advanced_geometry", "aiw", "arc_1d", "base_conversion", "basic_arithmetic", "bf",
    "binary_alternation", "binary_matrix", "bitwise_arithmetic", "caesar_cipher",
    "calendar_arithmetic", "chain_sum", "circuit_logic", "codeio", "color_cube_rotation",
    "complex_arithmetic", "count_bits", "count_primes", "countdown", "course_schedule",
    "cryptarithm", "decimal_arithmetic", "decimal_chain_sum", "dice", "emoji_mystery",
    "family_relationships", "figlet_font", "fraction_simplification", "futoshiki",
    "game_of_life", "gcd", "graph_color", "group_anagrams", "gsm_symbolic",
    "intermediate_integration", "isomorphic_strings", "jugs", "knight_swap", "knights_knaves",
    "largest_island", "lcm", "leg_counting", "letter_counting", "letter_jumble",
    "list_functions", "mahjong_puzzle", "manipulate_matrix", "maze", "mini_sudoku",
    "modulo_grid", "n_queens", "needle_haystack", "number_filtering", "number_format",
    "number_sequence", "number_sorting", "palindrome_generation", "palindrome_partitioning",
    "polynomial_equations", "polynomial_multiplication", "pool_matrix", "power_function",
    "prime_factorization", "products", "propositional_logic", "puzzle24", "quantum_lock",
    "ransom_note", "rectangle_count", "rotate_matrix", "rotten_oranges", "rubiks_cube",
    "rush_hour", "self_reference", "sentence_reordering", "shortest_path", "simple_equations",
    "simple_geometry", "simple_integration", "sokoban", "spell_backward", "spiral_matrix",
    "string_insertion", "string_manipulation", "string_splitting", "string_synthesis",
    "sudoku", "syllogism", "time_intervals", "tower_of_hanoi", "tsumego", "word_ladder",
    "word_sequence_reversal", "word_sorting", "zebra_puzzles",
)  # fmt: skip

# Paper, Appendix D: ~37k reasoning-gym training problems, 100 held out per task for test.
TRAIN_PER_TASK = 385  # 96 tasks x 385 = 36,960
VAL_PER_TASK = 10
TEST_PER_TASK = 100
GRAPH_COLOR_NODES = (10, 20, 30, 40)  # paper, Figure 6
CHUNK = 50  # items per unit of parallel work


def generator_seed(seed: int, task: str, split: str, variant: str = "") -> int:
    """The reasoning-gym dataset seed for one (seed, task, split, variant): stable, spread out."""
    return zlib.crc32(f"{seed}/{task}/{split}/{variant}".encode())


def entry_row(task: str, entry: dict, *, split: str, source_id: str, variant: str = "") -> dict:
    """One verl row for a reasoning-gym entry."""
    return make_row(
        data_source=f"prorl/reasoning_gym/{task}",
        prompt=reasoning_gym_messages(entry["question"]),
        ability="logic",
        ground_truth=json.dumps({"task": task, "entry": entry}),
        domain="reasoning_gym",
        source="reasoning_gym",
        source_id=source_id,
        split=split,
        variant=variant,
    )


def _generate_chunk(unit: tuple) -> tuple[list[dict], Counter]:
    """Rows for items ``start..stop`` of one task's dataset (runs in a worker process).

    An item reasoning-gym fails to generate, or whose entry is not JSON (e.g. a Fraction in
    its metadata), is counted by reason and task instead of written.
    """
    task, split, seed, size, start, stop, config, variant = unit
    gen_seed = generator_seed(seed, task, split, variant)
    rows, dropped = [], Counter()
    # Some generators print progress; keep the CLI's standard output for its JSON report.
    with redirect_stdout(sys.stderr):
        dataset = reasoning_gym.create_dataset(task, size=size, seed=gen_seed, **(config or {}))
        entries = []
        for i in range(start, stop):
            try:
                entries.append((i, dataset[i]))
            except Exception:
                dropped[f"generation_error:{task}"] += 1
    for i, entry in entries:
        try:
            row = entry_row(
                task, entry, split=split, source_id=f"{task}/{gen_seed}/{i}", variant=variant
            )
        except (TypeError, ValueError):
            dropped[f"entry_not_json:{task}"] += 1
            continue
        row["extra_info"]["index"] = i
        rows.append(row)
    return rows, dropped


def _units(task, split, seed, size, config, variant) -> list[tuple]:
    return [
        (task, split, seed, size, start, min(start + CHUNK, size), config, variant)
        for start in range(0, size, CHUNK)
    ]


@contextmanager
def _fixed_hash_workers(workers: int):
    """A pool of fresh worker processes whose string hashing is fixed (``PYTHONHASHSEED=0``).

    Some generators (isomorphic_strings, knight_swap, polynomial_multiplication, ransom_note,
    word_ladder) iterate over sets of strings, whose order follows the process's hash seed:
    without this, the same seed gives other items on every run.
    """
    previous = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        pool = get_context("spawn").Pool(workers)
    finally:
        if previous is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = previous
    with pool:
        yield pool


def run_units(
    units: list[tuple], workers: int, desc: str, *, progress: bool = True
) -> tuple[list[dict], Counter]:
    """Generate all units (in order) in ``workers`` processes, with a progress bar.

    Runs in this process only when its hashing is already fixed (started with PYTHONHASHSEED=0)
    and one worker is asked for; otherwise in fixed-hash worker processes.
    """
    rows: list[dict] = []
    dropped: Counter = Counter()
    total = sum(u[5] - u[4] for u in units)
    in_process = workers <= 1 and sys.flags.hash_randomization == 0
    with tqdm(total=total, desc=desc, unit="item", disable=not progress) as bar:
        with nullcontext() if in_process else _fixed_hash_workers(max(workers, 1)) as pool:
            chunks = (
                map(_generate_chunk, units) if pool is None else pool.imap(_generate_chunk, units)
            )
            for unit, (chunk, chunk_dropped) in zip(units, chunks, strict=True):
                rows.extend(chunk)
                dropped.update(chunk_dropped)
                bar.update(unit[5] - unit[4])
    return rows, dropped


def build_rows(
    task: str, size: int, seed: int, split: str, config: dict | None = None, *, variant: str = ""
) -> list[dict]:
    """``size`` verl rows of one reasoning-gym task (used by the CPU demo).

    ``config`` holds the task's reasoning-gym config fields (e.g. chain_sum's ``min_terms``,
    ``max_terms``, ``min_digits``, ``max_digits``). Different ``split`` values draw from
    different generator seeds, so a train and a test set built with one ``seed`` differ.
    Items are generated in one fixed-hash worker process (about a second to start), or in
    this process when it runs with ``PYTHONHASHSEED=0``.
    """
    if task not in reasoning_gym.factory.DATASETS:
        raise ValueError(f"unknown reasoning-gym task {task!r}")
    units = _units(task, split, seed, size, config, variant)
    rows, dropped = run_units(units, 1, task, progress=False)
    if dropped:
        raise RuntimeError(f"reasoning-gym could not produce every {task} item: {dict(dropped)}")
    return rows


def generate_splits(
    tasks: Iterable[str], sizes: dict[str, int], seed: int, workers: int, desc: str
) -> tuple[dict[str, list[dict]], Counter]:
    """Rows per split for each task with default configs: ``sizes`` maps split -> items per task."""
    units = [
        unit
        for split, size in sizes.items()
        for task in tasks
        for unit in _units(task, split, seed, size, None, "")
    ]
    rows, dropped = run_units(units, workers, desc)
    return {
        split: [r for r in rows if r["extra_info"]["split"] == split] for split in sizes
    }, dropped


def generate_graph_color(per_size: int, seed: int, workers: int) -> tuple[list[dict], Counter]:
    """graph_color test rows at 10, 20, 30 and 40 nodes (variant ``nodes=<n>``)."""
    units = [
        unit
        for nodes in GRAPH_COLOR_NODES
        for unit in _units(
            "graph_color",
            "test",
            seed,
            per_size,
            {"min_num_vertices": nodes, "max_num_vertices": nodes},
            f"nodes={nodes}",
        )
    ]
    return run_units(units, workers, "graph_color")
