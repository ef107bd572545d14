"""The Creativity Index of responses against a reference corpus (Lu et al., 2024; ProRL §4).

    from prorl_verl.eval.creativity import build_index, load_index

    index = build_index(documents, "runs/corpus_index")   # or load_index("runs/corpus_index")
    index.uniqueness(text, 5)          # fraction of words in no corpus span of >= 5 words
    index.creativity_index(text)       # sum of L-uniqueness over L = 5 ... 12

``InfiniGramAPI`` answers the same questions from a remote infini-gram endpoint (DOLMA).
The command line is ``python -m prorl_verl.eval creativity --help``.
"""

from prorl_verl.eval.creativity.corpus_files import iter_documents
from prorl_verl.eval.creativity.coverage import (
    PAPER_MAX_N,
    PAPER_MIN_N,
    NgramIndex,
    text_words,
)
from prorl_verl.eval.creativity.infini_gram import InfiniGramAPI, InfiniGramError
from prorl_verl.eval.creativity.suffix_index import SuffixArrayIndex, build_index, load_index

__all__ = [
    "PAPER_MAX_N",
    "PAPER_MIN_N",
    "InfiniGramAPI",
    "InfiniGramError",
    "NgramIndex",
    "SuffixArrayIndex",
    "build_index",
    "iter_documents",
    "load_index",
    "text_words",
]
