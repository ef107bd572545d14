"""Pulling the graded part out of a model response.

- Thinking: with ``</think>`` present only the text after the last ``</think>`` is graded; a
  ``<think>`` opened and never closed means the model never answered (nothing is graded);
  without think tags the whole response is graded.
- Math and STEM answers: the content of the last ``\\boxed{...}`` (or ``\\fbox{...}``, or the
  brace-less ``\\boxed 5``).
- Code: the body of the last fenced code block.
- Reasoning gym: the last ``<answer>...</answer>``, stripped of surrounding whitespace.
"""

from __future__ import annotations

import re

_FENCED_BLOCK = re.compile(r"```[^\n`]*\n(.*?)```", re.DOTALL)


def graded_text(response: str) -> str | None:
    """The part of ``response`` that is graded, or None when thinking never ended."""
    if "</think>" in response:
        return response.rsplit("</think>", 1)[1]
    if "<think>" in response:
        return None
    return response


def last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{}``/``\\fbox{}`` (braces balanced), or None."""
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    rest = text[start + len("\\fbox" if text.startswith("\\fbox", start) else "\\boxed") :]
    if rest.startswith(" ") and not rest.lstrip().startswith("{"):
        # "\boxed 5": the argument runs to the next space or math delimiter.
        match = re.match(r"\s+([^\s$]+)", rest)
        return match.group(1) if match else None
    rest = rest.lstrip()
    if not rest.startswith("{"):
        return None
    depth = 0
    for i, char in enumerate(rest):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return rest[1:i]
    return None  # unbalanced: the answer never closed


def last_fenced_code(text: str) -> str | None:
    """Body of the last ``` fenced block ``` (any language tag), or None."""
    blocks = _FENCED_BLOCK.findall(text)
    return blocks[-1] if blocks else None


def last_answer_tag(text: str) -> str | None:
    """Content of the last ``<answer>...</answer>``, whitespace-stripped, or None.

    Found from the end with ``rfind`` (linear), not a regex scan, which is quadratic on a
    response of many unclosed ``<answer>`` tags."""
    end = text.rfind("</answer>")
    if end < 0:
        return None
    start = text.rfind("<answer>", 0, end)
    return text[start + len("<answer>") : end].strip() if start >= 0 else None
