"""End to end on CPU: the CLI samples the tiny model on reasoning-gym sets, then the tables and
figures must follow from the generations it stored."""

import csv
import json
import math

import pytest

from prorl_verl.eval.cli import main


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def _comb_pass_at_k(n, c, k):
    """The estimator's definition with exact binomials (independent of the product form)."""
    return 1 - math.comb(n - c, k) / math.comb(n, k)


@pytest.fixture
def data_dir(tmp_path, sets):
    data = tmp_path / "data"
    puzzles = sets.rows("basic_arithmetic", 3, seed=11) + sets.rows("chain_sum", 2, seed=12)
    sets.write(data / "puzzles" / "test.parquet", puzzles)
    graphs = sets.rows("graph_color", 2, seed=1, min_num_vertices=5, max_num_vertices=5)
    graphs += sets.rows("graph_color", 2, seed=2, min_num_vertices=8, max_num_vertices=8)
    sets.write(data / "graph_color" / "test.parquet", graphs)
    return data, {"puzzles": puzzles, "graph_color": graphs}


# correct answers planted into the stored generations: model -> set -> {prompt: completions}
PLANTED = {
    "base": {"puzzles": {0: [0]}, "graph_color": {0: [0, 1]}},
    "rl": {"puzzles": {0: [0, 1], 1: [2]}, "graph_color": {0: [0, 1, 2], 1: [3]}},
}


def test_cli_tables_and_figures_follow_from_stored_generations(
    tiny_model_dir, data_dir, tmp_path, sets
):
    import reward_fns

    data, rows = data_dir
    out = tmp_path / "out"
    common = [
        "--models", f"base={tiny_model_dir} rl={tiny_model_dir}",
        "--sets", "puzzles graph_color",
        "--n", "4", "--max-new-tokens", "12", "--temperature", "1.0", "--threads", "1",
        "--data-dir", str(data), "--out", str(out),
    ]  # fmt: skip
    # a first run on the first two prompts of each set ...
    assert main([*common, "--limit", "2"]) == 0
    for model, by_set in PLANTED.items():
        for set_name, planted in by_set.items():
            path = out / "generations" / model / f"{set_name}.jsonl"
            records = _read_jsonl(path)
            assert [r["index"] for r in records] == [0, 1]
            for record in records:
                for slot in planted.get(record["index"], []):
                    record["completions"][slot]["text"] = sets.correct_answer(
                        rows[set_name][record["index"]]
                    )
            _write_jsonl(path, records)
    # ... then the full sets: the rest is generated, everything graded afresh
    assert main(common) == 0

    for set_name, set_rows in rows.items():
        with open(out / "tables" / f"{set_name}.csv") as handle:
            table = {r["model"]: r for r in csv.DictReader(handle)}
        assert set(table) == {"base", "rl"}
        for model in ("base", "rl"):
            records = _read_jsonl(out / "generations" / model / f"{set_name}.jsonl")
            assert sorted(r["index"] for r in records) == list(range(len(set_rows)))
            correct, mean_scores, tokens, unended = [], [], [], []
            for record in records:
                row = set_rows[record["index"]]
                assert len(record["completions"]) == 4
                tokens += [c["num_tokens"] for c in record["completions"]]
                unended += [not c["ended_with_eos"] for c in record["completions"]]
                results = [
                    reward_fns.compute_score(
                        row["data_source"],
                        c["text"],
                        row["reward_model"]["ground_truth"],
                        row["extra_info"],
                    )
                    for c in record["completions"]
                ]
                c = sum(r["acc"] == 1.0 for r in results)
                # only the planted answers are right: random weights never write a correct one
                assert c == len(PLANTED[model][set_name].get(record["index"], []))
                correct.append(c)
                mean_scores.append(sum(r["score"] for r in results) / 4)
            row = table[model]
            assert int(row["prompts"]) == len(set_rows) and int(row["samples_per_prompt"]) == 4
            assert float(row["reported_pass@1"]) == pytest.approx(
                sum(mean_scores) / len(mean_scores), abs=1e-9
            )
            assert float(row["mean_response_tokens"]) == pytest.approx(sum(tokens) / len(tokens))
            assert float(row["no_eos_fraction"]) == pytest.approx(sum(unended) / len(unended))
            for k in (1, 2, 4):
                expected = sum(_comb_pass_at_k(4, c, k) for c in correct) / len(correct)
                assert float(row[f"pass@{k}"]) == pytest.approx(expected, abs=1e-9), (
                    set_name,
                    model,
                    k,
                )

    # Figure 6 data: graph_color prompts 0-1 have 5 vertices, 2-3 have 8; only prompts 0-1 were solved
    with open(out / "tables" / "graph_color_by_size.csv") as handle:
        sizes = {(r["model"], int(r["graph_size"])): r for r in csv.DictReader(handle)}
    assert sorted(sizes) == [("base", 5), ("base", 8), ("rl", 5), ("rl", 8)]
    assert float(sizes[("rl", 5)]["pass@4"]) == pytest.approx(1.0)
    assert float(sizes[("base", 5)]["pass@4"]) == pytest.approx(0.5)
    assert float(sizes[("rl", 8)]["pass@4"]) == pytest.approx(0.0)
    # Figure 3 data: one point per task; K falls back to the 4 samples drawn
    with open(out / "tables" / "gain_vs_base.csv") as handle:
        points = list(csv.DictReader(handle))
    assert {p["data_source"] for p in points} == {
        "prorl/reasoning_gym/basic_arithmetic",
        "prorl/reasoning_gym/chain_sum",
        "prorl/reasoning_gym/graph_color",
    }
    assert {p["k"] for p in points} == {"4"}
    for name in [
        "passk_puzzles.png", "passk_graph_color.png", "pass1_hist_puzzles.png",
        "pass1_hist_graph_color.png", "gain_vs_base.png", "graph_color_size_graph_color.png",
    ]:  # fmt: skip
        assert (out / "plots" / name).read_bytes()[:4] == b"\x89PNG"
    assert "## puzzles" in (out / "tables" / "summary.md").read_text()
