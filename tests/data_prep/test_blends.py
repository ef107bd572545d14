"""`all` (hub reads served from the fixtures) and the blends built from its sources."""

from __future__ import annotations

from collections import Counter

import pytest

from data_prep import build, catalog
from data_prep.blends import build_blends
from data_prep.rows import read_rows


def test_all_builds_every_source(built):
    for source in catalog.SOURCES:
        assert (built / source.name / "stats.json").exists(), source.name
        split = "train" if source.role == "train" else "test"
        assert (built / source.name / f"{split}.parquet").exists(), source.name


def _ids(rows):
    return Counter(
        (r["extra_info"]["source"], r["extra_info"]["source_id"], r["extra_info"]["split"])
        for r in rows
    )


def test_stage_blends_are_the_concatenated_training_sources(built):
    stage1 = read_rows(built / "blend" / "train_stage1.parquet")
    stage3 = read_rows(built / "blend" / "train_stage3.parquet")
    parts = {
        s: read_rows(built / s / "train.parquet")
        for s in ("math", "code", "stem", "reasoning_gym", "ifeval")
    }
    expected1 = sum((parts[s] for s in ("math", "code", "stem", "reasoning_gym")), [])
    assert _ids(stage1) == _ids(expected1)
    assert _ids(stage3) == _ids(expected1 + parts["ifeval"])
    assert {r["extra_info"]["domain"] for r in stage1} == {"math", "code", "stem", "reasoning_gym"}
    assert "ifeval" in {r["extra_info"]["domain"] for r in stage3}
    assert [r["extra_info"]["split"] for r in stage3] == ["train"] * len(stage3)


def test_validation_blend_is_aime24_codeforces_gpqa_ifeval_graph_color(built):
    val = read_rows(built / "blend" / "val.parquet")
    assert Counter(r["data_source"] for r in val) == {
        "prorl/math/aime24": 2,
        "prorl/code/codeforces": 1,  # the fixture's apps validation row stays out
        "prorl/stem/gpqa_diamond": 2,
        "prorl/ifeval/ifeval": 2,
        "prorl/reasoning_gym/graph_color": 8,
    }


def test_blend_shuffle_is_seeded(built, tmp_path):
    import shutil

    for seed, name in ((0, "a"), (0, "b"), (1, "c")):
        copy = tmp_path / name
        for source in (
            "math",
            "code",
            "stem",
            "reasoning_gym",
            "ifeval",
            "aime24",
            "code_val",
            "gpqa",
            "ifeval_eval",
            "graph_color",
        ):
            shutil.copytree(built / source, copy / source)
        build_blends(copy, seed=seed)
    same = [(tmp_path / n / "blend" / "train_stage3.parquet").read_bytes() for n in "abc"]
    assert same[0] == same[1] and same[0] != same[2]


def test_blend_names_the_missing_source(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m data_prep math"):
        build_blends(tmp_path)


def test_training_sources_lost_their_eval_overlap(built, read_stats):
    assert read_stats(built, "math")["eval_overlap_removed"] == 1  # the AIME24 problem
    assert read_stats(built, "code")["eval_overlap_removed"] == 1  # the validation problem


def test_seeded_sample_keeps_order_and_size():
    rows = [{"n": i} for i in range(100)]
    picked = build.seeded_sample(rows, 10, seed=5)
    assert len(picked) == 10 and picked == sorted(picked, key=lambda r: r["n"])
    assert picked == build.seeded_sample(rows, 10, seed=5)
    assert picked != build.seeded_sample(rows, 10, seed=6)


def test_all_reports_a_failing_source_and_builds_the_others(tmp_path, monkeypatch, capsys):
    from data_prep.cli import main

    def unreachable(spec):
        raise ConnectionError(f"cannot reach {spec.repo}")

    monkeypatch.setattr(build, "read_hub", unreachable)
    small = (
        "--rg-train-per-task",
        "1",
        "--rg-val-per-task",
        "1",
        "--rg-test-per-task",
        "1",
        "--graph-color-per-size",
        "1",
    )
    assert main(["all", "--out", str(tmp_path), *small]) == 1
    errors = capsys.readouterr().err
    assert "aime24: FAILED: ConnectionError: cannot reach HuggingFaceH4/aime_2024" in errors
    assert (tmp_path / "reasoning_gym" / "train.parquet").exists()  # generated sources still built
    assert not (tmp_path / "blend").exists()
