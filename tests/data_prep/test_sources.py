"""Each source converts its hub-schema fixture: rows, fields, drops by reason, dedup, strictness."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_prep.catalog import SOURCES, Converted
from data_prep.prompts import CHOICE_INSTRUCTION, CODE_INSTRUCTION, MATH_INSTRUCTION, math_messages
from data_prep.rows import SCHEMA, read_rows

CONVERTED = sorted(s.name for s in SOURCES if isinstance(s, Converted))


@pytest.fixture
def build(tmp_path, fixtures, hub_fixture, run_cli, read_stats):
    """Build sources from their fixtures into one output dir; returns (rows by split, stats)."""

    def _build(source, *extra):
        assert (
            run_cli(source, "--input", fixtures / hub_fixture[source], "--out", tmp_path, *extra)
            == 0
        )
        stats = read_stats(tmp_path, source)
        rows = {
            split: read_rows(tmp_path / source / f"{split}.parquet") for split in stats["rows_out"]
        }
        return rows, stats

    _build.out = tmp_path
    return _build


def gold(row):
    return row["reward_model"]["ground_truth"]


@pytest.mark.parametrize("source", CONVERTED)
def test_every_source_writes_the_fixed_verl_schema(build, source):
    rows, stats = build(source)
    for split in rows:
        table = pq.read_table(build.out / source / f"{split}.parquet")
        assert table.schema.equals(SCHEMA)
        assert table.column("ability").type == pa.string()
    for split, split_rows in rows.items():
        assert [r["extra_info"]["index"] for r in split_rows] == list(range(len(split_rows)))
        for row in split_rows:
            assert row["data_source"].startswith("prorl/")
            assert row["reward_model"]["style"] == "rule" and gold(row).strip()
            assert row["prompt"][-1]["role"] == "user" and row["prompt"][-1]["content"].strip()
            assert row["extra_info"]["split"] == split
            assert row["extra_info"]["source_id"]
    kept = sum(stats["rows_out"].values())
    accounted = sum(stats["dropped"].values()) + sum(
        stats[k]
        for k in ("duplicates_removed", "eval_overlap_removed", "sampled_out", "limited_out")
    )
    assert kept + accounted == stats["rows_in"]  # nothing vanishes uncounted


def test_math_answers_prompts_drops_and_dedup(build):
    build("aime24")  # evaluation set first: its problem must leave the training data
    rows, stats = build("math")
    assert stats["rows_in"] == 8
    assert stats["dropped"] == {"missing:answer": 1, "empty:answer": 1, "wrong_type:answer": 1}
    assert stats["duplicates_removed"] == 1
    assert stats["eval_overlap_removed"] == 1
    train = rows["train"]
    assert [gold(r) for r in train] == ["6", "\\frac{3}{4}", "12"]
    assert train[0]["prompt"] == [
        {"role": "user", "content": f"What is $1+2+3$? {MATH_INSTRUCTION}"}
    ]
    assert {r["data_source"] for r in train} == {"prorl/math/deepscaler"}


def test_math_eval_sets_normalise_answers(build):
    assert [gold(r) for r in build("amc")[0]["test"]] == ["142"]  # 142.0 in the hub file
    olympiad, stats = build("olympiadbench")
    assert [gold(r) for r in olympiad["test"]] == ["4", "1, 2"]  # $..$ stripped, lists joined
    assert stats["dropped"] == {"empty:final_answer": 1}
    minerva = build("minerva")[0]["test"][0]
    assert minerva["prompt"] == math_messages(
        "A car travels 120 km in 2 hours. What is its average speed in km/h?"
    )
    aime24 = build("aime24")[0]["test"]
    assert [r["extra_info"]["source_id"] for r in aime24] == ["60", "61"]


def test_code_keeps_eurus_tests_and_replaces_its_prompt(build, fixtures):
    build("code_val")
    rows, stats = build("code")
    assert stats["dropped"] == {
        "not_code": 1,
        "not_json:reward_model.ground_truth": 1,
        "inputs_outputs_mismatch:reward_model.ground_truth": 1,
    }
    assert stats["eval_overlap_removed"] == 1  # the taco problem is also a validation problem
    (row,) = rows["train"]
    source = pq.read_table(fixtures / "eurus_train.parquet").to_pylist()[0]
    assert gold(row) == source["reward_model"]["ground_truth"]
    assert row["data_source"] == "prorl/code/apps"
    assert row["prompt"] == [
        {
            "role": "user",
            "content": f"Read two integers a and b from one line and print a + b.\n\n{CODE_INSTRUCTION}",
        }
    ]


def test_humaneval_plus_becomes_call_based_tests(build):
    rows, stats = build("humaneval_plus")
    (row,) = rows["test"]
    assert json.loads(gold(row)) == {
        "inputs": [[1, 2], [0, 0], [-5, 3]],
        "outputs": [3, 0, -2],
        "fn_name": "add",
    }
    assert stats["dropped"] == {"tests_not_literal:test": 1}
    assert "def add(a: int, b: int) -> int:" in row["prompt"][0]["content"]


def test_livecodebench_reads_compressed_private_tests_and_functional_tests(build):
    rows, stats = build("livecodebench")
    stdin, functional = rows["test"]
    assert json.loads(gold(stdin)) == {"inputs": ["2 3\n", "7 8\n"], "outputs": ["6\n", "56\n"]}
    assert json.loads(gold(functional)) == {
        "inputs": ["38", "0"],
        "outputs": ["2", "0"],
        "fn_name": "addDigits",
    }
    assert "class Solution:" in functional["prompt"][0]["content"]
    assert stats["dropped"] == {"empty:public_test_cases": 1}


def test_gpqa_is_a_choice_letter_problem(build):
    rows, stats = build("gpqa")
    assert [gold(r) for r in rows["test"]] == ["D", "A"]
    assert rows["test"][0]["prompt"][0]["content"].endswith(CHOICE_INSTRUCTION)
    assert stats["dropped"] == {
        "no_lettered_choices:question": 1,
        "not_a_choice_letter:correct_answer": 1,
    }


def test_stem_extracts_short_answers_and_counts_what_it_drops(build):
    rows, stats = build("stem")
    assert [gold(r) for r in rows["train"]] == ["20", "2 mol"]
    assert stats["dropped"] == {"no_short_answer": 1, "reference_disputed": 1, "answer_too_long": 1}
    assert [r["extra_info"]["variant"] for r in rows["train"]] == ["Physics", "Chemistry"]


def test_ifeval_ground_truth_drops_none_kwargs(build):
    rows, stats = build("ifeval_eval")
    first, second = (json.loads(gold(r)) for r in rows["test"])
    # the hub parquet gives every kwargs struct all fields, absent ones as None
    assert first["kwargs"] == [{}]
    assert second == {
        "instruction_id_list": ["length_constraints:number_words", "punctuation:no_comma"],
        "kwargs": [{"relation": "at least", "num_words": 12}, {}],
        "prompt": "Describe a cat in at least 12 words. Do not use any commas in your response.",
    }
    assert stats["dropped"] == {"kwargs_mismatch:kwargs": 1}
    nemotron, stats = build("ifeval")
    truths = [json.loads(gold(r)) for r in nemotron["train"]]
    assert truths[0]["kwargs"] == [{"num_bullets": 2}]
    assert truths[1] == {
        "instruction_id_list": ["punctuation:no_comma"],
        "kwargs": [{}],
        "prompt": "Say hello. Do not use any commas in your response.",
    }
    assert stats["dropped"] == {"missing:args": 1, "kwargs_mismatch:args.instruction_kwargs": 1}


def test_strict_stops_at_the_first_malformed_row_naming_file_row_and_field(
    tmp_path, fixtures, run_cli
):
    with pytest.raises(ValueError) as error:
        run_cli("math", "--input", fixtures / "deepscaler.json", "--out", tmp_path, "--strict")
    message = str(error.value)
    assert "deepscaler.json item 3" in message and "'answer'" in message and "missing" in message


def test_filtered_rows_do_not_stop_a_strict_run(tmp_path, fixtures, run_cli, read_stats):
    # a math row in Eurus data is not malformed, only not wanted by the code source
    assert run_cli("stem", "--input", fixtures / "scp.parquet", "--out", tmp_path, "--strict") == 0
    assert read_stats(tmp_path, "stem")["rows_out"] == {"train": 2}


def test_unreadable_jsonl_line_is_counted_not_fatal(tmp_path, run_cli, read_stats):
    bad = tmp_path / "aime25.jsonl"
    bad.write_text('{"problem": "What is $5-3$?", "answer": "2", "id": "1"}\n{not json\n')
    assert run_cli("aime25", "--input", bad, "--out", tmp_path / "out") == 0
    stats = read_stats(tmp_path / "out", "aime25")
    assert stats["rows_in"] == 2 and stats["dropped"] == {"not_an_object:<row>": 1}


def test_same_input_same_bytes(tmp_path, fixtures, run_cli):
    for out in (tmp_path / "a", tmp_path / "b"):
        assert run_cli("math", "--input", fixtures / "deepscaler.json", "--out", out) == 0
    assert (tmp_path / "a/math/train.parquet").read_bytes() == (
        tmp_path / "b/math/train.parquet"
    ).read_bytes()


def test_limit_keeps_the_first_rows_and_counts_the_rest(tmp_path, fixtures, run_cli, read_stats):
    assert (
        run_cli("math", "--input", fixtures / "deepscaler.json", "--out", tmp_path, "--limit", 2)
        == 0
    )
    stats = read_stats(tmp_path, "math")
    assert stats["rows_out"] == {"train": 2} and stats["limited_out"] == 2


def test_missing_input_is_a_clear_error(tmp_path, run_cli):
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        run_cli("math", "--input", tmp_path / "nowhere.json", "--out", tmp_path)


MALFORMED = [
    None,
    "just a string",
    [],
    {},
    {"problem": 7, "question": ["x"], "answer": None, "final_answer": [{"a": 1}]},
    {"data_source": "apps", "prompt": "not messages", "reward_model": "x"},
    {"data_source": "taco", "prompt": [{"role": "user", "content": None}]},
    {
        "data_source": "apps",
        "prompt": [{"role": "user", "content": "p"}],
        "reward_model": {"ground_truth": 5},
    },
    {"task_id": "t", "prompt": "p", "entry_point": "f", "test": "def check(:"},
    {"question_id": 1, "question_content": "q", "public_test_cases": "bm90IGpzb24="},
    {"question_id": 1, "question_content": "q", "public_test_cases": [{"input": "1"}]},
    {"question": "q (A) a (B) b (C) c (D) d", "correct_answer": 3},
    {"prompt": "p", "instruction_id_list": ["a:b"], "kwargs": ["not a dict"]},
    {
        "input": [{"role": "assistant", "content": "no user"}],
        "args": {"instruction_id_list": ["a:b"]},
    },
    {"problem": "p", "matched_solution": None},
]


@pytest.mark.parametrize("source", CONVERTED)
def test_malformed_records_are_counted_never_fatal_and_fatal_when_strict(source):
    from data_prep.catalog import BY_NAME
    from data_prep.records import convert_records

    convert = BY_NAME[source].convert
    records = [(f"row {i}", record) for i, record in enumerate(MALFORMED)]
    rows, tally = convert_records(records, convert)
    assert rows == [] and tally.rows_in == len(MALFORMED)
    assert sum(tally.dropped.values()) == len(MALFORMED)
    with pytest.raises(ValueError, match=r"^row 0: "):
        convert_records(records, convert, strict=True)


def test_an_unforeseen_converter_error_is_counted_with_its_type():
    from data_prep.records import convert_records

    def convert(record):
        return record["x"].upper()  # AttributeError on an int

    rows, tally = convert_records([("f row 0", {"x": "a"}), ("f row 1", {"x": 1})], convert)
    assert rows == ["A"] and tally.dropped == {"unreadable:AttributeError": 1}
    with pytest.raises(ValueError, match="f row 1: AttributeError"):
        convert_records([("f row 1", {"x": 1})], convert, strict=True)
