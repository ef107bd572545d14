"""Command-line parsing: the forms ``make eval`` produces, names, and refusals."""

import subprocess
import sys
from pathlib import Path

import pytest

from prorl_verl.eval.cli import build_parser, config_from_args
from prorl_verl.eval.runner import ModelSpec


def parse(argv):
    return config_from_args(build_parser().parse_args(argv))


def test_lists_as_separate_arguments_or_one_quoted_string():
    separate = parse(
        [
            "--models",
            "base=path/a",
            "rl=path/b",
            "--sets",
            "aime24",
            "gpqa",
            "reasoning_gym",
            "--n",
            "256",
        ]
    )
    quoted = parse(
        ["--models", "base=path/a rl=path/b", "--sets", "aime24 gpqa reasoning_gym", "--n", "256"]
    )
    assert separate == quoted
    assert separate.models == [ModelSpec("base", "path/a"), ModelSpec("rl", "path/b")]
    assert separate.sets == ["aime24", "gpqa", "reasoning_gym"]
    assert separate.sampling.n == 256


def test_paper_sampling_defaults():
    config = parse(["--models", "ckpt/step_100/", "--sets", "aime24"])
    assert config.models == [ModelSpec("step_100", "ckpt/step_100/")]
    assert (config.sampling.temperature, config.sampling.top_p, config.sampling.max_new_tokens) == (
        0.6,
        0.95,
        32768,
    )
    assert config.data_dir == Path("data") and config.backend == "auto"


@pytest.mark.parametrize(
    "argv",
    [
        ["--models", "a=x", "--sets", "s", "--n", "0"],
        ["--models", "a=x", "--sets", "s", "--top-p", "0"],
        ["--models", "a=x", "--sets", "s", "--threads", "0"],
        ["--models", "a/b=x", "--sets", "s"],
        ["--models", "=x", "--sets", "s"],
    ],
)
def test_bad_arguments_are_refused(argv):
    with pytest.raises((SystemExit, ValueError)):
        parse(argv)


def test_help_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "prorl_verl.eval", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    for option in (
        "--models",
        "--sets",
        "--n",
        "--data-dir",
        "--backend",
        "--temperature",
        "--top-p",
    ):
        assert option in done.stdout


def test_a_missing_eval_set_is_a_one_line_error(tmp_path):
    from prorl_verl.eval.cli import main

    with pytest.raises(
        SystemExit, match=r"error: eval set 'aime24': .*aime24/test.parquet does not exist"
    ):
        main(
            [
                "--models",
                "a=x",
                "--sets",
                "aime24",
                "--data-dir",
                str(tmp_path),
                "--out",
                str(tmp_path / "o"),
            ]
        )


def test_a_prompt_longer_than_the_context_names_the_file_and_row(tiny_model_dir, tmp_path, sets):
    from prorl_verl.eval.cli import main

    rows = sets.rows("basic_arithmetic", 2, seed=1)
    rows[1]["prompt"] = [{"role": "user", "content": "1 + 1 = ? " * 400}]  # far past 512 tokens
    data_file = sets.write(tmp_path / "long.parquet", rows)
    argv = [
        "--models",
        f"tiny={tiny_model_dir}",
        "--sets",
        str(data_file),
        "--out",
        str(tmp_path / "o"),
    ]
    with pytest.raises(
        SystemExit, match=r"tiny on .*long.parquet, rows \[1\]: prompt of \d+ tokens leaves no room"
    ):
        main([*argv, "--n", "2", "--max-new-tokens", "4", "--backend", "hf"])
