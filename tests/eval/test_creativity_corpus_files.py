"""Reference-corpus documents from text, JSON Lines and parquet files; bad files named clearly."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prorl_verl.eval.creativity import iter_documents


def test_each_kind_of_file(tmp_path):
    (tmp_path / "book.txt").write_text("first paragraph\nstill first\n\n\n  \nsecond one\n")
    (tmp_path / "rows.jsonl").write_text(
        json.dumps({"text": "from jsonl", "id": 1}) + "\n\n" + json.dumps({"text": "two"}) + "\n"
    )
    pq.write_table(pa.table({"text": ["from parquet", ""], "n": [1, 2]}), tmp_path / "t.parquet")
    docs = list(
        iter_documents([tmp_path / "book.txt", tmp_path / "rows.jsonl", tmp_path / "t.parquet"])
    )
    assert docs == [
        "first paragraph\nstill first\n",
        "second one\n",
        "from jsonl",
        "two",
        "from parquet",
        "",
    ]


def test_directories_expand_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("zed")
    (tmp_path / "a.txt").write_text("ay")
    (tmp_path / "notes.csv").write_text("ignored,kind")
    assert list(iter_documents([tmp_path])) == ["ay", "zed"]


def test_other_text_field(tmp_path):
    (tmp_path / "c.jsonl").write_text(json.dumps({"content": "here"}) + "\n")
    assert list(iter_documents([tmp_path / "c.jsonl"], text_field="content")) == ["here"]


def test_bad_jsonl_lines_name_file_line_and_field(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"text": "ok"}) + "\n" + json.dumps({"body": "x"}) + "\n")
    with pytest.raises(ValueError, match=r"c\.jsonl, line 2, field 'text'"):
        list(iter_documents([path]))
    path.write_text("{not json\n")
    with pytest.raises(ValueError, match=r"c\.jsonl, line 1: not JSON"):
        list(iter_documents([path]))


def test_bad_parquet_rows_name_file_row_and_field(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["fine", None]}), path)
    with pytest.raises(ValueError, match=r"t\.parquet, row 1, field 'text'"):
        list(iter_documents([path]))
    pq.write_table(pa.table({"body": ["x"]}), path)
    with pytest.raises(ValueError, match=r"no column 'text' \(columns: body\)"):
        list(iter_documents([path]))


def test_missing_unknown_and_undecodable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt does not exist"):
        list(iter_documents([tmp_path / "nope.txt"]))
    (tmp_path / "data.csv").write_text("a,b")
    with pytest.raises(ValueError, match="unknown kind '.csv'"):
        list(iter_documents([tmp_path / "data.csv"]))
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.txt: not UTF-8"):
        list(iter_documents([tmp_path / "latin1.txt"]))
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no"):
        list(iter_documents([tmp_path / "empty_dir"]))
