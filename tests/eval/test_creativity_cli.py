"""`python -m prorl_verl.eval creativity` on hand-made stored generations and a local corpus."""

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prorl_verl.eval.cli import main
from prorl_verl.eval.creativity.generations import generation_files

COPIED = " ".join(f"alpha{i}" for i in range(20))  # a corpus document
SECOND = " ".join(f"beta{i}" for i in range(24))  # another one
UNSEEN = " ".join(f"gamma{i}" for i in range(24))
HALF = " ".join(SECOND.split()[:12] + UNSEEN.split()[:12])  # 12 copied words, 12 new


def store(root, model, eval_set, data_file, prompts):
    folder = root / "generations" / model
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{eval_set}.meta.json").write_text(json.dumps({"data_file": str(data_file)}))
    lines = [
        json.dumps(
            {
                "index": i,
                "prompt_sha256": "0" * 64,
                "completions": [
                    {"text": t, "num_tokens": 1, "ended_with_eos": True} for t in texts
                ],
            }
        )
        for i, texts in prompts.items()
    ]
    (folder / f"{eval_set}.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture
def eval_dir(tmp_path):
    data = tmp_path / "mixed.parquet"
    pq.write_table(
        pa.table({"data_source": ["prorl/reasoning_gym/chain_sum", "prorl/math/toy"]}), data
    )
    out = tmp_path / "eval"
    store(out, "base", "mixed", data, {0: [COPIED, COPIED], 1: [SECOND, ""]})
    store(out, "rl", "mixed", data, {0: [UNSEEN, UNSEEN], 1: [HALF, HALF]})
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"text": t}) + "\n" for t in (COPIED, SECOND)))
    return out, corpus


def score(out, corpus, *extra):
    """The command line on ``out``'s generations with an index of ``corpus`` beside it."""
    index = out.parent / "index"
    return main(
        ["creativity", "--generations", str(out), "--index", str(index), "--corpus", str(corpus)]
        + list(extra)
    )


def read_csv(path):
    with open(path) as handle:
        return list(csv.DictReader(handle))


def test_tables_and_figures(eval_dir, capsys):
    out, corpus = eval_dir
    assert score(out, corpus, "--models", "base", "rl") == 0
    tasks = {
        (r["model"], r["data_source"]): r for r in read_csv(out / "tables/creativity_by_task.csv")
    }
    # copied text: every word in a corpus span of >= 12 words; unseen: none; half: half the words
    assert float(tasks["base", "prorl/reasoning_gym/chain_sum"]["creativity_index"]) == 0.0
    assert float(tasks["base", "prorl/math/toy"]["creativity_index"]) == 0.0
    assert tasks["base", "prorl/math/toy"]["empty_responses"] == "1"
    assert float(tasks["rl", "prorl/reasoning_gym/chain_sum"]["creativity_index"]) == 8.0
    assert float(tasks["rl", "prorl/math/toy"]["creativity_index"]) == pytest.approx(4.0)
    assert float(tasks["rl", "prorl/math/toy"]["uniqueness@5"]) == pytest.approx(0.5)
    models = {r["model"]: r for r in read_csv(out / "tables/creativity_by_model.csv")}
    assert float(models["rl"]["creativity_index"]) == pytest.approx((8 + 8 + 4 + 4) / 4)
    assert (models["base"]["responses"], models["base"]["empty_responses"]) == ("4", "1")
    per_response = read_csv(out / "creativity/base/mixed.csv")
    assert [r["words"] for r in per_response] == ["20", "20", "24", "0"]
    assert per_response[3]["creativity_index"] == ""  # no words: no score
    markdown = (out / "tables/creativity.md").read_text()
    assert (
        "| mixed | prorl/reasoning_gym/chain_sum | 0.00 ± 0.00 | 8.00 ± 0.00 | 8.00 |" in markdown
    )
    assert (out / "plots/creativity_by_task.png").stat().st_size > 0
    assert (out / "plots/creativity_uniqueness_curve.png").stat().st_size > 0
    assert "Creativity Index" in capsys.readouterr().out

    # the index is reused for the same files, refused for others unless rebuilt
    assert score(out, corpus) == 0
    other = out.parent / "other.txt"
    other.write_text("something else")
    with pytest.raises(SystemExit, match="index of other files.*--rebuild"):
        score(out, other)
    assert score(out, other, "--rebuild", "--out", str(out.parent / "rebuilt")) == 0
    rebuilt = read_csv(out.parent / "rebuilt/tables/creativity_by_model.csv")
    assert float(rebuilt[0]["creativity_index"]) == 8.0  # nothing copied from the new corpus


def test_a_missing_eval_set_file_falls_back_to_the_set_name(eval_dir, caplog):
    out, corpus = eval_dir
    (out.parent / "mixed.parquet").unlink()
    score(out / "generations", corpus, "--models", "rl")
    rows = read_csv(out / "tables/creativity_by_task.csv")
    assert [(r["model"], r["data_source"]) for r in rows] == [("rl", "mixed")]
    assert "tasks of mixed are named after the set" in caplog.text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--generations", "{tmp}/nothing", "--index", "{tmp}/i"], "no stored generations"),
        (["--generations", "{out}", "--index", "{tmp}/none"], "no creativity index"),
        (["--generations", "{out}"], "give --index"),
        (
            ["--generations", "{out}", "--index", "{tmp}/i", "--corpus", "{tmp}/gone.txt"],
            "gone.txt does not exist",
        ),
        (
            ["--generations", "{out}", "--index", "{tmp}/i", "--min-n", "6", "--max-n", "5"],
            "--min-n",
        ),
        (["--generations", "{out}", "--index", "{tmp}/i", "--models", "ghost"], "ghost"),
        (["--index", "{tmp}/i"], "give --generations"),
        (
            ["--generations", "{out}", "--index", "{tmp}/i", "--infini-gram-index", "x"],
            "one or the other",
        ),
    ],
)
def test_bad_input_is_a_one_line_error(eval_dir, args, message):
    out, corpus = eval_dir
    tmp = out.parent
    argv = [a.format(tmp=tmp, out=out) for a in args]
    with pytest.raises(SystemExit, match=message):
        main(["creativity", *argv])


def test_torn_last_line_is_left_out_with_a_warning(eval_dir, caplog):
    out, corpus = eval_dir
    with open(out / "generations/rl/mixed.jsonl", "a") as handle:
        handle.write('{"index": 1, "prompt_')
    score(out, corpus, "--models", "rl")
    assert "last line is incomplete" in caplog.text
    rows = read_csv(out / "tables/creativity_by_model.csv")
    assert rows[0]["responses"] == "4"


def test_corrupt_line_names_file_and_line(eval_dir):
    out, corpus = eval_dir
    path = out / "generations/rl/mixed.jsonl"
    path.write_text(path.read_text() + '{"index": 2}\n')
    with pytest.raises(SystemExit, match=r"rl/mixed\.jsonl, line 3: not a generation record"):
        score(out, corpus)


def test_help_explains_the_metric(capsys):
    with pytest.raises(SystemExit):
        main(["creativity", "--help"])
    text = capsys.readouterr().out
    assert "L-uniqueness" in text and "--infini-gram-index" in text and "--corpus" in text


def test_base_comes_first_by_default(eval_dir):
    out, _ = eval_dir
    store(out, "aligned", "mixed", out.parent / "mixed.parquet", {0: [UNSEEN]})
    assert [f.model for f in generation_files(out)] == ["base", "aligned", "rl"]
    assert [f.model for f in generation_files(out, ["rl", "base"])] == ["rl", "base"]
