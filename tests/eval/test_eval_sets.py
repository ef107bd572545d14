"""Eval set lookup and row checks."""

import json

import pytest

from prorl_verl.eval.eval_sets import graph_color_size, load_eval_set


def test_set_names_resolve_under_the_data_dir_and_paths_are_read_as_given(tmp_path, sets):
    rows = sets.rows("basic_arithmetic", 3, seed=5)
    sets.write(tmp_path / "data" / "puzzles" / "test.parquet", rows)
    by_name = load_eval_set("puzzles", tmp_path / "data")
    assert by_name.name == "puzzles" and len(by_name.rows) == 3
    first = by_name.rows[0]
    assert first.data_source == "prorl/reasoning_gym/basic_arithmetic"
    assert first.prompt == rows[0]["prompt"]
    assert json.loads(first.ground_truth)["task"] == "basic_arithmetic"
    by_path = load_eval_set(str(sets.write(tmp_path / "mine.parquet", rows)), "unused")
    assert by_path.name == "mine" and [r.index for r in by_path.rows] == [0, 1, 2]


def test_missing_sets_and_bad_rows_name_the_file_row_and_field(tmp_path, sets):
    with pytest.raises(FileNotFoundError, match="aime24/test.parquet"):
        load_eval_set("aime24", tmp_path)
    rows = sets.rows("basic_arithmetic", 3, seed=5)
    rows[2]["prompt"] = []
    sets.write(tmp_path / "bad.parquet", rows)
    with pytest.raises(ValueError, match=r"bad.parquet, row 2, field 'prompt'"):
        load_eval_set(str(tmp_path / "bad.parquet"))
    sets.write(
        tmp_path / "nocol.parquet",
        [{"data_source": "x", "prompt": [{"role": "user", "content": "q"}]}],
    )
    with pytest.raises(ValueError, match=r"missing columns \['reward_model'\]"):
        load_eval_set(str(tmp_path / "nocol.parquet"))


def test_graph_color_size_comes_from_the_reasoning_gym_entry(tmp_path, sets):
    rows = sets.rows("graph_color", 2, seed=1, min_num_vertices=7, max_num_vertices=7)
    rows += sets.rows("basic_arithmetic", 1, seed=1)
    eval_set = load_eval_set(str(sets.write(tmp_path / "g.parquet", rows)))
    assert [graph_color_size(r) for r in eval_set.rows] == [7, 7, None]
