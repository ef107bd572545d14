"""Tables, reasoning-boundary analyses and figures from hand-made graded samples."""

import csv
import math

import pytest

from prorl_verl.eval import boundary, plots
from prorl_verl.eval.scoring import PromptScores
from prorl_verl.eval.tables import summarize, write_tables

RG = "prorl/reasoning_gym/"


def graded(index, source, accs, scores=None, tokens=None):
    tokens = tokens or [10] * len(accs)
    ended = tuple(t < 10 for t in tokens)  # 10 = the length cap: those never ended
    return PromptScores(
        index, source, tuple(scores or accs), tuple(float(a) for a in accs), tuple(tokens), ended
    )


@pytest.fixture
def results():
    puzzles_base = [
        graded(0, RG + "t1", [1, 0, 0, 0], [1, 0.5, 0.5, 0]),
        graded(1, RG + "t2", [0, 0, 0, 0], [0.2, 0, 0, 0]),
        graded(2, RG + "t3", [1, 1, 0, 0]),
    ]
    puzzles_rl = [
        graded(0, RG + "t1", [1, 1, 0, 0]),
        graded(1, RG + "t2", [1, 0, 0, 0]),
        graded(2, RG + "t3", [1, 1, 1, 1]),
    ]
    math_base = [
        graded(0, "prorl/math/aime24", [1, 0], [1, 0.0], tokens=[4, 10]),
        graded(1, "prorl/math/aime24", [0, 0], tokens=[6, 8]),
    ]
    math_rl = [graded(0, "prorl/math/aime24", [1, 1]), graded(1, "prorl/math/aime24", [1, 0])]
    return {
        "puzzles": {"base": puzzles_base, "rl": puzzles_rl},
        "math": {"base": math_base, "rl": math_rl},
    }


def test_summary_rows_hold_hand_computed_pass_at_k(results):
    base = summarize(results["puzzles"]["base"])
    # pass@1 per prompt = c/n: 1/4, 0, 2/4; pass@2: 1 - C(3,2)/C(4,2) = 1/2, 0, 1 - 1/6
    assert base["prompts"] == 3 and base["samples_per_prompt"] == 4
    assert base["pass@1"] == pytest.approx((0.25 + 0 + 0.5) / 3)
    assert base["pass@2"] == pytest.approx((0.5 + 0 + 5 / 6) / 3)
    assert base["pass@4"] == pytest.approx(2 / 3)
    # puzzles report the mean continuous score: (2/4 + 0.2/4 + 2/4) / 3
    assert base["reported_pass@1"] == pytest.approx((0.5 + 0.05 + 0.5) / 3)
    # binary domains report c/n even when the score differs from acc
    math = summarize(results["math"]["base"])
    assert math["reported_pass@1"] == pytest.approx(0.25) == math["pass@1"]
    assert math["mean_response_tokens"] == pytest.approx((4 + 10 + 6 + 8) / 4)
    assert math["no_eos_fraction"] == pytest.approx(1 / 4)
    assert list(math)[-2:] == ["pass@1", "pass@2"]


def test_mixed_sample_counts_are_refused():
    with pytest.raises(ValueError, match="different sample counts"):
        summarize([graded(0, RG + "a", [1, 0]), graded(1, RG + "a", [1, 0, 0])])


def test_table_files(results, tmp_path):
    write_tables(results, tmp_path)
    with open(tmp_path / "tables" / "puzzles.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["model"] for r in rows] == ["base", "rl"]
    assert float(rows[1]["pass@2"]) == pytest.approx((5 / 6 + 0.5 + 1) / 3)
    markdown = (tmp_path / "tables" / "puzzles.md").read_text().splitlines()
    assert markdown[0] == (
        "| benchmark | model | prompts | samples_per_prompt | reported_pass@1 (%) | mean_response_tokens "
        "| no_eos_fraction (%) | pass@1 (%) | pass@2 (%) | pass@4 (%) |"
    )
    # reported pass@1 = (2/4 + 1/4 + 4/4) / 3; all 12 samples stopped at the 10-token cap
    assert markdown[3].startswith("| puzzles | rl | 3 | 4 | 58.33 | 10.0 | 100.00 | ")
    assert f"{100 * (5 / 6 + 0.5 + 1) / 3:.2f}" in markdown[3]
    summary = (tmp_path / "tables" / "summary.md").read_text()
    assert "## puzzles" in summary and "## math" in summary
    with open(tmp_path / "tables" / "by_task.csv") as handle:
        tasks = {(r["benchmark"], r["data_source"], r["model"]): r for r in csv.DictReader(handle)}
    assert len(tasks) == 8
    assert float(tasks[("puzzles", RG + "t1", "rl")]["pass@2"]) == pytest.approx(5 / 6)
    with open(tmp_path / "scores" / "base" / "puzzles.csv") as handle:
        per_prompt = list(csv.DictReader(handle))
    assert [(int(r["samples"]), int(r["correct"])) for r in per_prompt] == [(4, 1), (4, 0), (4, 2)]


def test_weaker_start_stronger_gain_points_and_correlation(results):
    k = boundary.boundary_k(results)
    assert k == 2  # the math set has only 2 samples per prompt, fewer than the paper's 128
    puzzles = boundary.gain_points({"puzzles": results["puzzles"]}, "base", 4)
    # base pass@4: t1 1, t2 0, t3 1; rl: 1, 1, 1 -> gains 0, 1, 0
    assert [(p.data_source[-2:], p.base_pass_at_k, p.gain) for p in puzzles] == [
        ("t1", 1, 0),
        ("t2", 0, 1),
        ("t3", 1, 0),
    ]
    assert boundary.pearson_r([1, 0, 1], [0, 1, 0]) == pytest.approx(-1.0)
    assert math.isnan(boundary.pearson_r([1, 2], [3, 4]))


def test_graph_color_by_size_groups_prompts_by_vertex_count(results):
    rows = boundary.graph_color_by_size(results, {"puzzles": {0: 5, 1: 5, 2: 8}}, k=2)
    by_key = {(r.model, r.size): r for r in rows}
    assert by_key[("base", 5)].prompts == 2
    assert by_key[("base", 5)].reported_pass_at_1 == pytest.approx((0.5 + 0.05) / 2)
    assert by_key[("base", 5)].pass_at_k == pytest.approx((0.5 + 0) / 2)
    assert by_key[("rl", 8)].pass_at_k == pytest.approx(1.0)


def test_figures_are_written_as_png(results, tmp_path):
    k = boundary.boundary_k(results)
    points = boundary.gain_points(results, "base", k)
    sizes = boundary.graph_color_by_size(results, {"puzzles": {0: 5, 1: 5, 2: 8}}, k)
    files = plots.plot_passk_curves(results, tmp_path) + plots.plot_pass1_histograms(
        results, tmp_path
    )
    files += [plots.plot_gain_scatter(points, "base", k, tmp_path)]
    files += plots.plot_graph_color_by_size(sizes, k, tmp_path)
    names = sorted(f.name for f in files)
    assert names == sorted(
        [
            "passk_puzzles.png",
            "passk_math.png",
            "pass1_hist_puzzles.png",
            "pass1_hist_math.png",
            "gain_vs_base.png",
            "graph_color_size_puzzles.png",
        ]
    )
    for f in files:
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
