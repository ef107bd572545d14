"""Every source data_prep builds: where it comes from, how it converts, what it is for.

``train`` sources feed the training blends and lose any prompt that also appears in an
evaluation set already built in the same output directory; ``eval`` sources are
evaluation/validation sets written as ``<out>/<name>/test.parquet``. Sources are listed in
build order: evaluation sets first, so that training sources can be checked against them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from data_prep import reasoning_gym as rg
from data_prep.records import HubSpec
from data_prep.sources import code, code_eval, gpqa, ifeval, math, stem


@dataclass(frozen=True)
class Options:
    """Knobs of a build (CLI flags). Defaults are the paper's sizes."""

    seed: int = 0
    workers: int = 2
    strict: bool = False
    limit: int | None = None
    rg_train_per_task: int = rg.TRAIN_PER_TASK
    rg_val_per_task: int = rg.VAL_PER_TASK
    rg_test_per_task: int = rg.TEST_PER_TASK
    graph_color_per_size: int = rg.TEST_PER_TASK


@dataclass(frozen=True)
class Converted:
    """A hub dataset converted record by record."""

    name: str
    role: str
    hub: HubSpec
    convert: Callable[[dict], dict]
    about: str
    sample_size: int | None = None


@dataclass(frozen=True)
class Generated:
    """A source generated locally (reasoning-gym); ``generate`` returns rows per split and drops."""

    name: str
    role: str
    generate: Callable[[Options], tuple[dict[str, list[dict]], Counter]]
    about: str


def _reasoning_gym(options: Options) -> tuple[dict[str, list[dict]], Counter]:
    sizes = {
        "train": options.rg_train_per_task,
        "val": options.rg_val_per_task,
        "test": options.rg_test_per_task,
    }
    return rg.generate_splits(rg.TRAIN_TASKS, sizes, options.seed, options.workers, "reasoning_gym")


def _reasoning_gym_ood(options: Options) -> tuple[dict[str, list[dict]], Counter]:
    sizes = {"test": options.rg_test_per_task}
    return rg.generate_splits(
        rg.OOD_TASKS, sizes, options.seed, options.workers, "reasoning_gym_ood"
    )


def _graph_color(options: Options) -> tuple[dict[str, list[dict]], Counter]:
    rows, dropped = rg.generate_graph_color(
        options.graph_color_per_size, options.seed, options.workers
    )
    return {"test": rows}, dropped


EURUS = "PRIME-RL/Eurus-2-RL-Data"
SOURCES = [
    Converted("aime24", "eval", HubSpec("HuggingFaceH4/aime_2024", "train"), math.EVAL_SETS["aime24"], "AIME 2024 (30)"),
    Converted("aime25", "eval", HubSpec("math-ai/aime25", "test"), math.EVAL_SETS["aime25"], "AIME 2025 (30)"),
    Converted("amc", "eval", HubSpec("AI-MO/aimo-validation-amc", "train"), math.EVAL_SETS["amc"], "AMC 2022-23 (83)"),
    Converted("math500", "eval", HubSpec("HuggingFaceH4/MATH-500", "test"), math.EVAL_SETS["math500"], "MATH500"),
    Converted("minerva", "eval", HubSpec("math-ai/minervamath", "test"), math.EVAL_SETS["minerva"], "Minerva math (272)"),
    Converted(
        "olympiadbench", "eval", HubSpec("Hothan/OlympiadBench", "train", config="OE_TO_maths_en_COMP"),
        math.EVAL_SETS["olympiadbench"], "OlympiadBench, English open-ended competition math (675)",
    ),
    Converted("code_val", "eval", HubSpec(EURUS, "validation"), code.eurus_validation, "Eurus-2-RL validation code rows"),
    Converted("humaneval_plus", "eval", HubSpec("evalplus/humanevalplus", "test"), code_eval.humaneval_plus, "HumanEval+ (164)"),
    Converted(
        "livecodebench", "eval",
        HubSpec(
            "livecodebench/code_generation_lite", "train",
            data_files=tuple(
                f"hf://datasets/livecodebench/code_generation_lite/{name}.jsonl"
                for name in ("test", "test2", "test3", "test4", "test5", "test6")
            ),
        ),
        code_eval.livecodebench, "LiveCodeBench code generation (all releases)",
    ),
    Converted("gpqa", "eval", HubSpec("spawn99/GPQA-diamond-ClaudeR1", "train"), gpqa.gpqa, "GPQA-diamond (198)"),
    Converted("ifeval_eval", "eval", HubSpec("google/IFEval", "train"), ifeval.ifeval_benchmark, "IFEval (541)"),
    Generated("reasoning_gym_ood", "eval", _reasoning_gym_ood, "reasoning-gym OOD tasks acre, boxnet, game_of_life_halting"),
    Generated("graph_color", "eval", _graph_color, "reasoning-gym graph_color at 10/20/30/40 nodes (Figure 6)"),
    Converted("math", "train", HubSpec("agentica-org/DeepScaleR-Preview-Dataset", "train"), math.deepscaler, "DeepScaleR (40k)"),
    Converted("code", "train", HubSpec(EURUS, "train"), code.eurus_train, "Eurus-2-RL code rows (~24k)"),
    Converted(
        "stem", "train", HubSpec("EricLu/SCP-116K", "train"), stem.scp,
        "SCP-116K with an extractable short answer (25k)", sample_size=stem.SAMPLE_SIZE,
    ),
    Generated("reasoning_gym", "train", _reasoning_gym, "reasoning-gym, 96 tasks (~37k train, 100/task test)"),
    Converted(
        "ifeval", "train",
        HubSpec("nvidia/Llama-Nemotron-Post-Training-Dataset", "instruction_following", config="RL"),
        ifeval.nemotron, "Nemotron RL instruction following (10k sample)", sample_size=ifeval.SAMPLE_SIZE,
    ),
]  # fmt: skip
BY_NAME = {source.name: source for source in SOURCES}
