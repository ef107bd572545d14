"""A local reference corpus as a byte-level suffix array (pydivsufsort / libdivsufsort).

Rule: each document is reduced to its whitespace words and stored as ``" w1 w2 … wn "``
(UTF-8, one space between words and at both ends); documents are joined by a newline. A
span of words occurs verbatim in the corpus exactly when ``" " + " ".join(span) + " "`` is a
substring of those bytes: the spaces pin the match to word boundaries ("cat" does not match
inside "concatenate") and no span crosses from one document into the next, because words
never contain a newline. The suffix array of the bytes answers such a query with a binary
search in O(pattern · log corpus) time, so scoring never loads the corpus into memory: both
files are memory-mapped.

On disk (``out_dir``): ``corpus.bin`` (the bytes), ``suffix_array.npy`` (int32 below 2 GiB of
text, else int64) and ``index.json`` (counts and how it was built). ``index.json`` is written
last, so a directory without it holds no usable index. Building needs the corpus bytes and
the suffix array in memory at once: about 5 bytes per corpus byte (9 above 2 GiB).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np
from pydivsufsort import divsufsort, sa_search
from tqdm import tqdm

from prorl_verl.eval.creativity.coverage import NgramIndex

FORMAT = "prorl-verl creativity suffix-array index"
FORMAT_VERSION = 1
META_FILE = "index.json"
CORPUS_FILE = "corpus.bin"
SUFFIX_ARRAY_FILE = "suffix_array.npy"
DOCUMENT_SEPARATOR = b"\n"


def _encode(text: str) -> bytes:
    # surrogatepass: a lone surrogate (possible after a JSON round trip) is kept, not fatal
    return text.encode("utf-8", "surrogatepass")


def span_pattern(words: Sequence[str]) -> bytes:
    """The bytes a word span occupies in the corpus, boundaries included."""
    return _encode(" " + " ".join(words) + " ")


class SuffixArrayIndex(NgramIndex):
    """A built index, memory-mapped from its directory (see ``load_index``)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        meta_path = self.directory / META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(
                f"no creativity index in {self.directory} ({META_FILE} is missing); build one with "
                "build_index(...) or `python -m prorl_verl.eval creativity --corpus FILE ... --index DIR`"
            )
        self.meta = json.loads(meta_path.read_text())
        if self.meta.get("format") != FORMAT or self.meta.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"{meta_path}: not a version-{FORMAT_VERSION} index of this package "
                f"(format {self.meta.get('format')!r}, version {self.meta.get('version')!r})"
            )
        # copy-on-write maps: writable views (libdivsufsort's ctypes binding needs them)
        # that never change the files
        self.corpus = np.memmap(self.directory / CORPUS_FILE, dtype=np.uint8, mode="c")
        self.suffix_array = np.load(self.directory / SUFFIX_ARRAY_FILE, mmap_mode="c")
        if len(self.corpus) != self.meta["corpus_bytes"] or len(self.suffix_array) != len(
            self.corpus
        ):
            raise ValueError(
                f"{self.directory}: corpus.bin has {len(self.corpus)} bytes and the suffix array "
                f"{len(self.suffix_array)} entries, {META_FILE} says {self.meta['corpus_bytes']}; "
                "the index is damaged, rebuild it"
            )

    def count(self, words: Sequence[str]) -> int:
        """How many times the word span occurs in the corpus (0 for an empty span)."""
        if not words:
            return 0
        found, _ = sa_search(self.corpus, self.suffix_array, span_pattern(words))
        return int(found)

    def occurs(self, words: Sequence[str]) -> bool:
        return self.count(words) > 0

    def __repr__(self) -> str:
        m = self.meta
        return (
            f"SuffixArrayIndex({str(self.directory)!r}: {m['documents']} documents, "
            f"{m['words']} words, {m['corpus_bytes']} bytes)"
        )


def load_index(out_dir: str | Path) -> SuffixArrayIndex:
    """Reopen an index that ``build_index`` wrote to ``out_dir``."""
    return SuffixArrayIndex(out_dir)


def build_index(
    texts: Iterable[str],
    out_dir: str | Path,
    *,
    sources: Sequence[str] = (),
    progress: bool = True,
) -> SuffixArrayIndex:
    """Index the documents ``texts`` (streamed once) into ``out_dir`` and return the index.

    ``sources`` (e.g. the corpus file names) is recorded in ``index.json``. Documents with no
    words add nothing and are counted as ``empty_documents``. An existing index in ``out_dir``
    is replaced.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / META_FILE).unlink(missing_ok=True)  # the directory holds no valid index until done
    started = time.perf_counter()
    documents = empty = words = written = 0
    corpus_tmp = out / (CORPUS_FILE + ".partial")
    with (
        open(corpus_tmp, "wb") as handle,
        tqdm(
            desc="index corpus", unit="B", unit_scale=True, disable=not progress, mininterval=1.0
        ) as bar,
    ):
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(
                    f"document {position}: expected a string, got {type(text).__name__}"
                )
            doc_words = text.split()
            if not doc_words:
                empty += 1
                continue
            chunk = (DOCUMENT_SEPARATOR if documents else b"") + span_pattern(doc_words)
            handle.write(chunk)
            documents += 1
            words += len(doc_words)
            written += len(chunk)
            bar.update(len(chunk))
    if documents == 0:
        corpus_tmp.unlink()
        raise ValueError(
            f"the corpus has no words ({empty} empty documents): nothing to index into {out}"
        )
    os.replace(corpus_tmp, out / CORPUS_FILE)
    indexed = time.perf_counter()
    corpus = np.fromfile(out / CORPUS_FILE, dtype=np.uint8)
    if progress:
        print(f"suffix array of {written:,} bytes ...", flush=True)
    suffix_array = divsufsort(corpus)
    del corpus
    np.save(out / SUFFIX_ARRAY_FILE, suffix_array)
    finished = time.perf_counter()
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "words_are": "whitespace-separated, verbatim (case and punctuation kept)",
        "documents": documents,
        "empty_documents": empty,
        "words": words,
        "corpus_bytes": written,
        "suffix_array_dtype": str(suffix_array.dtype),
        "sources": [str(s) for s in sources],
        "built_with": f"pydivsufsort=={version('pydivsufsort')}",
        "stream_seconds": round(indexed - started, 3),
        "suffix_array_seconds": round(finished - indexed, 3),
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return SuffixArrayIndex(out)
