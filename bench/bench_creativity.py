"""How the creativity index scales: build time and memory at three corpus sizes, query cost.

    .venv/bin/python bench/bench_creativity.py              # 4, 16, 64 MB
    .venv/bin/python bench/bench_creativity.py --sizes-mb 1 2 4         # quick

The corpora are synthetic and repeatable: documents of 200-400 words drawn from a Zipf law
(exponent 1.1) over a 50,000-word vocabulary, so common words and phrases recur as in real
text, written first to a JSON Lines file (not timed). Each size is indexed from that file in a
fresh process, as the command line does it, which reports its wall time (streaming the file
into the corpus bytes, then the suffix array) and its peak resident memory above what it held
just before the build. Then the same process times ``creativity_index`` (L = 5..12) on 300-word
responses of three kinds: copied from the corpus, fresh draws from the same law, and words
that never occur. A naive baseline — the same span queries answered by scanning the corpus
bytes (``bytes in bytes``) — runs side by side on the smallest corpus to show the ratio.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import psutil

from prorl_verl.eval.creativity import NgramIndex, build_index, iter_documents
from prorl_verl.eval.creativity.suffix_index import span_pattern

VOCAB = 50_000
RESPONSE_WORDS = 300
RESPONSES = 20


def zipf_documents(total_bytes: int, seed: int):
    """Documents of Zipf-distributed words until about ``total_bytes`` of text."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(VOCAB)])
    written = 0
    while written < total_bytes:
        ids = np.minimum(rng.zipf(1.1, size=rng.integers(200, 401)), VOCAB) - 1
        text = " ".join(words[ids])
        written += len(text) + 2
        yield text


def responses(corpus: bytes, rng: np.random.Generator) -> dict[str, list[str]]:
    documents = corpus.split(b"\n")
    copied = []
    for _ in range(RESPONSES):
        words = documents[rng.integers(len(documents))].decode().split()
        start = rng.integers(max(1, len(words) - RESPONSE_WORDS))
        copied.append(" ".join(words[start : start + RESPONSE_WORDS]))
    fresh = [
        " ".join(next(zipf_documents(1, seed=10_000 + i)).split()[:RESPONSE_WORDS])
        for i in range(RESPONSES)
    ]
    unseen = [" ".join(f"new{j}_{i}" for j in range(RESPONSE_WORDS)) for i in range(RESPONSES)]
    return {"copied": copied, "fresh": fresh, "unseen": unseen}


class ScanIndex(NgramIndex):
    """Baseline: answer each span query by scanning the corpus bytes."""

    def __init__(self, corpus: bytes):
        self.corpus = corpus

    def occurs(self, words) -> bool:
        return span_pattern(words) in self.corpus


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def time_queries(index: NgramIndex, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        index.creativity_index(text)
    return (time.perf_counter() - started) / len(texts)


def write_corpus(path: Path, size_mb: float) -> Path:
    with open(path, "w") as handle:
        for text in zipf_documents(int(size_mb * 1e6), seed=1):
            handle.write(json.dumps({"text": text}) + "\n")
    return path


def measure(size_mb: float, corpus_file: Path, with_baseline: bool) -> dict:
    """Index one corpus file in this (fresh) process and report its figures."""
    before = _current_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        index = build_index(iter_documents([corpus_file]), tmp, progress=False)
        build_s = time.perf_counter() - started
        peak = _peak_rss_mb() - before
        disk = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        row = {
            "size_mb": size_mb,
            "words": index.meta["words"],
            "stream_s": index.meta["stream_seconds"],
            "suffix_array_s": index.meta["suffix_array_seconds"],
            "build_s": build_s,
            "peak_mb": peak,
            "disk_mb": disk,
        }
        corpus = bytes(np.asarray(index.corpus))
        kinds = responses(corpus, np.random.default_rng(0))
        for kind, texts in kinds.items():
            row[f"{kind}_ms"] = 1000 * time_queries(index, texts)
            row[f"{kind}_ci"] = float(np.mean([index.creativity_index(t) for t in texts]))
        if with_baseline:
            row["scan_fresh_ms"] = 1000 * time_queries(ScanIndex(corpus), kinds["fresh"][:3])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes-mb", type=float, nargs=3, default=[4, 16, 64])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, size in enumerate(sorted(args.sizes_mb)):
            corpus_file = write_corpus(Path(tmp) / f"corpus_{size}mb.jsonl", size)
            # a fresh process per size, so each reports its own peak memory
            with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
                rows.append(pool.submit(measure, size, corpus_file, i == 0).result())
            corpus_file.unlink()
            report(rows[-1])
    summary(rows)


def report(r: dict) -> None:
    print(
        f"corpus {r['size_mb']:>6.1f} MB ({r['words'] / 1e6:5.2f} M words): build {r['build_s']:6.1f} s "
        f"(stream {r['stream_s']:.1f} s + suffix array {r['suffix_array_s']:.1f} s), "
        f"peak +{r['peak_mb']:.0f} MB RAM, {r['disk_mb']:.0f} MB on disk",
        flush=True,
    )
    print(
        f"    creativity_index of a {RESPONSE_WORDS}-word response (L 5..12): "
        + ", ".join(
            f"{kind} {r[f'{kind}_ms']:.1f} ms (index {r[f'{kind}_ci']:.2f})"
            for kind in ("copied", "fresh", "unseen")
        ),
        flush=True,
    )
    if "scan_fresh_ms" in r:
        print(
            f"    baseline, same queries by scanning the corpus bytes: fresh {r['scan_fresh_ms']:.0f} ms "
            f"per response ({r['scan_fresh_ms'] / r['fresh_ms']:.0f}x the suffix array)",
            flush=True,
        )


def summary(rows: list[dict]) -> None:
    small, large = rows[0], rows[-1]
    growth = large["size_mb"] / small["size_mb"]
    print(
        f"\n{growth:.0f}x the corpus: build time x{large['build_s'] / small['build_s']:.1f}, "
        f"peak memory x{large['peak_mb'] / max(small['peak_mb'], 1):.1f}, "
        f"query time (fresh) x{large['fresh_ms'] / small['fresh_ms']:.2f}"
    )


if __name__ == "__main__":
    main()
