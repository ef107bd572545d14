"""The text a reader sees: what the instruction-following checks are run on.

A policy can satisfy a "no commas" or "do not say X" check with text that looks the same to a
reader but not to a string comparison: full-width punctuation (``，``), zero-width characters
splitting a word (``for\u200bbidden``), and a response made only of invisible characters can
pass as non-empty. So every check sees the response after Unicode NFKC normalisation (full-width
and compatibility forms become their plain spelling), with format characters (category Cf:
zero-width spaces and joiners, bidi controls, soft hyphens...), control characters other than
tab/newline/carriage return, variation selectors, and the blank letters that render as nothing
(Hangul fillers, the braille blank) removed, and the comma look-alikes NFKC keeps (``、``,
``‚``, ``،``...) written as commas. Homoglyphs from other scripts (a Cyrillic ``а`` in a
Latin word) are not folded.
"""

from __future__ import annotations

import re
import unicodedata

_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800\u034f"
_COMMA_LOOKALIKES = "\u201a\u3001\u060c\u2e41\u2e34\ua4fe\u055d"
_TRANSLATE = {ord(c): None for c in _BLANK_LETTERS} | {ord(c): "," for c in _COMMA_LOOKALIKES}
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def visible_text(text: str) -> str:
    """``text`` as read: NFKC, invisible characters dropped, comma look-alikes as commas."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _VARIATION_SELECTORS.sub("", text)
    return "".join(
        char
        for char in text
        if char in "\t\n\r" or unicodedata.category(char) not in ("Cf", "Cc", "Co", "Cn")
    )


def has_letters(text: str) -> bool:
    """True when ``text`` holds at least one letter of any script."""
    return any(unicodedata.category(char).startswith("L") for char in text)
